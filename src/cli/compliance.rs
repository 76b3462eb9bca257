//! `agentops compliance [--json]`: the gate table compliance-gate checks
//! at stop (plan, verification, test) plus the lessons count. Exit 1 when
//! a gate fails, so scripts can use it.

use std::path::PathBuf;
use std::process::ExitCode;

use agentops_engine::Environment;
use agentops_policies::workflow::compliance_gate::{gates, Snapshot, Status};
use serde_json::json;

use super::output::{Style, Table};

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
    let project = match super::project_dir("compliance", &args.project) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let env = Environment {
        project_dir: Some(project),
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
        let mut table = Table::new(&["GATE", "STATUS", "DETAILS"]);
        for g in &rows {
            let status = g.status.as_str();
            table.styled_row(vec![
                (g.gate.to_string(), None),
                (status.to_string(), Style::of_result(status)),
                (g.detail.to_string(), None),
            ]);
        }
        table.print();
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
