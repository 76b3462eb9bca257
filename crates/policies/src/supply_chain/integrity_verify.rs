//! integrity-verify: remember what the agent wrote, notice when it changes
//! behind its back.
//!
//! PostToolUse on a file-writing tool appends the SHA-256 of the file (as it
//! will be after the unicode firewall strips it) to `.agentops/integrity.jsonl`.
//! SessionStart takes the latest hash of each tracked file and reports the
//! files that changed or disappeared since. Files and the manifest are
//! read through the context's world.

use std::borrow::Cow;
use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use agentops_core::{
    Context, Effect, FileKind, Finding, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule,
    Severity, ToolKind, ToolMatch, World,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::common;
use super::unicode_firewall::content_after_firewall;

/// The flag that switches integrity recording and verification off.
pub const FLAG: &str = "integrity_verification_enabled";
/// The manifest under `.agentops/`: one JSON line per file written.
pub const MANIFEST: &str = "integrity.jsonl";
/// Largest manifest read.
pub const MAX_MANIFEST_BYTES: u64 = 256 * 1024 * 1024;
/// Largest tracked file hashed at verification (a file recorded at most
/// [`common::MAX_HOOK_FILE_BYTES`] long that grew past this has changed).
const MAX_VERIFIED_BYTES: u64 = 256 * 1024 * 1024;
const LISTED: usize = 10;

/// INTEG001: a file the agent wrote changed outside its sessions.
pub static FILE_CHANGED: Rule = Rule {
    id: "INTEG001",
    name: "tracked-file-changed",
    policy: "integrity-verify",
    severity: Severity::Warn,
    reason: "files the agent wrote have changed since, outside its sessions; inspect the changes (git diff) before trusting them",
    why: "Between sessions, anything with write access (a compromised dependency's install script, another tool, a person) can edit files the agent wrote, and the agent would build on them as if they were its own. The hashes recorded at write time show which files changed behind its back.",
    fires: "SessionStart | given /p/.agentops/integrity.jsonl = {\"path\":\"app.js\",\"abs_path\":\"/p/app.js\",\"sha256\":\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"} ;; /p/app.js = hello, edited",
    instead: "",
    passes: "SessionStart | given /p/.agentops/integrity.jsonl = {\"path\":\"app.js\",\"abs_path\":\"/p/app.js\",\"sha256\":\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"} ;; /p/app.js = hello",
};

/// INTEG002: a file the agent wrote is gone.
pub static FILE_MISSING: Rule = Rule {
    id: "INTEG002",
    name: "tracked-file-missing",
    policy: "integrity-verify",
    severity: Severity::Warn,
    reason: "files the agent wrote no longer exist",
    why: "A file the agent created that disappeared between sessions may have been removed by a cleanup, a checkout or something hostile; the agent should not assume it is still there.",
    fires: "SessionStart | given /p/.agentops/integrity.jsonl = {\"path\":\"gone.js\",\"abs_path\":\"/p/gone.js\",\"sha256\":\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"}",
    instead: "",
    passes: "SessionStart | given /p/.agentops/integrity.jsonl = {\"path\":\"gone.js\",\"abs_path\":\"/p/gone.js\",\"sha256\":\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"} ;; /p/gone.js = hello",
};

static RULES: &[&Rule] = &[&FILE_CHANGED, &FILE_MISSING];

/// One manifest line, borrowed from the manifest: only the fields the
/// verification reads are looked at (a session start reads every line, and
/// the manifest grows by one line per file write). A line whose fields are
/// not strings is malformed.
#[derive(Deserialize)]
struct ManifestLine<'a> {
    #[serde(borrow, default)]
    abs_path: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    path: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    sha256: Option<Cow<'a, str>>,
}

/// The latest recorded hash of every tracked file, by absolute path.
/// Malformed lines are skipped (and counted).
pub fn latest_hashes(manifest: &[u8]) -> (BTreeMap<PathBuf, (String, String)>, usize) {
    let mut latest = BTreeMap::new();
    let mut skipped = 0;
    // Newest line first: a path's first hit is its latest hash.
    for line in manifest.rsplit(|&b| b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let Ok(record) = serde_json::from_slice::<ManifestLine>(line) else {
            skipped += 1;
            continue;
        };
        let path = record.path.as_deref();
        match (
            record.abs_path.as_deref().or(path),
            record.sha256.as_deref(),
        ) {
            (Some(abs), Some(sha)) if !abs.is_empty() => {
                if let Entry::Vacant(slot) = latest.entry(PathBuf::from(abs)) {
                    slot.insert((sha.to_string(), path.unwrap_or(abs).to_string()));
                }
            }
            _ => skipped += 1,
        }
    }
    (latest, skipped)
}

