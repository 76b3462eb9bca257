//! `agentops lessons [list|add]`: read and capture lessons in
//! `tasks/lessons.md` in the format /agentops:lesson uses.

use std::path::PathBuf;
use std::process::ExitCode;

use agentops_policies::workflow::lessons::{self, Lesson, FILE_HEADER};
use agentops_policies::workflow::session::{self, LESSONS_FILE};
use serde_json::json;

use super::flags::project;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Sub>,
    /// Project directory (default: $CLAUDE_PROJECT_DIR, else the current directory).
    #[arg(long, global = true)]
    pub project: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(clap::Subcommand)]
pub enum Sub {
    /// Every lesson, oldest first (the default).
    List,
    /// Append a lesson.
    Add {
        /// Short title.
        #[arg(long)]
        title: String,
        /// What went wrong, or what the user corrected.
        #[arg(long)]
        trigger: String,
        /// The pattern behind it.
        #[arg(long)]
        pattern: String,
        /// The rule that prevents it.
        #[arg(long)]
        rule: String,
        /// Where the rule matters (file types, tools, contexts).
        #[arg(long)]
        applies_to: String,
        /// Date (default: today, UTC).
        #[arg(long)]
        date: Option<String>,
    },
}

pub fn run(args: &Args) -> ExitCode {
    let path = project(&args.project).join(LESSONS_FILE);
    match args.command.as_ref().unwrap_or(&Sub::List) {
        Sub::List => {
            let text = session::read_text(&path, session::DOC_READ_LIMIT).unwrap_or_default();
            let all = lessons::parse(&text);
            if args.json {
                println!("{}", json!({"count": all.len(), "lessons": all}));
            } else if all.is_empty() {
                println!("no lessons captured yet; add one with `agentops lessons add` or /agentops:lesson");
            } else {
                for l in &all {
                    println!(
                        "{} ({})",
                        l.title,
                        if l.date.is_empty() {
                            "undated"
                        } else {
                            &l.date
                        }
                    );
                    for (label, value) in [
                        ("trigger", &l.trigger),
                        ("pattern", &l.pattern),
                        ("rule", &l.rule),
                        ("applies to", &l.applies_to),
                    ] {
                        if !value.is_empty() {
                            println!("  {label}: {value}");
                        }
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Sub::Add {
            title,
            trigger,
            pattern,
            rule,
            applies_to,
            date,
        } => {
            if title.trim().is_empty() || rule.trim().is_empty() {
                eprintln!("agentops lessons: a lesson needs a title and a rule");
                return ExitCode::from(2);
            }
            let lesson = Lesson {
                title: title.clone(),
                date: date
                    .clone()
                    .unwrap_or_else(|| session::iso_utc(session::now_secs())[..10].to_string()),
                trigger: trigger.clone(),
                pattern: pattern.clone(),
                rule: rule.clone(),
                applies_to: applies_to.clone(),
            };
            // create_new: concurrent adds never write the header twice.
            let written = std::fs::create_dir_all(path.parent().unwrap_or(&path))
                .and_then(|()| agentops_state::create_file(&path, FILE_HEADER.as_bytes()))
                .and_then(|_| agentops_state::append_to_file(&path, &lessons::render(&lesson)));
            match written {
                Ok(()) => {
                    if args.json {
                        println!("{}", json!({"added": lesson, "file": LESSONS_FILE}));
                    } else {
                        println!("lesson added to {LESSONS_FILE}: {}", lesson.title);
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("agentops lessons: cannot write {}: {e}", path.display());
                    ExitCode::from(1)
                }
            }
        }
    }
}
