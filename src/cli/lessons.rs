//! `agentops lessons [list|add]`: read and capture lessons in
//! `tasks/lessons.md` in the format /agentops:lesson uses.

use std::path::PathBuf;
use std::process::ExitCode;

use agentops_workflow::lessons::{self, FILE_HEADER};
use agentops_workflow::session::{self, LESSONS_FILE};
use serde_json::json;

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
    /// Append a lesson: one line of text (`Title. Trigger: ... Pattern: ...
    /// Rule: ... Applies to: ...`), or the fields as options.
    Add {
        /// The lesson as one line; labelled parts fill their fields, and
        /// without a `Rule:` part the text itself is the rule.
        text: Option<String>,
        /// Short title.
        #[arg(long)]
        title: Option<String>,
        /// What went wrong, or what the user corrected.
        #[arg(long)]
        trigger: Option<String>,
        /// The pattern behind it.
        #[arg(long)]
        pattern: Option<String>,
        /// The rule that prevents it.
        #[arg(long)]
        rule: Option<String>,
        /// Where the rule matters (file types, tools, contexts).
        #[arg(long)]
        applies_to: Option<String>,
        /// Date (default: today, UTC).
        #[arg(long)]
        date: Option<String>,
    },
}

pub fn run(args: &Args) -> ExitCode {
    let path = match super::project_dir("lessons", &args.project) {
        Ok(p) => p.join(LESSONS_FILE),
        Err(code) => return code,
    };
    match args.command.as_ref().unwrap_or(&Sub::List) {
        Sub::List => {
            let text = super::host_text(&path, session::DOC_READ_LIMIT).unwrap_or_default();
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
            text,
            title,
            trigger,
            pattern,
            rule,
            applies_to,
            date,
        } => {
            let mut lesson = text.as_deref().map(lessons::from_text).unwrap_or_default();
            for (slot, value) in [
                (&mut lesson.title, title),
                (&mut lesson.trigger, trigger),
                (&mut lesson.pattern, pattern),
                (&mut lesson.rule, rule),
                (&mut lesson.applies_to, applies_to),
            ] {
                if let Some(v) = value {
                    *slot = v.clone();
                }
            }
            if lesson.rule.trim().is_empty() {
                lesson.rule = lesson.title.clone();
            }
            if lesson.title.trim().is_empty() {
                return super::usage_error(
                    "lessons",
                    "a lesson needs a title (the text, or --title)",
                );
            }
            lesson.date = date
                .clone()
                .unwrap_or_else(|| session::iso_utc(super::now_secs())[..10].to_string());
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
