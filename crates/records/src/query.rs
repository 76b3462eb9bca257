//! Reading the audit log back for `agentops audit tail|query`: which
//! records a filter selects, and the one-line table they are shown in.
//!
//! Everything here works on the log's text, already read: the command
//! line reads the file and prints, this module decides.

use serde_json::Value;

use crate::clock::{self, Instant, TimeError};

/// Which audit records to show. Every condition set must hold; an unset
/// one matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only records at or after this time. A record without a readable
    /// `ts` cannot be placed and is left out.
    pub since: Option<Instant>,
    /// Only this session id.
    pub session: Option<String>,
    /// Only this tool (`Bash`, `Write`, `mcp__server__tool`, ...).
    pub tool: Option<String>,
    /// Only this decision: `allow`, `ask`, `deny` or `block`.
    pub decision: Option<String>,
    /// Only records where this rule fired: in the `rules` list of the
    /// engine's records, or the `rule` field other writers use.
    pub rule: Option<String>,
    /// Only this hook event (`PreToolUse`, ...) or record kind
    /// (`CREDENTIAL_ACCESS`, ...).
    pub event: Option<String>,
}

impl Filter {
    /// Set [`Filter::since`] from a `--since` value (see
    /// [`clock::since`]), counting ages back from `now`.
    pub fn since_text(mut self, text: &str, now: Instant) -> Result<Filter, TimeError> {
        self.since = Some(clock::since(text, now)?);
        Ok(self)
    }

    /// Whether `record` passes every condition.
    pub fn matches(&self, record: &Value) -> bool {
        let field = |k: &str| record.get(k).and_then(Value::as_str);
        let same =
            |want: &Option<String>, k: &str| want.as_deref().is_none_or(|w| field(k) == Some(w));
        if let Some(since) = self.since {
            if field("ts").and_then(clock::parse).is_none_or(|t| t < since) {
                return false;
            }
        }
        let rule_ok = self
            .rule
            .as_deref()
            .is_none_or(|want| rules(record).any(|id| id == want) || field("rule") == Some(want));
        same(&self.session, "session")
            && same(&self.tool, "tool")
            && same(&self.decision, "decision")
            && same(&self.event, "event")
            && rule_ok
    }
}

/// The rule ids a record lists in `rules`, in order.
fn rules(record: &Value) -> impl Iterator<Item = &str> {
    record
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// The log's records, oldest first: every line that is a JSON object,
/// with its 1-based line number. Other lines (torn by a crash, garbled)
/// are skipped; `agentops audit verify` is the place that reports them.
pub fn records(log: &str) -> impl Iterator<Item = (usize, Value)> + '_ {
    log.lines().enumerate().filter_map(|(i, l)| {
        serde_json::from_str::<Value>(l)
            .ok()
            .filter(Value::is_object)
            .map(|v| (i + 1, v))
    })
}

/// The records of `log` that `filter` selects, oldest first.
pub fn select(log: &str, filter: &Filter) -> Vec<Value> {
    records(log)
        .map(|(_, r)| r)
        .filter(|r| filter.matches(r))
        .collect()
}

/// The last `n` of `selected` (all of them when there are fewer).
pub fn last(selected: &[Value], n: usize) -> &[Value] {
    &selected[selected.len().saturating_sub(n)..]
}

/// Characters of a record's input, reason or detail shown in the table.
pub const DETAIL_CHARS: usize = 80;
/// Characters of a session id shown in the table.
pub const SESSION_CHARS: usize = 12;

/// The header line of the table [`row`] fills.
pub fn header() -> String {
    format!(
        "{:<20} {:<18} {:<12} {:<6} {:<14} {:<12} DETAIL",
        "TIME", "EVENT", "TOOL", "RESULT", "RULES", "SESSION"
    )
}

