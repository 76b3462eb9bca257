//! `agentops todo prune`: drop the completed items of `tasks/todo.md`, or
//! archive it to `tasks/archive/` when every item is done. The same
//! pruning todo-prune performs at session start.

use std::path::PathBuf;
use std::process::ExitCode;

use agentops_core::Effect;
use agentops_policies::workflow::todo_prune::plan_prune;
use agentops_workflow::session::{self, TODO_FILE};
use agentops_workflow::todo::{item, Item, Pruned};
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
    /// Remove done items; archive the plan when all are done.
    Prune {
        /// Show what would change without writing.
        #[arg(long)]
        dry_run: bool,
    },
}

pub fn run(args: &Args) -> ExitCode {
    let Sub::Prune { dry_run } = args.command;
    let project = match super::project_dir("todo", &args.project) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let path = project.join(TODO_FILE);
    let text = super::host_text(&path, session::DOC_READ_LIMIT).unwrap_or_default();
    let (pruned, effects) = plan_prune(&project, &text, super::now_secs());
    let done: Vec<&str> = text
        .lines()
        .filter(|l| item(l) == Some(Item::Done))
        .map(str::trim)
        .collect();
    if !dry_run {
        let ctx = agentops_core::Context {
            project_dir: project.clone(),
            ..agentops_core::Context::default()
        };
        let failures = agentops_engine::perform_effects(&effects, &ctx);
        if !failures.is_empty() {
            eprintln!("agentops todo: {}", failures.join("; "));
            return ExitCode::from(1);
        }
    }
    let archived = effects.iter().find_map(|e| match e {
        Effect::MoveFile { to, .. } => Some(
            to.strip_prefix(&project)
                .unwrap_or(to)
                .display()
                .to_string(),
        ),
        _ => None,
    });
    if args.json {
        let (result, open) = match &pruned {
            Pruned::Unchanged { open } => ("unchanged", *open),
            Pruned::Rewritten { open, .. } => ("pruned", *open),
            Pruned::Completed { .. } => ("archived", 0),
        };
        println!(
            "{}",
            json!({"result": result, "removed": done, "open": open, "archived_to": archived, "dry_run": dry_run})
        );
        return ExitCode::SUCCESS;
    }
    let verb = if dry_run { "would be" } else { "were" };
    match pruned {
        Pruned::Unchanged { .. } if text.trim().is_empty() => println!("nothing to prune: {TODO_FILE} is missing or empty"),
        Pruned::Unchanged { open } => println!("nothing to prune: no completed items ({open} open)"),
        Pruned::Rewritten { open, removed, .. } => {
            println!("{removed} completed item(s) {verb} removed; {open} open item(s) remain in {TODO_FILE}");
            for line in &done {
                println!("  {line}");
            }
        }
        Pruned::Completed { done: count } => println!(
            "all {count} item(s) are done: {TODO_FILE} {verb} archived to {}; new work needs a fresh plan",
            archived.unwrap_or_default()
        ),
    }
    ExitCode::SUCCESS
}
