//! plan-gate: after a write, once five or more distinct files have been
//! modified this session, remind the agent that the work needs a plan in
//! `tasks/todo.md` and a test run before it finishes. Reads the tracker
//! auto-plan keeps; records nothing itself.

use agentops_core::{
    Context, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity, ToolKind, ToolMatch,
};

use agentops_workflow::session::{self, MODIFIED_FILES};

/// Distinct modified files at which the reminder starts.
pub const REMINDER_THRESHOLD: usize = 5;

/// Five or more distinct files written this session (guidance).
pub static MANY_FILES: Rule = Rule {
    id: "PLANGATE001",
    name: "many-files-modified",
    policy: "plan-gate",
    severity: Severity::Guide,
    reason: "five or more files modified: keep the plan in tasks/todo.md and run the tests before finishing",
    why: "Once a change spans five or more files it is too big to check by reading the diff alone. After each further write the agent is reminded to keep the plan current and to run the tests before it reports the work as done.",
    fires: "PostToolUse Write: /p/docs/e.md <- # E | given /p/.agentops/flags.json = {\"plan_gate_enabled\": true} ;; /p/.agentops/modified-files.txt = /p/docs/a.md\\n/p/docs/b.md\\n/p/docs/c.md\\n/p/docs/d.md\\n/p/docs/e.md",
    passes: "PostToolUse Write: /p/docs/d.md <- # D | given /p/.agentops/flags.json = {\"plan_gate_enabled\": true} ;; /p/.agentops/modified-files.txt = /p/docs/a.md\\n/p/docs/b.md\\n/p/docs/c.md\\n/p/docs/d.md\\n/p/docs/c.md",
};

static RULES: &[&Rule] = &[&MANY_FILES];

/// Pure: `tracked` is the number of distinct files modified this session.
pub fn decide(tracked: usize) -> Outcome {
    if tracked < REMINDER_THRESHOLD {
        return Outcome::none();
    }
    Outcome::says(
        &MANY_FILES,
        format!("{tracked} files have been modified this session. If the plan is not in tasks/todo.md yet, write it there with checkable items, and run the tests before finishing."),
    )
}

/// The plan-gate policy.
pub static PLAN_GATE: Policy = Policy {
    name: "plan-gate",
    summary: "Reminds the agent to plan and test once 5+ files are modified",
    events: &[HookEvent::PostToolUse],
    tools: ToolMatch::Only(ToolKind::FILE_WRITERS),
    flag: Some(("plan_gate_enabled", FlagKind::Automation)),
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, _input: &HookInput, ctx: &Context) -> Outcome {
    let tracked = session::read_state(ctx, MODIFIED_FILES)
        .map(|t| session::distinct_lines(&t).len())
        .unwrap_or(0);
    decide(tracked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold() {
        for (tracked, speaks) in [(0, false), (4, false), (5, true), (12, true)] {
            let out = decide(tracked);
            assert_eq!(!out.findings.is_empty(), speaks, "{tracked}");
            assert!(out.context.is_empty() && out.effects.is_empty());
        }
        assert!(decide(7).findings[0]
            .describe()
            .starts_with("[PLANGATE001] 7 files have been modified"));
    }

    #[test]
    fn reads_distinct_tracked_files() {
        let with = |tracked: &str| Context {
            project_dir: "/p".into(),
            world: std::sync::Arc::new(
                agentops_core::MemoryWorld::new()
                    .file(format!("/p/.agentops/{MODIFIED_FILES}"), tracked),
            ),
            ..Context::default()
        };
        let input = HookInput::default();
        assert!(PLAN_GATE
            .evaluate(
                HookEvent::PostToolUse,
                &input,
                &with("/a\n/b\n/a\n/c\n/d\n/b\n")
            )
            .is_empty());
        assert!(!PLAN_GATE
            .evaluate(
                HookEvent::PostToolUse,
                &input,
                &with("/a\n/b\n/c\n/d\n/e\n")
            )
            .is_empty());
    }

    #[test]
    fn flag_off_silences_it() {
        use agentops_core::Flags;
        let off = Flags::from_pairs([("plan_gate_enabled", serde_json::json!(false))]);
        assert!(!PLAN_GATE.enabled(&off));
    }
}
