//! The bookkeeping of `agentops telemetry export`: where in the spool the
//! last export stopped, which PreToolUse records still wait for their
//! PostToolUse, and how far the offset may move.
//!
//! The spool is read from the saved offset, cut into batches of
//! [`BATCH`] lines, converted with [`otlp::convert`] and handed to a
//! [`Sender`] (the command line's HTTP client, or a printer for
//! `--dry-run`). The offset moves past a batch only once the sender
//! accepted all of it, so every record is sent once (at least once if a
//! collector accepts the logs of a batch and then fails on its traces).
//! Nothing here touches the network or takes a lock: the caller holds
//! the state file's lock around [`export`] and writes the state back.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use serde_json::{json, Value};

use crate::clock::Instant;
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
}

impl ExportState {
    /// The saved state; a missing or unreadable file starts from the top.
    pub fn parse(saved: Option<&[u8]>) -> ExportState {
        let saved: Value = saved
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or_else(|| json!({}));
        ExportState {
            offset: saved.get("offset").and_then(Value::as_u64).unwrap_or(0),
            pending: otlp::pending_from_json(saved.get("pending")),
        }
    }

    /// The state file's contents, stamped with the time of the export.
    pub fn to_bytes(&self, now: Instant) -> Vec<u8> {
        json!({"offset": self.offset, "pending": otlp::pending_to_json(&self.pending),
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

/// The two OTLP/HTTP requests a batch makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// `POST /v1/logs`: one log record per spool record.
    Logs,
    /// `POST /v1/traces`: one span per finished tool call.
    Traces,
}

impl Signal {
    /// The request path under the collector's base URL.
    pub fn path(self) -> &'static str {
        match self {
            Signal::Logs => "/v1/logs",
            Signal::Traces => "/v1/traces",
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
    /// Why the run stopped early, if it did.
    pub error: Option<String>,
}

/// Send `chunk` (read from the spool after `saved.offset`) batch by
/// batch. Requests with nothing in them are not sent.
pub fn export(saved: ExportState, chunk: &Chunk, sender: &mut dyn Sender) -> Outcome {
    let mut outcome = Outcome {
        state: ExportState {
            offset: chunk.start,
            pending: saved.pending,
        },
        logs: 0,
        spans: 0,
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
        let out = otlp::convert(&records, &mut trial);
        if let Err(e) = deliver(&out, sender) {
            outcome.error = Some(e);
            break;
        }
        outcome.logs += out.log_count;
        outcome.spans += out.span_count;
        outcome.state.pending = trial;
        outcome.state.offset = batch.last().map_or(outcome.state.offset, |(p, _)| *p);
    }
    outcome
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
        let state = ExportState {
            offset: 42,
            pending,
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
        let out = export(ExportState::default(), &chunk(10, &text), &mut sender);
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
            &mut sender,
        );
        let empty = export(ExportState::default(), &chunk(5, ""), &mut sender);
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
        let out = export(saved.clone(), &chunk(0, &text), &mut sender);
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
        let next = export(out.state, &rest, &mut all_ok);
        assert_eq!(next.error, None);
        assert_eq!(next.logs, BATCH + 3);
        assert_eq!(next.state.offset, text.len() as u64);
        assert_eq!(next.state.pending.len(), 1);
    }
}