/// One record as a table line: time, event, tool, decision, rules,
/// session (cut to [`SESSION_CHARS`]) and its input, reason or detail
/// (cut to [`DETAIL_CHARS`]); `-` where a field is missing.
pub fn row(record: &Value) -> String {
    let s = |k: &str| record.get(k).and_then(Value::as_str).unwrap_or("-");
    let ids: Vec<&str> = rules(record).collect();
    let detail: String = ["input", "reason", "detail"]
        .iter()
        .find_map(|k| record.get(*k))
        .and_then(Value::as_str)
        .unwrap_or("")
        .chars()
        .take(DETAIL_CHARS)
        .collect();
    format!(
        "{:<20} {:<18} {:<12} {:<6} {:<14} {:<12} {}",
        s("ts"),
        s("event"),
        s("tool"),
        s("decision"),
        if ids.is_empty() {
            "-".to_string()
        } else {
            ids.join(",")
        },
        s("session").chars().take(SESSION_CHARS).collect::<String>(),
        detail
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn denied() -> Value {
        json!({"ts": "2025-06-01T10:00:00Z", "event": "PreToolUse", "session": "s1",
               "tool": "Bash", "decision": "deny", "rules": ["CMD001", "MODE002"]})
    }

    fn since(text: &str) -> Filter {
        Filter::default()
            .since_text(text, Instant::from_secs(1_748_772_000)) // 2025-06-01T10:00:00Z
            .expect("a valid --since")
    }

    #[test]
    fn filters_combine() {
        let r = denied();
        let some = |s: &str| Some(s.to_string());
        let cases = [
            (Filter::default(), true),
            (
                Filter {
                    tool: some("Bash"),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    tool: some("Write"),
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    rule: some("MODE002"),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    rule: some("CMD002"),
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    decision: some("deny"),
                    session: some("s1"),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    session: some("s2"),
                    ..Filter::default()
                },
                false,
            ),
            (since("2025-06-01"), true),
            (since("2025-06-02"), false),
            (since("2025-06-01T10:00:00Z"), true),
            (since("2025-06-01T10:00:01Z"), false),
            (since("1h"), true),
            (
                Filter {
                    event: some("PostToolUse"),
                    ..Filter::default()
                },
                false,
            ),
        ];
        for (f, want) in cases {
            assert_eq!(f.matches(&r), want, "{f:?}");
        }
    }

    #[test]
    fn records_without_a_readable_time_are_left_out_by_since() {
        let f = since("2000-01-01");
        assert!(!f.matches(&json!({"event": "PreToolUse"})));
        assert!(!f.matches(&json!({"ts": "2025-02-30T10:00:00Z"})));
        assert!(Filter::default().matches(&json!({"event": "PreToolUse"})));
    }

    #[test]
    fn a_bad_since_is_an_error() {
        let now = Instant::from_secs(0);
        for text in ["last tuesday", "2025-02-30", "-2h"] {
            assert!(Filter::default().since_text(text, now).is_err(), "{text}");
        }
    }

    #[test]
    fn records_from_other_writers_match_their_event_and_rule() {
        let r =
            json!({"ts": "2025-06-01T10:00:00Z", "event": "CREDENTIAL_ACCESS", "rule": "CRED001"});
        let f = |event: Option<&str>, decision: Option<&str>, rule: Option<&str>| Filter {
            event: event.map(str::to_string),
            decision: decision.map(str::to_string),
            rule: rule.map(str::to_string),
            ..Filter::default()
        };
        assert!(f(Some("CREDENTIAL_ACCESS"), None, None).matches(&r));
        assert!(f(None, None, Some("CRED001")).matches(&r));
        assert!(!f(None, Some("deny"), None).matches(&r));
    }

    #[test]
    fn select_skips_lines_that_are_not_objects_and_keeps_order() {
        let log = format!(
            "{}\nnot json\n[1,2]\n\n{}\n{{\"event\":\"Stop\"",
            json!({"event": "A", "tool": "Bash"}),
            json!({"event": "B", "tool": "Bash"})
        );
        let numbered: Vec<usize> = records(&log).map(|(n, _)| n).collect();
        assert_eq!(numbered, [1, 5]);
        let tool = Filter {
            tool: Some("Bash".into()),
            ..Filter::default()
        };
        let picked = select(&log, &tool);
        let events: Vec<&str> = picked.iter().filter_map(|r| r["event"].as_str()).collect();
        assert_eq!(events, ["A", "B"]);
        assert_eq!(last(&picked, 1), &picked[1..]);
        assert_eq!(last(&picked, 5).len(), 2);
        assert!(last(&picked, 0).is_empty());
    }

    #[test]
    fn rows_line_up_under_the_header() {
        let mut r = denied();
        r["session"] = json!("a-very-long-session-id");
        r["input"] = json!("x".repeat(200));
        let line = row(&r);
        let head = header();
        assert_eq!(line.find("Bash"), head.find("TOOL"));
        assert_eq!(line.find("CMD001,MODE002"), head.find("RULES"));
        assert!(line.contains(" a-very-long- "), "{line}");
        assert!(line.ends_with(&"x".repeat(DETAIL_CHARS)), "{line}");
        assert!(!line.contains(&"x".repeat(DETAIL_CHARS + 1)), "{line}");
        let bare = row(&json!({"event": "SessionEnd", "reason": "logout"}));
        assert!(bare.starts_with("-   "), "{bare}");
        assert!(bare.ends_with("logout"), "{bare}");
    }
}
