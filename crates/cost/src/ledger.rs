//! `.agentops/cost-ledger.json`: how far each transcript has been read,
//! the ids counted recently, and token totals per (session, day, model).
//!
//! Reading is incremental: only complete lines after the stored byte
//! offset are parsed. The ids of the last [`RECENT_IDS`] responses of each
//! file are remembered with the usage counted for them, so a response
//! repeated on several lines, or split across two reads, counts once.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use crate::prices::PriceTable;
use crate::transcript::{parse_line, Usage};

/// Responses remembered per file for de-duplication.
pub const RECENT_IDS: usize = 256;

/// Most bytes read from one file in one pass; the rest waits for the next.
pub const MAX_READ_PER_PASS: u64 = 64 << 20;

/// Token totals of one (session, day, model).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The session id.
    pub session: String,
    /// The day (YYYY-MM-DD) the responses are dated.
    pub day: String,
    /// The model id as the transcript names it.
    pub model: String,
    /// Tokens counted.
    pub usage: Usage,
    /// API responses counted.
    pub responses: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct FileState {
    offset: u64,
    recent: VecDeque<(Vec<String>, Usage)>,
}

/// The whole ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    files: Vec<(String, FileState)>,
    /// Token totals per (session, day, model).
    pub rows: Vec<Row>,
}

/// What one pass added.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pass {
    /// API responses newly counted.
    pub responses: u64,
    /// Tokens newly counted.
    pub usage: Usage,
    /// USD of what was added, at the given prices.
    pub usd: f64,
    /// Models that have no price.
    pub unpriced: Vec<String>,
}

