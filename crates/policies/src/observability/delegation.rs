//! delegation-trust: every sub-agent start is logged in
//! `.agentops/delegation.jsonl` (who was delegated to, in which session).

use agentops_core::{Context, Effect, FlagKind, HookEvent, HookInput, Outcome, Policy, ToolMatch};
use serde_json::json;

use agentops_records::clock::Instant;
use agentops_records::redact_bounded;

/// The log under `.agentops/` that holds one record per delegation.
pub const DELEGATION_LOG: &str = "delegation.jsonl";
/// The flag that switches the log (on unless set to `false`).
pub const FLAG: &str = "delegation_log_enabled";

/// The delegation record for one sub-agent start, stamped `now`.
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

/// The delegation-trust policy.
pub static DELEGATION_TRUST: Policy = Policy {
    name: "delegation-trust",
    summary: "Logs every sub-agent delegation",
    events: &[HookEvent::SubagentStart],
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

    #[test]
    fn records_are_stamped_by_the_world_clock() {
        let ctx = Context {
            world: std::sync::Arc::new(agentops_core::MemoryWorld::new().at_secs(0)),
            ..Context::default()
        };
        let out = DELEGATION_TRUST.evaluate(HookEvent::SubagentStart, &HookInput::default(), &ctx);
        let [Effect::AppendRecord { record, .. }] = out.effects.as_slice() else {
            panic!("one record expected: {out:?}");
        };
        assert_eq!(record["ts"], "1970-01-01T00:00:00Z");
    }

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
