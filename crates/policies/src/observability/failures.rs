//! failure-collector: every failed tool call is logged in
//! `.agentops/failures.jsonl` with its (redacted, bounded) input and
//! error. The workflow policies read this log to suggest lessons and to
//! trigger the evolve loop; the `ts` form (whole seconds, `Z`) is the one
//! upstream's evolve tooling matches on.

use agentops_core::{Context, Effect, FlagKind, HookEvent, HookInput, Outcome, Policy, ToolMatch};
use serde_json::{json, Value};

use agentops_records::clock::Instant;
use agentops_records::{redact_bounded, redact_value_bounded};

/// The log under `.agentops/` that holds one record per failure.
pub const FAILURES_LOG: &str = "failures.jsonl";
/// The flag that switches the log (on unless set to `false`).
pub const FLAG: &str = "failure_log_enabled";
/// Characters of the (redacted) tool input kept in a record.
pub const MAX_INPUT_CHARS: usize = 1000;
/// Characters of the (redacted) error kept in a record.
pub const MAX_ERROR_CHARS: usize = 500;

/// The failure record for one failed tool call, stamped `now`.
pub fn build(input: &HookInput, now: Instant) -> Effect {
    let tool_input = input.tool_input.clone().unwrap_or_else(|| json!({}));
    // Older payloads put the failure in `tool_result`.
    let error = input
        .error
        .as_ref()
        .or(input.response())
        .cloned()
        .unwrap_or(Value::String("unknown".into()));
    let mut record = json!({
        "ts": now.iso(),
        "session": redact_bounded(input.session_id.as_deref().unwrap_or("unknown"), 200).0,
        "tool": redact_bounded(input.tool_name.as_deref().unwrap_or("unknown"), 200).0,
        "input": redact_value_bounded(&tool_input, MAX_INPUT_CHARS).0,
        "error": redact_value_bounded(&error, MAX_ERROR_CHARS).0,
    });
    if let Some(obj) = record.as_object_mut() {
        if let Some(id) = input.tool_use_id.as_deref() {
            obj.insert("tool_use_id".into(), json!(id));
        }
        if let Some(i) = input.is_interrupt {
            obj.insert("is_interrupt".into(), json!(i));
        }
    }
    Effect::AppendRecord {
        log: FAILURES_LOG,
        record,
    }
}

/// The failure-collector policy.
pub static FAILURE_COLLECTOR: Policy = Policy {
    name: "failure-collector",
    summary: "Logs every failed tool call with its redacted input and error",
    events: &[HookEvent::PostToolUseFailure],
    tools: ToolMatch::Any,
    flag: Some((FLAG, FlagKind::Security)),
    rules: &[],
    evaluate,
};

fn evaluate(_: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    Outcome {
        effects: vec![build(input, Instant::at(ctx.world.now()))],
        ..Outcome::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(payload: Value) -> Value {
        let input: HookInput = serde_json::from_value(payload).expect("payload");
        match build(&input, Instant::from_secs(1_700_000_000)) {
            Effect::AppendRecord { log, record } => {
                assert_eq!(log, FAILURES_LOG);
                record
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn keeps_upstream_fields_with_secrets_redacted() {
        let r = record(
            json!({"session_id": "s", "tool_name": "Bash", "tool_use_id": "t9",
            "tool_input": {"command": "psql postgres://app:pa55word9@db/x"},
            "error": "FATAL: password authentication failed, PGPASSWORD=pa55word9", "is_interrupt": false}),
        );
        assert_eq!(r["ts"], "2023-11-14T22:13:20Z");
        assert_eq!(
            (r["session"].as_str(), r["tool"].as_str()),
            (Some("s"), Some("Bash"))
        );
        assert_eq!(r["tool_use_id"], "t9");
        let text = r.to_string();
        assert!(!text.contains("pa55word9"), "{text}");
        assert!(
            r["error"].as_str().is_some_and(|e| e.contains("FATAL")),
            "{text}"
        );
    }

    #[test]
    fn falls_back_to_tool_result_then_unknown() {
        assert_eq!(
            record(json!({"tool_name": "Read", "tool_result": "ENOENT"}))["error"],
            "ENOENT"
        );
        let r = record(json!({}));
        assert_eq!(
            (r["error"].as_str(), r["tool"].as_str(), r["input"].as_str()),
            (Some("unknown"), Some("unknown"), Some("{}"))
        );
    }

    #[test]
    fn records_are_stamped_by_the_world_clock() {
        let ctx = Context {
            world: std::sync::Arc::new(agentops_core::MemoryWorld::new().at_secs(1_700_000_000)),
            ..Context::default()
        };
        let input: HookInput =
            serde_json::from_value(json!({"tool_name": "Bash", "error": "exit 1"}))
                .expect("payload");
        let out = FAILURE_COLLECTOR.evaluate(HookEvent::PostToolUseFailure, &input, &ctx);
        let [Effect::AppendRecord { record, .. }] = out.effects.as_slice() else {
            panic!("one record expected: {out:?}");
        };
        assert_eq!(record["ts"], "2023-11-14T22:13:20Z");
    }

    #[test]
    fn long_errors_are_bounded() {
        let r = record(json!({"tool_name": "Bash", "error": "e".repeat(5000)}));
        assert_eq!(
            r["error"].as_str().map(|e| e.chars().count()),
            Some(MAX_ERROR_CHARS)
        );
    }
}
