//! code-field-preamble: at session start, give the agent the Code Field
//! method: decompose, solve with stated confidence, verify, synthesise,
//! reflect, and report answers with confidence and caveats.

use agentops_core::{
    Context, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity, ToolMatch,
};

/// The Code Field method, told to the agent at session start (guidance).
pub static CODE_FIELD_METHOD: Rule = Rule {
    id: "CODEFIELD001",
    name: "code-field-method",
    policy: "code-field-preamble",
    severity: Severity::Guide,
    reason: "code changes follow the Code Field method with explicit confidence",
    why: "Agents state guesses with the same assurance as facts. Asking for a confidence per part, a verification pass and an Answer/Confidence/Caveats ending makes weak spots visible to the user before they are merged, and tells the agent when to research or ask instead of writing code.",
    fires: "SessionStart: startup",
    instead: "",
    passes: "SessionStart: startup | given /p/.agentops/flags.json = {\"code_field_rules_enabled\": false}",
};

static RULES: &[&Rule] = &[&CODE_FIELD_METHOD];

const METHOD: &str = "Code Field method, for writing or materially changing code:
1. DECOMPOSE the problem into parts, noting their dependencies and order.
2. SOLVE each part and give it a confidence between 0 and 1. At 0.9 or more, go ahead; at 0.7-0.8, add tests; at 0.5-0.6, check your assumptions first; below 0.5, research or ask before writing code.
3. VERIFY each solution: does the reasoning hold, are the facts and references right, are edge cases covered, is this the best option or just the familiar one?
4. SYNTHESISE an overall confidence (weighted by the parts) and name every part below 0.7.
5. REFLECT when the overall confidence is under 0.8: state the weak point, get the missing information, and try again.
When you deliver a substantial answer or a non-trivial change, end with three lines:
Answer: <the solution or recommendation>
Confidence: <0.0-1.0> (<why>)
Caveats: <assumptions, limits, conditions>
This complements STAR: STAR plans the work, Code Field governs how each piece is built and reviewed.";

/// Pure: the method, at every session start.
pub fn decide() -> Outcome {
    Outcome::says(&CODE_FIELD_METHOD, METHOD)
}

/// The code-field-preamble policy.
pub static CODE_FIELD_PREAMBLE: Policy = Policy {
    name: "code-field-preamble",
    summary:
        "Gives the agent the Code Field method (confidence, verification, caveats) at session start",
    events: &[HookEvent::SessionStart],
    tools: ToolMatch::Any,
    flag: Some(("code_field_rules_enabled", FlagKind::Security)),
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
    fn names_every_step_and_the_report_format() {
        let out = decide();
        assert!(out.context.is_empty() && out.messages.is_empty());
        assert_eq!(out.findings[0].rule.severity, Severity::Guide);
        let text = out.findings[0].describe();
        assert!(text.starts_with("[CODEFIELD001] Code Field method"));
        for part in [
            "DECOMPOSE",
            "SOLVE",
            "VERIFY",
            "SYNTHESISE",
            "REFLECT",
            "Confidence:",
            "Caveats:",
        ] {
            assert!(text.contains(part), "{part}");
        }
    }

    #[test]
    fn flag_false_silences_it() {
        let off = Flags::from_pairs([("code_field_rules_enabled", json!(false))]);
        assert!(!CODE_FIELD_PREAMBLE.enabled(&off));
        assert!(CODE_FIELD_PREAMBLE.enabled(&Flags::default()));
    }
}
