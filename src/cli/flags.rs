//! `agentops flags [list|get|set]`: read and change `.agentops/flags.json`
//! against the flag catalogue. `set` refuses unknown names and values a
//! flag does not accept, and rewrites the file under its lock. Switching a
//! security flag off needs `--yes`; every change `set` makes is recorded
//! in the audit log.

use std::path::PathBuf;
use std::process::ExitCode;

use agentops_core::catalogue::{self, FlagSpec, FlagType, CATALOGUE};
use agentops_core::{FlagKind, Flags};
use agentops_records::audit::AUDIT_LOG;
use agentops_records::clock::Instant;
use serde_json::{json, Value};

use super::output::{paint, Style, Table};

pub use agentops_engine::flags_file::{load, write_settings, Change};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Sub>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Project directory (default: $CLAUDE_PROJECT_DIR, else the current directory).
    #[arg(long, global = true)]
    pub project: Option<PathBuf>,
}

#[derive(clap::Subcommand)]
pub enum Sub {
    /// Every flag with its value, default and meaning (the default).
    List,
    /// One flag's value in effect.
    Get { name: String },
    /// Set a flag (switches take true/false/on/off; modes take one of their
    /// values). Switching a security flag off asks for `--yes`.
    Set {
        name: String,
        value: String,
        /// Confirm switching a security flag off (the guard stops
        /// checking until it is switched back on).
        #[arg(long)]
        yes: bool,
    },
}

fn source(spec: &FlagSpec, flags: &Flags) -> &'static str {
    if flags.get(spec.name).is_some() {
        "set"
    } else {
        "default"
    }
}

fn type_name(spec: &FlagSpec) -> String {
    match spec.ty {
        FlagType::Switch(_) => "switch".into(),
        FlagType::Choice(values) => values.join("|"),
        FlagType::List => "list".into(),
    }
}

fn describe(spec: &FlagSpec, flags: &Flags) -> Value {
    json!({
        "name": spec.name,
        "group": spec.group.as_str(),
        "type": type_name(spec),
        "value": spec.effective(flags),
        "source": source(spec, flags),
        "default": spec.default,
        "description": spec.description,
    })
}

fn list(flags: &Flags, as_json: bool) -> ExitCode {
    let unknown: Vec<&str> = flags
        .iter()
        .map(|(k, _)| k)
        .filter(|k| catalogue::lookup(k).is_none())
        .collect();
    if as_json {
        let rows: Vec<Value> = CATALOGUE.iter().map(|s| describe(s, flags)).collect();
        println!("{}", json!({"flags": rows, "unknown": unknown}));
        return ExitCode::SUCCESS;
    }
    let mut table = Table::new(&["FLAG", "GROUP", "VALUE", "SOURCE", "DESCRIPTION"]);
    for spec in CATALOGUE {
        let value = spec.effective(flags);
        // A security guard switched off stands out.
        let style = match (spec.ty, value.as_str()) {
            (FlagType::Switch(FlagKind::Security), "false") => Some(Style::Red),
            _ => None,
        };
        table.styled_row(vec![
            (spec.name.to_string(), None),
            (spec.group.as_str().to_string(), None),
            (value, style),
            (source(spec, flags).to_string(), None),
            (spec.description.to_string(), None),
        ]);
    }
    for name in unknown {
        table.row([name, "?", "?", "file", "not a known flag; ignored"]);
    }
    table.print();
    ExitCode::SUCCESS
}

/// Whether setting `spec` to `value` switches a guard off: a security
/// switch (on unless `false`) set to false.
fn disables_a_guard(spec: &FlagSpec, value: &Value) -> bool {
    spec.ty == FlagType::Switch(FlagKind::Security) && value == &Value::Bool(false)
}

/// Who ran the command, for the audit record.
fn user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}

/// Append one audit record per flag change (hash-chained like every other
/// record), so a guard switched off from the command line leaves a trace
/// `agentops audit query --event FlagChange` shows. Recorded even when the
/// change switches the audit log itself off: it is the last thing worth
/// keeping.
pub fn record_changes(
    project: &std::path::Path,
    changes: &[Change],
    via: &str,
) -> Result<(), String> {
    let state = agentops_state::StateDir::new(project);
    let who = user();
    for c in changes {
        let before = c
            .before
            .as_ref()
            .map_or_else(|| "(default)".to_string(), ToString::to_string);
        let record = json!({
            "ts": Instant::now().iso(),
            "event": "FlagChange",
            "session": "cli",
            "source": via,
            "user": who,
            "flag": c.name,
            "before": c.before,
            "after": c.after,
            "rules": [],
            "reason": format!("{} {before} -> {} by {who} ({via})", c.name, c.after),
        });
        state.append_chained(AUDIT_LOG, &record).map_err(|e| {
            format!("the change was made but not recorded in .agentops/{AUDIT_LOG}: {e}")
        })?;
    }
    Ok(())
}

fn set(project: &std::path::Path, name: &str, value: &str, yes: bool, as_json: bool) -> ExitCode {
    let (spec, value) = match catalogue::parse_setting(name, value) {
        Ok(setting) => setting,
        Err(e) => return super::usage_error("flags", e),
    };
    if disables_a_guard(spec, &value) && !yes {
        eprintln!(
            "{} {} is a security guard: switching it off stops it checking anything ({}).",
            paint("agentops flags: refusing:", Some(Style::Red)),
            spec.name,
            spec.description
        );
        eprintln!(
            "Run `agentops flags set {} false --yes` to switch it off anyway; the change is recorded in the audit log.",
            spec.name
        );
        return ExitCode::from(1);
    }
    let changes = match write_settings(project, &[(spec.name, value.clone())]) {
        Ok(changes) => changes,
        Err(e) => {
            eprintln!("agentops flags: {e}");
            return ExitCode::from(1);
        }
    };
    let recorded = record_changes(project, &changes, "agentops flags set");
    if as_json {
        println!(
            "{}",
            json!({"name": spec.name, "value": value, "changed": !changes.is_empty()})
        );
    } else if changes.is_empty() {
        println!("{} is already {value}", spec.name);
    } else {
        println!("{} = {value}", spec.name);
        if disables_a_guard(spec, &value) {
            eprintln!(
                "agentops flags: warning: {} is off; switch it back on with `agentops flags set {} true`",
                spec.name, spec.name
            );
        }
    }
    match recorded {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("agentops flags: {e}");
            ExitCode::from(1)
        }
    }
}

fn unknown_flag(name: &str) -> ExitCode {
    let err = catalogue::FlagError::Unknown {
        name: name.to_string(),
        suggestion: catalogue::suggest(name),
    };
    super::usage_error("flags", err)
}

pub fn run(args: &Args) -> ExitCode {
    let project = match super::project_dir("flags", &args.project) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let command = args.command.as_ref().unwrap_or(&Sub::List);
    if let Sub::Set { name, value, yes } = command {
        return set(&project, name, value, *yes, args.json);
    }
    let flags = match load(&project) {
        Ok(flags) => flags,
        Err(e) => {
            eprintln!("agentops flags: {e}; showing defaults");
            Flags::default()
        }
    };
    match command {
        Sub::Get { name } => match catalogue::lookup(name) {
            Some(spec) if args.json => {
                println!("{}", describe(spec, &flags));
                ExitCode::SUCCESS
            }
            Some(spec) => {
                println!("{}", spec.effective(&flags));
                ExitCode::SUCCESS
            }
            None => unknown_flag(name),
        },
        _ => list(&flags, args.json),
    }
}
