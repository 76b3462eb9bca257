//! Reading `.agentops/` logs for the dashboard: follow a JSONL file by
//! byte offset, normalise audit records, summarise them.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use serde_json::{json, Map, Value};

/// Most bytes read from a log per request; the client asks again from the
/// returned offset for the rest.
const MAX_CHUNK: u64 = 4 << 20;

/// New complete lines of a JSONL file after a byte offset.
#[derive(Debug, Default, PartialEq)]
pub struct Feed {
    /// The complete lines that parsed as JSON objects, in file order.
    pub records: Vec<Value>,
    /// Where the next read starts: just past the last complete line.
    pub offset: u64,
}

impl Feed {
    /// Read complete lines from `offset`. A line still being written (no
    /// newline yet) is left for the next read; lines that are not JSON are
    /// skipped. An offset past the end (the file was replaced) restarts at 0.
    pub fn read(path: &Path, offset: u64) -> io::Result<Feed> {
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Feed::default()),
            Err(e) => return Err(e),
        };
        let len = file.metadata()?.len();
        let start = if offset > len { 0 } else { offset };
        file.seek(SeekFrom::Start(start))?;
        let mut buf = Vec::new();
        file.take(MAX_CHUNK).read_to_end(&mut buf)?;
        let complete = buf.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let records = buf[..complete]
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .filter_map(|l| serde_json::from_slice::<Value>(l).ok())
            .filter(Value::is_object)
            .collect();
        Ok(Feed {
            records,
            offset: start + complete as u64,
        })
    }
}

