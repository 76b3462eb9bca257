//! budget-enforcement (opt-in): once `.agentops/budget.json` says the
//! budget is spent, new tool calls are denied except reads, so the agent
//! can still look around and report but not keep spending on work.
//!
//! Off unless flags.json sets `budget_enforcement_enabled` to `true`. The
//! spend it reads is kept current by the engine's cost accounting, which
//! runs after every tool call while this flag is on. The budget is the
//! one [`agentops_cost::Budget`] model budget-check also uses:
//! `AGENTOPS_BUDGET_USD` if valid, else the file's `budget_usd` if valid,
//! else $5. A budget of 0 allows no spend, so every non-reading tool is
//! denied; a missing or unreadable file means nothing has been spent.

use agentops_core::{
    Context, Finding, HookEvent, HookInput, Outcome, Policy, Rule, Severity, Tool, ToolMatch,
};
use agentops_cost::{Budget, Overrides, ENV_BUDGET_USD};

/// The opt-in flag; only an explicit `true` turns the policy on.
pub const FLAG: &str = "budget_enforcement_enabled";

/// SPEND001: a non-reading tool call on a spent budget.
pub static BUDGET_SPENT: Rule = Rule {
    id: "SPEND001",
    name: "budget-spent",
    policy: "budget-enforcement",
    severity: Severity::Deny,
    reason:
        "the budget in .agentops/budget.json is spent; only reading tools run until it is raised",
    why: "A session that keeps calling tools after its budget is spent keeps spending: every \
          call is another model turn. Once the recorded spend reaches the budget, only reading \
          tools run, so the agent can still look around and report, but not start more work \
          until someone raises the budget.",
    fires: r#"PreToolUse Bash: npm run build | given /p/.agentops/flags.json = {"budget_enforcement_enabled": true} ;; /p/.agentops/budget.json = {"budget_usd": 2, "spent": 2.5}"#,
    instead: "ask the user to raise the budget",
    passes: r#"PreToolUse Read: /p/src/app.ts | given /p/.agentops/flags.json = {"budget_enforcement_enabled": true} ;; /p/.agentops/budget.json = {"budget_usd": 2, "spent": 2.5}"#,
};

static RULES: &[&Rule] = &[&BUDGET_SPENT];

/// Whether the opt-in flag is set: only an explicit `true` turns it on.
pub fn opted_in(ctx: &Context) -> bool {
    ctx.flags.get_string(FLAG).as_deref() == Some("true")
}

/// Tools that only read, which stay available on an exhausted budget.
pub fn is_read_only(tool: &Tool) -> bool {
    match tool {
        Tool::Read | Tool::Glob | Tool::Grep => true,
        Tool::Other(name) => matches!(name.as_str(), "LS" | "NotebookRead"),
        _ => false,
    }
}

/// What the edge read for the decision.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// `AGENTOPS_BUDGET_USD`.
    pub env_budget: Option<String>,
    /// The bytes of `.agentops/budget.json`, if it exists.
    pub file: Option<Vec<u8>>,
}

/// The budget the snapshot describes. Bytes that are not UTF-8 make the
/// file unreadable, which counts as nothing spent (budget-check reports it).
pub fn budget(snap: &Snapshot) -> Budget {
    let text = snap.file.as_deref().map(String::from_utf8_lossy);
    Budget::resolve(
        text.as_deref(),
        Overrides {
            budget_usd: snap.env_budget.as_deref(),
            warn_pct: None,
        },
    )
}

/// Pure: deny a non-reading tool once spend has reached the budget.
/// Invalid values are not reported here (budget-check does that at
/// session start); they fall back as the model says.
pub fn decide(tool: &Tool, snap: &Snapshot) -> Outcome {
    if is_read_only(tool) {
        return Outcome::none();
    }
    let budget = budget(snap);
    if !budget.exhausted() {
        return Outcome::none();
    }
    Outcome {
        findings: vec![Finding::with_subject(
            &BUDGET_SPENT,
            format!("${:.2} spent of ${:.2}", budget.spent, budget.budget_usd),
        )],
        ..Outcome::default()
    }
}

/// The budget-enforcement policy.
pub static BUDGET_ENFORCEMENT: Policy = Policy {
    name: "budget-enforcement",
    summary: "Opt-in: denies all but reading tools once the recorded spend reaches the budget",
    events: &[HookEvent::PreToolUse],
    tools: ToolMatch::Any,
    flag: None,
    rules: RULES,
    evaluate,
};

