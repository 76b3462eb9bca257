//! audit-log: one record in `.agentops/audit.jsonl` per tool event, with
//! the merged decision and every rule that fired, built by the engine
//! after merging. Records of other events are kept when something fired
//! (a blocked stop, a flagged prompt) and at session start and end.
//!
//! The engine appends the record through the hash chain (see
//! `agentops_records::chain`), which also redacts every record written to
//! the audit log, whoever wrote it.

use agentops_core::output::Verdict;
use agentops_core::{
    Context, Decision, Effect, FlagKind, HookAnswer, HookEvent, HookInput, CUSTOM_RULES_POLICY,
};
use serde_json::{json, Map, Value};

use super::clock::Instant;
use super::{redact_bounded, redact_value_bounded};

/// The audit log in `.agentops/`.
pub const AUDIT_LOG: &str = "audit.jsonl";
/// `false` turns the audit log off (it is on by default).
pub const FLAG: &str = "audit_log_enabled";
/// Characters of the tool input kept, after redaction.
pub const MAX_INPUT_CHARS: usize = 2000;
/// Characters of an error or rule subject kept, after redaction.
pub const MAX_DETAIL_CHARS: usize = 500;

/// Whether the audit log is on (the [`FLAG`] is a security flag: only
/// an explicit `false` turns it off).
pub fn enabled(ctx: &Context) -> bool {
    ctx.flags.enabled(FLAG, FlagKind::Security)
}

/// How the answer reads in the log: the gate decision on gate events,
/// `block` where a stop or prompt was blocked, nothing otherwise.
pub fn decision_label(event: HookEvent, answer: &HookAnswer) -> Option<&'static str> {
    if event.is_gate() {
        return Some(answer.decision.as_str());
    }
    let blockable =
        event.can_block() || matches!(event, HookEvent::UserPromptSubmit | HookEvent::PostToolUse);
    (blockable && answer.decision >= Decision::Deny).then_some("block")
}

/// Rule ids in the order they fired, each once.
pub fn rule_ids(verdicts: &[Verdict]) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = Vec::new();
    for v in verdicts {
        if !ids.contains(&v.finding.rule.id) {
            ids.push(v.finding.rule.id);
        }
    }
    ids
}

/// The audit record for one run, or `None` when the event is not audited
/// or the log is switched off.
pub fn record(
    event: HookEvent,
    input: &HookInput,
    answer: &HookAnswer,
    ctx: &Context,
    now: Instant,
) -> Option<Effect> {
    if !enabled(ctx) {
        return None;
    }
    let always =
        event.is_tool_event() || matches!(event, HookEvent::SessionStart | HookEvent::SessionEnd);
    if !always && answer.verdicts.is_empty() {
        return None;
    }
    let mut r = Map::new();
    r.insert("ts".into(), json!(now.iso()));
    r.insert("event".into(), json!(event.as_str()));
    // Every text put in is redacted here: the record is appended as it
    // is (`Effect::AppendRedactedRecord`).
    r.insert(
        "session".into(),
        json!(
            redact_bounded(
                input.session_id.as_deref().unwrap_or("unknown"),
                MAX_DETAIL_CHARS
            )
            .0
        ),
    );
    let mut put = |k: &str, v: Option<&str>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            r.insert(k.into(), json!(redact_bounded(v, MAX_DETAIL_CHARS).0));
        }
    };
    put("tool", input.tool_name.as_deref());
    put("tool_use_id", input.tool_use_id.as_deref());
    put("agent_id", input.agent_id.as_deref());
    put("agent_type", input.agent_type.as_deref());
    put("permission_mode", input.permission_mode.as_deref());
    put("agent", input.agentops_agent.as_deref());
    put("source", input.source.as_deref());
    put("reason", input.reason.as_deref());
    r.insert("mode".into(), json!(ctx.runtime_mode.as_str()));
    r.insert("enforcement".into(), json!(ctx.enforcement().as_str()));
    if let Some(d) = decision_label(event, answer) {
        r.insert("decision".into(), json!(d));
        if answer.decision == Decision::HardDeny {
            r.insert("hard".into(), json!(true));
        }
    }
    r.insert("rules".into(), json!(rule_ids(&answer.verdicts)));
    if !answer.verdicts.is_empty() {
        let findings: Vec<Value> = answer
            .verdicts
            .iter()
            .map(|v| {
                let mut f = json!({
                    "id": v.finding.rule.id,
                    "policy": v.policy,
                    "severity": v.finding.rule.severity.as_str(),
                    "decision": v.decision.map(Decision::as_str),
                });
                // A custom rule's name is where it comes from (project or
                // user rule file): the dashboard counts fires per origin.
                if let (true, Some(obj)) = (
                    v.finding.rule.policy == CUSTOM_RULES_POLICY,
                    f.as_object_mut(),
                ) {
                    obj.insert(
                        "origin".into(),
                        json!(redact_bounded(v.finding.rule.name, MAX_DETAIL_CHARS).0),
                    );
                }
                if let (Some(subject), Some(obj)) = (&v.finding.subject, f.as_object_mut()) {
                    obj.insert(
                        "subject".into(),
                        json!(redact_bounded(subject, MAX_DETAIL_CHARS).0),
                    );
                }
                f
            })
            .collect();
        r.insert("findings".into(), Value::Array(findings));
    }
    if let Some(tool_input) = &input.tool_input {
        let (text, cut) = redact_value_bounded(tool_input, MAX_INPUT_CHARS);
        r.insert("input".into(), json!(text));
        if cut {
            r.insert("input_truncated".into(), json!(true));
        }
    }
    if let Some(prompt) = input
        .prompt
        .as_deref()
        .filter(|_| !answer.verdicts.is_empty())
    {
        r.insert(
            "prompt".into(),
            json!(redact_bounded(prompt, MAX_DETAIL_CHARS).0),
        );
    }
    if event == HookEvent::PostToolUseFailure {
        if let Some(error) = &input.error {
            r.insert(
                "error".into(),
                json!(redact_value_bounded(error, MAX_DETAIL_CHARS).0),
            );
        }
        if let Some(i) = input.is_interrupt {
            r.insert("is_interrupt".into(), json!(i));
        }
    }
    Some(Effect::AppendRedactedRecord {
        log: AUDIT_LOG,
        record: Value::Object(r),
    })
}

