//! file-provenance: where content entering or leaving the session came
//! from, in `.agentops/provenance.jsonl`: web pages fetched (untrusted),
//! files read (contextual; untrusted under `/tmp` and `/var/tmp`) and
//! files written by the agent (trusted). URLs and paths are redacted.

use agentops_core::{
    Context, Effect, FlagKind, HookEvent, HookInput, Outcome, Policy, Tool, ToolKind, ToolMatch,
};
use serde_json::json;

use agentops_records::clock::Instant;
use agentops_records::redact_bounded;

/// The log under `.agentops/` that holds one record per tracked call.
pub const PROVENANCE_LOG: &str = "provenance.jsonl";
/// The flag that switches the log (on unless set to `false`).
pub const FLAG: &str = "file_provenance_enabled";
const MAX_CHARS: usize = 1000;

/// Shared temp directories anyone on the machine can write.
fn is_world_writable_temp(path: &str) -> bool {
    ["/tmp", "/var/tmp", "/private/tmp", "/private/var/tmp"]
        .iter()
        .any(|dir| {
            path == *dir
                || path
                    .strip_prefix(dir)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
}

/// The provenance record for one completed tool call, if it is tracked.
pub fn build(input: &HookInput, now: Instant) -> Option<Effect> {
    let session = input.session_id.as_deref().unwrap_or("unknown");
    let mut record = match input.tool()? {
        Tool::WebFetch => {
            let url = input.input_str("url").unwrap_or("unknown");
            json!({"source": "web", "url": redact_bounded(url, MAX_CHARS).0, "trust": "untrusted"})
        }
        Tool::Read => {
            let path = input.target_path().unwrap_or("unknown");
            let trust = if is_world_writable_temp(path) {
                "untrusted"
            } else {
                "contextual"
            };
            json!({"source": "file", "path": redact_bounded(path, MAX_CHARS).0, "trust": trust})
        }
        Tool::Write => {
            let path = input.target_path().unwrap_or("unknown");
            json!({"source": "write", "path": redact_bounded(path, MAX_CHARS).0, "trust": "trusted"})
        }
        _ => return None,
    };
    if let Some(obj) = record.as_object_mut() {
        obj.insert("ts".into(), json!(now.iso()));
        obj.insert("session".into(), json!(redact_bounded(session, 200).0));
        if let Some(id) = input.tool_use_id.as_deref() {
            obj.insert("tool_use_id".into(), json!(id));
        }
    }
    Some(Effect::AppendRecord {
        log: PROVENANCE_LOG,
        record,
    })
}

/// The file-provenance policy.
pub static FILE_PROVENANCE: Policy = Policy {
    name: "file-provenance",
    summary: "Logs where fetched, read and written content came from, with a trust level",
    events: &[HookEvent::PostToolUse],
    tools: ToolMatch::Only(&[ToolKind::WebFetch, ToolKind::Read, ToolKind::Write]),
    flag: Some((FLAG, FlagKind::Security)),
    rules: &[],
    evaluate,
};

fn evaluate(_: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    Outcome {
        effects: build(input, Instant::at(ctx.world.now()))
            .into_iter()
            .collect(),
        ..Outcome::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn record(payload: Value) -> Option<Value> {
        let input: HookInput = serde_json::from_value(payload).expect("payload");
        match build(&input, Instant::from_secs(0))? {
            Effect::AppendRecord { log, record } => {
                assert_eq!(log, PROVENANCE_LOG);
                Some(record)
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn each_tracked_tool_gets_its_source_and_trust() {
        let cases = [
            (
                json!({"tool_name": "WebFetch", "tool_input": {"url": "https://example.com/a"}}),
                "web",
                "untrusted",
            ),
            (
                json!({"tool_name": "Read", "tool_input": {"file_path": "/repo/src/main.rs"}}),
                "file",
                "contextual",
            ),
            (
                json!({"tool_name": "Read", "tool_input": {"file_path": "/tmp/drop.txt"}}),
                "file",
                "untrusted",
            ),
            (
                json!({"tool_name": "Read", "tool_input": {"file_path": "/tmpfiles/x"}}),
                "file",
                "contextual",
            ),
            (
                json!({"tool_name": "Write", "tool_input": {"file_path": "/repo/out.rs", "content": "x"}}),
                "write",
                "trusted",
            ),
        ];
        for (payload, source, trust) in cases {
            let r = record(payload.clone()).expect("tracked");
            assert_eq!(
                (r["source"].as_str(), r["trust"].as_str()),
                (Some(source), Some(trust)),
                "{payload}"
            );
            assert_eq!(r["ts"], "1970-01-01T00:00:00Z");
        }
    }

    #[test]
    fn records_are_stamped_by_the_world_clock() {
        let ctx = Context {
            world: std::sync::Arc::new(agentops_core::MemoryWorld::new().at_secs(951_782_400)),
            ..Context::default()
        };
        let input: HookInput = serde_json::from_value(
            json!({"tool_name": "Read", "tool_input": {"file_path": "/p/a"}}),
        )
        .expect("payload");
        let out = FILE_PROVENANCE.evaluate(HookEvent::PostToolUse, &input, &ctx);
        let [Effect::AppendRecord { record, .. }] = out.effects.as_slice() else {
            panic!("one record expected: {out:?}");
        };
        assert_eq!(record["ts"], "2000-02-29T00:00:00Z");
    }

    #[test]
    fn other_tools_are_not_tracked() {
        for tool in ["Bash", "Edit", "Grep", "WebSearch"] {
            assert_eq!(
                record(json!({"tool_name": tool, "tool_input": {}})),
                None,
                "{tool}"
            );
        }
    }

    #[test]
    fn secrets_in_urls_are_redacted() {
        let r = record(json!({"tool_name": "WebFetch", "tool_input": {
            "url": "https://deploy:hunter2pass@example.com/hook?api_key=sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAA"}}))
        .expect("tracked");
        let url = r["url"].as_str().expect("url");
        assert!(
            !url.contains("hunter2pass") && !url.contains("sk-ant-api03-AAAA"),
            "{url}"
        );
        assert!(url.contains("example.com"), "{url}");
    }
}