fn evaluate(_: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    let Some(tool) = input.tool().filter(|_| opted_in(ctx)) else {
        return Outcome::none();
    };
    if is_read_only(&tool) {
        return Outcome::none();
    }
    let snap = Snapshot {
        env_budget: ctx.world.var(ENV_BUDGET_USD),
        // Unreadable means "no recorded spend"; budget-check reports it.
        file: ctx
            .world
            .read(&ctx.state_dir().join(agentops_cost::BUDGET_FILE), 1 << 20)
            .ok(),
    };
    decide(&tool, &snap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use agentops_core::Flags;
    use serde_json::json;

    #[test]
    fn denies_all_but_reads_once_spent() {
        let spent = Snapshot {
            env_budget: None,
            file: Some(br#"{"budget_usd":2,"spent":2.5}"#.to_vec()),
        };
        let under = Snapshot {
            env_budget: None,
            file: Some(br#"{"budget_usd":2,"spent":1.99}"#.to_vec()),
        };
        let raised = Snapshot {
            env_budget: Some("10".into()),
            ..spent.clone()
        };
        let bad_env = Snapshot {
            env_budget: Some("lots".into()),
            ..spent.clone()
        };
        let cases: &[(&str, &Snapshot, bool)] = &[
            ("Bash", &spent, true),
            ("Write", &spent, true),
            ("WebFetch", &spent, true),
            ("Agent", &spent, true),
            ("mcp__github__create_issue", &spent, true),
            ("Read", &spent, false),
            ("Grep", &spent, false),
            ("Glob", &spent, false),
            ("LS", &spent, false),
            ("Bash", &under, false),
            ("Bash", &raised, false),
            ("Bash", &bad_env, true),
            ("Bash", &Snapshot::default(), false),
            (
                "Bash",
                &Snapshot {
                    env_budget: None,
                    file: Some(b"garbage".to_vec()),
                },
                false,
            ),
        ];
        for (tool, snap, denied) in cases {
            let out = decide(&Tool::from_name(tool), snap);
            assert_eq!(!out.findings.is_empty(), *denied, "{tool} {snap:?}");
            if *denied {
                assert_eq!(out.findings[0].rule.id, "SPEND001");
            }
        }
    }

    #[test]
    fn only_an_explicit_true_opts_in() {
        let cases = [
            (json!(true), true),
            (json!("true"), true),
            (json!(false), false),
            (json!("yes"), false),
        ];
        for (value, on) in cases {
            let ctx = Context {
                flags: Flags::from_pairs([(FLAG, value.clone())]),
                ..Context::default()
            };
            assert_eq!(opted_in(&ctx), on, "{value}");
        }
        assert!(!opted_in(&Context::default()));
    }

    #[test]
    fn evaluate_reads_the_project_budget_file() {
        let world = agentops_core::MemoryWorld::new()
            .file("/p/.agentops/budget.json", r#"{"budget_usd":1,"spent":3}"#);
        let ctx = Context {
            flags: Flags::from_pairs([(FLAG, json!(true))]),
            project_dir: "/p".into(),
            world: std::sync::Arc::new(world),
            ..Context::default()
        };
        let bash: HookInput =
            serde_json::from_value(json!({"tool_name": "Bash", "tool_input": {"command": "ls"}}))
                .expect("payload");
        let out = BUDGET_ENFORCEMENT.evaluate(HookEvent::PreToolUse, &bash, &ctx);
        assert_eq!(out.findings.len(), 1);
        let off = Context {
            flags: Flags::default(),
            ..ctx
        };
        assert!(BUDGET_ENFORCEMENT
            .evaluate(HookEvent::PreToolUse, &bash, &off)
            .is_empty());
    }

    /// The cases where budget-enforcement and budget-check used to
    /// disagree: both now read the same [`Budget`].
    #[test]
    fn both_budget_policies_agree() {
        use crate::workflow::budget_check;
        // (budget.json, AGENTOPS_BUDGET_USD, Bash denied, budget-check warns,
        // budget-check reports a problem)
        type Case<'a> = (Option<&'a str>, Option<&'a str>, bool, bool, bool);
        let cases: &[Case] = &[
            // Zero is a budget of nothing: spent at once.
            (Some(r#"{"budget_usd":0}"#), None, true, true, false),
            (
                Some(r#"{"budget_usd":"0","spent":0}"#),
                None,
                true,
                true,
                false,
            ),
            (None, Some("0"), true, true, false),
            (Some(r#"{"budget_usd":0}"#), Some("10"), false, false, false),
            // No file yet: nothing spent, $5.
            (None, None, false, false, false),
            // A bad override is ignored: the file's budget applies.
            (
                Some(r#"{"budget_usd":2,"spent":2.5}"#),
                Some("lots"),
                true,
                true,
                true,
            ),
            (
                Some(r#"{"budget_usd":10,"spent":6}"#),
                Some("-2"),
                false,
                false,
                true,
            ),
            (
                Some(r#"{"budget_usd":2,"spent":1}"#),
                Some(""),
                false,
                false,
                false,
            ),
            // A negative or non-number budget in the file means $5.
            (
                Some(r#"{"budget_usd":-1,"spent":4.5}"#),
                None,
                false,
                true,
                true,
            ),
            (
                Some(r#"{"budget_usd":-1,"spent":6}"#),
                None,
                true,
                true,
                true,
            ),
            (
                Some(r#"{"budget_usd":"lots","spent":5}"#),
                None,
                true,
                true,
                true,
            ),
            (
                Some(r#"{"budget_usd":[3],"spent":1}"#),
                None,
                false,
                false,
                true,
            ),
            // Not a JSON object: nothing recorded (budget-check reports it).
            (Some("garbage"), None, false, false, false),
        ];
        for &(file, env, denied, warns, problem) in cases {
            let gate = decide(
                &Tool::from_name("Bash"),
                &Snapshot {
                    env_budget: env.map(String::from),
                    file: file.map(|f| f.as_bytes().to_vec()),
                },
            );
            assert_eq!(!gate.findings.is_empty(), denied, "gate {file:?} {env:?}");
            let check = budget_check::decide(&budget_check::Snapshot {
                env_budget: env.map(String::from),
                env_warn_pct: None,
                file: file.map(String::from),
                now: 0,
            });
            let warned = check.findings.iter().any(|f| f.rule.id == "BUDGET001");
            assert_eq!(warned, warns, "check {file:?} {env:?}: {check:?}");
            let reported = check.messages.iter().any(|m| m.starts_with("agentops:"));
            assert_eq!(reported, problem, "check {file:?} {env:?}: {check:?}");
            // Same model, same numbers.
            let snap = Snapshot {
                env_budget: env.map(String::from),
                file: file.map(|f| f.as_bytes().to_vec()),
            };
            assert_eq!(
                budget(&snap).budget_usd,
                budget_check::budget(&budget_check::Snapshot {
                    env_budget: env.map(String::from),
                    file: file.map(String::from),
                    ..Default::default()
                })
                .budget_usd
            );
        }
    }
}
