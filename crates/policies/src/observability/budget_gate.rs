//! budget-enforcement (opt-in): once `.agentops/budget.json` says the
//! budget is spent, new tool calls are denied except reads, so the agent
//! can still look around and report but not keep spending on work.
//!
//! Off unless flags.json sets `budget_enforcement_enabled` to `true`. The
//! spend it reads is kept current by the engine's cost accounting, which
//! runs after every tool call while this flag is on. The budget is
//! `AGENTOPS_BUDGET_USD` if set, else the file's `budget_usd`, else $5
//! (the same order budget-check uses).

use agentops_core::{
    Context, Finding, HookEvent, HookInput, Outcome, Policy, Rule, Severity, Tool, ToolMatch,
};

pub const FLAG: &str = "budget_enforcement_enabled";

pub static BUDGET_SPENT: Rule = Rule {
    id: "SPEND001",
    name: "budget-spent",
    policy: "budget-enforcement",
    severity: Severity::Deny,
    reason:
        "the budget in .agentops/budget.json is spent; only reading tools run until it is raised",
    ..Rule::PENDING_DOCS
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

/// Pure: deny a non-reading tool once spend has reached the budget.
pub fn decide(tool: &Tool, snap: &Snapshot) -> Outcome {
    if is_read_only(tool) {
        return Outcome::none();
    }
    let Some(mut budget) = snap.file.as_deref().and_then(agentops_cost::Budget::parse) else {
        // No budget file yet (or an unreadable one, which budget-check
        // reports): nothing has been recorded as spent.
        return Outcome::none();
    };
    if let Some(env) = snap
        .env_budget
        .as_deref()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v > 0.0)
    {
        budget.budget_usd = env;
    }
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
    let state = agentops_state::StateDir::new(&ctx.project_dir);
    let snap = Snapshot {
        env_budget: std::env::var("AGENTOPS_BUDGET_USD").ok(),
        // Unreadable means "no recorded spend"; budget-check reports it.
        file: state
            .read(agentops_cost::BUDGET_FILE, 1 << 20)
            .ok()
            .flatten(),
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
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(tmp.path().join(".agentops")).expect("mkdir");
        std::fs::write(
            tmp.path().join(".agentops/budget.json"),
            r#"{"budget_usd":1,"spent":3}"#,
        )
        .expect("write");
        let ctx = Context {
            flags: Flags::from_pairs([(FLAG, json!(true))]),
            project_dir: tmp.path().to_path_buf(),
            ..Context::default()
        };
        let bash: HookInput =
            serde_json::from_value(json!({"tool_name": "Bash", "tool_input": {"command": "ls"}}))
                .expect("payload");
        let out = BUDGET_ENFORCEMENT.evaluate(HookEvent::PreToolUse, &bash, &ctx);
        // The environment may raise the budget for the whole test process.
        if std::env::var("AGENTOPS_BUDGET_USD").is_err() {
            assert_eq!(out.findings.len(), 1);
        }
        let off = Context {
            flags: Flags::default(),
            ..ctx
        };
        assert!(BUDGET_ENFORCEMENT
            .evaluate(HookEvent::PreToolUse, &bash, &off)
            .is_empty());
    }
}
