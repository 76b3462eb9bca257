//! evolve-gate: when tool failures pile up (every fifth unprocessed
//! failure), tell the agent to run /agentops:evolve to learn from them.
//! Each multiple of five is announced once.

use agentops_core::{
    Context, Effect, Finding, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity,
    ToolMatch,
};

use agentops_workflow::evolve::Backlog;
use agentops_workflow::session::EVOLVE_BATCH_COUNT;

/// Failures per evolve batch.
pub const BATCH: usize = 5;

/// EVOLVE001: guidance to run the evolve loop on accumulated failures.
pub static RUN_EVOLVE: Rule = Rule {
    id: "EVOLVE001",
    name: "failures-accumulated",
    policy: "evolve-gate",
    severity: Severity::Guide,
    reason: "unprocessed failures accumulated; run /agentops:evolve to learn from them",
    why: "Failures logged in .agentops/failures.jsonl only help if someone looks for their \
          patterns; five unprocessed ones are enough to show a habit (a wrong command, a \
          missing step) worth fixing in the skills. Each batch of five is announced once; \
          failures the evolve skill already addressed do not count.",
    fires: r#"PostToolUseFailure Bash: make build => exit 2 | given /p/.agentops/failures.jsonl = {"ts":"2025-01-01T10:00:00Z"}\n{"ts":"2025-01-01T10:01:00Z"}\n{"ts":"2025-01-01T10:02:00Z"}\n{"ts":"2025-01-01T10:03:00Z"}"#,
    instead: "",
    passes: r#"PostToolUseFailure Bash: make build => exit 2 | given /p/.agentops/failures.jsonl = {"ts":"2025-01-01T10:00:00Z"}\n{"ts":"2025-01-01T10:01:00Z"}\n{"ts":"2025-01-01T10:02:00Z"}\n{"ts":"2025-01-01T10:03:00Z"} ;; /p/.agentops/feedback-history.jsonl = {"addressed":["2025-01-01T10:00:00Z"]}"#,
};

static RULES: &[&Rule] = &[&RUN_EVOLVE];

/// Pure: `unprocessed` already counts the failure being reported;
/// `last_nudge` is the batch size last announced.
pub fn decide(input: &HookInput, unprocessed: usize, last_nudge: usize) -> Outcome {
    if input.is_bypass() || unprocessed < BATCH {
        return Outcome::none();
    }
    let batch = unprocessed / BATCH * BATCH;
    if batch <= last_nudge {
        return Outcome::none();
    }
    Outcome {
        findings: vec![Finding::with_text(
            &RUN_EVOLVE,
            format!("{unprocessed} unprocessed tool failures have accumulated. Run /agentops:evolve now to analyse their patterns and propose skill improvements; it needs only the Read and Agent tools."),
        )],
        effects: vec![Effect::WriteState {
            name: EVOLVE_BATCH_COUNT,
            contents: format!("{batch}\n").into_bytes(),
        }],
        ..Outcome::default()
    }
}

/// The unprocessed-failure count at which the next nudge comes, given the
/// count now and the batch last announced: the smallest later count that
/// [`decide`] answers (what `agentops evolve status` shows).
pub fn next_nudge_at(unprocessed: usize, last_nudge: usize) -> usize {
    let next_batch = (last_nudge / BATCH + 1) * BATCH;
    next_batch.max(unprocessed + 1).max(BATCH)
}

/// The evolve-gate policy.
pub static EVOLVE_GATE: Policy = Policy {
    name: "evolve-gate",
    summary: "Tells the agent to run /agentops:evolve at every fifth unprocessed failure",
    events: &[HookEvent::PostToolUseFailure],
    tools: ToolMatch::Only(agentops_workflow::session::FAILURE_HOOK_TOOLS),
    flag: Some(("auto_evolve_enabled", FlagKind::Automation)),
    rules: RULES,
    evaluate,
};

fn evaluate(event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    let backlog = Backlog::read(ctx);
    // failure-collector records this failure in the same run, after
    // every decision is taken; count it now when it will.
    let collector = &crate::observability::failures::FAILURE_COLLECTOR;
    let recorded_now = collector.applies(event, input) && collector.enabled(&ctx.flags);
    let current = usize::from(recorded_now);
    decide(input, backlog.unprocessed + current, backlog.last_nudge)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(mode: &str) -> HookInput {
        HookInput {
            tool_name: Some("Bash".into()),
            permission_mode: Some(mode.into()),
            ..HookInput::default()
        }
    }

    #[test]
    fn next_nudge_is_where_decide_first_speaks() {
        for last in [0, 5, 10] {
            for now in 0..17 {
                let first = (now + 1..100)
                    .find(|n| !decide(&input("default"), *n, last).is_empty())
                    .expect("a nudge comes");
                assert_eq!(next_nudge_at(now, last), first, "now {now}, last {last}");
            }
        }
    }

    #[test]
    fn table() {
        let cases: &[(&str, usize, usize, Option<usize>)] = &[
            ("default", 0, 0, None),
            ("default", 4, 0, None),
            ("default", 5, 0, Some(5)),
            ("default", 6, 0, Some(5)),
            ("default", 6, 5, None),
            ("default", 9, 5, None),
            ("default", 10, 5, Some(10)),
            ("default", 12, 10, None),
            ("bypassPermissions", 10, 0, None),
        ];
        for (mode, unprocessed, last, batch) in cases {
            let out = decide(&input(mode), *unprocessed, *last);
            match batch {
                None => assert!(out.is_empty(), "{mode} {unprocessed} {last}"),
                Some(b) => {
                    assert!(out.context.is_empty());
                    assert!(out.findings[0].describe().contains("[EVOLVE001]"));
                    assert_eq!(
                        out.effects,
                        [Effect::WriteState {
                            name: EVOLVE_BATCH_COUNT,
                            contents: format!("{b}\n").into_bytes()
                        }]
                    );
                }
            }
        }
    }
}
