//! Turning the telemetry spool into OTLP/JSON (logs and traces; metrics
//! are [`crate::metrics`]), and the endpoint policy for sending it.
//! [`crate::protobuf`] turns the same shape into `http/protobuf`.
//!
//! Each spool record becomes one log record. Each tool call becomes one
//! span: PreToolUse and PostToolUse (or PostToolUseFailure) records are
//! paired by `tool_use_id`; a PreToolUse whose Post has not been exported
//! yet stays pending in the export state; a denied call gets a span that
//! ends where it starts, with an error status. Spans of one session share
//! a trace id derived from the session id.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use crate::chain::digest_hex;
use serde_json::{json, Map, Value};

/// Pending PreToolUse records kept between exports at most.
pub const MAX_PENDING: usize = 2000;

/// A validated collector base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `scheme://authority/path` without a trailing slash.
    pub base: String,
    /// The host, as written (IPv6 in brackets).
    pub host: String,
    /// https, rather than plain http to a loopback address.
    pub secure: bool,
}

impl Endpoint {
    /// Where logs are posted.
    pub fn logs_url(&self) -> String {
        format!("{}/v1/logs", self.base)
    }

    /// Where spans are posted.
    pub fn traces_url(&self) -> String {
        format!("{}/v1/traces", self.base)
    }

    /// Where requests of `signal` are posted.
    pub fn url(&self, signal: crate::export::Signal) -> String {
        format!("{}{}", self.base, signal.path())
    }
}

fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.is_loopback(),
        Ok(IpAddr::V6(v6)) => {
            v6.is_loopback()
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4: Ipv4Addr| v4.is_loopback())
        }
        Err(_) => false,
    }
}

/// Check a collector URL: https to any host, or http only to a loopback
/// address (telemetry names sessions, tools and rules; it must not cross
/// a network in clear text). Credentials in the URL are refused: use a
/// header (`OTEL_EXPORTER_OTLP_HEADERS`, or `OTLP_AUTH_TOKEN`). When `allowlist` is given (upstream's
/// `OTLP_HOSTNAME_ALLOWLIST`), the host must also be on it.
pub fn check_endpoint(url: &str, allowlist: Option<&str>) -> Result<Endpoint, String> {
    let url = url.trim();
    let (secure, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err(format!(
            "`{url}`: the endpoint must start with https:// (or http:// to a loopback address)"
        ));
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    if path.contains(['?', '#']) {
        return Err(format!(
            "`{url}`: the endpoint must not carry a query or fragment"
        ));
    }
    if authority.contains('@') {
        return Err(format!(
            "`{url}`: credentials in the endpoint URL are refused; set OTEL_EXPORTER_OTLP_HEADERS (or OTLP_AUTH_TOKEN)"
        ));
    }
    let host = if authority.starts_with('[') {
        authority.find(']').map(|i| &authority[..=i])
    } else {
        authority.split(':').next()
    }
    .filter(|h| !h.is_empty())
    .ok_or_else(|| format!("`{url}`: no host"))?;
    if let Some(port) = authority[host.len()..].strip_prefix(':') {
        port.parse::<u16>()
            .map_err(|_| format!("`{url}`: `{port}` is not a port"))?;
    } else if authority.len() > host.len() {
        return Err(format!("`{url}`: malformed host"));
    }
    if !secure && !is_loopback(host) {
        return Err(format!(
            "`{url}`: plain http is only allowed to a loopback address; use https for `{host}`"
        ));
    }
    if let Some(list) = allowlist.filter(|l| !l.trim().is_empty()) {
        let allowed = list
            .split(',')
            .map(str::trim)
            .any(|h| h.eq_ignore_ascii_case(host));
        if !allowed {
            return Err(format!("`{host}` is not in OTLP_HOSTNAME_ALLOWLIST"));
        }
    }
    Ok(Endpoint {
        base: format!(
            "{}://{authority}{}",
            if secure { "https" } else { "http" },
            path.trim_end_matches('/')
        ),
        host: host.to_string(),
        secure,
    })
}

/// A PreToolUse waiting for its PostToolUse.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// When the call started, in nanoseconds since the Unix epoch.
    pub start_ns: u64,
    /// The PreToolUse spool record.
    pub record: Value,
}

/// The OTLP requests for a batch of spool records.
#[derive(Debug, Default)]
pub struct Batch {
    /// The `/v1/logs` request body.
    pub logs: Value,
    /// The `/v1/traces` request body.
    pub traces: Value,
    /// Log records in `logs`.
    pub log_count: usize,
    /// Spans in `traces`.
    pub span_count: usize,
}

fn text<'a>(r: &'a Value, k: &str) -> Option<&'a str> {
    r.get(k).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// When a spool record was written, in nanoseconds since the epoch (0
