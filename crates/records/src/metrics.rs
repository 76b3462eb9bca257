//! OTLP metrics: monotonic sums counted from the telemetry spool (tool
//! calls, denials by rule) and read from the cost ledger (tokens and USD
//! by model).
//!
//! | metric | unit | attributes |
//! |---|---|---|
//! | `agentops.tool.calls` | `{call}` | `gen_ai.tool.name`, `agentops.event`, `agentops.decision` (gates only) |
//! | `agentops.denials` | `{denial}` | `agentops.rule.id`, `agentops.decision` (`deny` or `block`) |
//! | `agentops.token.usage` | `{token}` | `gen_ai.request.model`, `gen_ai.token.type` (`input`, `output`, `cache_read`, `cache_creation`) |
//! | `agentops.cost` | `USD` | `gen_ai.request.model` |
//!
//! GenAI's own `gen_ai.client.token.usage` is a histogram of tokens per
//! request, which agentops (reading totals from transcripts) cannot
//! build honestly; the sums above use the GenAI attribute names instead.
//!
//! Counts from the spool are added up in the export state as the spool
//! offset moves, in the same locked write, so each record is counted
//! exactly once. A series is keyed by its metric name and attributes.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::otel_env::Temporality;

/// One model's totals from the cost ledger.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelUsage {
    /// The model id as the transcript names it.
    pub model: String,
    /// Uncached input tokens.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Input tokens read from the prompt cache.
    pub cache_read_tokens: u64,
    /// Input tokens written to the prompt cache.
    pub cache_creation_tokens: u64,
    /// What those tokens cost, at the project's prices.
    pub usd: f64,
}

/// The metrics agentops exports: `(name, unit, description, integer)`.
const METRICS: &[(&str, &str, &str, bool)] = &[
    (
        TOOL_CALLS,
        "{call}",
        "Tool call hook events, by tool, event and decision",
        true,
    ),
    (
        DENIALS,
        "{denial}",
        "Tool calls denied or blocked, by rule",
        true,
    ),
    (
        TOKENS,
        "{token}",
        "Tokens used, by model and token type",
        true,
    ),
    (COST, "USD", "Cost of the tokens used, by model", false),
];

/// Tool call hook events.
pub const TOOL_CALLS: &str = "agentops.tool.calls";
/// Denials and blocks by rule.
pub const DENIALS: &str = "agentops.denials";
/// Tokens by model and type.
pub const TOKENS: &str = "agentops.token.usage";
/// USD by model.
pub const COST: &str = "agentops.cost";

/// A series key: the metric name and its attributes, as one JSON string
/// (stable, and what the export state stores).
pub fn key(metric: &str, attributes: &[(&str, &str)]) -> String {
    let attrs: Vec<Value> = attributes.iter().map(|(k, v)| json!([k, v])).collect();
    json!([metric, attrs]).to_string()
}

fn split_key(key: &str) -> Option<(String, Vec<(String, String)>)> {
    let v: Value = serde_json::from_str(key).ok()?;
    let name = v.get(0)?.as_str()?.to_string();
    let attrs = v
        .get(1)?
        .as_array()?
        .iter()
        .filter_map(|p| {
            Some((
                p.get(0)?.as_str()?.to_string(),
                p.get(1)?.as_str()?.to_string(),
            ))
        })
        .collect();
    Some((name, attrs))
}

fn text<'a>(r: &'a Value, k: &str) -> Option<&'a str> {
    r.get(k).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// Add what spool `records` count to `counts`.
pub fn count(records: &[Value], counts: &mut BTreeMap<String, u64>) {
    for r in records {
        let decision = text(r, "decision");
        if let (Some(tool), Some(event)) = (text(r, "tool"), text(r, "event")) {
            let mut attrs = vec![("gen_ai.tool.name", tool), ("agentops.event", event)];
            if let Some(d) = decision {
                attrs.push(("agentops.decision", d));
            }
            *counts.entry(key(TOOL_CALLS, &attrs)).or_default() += 1;
        }
        if let Some(d @ ("deny" | "block")) = decision {
            let rules: Vec<&str> = r
                .get("rules")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            // A refusal with no rule (a malformed payload) still counts.
            let rules = if rules.is_empty() {
                vec!["none"]
            } else {
                rules
            };
            for rule in rules {
                let attrs = [("agentops.rule.id", rule), ("agentops.decision", d)];
                *counts.entry(key(DENIALS, &attrs)).or_default() += 1;
            }
        }
    }
}

