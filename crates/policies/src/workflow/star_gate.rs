//! star-gate: without a current plan in `tasks/todo.md`, the agent gets a
//! short observation grace (five Read/Glob/Grep/Agent calls) and is then
//! told, on every call, to write its STAR plan first. The gate instructs
//! through context; it never blocks a tool or prompts the user, so it also
//! applies in bypass and unrestricted modes.
//!
//! A plan counts when it has an open item and is newer than the session
//! marker. When a plan that was active runs out (all items done), the grace
//! counter restarts for the next task.

use agentops_core::{
    Context, Effect, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity, Tool,
    ToolKind, ToolMatch,
};

use agentops_workflow::session::{self, PlanFile, STAR_OBS_COUNT, STAR_PLAN_ACTIVE};
use agentops_workflow::todo::Counts;

/// Observation calls allowed before a plan is required.
pub const GRACE_LIMIT: i64 = 5;

/// The fifth observation call without a plan (guidance).
pub static LAST_OBSERVATION: Rule = Rule {
    id: "STAR001",
    name: "star-grace-ending",
    policy: "star-gate",
    severity: Severity::Guide,
    reason: "last observation call before a STAR plan is required",
    why: "Looking around before planning is useful, but only for a while: an agent that keeps reading without writing down a plan drifts into changes nobody agreed on. The agent is warned on its fifth Read, Glob, Grep or Agent call so the plan comes before the sixth.",
    fires: "PreToolUse Read: /p/src/lib.rs | given /p/.agentops/star-obs-count = 4",
    instead: "",
    passes: "PreToolUse Read: /p/src/lib.rs | given /p/.agentops/star-obs-count = 3",
};

/// A call past the grace, or a non-observation call, without a plan
/// (guidance).
pub static PLAN_REQUIRED: Rule = Rule {
    id: "STAR002",
    name: "star-plan-required",
    policy: "star-gate",
    severity: Severity::Guide,
    reason: "no current STAR plan in tasks/todo.md; write it before continuing",
    why: "Without a written plan the user cannot see or correct the agent's intent before files change, and the other gates (auto-plan, plan-gate) have nothing to check progress against. Until tasks/todo.md holds an open item from this session, every call past the grace repeats the instruction; it never blocks, so writing the plan itself stays possible.",
    fires: "PreToolUse Bash: cargo build",
    instead: "write a STAR plan to tasks/todo.md first",
    passes: "PreToolUse Bash: cargo build | given /p/tasks/todo.md = ## Parser\\n- [ ] handle empty input",
};

static RULES: &[&Rule] = &[&LAST_OBSERVATION, &PLAN_REQUIRED];

/// What the edge read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// `tasks/todo.md` and whether it predates the session.
    pub plan: PlanFile,
    /// A plan was active earlier this session (`star-plan-active`).
    pub plan_marker: bool,
    /// Observation calls counted so far (`star-obs-count`).
    pub observations: i64,
    /// Seconds since the Unix epoch.
    pub now: u64,
}

fn is_plan_path(path: &str) -> bool {
    let path = path.replace('\\', "/");
    ["tasks/todo.md", "tasks/todo.txt"]
        .iter()
        .any(|p| path == *p || path.ends_with(&format!("/{p}")))
}

fn is_tasks_mkdir(command: &str) -> bool {
    matches!(
        command.trim(),
        "mkdir tasks" | "mkdir -p tasks" | "mkdir tasks/" | "mkdir -p tasks/"
    )
}

fn is_observation(tool: &Tool) -> bool {
    matches!(tool, Tool::Read | Tool::Glob | Tool::Grep | Tool::Agent)
        || matches!(tool, Tool::Other(name) if name == "ToolSearch")
}