/// when it does not say).
pub fn time_ns(r: &Value) -> u64 {
    text(r, "ts_ns")
        .and_then(|s| s.parse().ok())
        .or_else(|| r.get("ts_ns").and_then(Value::as_u64))
        .or_else(|| {
            text(r, "ts")
                .and_then(crate::clock::parse)
                .and_then(|i| u64::try_from(i.nanos()).ok())
        })
        .unwrap_or(0)
}

/// The trace id of a session: 32 hex digits derived from its id, so
/// every export of the session lands in one trace.
pub fn trace_id(session: &str) -> String {
    digest_hex(format!("agentops-trace\0{session}").as_bytes())[..32].to_string()
}

/// The span id of one tool call: 16 hex digits derived from the session
/// and the tool use id, shared by the call's logs and its span.
pub fn span_id(session: &str, tool_use_id: &str) -> String {
    digest_hex(format!("agentops-span\0{session}\0{tool_use_id}").as_bytes())[..16].to_string()
}

fn attr(key: &str, value: Value) -> Value {
    let v = match value {
        Value::Bool(b) => json!({"boolValue": b}),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!({"intValue": n.to_string()}),
        Value::Number(n) => json!({"doubleValue": n.as_f64()}),
        Value::Array(items) => {
            let values: Vec<Value> = items
                .iter()
                .map(|i| json!({"stringValue": i.as_str().unwrap_or_default()}))
                .collect();
            json!({"arrayValue": {"values": values}})
        }
        Value::String(s) => json!({"stringValue": s}),
        other => json!({"stringValue": other.to_string()}),
    };
    json!({"key": key, "value": v})
}

/// Attributes shared by a record's log and span: the GenAI semantic
/// conventions' names where one exists (`gen_ai.conversation.id` for the
/// session, `gen_ai.tool.name`, `gen_ai.tool.call.id`, `gen_ai.agent.*`,
/// `gen_ai.operation.name` `execute_tool` on tool events), `session.id`
/// too, and `agentops.*` for the rest.
fn attributes(r: &Value) -> Vec<Value> {
    let names: &[(&str, &[&str])] = &[
        ("event", &["agentops.event"]),
        ("session", &["gen_ai.conversation.id", "session.id"]),
        ("tool", &["gen_ai.tool.name"]),
        ("tool_use_id", &["gen_ai.tool.call.id"]),
        ("decision", &["agentops.decision"]),
        ("rules", &["agentops.rules"]),
        ("duration_ms", &["agentops.duration_ms"]),
        ("agent_id", &["gen_ai.agent.id"]),
        ("agent_type", &["gen_ai.agent.name"]),
        ("error", &["agentops.error"]),
        ("is_interrupt", &["agentops.is_interrupt"]),
    ];
    let mut out = Vec::new();
    if text(r, "tool").is_some() {
        out.push(attr("gen_ai.operation.name", json!("execute_tool")));
    }
    for (field, keys) in names {
        if let Some(v) = r.get(*field) {
            out.extend(keys.iter().map(|key| attr(key, v.clone())));
        }
    }
    out
}

/// The OTLP resource: `service.name` and the rest of the configured
/// resource attributes ([`crate::otel_env`]).
pub fn resource(attributes: &[(String, String)]) -> Value {
    let attrs: Vec<Value> = attributes.iter().map(|(k, v)| attr(k, json!(v))).collect();
    json!({ "attributes": attrs })
}

/// The default resource, for callers with no configuration (`--dry-run`
/// without an endpoint).
pub fn default_resource() -> Value {
    resource(&[
        ("service.name".into(), "agentops".into()),
        ("service.version".into(), env!("CARGO_PKG_VERSION").into()),
    ])
}

/// The instrumentation scope every request names.
pub fn scope() -> Value {
    json!({"name": "agentops", "version": env!("CARGO_PKG_VERSION")})
}

fn log_record(r: &Value) -> Value {
    let session = text(r, "session").unwrap_or("unknown");
    let event = text(r, "event").unwrap_or("unknown");
    let (severity, number) = match (text(r, "decision"), r.get("error")) {
        (_, Some(Value::Bool(true))) => ("ERROR", 17),
        (Some("deny" | "block"), _) => ("WARN", 13),
        _ => ("INFO", 9),
    };
    let mut body = event.to_string();
    for k in ["tool", "decision"] {
        if let Some(v) = text(r, k) {
            body.push(' ');
            body.push_str(v);
        }
    }
    let ns = time_ns(r).to_string();
    let mut log = json!({
        "timeUnixNano": ns,
        "observedTimeUnixNano": ns,
        "severityNumber": number,
        "severityText": severity,
        "body": {"stringValue": body},
        "attributes": attributes(r),
        "traceId": trace_id(session),
    });
    if let (Some(id), Some(obj)) = (text(r, "tool_use_id"), log.as_object_mut()) {
        obj.insert("spanId".into(), json!(span_id(session, id)));
    }
    log
}

