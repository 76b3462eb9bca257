//! `agentops evolve status [--json]`: the failure backlog the evolve loop
//! works through (recorded and unprocessed failures, whether evolve ran
//! this session, when evolve-gate next speaks).

use std::path::PathBuf;
use std::process::ExitCode;

use agentops_engine::Environment;
use agentops_policies::workflow::auto_evolve::STOP_THRESHOLD;
use agentops_policies::workflow::evolve_gate::next_nudge_at;
use agentops_workflow::evolve::Backlog;
use serde_json::json;

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
    /// Recorded and unprocessed failures.
    Status,
}

pub fn run(args: &Args) -> ExitCode {
    let Sub::Status = args.command;
    let project = match super::project_dir("evolve", &args.project) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let env = Environment {
        project_dir: Some(project),
        ..Environment::from_process()
    };
    let (ctx, _) = env.context(None);
    let backlog = Backlog::read(&ctx);
    let next_nudge = next_nudge_at(backlog.unprocessed, backlog.last_nudge);
    let evolve_due = !backlog.evolve_ran && backlog.unprocessed >= STOP_THRESHOLD;
    if args.json {
        println!(
            "{}",
            json!({
                "recorded": backlog.recorded,
                "unprocessed": backlog.unprocessed,
                "evolve_ran": backlog.evolve_ran,
                "last_nudge_at": backlog.last_nudge,
                "next_nudge_at": next_nudge,
                "evolve_due": evolve_due,
            })
        );
    } else {
        println!("failures recorded:    {}", backlog.recorded);
        println!("unprocessed:          {}", backlog.unprocessed);
        println!(
            "evolve ran (session): {}",
            if backlog.evolve_ran { "yes" } else { "no" }
        );
        println!("next evolve nudge at: {next_nudge} unprocessed");
        if evolve_due {
            println!("run /agentops:evolve to process the backlog");
        }
    }
    ExitCode::SUCCESS
}
