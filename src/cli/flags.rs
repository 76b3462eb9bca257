//! `agentops flags [list|get|set]`: read and change `.agentops/flags.json`
//! against the flag catalogue. `set` refuses unknown names and values a
//! flag does not accept, and rewrites the file under its lock.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use agentops_core::catalogue::{self, FlagSpec, FlagType, CATALOGUE};
use agentops_core::Flags;
use agentops_engine::Environment;
use agentops_state::StateDir;
use serde_json::{json, Map, Value};

pub const FLAGS_FILE: &str = "flags.json";
const MAX_FLAGS_BYTES: u64 = 1 << 20;

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
    /// Set a flag (switches take true/false/on/off; modes take one of their values).
    Set { name: String, value: String },
}

pub fn project(explicit: &Option<PathBuf>) -> PathBuf {
    explicit
        .clone()
        .unwrap_or_else(|| Environment::from_process().project_dir(None))
}

/// The flags file as parsed, or why it cannot be used.
pub fn load(project: &Path) -> Result<Flags, String> {
    match StateDir::new(project).read(FLAGS_FILE, MAX_FLAGS_BYTES) {
        Ok(Some(bytes)) => {
            let flags = Flags::parse(&bytes);
            match flags.problem {
                Some(p) => Err(p.to_string()),
                None => Ok(flags),
            }
        }
        Ok(None) => Ok(Flags::default()),
        Err(e) => Err(format!("cannot read .agentops/flags.json: {e}")),
    }
}

/// One change made to flags.json.
pub struct Change {
    pub name: &'static str,
    pub before: Option<Value>,
    pub after: Value,
}

/// Merge `settings` into flags.json under its lock and atomically; keys
/// not named keep their values. Refuses to overwrite a file that is not a
/// JSON object.
pub fn write_settings(
    project: &Path,
    settings: &[(&'static str, Value)],
) -> Result<Vec<Change>, String> {
    let state = StateDir::new(project);
    let outcome = state.update(FLAGS_FILE, MAX_FLAGS_BYTES, |current| {
        let mut map = match current {
            None => Map::new(),
            Some(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => Map::new(),
            Some(bytes) => match serde_json::from_slice::<Value>(bytes) {
                Ok(Value::Object(map)) => map,
                _ => {
                    return (
                        None,
                        Err(
                            ".agentops/flags.json is not a JSON object; fix or remove it first"
                                .to_string(),
                        ),
                    )
                }
            },
        };
        let mut changes = Vec::new();
        for (name, value) in settings {
            let before = map.insert((*name).to_string(), value.clone());
            if before.as_ref() != Some(value) {
                changes.push(Change {
                    name,
                    before,
                    after: value.clone(),
                });
            }
        }
        let mut text = serde_json::to_string_pretty(&Value::Object(map)).unwrap_or_default();
        text.push('\n');
        (Some(text.into_bytes()), Ok(changes))
    });
    outcome.map_err(|e| format!("cannot write .agentops/flags.json: {e}"))?
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
    println!(
        "{:<32} {:<13} {:<10} {:<8} DESCRIPTION",
        "FLAG", "GROUP", "VALUE", "SOURCE"
    );
    for spec in CATALOGUE {
        println!(
            "{:<32} {:<13} {:<10} {:<8} {}",
            spec.name,
            spec.group.as_str(),
            spec.effective(flags),
            source(spec, flags),
            spec.description
        );
    }
    for name in unknown {
        println!(
            "{name:<32} {:<13} {:<10} {:<8} not a known flag; ignored",
            "?", "?", "file"
        );
    }
    ExitCode::SUCCESS
}

fn unknown_flag(name: &str) -> ExitCode {
    let err = catalogue::FlagError::Unknown {
        name: name.to_string(),
        suggestion: catalogue::suggest(name),
    };
    eprintln!("agentops flags: {err}");
    ExitCode::from(2)
}

pub fn run(args: &Args) -> ExitCode {
    let project = project(&args.project);
    let command = args.command.as_ref().unwrap_or(&Sub::List);
    if let Sub::Set { name, value } = command {
        let (spec, value) = match catalogue::parse_setting(name, value) {
            Ok(setting) => setting,
            Err(e) => {
                eprintln!("agentops flags: {e}");
                return ExitCode::from(2);
            }
        };
        return match write_settings(&project, &[(spec.name, value.clone())]) {
            Ok(changes) => {
                if args.json {
                    println!(
                        "{}",
                        json!({"name": spec.name, "value": value, "changed": !changes.is_empty()})
                    );
                } else if changes.is_empty() {
                    println!("{} is already {value}", spec.name);
                } else {
                    println!("{} = {value}", spec.name);
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("agentops flags: {e}");
                ExitCode::from(1)
            }
        };
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