/// One tracked file's state now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Status {
    /// The file hashes as recorded.
    Unchanged,
    /// The file hashes differently (or could not be read).
    Changed {
        /// The recorded SHA-256.
        expected: String,
        /// The SHA-256 now, or `unreadable: <why>`.
        actual: String,
    },
    /// The file is gone (or is no longer a regular file).
    Missing,
}

/// A tracked file and its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tracked {
    /// The path as recorded (relative to the project when it was inside).
    pub path: String,
    /// The absolute path checked.
    pub abs_path: PathBuf,
    /// What was found.
    #[serde(flatten)]
    pub status: Status,
}

/// Compare every tracked file with its latest hash, reading the files
/// through `world`.
pub fn verify(world: &dyn World, project_dir: &Path, manifest: &[u8]) -> Vec<Tracked> {
    let (latest, _) = latest_hashes(manifest);
    latest
        .into_iter()
        .map(|(abs, (expected, shown))| {
            let abs = common::resolve(project_dir, &abs.to_string_lossy());
            let is_file = world.metadata(&abs).is_ok_and(|m| m.kind == FileKind::File);
            let status = if !is_file {
                Status::Missing
            } else {
                match world
                    .read(&abs, MAX_VERIFIED_BYTES)
                    .map(|bytes| common::sha256_bytes(&bytes))
                {
                    Ok(actual) if actual == expected => Status::Unchanged,
                    Ok(actual) => Status::Changed { expected, actual },
                    Err(e) => Status::Changed {
                        expected,
                        actual: format!("unreadable: {e}"),
                    },
                }
            };
            Tracked {
                path: shown,
                abs_path: abs,
                status,
            }
        })
        .collect()
}

fn list(items: &[&Tracked], describe: impl Fn(&Tracked) -> String) -> String {
    let mut lines: Vec<String> = items.iter().take(LISTED).map(|t| describe(t)).collect();
    if items.len() > LISTED {
        lines.push(format!("... and {} more", items.len() - LISTED));
    }
    lines.join("\n  ")
}

