//! `agentops rules [--json]`: every rule of every policy.

use std::process::ExitCode;

use agentops_core::Rule;
use serde_json::json;

#[derive(clap::Args)]
pub struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Every rule, engine rules first, then policies in registry order.
pub fn all_rules() -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = agentops_engine::ENGINE_RULES.to_vec();
    for policy in agentops_policies::all() {
        rules.extend(policy.rules.iter().copied());
    }
    rules
}

pub fn run(args: &Args) -> ExitCode {
    let rules = all_rules();
    if args.json {
        let list: Vec<_> = rules
            .iter()
            .map(|r| {
                json!({"id": r.id, "name": r.name, "policy": r.policy,
                       "severity": r.severity.as_str(), "reason": r.reason})
            })
            .collect();
        println!("{}", serde_json::Value::Array(list));
    } else {
        println!("{:<10} {:<5} {:<20} REASON", "ID", "LEVEL", "POLICY");
        for r in rules {
            println!(
                "{:<10} {:<5} {:<20} {}",
                r.id,
                r.severity.as_str(),
                r.policy,
                r.reason
            );
        }
    }
    ExitCode::SUCCESS
}
