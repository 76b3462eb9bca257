//! `agentops why <id>`: the full audit record of one decision (the id every
//! deny and ask ends with), and `agentops allow-once <id>`: let exactly
//! that call through once within five minutes. Both read the project's
//! audit log; allow-once writes a grant into `~/.agentops/allow-once/`,
//! which only the user writes (the agent's tools are refused there).

use std::path::Path;
use std::process::ExitCode;

use agentops_engine::overrides;
use agentops_records::clock::iso_from_secs;
use serde_json::{json, Value};

use super::{now_secs, usage_error};

#[derive(clap::Args)]
pub struct WhyArgs {
    /// The decision id from the denial or question (8 characters).
    pub id: String,
    /// Print JSON: the record and the records that used an allow-once of it.
    #[arg(long)]
    pub json: bool,
    /// Project directory (default: $CLAUDE_PROJECT_DIR, else the current directory).
    #[arg(long)]
    pub project: Option<std::path::PathBuf>,
}

#[derive(clap::Args)]
pub struct AllowOnceArgs {
    /// The decision id from the denial (8 characters).
    pub id: String,
    /// Project directory (default: $CLAUDE_PROJECT_DIR, else the current directory).
    #[arg(long)]
    pub project: Option<std::path::PathBuf>,
}

/// The record with this decision id, and the records whose call an
/// allow-once of it let through.
fn find(project: &Path, id: &str) -> Result<(Option<Value>, Vec<Value>), String> {
    let log = super::audit::read_log(project)?;
    let mut found = None;
    let mut used = Vec::new();
    for (_, record) in agentops_records::query::records(&log) {
        if record["decision_id"].as_str() == Some(id) {
            found = Some(record);
        } else if record["allowed_once_by"].as_str() == Some(id) {
            used.push(record);
        }
    }
    Ok((found, used))
}

fn located(
    command: &str,
    project: &Option<std::path::PathBuf>,
    id: &str,
) -> Result<(Value, Vec<Value>), ExitCode> {
    if !overrides::is_decision_id(id) {
        return Err(usage_error(
            command,
            format!("`{id}` is not a decision id (8 characters: a-z and 2-7)"),
        ));
    }
    let project = super::project_dir(command, project)?;
    match find(&project, id) {
        Ok((Some(record), used)) => Ok((record, used)),
        Ok((None, _)) => {
            eprintln!(
                "agentops {command}: no decision {id} in {}/.agentops/audit.jsonl",
                project.display()
            );
            Err(ExitCode::FAILURE)
        }
        Err(e) => {
            eprintln!("agentops {command}: {e}");
            Err(ExitCode::FAILURE)
        }
    }
}

pub fn why(args: &WhyArgs) -> ExitCode {
    let (record, used) = match located("why", &args.project, &args.id) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let effects = command_effects(&record, &args.project);
    if args.json {
        println!(
            "{}",
            json!({"record": record, "allowed_once": used, "effects": effects})
        );
        return ExitCode::SUCCESS;
    }
    print!("{}", explain(&args.id, &record, &used));
    if !effects.is_empty() {
        println!("  effects (knowledge base, of the command as recorded)");
        for c in &effects {
            println!("    {}", c["command"].as_str().unwrap_or(""));
            for e in c["effects"].as_array().into_iter().flatten() {
                println!("      {}", e.as_str().unwrap_or(""));
            }
        }
    }
    ExitCode::SUCCESS
}

/// What each simple command of a recorded Bash call does, by the command
/// knowledge base: worked out again from the input as stored (redacted),
/// so the hook spends nothing on it.
fn command_effects(record: &Value, project: &Option<std::path::PathBuf>) -> Vec<Value> {
    let command = record["input"]
        .as_str()
        .and_then(|i| serde_json::from_str::<Value>(i).ok())
        .and_then(|i| i["command"].as_str().map(str::to_string));
    let Some(command) = command.filter(|_| record["tool"] == "Bash") else {
        return Vec::new();
    };
    let env = agentops_engine::Environment {
        project_dir: project.clone(),
        ..agentops_engine::Environment::from_process()
    };
    let (ctx, _) = env.context(None);
    let analysis = agentops_shell::analyse(&command);
    agentops_policies::security::autopilot::explain(&analysis, &ctx)
        .into_iter()
        .map(|c| {
            let effects: Vec<String> = c
                .effects
                .iter()
                .map(|(effect, target, place, entry)| match (target, place) {
                    (Some(t), Some(p)) => format!("{effect} {t} ({p})  [{entry}]"),
                    _ => format!("{effect}  [{entry}]"),
                })
                .collect();
            json!({"command": c.command, "known": c.known, "effects": effects})
        })
        .collect()
}