/// Every series' current cumulative value: the spool counts plus the
/// ledger's totals per model.
pub fn current(counts: &BTreeMap<String, u64>, models: &[ModelUsage]) -> BTreeMap<String, f64> {
    let mut all: BTreeMap<String, f64> =
        counts.iter().map(|(k, v)| (k.clone(), *v as f64)).collect();
    for m in models {
        for (kind, n) in [
            ("input", m.input_tokens),
            ("output", m.output_tokens),
            ("cache_read", m.cache_read_tokens),
            ("cache_creation", m.cache_creation_tokens),
        ] {
            if n > 0 {
                let attrs = [
                    ("gen_ai.request.model", m.model.as_str()),
                    ("gen_ai.token.type", kind),
                ];
                *all.entry(key(TOKENS, &attrs)).or_default() += n as f64;
            }
        }
        if m.usd > 0.0 {
            *all.entry(key(COST, &[("gen_ai.request.model", m.model.as_str())]))
                .or_default() += m.usd;
        }
    }
    all
}

/// The data points to send: every series with its cumulative value since
/// `start_ns`, or (delta) what changed since `sent` over
/// `[last_ns, now_ns]`. `None` when nothing changed since the last
/// export, so an idle project sends nothing.
pub fn request(
    current: &BTreeMap<String, f64>,
    sent: &BTreeMap<String, f64>,
    temporality: Temporality,
    (start_ns, last_ns, now_ns): (u64, u64, u64),
    resource: &Value,
    scope: &Value,
) -> Option<(Value, usize)> {
    let changed = current
        .iter()
        .any(|(k, v)| sent.get(k).is_none_or(|old| (old - v).abs() > f64::EPSILON));
    if !changed {
        return None;
    }
    let mut points: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    let mut count = 0;
    for (k, value) in current {
        let Some((name, attrs)) = split_key(k) else {
            continue;
        };
        let Some(&(name, _, _, integer)) = METRICS.iter().find(|m| m.0 == name) else {
            continue;
        };
        let (value, start) = match temporality {
            Temporality::Cumulative => (*value, start_ns),
            Temporality::Delta => (value - sent.get(k).copied().unwrap_or(0.0), last_ns),
        };
        if temporality == Temporality::Delta && value.abs() <= f64::EPSILON {
            continue;
        }
        let attributes: Vec<Value> = attrs
            .iter()
            .map(|(k, v)| json!({"key": k, "value": {"stringValue": v}}))
            .collect();
        let mut point = json!({
            "attributes": attributes,
            "startTimeUnixNano": start.to_string(),
            "timeUnixNano": now_ns.to_string(),
        });
        if integer {
            // A JSON number, which every proto3 JSON reader accepts for
            // an sfixed64 (some collectors drop the string form), and
            // exact: counts stay far below 2^53.
            point["asInt"] = json!(value.round() as i64);
        } else {
            point["asDouble"] = json!(value);
        }
        points.entry(name).or_default().push(point);
        count += 1;
    }
    let metrics: Vec<Value> = METRICS
        .iter()
        .filter_map(|(name, unit, description, _)| {
            let data = points.remove(name)?;
            Some(json!({
                "name": name, "unit": unit, "description": description,
                "sum": {"dataPoints": data, "aggregationTemporality": temporality as u8, "isMonotonic": true},
            }))
        })
        .collect();
    Some((
        json!({"resourceMetrics": [{"resource": resource, "scopeMetrics": [{"scope": scope, "metrics": metrics}]}]}),
        count,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(body: &Value, metric: &str) -> Vec<Value> {
        body["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["name"] == metric)
            .flat_map(|m| {
                m["sum"]["dataPoints"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn tool_calls_and_denials_are_counted_by_their_attributes() {
        let mut counts = BTreeMap::new();
        count(
            &[
                json!({"event": "PreToolUse", "tool": "Bash", "decision": "deny", "rules": ["CMD001", "EXF001"]}),
                json!({"event": "PreToolUse", "tool": "Bash", "decision": "deny", "rules": ["CMD001"]}),
                json!({"event": "PostToolUse", "tool": "Bash"}),
                json!({"event": "PreToolUse", "decision": "deny"}),
                json!({"event": "Stop"}),
            ],
            &mut counts,
        );
        let bash_denied = key(
            TOOL_CALLS,
            &[
                ("gen_ai.tool.name", "Bash"),
                ("agentops.event", "PreToolUse"),
                ("agentops.decision", "deny"),
            ],
        );
        assert_eq!(counts.get(&bash_denied), Some(&2));
        let post = key(
            TOOL_CALLS,
            &[
                ("gen_ai.tool.name", "Bash"),
                ("agentops.event", "PostToolUse"),
            ],
        );
        assert_eq!(counts.get(&post), Some(&1));
        let cmd = key(
            DENIALS,
            &[
                ("agentops.rule.id", "CMD001"),
                ("agentops.decision", "deny"),
            ],
        );
        assert_eq!(counts.get(&cmd), Some(&2));
        let none = key(
            DENIALS,
            &[("agentops.rule.id", "none"), ("agentops.decision", "deny")],
        );
        assert_eq!(counts.get(&none), Some(&1));
        assert_eq!(counts.len(), 5, "{counts:?}");
    }

    #[test]
    fn cumulative_and_delta_points_and_nothing_when_idle() {
        let mut counts = BTreeMap::new();
        count(
            &[json!({"event": "PreToolUse", "tool": "Read", "decision": "allow"})],
            &mut counts,
        );
        let models = [ModelUsage {
            model: "claude-sonnet-4-5".into(),
            input_tokens: 1000,
            output_tokens: 20,
            usd: 0.5,
            ..ModelUsage::default()
        }];
        let now = current(&counts, &models);
        assert_eq!(now.len(), 4, "calls, input, output, cost: {now:?}");
        let (body, n) = request(
            &now,
            &BTreeMap::new(),
            Temporality::Cumulative,
            (10, 20, 30),
            &json!({}),
            &json!({}),
        )
        .expect("something new");
        assert_eq!(n, 4);
        let tokens = points(&body, TOKENS);
        assert_eq!(tokens.len(), 2);
        assert_eq!(tokens[0]["asInt"], 1000);
        assert_eq!(tokens[0]["startTimeUnixNano"], "10");
        assert_eq!(points(&body, COST)[0]["asDouble"], 0.5);
        let sum = &body["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][0]["sum"];
        assert_eq!(
            (
                sum["aggregationTemporality"].clone(),
                sum["isMonotonic"].clone()
            ),
            (json!(2), json!(true))
        );
        assert!(request(
            &now,
            &now,
            Temporality::Cumulative,
            (10, 20, 30),
            &json!({}),
            &json!({})
        )
        .is_none());

        let mut later = now.clone();
        let calls_key = key(
            TOOL_CALLS,
            &[
                ("gen_ai.tool.name", "Read"),
                ("agentops.event", "PreToolUse"),
                ("agentops.decision", "allow"),
            ],
        );
        *later.get_mut(&calls_key).expect("the calls series") += 2.0;
        let (delta, n) = request(
            &later,
            &now,
            Temporality::Delta,
            (10, 20, 30),
            &json!({}),
            &json!({}),
        )
        .expect("a change");
        assert_eq!(n, 1, "only the changed series");
        let calls = points(&delta, TOOL_CALLS);
        assert_eq!(
            (
                calls[0]["asInt"].clone(),
                calls[0]["startTimeUnixNano"].clone()
            ),
            (json!(2), json!("20"))
        );
        assert!(
            points(&delta, COST).is_empty(),
            "an unchanged series is left out"
        );
        assert_eq!(
            delta["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][0]["sum"]
                ["aggregationTemporality"],
            1
        );
    }
}