fn span(
    pre: Option<&Value>,
    start_ns: u64,
    end: &Value,
    end_ns: u64,
    status: Option<&str>,
) -> Value {
    let session = text(end, "session").unwrap_or("unknown");
    let id = text(end, "tool_use_id").unwrap_or("unknown");
    let tool = text(end, "tool")
        .or_else(|| pre.and_then(|p| text(p, "tool")))
        .unwrap_or("tool");
    let mut attrs = attributes(end);
    if let Some(p) = pre {
        for k in ["decision", "rules"] {
            if end.get(k).is_none() {
                if let Some(v) = p.get(k) {
                    let key = if k == "decision" {
                        "agentops.decision"
                    } else {
                        "agentops.rules"
                    };
                    attrs.push(attr(key, v.clone()));
                }
            }
        }
    }
    let status = match status {
        Some(message) => json!({"code": 2, "message": message}),
        None => json!({"code": 1}),
    };
    json!({
        "traceId": trace_id(session),
        "spanId": span_id(session, id),
        // The GenAI span name for a tool execution.
        "name": format!("execute_tool {tool}"),
        "kind": 1,
        "startTimeUnixNano": start_ns.min(end_ns).to_string(),
        "endTimeUnixNano": end_ns.to_string(),
        "attributes": attrs,
        "status": status,
    })
}

/// Convert spool records (oldest first) into OTLP requests, pairing tool
/// calls with `pending` PreToolUse records from earlier batches.
pub fn convert(
    records: &[Value],
    pending: &mut BTreeMap<String, Pending>,
    resource: &Value,
) -> Batch {
    let mut logs = Vec::new();
    let mut spans = Vec::new();
    for r in records {
        logs.push(log_record(r));
        let Some(id) = text(r, "tool_use_id") else {
            continue;
        };
        let key = format!("{}\0{id}", text(r, "session").unwrap_or("unknown"));
        let ns = time_ns(r);
        match text(r, "event") {
            Some("PreToolUse") if text(r, "decision") == Some("deny") => {
                // The call never ran.
                spans.push(span(Some(r), ns, r, ns, Some("denied by agentops")));
            }
            Some("PreToolUse") => {
                pending.insert(
                    key,
                    Pending {
                        start_ns: ns,
                        record: r.clone(),
                    },
                );
            }
            Some(event @ ("PostToolUse" | "PostToolUseFailure")) => {
                let pre = pending.remove(&key);
                let reported = r
                    .get("duration_ms")
                    .and_then(Value::as_u64)
                    .map(|ms| ns.saturating_sub(ms * 1_000_000));
                let start = pre.as_ref().map(|p| p.start_ns).or(reported).unwrap_or(ns);
                let status = (event == "PostToolUseFailure").then_some("tool call failed");
                spans.push(span(pre.as_ref().map(|p| &p.record), start, r, ns, status));
            }
            _ => {}
        }
    }
    while pending.len() > MAX_PENDING {
        // Drop the oldest: its Post is not coming.
        let oldest = pending
            .iter()
            .min_by_key(|(_, p)| p.start_ns)
            .map(|(k, _)| k.clone());
        match oldest {
            Some(k) => pending.remove(&k),
            None => break,
        };
    }
    Batch {
        log_count: logs.len(),
        span_count: spans.len(),
        logs: json!({"resourceLogs": [{"resource": resource, "scopeLogs": [{"scope": scope(), "logRecords": logs}]}]}),
        traces: json!({"resourceSpans": [{"resource": resource, "scopeSpans": [{"scope": scope(), "spans": spans}]}]}),
    }
}

/// Pending records as saved in the export state.
pub fn pending_to_json(pending: &BTreeMap<String, Pending>) -> Value {
    let mut m = Map::new();
    for (k, p) in pending {
        m.insert(
            k.clone(),
            json!({"start_ns": p.start_ns.to_string(), "record": p.record}),
        );
    }
    Value::Object(m)
}

