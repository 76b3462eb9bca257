//! The engine's observability step, after the policies' answers are
//! merged: the audit record (which needs the merged decision), the
//! telemetry spool record, and cost accounting from the transcript.
//!
//! Every record a policy writes to a chained log (`audit.jsonl`) goes
//! through [`append`], which redacts it and links it into the hash chain
//! under the log's lock. The engine's own audit record is redacted field by
//! field as it is built (`agentops_records::audit`), so it goes through
//! [`append_redacted`]: chained, not redacted a second time.

use std::io;
use std::path::Path;

use agentops_core::{Context, Effect, FlagKind, HookAnswer, HookEvent, HookInput};
use agentops_policies::observability::budget_gate;
use agentops_records::clock::Instant;
use agentops_records::{audit, telemetry};
use agentops_state::StateDir;
use serde_json::Value;

/// Logs whose records are hash-chained and redacted on append.
pub const CHAINED_LOGS: &[&str] = &[audit::AUDIT_LOG];

/// `false` stops reading transcripts for cost (on by default).
pub const COST_FLAG: &str = "cost_tracking_enabled";

/// Append a policy's record to a log under `.agentops/`: redacted first
/// when the log is chained.
pub fn append(state: &StateDir, log: &str, record: &Value) -> io::Result<()> {
    if CHAINED_LOGS.contains(&log) {
        append_redacted(state, log, &agentops_redact::redact_json(record))
    } else {
        append_redacted(state, log, record)
    }
}

/// Append a record whose fields were redacted as they were put in
/// ([`Effect::AppendRedactedRecord`]): chained, not redacted again.
pub fn append_redacted(state: &StateDir, log: &str, record: &Value) -> io::Result<()> {
    if CHAINED_LOGS.contains(&log) {
        state.append_chained(log, record).map(drop)
    } else {
        state.append_line(log, &record.to_string())
    }
}

/// Add the audit and telemetry records to the answer's effects and bring
/// the budget's spend up to date. Problems become notes for the user.
pub fn after_merge(event: HookEvent, input: &HookInput, answer: &mut HookAnswer, ctx: &Context) {
    let now = Instant::now();
    let records = [
        audit::record(event, input, answer, ctx, now),
        telemetry::record(event, input, answer, ctx, now),
    ];
    answer.effects.extend(records.into_iter().flatten());
    if let Err(e) = account_cost(event, input, ctx, now) {
        answer
            .messages
            .push(format!("agentops: cost tracking failed: {e}"));
    }
}

/// Add fields to the engine's audit record among `effects` (exceptions
/// checked, decision id, allow-once link); nothing when there is none.
pub fn annotate_audit(effects: &mut [Effect], extra: serde_json::Map<String, Value>) {
    if extra.is_empty() {
        return;
    }
    let record = effects.iter_mut().find_map(|e| match e {
        Effect::AppendRedactedRecord { log, record } if *log == audit::AUDIT_LOG => {
            record.as_object_mut()
        }
        _ => None,
    });
    // The record is not redacted again on its way in: what is added here
    // (exception reasons and patterns a user wrote) is redacted now.
    if let Some(r) = record {
        r.extend(
            extra
                .into_iter()
                .map(|(k, v)| (k, agentops_redact::redact_json(&v))),
        );
    }
}

/// Records policies append name no session (a policy sees the payload,
/// but its record is built for its own log); the engine adds the
/// payload's session to each that has none, so the dashboard and
/// `audit query --session` attribute them.
pub fn stamp_session(effects: &mut [Effect], session: Option<&str>) {
    let Some(session) = session.filter(|s| !s.is_empty()) else {
        return;
    };
    for effect in effects {
        if let Effect::AppendRecord { record, .. } = effect {
            if let Some(r) = record.as_object_mut() {
                if !r.contains_key("session") && !r.contains_key("session_id") {
                    r.insert("session".into(), Value::String(session.to_string()));
                }
            }
        }
    }
}

/// The audit record for a payload refused before any policy ran.
pub fn after_refusal(event: HookEvent, answer: &HookAnswer, ctx: &Context) -> Vec<String> {
    let Some(Effect::AppendRedactedRecord { log, record }) =
        audit::refusal_record(event, answer, ctx, Instant::now())
    else {
        return Vec::new();
    };
    match append_redacted(&StateDir::new(&ctx.project_dir), log, &record) {
        Ok(()) => Vec::new(),
        Err(e) => vec![format!(
            "agentops: could not append to .agentops/{log}: {e}"
        )],
    }
}

/// Whether this event should read the transcript: at the end of each turn
/// (and subagent, compaction, session), and after every tool call while
/// budget enforcement needs the spend to be current.
fn accounts_on(event: HookEvent, ctx: &Context) -> bool {
    match event {
        HookEvent::Stop
        | HookEvent::SubagentStop
        | HookEvent::SessionEnd
        | HookEvent::PreCompact => true,
        HookEvent::PostToolUse | HookEvent::PostToolUseFailure => budget_gate::opted_in(ctx),
        _ => false,
    }
}

