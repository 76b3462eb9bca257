//! `agentops config preset <minimal|standard|enterprise|autonomous>`:
//! apply a named bundle of flag settings to `.agentops/flags.json`.
//!
//! - minimal: security stays on; every nudge, gate and preamble off;
//! - standard: every flag back to its default;
//! - enterprise: every switch on, advisory enforcement, guided autonomy;
//! - autonomous: as enterprise, with autonomous autonomy.

use std::path::PathBuf;
use std::process::ExitCode;

use agentops_core::catalogue;
use serde_json::json;

use super::flags::write_settings;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
    /// Project directory (default: $CLAUDE_PROJECT_DIR, else the current directory).
    #[arg(long, global = true)]
    pub project: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(clap::Subcommand)]
pub enum Sub {
    /// Apply a preset to .agentops/flags.json.
    Preset {
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(catalogue::PRESETS))]
        name: String,
    },
}

pub fn run(args: &Args) -> ExitCode {
    let Sub::Preset { name } = &args.command;
    let Some(settings) = catalogue::preset(name) else {
        eprintln!(
            "agentops config: unknown preset `{name}` (known: {})",
            catalogue::PRESETS.join(", ")
        );
        return ExitCode::from(super::USAGE);
    };
    let project = match super::project_dir("config", &args.project) {
        Ok(p) => p,
        Err(code) => return code,
    };
    match write_settings(&project, &settings) {
        Ok(changes) => {
            if let Err(e) =
                super::flags::record_changes(&project, &changes, "agentops config preset")
            {
                eprintln!("agentops config: {e}");
            }
            if args.json {
                let changed: Vec<_> = changes
                    .iter()
                    .map(|c| json!({"name": c.name, "before": c.before, "after": c.after}))
                    .collect();
                println!("{}", json!({"preset": name, "changed": changed}));
            } else {
                println!("preset {name}: {} flag(s) changed", changes.len());
                for c in &changes {
                    let before = c
                        .before
                        .as_ref()
                        .map_or("(default)".to_string(), |v| v.to_string());
                    println!("  {:<32} {before} -> {}", c.name, c.after);
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("agentops config: {e}");
            ExitCode::from(1)
        }
    }
}