impl Ledger {
    /// The ledger stored in `cost-ledger.json`; what does not parse is
    /// dropped (an empty ledger at worst, which re-reads transcripts from
    /// the start).
    pub fn parse(bytes: &[u8]) -> Ledger {
        let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
            return Ledger::default();
        };
        let usage_of = |v: &Value| {
            let n = |i: usize| v.get(i).and_then(Value::as_u64).unwrap_or(0);
            Usage::from_array(std::array::from_fn(n))
        };
        let files = v
            .get("files")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(path, f)| {
                        let recent = f
                            .get("recent")
                            .and_then(Value::as_array)
                            .map(|a| {
                                a.iter()
                                    .filter_map(|e| {
                                        let keys = e.get(0)?.as_array()?;
                                        let keys = keys
                                            .iter()
                                            .filter_map(Value::as_str)
                                            .map(str::to_string)
                                            .collect();
                                        Some((keys, usage_of(e.get(1)?)))
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        let state = FileState {
                            offset: f.get("offset").and_then(Value::as_u64).unwrap_or(0),
                            recent,
                        };
                        (path.clone(), state)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let rows = v
            .get("rows")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|r| {
                        let s = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_string);
                        Some(Row {
                            session: s("session")?,
                            day: s("day")?,
                            model: s("model")?,
                            usage: usage_of(r.get("tokens")?),
                            responses: r.get("responses").and_then(Value::as_u64).unwrap_or(0),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ledger { files, rows }
    }

    /// The JSON stored in `cost-ledger.json`; [`Ledger::parse`] reads it back.
    pub fn to_json(&self) -> Value {
        let mut files = Map::new();
        for (path, f) in &self.files {
            let recent: Vec<Value> = f
                .recent
                .iter()
                .map(|(k, u)| json!([k, u.as_array()]))
                .collect();
            files.insert(path.clone(), json!({"offset": f.offset, "recent": recent}));
        }
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                json!({"session": r.session, "day": r.day, "model": r.model,
                       "tokens": r.usage.as_array(), "responses": r.responses})
            })
            .collect();
        json!({"version": 1, "token_order": ["input", "output", "cache_write_5m", "cache_write_1h", "cache_read"],
               "files": files, "rows": rows})
    }

    fn file_mut(&mut self, path: &str) -> &mut FileState {
        let index = match self.files.iter().position(|(p, _)| p == path) {
            Some(i) => i,
            None => {
                self.files.push((path.to_string(), FileState::default()));
                self.files.len() - 1
            }
        };
        &mut self.files[index].1
    }

    fn add_row(
        &mut self,
        session: &str,
        day: &str,
        model: &str,
        usage: &Usage,
        new_response: bool,
    ) {
        let row = match self
            .rows
            .iter_mut()
            .find(|r| r.session == session && r.day == day && r.model == model)
        {
            Some(r) => r,
            None => {
                self.rows.push(Row {
                    session: session.to_string(),
                    day: day.to_string(),
                    model: model.to_string(),
                    usage: Usage::default(),
                    responses: 0,
                });
                let last = self.rows.len() - 1;
                &mut self.rows[last]
            }
        };
        row.usage.add(usage);
        row.responses += u64::from(new_response);
    }

    /// Read what was appended to `path` since the last pass and count it
    /// for `session`. `today` is the day used for lines without a
    /// timestamp. A missing file adds nothing.
    pub fn read_file(
        &mut self,
        path: &Path,
        session: &str,
        today: &str,
        prices: &PriceTable,
        pass: &mut Pass,
    ) -> io::Result<()> {
        let key = path.to_string_lossy().into_owned();
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let len = file.metadata()?.len();
        let state = self.file_mut(&key);
        if len < state.offset {
            // The file was replaced by a shorter one: read it again; the
            // remembered ids keep repeated responses from counting twice.
            state.offset = 0;
        }
        let start = state.offset;
        let mut buf = Vec::new();
        file.seek(SeekFrom::Start(start))?;
        (&mut file).take(MAX_READ_PER_PASS).read_to_end(&mut buf)?;
        // Only complete lines: a line being written now is read next time.
        let Some(end) = memchr::memrchr(b'\n', &buf) else {
            return Ok(());
        };
        let mut found = Vec::new();
        for line in buf[..end].split(|&b| b == b'\n') {
            if let Some(r) = parse_line(line) {
                found.push(r);
            }
        }
        let state = self.file_mut(&key);
        state.offset = start + end as u64 + 1;
        let mut counted = Vec::new();
        for r in found {
            let seen = state
                .recent
                .iter_mut()
                .find(|(keys, _)| !r.keys.is_empty() && keys.iter().any(|k| r.keys.contains(k)));
            let (added, new_response) = match seen {
                Some((keys, usage)) => {
                    let growth = r.usage.growth_over(usage);
                    *usage = usage.max(&r.usage);
                    for k in &r.keys {
                        if !keys.contains(k) {
                            keys.push(k.clone());
                        }
                    }
                    (growth, false)
                }
                None => {
                    if !r.keys.is_empty() {
                        state.recent.push_back((r.keys.clone(), r.usage));
                        while state.recent.len() > RECENT_IDS {
                            state.recent.pop_front();
                        }
                    }
                    (r.usage, true)
                }
            };
            if added.is_zero() && !new_response {
                continue;
            }
            let day = r
                .timestamp
                .as_deref()
                .and_then(day_of)
                .unwrap_or(today)
                .to_string();
            counted.push((day, r.model, added, new_response));
        }
        for (day, model, added, new_response) in counted {
            self.add_row(session, &day, &model, &added, new_response);
            pass.responses += u64::from(new_response);
            pass.usage.add(&added);
            match prices.cost(&model, &added) {
                Some(usd) => pass.usd += usd,
                None if !pass.unpriced.contains(&model) => pass.unpriced.push(model),
                None => {}
            }
        }
        Ok(())
    }
}

/// `YYYY-MM-DD` of an RFC 3339 timestamp.
pub(crate) fn day_of(ts: &str) -> Option<&str> {
    let day = ts.get(..10)?;
    let b = day.as_bytes();
    let ok = b.iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'-',
        _ => c.is_ascii_digit(),
    });
    ok.then_some(day)
}

/// The session's transcript and its subagents' transcripts, which Claude
/// Code keeps in `<transcript without .jsonl>/subagents/*.jsonl`.
pub fn session_files(transcript: &Path) -> Vec<PathBuf> {
    let mut files = vec![transcript.to_path_buf()];
    let dir = transcript.with_extension("").join("subagents");
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut subagents: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl") && p.is_file())
            .collect();
        subagents.sort();
        files.extend(subagents);
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_come_from_well_formed_timestamps_only() {
        assert_eq!(day_of("2025-06-01T10:00:00Z"), Some("2025-06-01"));
        assert_eq!(day_of("yesterday"), None);
        assert_eq!(day_of("2025/06/01"), None);
    }

    #[test]
    fn ledger_round_trips() {
        let mut l = Ledger::default();
        l.file_mut("/t.jsonl").offset = 7;
        l.file_mut("/t.jsonl").recent.push_back((
            vec!["m:a".into()],
            Usage {
                input: 1,
                ..Usage::default()
            },
        ));
        l.add_row(
            "s",
            "2025-01-01",
            "m",
            &Usage {
                output: 2,
                ..Usage::default()
            },
            true,
        );
        let back = Ledger::parse(l.to_json().to_string().as_bytes());
        assert_eq!(back, l);
        assert_eq!(Ledger::parse(b"garbage"), Ledger::default());
    }
}
