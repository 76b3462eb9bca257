//! `agentops replay <file.jsonl> [--project DIR] [--json]`.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::process::ExitCode;

use agentops_engine::replay::replay;
use agentops_engine::Environment;
use serde_json::json;

use super::output::{Style, Table};

#[derive(clap::Args)]
pub struct Args {
    /// A recorded session: one Claude Code hook payload per line.
    pub file: PathBuf,
    /// Project directory to replay against (default: a fresh temporary one).
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// Print one JSON object per event instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &Args) -> ExitCode {
    let file = match File::open(&args.file) {
        Ok(f) => f,
        Err(e) => {
            return super::usage_error(
                "replay",
                format!("cannot open {}: {e}", args.file.display()),
            );
        }
    };
    let temp;
    let project = match &args.project {
        Some(p) if !p.is_dir() => {
            return super::usage_error(
                "replay",
                format!("project directory {} does not exist", p.display()),
            )
        }
        Some(p) => p.clone(),
        None => match tempfile::Builder::new()
            .prefix("agentops-replay-")
            .tempdir()
        {
            Ok(t) => {
                temp = t;
                temp.path().to_path_buf()
            }
            Err(e) => {
                eprintln!("agentops replay: cannot create a temporary project: {e}");
                return ExitCode::from(1);
            }
        },
    };
    let base = Environment {
        project_dir: None,
        ..Environment::from_process()
    };
    let steps = match replay(BufReader::new(file), &project, &base) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "agentops replay: {}:{}: {}",
                args.file.display(),
                e.line,
                e.message
            );
            // Not a usage error and not a verdict: the file cannot be replayed.
            return ExitCode::from(1);
        }
    };
    if args.json {
        for (step, _) in &steps {
            println!(
                "{}",
                json!({"line": step.line, "event": step.event, "tool": step.tool,
                       "result": step.outcome, "rules": step.rule_ids, "reason": step.reason})
            );
        }
        return ExitCode::SUCCESS;
    }
    let mut table = Table::new(&["LINE", "EVENT", "TOOL", "RESULT", "RULES", "REASON"]).right(0);
    for (step, _) in &steps {
        let reason: String = step
            .reason
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(110)
            .collect();
        let rules = if step.rule_ids.is_empty() {
            "-".to_string()
        } else {
            step.rule_ids.join(",")
        };
        table.styled_row(vec![
            (step.line.to_string(), None),
            (step.event.to_string(), None),
            (step.tool.as_deref().unwrap_or("-").to_string(), None),
            (step.outcome.to_string(), Style::of_result(step.outcome)),
            (rules, None),
            (reason, None),
        ]);
    }
    table.print();
    ExitCode::SUCCESS
}
