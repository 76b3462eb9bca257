//! Merging every policy's outcome into the one JSON answer Claude Code reads.
//!
//! Precedence: hard deny > deny > ask > allow. Reasons are kept in registry
//! order, each prefixed with its rule id; contexts and messages likewise.

use serde_json::{json, Map, Value};

use crate::context::Context;
use crate::event::HookEvent;
use crate::flags::EnforcementMode;
use crate::input::HookInput;
use crate::outcome::{Effect, Finding, Outcome};
use crate::rule::Severity;

/// The gate decision for a tool call, ordered by strength.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Decision {
    /// No objection: the answer states no decision, so Claude Code's own
    /// permission rules apply.
    #[default]
    Allow,
    /// Allow explicitly (`permissionDecision: allow`), skipping the client's
    /// permission prompt: the permission autopilot's answer for commands
    /// whose every effect is known to be harmless. Anything stronger wins.
    Approve,
    /// Have the user approve the call. Only PreToolUse can ask; on
    /// PermissionRequest the dialog already is the ask, and elsewhere it
    /// becomes a note.
    Ask,
    /// Refuse the call; on Stop, SubagentStop, UserPromptSubmit and
    /// PostToolUse the answer blocks instead.
    Deny,
    /// Deny that no mode can relax.
    HardDeny,
}

impl Decision {
    /// The wire value of `permissionDecision`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow | Decision::Approve => "allow",
            Decision::Ask => "ask",
            Decision::Deny | Decision::HardDeny => "deny",
        }
    }
}

/// How one finding is enforced in this context.
pub fn decision_for(finding: &Finding, input: &HookInput, ctx: &Context) -> Option<Decision> {
    match finding.rule.severity {
        Severity::Hard => Some(Decision::HardDeny),
        Severity::Guide | Severity::Warn => None,
        Severity::Approve => Some(Decision::Approve),
        Severity::Confirm => Some(Decision::Ask),
        _ if ctx.soft_rules_relaxed(input).is_some() => None,
        Severity::Ask => Some(Decision::Ask),
        Severity::Deny => Some(Decision::Deny),
        Severity::Soft => Some(match ctx.enforcement() {
            EnforcementMode::Advisory => Decision::Ask,
            EnforcementMode::Blocking => Decision::Deny,
        }),
    }
}

/// A finding that decided something, for logs and `agentops replay`.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Name of the policy that reported it (`engine` for the engine's own
    /// rules).
    pub policy: &'static str,
    /// The finding as the policy returned it.
    pub finding: Finding,
    /// How it was enforced; `None` for guidance, notes and relaxed rules.
    pub decision: Option<Decision>,
}

/// The merged answer to one hook event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HookAnswer {
    /// The strongest decision of any finding; [`Decision::Allow`] when none
    /// gated.
    pub decision: Decision,
    /// Gate reasons, strongest first, then registry order.
    pub reasons: Vec<String>,
    /// Text for the model (`additionalContext`); on events without that field
    /// it is shown to the user instead.
    pub context: Vec<String>,
    /// Text for the user (`systemMessage`): notes, advisories, failures.
    pub messages: Vec<String>,
    /// Every finding with the policy that reported it and how it was
    /// enforced, for the audit log and `agentops replay`.
    pub verdicts: Vec<Verdict>,
    /// The policies' effects in registry order; the engine adds its audit and
    /// telemetry records.
    pub effects: Vec<Effect>,
}