fn text(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match v.get(*k) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

fn short(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        s
    } else {
        let mut cut: String = s.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

/// The rule ids a record names, whatever the writer called the field.
fn rule_ids(v: &Value) -> Vec<String> {
    for key in ["rules", "rule_ids"] {
        if let Some(list) = v.get(key).and_then(Value::as_array) {
            return list
                .iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect();
        }
    }
    text(v, &["rule", "rule_id"]).into_iter().collect()
}

/// `ID subject; ID subject` from an audit record's per-rule findings,
/// for records that carry no reason text of their own.
fn findings_text(v: &Value) -> Option<String> {
    let parts: Vec<String> = v
        .get("findings")?
        .as_array()?
        .iter()
        .filter_map(|f| {
            let id = f.get("id")?.as_str()?;
            Some(match f.get("subject").and_then(Value::as_str) {
                Some(subject) => format!("{id} {subject}"),
                None => id.to_string(),
            })
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// One audit record in the shape the page draws.
pub fn normalise(v: &Value) -> Value {
    let target = text(v, &["target", "file_path", "command", "url"])
        .or_else(|| {
            v.get("input").map(|i| match i {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        })
        .map(|t| short(t, 160));
    json!({
        "ts": text(v, &["ts", "timestamp", "time"]),
        "session": text(v, &["session", "session_id"]),
        "event": text(v, &["event", "hook_event_name"]),
        "tool": text(v, &["tool", "tool_name"]),
        "tool_use_id": text(v, &["tool_use_id"]),
        "target": target,
        "decision": text(v, &["decision", "result", "outcome"]).unwrap_or_else(|| "-".into()),
        "rules": rule_ids(v),
        "reason": text(v, &["reason", "message"]).or_else(|| findings_text(v)).map(|r| short(r, 400)),
        "latency_ms": v.get("duration_ms").or_else(|| v.get("latency_ms")).cloned(),
    })
}

/// How long each tool call took, learnt from the telemetry spool (whose
/// records carry nanosecond times and the duration the client reported)
/// and given to the audit record of the call's PostToolUse.
#[derive(Debug, Default)]
pub struct Durations {
    started: HashMap<(String, String), u64>,
    took: HashMap<(String, String), u64>,
}

impl Durations {
    /// Learn from one telemetry spool record.
    pub fn learn(&mut self, t: &Value) {
        let (Some(session), Some(id)) = (text(t, &["session"]), text(t, &["tool_use_id"])) else {
            return;
        };
        let ns = text(t, &["ts_ns"]).and_then(|n| n.parse::<u64>().ok());
        let key = (session, id);
        match t.get("event").and_then(Value::as_str) {
            Some("PreToolUse") => {
                if let Some(ns) = ns {
                    self.started.insert(key, ns);
                }
            }
            Some("PostToolUse" | "PostToolUseFailure") => {
                let reported = t.get("duration_ms").and_then(Value::as_u64);
                let measured = match (self.started.remove(&key), ns) {
                    (Some(start), Some(end)) => Some(end.saturating_sub(start) / 1_000_000),
                    _ => None,
                };
                if let Some(ms) = reported.or(measured) {
                    self.took.insert(key, ms);
                }
            }
            _ => {}
        }
    }

    /// Fill the `latency_ms` of a normalised PostToolUse record.
    pub fn fill(&self, r: &mut Value) {
        if !r["latency_ms"].is_null() {
            return;
        }
        let (Some(session), Some(id)) = (r["session"].as_str(), r["tool_use_id"].as_str()) else {
            return;
        };
        if !matches!(
            r["event"].as_str(),
            Some("PostToolUse" | "PostToolUseFailure")
        ) {
            return;
        }
        if let Some(ms) = self.took.get(&(session.to_string(), id.to_string())) {
            r["latency_ms"] = json!(ms);
        }
    }
}

/// Looks a rule's one-line reason up by its id.
pub type RuleReasons = fn(&str) -> Option<&'static str>;

/// The reason a gated record was stopped: each rule that decided, with
/// its documented reason and the subject the finding named.
fn gate_reason(raw: &Value, normalised: &Value, reasons: RuleReasons) -> Option<String> {
    let findings: Vec<(String, Option<String>)> =
        match raw.get("findings").and_then(Value::as_array) {
            Some(list) => list
                .iter()
                // Guidance that rode along did not stop anything.
                .filter(|f| !f.get("decision").is_none_or(Value::is_null))
                .filter_map(|f| {
                    let id = f.get("id")?.as_str()?.to_string();
                    Some((
                        id,
                        f.get("subject").and_then(Value::as_str).map(str::to_string),
                    ))
                })
                .collect(),
            None => normalised["rules"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|id| (id.to_string(), None))
                .collect(),
        };
    let parts: Vec<String> = findings
        .iter()
        .filter_map(|(id, subject)| {
            let reason = reasons(id)?;
            Some(match subject {
                Some(s) => format!("{id}: {reason} ({s})"),
                None => format!("{id}: {reason}"),
            })
        })
        .collect();
    (!parts.is_empty()).then(|| short(parts.join("; "), 400))
}

/// Whether a normalised record was stopped or held for approval.
fn is_gated(r: &Value) -> bool {
    matches!(r["decision"].as_str(), Some("deny" | "ask" | "block"))
}

/// The panels of the page, computed from every audit record.
#[derive(Debug, Default)]
pub struct Summary {
    /// The page's JSON: `total`, `decisions` (count per decision),
    /// `top_rules` (the 15 most frequent), `sessions`, and `gated` (the 50
    /// most recent denials, asks and blocks, newest first).
    pub value: Value,
}

impl Summary {
    /// Summarise raw audit records, normalising each writer's field
    /// names; gated records get their rules' reasons from `reasons`.
    pub fn from_records(records: &[Value], reasons: RuleReasons) -> Summary {
        let normalised: Vec<Value> = records
            .iter()
            .map(|raw| {
                let mut r = normalise(raw);
                if is_gated(&r) {
                    if let Some(reason) = gate_reason(raw, &r, reasons) {
                        r["reason"] = json!(reason);
                    }
                }
                r
            })
            .collect();
        let mut decisions: BTreeMap<String, u64> = BTreeMap::new();
        let mut rules: BTreeMap<String, u64> = BTreeMap::new();
        let mut sessions: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
        for r in &normalised {
            *decisions
                .entry(r["decision"].as_str().unwrap_or("-").to_string())
                .or_default() += 1;
            for id in r["rules"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                *rules.entry(id.to_string()).or_default() += 1;
            }
            let id = r["session"].as_str().unwrap_or("unknown").to_string();
            let s = sessions.entry(id.clone()).or_insert_with(|| {
                let mut m = Map::new();
                m.insert("id".into(), json!(id));
                m.insert("first".into(), r["ts"].clone());
                m.insert("events".into(), json!(0));
                m.insert("gated".into(), json!(0));
                m
            });
            s.insert("last".into(), r["ts"].clone());
            let bump = |m: &mut Map<String, Value>, k: &str| {
                let n = m.get(k).and_then(Value::as_u64).unwrap_or(0) + 1;
                m.insert(k.into(), json!(n));
            };
            bump(s, "events");
            if is_gated(r) {
                bump(s, "gated");
            }
        }
        let custom = custom_rule_counts(records);
        let mut top: Vec<(String, u64)> = rules.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        top.truncate(15);
        let gated: Vec<&Value> = normalised.iter().filter(|r| is_gated(r)).collect();
        let recent_gated: Vec<&Value> = gated.iter().rev().take(50).copied().collect();
        Summary {
            value: json!({
                "total": normalised.len(),
                "decisions": decisions,
                "top_rules": top.into_iter().map(|(id, n)| json!({"id": id, "count": n})).collect::<Vec<_>>(),
                "sessions": sessions.into_values().map(Value::Object).collect::<Vec<_>>(),
                "gated": recent_gated,
                "custom_rules": custom,
            }),
        }
    }
}

/// Add the configured custom rules (`configured["rules"]`) to the
/// summary's `custom_rules`: rules that never fired get a count of 0, and
/// every rule its file's path and verdict; files that do not load go to
/// `custom_rule_files_invalid`.
pub fn merge_configured_custom_rules(summary: &mut Value, configured: &Value) {
    let mut list: Vec<Value> = summary["custom_rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for rule in configured["rules"].as_array().into_iter().flatten() {
        let same = |r: &Value| r["id"] == rule["id"] && r["origin"] == rule["origin"];
        match list.iter_mut().find(|r| same(r)) {
            Some(r) => {
                r["path"] = rule["path"].clone();
                r["verdict"] = rule["verdict"].clone();
            }
            None => list.push(json!({
                "id": rule["id"], "origin": rule["origin"], "count": 0,
                "path": rule["path"], "verdict": rule["verdict"],
            })),
        }
    }
    summary["custom_rules"] = Value::Array(list);
    summary["custom_rule_files_invalid"] = configured["invalid"].clone();
}

/// How often each custom rule fired, by id and origin (`project`,
/// `user`), from the findings the audit records keep: most frequent first.
fn custom_rule_counts(records: &[Value]) -> Vec<Value> {
    let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    for f in records
        .iter()
        .filter_map(|r| r["findings"].as_array())
        .flatten()
        .filter(|f| f["policy"] == "custom-rules")
    {
        let id = f["id"].as_str().unwrap_or("?").to_string();
        let origin = f["origin"].as_str().unwrap_or("-").to_string();
        *counts.entry((id, origin)).or_default() += 1;
    }
    let mut list: Vec<((String, String), u64)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list.into_iter()
        .map(|((id, origin), n)| json!({"id": id, "origin": origin, "count": n}))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn custom_rules_are_counted_by_id_and_origin() {
        let records = [
            json!({"findings": [{"id": "XDEPLOY1", "policy": "custom-rules", "origin": "project"}]}),
            json!({"findings": [{"id": "XDEPLOY1", "policy": "custom-rules", "origin": "project"},
                                {"id": "CMD023", "policy": "validate-command"}]}),
            json!({"findings": [{"id": "XPUBLISH", "policy": "custom-rules", "origin": "user"}]}),
            json!({"rules": ["CMD001"]}),
        ];
        let s = Summary::from_records(&records, |_| None).value;
        assert_eq!(
            s["custom_rules"],
            json!([
                {"id": "XDEPLOY1", "origin": "project", "count": 2},
                {"id": "XPUBLISH", "origin": "user", "count": 1},
            ])
        );
        let none = Summary::from_records(&[json!({"rules": ["CMD001"]})], |_| None).value;
        assert_eq!(none["custom_rules"], json!([]));

        let mut merged = s.clone();
        merge_configured_custom_rules(
            &mut merged,
            &json!({"rules": [
                {"id": "XDEPLOY1", "origin": "project", "path": "/p/.agentops/rules.toml", "verdict": "deny"},
                {"id": "XQUIET", "origin": "user", "path": "/h/.agentops/rules.toml", "verdict": "ask"},
            ], "invalid": []}),
        );
        assert_eq!(merged["custom_rules"][0]["count"], 2);
        assert_eq!(merged["custom_rules"][0]["path"], "/p/.agentops/rules.toml");
        assert_eq!(
            merged["custom_rules"][2],
            json!({"id": "XQUIET", "origin": "user", "count": 0, "path": "/h/.agentops/rules.toml", "verdict": "ask"})
        );
    }

    #[test]
    fn feed_returns_complete_lines_and_the_next_offset() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("audit.jsonl");
        assert_eq!(
            Feed::read(&path, 0).expect("missing is empty"),
            Feed::default()
        );
        let mut f = File::create(&path).expect("create");
        f.write_all(b"{\"a\":1}\nnot json\n{\"a\":2}\n{\"a\":")
            .expect("write");
        let feed = Feed::read(&path, 0).expect("read");
        assert_eq!(feed.records, vec![json!({"a":1}), json!({"a":2})]);
        assert_eq!(feed.offset, 25);
        f.write_all(b"3}\n").expect("write");
        let next = Feed::read(&path, feed.offset).expect("read");
        assert_eq!(next.records, vec![json!({"a":3})]);
        let restarted = Feed::read(&path, 10_000).expect("read");
        assert_eq!(
            restarted.records.len(),
            3,
            "an offset past the end restarts"
        );
    }

    #[test]
    fn normalise_accepts_the_field_spellings_of_every_writer() {
        let r = normalise(
            &json!({"timestamp": "t", "session_id": "s", "hook_event_name": "PreToolUse",
            "tool_name": "Bash", "command": "ls", "decision": "deny", "rule": "CMD001"}),
        );
        assert_eq!(r["session"], "s");
        assert_eq!(r["tool"], "Bash");
        assert_eq!(r["target"], "ls");
        assert_eq!(r["rules"], json!(["CMD001"]));
        let audit = normalise(
            &json!({"findings": [{"id": "CMD001", "subject": "rm -rf ~/"}, {"id": "STAR002"}]}),
        );
        assert_eq!(audit["reason"], "CMD001 rm -rf ~/; STAR002");
    }

    #[test]
    fn summary_counts_decisions_rules_and_sessions() {
        let records = vec![
            json!({"ts": "1", "session": "a", "decision": "deny", "rules": ["CMD001", "EXF001"]}),
            json!({"ts": "2", "session": "a", "decision": "allow"}),
            json!({"ts": "3", "session": "b", "decision": "ask", "rules": ["CMD001"]}),
        ];
        let s = Summary::from_records(&records, |_| None).value;
        assert_eq!(s["total"], 3);
        assert_eq!(s["decisions"]["deny"], 1);
        assert_eq!(s["top_rules"][0], json!({"id": "CMD001", "count": 2}));
        assert_eq!(s["sessions"][0]["events"], 2);
        assert_eq!(s["sessions"][0]["gated"], 1);
        assert_eq!(s["gated"].as_array().map(Vec::len), Some(2));
        assert_eq!(s["gated"][0]["decision"], "ask", "most recent first");
    }

    #[test]
    fn gated_records_carry_their_rules_reasons() {
        let records = vec![
            json!({"session": "a", "decision": "deny", "rules": ["CMD001", "STAR002"],
            "findings": [{"id": "CMD001", "subject": "rm -rf ~/", "decision": "deny"},
                         {"id": "STAR002", "decision": null}]}),
        ];
        let reasons: RuleReasons = |id| match id {
            "CMD001" => Some("recursive deletion of the home directory"),
            "STAR002" => Some("write a plan first"),
            _ => None,
        };
        let s = Summary::from_records(&records, reasons).value;
        assert_eq!(
            s["gated"][0]["reason"],
            "CMD001: recursive deletion of the home directory (rm -rf ~/)"
        );
    }

    #[test]
    fn durations_come_from_the_spool() {
        let mut d = Durations::default();
        d.learn(&json!({"event": "PreToolUse", "session": "s", "tool_use_id": "t1", "ts_ns": "1000000000"}));
        d.learn(&json!({"event": "PostToolUse", "session": "s", "tool_use_id": "t1", "ts_ns": "1250000000"}));
        d.learn(&json!({"event": "PostToolUse", "session": "s", "tool_use_id": "t2", "ts_ns": "9", "duration_ms": 42}));
        let mut post =
            normalise(&json!({"event": "PostToolUse", "session": "s", "tool_use_id": "t1"}));
        d.fill(&mut post);
        assert_eq!(post["latency_ms"], 250);
        let mut reported =
            normalise(&json!({"event": "PostToolUse", "session": "s", "tool_use_id": "t2"}));
        d.fill(&mut reported);
        assert_eq!(reported["latency_ms"], 42);
        let mut pre =
            normalise(&json!({"event": "PreToolUse", "session": "s", "tool_use_id": "t1"}));
        d.fill(&mut pre);
        assert!(pre["latency_ms"].is_null());
    }
}