/// Pending records from the export state; unreadable entries are dropped.
pub fn pending_from_json(v: Option<&Value>) -> BTreeMap<String, Pending> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, p)| {
                    let start_ns = p.get("start_ns")?.as_str()?.parse().ok()?;
                    Some((
                        k.clone(),
                        Pending {
                            start_ns,
                            record: p.get("record")?.clone(),
                        },
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_policy() {
        let ok = [
            ("https://otel.example.com", "https://otel.example.com"),
            (
                "https://otel.example.com:4318/",
                "https://otel.example.com:4318",
            ),
            (
                "https://otel.example.com/base/",
                "https://otel.example.com/base",
            ),
            ("http://127.0.0.1:4318", "http://127.0.0.1:4318"),
            ("http://localhost:4318", "http://localhost:4318"),
            ("http://[::1]:4318", "http://[::1]:4318"),
            ("http://127.9.9.9", "http://127.9.9.9"),
        ];
        for (url, base) in ok {
            assert_eq!(
                check_endpoint(url, None).map(|e| e.base),
                Ok(base.to_string()),
                "{url}"
            );
        }
        let refused = [
            "http://otel.example.com:4318",
            "http://10.0.0.5:4318",
            "http://127.0.0.1.evil.com",
            "http://localhost.evil.com",
            "ftp://127.0.0.1",
            "otel.example.com",
            "https://user:pw@otel.example.com",
            "https://otel.example.com?x=1",
            "https://:4318",
            "https://host:notaport",
            "",
        ];
        for url in refused {
            assert!(check_endpoint(url, None).is_err(), "{url}");
        }
        assert!(check_endpoint("https://a.example", Some("b.example, a.example")).is_ok());
        assert!(check_endpoint("https://c.example", Some("b.example")).is_err());
        let e = check_endpoint("https://otel.example.com/base/", None).expect("valid");
        assert_eq!(e.url(crate::export::Signal::Logs), e.logs_url());
        assert_eq!(
            e.url(crate::export::Signal::Traces),
            "https://otel.example.com/base/v1/traces"
        );
    }

    fn rec(event: &str, id: &str, ns: u64, extra: Value) -> Value {
        let mut r = json!({"event": event, "session": "s1", "tool": "Bash", "tool_use_id": id, "ts_ns": ns.to_string()});
        if let (Some(o), Some(e)) = (r.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        r
    }

    #[test]
    fn tool_calls_become_spans_paired_across_batches() {
        let mut pending = BTreeMap::new();
        let first = convert(
            &[
                rec("PreToolUse", "t1", 1_000, json!({"decision": "allow"})),
                rec(
                    "PreToolUse",
                    "t2",
                    1_500,
                    json!({"decision": "deny", "rules": ["CMD001"]}),
                ),
            ],
            &mut pending,
            &default_resource(),
        );
        assert_eq!((first.log_count, first.span_count), (2, 1));
        let denied = &first.traces["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
        assert_eq!(denied["status"]["code"], 2);
        assert_eq!(pending.len(), 1);
        let second = convert(
            &[rec("PostToolUse", "t1", 4_000, json!({}))],
            &mut pending,
            &default_resource(),
        );
        let span = &second.traces["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
        assert_eq!(span["startTimeUnixNano"], "1000");
        assert_eq!(span["endTimeUnixNano"], "4000");
        assert_eq!(span["name"], "execute_tool Bash");
        let keys: Vec<&str> = span["attributes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["key"].as_str())
            .collect();
        for k in [
            "gen_ai.operation.name",
            "gen_ai.conversation.id",
            "session.id",
            "gen_ai.tool.name",
            "gen_ai.tool.call.id",
        ] {
            assert!(keys.contains(&k), "{k} missing: {keys:?}");
        }
        assert_eq!(span["traceId"].as_str().map(str::len), Some(32));
        assert_eq!(span["spanId"].as_str().map(str::len), Some(16));
        let log = &second.logs["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0];
        assert_eq!(log["spanId"], span["spanId"]);
        assert!(pending.is_empty());
    }

    #[test]
    fn reported_durations_and_failures_shape_lone_posts() {
        let mut pending = BTreeMap::new();
        let b = convert(
            &[
                rec("PostToolUse", "t3", 10_000_000, json!({"duration_ms": 4})),
                rec(
                    "PostToolUseFailure",
                    "t4",
                    20_000_000,
                    json!({"error": true}),
                ),
            ],
            &mut pending,
            &default_resource(),
        );
        let spans = &b.traces["resourceSpans"][0]["scopeSpans"][0]["spans"];
        assert_eq!(spans[0]["startTimeUnixNano"], "6000000");
        assert_eq!(spans[1]["status"]["code"], 2);
        let logs = &b.logs["resourceLogs"][0]["scopeLogs"][0]["logRecords"];
        assert_eq!(logs[1]["severityText"], "ERROR");
    }

    #[test]
    fn pending_round_trips_and_stays_bounded() {
        let mut pending = BTreeMap::new();
        let records: Vec<Value> = (0..(MAX_PENDING as u64 + 5))
            .map(|i| rec("PreToolUse", &format!("t{i}"), i, json!({})))
            .collect();
        convert(&records, &mut pending, &default_resource());
        assert_eq!(pending.len(), MAX_PENDING);
        assert!(!pending.contains_key("s1\0t0"));
        assert_eq!(pending_from_json(Some(&pending_to_json(&pending))), pending);
    }
}
