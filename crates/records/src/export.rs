//! The bookkeeping of `agentops telemetry export`: where in the spool the
//! last export stopped, which PreToolUse records still wait for their
//! PostToolUse, the metric counts, and how far the offset may move.
//!
//! The spool is read from the saved offset, cut into batches of
//! [`BATCH`] lines, converted with [`otlp::convert`] and handed to a
//! [`Sender`] (the command line's HTTP client, or a printer for
//! `--dry-run`). The offset moves past a batch only once the sender
//! accepted all of it, so every record is sent once (at least once if a
//! collector accepts the logs of a batch and then fails on its traces).
//! The metric counts move with the offset, in the same state write, so a
//! record is counted exactly once however many exports run; metrics go
//! last, as one request of every series ([`export_metrics`]).
//! Nothing here touches the network or takes a lock: the caller holds
//! the state file's lock around [`export`] and writes the state back.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use serde_json::{json, Value};

use crate::clock::Instant;
use crate::metrics::{self, ModelUsage};
use crate::otel_env::Temporality;
use crate::otlp::{self, Batch, Pending};

/// The export state file in `.agentops/`.
pub const STATE_FILE: &str = "telemetry-export.json";
/// Largest export state file read.
pub const MAX_STATE_BYTES: u64 = 64 << 20;
/// Spool lines per request.
pub const BATCH: usize = 1000;
/// Spool bytes read per export run; the rest goes next time.
pub const MAX_READ: u64 = 64 << 20;

/// Where the last export stopped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportState {
    /// Spool bytes already exported.
    pub offset: u64,
    /// PreToolUse records exported as logs whose span waits for the
    /// PostToolUse, by session and tool use id.
    pub pending: BTreeMap<String, Pending>,
    /// Metric counts of every record the offset has passed, by series
    /// ([`metrics::key`]).
    pub counts: BTreeMap<String, u64>,
    /// Each series' cumulative value as last accepted by the collector.
    pub sent: BTreeMap<String, f64>,
    /// When the cumulative counts started (the first metrics export).
    pub metrics_start_ns: u64,
    /// When metrics were last accepted (a delta's start).
    pub metrics_sent_ns: u64,
}

impl ExportState {
    /// The saved state; a missing or unreadable file starts from the top.
    pub fn parse(saved: Option<&[u8]>) -> ExportState {
        let saved: Value = saved
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or_else(|| json!({}));
        let ns = |k: &str| {
            saved
                .get(k)
                .and_then(Value::as_str)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0)
        };
        let map = |k: &str| {
            saved
                .get(k)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((k.clone(), v.as_f64()?)))
                .collect::<BTreeMap<String, f64>>()
        };
        ExportState {
            offset: saved.get("offset").and_then(Value::as_u64).unwrap_or(0),
            pending: otlp::pending_from_json(saved.get("pending")),
            counts: map("counts")
                .into_iter()
                .map(|(k, v)| (k, v as u64))
                .collect(),
            sent: map("sent"),
            metrics_start_ns: ns("metrics_start_ns"),
            metrics_sent_ns: ns("metrics_sent_ns"),
        }
    }

    /// The state file's contents, stamped with the time of the export.
    pub fn to_bytes(&self, now: Instant) -> Vec<u8> {
        json!({"offset": self.offset, "pending": otlp::pending_to_json(&self.pending),
               "counts": self.counts, "sent": self.sent,
               "metrics_start_ns": self.metrics_start_ns.to_string(),
               "metrics_sent_ns": self.metrics_sent_ns.to_string(),
               "last_export": now.iso()})
        .to_string()
        .into_bytes()
    }
}

/// The part of the spool one export run reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chunk {
    /// The spool offset `bytes` start at.
    pub start: u64,
    /// Complete lines only: a line still being written waits for the
    /// next run.
    pub bytes: Vec<u8>,
}

/// The complete lines of the spool at `path` after `offset`, at most
/// `max` bytes of them. A missing spool reads as nothing new; a spool
/// shorter than `offset` was replaced, and is read from its start.
pub fn read_spool(path: &Path, offset: u64, max: u64) -> io::Result<Chunk> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Chunk {
                start: offset,
                bytes: Vec::new(),
            })
        }
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    let start = if len < offset { 0 } else { offset };
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    (&mut file).take(max).read_to_end(&mut bytes)?;
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    bytes.truncate(complete);
    Ok(Chunk { start, bytes })
}

