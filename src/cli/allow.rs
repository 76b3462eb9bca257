//! `agentops allow <RULE> …`, `agentops allow list`, `agentops allow
//! remove`: the user's exceptions per rule id, in the project's
//! `.agentops/exceptions.json` or the user's `~/.agentops/exceptions.json`.
//! The model and matching are `agentops_policies::exceptions`; the engine
//! applies them. Run by the user: from the agent's shell `allow <RULE>` and
//! `allow remove` are refused (CMD038), `allow list` passes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use agentops_core::Severity;
use agentops_engine::overrides;
use agentops_policies::exceptions::{self, Exception, ExceptionFile, Scope};
use agentops_records::clock::{self, iso_from_secs};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::output::Table;
use super::{now_secs, usage_error};

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Sub>,
    /// The rule the exception relaxes, e.g. CMD016 (`agentops rules` lists them).
    #[arg(required = true)]
    pub rule: Option<String>,
    /// Only Bash commands matching this shell glob, whole command (`*` never spans ; & | < > ( ) $ `).
    #[arg(long, conflicts_with = "path")]
    pub pattern: Option<String>,
    /// Only file paths matching this glob (relative to the project, or absolute; `*` within a directory, `**` across).
    #[arg(long)]
    pub path: Option<String>,
    /// Why the exception exists (required; shown in every verdict it relaxes).
    #[arg(long, required = true)]
    pub reason: Option<String>,
    /// When it stops applying: an age such as 30m, 12h, 7d, 2w, or a date/time (2026-12-31).
    #[arg(long)]
    pub expires: Option<String>,
    /// Store it for the user (~/.agentops/exceptions.json): needed for hard-list rules.
    #[arg(long, conflicts_with = "project")]
    pub user: bool,
    /// Store it in the project (.agentops/exceptions.json), the default.
    #[arg(long)]
    pub project: bool,
}

#[derive(clap::Subcommand)]
pub enum Sub {
    /// Every exception, project and user, with its scope; expired ones marked.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove an exception by its number in `allow list` (project unless --user) or its id.
    Remove {
        /// The number shown by `allow list`, or the 8-character id.
        which: String,
        /// The number counts in the user's exceptions.
        #[arg(long)]
        user: bool,
    },
}

pub fn run(args: &Args) -> ExitCode {
    let project = match super::project_dir("allow", &None) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let home = home_dir();
    match &args.command {
        Some(Sub::List { json }) => list(&project, home.as_deref(), *json),
        Some(Sub::Remove { which, user }) => remove(&project, home.as_deref(), which, *user),
        None => add(args, &project, home.as_deref()),
    }
}

fn home_dir() -> Option<PathBuf> {
    agentops_engine::Environment::from_process().home
}

/// Whether `id` names a custom rule of the project's or the user's rule
/// files (`.agentops/rules.toml`, `~/.agentops/rules.toml`).
fn is_custom_rule(id: &str) -> bool {
    super::custom_rules::find(id).is_some()
}

/// What is wrong with an exception to `id` in `scope`, if anything.
fn refusal(id: &str, scope: Scope) -> Option<String> {
    let Some(rule) = super::rules::find(id) else {
        if is_custom_rule(id) {
            return None;
        }
        let close = super::rules::suggestions(id);
        let hint = if close.is_empty() {
            String::new()
        } else {
            format!("; did you mean {}?", close.join(", "))
        };
        return Some(format!(
            "no rule `{id}`{hint} (`agentops rules` lists every rule)"
        ));
    };
    match rule.severity {
        Severity::Hard => Some(format!(
            "{} is a hard rule: it denies in every mode and no exception relaxes it",
            rule.id
        )),
        Severity::Guide | Severity::Warn | Severity::Approve => Some(format!(
            "{} never gates a call ({}): there is nothing to except",
            rule.id, rule.severity
        )),
        _ if scope == Scope::Project && exceptions::on_hard_list(rule.id) => Some(format!(
            "{} guards agentops itself, the home or root, or secrets: a project exception (which the project's files could carry) is ignored for it; run the same command with --user",
            rule.id
        )),
        _ => None,
    }
}

/// The time (seconds since the epoch) an `--expires` value names: an age
/// such as `30m`, `12h`, `7d`, `2w` counted from now, or a date
/// (`2026-12-31`); `Err` says what is wrong.
pub fn parse_expiry(text: &str, now: u64) -> Result<u64, String> {
    let from = clock::Instant::from_secs(i64::try_from(now).unwrap_or(i64::MAX));
    let at = clock::until(text, from).map_err(|e| {
        format!(
            "{} (give an age such as 30m, 12h, 7d, or a date such as 2026-12-31)",
            e.reason()
        )
    })?;
    let secs = u64::try_from(at.secs()).map_err(|_| "before 1970".to_string())?;
    if secs <= now {
        return Err(format!("{} has already passed", text.trim()));
    }
    Ok(secs)
}

