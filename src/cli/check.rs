//! `agentops check [--json] [--explain] [--project DIR] -- <command>`: the verdict for a
//! shell command as the PreToolUse Bash hook would give it, with every rule
//! that fired; `--explain` adds the effects the command knowledge base
//! derives and what the permission autopilot would answer.

use std::path::PathBuf;
use std::process::ExitCode;

use agentops_core::HookEvent;
use agentops_engine::{run_hook, Environment, Selection};
use agentops_policies::security::autopilot::{self, Explained, Judgement};
use serde_json::json;

use super::output::{paint, Style};

#[derive(clap::Args)]
pub struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also show what the command does: each simple command's effects from
    /// the command knowledge base, and what the permission autopilot would
    /// answer.
    #[arg(long)]
    pub explain: bool,
    /// Judge the command as in this project (its flags; default:
    /// $CLAUDE_PROJECT_DIR, else the current directory).
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// The command: one quoted argument (`check 'ls -la'`), or words after
    /// `--` (`check -- ls -la`). Options of `check` itself come first; a
    /// misspelt one is an error, never part of the command.
    #[arg(required = true, num_args = 1.., value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// The knowledge base's view of `command` and the autopilot's answer.
fn explain(env: &Environment, command: &str) -> (Vec<Explained>, Judgement) {
    let (ctx, _) = env.context(None);
    let analysis = agentops_shell::analyse(command);
    (
        autopilot::explain(&analysis, &ctx),
        autopilot::judge(&analysis, &ctx),
    )
}

fn autopilot_text(j: &Judgement) -> String {
    match j {
        Judgement::Allow(effects) => format!(
            "allow (every effect known and inside the project: {})",
            effects.join(", ")
        ),
        Judgement::Unknown(commands) => {
            format!("ask (not in the knowledge base: {})", commands.join("; "))
        }
        Judgement::Table(why) => {
            format!("no answer; the verdict table decides ({})", why.join("; "))
        }
    }
}

fn autopilot_json(j: &Judgement) -> serde_json::Value {
    match j {
        Judgement::Allow(effects) => json!({"answer": "allow", "effects": effects}),
        Judgement::Unknown(commands) => json!({"answer": "ask", "unknown": commands}),
        Judgement::Table(why) => json!({"answer": "table", "because": why}),
    }
}

pub fn run(args: &Args) -> ExitCode {
    let command = args.command.join(" ");
    let project = match super::project_dir("check", &args.project) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let env = Environment {
        dry_run: true,
        project_dir: Some(project),
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
    let explained = args.explain.then(|| explain(&env, &command));
    if args.json {
        let findings: Vec<_> = run
            .answer
            .verdicts
            .iter()
            .map(|v| {
                let mut f = json!({"id": v.finding.rule.id, "policy": v.policy,
                       "severity": v.finding.rule.severity.as_str(),
                       "reason": v.finding.rule.reason,
                       "subject": v.finding.subject,
                       "decision": v.decision.map(|d| d.as_str())});
                if let Some(alt) = v.finding.alternative() {
                    f["instead"] = json!(alt);
                }
                f
            })
            .collect();
        let mut out = json!({"command": command, "decision": decision, "findings": findings});
        if let Some((commands, autopilot)) = &explained {
            out["effects"] = json!(commands
                .iter()
                .map(|c| json!({
                    "command": c.command,
                    "known": c.known,
                    "effects": c.effects.iter().map(|(effect, target, place, entry)| json!({
                        "effect": effect, "target": target, "place": place, "entry": entry,
                    })).collect::<Vec<_>>(),
                }))
                .collect::<Vec<_>>());
            out["autopilot"] = autopilot_json(autopilot);
        }
        println!("{out}");
    } else {
        println!("{}: {command}", paint(decision, Style::of_result(decision)));
        for v in &run.answer.verdicts {
            let r = v.finding.rule;
            println!(
                "  {} [{}] {}: {}",
                paint(r.id, Some(Style::Bold)),
                paint(r.severity.as_str(), Style::of_result(r.severity.as_str())),
                v.policy,
                r.reason
            );
            if let Some(subject) = &v.finding.subject {
                println!("      at: {subject}");
            }
            if let Some(alt) = v
                .decision
                .filter(|d| *d >= agentops_core::Decision::Ask)
                .and(v.finding.alternative())
            {
                println!("      instead: {alt}");
            }
        }
        if let Some((commands, autopilot)) = &explained {
            println!("effects:");
            for c in commands {
                let known = if c.known {
                    ""
                } else {
                    "  (not in the knowledge base)"
                };
                println!("  {}{known}", c.command);
                for (effect, target, place, entry) in &c.effects {
                    let at = match (target, place) {
                        (Some(t), Some(p)) => format!(" {t} ({p})"),
                        _ => String::new(),
                    };
                    println!("    {effect}{at}  [{entry}]");
                }
            }
            println!("autopilot: {}", autopilot_text(autopilot));
        }
    }
    // Scriptable: 0 allow, 1 ask, 2 deny.
    ExitCode::from(match decision {
        "deny" => 2,
        "ask" => 1,
        _ => 0,
    })
}
