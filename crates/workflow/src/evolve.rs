//! The failure backlog the evolve loop works through: failures recorded by
//! failure-collector in `.agentops/failures.jsonl` that no entry of
//! `.agentops/feedback-history.jsonl` (written by the evolve skill) has
//! addressed yet. Shared by evolve-gate, auto-evolve and
//! `agentops evolve status`.

use std::collections::HashSet;

use serde_json::Value;

use agentops_core::Context;

use crate::session::{self, EVOLVE_BATCH_COUNT, EVOLVE_RAN, FAILURES_LOG, FEEDBACK_HISTORY};

/// Every `YYYY-MM-DDTHH:MM:SSZ` timestamp in a text.
fn timestamps(text: &str) -> HashSet<&str> {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:ddZ";
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(SHAPE.len() - 1))
        .filter(|&i| {
            SHAPE.iter().zip(&bytes[i..]).all(|(shape, b)| match shape {
                b'd' => b.is_ascii_digit(),
                other => b == other,
            })
        })
        .map(|i| &text[i..i + SHAPE.len()])
        .collect()
}

/// Failures whose timestamp the feedback history does not mention.
/// Lines that are not JSON records with a `ts` are not failures.
pub fn unprocessed(failures: &str, feedback: &str) -> usize {
    let addressed = timestamps(feedback);
    failures
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|record| record.get("ts").and_then(Value::as_str).map(String::from))
        .filter(|ts| !addressed.contains(ts.as_str()))
        .count()
}

/// The backlog as the hooks and the CLI read it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Backlog {
    /// Failure records in `.agentops/failures.jsonl` (non-blank lines).
    pub recorded: usize,
    /// Failures the feedback history does not address yet.
    pub unprocessed: usize,
    /// The evolve skill ran this session.
    pub evolve_ran: bool,
    /// The failure count at which evolve-gate last nudged.
    pub last_nudge: usize,
}

impl Backlog {
    /// The backlog from the state files, read through the context's world.
    pub fn read(ctx: &Context) -> Backlog {
        let failures = session::read_state(ctx, FAILURES_LOG).unwrap_or_default();
        let feedback = session::read_state(ctx, FEEDBACK_HISTORY).unwrap_or_default();
        Backlog {
            recorded: failures.lines().filter(|l| !l.trim().is_empty()).count(),
            unprocessed: unprocessed(&failures, &feedback),
            evolve_ran: session::has_state(ctx, EVOLVE_RAN),
            last_nudge: session::read_state(ctx, EVOLVE_BATCH_COUNT)
                .and_then(|t| t.trim().parse().ok())
                .unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_addressed_by_feedback_are_processed() {
        let failures = concat!(
            r#"{"ts":"2025-01-01T10:00:00Z","tool":"Bash"}"#,
            "\n",
            r#"{"ts":"2025-01-01T10:05:00Z","tool":"Read"}"#,
            "\n",
            r#"{"ts":"2025-01-01T10:09:00Z","tool":"Edit"}"#,
            "\n",
            "not json\n",
            r#"{"tool":"no timestamp"}"#,
            "\n",
        );
        assert_eq!(unprocessed(failures, ""), 3);
        let feedback =
            r#"{"addressed":["2025-01-01T10:00:00Z","2025-01-01T10:09:00Z"],"delta":0.1}"#;
        assert_eq!(unprocessed(failures, feedback), 1);
        assert_eq!(unprocessed("", feedback), 0);
    }

    #[test]
    fn timestamps_are_found_anywhere_in_text() {
        let found =
            timestamps("a 2025-01-01T10:00:00Z b2025-13-99T99:99:99Zc 2025-01-01 10:00:00Z");
        assert_eq!(found.len(), 2);
    }
}
