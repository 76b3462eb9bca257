//! plan-gate: after a batch of tool calls that wrote files, once five or
//! more distinct files have been modified this session, remind the agent
//! that the work needs a plan in `tasks/todo.md` and a test run before it
//! finishes. Reads the tracker auto-plan keeps; records nothing itself.
//!
//! It answers PostToolBatch, which Claude Code sends once after every
//! call of a parallel batch resolved (a single call is a batch of one), so
//! ten parallel writes give one reminder, not ten. Clients without batches
//! send each call as a batch of its own.

use agentops_core::{
    Context, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity, Tool, ToolKind,
    ToolMatch,
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
    why: "Once a change spans five or more files it is too big to check by reading the diff alone. After each further batch of writes the agent is reminded (once per batch) to keep the plan current and to run the tests before it reports the work as done.",
    fires: "PostToolBatch: Write /p/docs/d.md, Write /p/docs/e.md | given /p/.agentops/flags.json = {\"plan_gate_enabled\": true} ;; /p/.agentops/modified-files.txt = /p/docs/a.md\\n/p/docs/b.md\\n/p/docs/c.md",
    instead: "",
    passes: "PostToolBatch: Write /p/docs/d.md, Read /p/docs/a.md | given /p/.agentops/flags.json = {\"plan_gate_enabled\": true} ;; /p/.agentops/modified-files.txt = /p/docs/a.md\\n/p/docs/b.md\\n/p/docs/c.md\\n/p/docs/c.md",
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
    summary: "Reminds the agent to plan and test once 5+ files are modified (once per batch of tool calls)",
    events: &[HookEvent::PostToolBatch],
    tools: ToolMatch::Only(ToolKind::FILE_WRITERS),
    flag: Some(("plan_gate_enabled", FlagKind::Automation)),
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    let written = written_in_batch(input);
    if written.is_empty() {
        return Outcome::none();
    }
    // The batch's own PostToolUse hooks may still be recording their
    // files, so the batch counts whether or not the tracker has it yet.
    let tracker = session::read_state(ctx, MODIFIED_FILES).unwrap_or_default();
    let mut files = session::distinct_lines(&tracker);
    files.extend(written);
    decide(files.len())
}

/// The files the batch's file-writing calls wrote.
pub fn written_in_batch(input: &HookInput) -> Vec<&str> {
    input
        .tool_calls
        .iter()
        .flatten()
        .filter(|call| {
            call.get("tool_name")
                .and_then(|n| n.as_str())
                .is_some_and(|n| Tool::from_name(n).writes_files())
        })
        .filter_map(|call| {
            let args = call.get("tool_input")?;
            ["file_path", "notebook_path"]
                .iter()
                .find_map(|k| args.get(*k).and_then(|p| p.as_str()))
        })
        .collect()
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
    fn counts_the_tracker_and_the_batch_once_each() {
        let with = |tracked: &str| Context {
            project_dir: "/p".into(),
            world: std::sync::Arc::new(
                agentops_core::MemoryWorld::new()
                    .file(format!("/p/.agentops/{MODIFIED_FILES}"), tracked),
            ),
            ..Context::default()
        };
        let batch = |calls: serde_json::Value| HookInput {
            tool_calls: serde_json::from_value(calls).ok(),
            ..HookInput::default()
        };
        let writes = batch(serde_json::json!([
            {"tool_name": "Write", "tool_input": {"file_path": "/d"}},
            {"tool_name": "Edit", "tool_input": {"file_path": "/a"}},
            {"tool_name": "Read", "tool_input": {"file_path": "/x"}},
        ]));
        let quiet = |input: &HookInput, tracked: &str| {
            PLAN_GATE
                .evaluate(HookEvent::PostToolBatch, input, &with(tracked))
                .is_empty()
        };
        // Four distinct files, counting the batch's own (already tracked or not).
        assert!(quiet(&writes, "/a\n/b\n/a\n/c\n/d\n/b\n"));
        // The fifth file comes from the batch.
        assert!(!quiet(&writes, "/a\n/b\n/c\n/e\n"));
        // A batch that wrote nothing says nothing, however many files were written.
        let reads =
            batch(serde_json::json!([{"tool_name": "Bash", "tool_input": {"command": "ls"}}]));
        assert!(quiet(&reads, "/a\n/b\n/c\n/d\n/e\n/f\n"));
        assert!(quiet(&HookInput::default(), "/a\n/b\n/c\n/d\n/e\n/f\n"));
    }

    #[test]
    fn flag_off_silences_it() {
        use agentops_core::Flags;
        let off = Flags::from_pairs([("plan_gate_enabled", serde_json::json!(false))]);
        assert!(!PLAN_GATE.enabled(&off));
    }
}