/// The audit record for a payload the engine refused before any policy
/// ran (unreadable, malformed): the refusal itself is worth keeping.
pub fn refusal_record(
    event: HookEvent,
    answer: &HookAnswer,
    ctx: &Context,
    now: Instant,
) -> Option<Effect> {
    if !enabled(ctx) || !event.is_gate() {
        return None;
    }
    let reason = answer
        .reasons
        .first()
        .map(|r| redact_bounded(r, MAX_DETAIL_CHARS).0);
    Some(Effect::AppendRedactedRecord {
        log: AUDIT_LOG,
        record: json!({
            "ts": now.iso(),
            "event": event.as_str(),
            "session": "unknown",
            "decision": answer.decision.as_str(),
            "hard": answer.decision == Decision::HardDeny,
            "rules": rule_ids(&answer.verdicts),
            "reason": reason,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use agentops_core::{Finding, Flags, Outcome, Rule, Severity};

    static DENY: Rule = Rule {
        id: "TST001",
        name: "test-deny",
        policy: "test",
        severity: Severity::Deny,
        reason: "denied for the test",
        why: "a rule for tests",
        fires: "",
        instead: "",
        passes: "",
    };
    static WARN: Rule = Rule {
        id: "TST002",
        name: "test-warn",
        policy: "test",
        severity: Severity::Warn,
        reason: "a note",
        why: "a rule for tests",
        fires: "",
        instead: "",
        passes: "",
    };

    fn input(json: Value) -> HookInput {
        serde_json::from_value(json).expect("payload")
    }

    fn merged(findings: Vec<Finding>, input: &HookInput) -> HookAnswer {
        let outcome = Outcome {
            findings,
            ..Outcome::default()
        };
        HookAnswer::merge(vec![("test", outcome)], input, &Context::default())
    }

    fn built(
        event: HookEvent,
        input: &HookInput,
        answer: &HookAnswer,
        ctx: &Context,
    ) -> Option<Value> {
        match record(event, input, answer, ctx, Instant::from_secs(1_700_000_000)) {
            Some(Effect::AppendRedactedRecord { log, record }) => {
                assert_eq!(log, AUDIT_LOG);
                Some(record)
            }
            Some(other) => panic!("unexpected effect {other:?}"),
            None => None,
        }
    }

    #[test]
    fn a_denied_call_records_decision_rules_and_redacted_input() {
        let i = input(
            json!({"session_id": "s1", "tool_name": "Bash", "tool_use_id": "t1",
            "tool_input": {"command": "curl -H 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123' https://x"}}),
        );
        let answer = merged(
            vec![
                Finding::with_subject(&DENY, "token=ghp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                Finding::new(&WARN),
            ],
            &i,
        );
        let r = built(HookEvent::PreToolUse, &i, &answer, &Context::default()).expect("audited");
        assert_eq!(r["ts"], "2023-11-14T22:13:20Z");
        assert_eq!(r["event"], "PreToolUse");
        assert_eq!(r["session"], "s1");
        assert_eq!(r["tool"], "Bash");
        assert_eq!(r["tool_use_id"], "t1");
        assert_eq!(r["decision"], "deny");
        assert_eq!(r["rules"], json!(["TST001", "TST002"]));
        assert_eq!(r["findings"][0]["decision"], "deny");
        assert_eq!(r["findings"][1]["decision"], Value::Null);
        let text = r.to_string();
        assert!(!text.contains("abcdefghijklmnopqrstuvwxyz0123"), "{text}");
        assert!(!text.contains("ghp_AAAA"), "{text}");
        assert!(text.contains("[REDACTED"), "{text}");
    }

    #[test]
    fn every_text_field_is_redacted_as_it_is_put_in() {
        // The record is appended without a second pass
        // (`Effect::AppendRedactedRecord`): a secret in any field the
        // payload fills must already be gone.
        let key = "ghp_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
        let i = input(json!({
            "session_id": key, "tool_name": key, "tool_use_id": key, "agent_id": key,
            "agent_type": key, "permission_mode": key, "source": key, "reason": key,
            "prompt": key, "hook_event_name": "PostToolUseFailure",
            "tool_input": {"command": format!("echo {key}"), "password": "hunter2hunter2"},
            "error": {"message": format!("failed with {key}")},
        }));
        let answer = merged(vec![Finding::with_subject(&DENY, key)], &i);
        let r = built(
            HookEvent::PostToolUseFailure,
            &i,
            &answer,
            &Context::default(),
        )
        .expect("audited");
        let text = r.to_string();
        assert!(!text.contains("ghp_BBBB"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("[REDACTED"), "{text}");
        assert!(r["session"]
            .as_str()
            .is_some_and(|s| s.contains("[REDACTED")));
    }

    #[test]
    fn which_events_are_audited() {
        let tool = input(json!({"tool_name": "Read", "tool_input": {"file_path": "/a"}}));
        let quiet = merged(vec![], &tool);
        let fired = merged(vec![Finding::new(&DENY)], &tool);
        let ctx = Context::default();
        let cases = [
            (HookEvent::PreToolUse, &quiet, true),
            (HookEvent::PermissionRequest, &quiet, true),
            (HookEvent::PostToolUse, &quiet, true),
            (HookEvent::PostToolUseFailure, &quiet, true),
            (HookEvent::SessionStart, &quiet, true),
            (HookEvent::SessionEnd, &quiet, true),
            (HookEvent::Stop, &quiet, false),
            (HookEvent::Notification, &quiet, false),
            (HookEvent::Stop, &fired, true),
            (HookEvent::UserPromptSubmit, &fired, true),
        ];
        for (event, answer, audited) in cases {
            assert_eq!(
                built(event, &tool, answer, &ctx).is_some(),
                audited,
                "{event}"
            );
        }
        let off = Context {
            flags: Flags::from_pairs([(FLAG, json!(false))]),
            ..Context::default()
        };
        assert!(built(HookEvent::PreToolUse, &tool, &quiet, &off).is_none());
    }

    #[test]
    fn decisions_read_as_claude_code_applies_them() {
        let i = HookInput::default();
        let allow = merged(vec![], &i);
        let deny = merged(vec![Finding::new(&DENY)], &i);
        assert_eq!(decision_label(HookEvent::PreToolUse, &allow), Some("allow"));
        assert_eq!(decision_label(HookEvent::PreToolUse, &deny), Some("deny"));
        assert_eq!(decision_label(HookEvent::Stop, &deny), Some("block"));
        assert_eq!(decision_label(HookEvent::Stop, &allow), None);
        assert_eq!(decision_label(HookEvent::SessionStart, &deny), None);
    }

    #[test]
    fn long_input_is_cut_after_redaction() {
        let long = format!("{} AKIAABCDEFGHIJKLMNOP", "a".repeat(MAX_INPUT_CHARS - 30));
        let i = input(
            json!({"tool_name": "Write", "tool_input": {"file_path": "/f", "content": long}}),
        );
        let r = built(
            HookEvent::PostToolUse,
            &i,
            &merged(vec![], &i),
            &Context::default(),
        )
        .expect("audited");
        let text = r["input"].as_str().expect("input");
        assert_eq!(text.chars().count(), MAX_INPUT_CHARS);
        assert_eq!(r["input_truncated"], true);
        assert!(!text.contains("AKIAABCD"), "{text}");
    }

    #[test]
    fn failures_keep_a_redacted_error() {
        let i = input(json!({"tool_name": "Bash", "tool_input": {"command": "x"},
            "error": "auth failed for postgres://admin:s3cretpw@db/app", "is_interrupt": false}));
        let r = built(
            HookEvent::PostToolUseFailure,
            &i,
            &merged(vec![], &i),
            &Context::default(),
        )
        .expect("audited");
        let error = r["error"].as_str().expect("error");
        assert!(
            !error.contains("s3cretpw") && error.contains("auth failed"),
            "{error}"
        );
        assert_eq!(r["is_interrupt"], false);
    }
}
