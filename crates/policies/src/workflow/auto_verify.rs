//! auto-verify: when the agent stops with open items in `tasks/todo.md`,
//! report how far the plan got and whether tests ran. In advisory mode
//! the user is told; in blocking mode the stop is blocked once (never
//! again while `stop_hook_active` is set).

use agentops_core::{
    Context, Finding, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity, ToolMatch,
};

use agentops_workflow::session::{self, TESTS_RAN, TODO_FILE};
use agentops_workflow::todo::Counts;

/// VERIFY001: the agent stops with open plan items.
pub static PLAN_INCOMPLETE: Rule = Rule {
    id: "VERIFY001",
    name: "plan-incomplete-at-stop",
    policy: "auto-verify",
    severity: Severity::Soft,
    reason: "tasks/todo.md still has open items; finish or check them off, run the tests and confirm the STAR result before stopping",
    why: "An agent that stops with unchecked plan items has either left work undone or not \
          recorded what it finished, and the user reads its summary as \"done\". Reporting \
          how far the plan got and whether the tests ran makes the gap visible; blocking mode \
          sends the agent back once to finish or check the items off.",
    fires: r"Stop | given /p/tasks/todo.md = - [x] write the parser\n- [ ] add tests",
    instead: "finish or check off the open items in tasks/todo.md",
    passes: r"Stop | given /p/tasks/todo.md = - [x] write the parser\n- [x] add tests",
};

static RULES: &[&Rule] = &[&PLAN_INCOMPLETE];

/// Pure: `plan` is tasks/todo.md, `tests_ran` the test stamp's contents.
pub fn decide(plan: Option<&str>, tests_ran: Option<&str>) -> Outcome {
    let Some(plan) = plan else {
        return Outcome::none();
    };
    let counts = Counts::of(plan);
    if counts.open == 0 {
        return Outcome::none();
    }
    let tests = match tests_ran.map(str::trim).filter(|t| !t.is_empty()) {
        Some(at) => format!("tests ran at {at}"),
        None => "tests not run".to_string(),
    };
    Outcome {
        findings: vec![Finding::with_subject(
            &PLAN_INCOMPLETE,
            format!(
                "{}/{} items done, {} open; {tests}",
                counts.done,
                counts.total(),
                counts.open
            ),
        )],
        ..Outcome::default()
    }
}

/// The auto-verify policy.
pub static AUTO_VERIFY: Policy = Policy {
    name: "auto-verify",
    summary:
        "At stop, reports open plan items and missing test runs (blocks only in blocking mode)",
    events: &[HookEvent::Stop],
    tools: ToolMatch::Any,
    flag: Some(("auto_verify_enabled", FlagKind::Automation)),
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, _input: &HookInput, ctx: &Context) -> Outcome {
    let plan = session::read_text(
        ctx,
        &ctx.project_dir.join(TODO_FILE),
        session::DOC_READ_LIMIT,
    );
    decide(
        plan.as_deref(),
        session::read_state(ctx, TESTS_RAN).as_deref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases: &[(Option<&str>, Option<&str>, Option<&str>)] = &[
            (None, None, None),
            (Some(""), None, None),
            (Some("- [x] a\n- [x] b\n"), None, None),
            (Some("notes only\n"), None, None),
            (
                Some("- [x] a\n- [ ] b\n- [ ] c\n"),
                None,
                Some("1/3 items done, 2 open; tests not run"),
            ),
            (
                Some("- [ ] a\n"),
                Some("2025-01-01T00:00:00Z\n"),
                Some("0/1 items done, 1 open; tests ran at 2025-01-01T00:00:00Z"),
            ),
        ];
        for (plan, tests, want) in cases {
            let out = decide(*plan, *tests);
            let got = out.findings.first().map(|f| {
                assert_eq!(f.rule.id, "VERIFY001");
                f.subject.clone().unwrap_or_default()
            });
            assert_eq!(got.as_deref(), *want, "{plan:?}");
        }
    }
}