fn scope_dir<'a>(
    scope: Scope,
    project: &'a Path,
    home: Option<&'a Path>,
) -> Result<&'a Path, String> {
    match scope {
        Scope::Project => Ok(project),
        Scope::User => home.ok_or_else(|| "HOME is not set: no user scope".to_string()),
    }
}

fn load(dir: &Path) -> Result<ExceptionFile, String> {
    overrides::read_file(dir)
        .map(Option::unwrap_or_default)
        .map_err(|e| {
            format!(
                "cannot read {}: {e}",
                overrides::exceptions_path(dir).display()
            )
        })
}

fn save(dir: &Path, file: &ExceptionFile) -> Result<PathBuf, String> {
    let path = overrides::exceptions_path(dir);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    agentops_state::replace_atomically(&path, &file.to_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

fn add(args: &Args, project: &Path, home: Option<&Path>) -> ExitCode {
    let scope = if args.user {
        Scope::User
    } else {
        Scope::Project
    };
    let Some(raw) = args.rule.as_deref() else {
        return usage_error("allow", "a rule id is required");
    };
    let id = super::rules::find(raw).map_or_else(|| raw.to_string(), |r| r.id.to_string());
    if let Some(why) = refusal(&id, scope) {
        return usage_error("allow", why);
    }
    let reason = args.reason.as_deref().unwrap_or("").trim().to_string();
    if reason.is_empty() {
        return usage_error("allow", "--reason must say why the exception exists");
    }
    let blank = |v: &Option<String>| v.as_deref().is_some_and(|s| s.trim().is_empty());
    if blank(&args.pattern) || blank(&args.path) {
        return usage_error("allow", "--pattern and --path need a non-empty glob");
    }
    let now = now_secs();
    let expires_at = match args.expires.as_deref().map(|e| parse_expiry(e, now)) {
        None => None,
        Some(Ok(at)) => Some(at),
        Some(Err(e)) => return usage_error("allow", format!("--expires: {e}")),
    };
    let dir = match scope_dir(scope, project, home) {
        Ok(d) => d,
        Err(e) => return usage_error("allow", e),
    };
    let mut file = match load(dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("agentops allow: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut h = Sha256::new();
    for part in [&id, &reason] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.update(args.pattern.as_deref().unwrap_or("").as_bytes());
    h.update(args.path.as_deref().unwrap_or("").as_bytes());
    h.update(
        agentops_records::clock::Instant::now()
            .nanos()
            .to_le_bytes(),
    );
    let short: String = h.finalize()[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let exception = Exception {
        id: short,
        rule: id,
        pattern: args.pattern.clone(),
        path: args.path.clone(),
        reason,
        created_at: now,
        expires_at,
        created_by: user,
    };
    let summary = format!(
        "{} exception {} ({}) for {}: {}{}",
        scope.as_str(),
        file.exceptions.len() + 1,
        exception.id,
        exception.rule,
        exception.target(),
        exception
            .expires_at
            .map(|at| format!(", until {}", iso_from_secs(at)))
            .unwrap_or_default()
    );
    file.exceptions.push(exception);
    match save(dir, &file) {
        Ok(path) => {
            println!("added {summary} in {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("agentops allow: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One listed exception with its scope and state.
fn listed(scope: Scope, index: usize, e: &Exception, now: u64) -> Value {
    json!({
        "scope": scope.as_str(),
        "index": index,
        "id": e.id,
        "rule": e.rule,
        "pattern": e.pattern,
        "path": e.path,
        "reason": e.reason,
        "created": iso_from_secs(e.created_at),
        "created_by": e.created_by,
        "expires": e.expires_at.map(iso_from_secs),
        "expired": e.expired(now),
        "ignored": (scope == Scope::Project && exceptions::on_hard_list(&e.rule))
            .then_some("a hard-list rule takes only user exceptions"),
    })
}

/// Every exception of both scopes as listed, and the problems reading them.
pub fn all(project: &Path, home: Option<&Path>, now: u64) -> (Vec<Value>, Vec<String>) {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut scopes = vec![(Scope::Project, project)];
    if let Some(h) = home.filter(|h| *h != project) {
        scopes.push((Scope::User, h));
    }
    for (scope, dir) in scopes {
        match load(dir) {
            Ok(file) => rows.extend(
                file.exceptions
                    .iter()
                    .enumerate()
                    .map(|(i, e)| listed(scope, i + 1, e, now)),
            ),
            Err(e) => problems.push(e),
        }
    }
    (rows, problems)
}

fn list(project: &Path, home: Option<&Path>, as_json: bool) -> ExitCode {
    let (rows, problems) = all(project, home, now_secs());
    for p in &problems {
        eprintln!("agentops allow list: {p}");
    }
    if as_json {
        println!("{}", Value::Array(rows));
    } else if rows.is_empty() {
        println!("no exceptions (add one with `agentops allow <RULE> --reason TEXT`)");
    } else {
        let mut table = Table::new(&[
            "SCOPE",
            "N",
            "ID",
            "RULE",
            "APPLIES TO",
            "EXPIRES",
            "REASON",
        ]);
        for r in &rows {
            let s = |k: &str| r[k].as_str().unwrap_or("").to_string();
            let target = match (r["pattern"].as_str(), r["path"].as_str()) {
                (Some(p), _) => format!("command {p}"),
                (None, Some(p)) => format!("path {p}"),
                (None, None) => "any call".into(),
            };
            let expires = match (r["expired"].as_bool(), r["expires"].as_str()) {
                (Some(true), Some(at)) => format!("EXPIRED {at}"),
                (_, Some(at)) => at.to_string(),
                _ => "never".into(),
            };
            let reason = match r["ignored"].as_str() {
                Some(why) => format!("{} (IGNORED: {why})", s("reason")),
                None => s("reason"),
            };
            table.row([
                s("scope"),
                r["index"].to_string(),
                s("id"),
                s("rule"),
                target,
                expires,
                reason,
            ]);
        }
        table.print();
    }
    if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn id_exists(project: &Path, home: Option<&Path>, id: &str) -> bool {
    [Some(project), home]
        .into_iter()
        .flatten()
        .filter_map(|dir| load(dir).ok())
        .any(|f| f.exceptions.iter().any(|e| e.id == id))
}

fn remove(project: &Path, home: Option<&Path>, which: &str, user: bool) -> ExitCode {
    // An id is 8 hex digits and may be all digits: ids are looked up
    // first, in both scopes; a number counts in one scope.
    let is_id = which.len() == 8 && which.bytes().all(|b| b.is_ascii_hexdigit());
    let by_number = which
        .parse::<usize>()
        .ok()
        .filter(|_| !is_id || !id_exists(project, home, which));
    let scopes: Vec<Scope> = match (by_number, user) {
        (Some(_), true) => vec![Scope::User],
        (Some(_), false) => vec![Scope::Project],
        (None, _) => vec![Scope::Project, Scope::User],
    };
    for scope in scopes {
        let Ok(dir) = scope_dir(scope, project, home) else {
            continue;
        };
        let mut file = match load(dir) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("agentops allow remove: {e}");
                return ExitCode::FAILURE;
            }
        };
        let at = match by_number {
            Some(n) => n.checked_sub(1).filter(|i| *i < file.exceptions.len()),
            None => file.exceptions.iter().position(|e| e.id == which),
        };
        let Some(at) = at else { continue };
        let gone = file.exceptions.remove(at);
        return match save(dir, &file) {
            Ok(_) => {
                println!(
                    "removed {} exception {} ({}) for {}: {}",
                    scope.as_str(),
                    at + 1,
                    gone.id,
                    gone.rule,
                    gone.target()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("agentops allow remove: {e}");
                ExitCode::FAILURE
            }
        };
    }
    usage_error(
        "allow remove",
        format!("no exception `{which}` (`agentops allow list` shows numbers and ids)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_ages_and_dates() {
        assert_eq!(parse_expiry("30m", 1000), Ok(1000 + 1800));
        assert_eq!(parse_expiry("12h", 0), Ok(43_200));
        assert_eq!(parse_expiry("7d", 0), Ok(604_800));
        assert_eq!(parse_expiry("2026-12-31", 0), Ok(1_798_675_200));
        assert!(parse_expiry("2001-01-01", 1_798_675_200).is_err());
        assert!(parse_expiry("0d", 5).is_err());
        assert!(parse_expiry("soon", 5).is_err());
    }

    #[test]
    fn refusals_by_rule_and_scope() {
        assert!(refusal("CMD016", Scope::Project).is_none());
        assert!(refusal("NOPE999", Scope::Project).is_some_and(|r| r.contains("no rule")));
        assert!(refusal("CMD001", Scope::User).is_some_and(|r| r.contains("hard rule")));
        assert!(refusal("EXF012", Scope::Project).is_some_and(|r| r.contains("--user")));
        assert!(refusal("EXF012", Scope::User).is_none());
        assert!(refusal("STAR001", Scope::User).is_some());
        // A custom rule id that no rule file defines is refused like any unknown id.
        assert!(refusal("XTEAM1", Scope::Project).is_some_and(|r| r.contains("no rule")));
    }
}