/// Pure: the gate's answer for one tool call.
pub fn decide(input: &HookInput, snap: &Snapshot) -> Outcome {
    let mut effects = Vec::new();
    let has_open_item = snap
        .plan
        .current()
        .is_some_and(|text| Counts::of(text).open > 0);
    if has_open_item {
        if !snap.plan_marker {
            effects.push(Effect::CreateState {
                name: STAR_PLAN_ACTIVE,
                contents: format!("{}\n", session::iso_utc(snap.now)).into_bytes(),
            });
        }
        return Outcome {
            effects,
            ..Outcome::default()
        };
    }
    let mut observations = snap.observations;
    if snap.plan_marker {
        // The previous plan is finished: a new task gets a fresh grace.
        effects.push(Effect::RemoveState {
            name: STAR_PLAN_ACTIVE,
        });
        effects.push(Effect::RemoveState {
            name: STAR_OBS_COUNT,
        });
        observations = 0;
    }
    let bootstrap = input.input_str("file_path").is_some_and(is_plan_path)
        || input.command().is_some_and(is_tasks_mkdir);
    let tool = input.tool().unwrap_or(Tool::Other(String::new()));
    let mut outcome = Outcome::none();
    if !bootstrap {
        if is_observation(&tool) {
            observations += 1;
            effects.push(Effect::AddToCounter {
                name: STAR_OBS_COUNT,
                delta: 1,
            });
        }
        if is_observation(&tool) && observations < GRACE_LIMIT {
            // Still within the grace period.
        } else if is_observation(&tool) && observations == GRACE_LIMIT {
            outcome.say(
                &LAST_OBSERVATION,
                "This is your last observation call before STAR planning is required. Write the STAR analysis in the chat now, then save it to tasks/todo.md as checkable items.",
            );
        } else {
            outcome.say(
                &PLAN_REQUIRED,
                format!(
                    "There is no current plan in tasks/todo.md, and without one only {GRACE_LIMIT} observation calls (Read, Glob, Grep, Agent) are allowed. Before continuing, write the STAR analysis in the chat - Situation (current state), Task (success criteria), Action (steps with file paths), Result (how it will be verified) - then save it to tasks/todo.md with checkable items. /agentops:star can produce it."
                ),
            );
        }
    }
    outcome.effects = effects;
    outcome
}

impl Snapshot {
    /// The plan, the markers and the counter, read through the context's
    /// world.
    pub fn read(ctx: &Context) -> Snapshot {
        Snapshot {
            plan: PlanFile::read(ctx),
            plan_marker: session::has_state(ctx, STAR_PLAN_ACTIVE),
            observations: session::read_state(ctx, STAR_OBS_COUNT)
                .and_then(|t| t.trim().parse().ok())
                .unwrap_or(0),
            now: session::now_secs(ctx),
        }
    }
}

