//! telemetry: one small record per hook event in the
//! `.agentops/telemetry.jsonl` spool, built by the engine after merging.
//!
//! The hook path only appends here (a locked one-line write); turning the
//! spool into OTLP logs and spans and sending it is `agentops telemetry
//! export`'s job, so a slow collector never delays a hook.

use agentops_core::{Context, Effect, FlagKind, HookAnswer, HookEvent, HookInput};
use serde_json::{json, Map, Value};

use super::audit::{decision_label, rule_ids};
use super::clock::Instant;
use super::redact_bounded;

/// The telemetry spool in `.agentops/`.
pub const TELEMETRY_LOG: &str = "telemetry.jsonl";
/// `false` stops the spool (it is on by default).
pub const FLAG: &str = "telemetry_enabled";

/// Whether the spool is on (the [`FLAG`] is an automation flag).
pub fn enabled(ctx: &Context) -> bool {
    ctx.flags.enabled(FLAG, FlagKind::Automation)
}

/// A duration Claude Code reported in the tool response, in milliseconds.
/// Tools name it differently (`durationMs`, `duration_ms`,
/// `totalDurationMs`); none is guaranteed.
pub fn reported_duration_ms(input: &HookInput) -> Option<u64> {
    let response = input.response()?;
    ["duration_ms", "durationMs", "totalDurationMs"]
        .iter()
        .find_map(|k| response.get(*k).and_then(Value::as_u64))
}

/// The spool record for one run, or `None` when the spool is off.
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
    let mut r = Map::new();
    r.insert("ts".into(), json!(now.iso()));
    // Nanoseconds as a string: OTLP's own encoding, and exact in any JSON reader.
    r.insert("ts_ns".into(), json!(now.nanos().to_string()));
    r.insert("event".into(), json!(event.as_str()));
    r.insert(
        "session".into(),
        json!(input.session_id.as_deref().unwrap_or("unknown")),
    );
    for (key, value) in [
        ("tool", input.tool_name.as_deref()),
        ("tool_use_id", input.tool_use_id.as_deref()),
        ("agent_id", input.agent_id.as_deref()),
        ("agent_type", input.agent_type.as_deref()),
    ] {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            r.insert(key.into(), json!(redact_bounded(v, 200).0));
        }
    }
    if let Some(d) = decision_label(event, answer) {
        r.insert("decision".into(), json!(d));
    }
    let rules = rule_ids(&answer.verdicts);
    if !rules.is_empty() {
        r.insert("rules".into(), json!(rules));
    }
    if let Some(ms) = reported_duration_ms(input) {
        r.insert("duration_ms".into(), json!(ms));
    }
    if event == HookEvent::PostToolUseFailure {
        r.insert("error".into(), json!(true));
        if let Some(i) = input.is_interrupt {
            r.insert("is_interrupt".into(), json!(i));
        }
    }
    Some(Effect::AppendRecord {
        log: TELEMETRY_LOG,
        record: Value::Object(r),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use agentops_core::Flags;

    fn build(event: HookEvent, payload: Value, ctx: &Context) -> Option<Value> {
        let input: HookInput = serde_json::from_value(payload).expect("payload");
        let answer = HookAnswer::merge(vec![], &input, ctx);
        match record(
            event,
            &input,
            &answer,
            ctx,
            Instant(1_700_000_000_123_456_789),
        )? {
            Effect::AppendRecord { log, record } => {
                assert_eq!(log, TELEMETRY_LOG);
                Some(record)
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn records_event_session_tool_decision_and_duration() {
        let ctx = Context::default();
        let pre = build(
            HookEvent::PreToolUse,
            json!({"session_id": "s", "tool_name": "Bash", "tool_use_id": "t1", "tool_input": {}}),
            &ctx,
        )
        .expect("record");
        assert_eq!(pre["ts_ns"], "1700000000123456789");
        assert_eq!(pre["decision"], "allow");
        assert_eq!(pre["tool_use_id"], "t1");
        let post = build(HookEvent::PostToolUse, json!({"session_id": "s", "tool_name": "WebFetch", "tool_response": {"durationMs": 420}}), &ctx).expect("record");
        assert_eq!(post["duration_ms"], 420);
        assert!(post.get("decision").is_none());
        let failed = build(
            HookEvent::PostToolUseFailure,
            json!({"tool_name": "Bash", "is_interrupt": true}),
            &ctx,
        )
        .expect("record");
        assert_eq!(
            (failed["error"].clone(), failed["is_interrupt"].clone()),
            (json!(true), json!(true))
        );
        assert_eq!(failed["session"], "unknown");
    }

    #[test]
    fn the_flag_switches_the_spool_off() {
        let off = Context {
            flags: Flags::from_pairs([(FLAG, json!(false))]),
            ..Context::default()
        };
        assert_eq!(build(HookEvent::Stop, json!({}), &off), None);
    }
}
