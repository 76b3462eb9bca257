//! `agentops check [--json] -- <command>`: the verdict for a shell command
//! as the PreToolUse Bash hook would give it, with every rule that fired.

use std::process::ExitCode;

use agentops_core::HookEvent;
use agentops_engine::{run_hook, Environment, Selection};
use serde_json::json;

#[derive(clap::Args)]
pub struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The command, as one argument or as words after `--`.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    pub command: Vec<String>,
}

pub fn run(args: &Args) -> ExitCode {
    let command = args.command.join(" ");
    let env = Environment {
        dry_run: true,
        ..Environment::from_process()
    };
    let cwd = env.project_dir(None);
    let payload = json!({
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command},
        "cwd": cwd,
        "permission_mode": "default",
    });
    let run = run_hook(
        HookEvent::PreToolUse,
        Selection::All,
        Ok(payload.to_string().into_bytes()),
        &env,
    );
    let decision = run.answer.decision.as_str();
    if args.json {
        let findings: Vec<_> = run
            .answer
            .verdicts
            .iter()
            .map(|v| {
                json!({"id": v.finding.rule.id, "policy": v.policy,
                       "severity": v.finding.rule.severity.as_str(),
                       "reason": v.finding.rule.reason,
                       "subject": v.finding.subject,
                       "decision": v.decision.map(|d| d.as_str())})
            })
            .collect();
        println!(
            "{}",
            json!({"command": command, "decision": decision, "findings": findings})
        );
    } else {
        println!("{decision}: {command}");
        for v in &run.answer.verdicts {
            let r = v.finding.rule;
            println!(
                "  {} [{}] {}: {}",
                r.id,
                r.severity.as_str(),
                v.policy,
                r.reason
            );
            if let Some(subject) = &v.finding.subject {
                println!("      at: {subject}");
            }
        }
    }
    // Scriptable: 0 allow, 1 ask, 2 deny.
    ExitCode::from(match decision {
        "deny" => 2,
        "ask" => 1,
        _ => 0,
    })
}