/// The star-gate policy.
pub static STAR_GATE: Policy = Policy {
    name: "star-gate",
    summary: "Requires a STAR plan in tasks/todo.md after a short observation grace (instructs, never blocks)",
    events: &[HookEvent::PreToolUse],
    tools: ToolMatch::Only(&[ToolKind::Bash, ToolKind::Read, ToolKind::Write, ToolKind::Edit, ToolKind::MultiEdit, ToolKind::NotebookEdit, ToolKind::Glob, ToolKind::Grep, ToolKind::WebFetch, ToolKind::WebSearch, ToolKind::Agent, ToolKind::Mcp]),
    flag: Some(("star_gate_enabled", FlagKind::Security)),
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    decide(input, &Snapshot::read(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(tool: &str, tool_input: serde_json::Value) -> HookInput {
        HookInput {
            tool_name: Some(tool.into()),
            tool_input: Some(tool_input),
            ..HookInput::default()
        }
    }

    fn plan(text: &str, stale: bool) -> PlanFile {
        PlanFile {
            text: Some(text.into()),
            stale,
        }
    }

    fn snap(plan: PlanFile, marker: bool, observations: i64) -> Snapshot {
        Snapshot {
            plan,
            plan_marker: marker,
            observations,
            now: 0,
        }
    }

    fn said(out: &Outcome) -> Option<&'static str> {
        assert!(out.context.is_empty() && out.messages.is_empty());
        assert!(out.findings.len() <= 1, "{out:?}");
        out.findings.first().map(|f| f.rule.id)
    }

    #[test]
    fn table() {
        let read = call("Read", json!({"file_path": "/p/src/a.rs"}));
        let bash = call("Bash", json!({"command": "cargo build"}));
        let write_plan = call(
            "Write",
            json!({"file_path": "/p/tasks/todo.md", "content": "x"}),
        );
        let write_code = call("Write", json!({"file_path": "/p/src/a.rs", "content": "x"}));
        let mkdir = call("Bash", json!({"command": "mkdir -p tasks"}));
        let mkdir_more = call("Bash", json!({"command": "mkdir -p tasks && rm -rf src"}));
        let none = PlanFile::default();
        let open = plan("- [ ] a\n", false);
        let cases: &[(&HookInput, Snapshot, Option<&str>)] = &[
            (&read, snap(none.clone(), false, 0), None),
            (&read, snap(none.clone(), false, 3), None),
            (&read, snap(none.clone(), false, 4), Some("STAR001")),
            (&read, snap(none.clone(), false, 5), Some("STAR002")),
            (&bash, snap(none.clone(), false, 0), Some("STAR002")),
            (&write_code, snap(none.clone(), false, 0), Some("STAR002")),
            (&write_plan, snap(none.clone(), false, 9), None),
            (&mkdir, snap(none.clone(), false, 9), None),
            (&mkdir_more, snap(none.clone(), false, 9), Some("STAR002")),
            (&bash, snap(open.clone(), false, 9), None),
            (
                &bash,
                snap(plan("- [ ] a\n", true), false, 9),
                Some("STAR002"),
            ),
            (
                &bash,
                snap(plan("- [x] a\n", false), false, 9),
                Some("STAR002"),
            ),
            // A finished plan restarts the grace: this read is the first again.
            (&read, snap(plan("- [x] a\n", false), true, 9), None),
        ];
        for (input, snapshot, want) in cases {
            let out = decide(input, snapshot);
            assert_eq!(said(&out), *want, "{:?} {snapshot:?}", input.tool_input);
            assert!(
                out.findings
                    .iter()
                    .all(|f| f.rule.severity == Severity::Guide),
                "the gate never blocks"
            );
        }
    }

    fn world_ctx(world: agentops_core::MemoryWorld) -> Context {
        Context {
            project_dir: "/p".into(),
            world: std::sync::Arc::new(world),
            ..Context::default()
        }
    }

    #[test]
    fn the_snapshot_reads_plan_markers_and_counter_from_the_world() {
        use agentops_core::MemoryWorld;
        use std::time::{Duration, SystemTime};
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        let world = MemoryWorld::new()
            .file_at(
                "/p/tasks/todo.md",
                "- [ ] a\n",
                start - Duration::from_secs(3600),
            )
            .file("/p/.agentops/session-start", "x\n")
            .file("/p/.agentops/star-obs-count", " 3\n")
            .file("/p/.agentops/star-plan-active", "x\n");
        let snap = Snapshot::read(&world_ctx(world));
        assert_eq!(
            snap,
            Snapshot {
                plan: plan("- [ ] a\n", true),
                plan_marker: true,
                observations: 3,
                now: 1_000_000_000,
            }
        );
        let empty = Snapshot::read(&world_ctx(MemoryWorld::new()));
        assert_eq!(
            empty,
            Snapshot {
                now: 1_000_000_000,
                ..Snapshot::default()
            }
        );
        let junk = MemoryWorld::new().file("/p/.agentops/star-obs-count", "many");
        assert_eq!(Snapshot::read(&world_ctx(junk)).observations, 0);
    }

    #[test]
    fn the_answer_reads_as_the_nudge_did() {
        use agentops_core::{HookAnswer, MemoryWorld};
        let ctx = world_ctx(MemoryWorld::new().file("/p/.agentops/star-obs-count", "4\n"));
        let read = call("Read", json!({"file_path": "/p/src/a.rs"}));
        let out = STAR_GATE.evaluate(HookEvent::PreToolUse, &read, &ctx);
        let answer = HookAnswer::merge(vec![("star-gate", out)], &read, &ctx);
        assert_eq!(
            answer.context,
            ["agentops: [STAR001] This is your last observation call before STAR planning is required. Write the STAR analysis in the chat now, then save it to tasks/todo.md as checkable items."]
        );
        assert!(answer.messages.is_empty() && answer.reasons.is_empty());
        assert_eq!(answer.verdicts[0].finding.rule.id, "STAR001");
    }

    #[test]
    fn counting_and_markers() {
        let read = call("Grep", json!({"pattern": "x"}));
        let out = decide(&read, &snap(PlanFile::default(), false, 0));
        assert_eq!(
            out.effects,
            [Effect::AddToCounter {
                name: STAR_OBS_COUNT,
                delta: 1
            }]
        );
        let bash = call("Bash", json!({"command": "ls"}));
        assert!(decide(&bash, &snap(PlanFile::default(), false, 0))
            .effects
            .is_empty());
        let out = decide(&bash, &snap(plan("- [ ] a\n", false), false, 0));
        assert!(matches!(
            out.effects[..],
            [Effect::CreateState {
                name: STAR_PLAN_ACTIVE,
                ..
            }]
        ));
        assert!(decide(&bash, &snap(plan("- [ ] a\n", false), true, 0)).is_empty());
        let out = decide(&read, &snap(PlanFile::default(), true, 7));
        assert_eq!(
            out.effects,
            [
                Effect::RemoveState {
                    name: STAR_PLAN_ACTIVE
                },
                Effect::RemoveState {
                    name: STAR_OBS_COUNT
                },
                Effect::AddToCounter {
                    name: STAR_OBS_COUNT,
                    delta: 1
                },
            ]
        );
    }
}
