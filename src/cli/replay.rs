//! `agentops replay <file.jsonl> [--project DIR] [--json]`.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::process::ExitCode;

use agentops_engine::replay::replay;
use agentops_engine::Environment;
use serde_json::json;

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
            eprintln!("agentops replay: cannot open {}: {e}", args.file.display());
            return ExitCode::from(2);
        }
    };
    let temp;
    let project = match &args.project {
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
                return ExitCode::from(2);
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
            return ExitCode::from(2);
        }
    };
    if !args.json {
        println!(
            "{:>4}  {:<18} {:<10} {:<6} {:<16} REASON",
            "LINE", "EVENT", "TOOL", "RESULT", "RULES"
        );
    }
    for (step, _) in &steps {
        if args.json {
            println!(
                "{}",
                json!({"line": step.line, "event": step.event, "tool": step.tool,
                       "result": step.outcome, "rules": step.rule_ids, "reason": step.reason})
            );
        } else {
            let reason: String = step
                .reason
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(110)
                .collect();
            println!(
                "{:>4}  {:<18} {:<10} {:<6} {:<16} {}",
                step.line,
                step.event,
                step.tool.as_deref().unwrap_or("-"),
                step.outcome,
                if step.rule_ids.is_empty() {
                    "-".to_string()
                } else {
                    step.rule_ids.join(",")
                },
                reason
            );
        }
    }
    ExitCode::SUCCESS
}