fn account_cost(
    event: HookEvent,
    input: &HookInput,
    ctx: &Context,
    now: Instant,
) -> io::Result<()> {
    if !accounts_on(event, ctx) || !ctx.flags.enabled(COST_FLAG, FlagKind::Automation) {
        return Ok(());
    }
    let Some(transcript) = input
        .transcript_path
        .as_deref()
        .map(Path::new)
        .filter(|p| p.is_absolute() && p.extension().is_some_and(|x| x == "jsonl"))
    else {
        return Ok(());
    };
    let state = StateDir::new(&ctx.project_dir);
    let (prices, _problem) = agentops_cost::load_prices(&state);
    let session = input.session_id.as_deref().unwrap_or("unknown");
    agentops_cost::account(&state, session, transcript, &prices, &now.day(), &now.iso()).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use agentops_core::Flags;
    use serde_json::json;

    #[test]
    fn policy_records_get_the_session_they_lack() {
        let record = |r: Value| Effect::AppendRecord {
            log: "audit.jsonl",
            record: r,
        };
        let mut effects = vec![
            record(json!({"event": "CREDENTIAL_ACCESS"})),
            record(json!({"event": "X", "session": "other"})),
            Effect::RemoveState { name: "x" },
        ];
        stamp_session(&mut effects, Some("s1"));
        let sessions: Vec<Option<Value>> = effects
            .iter()
            .map(|e| match e {
                Effect::AppendRecord { record, .. } => record.get("session").cloned(),
                _ => None,
            })
            .collect();
        assert_eq!(sessions, [Some(json!("s1")), Some(json!("other")), None]);
        let mut untouched = vec![record(json!({}))];
        stamp_session(&mut untouched, None);
        assert!(
            matches!(&untouched[0], Effect::AppendRecord { record, .. } if record.get("session").is_none())
        );
    }

    #[test]
    fn chained_logs_are_redacted_and_chained_others_are_plain() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = StateDir::new(tmp.path());
        let secret = json!({"event": "CREDENTIAL_ACCESS", "detail": "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"});
        append(&state, "audit.jsonl", &secret).expect("append");
        let audit = std::fs::read_to_string(state.path().join("audit.jsonl")).expect("audit");
        assert!(!audit.contains("wJalrXUtnFEMI"), "{audit}");
        assert!(audit.contains("\"hash\":"), "{audit}");
        append(&state, "other.jsonl", &json!({"a": 1})).expect("append");
        let other = std::fs::read_to_string(state.path().join("other.jsonl")).expect("other");
        assert_eq!(other, "{\"a\":1}\n");
    }

    #[test]
    fn what_the_engine_adds_to_its_audit_record_is_redacted() {
        // The engine's record is appended as it is; the exception reasons
        // and patterns added to it here come from users' files.
        let mut effects = vec![
            Effect::AppendRecord {
                log: "audit.jsonl",
                record: json!({"event": "POLICY"}),
            },
            Effect::AppendRedactedRecord {
                log: "audit.jsonl",
                record: json!({"event": "PreToolUse"}),
            },
        ];
        let mut extra = serde_json::Map::new();
        extra.insert(
            "exceptions".into(),
            json!([{"reason": "token ghp_CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"}]),
        );
        annotate_audit(&mut effects, extra);
        let Effect::AppendRedactedRecord { record, .. } = &effects[1] else {
            panic!("{effects:?}");
        };
        let text = record.to_string();
        assert!(text.contains("[REDACTED"), "{text}");
        assert!(!text.contains("ghp_CCCC"), "{text}");
        let Effect::AppendRecord { record, .. } = &effects[0] else {
            panic!("{effects:?}");
        };
        assert!(
            record.get("exceptions").is_none(),
            "only the engine's record"
        );

        // Appended as it is: not redacted a second time, but chained.
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = StateDir::new(tmp.path());
        append_redacted(
            &state,
            "audit.jsonl",
            &json!({"event": "E", "n": "[REDACTED:x]"}),
        )
        .expect("append");
        let audit = std::fs::read_to_string(state.path().join("audit.jsonl")).expect("audit");
        assert!(audit.contains("\"hash\":"), "{audit}");
    }

    #[test]
    fn cost_is_read_at_turn_ends_and_after_tools_only_when_enforcing() {
        let plain = Context::default();
        let enforcing = Context {
            flags: Flags::from_pairs([(budget_gate::FLAG, json!(true))]),
            ..Context::default()
        };
        assert!(accounts_on(HookEvent::Stop, &plain));
        assert!(accounts_on(HookEvent::SubagentStop, &plain));
        assert!(!accounts_on(HookEvent::PostToolUse, &plain));
        assert!(accounts_on(HookEvent::PostToolUse, &enforcing));
        assert!(!accounts_on(HookEvent::PreToolUse, &enforcing));
    }
}