impl HookAnswer {
    /// Merge outcomes given in registry order.
    pub fn merge(
        outcomes: Vec<(&'static str, Outcome)>,
        input: &HookInput,
        ctx: &Context,
    ) -> HookAnswer {
        let mut answer = HookAnswer::default();
        let mut gated: Vec<(Decision, String)> = Vec::new();
        let relaxed = ctx.soft_rules_relaxed(input);
        for (policy, outcome) in outcomes {
            for finding in outcome.findings {
                let decision = decision_for(&finding, input, ctx);
                match decision {
                    // An ask or deny says what to do instead, so the agent
                    // can continue; an approval has nothing to offer.
                    Some(d) if d >= Decision::Ask => gated.push((d, finding.describe_gating())),
                    Some(d) => gated.push((d, finding.describe())),
                    // Guidance speaks to the model, in registry order.
                    None if finding.rule.severity == Severity::Guide => answer
                        .context
                        .push(format!("agentops: {}", finding.describe())),
                    None if finding.text.is_some() => answer
                        .messages
                        .push(format!("agentops: {}", finding.describe())),
                    None => answer
                        .messages
                        .push(match (finding.rule.severity, relaxed) {
                            (Severity::Ask | Severity::Soft | Severity::Deny, Some(why)) => {
                                format!(
                                    "agentops: advisory ({why}, not enforced): {}",
                                    finding.describe()
                                )
                            }
                            _ => format!("agentops: {}", finding.describe()),
                        }),
                }
                answer.verdicts.push(Verdict {
                    policy,
                    finding,
                    decision,
                });
            }
            answer.context.extend(outcome.context);
            answer.messages.extend(outcome.messages);
            answer.effects.extend(outcome.effects);
        }
        // Stable sort keeps registry order among equal strengths.
        gated.sort_by_key(|g| std::cmp::Reverse(g.0));
        answer.decision = gated.first().map_or(Decision::Allow, |g| g.0);
        // An approval explains only itself: when something asks or denies,
        // the reasons are theirs alone.
        let decision = answer.decision;
        answer.reasons = gated
            .into_iter()
            .filter(|g| g.0 != Decision::Approve || decision == Decision::Approve)
            .map(|g| g.1)
            .collect();
        answer
    }

    /// An answer that refuses the call because agentops itself could not
    /// decide (bad input, internal error).
    pub fn fail_closed(reason: String) -> HookAnswer {
        HookAnswer {
            decision: Decision::HardDeny,
            reasons: vec![reason],
            ..HookAnswer::default()
        }
    }

    /// The JSON object to print for `event`, or `None` to print nothing.
    /// `stop_hook_active` stops a Stop hook from blocking twice in a row.
    pub fn to_json(&self, event: HookEvent, stop_hook_active: bool) -> Option<Value> {
        let mut out = Map::new();
        let mut specific = Map::new();
        let mut messages = self.messages.clone();
        let mut context = self.context.clone();
        let reasons = self.reasons.join("; ");
        let gating = self.decision >= Decision::Ask;

        match event {
            HookEvent::PreToolUse | HookEvent::PreSkillShellCommand => {
                if gating || self.decision == Decision::Approve {
                    specific.insert("permissionDecision".into(), json!(self.decision.as_str()));
                    specific.insert(
                        "permissionDecisionReason".into(),
                        json!(format!("agentops: {reasons}")),
                    );
                }
            }
            HookEvent::PermissionRequest => {
                if self.decision >= Decision::Deny {
                    specific.insert(
                        "decision".into(),
                        json!({"behavior": "deny", "message": format!("agentops: {reasons}")}),
                    );
                } else if gating {
                    // The permission dialog is already the "ask"; explain why.
                    messages.push(format!("agentops: review this request: {reasons}"));
                }
            }
            HookEvent::Elicitation => {
                // Declined for the user; what the server asked and why is
                // shown to them.
                if self.decision >= Decision::Deny {
                    specific.insert("action".into(), json!("decline"));
                    messages.push(format!(
                        "agentops declined an MCP server's request: {reasons}"
                    ));
                } else if gating {
                    messages.push(format!("agentops: {reasons}"));
                }
            }
            HookEvent::ConfigChange => {
                // Blocking keeps the settings the session has; the user
                // is told what the change would have done.
                if self.decision >= Decision::Deny {
                    out.insert("decision".into(), json!("block"));
                    out.insert("reason".into(), json!(format!("agentops: {reasons}")));
                    messages.push(format!(
                        "agentops blocked a settings change that would unwire it: {reasons}. The session keeps its current settings; the next tool call waits for your approval. Start a new session to apply the change on purpose, or turn config_guard_enabled off."
                    ));
                } else if gating {
                    messages.push(format!("agentops: {reasons}"));
                }
            }
            HookEvent::Stop
            | HookEvent::SubagentStop
            | HookEvent::UserPromptSubmit
            | HookEvent::PostToolUse => {
                let may_block = !(event.can_block() && stop_hook_active);
                if self.decision >= Decision::Deny && may_block {
                    out.insert("decision".into(), json!("block"));
                    out.insert("reason".into(), json!(format!("agentops: {reasons}")));
                } else if gating {
                    messages.push(format!("agentops: {reasons}"));
                }
            }
            _ => {
                if gating {
                    messages.push(format!("agentops: {reasons}"));
                }
            }
        }

        if !context.is_empty() {
            if supports_additional_context(event) {
                specific.insert("additionalContext".into(), json!(context.join("\n\n")));
            } else {
                messages.append(&mut context);
            }
        }
        if matches!(
            event,
            HookEvent::SessionStart | HookEvent::CwdChanged | HookEvent::FileChanged
        ) {
            let watch: Vec<String> = self
                .effects
                .iter()
                .filter_map(|e| match e {
                    Effect::WatchPath { path } => Some(path.to_string_lossy().into_owned()),
                    _ => None,
                })
                .collect();
            if !watch.is_empty() {
                specific.insert("watchPaths".into(), json!(watch));
            }
        }
        if !specific.is_empty() {
            specific.insert("hookEventName".into(), json!(event.as_str()));
            out.insert("hookSpecificOutput".into(), Value::Object(specific));
        }
        if !messages.is_empty() {
            out.insert("systemMessage".into(), json!(messages.join("\n")));
        }
        (!out.is_empty()).then_some(Value::Object(out))
    }
}

fn supports_additional_context(event: HookEvent) -> bool {
    matches!(
        event,
        HookEvent::PreToolUse
            | HookEvent::PostToolUse
            | HookEvent::PostToolUseFailure
            | HookEvent::PostToolBatch
            | HookEvent::UserPromptSubmit
            | HookEvent::SessionStart
            | HookEvent::SubagentStart
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::Flags;
    use crate::outcome::Finding;
    use crate::rule::Rule;
    use serde_json::json;

    static HARD: Rule = Rule {
        id: "T001",
        name: "hard",
        policy: "test",
        severity: Severity::Hard,
        reason: "hard thing",
        why: "a rule for tests",
        fires: "",
        instead: "",
        passes: "",
    };
    static SOFT: Rule = Rule {
        id: "T002",
        name: "soft",
        policy: "test",
        severity: Severity::Soft,
        reason: "soft thing",
        why: "a rule for tests",
        fires: "",
        instead: "",
        passes: "",
    };
    static CONFIRM: Rule = Rule {
        id: "T004",
        name: "confirm",
        policy: "test",
        severity: Severity::Confirm,
        reason: "switches a guard off",
        why: "a rule for tests",
        fires: "",
        instead: "",
        passes: "",
    };
    static WARN: Rule = Rule {
        id: "T003",
        name: "warn",
        policy: "test",
        severity: Severity::Warn,
        reason: "note",
        why: "a rule for tests",
        fires: "",
        instead: "",
        passes: "",
    };

    fn blocking() -> Context {
        Context {
            flags: Flags::from_pairs([("enforcement_mode", json!("blocking"))]),
            ..Context::default()
        }
    }

    fn bypass() -> HookInput {
        serde_json::from_str(r#"{"permission_mode":"bypassPermissions"}"#).expect("json")
    }

    #[test]
    fn hard_beats_soft_and_reasons_are_prefixed_strongest_first() {
        let a = HookAnswer::merge(
            vec![
                ("p1", Outcome::finding(&SOFT)),
                ("p2", Outcome::finding(&HARD)),
            ],
            &HookInput::default(),
            &Context::default(),
        );
        assert_eq!(a.decision, Decision::HardDeny);
        assert_eq!(a.reasons, ["[T001] hard thing", "[T002] soft thing"]);
        let out = a.to_json(HookEvent::PreToolUse, false).expect("output");
        assert_eq!(
            out,
            json!({"hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": "deny",
                "permissionDecisionReason": "agentops: [T001] hard thing; [T002] soft thing"
            }})
        );
    }

    #[test]
    fn gating_reasons_end_with_what_to_do_instead_and_notes_do_not() {
        static WITH_INSTEAD: Rule = Rule {
            id: "T002",
            name: "soft",
            policy: "test",
            severity: Severity::Soft,
            reason: "soft thing",
            why: "a rule for tests",
            fires: "",
            passes: "",
            instead: "",
        }
        .with_instead("do the safe thing");
        let input = HookInput::default();
        let asked = HookAnswer::merge(
            vec![("p", Outcome::finding(&WITH_INSTEAD))],
            &input,
            &Context::default(),
        );
        assert_eq!(
            asked.reasons,
            ["[T002] soft thing — instead: do the safe thing"]
        );
        let specific = Outcome {
            findings: vec![Finding::with_subject(&WITH_INSTEAD, "cmd").instead("`exact cmd`")],
            ..Outcome::default()
        };
        let asked = HookAnswer::merge(vec![("p", specific)], &input, &Context::default());
        assert_eq!(
            asked.reasons,
            ["[T002] soft thing: cmd — instead: `exact cmd`"]
        );
        let noted = HookAnswer::merge(
            vec![("p", Outcome::finding(&WITH_INSTEAD))],
            &bypass(),
            &blocking(),
        );
        assert_eq!(noted.decision, Decision::Allow);
        assert!(
            noted.messages.iter().all(|m| !m.contains("instead")),
            "{:?}",
            noted.messages
        );
        let plain = HookAnswer::merge(
            vec![("p", Outcome::finding(&SOFT))],
            &input,
            &Context::default(),
        );
        assert_eq!(plain.reasons, ["[T002] soft thing"]);
    }

    #[test]
    fn soft_rules_follow_enforcement_mode() {
        let input = HookInput::default();
        let advisory = HookAnswer::merge(
            vec![("p", Outcome::finding(&SOFT))],
            &input,
            &Context::default(),
        );
        assert_eq!(advisory.decision, Decision::Ask);
        let strict = HookAnswer::merge(vec![("p", Outcome::finding(&SOFT))], &input, &blocking());
        assert_eq!(strict.decision, Decision::Deny);
    }

    #[test]
    fn bypass_turns_soft_rules_into_notes_but_not_hard_ones() {
        let soft = HookAnswer::merge(vec![("p", Outcome::finding(&SOFT))], &bypass(), &blocking());
        assert_eq!(soft.decision, Decision::Allow);
        let out = soft.to_json(HookEvent::PreToolUse, false).expect("note");
        let msg = out["systemMessage"].as_str().expect("message");
        assert!(
            msg.contains("bypass mode") && msg.contains("[T002]"),
            "{msg}"
        );
        assert!(out.get("hookSpecificOutput").is_none());

        let hard = HookAnswer::merge(vec![("p", Outcome::finding(&HARD))], &bypass(), &blocking());
        assert_eq!(hard.decision, Decision::HardDeny);

        let confirm = HookAnswer::merge(
            vec![("p", Outcome::finding(&CONFIRM))],
            &bypass(),
            &blocking(),
        );
        assert_eq!(
            confirm.decision,
            Decision::Ask,
            "guard-disabling actions always ask"
        );
    }

    #[test]
    fn nothing_to_say_prints_nothing() {
        let a = HookAnswer::merge(
            vec![("p", Outcome::none())],
            &HookInput::default(),
            &Context::default(),
        );
        for e in HookEvent::ALL {
            assert_eq!(a.to_json(e, false), None, "{e}");
        }
    }

    #[test]
    fn stop_blocks_with_decision_block_unless_already_active() {
        let a = HookAnswer::merge(
            vec![("p", Outcome::finding(&SOFT))],
            &HookInput::default(),
            &blocking(),
        );
        assert_eq!(
            a.to_json(HookEvent::Stop, false),
            Some(json!({"decision": "block", "reason": "agentops: [T002] soft thing"}))
        );
        let again = a.to_json(HookEvent::Stop, true).expect("note");
        assert!(again.get("decision").is_none());
        assert!(again["systemMessage"]
            .as_str()
            .is_some_and(|m| m.contains("T002")));
        // Advisory mode never blocks a stop: it only tells the user.
        let advisory = HookAnswer::merge(
            vec![("p", Outcome::finding(&SOFT))],
            &HookInput::default(),
            &Context::default(),
        );
        let out = advisory
            .to_json(HookEvent::SubagentStop, false)
            .expect("note");
        assert!(out.get("decision").is_none());
    }

    #[test]
    fn context_goes_where_the_event_accepts_it() {
        let outcome = Outcome {
            context: vec!["read this".into()],
            ..Outcome::default()
        };
        let a = HookAnswer::merge(
            vec![("p", outcome)],
            &HookInput::default(),
            &Context::default(),
        );
        assert_eq!(
            a.to_json(HookEvent::SessionStart, false),
            Some(
                json!({"hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": "read this"}})
            )
        );
        assert_eq!(
            a.to_json(HookEvent::Notification, false),
            Some(json!({"systemMessage": "read this"}))
        );
    }

    #[test]
    fn permission_request_denies_with_behavior() {
        let a = HookAnswer::merge(
            vec![("p", Outcome::finding(&HARD))],
            &HookInput::default(),
            &Context::default(),
        );
        let out = a.to_json(HookEvent::PermissionRequest, false).expect("out");
        assert_eq!(out["hookSpecificOutput"]["decision"]["behavior"], "deny");
        assert_eq!(
            out["hookSpecificOutput"]["hookEventName"],
            "PermissionRequest"
        );
    }

    #[test]
    fn warnings_reach_the_user() {
        let a = HookAnswer::merge(
            vec![("p", Outcome::finding(&WARN))],
            &HookInput::default(),
            &Context::default(),
        );
        assert_eq!(a.decision, Decision::Allow);
        assert_eq!(
            a.to_json(HookEvent::PostToolUse, false),
            Some(json!({"systemMessage": "agentops: [T003] note"}))
        );
    }
}