/// The record as text, one fact a line.
pub fn explain(id: &str, r: &Value, used: &[Value]) -> String {
    let s = |k: &str| r[k].as_str().unwrap_or("-").to_string();
    let mut out = format!("decision {id}\n");
    out += &format!("  time      {}\n", s("ts"));
    out += &format!("  event     {}\n", s("event"));
    out += &format!("  session   {}\n", s("session"));
    out += &format!("  tool      {}\n", s("tool"));
    out += &format!("  input     {}\n", s("input"));
    let hard = if r["hard"].as_bool() == Some(true) {
        " (hard: no mode, exception or allow-once relaxes it)"
    } else {
        ""
    };
    out += &format!(
        "  decision  {}{hard}  (mode {}, enforcement {})\n",
        s("decision"),
        s("mode"),
        s("enforcement")
    );
    out += "  rules\n";
    for f in r["findings"].as_array().into_iter().flatten() {
        let rule_id = f["id"].as_str().unwrap_or("?");
        let reason = super::rules::find(rule_id).map_or("", |rule| rule.reason);
        let decided = f["decision"].as_str().unwrap_or("no decision");
        out += &format!(
            "    [{rule_id}] {decided} ({} rule of {}): {reason}",
            f["severity"].as_str().unwrap_or("-"),
            f["policy"].as_str().unwrap_or("-"),
        );
        if let Some(subject) = f["subject"].as_str() {
            out += &format!("\n      subject: {subject}");
        }
        out += "\n";
    }
    let checks = r["exceptions"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    if checks.is_empty() {
        out += "  exceptions  none matched\n";
    } else {
        out += "  exceptions\n";
        for c in checks {
            out += &format!(
                "    [{}] {} exception {} ({}): {} ({})\n",
                c["rule"].as_str().unwrap_or("?"),
                c["scope"].as_str().unwrap_or("?"),
                c["index"],
                c["id"].as_str().unwrap_or("?"),
                c["status"].as_str().unwrap_or("?"),
                c["reason"].as_str().unwrap_or(""),
            );
        }
    }
    if let Some(by) = r["allowed_once_by"].as_str() {
        out += &format!("  allowed once by decision {by} (`agentops why {by}`)\n");
    }
    for u in used {
        out += &format!(
            "  allow-once used at {} ({} {})\n",
            u["ts"].as_str().unwrap_or("-"),
            u["event"].as_str().unwrap_or("-"),
            u["decision"].as_str().unwrap_or("-"),
        );
    }
    out
}

pub fn allow_once(args: &AllowOnceArgs) -> ExitCode {
    let (record, _) = match located("allow-once", &args.project, &args.id) {
        Ok(found) => found,
        Err(code) => return code,
    };
    // An ask counts too: agents that cannot ask (Codex, Gemini, Copilot,
    // Cursor) turned it into a denial.
    if !matches!(record["decision"].as_str(), Some("deny" | "ask")) {
        return usage_error(
            "allow-once",
            format!(
                "decision {} was `{}`: only denials and asks can be allowed once",
                args.id,
                record["decision"].as_str().unwrap_or("-")
            ),
        );
    }
    if record["hard"].as_bool() == Some(true) {
        return usage_error(
            "allow-once",
            format!("decision {} is a hard deny: nothing relaxes it", args.id),
        );
    }
    let Some(hash) = record["input_hash"].as_str() else {
        return usage_error(
            "allow-once",
            format!("decision {} names no call to allow", args.id),
        );
    };
    let rules: Vec<String> = record["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| !f["decision"].is_null())
        .filter_map(|f| f["id"].as_str().map(str::to_string))
        .collect();
    let Some(home) = agentops_engine::Environment::from_process().home else {
        eprintln!("agentops allow-once: HOME is not set: no place for the grant");
        return ExitCode::FAILURE;
    };
    let dir = overrides::grants_dir(&home);
    let now = now_secs();
    prune_expired_grants(&dir, now);
    let grant = overrides::grant_json(&args.id, hash, &rules, now);
    let path = dir.join(format!("{hash}.json"));
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| agentops_state::replace_atomically(&path, grant.to_string().as_bytes()));
    if let Err(e) = written {
        eprintln!("agentops allow-once: cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    println!(
        "the next identical {} call in this project passes {} once, until {}",
        record["tool"].as_str().unwrap_or("tool"),
        rules.join(", "),
        iso_from_secs(now + overrides::GRANT_SECONDS)
    );
    ExitCode::SUCCESS
}

/// Remove grants that can no longer be used, so the directory does not
/// grow with every allow-once never claimed. Best effort.
fn prune_expired_grants(dir: &Path, now: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let expired = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|g| g["expires_at"].as_u64())
            .is_some_and(|at| at <= now);
        if expired {
            let _ = std::fs::remove_file(&path);
        }
    }
}
