//! What the user said may pass, applied before the merge: exceptions
//! (`agentops allow`, stored in `.agentops/exceptions.json` and
//! `~/.agentops/exceptions.json`) and allow-once grants (`agentops
//! allow-once <id>`, stored in `~/.agentops/allow-once/`). Also the
//! decision id every deny and ask carries, and the hash of the tool input
//! that ties a grant to the exact call it names.
//!
//! Hook-path cost: nothing is read unless a finding gates, and a missing
//! file is one failed open.

use std::io;
use std::path::{Path, PathBuf};

use agentops_core::output::{decision_for, Verdict};
use agentops_core::{Context, Decision, Finding, HookInput, Outcome, Severity};
use agentops_policies::exceptions::{self, Check, ExceptionFile, Scope, Status};
use agentops_state::StateDir;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The directory under `~/.agentops/` holding allow-once grants, one file
/// per grant named by the hash of the call it lets through.
pub const GRANTS_DIR: &str = "allow-once";
/// How long a grant stays usable, in seconds.
pub const GRANT_SECONDS: u64 = 5 * 60;
/// Largest grant file read.
const MAX_GRANT_BYTES: u64 = 1 << 16;

/// What the exceptions and grants did to one run.
#[derive(Debug, Default)]
pub struct Overrides {
    /// Every exception that matched a gating finding, with what it did.
    pub checks: Vec<Check>,
    /// Findings that no longer gate, with the note saying why.
    pub relaxed: Vec<(&'static str, Finding, String)>,
    /// The decision id of the grant used, if one was.
    pub allowed_once_by: Option<String>,
    /// Problems reading the files, for the user.
    pub problems: Vec<String>,
}

impl Overrides {
    /// Put the relaxed findings into the merged answer as verdicts that
    /// decided nothing, and the notes into its messages.
    pub fn into_answer(self, answer: &mut agentops_core::HookAnswer) -> Vec<Value> {
        for (policy, finding, note) in self.relaxed {
            answer.messages.push(format!("agentops: {note}"));
            answer.verdicts.push(Verdict {
                policy,
                finding,
                decision: None,
            });
        }
        for check in self.checks.iter().filter(|c| c.status != Status::Used) {
            answer.messages.push(format!("agentops: {}", check.note()));
        }
        answer
            .messages
            .extend(self.problems.into_iter().map(|p| format!("agentops: {p}")));
        self.checks.iter().map(Check::to_json).collect()
    }
}

fn gates(finding: &Finding, input: &HookInput, ctx: &Context) -> bool {
    decision_for(finding, input, ctx).is_some_and(|d| d >= Decision::Ask)
}

/// Apply exceptions (and, when `claim` is set, an allow-once grant) to the
/// outcomes before they are merged. `now` is seconds since the epoch.
pub fn apply(
    outcomes: &mut [(&'static str, Outcome)],
    input: &HookInput,
    ctx: &Context,
    claim: bool,
    now: u64,
) -> Overrides {
    let mut out = Overrides::default();
    let gating = outcomes
        .iter()
        .any(|(_, o)| o.findings.iter().any(|f| gates(f, input, ctx)));
    if !gating {
        return out;
    }
    let files = load_files(ctx, &mut out.problems);
    if !files.is_empty() {
        let project = ctx.project_dir.to_string_lossy();
        let refs: Vec<(Scope, &ExceptionFile)> = files.iter().map(|(s, f)| (*s, f)).collect();
        for (policy, outcome) in outcomes.iter_mut() {
            let mut kept = Vec::with_capacity(outcome.findings.len());
            for finding in std::mem::take(&mut outcome.findings) {
                if !gates(&finding, input, ctx) {
                    kept.push(finding);
                    continue;
                }
                let checks = exceptions::check(finding.rule, input, &project, &refs, now);
                let used = checks.iter().find(|c| c.status == Status::Used).cloned();
                out.checks.extend(checks);
                match used {
                    Some(c) => out.relaxed.push((policy, finding, c.note())),
                    None => kept.push(finding),
                }
            }
            outcome.findings = kept;
        }
    }
    if claim {
        allow_once(outcomes, input, ctx, now, &mut out);
    }
    out
}

/// The exception files that exist, user scope last; a file that cannot be
/// read or parsed applies none of its exceptions.
fn load_files(ctx: &Context, problems: &mut Vec<String>) -> Vec<(Scope, ExceptionFile)> {
    let mut dirs: Vec<(Scope, &Path)> = vec![(Scope::Project, ctx.project_dir.as_path())];
    if let Some(home) = ctx.home.as_deref() {
        if home == ctx.project_dir {
            // The project is the home: its file is the user's.
            dirs = vec![(Scope::User, home)];
        } else {
            dirs.push((Scope::User, home));
        }
    }
    let mut files = Vec::new();
    for (scope, dir) in dirs {
        match read_file(dir) {
            Ok(Some(f)) => files.push((scope, f)),
            Ok(None) => {}
            Err(e) => problems.push(format!(
                "{} exceptions ({}) not applied: {e}",
                scope.as_str(),
                exceptions_path(dir).display()
            )),
        }
    }
    files
}

/// `<dir>/.agentops/exceptions.json`.
pub fn exceptions_path(dir: &Path) -> PathBuf {
    StateDir::new(dir).path().join(exceptions::FILE)
}

/// Read the exceptions file under `dir/.agentops/`; `Ok(None)` when there
/// is none.
pub fn read_file(dir: &Path) -> Result<Option<ExceptionFile>, String> {
    match StateDir::new(dir).read(exceptions::FILE, exceptions::MAX_BYTES) {
        Ok(Some(bytes)) => ExceptionFile::parse(&bytes).map(Some),
        Ok(None) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// The hash that names one exact call: the project, the tool and its
/// input. 32 hex digits.
pub fn input_hash(input: &HookInput, project: &Path) -> String {
    let tool_input = input.tool_input.as_ref().map(Value::to_string);
    let named = [
        project.to_string_lossy().as_bytes(),
        input.tool_name.as_deref().unwrap_or("").as_bytes(),
        tool_input.as_deref().unwrap_or("").as_bytes(),
    ]
    .join(&0u8);
    let mut hash = agentops_records::chain::digest_hex(&named);
    hash.truncate(32);
    hash
}

/// A short id for one decision: 8 characters of lowercase base32 of a
/// hash of the session, the call, the time and the process.
pub fn decision_id(input: &HookInput, input_hash: &str, nanos: i128) -> String {
    let mut h = Sha256::new();
    h.update(input.session_id.as_deref().unwrap_or("").as_bytes());
    h.update(input_hash.as_bytes());
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    let digest = h.finalize();
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut bits: u64 = 0;
    for b in &digest[..5] {
        bits = (bits << 8) | u64::from(*b);
    }
    (0..8)
        .map(|i| char::from(ALPHABET[((bits >> (35 - 5 * i)) & 31) as usize]))
        .collect()
}

/// Whether a text is a decision id.
pub fn is_decision_id(text: &str) -> bool {
    text.len() == 8
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
}

/// The line every deny and ask ends with.
pub fn decision_line(id: &str, decision: Decision) -> String {
    let once = if decision == Decision::Deny {
        format!(", or `agentops allow-once {id}` to let this exact call through once")
    } else {
        String::new()
    };
    format!("agentops decision {id}: the user can run `agentops why {id}`{once}")
}

/// `~/.agentops/allow-once/`.
pub fn grants_dir(home: &Path) -> PathBuf {
    StateDir::new(home).path().join(GRANTS_DIR)
}

/// A grant as stored.
pub fn grant_json(decision_id: &str, input_hash: &str, rules: &[String], now: u64) -> Value {
    json!({
        "decision_id": decision_id,
        "input_hash": input_hash,
        "rules": rules,
        "created_at": now,
        "expires_at": now + GRANT_SECONDS,
    })
}

/// Let the call through once if a live grant names it and every rule that
/// still gates. The grant is claimed by renaming it: of parallel hooks
/// with the same call, exactly one rename succeeds.
fn allow_once(
    outcomes: &mut [(&'static str, Outcome)],
    input: &HookInput,
    ctx: &Context,
    now: u64,
    out: &mut Overrides,
) {
    let Some(home) = ctx.home.as_deref() else {
        return;
    };
    let gating: Vec<&Finding> = outcomes
        .iter()
        .flat_map(|(_, o)| o.findings.iter())
        .filter(|f| gates(f, input, ctx))
        .collect();
    if gating.is_empty() || gating.iter().any(|f| f.rule.severity == Severity::Hard) {
        return;
    }
    let hash = input_hash(input, &ctx.project_dir);
    let path = grants_dir(home).join(format!("{hash}.json"));
    let Ok(Some(grant)) = read_grant(&path) else {
        return;
    };
    let live = grant["expires_at"].as_u64().is_some_and(|at| now < at)
        && grant["input_hash"].as_str() == Some(hash.as_str());
    let rules: Vec<&str> = grant["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let covered = gating.iter().all(|f| rules.contains(&f.rule.id));
    if !live || !covered {
        return;
    }
    let claimed = path.with_extension(format!("claimed-{}", std::process::id()));
    if std::fs::rename(&path, &claimed).is_err() {
        return; // another hook took it first
    }
    let _ = std::fs::remove_file(&claimed);
    let id = grant["decision_id"].as_str().unwrap_or("").to_string();
    for (policy, outcome) in outcomes.iter_mut() {
        let mut kept = Vec::new();
        for finding in std::mem::take(&mut outcome.findings) {
            if gates(&finding, input, ctx) {
                let note = format!(
                    "[{}] allowed once by the user (agentops allow-once {id})",
                    finding.rule.id
                );
                out.relaxed.push((policy, finding, note));
            } else {
                kept.push(finding);
            }
        }
        outcome.findings = kept;
    }
    out.allowed_once_by = Some(id);
}

fn read_grant(path: &Path) -> io::Result<Option<Value>> {
    use std::io::Read;
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut bytes = Vec::new();
    file.take(MAX_GRANT_BYTES).read_to_end(&mut bytes)?;
    Ok(serde_json::from_slice(&bytes).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_ids_are_eight_base32_characters_and_vary() {
        let input = HookInput::default();
        let a = decision_id(&input, "h", 1);
        let b = decision_id(&input, "h", 2);
        assert!(is_decision_id(&a) && is_decision_id(&b), "{a} {b}");
        assert_ne!(a, b);
        assert!(
            !is_decision_id("ABCDEFGH") && !is_decision_id("abc") && !is_decision_id("abcdefg1")
        );
    }

    #[test]
    fn the_input_hash_names_the_exact_call() {
        let call = |c: &str| -> HookInput {
            serde_json::from_value(json!({"tool_name": "Bash", "tool_input": {"command": c}}))
                .expect("payload")
        };
        let p = Path::new("/p");
        assert_eq!(input_hash(&call("ls"), p), input_hash(&call("ls"), p));
        assert_ne!(input_hash(&call("ls"), p), input_hash(&call("ls "), p));
        assert_ne!(
            input_hash(&call("ls"), p),
            input_hash(&call("ls"), Path::new("/q"))
        );
    }

    #[test]
    fn the_decision_line_offers_allow_once_for_denies_only() {
        assert!(decision_line("abcdefgh", Decision::Deny).contains("agentops allow-once abcdefgh"));
        let ask = decision_line("abcdefgh", Decision::Ask);
        assert!(ask.contains("agentops why abcdefgh") && !ask.contains("allow-once"));
    }
}