/// The spool's lines with the offset just past each. A line that is not
/// JSON (torn by a crash) is `Null`: skipped, yet passed by the offset so
/// it is not retried forever.
pub fn lines(chunk: &Chunk) -> Vec<(u64, Value)> {
    let mut position = chunk.start;
    chunk
        .bytes
        .split_inclusive(|&b| b == b'\n')
        .map(|line| {
            position += line.len() as u64;
            let value = serde_json::from_slice::<Value>(line).unwrap_or(Value::Null);
            (position, value)
        })
        .collect()
}

/// The OTLP/HTTP requests an export makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// `POST /v1/logs`: one log record per spool record.
    Logs,
    /// `POST /v1/traces`: one span per finished tool call.
    Traces,
    /// `POST /v1/metrics`: the counters, once per export.
    Metrics,
}

impl Signal {
    /// The request path under the collector's base URL.
    pub fn path(self) -> &'static str {
        match self {
            Signal::Logs => "/v1/logs",
            Signal::Traces => "/v1/traces",
            Signal::Metrics => "/v1/metrics",
        }
    }
}

/// Delivers OTLP requests. `Err` carries why the collector did not take
/// the request; the export stops there.
pub trait Sender {
    /// Deliver one request body.
    fn send(&mut self, signal: Signal, body: &Value) -> Result<(), String>;
}

impl<F: FnMut(Signal, &Value) -> Result<(), String>> Sender for F {
    fn send(&mut self, signal: Signal, body: &Value) -> Result<(), String> {
        self(signal, body)
    }
}

/// What an export run did.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The state to save: the offset past the last accepted batch.
    pub state: ExportState,
    /// Log records accepted.
    pub logs: usize,
    /// Spans accepted.
    pub spans: usize,
    /// Metric data points accepted.
    pub points: usize,
    /// Why the run stopped early, if it did.
    pub error: Option<String>,
}

/// Send `chunk` (read from the spool after `saved.offset`) batch by
/// batch, with `resource` naming the sender. Requests with nothing in
/// them are not sent.
pub fn export(
    saved: ExportState,
    chunk: &Chunk,
    resource: &Value,
    sender: &mut dyn Sender,
) -> Outcome {
    let mut outcome = Outcome {
        state: ExportState {
            offset: chunk.start,
            ..saved
        },
        logs: 0,
        spans: 0,
        points: 0,
        error: None,
    };
    for batch in lines(chunk).chunks(BATCH) {
        let records: Vec<Value> = batch
            .iter()
            .map(|(_, v)| v)
            .filter(|v| v.is_object())
            .cloned()
            .collect();
        let mut trial = outcome.state.pending.clone();
        let out = otlp::convert(&records, &mut trial, resource);
        if let Err(e) = deliver(&out, sender) {
            outcome.error = Some(e);
            break;
        }
        outcome.logs += out.log_count;
        outcome.spans += out.span_count;
        outcome.state.pending = trial;
        if outcome.state.metrics_start_ns == 0 {
            // Cumulative counts start with the first record counted.
            outcome.state.metrics_start_ns = records
                .iter()
                .map(otlp::time_ns)
                .find(|ns| *ns > 0)
                .unwrap_or(0);
        }
        metrics::count(&records, &mut outcome.state.counts);
        outcome.state.offset = batch.last().map_or(outcome.state.offset, |(p, _)| *p);
    }
    outcome
}

/// Send the metrics after [`export`]: every series' value from the
/// state's counts and the cost ledger's `models`, when anything changed
/// since the collector last accepted them. Acceptance moves `sent`.
pub fn export_metrics(
    outcome: &mut Outcome,
    models: &[ModelUsage],
    temporality: Temporality,
    now_ns: u64,
    resource: &Value,
    sender: &mut dyn Sender,
) {
    let state = &mut outcome.state;
    let current = metrics::current(&state.counts, models);
    if state.metrics_start_ns == 0 {
        state.metrics_start_ns = now_ns;
    }
    let last = if state.metrics_sent_ns == 0 {
        state.metrics_start_ns
    } else {
        state.metrics_sent_ns
    };
    let Some((body, points)) = metrics::request(
        &current,
        &state.sent,
        temporality,
        (state.metrics_start_ns, last, now_ns),
        resource,
        &otlp::scope(),
    ) else {
        return;
    };
    match sender.send(Signal::Metrics, &body) {
        Ok(()) => {
            state.sent = current;
            state.metrics_sent_ns = now_ns;
            outcome.points += points;
        }
        Err(e) => outcome.error = Some(e),
    }
}

