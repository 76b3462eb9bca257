//! todo-prune: at session start, drop the finished items of the last
//! session's plan (or archive the plan when everything is done) so the new
//! session starts from what is really left.

use std::path::{Path, PathBuf};

use agentops_core::{
    Context, Effect, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity, ToolMatch,
};

use agentops_workflow::session::{self, nudge, TODO_FILE};
use agentops_workflow::todo::{prune, Pruned};

pub static PRUNED: Rule = Rule {
    id: "PRUNE001",
    name: "todo-pruned",
    policy: "todo-prune",
    severity: Severity::Warn,
    reason: "completed items were pruned from the previous session's plan",
    ..Rule::PENDING_DOCS
};

pub static ARCHIVED: Rule = Rule {
    id: "PRUNE002",
    name: "todo-archived",
    policy: "todo-prune",
    severity: Severity::Warn,
    reason: "the previous session's plan was complete and has been archived",
    ..Rule::PENDING_DOCS
};

static RULES: &[&Rule] = &[&PRUNED, &ARCHIVED];

/// Where a finished plan goes.
pub fn archive_path(project: &Path, now: u64) -> PathBuf {
    project
        .join("tasks/archive")
        .join(format!("todo-{}.md", session::compact_utc(now)))
}

/// The effects and the note for pruning `text`, shared with
/// `agentops todo prune`.
pub fn plan_prune(project: &Path, text: &str, now: u64) -> (Pruned, Vec<Effect>) {
    let pruned = prune(text);
    let todo = project.join(TODO_FILE);
    let effects = match &pruned {
        Pruned::Unchanged { .. } => Vec::new(),
        Pruned::Rewritten { text, .. } => vec![Effect::ReplaceFile {
            path: todo,
            contents: text.clone().into_bytes(),
        }],
        Pruned::Completed { .. } => vec![Effect::MoveFile {
            from: todo,
            to: archive_path(project, now),
        }],
    };
    (pruned, effects)
}

/// Pure: prune the plan found at session start.
pub fn decide(input: &HookInput, project: &Path, plan: Option<&str>, now: u64) -> Outcome {
    if input.is_bypass() || input.source.as_deref() == Some("compact") {
        return Outcome::none();
    }
    let Some(text) = plan.filter(|t| !t.is_empty()) else {
        return Outcome::none();
    };
    let (pruned, effects) = plan_prune(project, text, now);
    let context = match pruned {
        Pruned::Unchanged { .. } => return Outcome::none(),
        Pruned::Rewritten { open, removed, .. } => nudge(
            &PRUNED,
            &format!(
                "Removed {removed} completed item(s) from the previous session's plan; {open} open item(s) remain in tasks/todo.md. Review them before planning new work."
            ),
        ),
        Pruned::Completed { .. } => nudge(
            &ARCHIVED,
            "The previous session's plan in tasks/todo.md was fully completed and has been moved to tasks/archive/. New work needs a fresh STAR plan.",
        ),
    };
    Outcome {
        context: vec![context],
        effects,
        ..Outcome::default()
    }
}

pub static TODO_PRUNE: Policy = Policy {
    name: "todo-prune",
    summary: "Prunes completed items from tasks/todo.md at session start, archiving finished plans",
    events: &[HookEvent::SessionStart],
    tools: ToolMatch::Any,
    flag: Some(("auto_prune_enabled", FlagKind::Security)),
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    let plan = session::read_text(
        ctx,
        &ctx.project_dir.join(TODO_FILE),
        session::DOC_READ_LIMIT,
    );
    decide(
        input,
        &ctx.project_dir,
        plan.as_deref(),
        session::now_secs(ctx),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(mode: &str, source: &str) -> HookInput {
        HookInput {
            permission_mode: Some(mode.into()),
            source: Some(source.into()),
            ..HookInput::default()
        }
    }

    #[test]
    fn table() {
        let p = Path::new("/p");
        let cases: &[(&str, &str, Option<&str>, Option<&str>)] = &[
            (
                "default",
                "startup",
                Some("- [x] a\n- [ ] b\n"),
                Some("PRUNE001"),
            ),
            ("default", "resume", Some("- [x] a\n"), Some("PRUNE002")),
            ("default", "startup", Some("- [ ] b\n"), None),
            ("default", "startup", Some(""), None),
            ("default", "startup", None, None),
            ("bypassPermissions", "startup", Some("- [x] a\n"), None),
            ("default", "compact", Some("- [x] a\n"), None),
        ];
        for (mode, source, plan, want) in cases {
            let out = decide(&input(mode, source), p, *plan, 0);
            let got = out.context.first().map(|c| c.contains(want.unwrap_or("-")));
            match want {
                Some(_) => assert_eq!(got, Some(true), "{mode} {source} {plan:?}: {out:?}"),
                None => assert!(out.is_empty(), "{mode} {source} {plan:?}: {out:?}"),
            }
        }
    }

    #[test]
    fn finished_plans_move_to_a_timestamped_archive() {
        let out = decide(
            &input("default", "startup"),
            Path::new("/p"),
            Some("- [x] a\n"),
            0,
        );
        assert_eq!(
            out.effects,
            [Effect::MoveFile {
                from: PathBuf::from("/p/tasks/todo.md"),
                to: PathBuf::from("/p/tasks/archive/todo-19700101T000000Z.md"),
            }]
        );
        let out = decide(
            &input("default", "startup"),
            Path::new("/p"),
            Some("## A\n- [x] a\n- [ ] b\n"),
            0,
        );
        assert_eq!(
            out.effects,
            [Effect::ReplaceFile {
                path: PathBuf::from("/p/tasks/todo.md"),
                contents: b"## A\n- [ ] b\n".to_vec(),
            }]
        );
    }
}
