//! auto-plan: once a few files have been written this session without a
//! current plan in `tasks/todo.md`, further writes are gated (ask in
//! advisory mode, deny in blocking mode) until the plan exists.
//!
//! Writes that really ran (PostToolUse) are recorded in
//! `.agentops/modified-files.txt`, which plan-gate, auto-delegate and
//! compliance-gate read. A write any policy refused or asked about at
//! PreToolUse never reaches PostToolUse, so refused and retried attempts
//! do not inflate the count (nor make the Stop gate ask for tests of
//! changes that never happened).

use std::collections::BTreeSet;

use agentops_core::{
    Context, Effect, Finding, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity,
    ToolKind, ToolMatch,
};

use agentops_workflow::session::{self, PlanFile, MODIFIED_FILES};

/// Distinct files written without a plan before the gate closes.
pub const PLAN_THRESHOLD: usize = 3;

/// The third file written this session, and no plan at all.
pub static NO_PLAN: Rule = Rule {
    id: "PLAN001",
    name: "writes-without-plan",
    policy: "auto-plan",
    severity: Severity::Soft,
    reason: "several files modified but there is no plan; write one to tasks/todo.md with checkable items first",
    why: "A change that spreads over several files without a plan is where agents lose the thread: half-finished edits, files touched for no stated reason, nothing to review the result against. One or two files are let through; from the third distinct file on, writes wait until the plan is in tasks/todo.md.",
    fires: "PreToolUse Write: /p/src/c.rs <- fn c() {} | given /p/.agentops/flags.json = {\"auto_plan_enabled\": true} ;; /p/.agentops/modified-files.txt = /p/src/a.rs\\n/p/src/b.rs",
    instead: "write the plan to tasks/todo.md first",
    passes: "PreToolUse Write: /p/src/b.rs <- fn b() {} | given /p/.agentops/flags.json = {\"auto_plan_enabled\": true} ;; /p/.agentops/modified-files.txt = /p/src/a.rs",
};

/// The third file written this session, and the plan is from an earlier
/// session.
pub static STALE_PLAN: Rule = Rule {
    id: "PLAN002",
    name: "writes-with-stale-plan",
    policy: "auto-plan",
    severity: Severity::Soft,
    reason: "several files modified but tasks/todo.md is from a previous session; update the plan for the current changes first",
    why: "A plan left over from yesterday describes yesterday's task; letting it stand for today's changes defeats the point of planning. A tasks/todo.md older than the session-start marker counts as stale, and from the third distinct file on writes wait until the plan is updated.",
    fires: "With auto_plan_enabled, the agent writes a third source file this session while tasks/todo.md was last modified before the session started (older than .agentops/session-start)",
    instead: "update tasks/todo.md for the current changes first",
    passes: "PreToolUse Write: /p/src/c.rs <- fn c() {} | given /p/.agentops/flags.json = {\"auto_plan_enabled\": true} ;; /p/.agentops/modified-files.txt = /p/src/a.rs\\n/p/src/b.rs ;; /p/tasks/todo.md = - [ ] split the parser ;; /p/.agentops/session-start = 2001-09-09T01:46:40Z",
};

static RULES: &[&Rule] = &[&NO_PLAN, &STALE_PLAN];

/// What the edge read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// `tasks/todo.md` and whether it predates the session.
    pub plan: PlanFile,
    /// Files already recorded this session.
    pub tracked: BTreeSet<String>,
}

fn is_plan_file(path: &str) -> bool {
    let path = path.replace('\\', "/");
    path == session::TODO_FILE || path.ends_with("/tasks/todo.md")
}

/// The file a write names, unless it is the plan itself.
fn written_file(input: &HookInput) -> Option<&str> {
    input
        .target_path()
        .filter(|f| !f.is_empty() && !f.contains('\n') && !is_plan_file(f))
}

/// Pure: record a write that ran (PostToolUse).
pub fn record(input: &HookInput) -> Outcome {
    let Some(file) = written_file(input) else {
        return Outcome::none();
    };
    Outcome {
        effects: vec![Effect::InsertStateLine {
            name: MODIFIED_FILES,
            line: file.to_string(),
        }],
        ..Outcome::default()
    }
}

/// Pure: gate one write about to run (PreToolUse).
pub fn decide(input: &HookInput, snap: &Snapshot) -> Outcome {
    if input.is_bypass() {
        return Outcome::none();
    }
    let Some(file) = written_file(input) else {
        return Outcome::none();
    };
    if snap.plan.current().is_some() {
        return Outcome::none();
    }
    let count = snap.tracked.len() + usize::from(!snap.tracked.contains(file));
    if count < PLAN_THRESHOLD {
        return Outcome::none();
    }
    let rule = if snap.plan.text.is_some() {
        &STALE_PLAN
    } else {
        &NO_PLAN
    };
    Outcome {
        findings: vec![Finding::with_subject(
            rule,
            format!("{count} files modified this session"),
        )],
        ..Outcome::default()
    }
}

