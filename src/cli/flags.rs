//! `agentops flags [list|get|set]`: read and change `.agentops/flags.json`
//! against the flag catalogue. `set` refuses unknown names and values a
//! flag does not accept, and rewrites the file under its lock.

use std::path::PathBuf;
use std::process::ExitCode;

use agentops_core::catalogue::{self, FlagSpec, FlagType, CATALOGUE};
use agentops_core::Flags;
use agentops_engine::Environment;
use serde_json::{json, Value};

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
    /// Set a flag (switches take true/false/on/off; modes take one of their values).
    Set { name: String, value: String },
}

pub fn project(explicit: &Option<PathBuf>) -> PathBuf {
    explicit
        .clone()
        .unwrap_or_else(|| Environment::from_process().project_dir(None))
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
