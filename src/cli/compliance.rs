//! `agentops compliance [--json]`: the gate table compliance-gate checks
//! at stop (plan, verification, test) plus the lessons count. Exit 1 when
//! a gate fails, so scripts can use it.

use std::path::PathBuf;
use std::process::ExitCode;

use agentops_engine::Environment;
use agentops_policies::workflow::compliance_gate::{gates, Snapshot, Status};
use serde_json::json;

use super::flags::project;

#[derive(clap::Args)]
pub struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Project directory (default: $CLAUDE_PROJECT_DIR, else the current directory).
    #[arg(long)]
    pub project: Option<PathBuf>,
}

pub fn run(args: &Args) -> ExitCode {
    let env = Environment {
        project_dir: Some(project(&args.project)),
        ..Environment::from_process()
    };
    let (ctx, notes) = env.context(None);
    for note in notes {
        eprintln!("agentops compliance: {note}");
    }
    let rows = gates(&Snapshot::read(&ctx), &ctx.flags);
    let failed = rows.iter().any(|g| g.status == Status::Fail);
    if args.json {
        println!("{}", json!({"pass": !failed, "gates": rows}));
    } else {
        println!("{:<13} {:<6} DETAILS", "GATE", "STATUS");
        for g in &rows {
            println!("{:<13} {:<6} {}", g.gate, g.status.as_str(), g.detail);
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
