//! delegation-trust: every sub-agent start is logged in
//! `.agentops/delegation.jsonl` (who was delegated to, in which session).

use agentops_core::{Context, Effect, FlagKind, HookEvent, HookInput, Outcome, Policy, ToolMatch};
use serde_json::json;

use agentops_records::clock::Instant;
use agentops_records::redact_bounded;

pub const DELEGATION_LOG: &str = "delegation.jsonl";
pub const FLAG: &str = "delegation_log_enabled";

pub fn build(input: &HookInput, now: Instant) -> Effect {
    let text =
        |v: Option<&str>| redact_bounded(v.filter(|s| !s.is_empty()).unwrap_or("unknown"), 200).0;
    Effect::AppendRecord {
        log: DELEGATION_LOG,
        record: json!({
            "ts": now.iso(),
            "event": "delegation",
            "session": text(input.session_id.as_deref()),
            "agent": text(input.agent_type.as_deref()),
            "agent_id": text(input.agent_id.as_deref()),
        }),
    }
}

pub static DELEGATION_TRUST: Policy = Policy {
    name: "delegation-trust",
    summary: "Logs every sub-agent delegation",
    events: &[HookEvent::SubagentStart],
    tools: ToolMatch::Any,
    flag: Some((FLAG, FlagKind::Security)),
    rules: &[],
    evaluate,
};

fn evaluate(_: HookEvent, input: &HookInput, _: &Context) -> Outcome {
    Outcome {
        effects: vec![build(input, Instant::now())],
        ..Outcome::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_agent_and_session_with_unknown_fallbacks() {
        let cases = [
            (
                json!({"session_id": "s1", "agent_type": "code-critic", "agent_id": "a1"}),
                "code-critic",
                "a1",
            ),
            (json!({}), "unknown", "unknown"),
        ];
        for (payload, agent, id) in cases {
            let input: HookInput = serde_json::from_value(payload).expect("payload");
            let Effect::AppendRecord { log, record } = build(&input, Instant::from_secs(0)) else {
                panic!("append expected");
            };
            assert_eq!(log, DELEGATION_LOG);
            assert_eq!(
                (record["agent"].as_str(), record["agent_id"].as_str()),
                (Some(agent), Some(id))
            );
            assert_eq!(record["event"], "delegation");
        }
    }
}
