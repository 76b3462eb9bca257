//! star-preamble: at session start, tell the agent to plan with STAR
//! (Situation, Task, Action, Result) before any non-trivial work.

use agentops_core::{
    Context, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity, ToolMatch,
};

/// The STAR planning protocol, told to the agent at session start
/// (guidance).
pub static STAR_PROTOCOL: Rule = Rule {
    id: "PREAMBLE001",
    name: "star-protocol",
    policy: "star-preamble",
    severity: Severity::Guide,
    reason: "non-trivial work starts with a STAR plan in tasks/todo.md",
    why: "An agent that starts editing before it has stated the situation, the success criteria, the steps and how it will verify them tends to wander, touch the wrong files and declare victory early. The protocol is given at every session start (and again after a compaction, which may have summarised it away); star-gate and auto-plan then hold the agent to it.",
    fires: "SessionStart: startup",
    instead: "",
    passes: "SessionStart: startup | given /p/.agentops/flags.json = {\"star_preamble_enabled\": false}",
};

static RULES: &[&Rule] = &[&STAR_PROTOCOL];

const PROTOCOL: &str = "STAR planning is required for any task with three or more steps or an architectural choice. Before changing anything, write the analysis in the chat where the user can read it: \
SITUATION - what exists today and what is missing; \
TASK - the concrete success criteria; \
ACTION - the steps, naming the files each one touches; \
RESULT - how completion will be shown (tests, observable behaviour, a demonstration). \
Then record it in tasks/todo.md as checkable items (`- [ ] ...`); /agentops:star or /agentops:plan can produce it. \
Do not start implementing until the plan is in tasks/todo.md, and never write the file without showing the plan in the chat first.";

/// Pure: the preamble. It is repeated after a compaction too: the protocol
/// still applies and the earlier reminder may have been summarised away.
pub fn decide() -> Outcome {
    Outcome::says(&STAR_PROTOCOL, PROTOCOL)
}

/// The star-preamble policy.
pub static STAR_PREAMBLE: Policy = Policy {
    name: "star-preamble",
    summary: "Reminds the agent of the STAR planning protocol at session start",
    events: &[HookEvent::SessionStart],
    tools: ToolMatch::Any,
    flag: Some(("star_preamble_enabled", FlagKind::Security)),
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, _input: &HookInput, _ctx: &Context) -> Outcome {
    decide()
}

#[cfg(test)]
mod tests {
    use super::*;
    use agentops_core::Flags;
    use serde_json::json;

    #[test]
    fn speaks_to_the_model_about_every_star_part() {
        let out = decide();
        assert!(out.context.is_empty() && out.messages.is_empty());
        assert_eq!(out.findings[0].rule.severity, Severity::Guide);
        let text = out.findings[0].describe();
        assert!(text.starts_with("[PREAMBLE001] STAR planning is required"));
        for part in ["SITUATION", "TASK", "ACTION", "RESULT", "tasks/todo.md"] {
            assert!(text.contains(part), "{part}");
        }
    }

    #[test]
    fn only_an_explicit_false_silences_it() {
        for (value, on) in [
            (json!(false), false),
            (json!("false"), false),
            (json!("off"), true),
            (json!(true), true),
        ] {
            let flags = Flags::from_pairs([("star_preamble_enabled", value.clone())]);
            assert_eq!(STAR_PREAMBLE.enabled(&flags), on, "{value}");
        }
        assert!(STAR_PREAMBLE.enabled(&Flags::default()));
    }
}
