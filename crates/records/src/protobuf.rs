//! OTLP/HTTP protobuf (`http/protobuf`) for the three requests agentops
//! sends, encoded by hand from the OTLP/JSON shape [`crate::otlp`] builds.
//!
//! Only the messages and fields agentops fills are known here (field
//! numbers from opentelemetry-proto's `common`, `resource`, `logs`,
//! `trace` and `metrics` v1 protos); a field the JSON does not carry is
//! left out, which proto3 reads as its default. A generated encoder
//! (prost and the proto crates) would add a code generator and a dozen
//! crates to the build for these few hundred bytes of logic.

use serde_json::Value;

use crate::export::Signal;

const VARINT: u8 = 0;
const FIXED64: u8 = 1;
const LEN: u8 = 2;
const FIXED32: u8 = 5;

/// The protobuf body of the request `body` (OTLP/JSON) describes.
pub fn encode(signal: Signal, body: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    match signal {
        Signal::Logs => repeated(&mut out, 1, body.get("resourceLogs"), resource_logs),
        Signal::Traces => repeated(&mut out, 1, body.get("resourceSpans"), resource_spans),
        Signal::Metrics => repeated(&mut out, 1, body.get("resourceMetrics"), resource_metrics),
    }
    out
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn tag(out: &mut Vec<u8>, field: u32, wire: u8) {
    varint(out, (u64::from(field) << 3) | u64::from(wire));
}

fn bytes(out: &mut Vec<u8>, field: u32, b: &[u8]) {
    tag(out, field, LEN);
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// A nested message: encoded on its own, then written length-delimited.
fn message(out: &mut Vec<u8>, field: u32, v: &Value, encode: fn(&mut Vec<u8>, &Value)) {
    let mut inner = Vec::new();
    encode(&mut inner, v);
    bytes(out, field, &inner);
}

fn repeated(out: &mut Vec<u8>, field: u32, v: Option<&Value>, encode: fn(&mut Vec<u8>, &Value)) {
    for item in v.and_then(Value::as_array).into_iter().flatten() {
        message(out, field, item, encode);
    }
}

fn string(out: &mut Vec<u8>, field: u32, v: Option<&Value>) {
    if let Some(s) = v.and_then(Value::as_str).filter(|s| !s.is_empty()) {
        bytes(out, field, s.as_bytes());
    }
}

/// A 64-bit number OTLP/JSON writes as a decimal string (or a number).
fn u64_of(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

fn i64_of(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

fn fixed64(out: &mut Vec<u8>, field: u32, v: Option<&Value>) {
    if let Some(n) = u64_of(v).filter(|n| *n != 0) {
        tag(out, field, FIXED64);
        out.extend_from_slice(&n.to_le_bytes());
    }
}

fn uint(out: &mut Vec<u8>, field: u32, v: Option<&Value>) {
    if let Some(n) = u64_of(v).filter(|n| *n != 0) {
        tag(out, field, VARINT);
        varint(out, n);
    }
}

fn boolean(out: &mut Vec<u8>, field: u32, v: Option<&Value>) {
    if v.and_then(Value::as_bool) == Some(true) {
        tag(out, field, VARINT);
        varint(out, 1);
    }
}

/// Trace and span ids: hex in OTLP/JSON, raw bytes in protobuf. An id
/// that is not hex is left out (the collector treats it as unset).
fn id(out: &mut Vec<u8>, field: u32, v: Option<&Value>) {
    let Some(hex) = v.and_then(Value::as_str).filter(|s| !s.is_empty()) else {
        return;
    };
    let raw: Option<Vec<u8>> = hex
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
        })
        .collect();
    if let Some(raw) = raw.filter(|r| r.len() * 2 == hex.len()) {
        bytes(out, field, &raw);
    }
}

// common.proto

fn any_value(out: &mut Vec<u8>, v: &Value) {
    if let Some(s) = v.get("stringValue").and_then(Value::as_str) {
        // A oneof member is written even when empty: it says which one.
        bytes(out, 1, s.as_bytes());
    } else if let Some(b) = v.get("boolValue").and_then(Value::as_bool) {
        tag(out, 2, VARINT);
        varint(out, u64::from(b));
    } else if let Some(i) = i64_of(v.get("intValue")) {
        tag(out, 3, VARINT);
        // int64: two's complement as a 64-bit varint.
        varint(out, i as u64);
    } else if let Some(d) = v.get("doubleValue").and_then(Value::as_f64) {
        tag(out, 4, FIXED64);
        out.extend_from_slice(&d.to_le_bytes());
    } else if let Some(a) = v.get("arrayValue") {
        message(out, 5, a, |out, a| {
            repeated(out, 1, a.get("values"), any_value)
        });
    } else if let Some(kv) = v.get("kvlistValue") {
        message(out, 6, kv, |out, kv| {
            repeated(out, 1, kv.get("values"), key_value)
        });
    }
}

fn key_value(out: &mut Vec<u8>, v: &Value) {
    string(out, 1, v.get("key"));
    if let Some(value) = v.get("value") {
        message(out, 2, value, any_value);
    }
}

fn scope(out: &mut Vec<u8>, v: &Value) {
    string(out, 1, v.get("name"));
    string(out, 2, v.get("version"));
    repeated(out, 3, v.get("attributes"), key_value);
}

// resource.proto

fn resource(out: &mut Vec<u8>, v: &Value) {
    repeated(out, 1, v.get("attributes"), key_value);
}

fn with_resource(out: &mut Vec<u8>, v: &Value) {
    if let Some(r) = v.get("resource") {
        message(out, 1, r, resource);
    }
}

fn with_scope(out: &mut Vec<u8>, v: &Value) {
    if let Some(s) = v.get("scope") {
        message(out, 1, s, scope);
    }
}

// logs.proto

fn resource_logs(out: &mut Vec<u8>, v: &Value) {
    with_resource(out, v);
    repeated(out, 2, v.get("scopeLogs"), scope_logs);
}

fn scope_logs(out: &mut Vec<u8>, v: &Value) {
    with_scope(out, v);
    repeated(out, 2, v.get("logRecords"), log_record);
}

fn log_record(out: &mut Vec<u8>, v: &Value) {
    fixed64(out, 1, v.get("timeUnixNano"));
    uint(out, 2, v.get("severityNumber"));
    string(out, 3, v.get("severityText"));
    if let Some(body) = v.get("body") {
        message(out, 5, body, any_value);
    }
    repeated(out, 6, v.get("attributes"), key_value);
    if let Some(flags) = u64_of(v.get("flags")).and_then(|f| u32::try_from(f).ok()) {
        tag(out, 8, FIXED32);
        out.extend_from_slice(&flags.to_le_bytes());
    }
    id(out, 9, v.get("traceId"));
    id(out, 10, v.get("spanId"));
    fixed64(out, 11, v.get("observedTimeUnixNano"));
    string(out, 12, v.get("eventName"));
}

// trace.proto

fn resource_spans(out: &mut Vec<u8>, v: &Value) {
    with_resource(out, v);
    repeated(out, 2, v.get("scopeSpans"), scope_spans);
}

fn scope_spans(out: &mut Vec<u8>, v: &Value) {
    with_scope(out, v);
    repeated(out, 2, v.get("spans"), span);
}

fn span(out: &mut Vec<u8>, v: &Value) {
    id(out, 1, v.get("traceId"));
    id(out, 2, v.get("spanId"));
    id(out, 4, v.get("parentSpanId"));
    string(out, 5, v.get("name"));
    uint(out, 6, v.get("kind"));
    fixed64(out, 7, v.get("startTimeUnixNano"));
    fixed64(out, 8, v.get("endTimeUnixNano"));
    repeated(out, 9, v.get("attributes"), key_value);
    if let Some(status) = v.get("status") {
        message(out, 15, status, |out, s| {
            string(out, 2, s.get("message"));
            uint(out, 3, s.get("code"));
        });
    }
}

// metrics.proto

fn resource_metrics(out: &mut Vec<u8>, v: &Value) {
    with_resource(out, v);
    repeated(out, 2, v.get("scopeMetrics"), scope_metrics);
}

fn scope_metrics(out: &mut Vec<u8>, v: &Value) {
    with_scope(out, v);
    repeated(out, 2, v.get("metrics"), metric);
}

fn metric(out: &mut Vec<u8>, v: &Value) {
    string(out, 1, v.get("name"));
    string(out, 2, v.get("description"));
    string(out, 3, v.get("unit"));
    if let Some(sum) = v.get("sum") {
        message(out, 7, sum, |out, s| {
            repeated(out, 1, s.get("dataPoints"), number_data_point);
            uint(out, 2, s.get("aggregationTemporality"));
            boolean(out, 3, s.get("isMonotonic"));
        });
    }
}

fn number_data_point(out: &mut Vec<u8>, v: &Value) {
    fixed64(out, 2, v.get("startTimeUnixNano"));
    fixed64(out, 3, v.get("timeUnixNano"));
    if let Some(d) = v.get("asDouble").and_then(Value::as_f64) {
        tag(out, 4, FIXED64);
        out.extend_from_slice(&d.to_le_bytes());
    } else if let Some(i) = i64_of(v.get("asInt")) {
        tag(out, 6, FIXED64);
        out.extend_from_slice(&i.to_le_bytes());
    }
    repeated(out, 7, v.get("attributes"), key_value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn varints_follow_the_wire_format() {
        let mut out = Vec::new();
        for v in [0, 1, 127, 128, 300, u64::MAX] {
            varint(&mut out, v);
        }
        assert_eq!(
            out,
            [
                0x00, 0x01, 0x7f, 0x80, 0x01, 0xac, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0xff, 0x01
            ]
        );
    }

    #[test]
    fn a_log_request_encodes_byte_for_byte() {
        let body = json!({"resourceLogs": [{
            "resource": {"attributes": [{"key": "a", "value": {"stringValue": "b"}}]},
            "scopeLogs": [{"scope": {"name": "s"}, "logRecords": [{
                "timeUnixNano": "1", "severityNumber": 9,
                "body": {"stringValue": ""},
                "attributes": [{"key": "n", "value": {"intValue": "-1"}}],
                "traceId": "0a0b", "spanId": "zz"
            }]}]
        }]});
        let got = encode(Signal::Logs, &body);
        let kv_a = [0x0a, 0x01, b'a', 0x12, 0x03, 0x0a, 0x01, b'b'];
        let mut resource = vec![0x0a, kv_a.len() as u8];
        resource.extend_from_slice(&kv_a);
        let mut kv_n = vec![0x0a, 0x01, b'n', 0x12, 0x0b, 0x18];
        kv_n.extend_from_slice(&[0xff; 9]);
        kv_n.push(0x01);
        let mut record = vec![
            0x09, 1, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x09, 0x2a, 0x02, 0x0a, 0x00,
        ];
        record.push(0x32);
        record.push(kv_n.len() as u8);
        record.extend_from_slice(&kv_n);
        // The trace id is two bytes of hex; the span id is not hex, so left out.
        record.extend_from_slice(&[0x4a, 0x02, 0x0a, 0x0b]);
        let mut scope_logs = vec![0x0a, 0x03, 0x0a, 0x01, b's', 0x12, record.len() as u8];
        scope_logs.extend_from_slice(&record);
        let mut resource_logs = vec![0x0a, resource.len() as u8];
        resource_logs.extend_from_slice(&resource);
        resource_logs.push(0x12);
        resource_logs.push(scope_logs.len() as u8);
        resource_logs.extend_from_slice(&scope_logs);
        let mut want = vec![0x0a, resource_logs.len() as u8];
        want.extend_from_slice(&resource_logs);
        assert_eq!(got, want);
    }

    #[test]
    fn sums_carry_temporality_monotonicity_and_typed_points() {
        let body = json!({"resourceMetrics": [{"scopeMetrics": [{"metrics": [{
            "name": "m", "unit": "1",
            "sum": {"aggregationTemporality": 2, "isMonotonic": true, "dataPoints": [
                {"startTimeUnixNano": "0", "timeUnixNano": "2", "asInt": "5"},
                {"timeUnixNano": "2", "asDouble": 0.5}
            ]}
        }]}]}]});
        let got = encode(Signal::Metrics, &body);
        let int_point = [0x19, 2, 0, 0, 0, 0, 0, 0, 0, 0x31, 5, 0, 0, 0, 0, 0, 0, 0];
        let mut double_point = vec![0x19, 2, 0, 0, 0, 0, 0, 0, 0, 0x21];
        double_point.extend_from_slice(&0.5f64.to_le_bytes());
        let mut sum = vec![0x0a, int_point.len() as u8];
        sum.extend_from_slice(&int_point);
        sum.push(0x0a);
        sum.push(double_point.len() as u8);
        sum.extend_from_slice(&double_point);
        sum.extend_from_slice(&[0x10, 0x02, 0x18, 0x01]);
        let mut metric = vec![0x0a, 0x01, b'm', 0x1a, 0x01, b'1', 0x3a, sum.len() as u8];
        metric.extend_from_slice(&sum);
        let mut scope = vec![0x12, metric.len() as u8];
        scope.extend_from_slice(&metric);
        let mut rm = vec![0x12, scope.len() as u8];
        rm.extend_from_slice(&scope);
        let mut want = vec![0x0a, rm.len() as u8];
        want.extend_from_slice(&rm);
        assert_eq!(got, want);
    }
}