/// The session answer for a verification. Pure; `ts` stamps the audit
/// record.
pub fn decide(tracked: &[Tracked], ts: &str) -> Outcome {
    if tracked.is_empty() {
        return Outcome::none();
    }
    let changed: Vec<&Tracked> = tracked
        .iter()
        .filter(|t| matches!(t.status, Status::Changed { .. }))
        .collect();
    let missing: Vec<&Tracked> = tracked
        .iter()
        .filter(|t| t.status == Status::Missing)
        .collect();
    let verified = tracked.len() - changed.len() - missing.len();
    let mut out = Outcome::default();
    if !changed.is_empty() {
        out.findings.push(Finding::with_subject(
            &FILE_CHANGED,
            format!(
                "{} file(s):\n  {}",
                changed.len(),
                list(&changed, |t| match &t.status {
                    Status::Changed { expected, actual } => format!(
                        "{} (recorded {}…, now {}…)",
                        t.path,
                        &expected[..expected.len().min(12)],
                        &actual[..actual.len().min(12)]
                    ),
                    _ => t.path.clone(),
                })
            ),
        ));
        out.context.push(format!(
            "agentops integrity check: {} file(s) written in earlier sessions were modified outside them: {}. Review the changes before relying on or building on these files.",
            changed.len(),
            changed.iter().take(LISTED).map(|t| t.path.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    if !missing.is_empty() {
        out.findings.push(Finding::with_subject(
            &FILE_MISSING,
            format!(
                "{} file(s):\n  {}",
                missing.len(),
                list(&missing, |t| t.path.clone())
            ),
        ));
    }
    if changed.is_empty() && missing.is_empty() {
        out.messages.push(format!(
            "agentops integrity check: {verified} tracked file(s) verified, all hashes match."
        ));
    } else {
        out.effects.push(Effect::AppendRecord {
            log: "audit.jsonl",
            record: json!({
                "ts": ts,
                "event": "INTEGRITY_MISMATCH",
                "files_changed": changed.len(),
                "files_missing": missing.len(),
                "files_verified": verified,
            }),
        });
    }
    out
}

/// The manifest line for a file the agent just wrote, stamped `ts`. Pure.
pub fn record_for(
    project_dir: &Path,
    abs: &Path,
    sha256: String,
    session: Option<&str>,
    ts: &str,
) -> Effect {
    let rel = abs.strip_prefix(project_dir).map_or_else(
        |_| abs.to_string_lossy().into_owned(),
        |r| r.to_string_lossy().into_owned(),
    );
    Effect::AppendRecord {
        log: MANIFEST,
        record: json!({
            "ts": ts,
            "path": rel,
            "abs_path": abs.to_string_lossy(),
            "sha256": sha256,
            "session": session.unwrap_or("unknown"),
        }),
    }
}

/// The integrity-verify policy.
pub static INTEGRITY_VERIFY: Policy = Policy {
    name: "integrity-verify",
    summary: "Records the SHA-256 of every file the agent writes and reports files changed or removed since",
    events: &[HookEvent::PostToolUse, HookEvent::SessionStart],
    tools: ToolMatch::Only(ToolKind::FILE_WRITERS),
    flag: Some((FLAG, FlagKind::Security)),
    rules: RULES,
    evaluate,
};

fn evaluate(event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    let world = &*ctx.world;
    match event {
        HookEvent::PostToolUse => {
            let Some(shown) = input.target_path().filter(|p| !p.is_empty()) else {
                return Outcome::none();
            };
            let abs = common::resolve(&ctx.project_dir, shown);
            let Some(bytes) = common::read_file(world, &abs, common::MAX_HOOK_FILE_BYTES) else {
                return Outcome::none();
            };
            let content = content_after_firewall(&abs, &bytes, &ctx.flags);
            let sha = common::sha256_bytes(&content);
            Outcome {
                effects: vec![record_for(
                    &ctx.project_dir,
                    &abs,
                    sha,
                    input.session_id.as_deref(),
                    &common::timestamp(world),
                )],
                ..Outcome::default()
            }
        }
        HookEvent::SessionStart => {
            let manifest = ctx.state_dir().join(MANIFEST);
            match common::read_file(world, &manifest, MAX_MANIFEST_BYTES) {
                Some(bytes) => decide(
                    &verify(world, &ctx.project_dir, &bytes),
                    &common::timestamp(world),
                ),
                None => Outcome::none(),
            }
        }
        _ => Outcome::none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use agentops_core::MemoryWorld;
    use std::sync::Arc;

    const TS: &str = "2001-09-09T01:46:40Z";

    fn write_record(effect: &Effect) -> String {
        let Effect::AppendRecord { log, record } = effect else {
            panic!("expected a record");
        };
        assert_eq!(*log, MANIFEST);
        record.to_string()
    }

    fn ctx_in(world: MemoryWorld) -> Context {
        Context {
            project_dir: "/p".into(),
            world: Arc::new(world),
            ..Context::default()
        }
    }

    #[test]
    fn records_then_verifies_changed_missing_and_unchanged_files() {
        let files = [("a.txt", "one"), ("b.txt", "two"), ("c.txt", "three")];
        let mut before = MemoryWorld::new();
        for (name, body) in files {
            before = before.file(format!("/p/{name}"), body);
        }
        let ctx = ctx_in(before);
        let mut manifest = String::new();
        for (name, _) in files {
            let input: HookInput = serde_json::from_value(json!({
                "session_id": "s1", "tool_name": "Write",
                "tool_input": {"file_path": format!("/p/{name}")}
            }))
            .expect("payload");
            let out = INTEGRITY_VERIFY.evaluate(HookEvent::PostToolUse, &input, &ctx);
            let line = write_record(&out.effects[0]);
            assert!(line.contains(&format!("\"path\":\"{name}\"")), "{line}");
            assert!(line.contains("\"session\":\"s1\""), "{line}");
            assert!(line.contains(&format!("\"ts\":\"{TS}\"")), "{line}");
            manifest.push_str(&line);
            manifest.push('\n');
        }
        manifest.push_str("not json\n");
        let after = MemoryWorld::new()
            .file("/p/a.txt", "one")
            .file("/p/b.txt", "tampered");

        let tracked = verify(&after, Path::new("/p"), manifest.as_bytes());
        let statuses: Vec<(&str, &str)> = tracked
            .iter()
            .map(|t| {
                let s = match t.status {
                    Status::Unchanged => "unchanged",
                    Status::Changed { .. } => "changed",
                    Status::Missing => "missing",
                };
                (t.path.as_str(), s)
            })
            .collect();
        assert_eq!(
            statuses,
            [
                ("a.txt", "unchanged"),
                ("b.txt", "changed"),
                ("c.txt", "missing")
            ]
        );

        let out = decide(&tracked, TS);
        let ids: Vec<&str> = out.findings.iter().map(|f| f.rule.id).collect();
        assert_eq!(ids, ["INTEG001", "INTEG002"]);
        assert!(out.findings[0]
            .subject
            .as_deref()
            .is_some_and(|s| s.contains("b.txt (recorded")));
        assert!(
            matches!(&out.effects[0], Effect::AppendRecord { record, .. } if record["event"] == "INTEGRITY_MISMATCH" && record["files_changed"] == 1 && record["ts"] == TS)
        );
    }

    #[test]
    fn session_start_reads_the_manifest_from_the_state_directory() {
        let manifest = format!(
            "{}\n",
            json!({"path":"x.txt","abs_path":"/p/x.txt","sha256":common::sha256_bytes(b"v1")})
        );
        let ctx = ctx_in(
            MemoryWorld::new()
                .file("/p/.agentops/integrity.jsonl", manifest)
                .file("/p/x.txt", "v2"),
        );
        let out = INTEGRITY_VERIFY.evaluate(HookEvent::SessionStart, &HookInput::default(), &ctx);
        let ids: Vec<&str> = out.findings.iter().map(|f| f.rule.id).collect();
        assert_eq!(ids, ["INTEG001"]);
        let none = ctx_in(MemoryWorld::new());
        assert!(INTEGRITY_VERIFY
            .evaluate(HookEvent::SessionStart, &HookInput::default(), &none)
            .is_empty());
    }

    #[test]
    fn the_latest_record_wins_and_a_clean_check_says_so() {
        let world = MemoryWorld::new().file("/p/x.txt", "v2");
        let manifest = format!(
            "{}\n{}\n",
            json!({"path":"x.txt","abs_path":"/p/x.txt","sha256":common::sha256_bytes(b"v1")}),
            json!({"path":"x.txt","abs_path":"/p/x.txt","sha256":common::sha256_bytes(b"v2")})
        );
        let out = decide(&verify(&world, Path::new("/p"), manifest.as_bytes()), TS);
        assert!(out.findings.is_empty());
        assert_eq!(
            out.messages,
            ["agentops integrity check: 1 tracked file(s) verified, all hashes match."]
        );
        assert!(decide(&[], TS).is_empty());
    }

    #[test]
    fn hash_matches_the_file_after_the_firewall_strips_it() {
        let ctx = ctx_in(MemoryWorld::new().file("/p/d.txt", "a\u{200B}b"));
        let input: HookInput =
            serde_json::from_value(json!({"tool_name":"Edit","tool_input":{"file_path":"d.txt"}}))
                .expect("payload");
        let out = INTEGRITY_VERIFY.evaluate(HookEvent::PostToolUse, &input, &ctx);
        let Effect::AppendRecord { record, .. } = &out.effects[0] else {
            panic!("expected a record");
        };
        assert_eq!(record["sha256"], common::sha256_bytes(b"ab"));
    }

    #[test]
    fn nothing_to_record_without_a_file() {
        let ctx = Context::default();
        for payload in [
            json!({"tool_name":"Write","tool_input":{"file_path":""}}),
            json!({"tool_name":"Write","tool_input":{"file_path":"/nonexistent/agentops/file"}}),
        ] {
            let input: HookInput = serde_json::from_value(payload).expect("payload");
            assert!(INTEGRITY_VERIFY
                .evaluate(HookEvent::PostToolUse, &input, &ctx)
                .is_empty());
        }
    }
}
