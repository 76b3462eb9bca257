//! Counts over audit records for `agentops audit stats`: how many records
//! there are by event, decision, tool, session and rule.

use std::collections::BTreeMap;

use serde_json::{json, Value};

/// The record fields counted value by value, besides the rules.
pub const FIELDS: [&str; 4] = ["event", "decision", "tool", "session"];

/// Counts of selected records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Records counted.
    pub records: usize,
    /// For each of [`FIELDS`] and `rule`, how many records carry each
    /// value. A group with no value at all is absent; a rule that fired
    /// twice in one record counts twice.
    pub by: BTreeMap<&'static str, BTreeMap<String, u64>>,
}

impl Stats {
    /// Count `records`.
    pub fn of<'a>(records: impl IntoIterator<Item = &'a Value>) -> Stats {
        let mut stats = Stats::default();
        for r in records {
            stats.records += 1;
            for key in FIELDS {
                if let Some(v) = r.get(key).and_then(Value::as_str) {
                    stats.add(key, v);
                }
            }
            let ids = r.get("rules").and_then(Value::as_array).into_iter();
            for id in ids.flatten().filter_map(Value::as_str) {
                stats.add("rule", id);
            }
        }
        stats
    }

    fn add(&mut self, key: &'static str, value: &str) {
        *self
            .by
            .entry(key)
            .or_default()
            .entry(value.to_string())
            .or_default() += 1;
    }

    /// One group's values, most frequent first (ties by value).
    pub fn ranked(&self, key: &str) -> Vec<(&str, u64)> {
        let mut counts: Vec<(&str, u64)> = self
            .by
            .get(key)
            .into_iter()
            .flatten()
            .map(|(v, n)| (v.as_str(), *n))
            .collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        counts
    }

    /// `{"records": n, "by": {"event": {"PreToolUse": n, ...}, ...}}`.
    pub fn to_json(&self) -> Value {
        json!({"records": self.records, "by": self.by})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_field_and_rule() {
        let records = [
            json!({"event": "PreToolUse", "tool": "Bash", "decision": "deny", "session": "s1", "rules": ["CMD001", "MODE002"]}),
            json!({"event": "PreToolUse", "tool": "Read", "decision": "allow", "session": "s1", "rules": []}),
            json!({"event": "PostToolUse", "tool": "Bash", "session": "s2", "rules": ["CMD001"]}),
            json!({"event": "CREDENTIAL_ACCESS", "rule": "CRED001"}),
        ];
        let stats = Stats::of(&records);
        assert_eq!(stats.records, 4);
        assert_eq!(
            stats.ranked("event"),
            [
                ("PreToolUse", 2),
                ("CREDENTIAL_ACCESS", 1),
                ("PostToolUse", 1)
            ]
        );
        assert_eq!(stats.ranked("rule"), [("CMD001", 2), ("MODE002", 1)]);
        assert_eq!(stats.ranked("decision"), [("allow", 1), ("deny", 1)]);
        assert!(stats.ranked("nothing").is_empty());
        let v = stats.to_json();
        assert_eq!(v["records"], 4);
        assert_eq!(v["by"]["tool"]["Bash"], 2);
        assert_eq!(v["by"]["session"]["s2"], 1);
    }

    #[test]
    fn nothing_selected_counts_nothing() {
        let stats = Stats::of(&[]);
        assert_eq!(stats.to_json(), json!({"records": 0, "by": {}}));
    }
}
