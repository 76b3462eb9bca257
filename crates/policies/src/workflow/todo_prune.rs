//! todo-prune: at session start, drop the finished items of the last
//! session's plan (or archive the plan when everything is done) so the new
//! session starts from what is really left.

use std::path::{Path, PathBuf};

use agentops_core::{
    Context, Effect, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity, ToolMatch,
};

use agentops_workflow::session::{self, TODO_FILE};
use agentops_workflow::todo::{prune, Pruned};

/// The previous plan had done items; they were removed (guidance).
pub static PRUNED: Rule = Rule {
    id: "PRUNE001",
    name: "todo-pruned",
    policy: "todo-prune",
    severity: Severity::Guide,
    reason: "completed items were pruned from the previous session's plan",
    why: "A plan full of ticked items hides what is really left, and the agent may redo or re-report finished work. The agent is told how many items were removed and how many remain, so it reviews the open ones before planning anything new.",
    fires: "SessionStart: startup | given /p/tasks/todo.md = ## Work\\n- [x] write the parser\\n- [ ] test the parser",
    instead: "",
    passes: "SessionStart: compact | given /p/tasks/todo.md = ## Work\\n- [x] write the parser\\n- [ ] test the parser",
};

/// The previous plan was finished; it was archived (guidance).
pub static ARCHIVED: Rule = Rule {
    id: "PRUNE002",
    name: "todo-archived",
    policy: "todo-prune",
    severity: Severity::Guide,
    reason: "the previous session's plan was complete and has been archived",
    why: "A finished plan left in tasks/todo.md looks like a current plan to the planning gates, so new work would start without one. It moves to tasks/archive/ and the agent is told that new work needs a fresh STAR plan.",
    fires: "SessionStart: startup | given /p/tasks/todo.md = ## Work\\n- [x] write the parser\\n- [x] test the parser",
    instead: "",
    passes: "SessionStart: startup | given /p/tasks/todo.md = ## Work\\n- [x] write the parser\\n- [ ] test the parser",
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
    let mut outcome = match pruned {
        Pruned::Unchanged { .. } => return Outcome::none(),
        Pruned::Rewritten { open, removed, .. } => Outcome::says(
            &PRUNED,
            format!(
                "Removed {removed} completed item(s) from the previous session's plan; {open} open item(s) remain in tasks/todo.md. Review them before planning new work."
            ),
        ),
        Pruned::Completed { .. } => Outcome::says(
            &ARCHIVED,
            "The previous session's plan in tasks/todo.md was fully completed and has been moved to tasks/archive/. New work needs a fresh STAR plan.",
        ),
    };
    outcome.effects = effects;
    outcome
}

/// The todo-prune policy.
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
            let ids: Vec<_> = out.findings.iter().map(|f| f.rule.id).collect();
            match want {
                Some(id) => assert_eq!(ids, [*id], "{mode} {source} {plan:?}: {out:?}"),
                None => assert!(out.is_empty(), "{mode} {source} {plan:?}: {out:?}"),
            }
            assert!(out.context.is_empty() && out.messages.is_empty());
        }
    }

    #[test]
    fn reads_the_plan_through_the_world_and_says_what_it_did() {
        use agentops_core::MemoryWorld;
        let ctx = Context {
            project_dir: "/p".into(),
            world: std::sync::Arc::new(
                MemoryWorld::new().file("/p/tasks/todo.md", "- [x] a\n- [x] b\n- [ ] c\n"),
            ),
            ..Context::default()
        };
        let out = TODO_PRUNE.evaluate(HookEvent::SessionStart, &input("default", "startup"), &ctx);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(
            out.findings[0].describe(),
            "[PRUNE001] Removed 2 completed item(s) from the previous session's plan; 1 open item(s) remain in tasks/todo.md. Review them before planning new work."
        );
        assert_eq!(
            out.effects,
            [Effect::ReplaceFile {
                path: PathBuf::from("/p/tasks/todo.md"),
                contents: b"- [ ] c\n".to_vec(),
            }]
        );
        let none = Context {
            project_dir: "/p".into(),
            ..Context::default()
        };
        assert!(TODO_PRUNE
            .evaluate(HookEvent::SessionStart, &input("default", "startup"), &none)
            .is_empty());
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
