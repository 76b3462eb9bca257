//! auto-evolve: when the agent stops with two or more unprocessed tool
//! failures and the evolve skill has not run this session, ask it to run
//! /agentops:evolve first. Advisory mode tells the user; blocking mode
//! blocks the stop once.

use agentops_core::{
    Context, Finding, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity, ToolMatch,
};

use agentops_workflow::evolve::Backlog;

/// Unprocessed failures that make evolve worth running before a stop.
pub const STOP_THRESHOLD: usize = 2;

/// AUTOEVOLVE001: the agent stops with unprocessed failures.
pub static EVOLVE_BEFORE_STOP: Rule = Rule {
    id: "AUTOEVOLVE001",
    name: "evolve-before-stop",
    policy: "auto-evolve",
    severity: Severity::Soft,
    reason:
        "unprocessed failures remain; run the agentops:evolve skill (Skill tool) before stopping",
    why: "The end of a session is the last moment its failures are in the agent's context; \
          once it stops, the evolve skill has only the log to go on. Running it before \
          stopping, when two or more failures are unprocessed, turns them into skill \
          improvements while the details are fresh. Once the skill ran this session, stops \
          are not held up again.",
    fires: r#"Stop | given /p/.agentops/failures.jsonl = {"ts":"2025-01-01T10:00:00Z"}\n{"ts":"2025-01-01T10:01:00Z"}"#,
    instead: "run /agentops:evolve first",
    passes: r#"Stop | given /p/.agentops/failures.jsonl = {"ts":"2025-01-01T10:00:00Z"}\n{"ts":"2025-01-01T10:01:00Z"} ;; /p/.agentops/evolve-ran = 2025-01-01T10:05:00Z"#,
};

static RULES: &[&Rule] = &[&EVOLVE_BEFORE_STOP];

/// Pure: ask for the evolve skill when the backlog is large enough and
/// it has not run this session.
pub fn decide(backlog: &Backlog) -> Outcome {
    if backlog.evolve_ran || backlog.unprocessed < STOP_THRESHOLD {
        return Outcome::none();
    }
    Outcome {
        findings: vec![Finding::with_subject(
            &EVOLVE_BEFORE_STOP,
            format!("{} unprocessed failures", backlog.unprocessed),
        )],
        ..Outcome::default()
    }
}

/// The auto-evolve policy.
pub static AUTO_EVOLVE: Policy = Policy {
    name: "auto-evolve",
    summary: "At stop, asks for /agentops:evolve when 2+ failures are unprocessed (blocks only in blocking mode)",
    events: &[HookEvent::Stop],
    tools: ToolMatch::Any,
    flag: Some(("auto_evolve_enabled", FlagKind::Automation)),
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, _input: &HookInput, ctx: &Context) -> Outcome {
    decide(&Backlog::read(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let backlog = |unprocessed, evolve_ran| Backlog {
            recorded: unprocessed,
            unprocessed,
            evolve_ran,
            last_nudge: 0,
        };
        for (b, fires) in [
            (backlog(0, false), false),
            (backlog(1, false), false),
            (backlog(2, false), true),
            (backlog(9, false), true),
            (backlog(9, true), false),
        ] {
            let out = decide(&b);
            assert_eq!(out.findings.len(), usize::from(fires), "{b:?}");
        }
        assert_eq!(
            decide(&backlog(3, false)).findings[0].subject.as_deref(),
            Some("3 unprocessed failures")
        );
    }
}