fn deliver(out: &Batch, sender: &mut dyn Sender) -> Result<(), String> {
    if out.log_count > 0 {
        sender.send(Signal::Logs, &out.logs)?;
    }
    if out.span_count > 0 {
        sender.send(Signal::Traces, &out.traces)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn rec(event: &str, id: &str) -> String {
        format!(
            "{}\n",
            json!({"event": event, "session": "s", "tool": "Bash", "tool_use_id": id,
                   "ts_ns": "1000"})
        )
    }

    fn chunk(start: u64, text: &str) -> Chunk {
        Chunk {
            start,
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn state_round_trips_and_starts_fresh_from_garbage() {
        let mut pending = BTreeMap::new();
        pending.insert(
            "s\0t1".to_string(),
            Pending {
                start_ns: 7,
                record: json!({"event": "PreToolUse"}),
            },
        );
        let mut counts = BTreeMap::new();
        counts.insert("k".to_string(), 3);
        let state = ExportState {
            offset: 42,
            pending,
            counts,
            sent: BTreeMap::from([("k".to_string(), 2.5)]),
            metrics_start_ns: 1_700_000_000_000_000_001,
            metrics_sent_ns: 5,
        };
        let bytes = state.to_bytes(Instant::from_secs(0));
        let v: Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(v["last_export"], "1970-01-01T00:00:00Z");
        assert_eq!(ExportState::parse(Some(&bytes)), state);
        assert_eq!(ExportState::parse(None), ExportState::default());
        assert_eq!(
            ExportState::parse(Some(b"not json")),
            ExportState::default()
        );
    }

    #[test]
    fn reads_complete_lines_and_restarts_on_a_replaced_spool() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("telemetry.jsonl");
        assert_eq!(read_spool(&path, 9, MAX_READ).expect("missing").start, 9);
        let mut f = File::create(&path).expect("spool");
        f.write_all(b"{\"a\":1}\n{\"b\":2}\n{\"c\":")
            .expect("write");
        let all = read_spool(&path, 0, MAX_READ).expect("read");
        assert_eq!(
            (all.start, all.bytes.as_slice()),
            (0, &b"{\"a\":1}\n{\"b\":2}\n"[..])
        );
        let rest = read_spool(&path, 8, MAX_READ).expect("read");
        assert_eq!(
            (rest.start, rest.bytes.as_slice()),
            (8, &b"{\"b\":2}\n"[..])
        );
        let capped = read_spool(&path, 0, 10).expect("read");
        assert_eq!(capped.bytes, b"{\"a\":1}\n");
        let replaced = read_spool(&path, 1000, MAX_READ).expect("read");
        assert_eq!(replaced.start, 0);
    }

    #[test]
    fn torn_lines_are_passed_but_not_sent() {
        let c = chunk(100, "{\"a\":1}\nnot json\n{\"b\":2}\n");
        let got: Vec<(u64, bool)> = lines(&c).iter().map(|(p, v)| (*p, v.is_null())).collect();
        assert_eq!(got, [(108, false), (117, true), (125, false)]);
    }

    #[test]
    fn a_successful_run_moves_the_offset_to_the_end() {
        let text = format!(
            "{}{}{}",
            rec("PreToolUse", "t1"),
            rec("PostToolUse", "t1"),
            rec("PreToolUse", "t2")
        );
        let mut sent = Vec::new();
        let mut sender = |signal: Signal, body: &Value| {
            sent.push((signal, body.clone()));
            Ok(())
        };
        let out = export(
            ExportState::default(),
            &chunk(10, &text),
            &json!({}),
            &mut sender,
        );
        assert_eq!(out.error, None);
        assert_eq!((out.logs, out.spans), (3, 1));
        assert_eq!(out.state.offset, 10 + text.len() as u64);
        assert_eq!(out.state.pending.len(), 1, "t2 waits for its Post");
        let signals: Vec<Signal> = sent.iter().map(|(s, _)| *s).collect();
        assert_eq!(signals, [Signal::Logs, Signal::Traces]);
    }

    #[test]
    fn requests_with_nothing_in_them_are_not_sent() {
        let mut sent = Vec::new();
        let mut sender = |signal: Signal, _: &Value| {
            sent.push(signal);
            Ok(())
        };
        let out = export(
            ExportState::default(),
            &chunk(0, &rec("PreToolUse", "t1")),
            &json!({}),
            &mut sender,
        );
        let empty = export(
            ExportState::default(),
            &chunk(5, ""),
            &json!({}),
            &mut sender,
        );
        assert_eq!((out.logs, out.spans), (1, 0));
        assert_eq!((empty.state.offset, empty.logs), (5, 0));
        assert_eq!(sent, [Signal::Logs]);
    }

    #[test]
    fn a_refused_batch_keeps_its_records_for_next_time() {
        // Two full batches and a bit: the second batch's traces fail.
        let text: String = (0..BATCH * 2 + 3)
            .map(|i| {
                if i % 2 == 0 {
                    rec("PreToolUse", &format!("t{i}"))
                } else {
                    rec("PostToolUse", &format!("t{}", i - 1))
                }
            })
            .collect();
        let first_batch_end: u64 = text
            .split_inclusive('\n')
            .take(BATCH)
            .map(|l| l.len() as u64)
            .sum();
        let mut calls = 0;
        let mut sender = |signal: Signal, _: &Value| {
            calls += 1;
            if calls == 4 {
                assert_eq!(signal, Signal::Traces);
                return Err("the collector answered 503".to_string());
            }
            Ok(())
        };
        let saved = ExportState::default();
        let out = export(saved.clone(), &chunk(0, &text), &json!({}), &mut sender);
        assert_eq!(out.error.as_deref(), Some("the collector answered 503"));
        assert_eq!(out.state.offset, first_batch_end);
        assert_eq!((out.logs, out.spans), (BATCH, BATCH / 2));
        assert!(out.state.pending.is_empty(), "{:?}", out.state.pending);
        // The next run resumes at the refused batch.
        let mut all_ok = |_: Signal, _: &Value| Ok(());
        let rest = chunk(
            first_batch_end,
            &text[usize::try_from(first_batch_end).expect("small")..],
        );
        let next = export(out.state, &rest, &json!({}), &mut all_ok);
        assert_eq!(next.error, None);
        assert_eq!(next.logs, BATCH + 3);
        assert_eq!(next.state.offset, text.len() as u64);
        assert_eq!(next.state.pending.len(), 1);
        // Every record counted once: the refused batch was counted only
        // when it was accepted.
        let calls: u64 = next
            .state
            .counts
            .iter()
            .filter(|(k, _)| k.contains(metrics::TOOL_CALLS))
            .map(|(_, n)| n)
            .sum();
        assert_eq!(calls, (BATCH * 2 + 3) as u64);
    }

    #[test]
    fn metrics_go_once_per_change_and_a_refusal_keeps_them_owed() {
        let text = format!("{}{}", rec("PreToolUse", "t1"), rec("PostToolUse", "t1"));
        let mut ok = |_: Signal, _: &Value| Ok(());
        let mut out = export(
            ExportState::default(),
            &chunk(0, &text),
            &json!({}),
            &mut ok,
        );
        let models = [ModelUsage {
            model: "m".into(),
            output_tokens: 7,
            ..ModelUsage::default()
        }];
        let mut refuse = |_: Signal, _: &Value| Err("503".to_string());
        export_metrics(
            &mut out,
            &models,
            Temporality::Cumulative,
            100,
            &json!({}),
            &mut refuse,
        );
        assert_eq!((out.points, out.error.as_deref()), (0, Some("503")));
        assert!(out.state.sent.is_empty());
        out.error = None;
        let mut bodies = Vec::new();
        let mut record = |s: Signal, b: &Value| {
            assert_eq!(s, Signal::Metrics);
            bodies.push(b.clone());
            Ok(())
        };
        export_metrics(
            &mut out,
            &models,
            Temporality::Cumulative,
            200,
            &json!({}),
            &mut record,
        );
        assert_eq!(out.points, 3, "two tool-call series and one token series");
        assert_eq!(
            out.state.metrics_start_ns, 1000,
            "counts start with the first record"
        );
        // Nothing changed: nothing sent.
        export_metrics(
            &mut out,
            &models,
            Temporality::Cumulative,
            300,
            &json!({}),
            &mut record,
        );
        assert_eq!(bodies.len(), 1);
        let saved = ExportState::parse(Some(&out.state.to_bytes(Instant::from_secs(0))));
        assert_eq!(saved.sent, out.state.sent);
        assert_eq!(saved.counts, out.state.counts);
        assert_eq!(saved.metrics_sent_ns, 200);
    }
}