impl Snapshot {
    /// The plan and the tracker, read through the context's world.
    pub fn read(ctx: &Context) -> Snapshot {
        let tracked = session::read_state(ctx, MODIFIED_FILES)
            .map(|t| {
                session::distinct_lines(&t)
                    .into_iter()
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        Snapshot {
            plan: PlanFile::read(ctx),
            tracked,
        }
    }
}

/// The auto-plan policy.
pub static AUTO_PLAN: Policy = Policy {
    name: "auto-plan",
    summary: "Gates writes once 3+ files are modified without a current plan in tasks/todo.md",
    events: &[HookEvent::PreToolUse, HookEvent::PostToolUse],
    tools: ToolMatch::Only(ToolKind::FILE_WRITERS),
    flag: Some(("auto_plan_enabled", FlagKind::Automation)),
    rules: RULES,
    evaluate,
};

fn evaluate(event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    match event {
        HookEvent::PostToolUse => record(input),
        _ => decide(input, &Snapshot::read(ctx)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn write(path: &str, mode: &str) -> HookInput {
        HookInput {
            tool_name: Some("Write".into()),
            tool_input: Some(json!({"file_path": path, "content": "x"})),
            permission_mode: Some(mode.into()),
            ..HookInput::default()
        }
    }

    fn snap(plan: Option<(&str, bool)>, tracked: &[&str]) -> Snapshot {
        Snapshot {
            plan: plan
                .map(|(t, stale)| PlanFile {
                    text: Some(t.into()),
                    stale,
                })
                .unwrap_or_default(),
            tracked: tracked.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn table() {
        let two = &["/p/a.rs", "/p/b.rs"][..];
        let cases: &[(&str, &str, Snapshot, Option<&str>, bool)] = &[
            // (path, mode, snapshot, rule at PreToolUse, recorded once it ran)
            ("/p/c.rs", "default", snap(None, &[]), None, true),
            ("/p/c.rs", "default", snap(None, &["/p/a.rs"]), None, true),
            ("/p/c.rs", "default", snap(None, two), Some("PLAN001"), true),
            ("/p/a.rs", "default", snap(None, two), None, true),
            (
                "/p/c.rs",
                "default",
                snap(Some(("- [ ] x", true)), two),
                Some("PLAN002"),
                true,
            ),
            (
                "/p/c.rs",
                "default",
                snap(Some(("- [ ] x", false)), two),
                None,
                true,
            ),
            ("/p/tasks/todo.md", "default", snap(None, two), None, false),
            ("/p/c.rs", "bypassPermissions", snap(None, two), None, true),
        ];
        for (path, mode, snapshot, rule, recorded) in cases {
            let out = decide(&write(path, mode), snapshot);
            let ids: Vec<_> = out.findings.iter().map(|f| f.rule.id).collect();
            assert_eq!(
                ids,
                rule.iter().copied().collect::<Vec<_>>(),
                "{path} {snapshot:?}"
            );
            // Gating never records: only a write that ran is recorded.
            assert!(out.effects.is_empty(), "{path} {snapshot:?}");
            let ran = record(&write(path, mode));
            let expected: Vec<Effect> = if *recorded {
                vec![Effect::InsertStateLine {
                    name: MODIFIED_FILES,
                    line: path.to_string(),
                }]
            } else {
                vec![]
            };
            assert_eq!(ran.effects, expected, "{path}");
        }
    }

    #[test]
    fn the_snapshot_reads_the_tracker_and_a_stale_plan_from_the_world() {
        use agentops_core::MemoryWorld;
        use std::time::{Duration, SystemTime};
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        let world = MemoryWorld::new()
            .file(
                "/p/.agentops/modified-files.txt",
                "/p/a.rs\n/p/b.rs\n/p/a.rs\n\n",
            )
            .file("/p/.agentops/session-start", "x\n")
            .file_at(
                "/p/tasks/todo.md",
                "- [ ] x\n",
                start - Duration::from_secs(60),
            );
        let ctx = Context {
            project_dir: "/p".into(),
            world: std::sync::Arc::new(world),
            ..Context::default()
        };
        let snapshot = Snapshot::read(&ctx);
        assert_eq!(
            snapshot,
            snap(Some(("- [ ] x\n", true)), &["/p/a.rs", "/p/b.rs"])
        );
        let out = AUTO_PLAN.evaluate(HookEvent::PreToolUse, &write("/p/c.rs", "default"), &ctx);
        let ids: Vec<_> = out.findings.iter().map(|f| f.rule.id).collect();
        assert_eq!(ids, ["PLAN002"]);
    }

    #[test]
    fn the_reason_says_how_many_files() {
        let out = decide(
            &write("/p/d.rs", "default"),
            &snap(None, &["/p/a.rs", "/p/b.rs", "/p/c.rs"]),
        );
        assert_eq!(
            out.findings[0].subject.as_deref(),
            Some("4 files modified this session")
        );
    }

    #[test]
    fn off_unless_the_flag_is_exactly_true() {
        use agentops_core::Flags;
        for (value, on) in [
            (json!(true), true),
            (json!("true"), true),
            (json!("yes"), false),
            (json!(false), false),
        ] {
            let flags = Flags::from_pairs([("auto_plan_enabled", value.clone())]);
            assert_eq!(AUTO_PLAN.enabled(&flags), on, "{value}");
        }
    }
}
