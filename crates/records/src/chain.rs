//! Hash-chained logs: tamper evidence for `.agentops/audit.jsonl`.
//!
//! Every line of a chained log is one JSON object whose last two members
//! are written by `agentops_state::StateDir::append_chained`:
//!
//! ```text
//! {…record…,"prev":"<hex>","hash":"<64 hex>"}
//! ```
//!
//! `hash` is the SHA-256 of the line's bytes without the `,"hash":"…"`
//! member (so the exact bytes on disk are hashed, with no canonical-JSON
//! ambiguity), and `prev` is the hash of the record before it. The first
//! record's `prev` is the log's random *anchor*. A sidecar `<log>.head`,
//! rewritten under the same lock as every append, keeps the anchor, the
//! number of chained records and the last hash, so a cut-off tail or a
//! deleted first record is visible too.
//!
//! Chaining happens at append time, under the log's lock, so it holds for
//! every writer of the log, whichever process or policy it is.

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// Identifies the head sidecar format.
pub const HEAD_FORMAT: &str = "agentops-chain/1";

/// Largest line read back from the tail of a log when appending.
const MAX_TAIL_BYTES: u64 = 16 << 20;

/// The `,"hash":"` member that ends every chained line, before the digest.
const HASH_MEMBER: &str = ",\"hash\":\"";
/// `,"hash":"` + 64 hex digits + `"}`.
const HASH_SUFFIX_LEN: usize = HASH_MEMBER.len() + 64 + 2;

/// The sidecar `<log>.head`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The first record's `prev`.
    pub anchor: String,
    /// Chained records in the log.
    pub count: u64,
    /// Hash of the last chained record (the anchor while `count` is 0).
    pub last: String,
    /// Lines at the top of the log written before the chain started (an
    /// older, unchained log). They are reported, not verified.
    pub legacy_lines: u64,
    /// Set when the head was missing and rebuilt from the log: the record
    /// count at that moment. Truncation before it cannot be detected.
    pub rebuilt_at: Option<u64>,
}

impl Head {
    /// The sidecar's JSON, tagged with [`HEAD_FORMAT`].
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "format": HEAD_FORMAT,
            "anchor": self.anchor,
            "count": self.count,
            "last": self.last,
            "legacy_lines": self.legacy_lines,
        });
        if let (Some(at), Some(obj)) = (self.rebuilt_at, v.as_object_mut()) {
            obj.insert("rebuilt_at".into(), json!(at));
        }
        v
    }

    /// Read a sidecar; `None` when it is not a head of this format.
    pub fn parse(bytes: &[u8]) -> Option<Head> {
        let v: Value = serde_json::from_slice(bytes).ok()?;
        if v.get("format")?.as_str()? != HEAD_FORMAT {
            return None;
        }
        let hex = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .filter(|s| is_hex64(s))
                .map(str::to_string)
        };
        Some(Head {
            anchor: hex("anchor")?,
            count: v.get("count")?.as_u64()?,
            last: hex("last")?,
            legacy_lines: v.get("legacy_lines").and_then(Value::as_u64).unwrap_or(0),
            rebuilt_at: v.get("rebuilt_at").and_then(Value::as_u64),
        })
    }
}

/// One chained line taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The hash of the record the line claims to follow.
    pub prev: String,
    /// The hash the line claims.
    pub hash: String,
    /// Whether the claimed hash matches the line's bytes.
    pub intact: bool,
}

/// Split a line into its record and chain members. `None` when the line
/// is not a chained record at all (no trailing hash, no `prev`).
pub fn parse_link(line: &str) -> Option<Link> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.len() < HASH_SUFFIX_LEN + 2 || !line.ends_with("\"}") {
        return None;
    }
    let cut = line.len() - HASH_SUFFIX_LEN;
    let suffix = line.get(cut..)?;
    let hash = suffix.strip_prefix(HASH_MEMBER)?.get(..64)?;
    if !is_hex64(hash) {
        return None;
    }
    let body = format!("{}}}", line.get(..cut)?);
    let prev = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v.get("prev")?.as_str().map(str::to_string))?;
    Some(Link {
        intact: digest_hex(body.as_bytes()) == hash,
        prev,
        hash: hash.to_string(),
    })
}

/// The hash a chained line claims, read from its fixed-size suffix without
/// parsing or hashing the line.
fn claimed_hash(line: &str) -> Option<&str> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let suffix = line.get(line.len().checked_sub(HASH_SUFFIX_LEN)?..)?;
    let hash = suffix.strip_prefix(HASH_MEMBER)?.strip_suffix("\"}")?;
    is_hex64(hash).then_some(hash)
}

/// The line to append for `record` after a record hashed `prev`, and its
/// hash. Existing `prev`/`hash` members of the record are replaced.
pub fn seal(record: &Value, prev: &str) -> (String, String) {
    let mut map: Map<String, Value> = match record {
        Value::Object(m) => m.clone(),
        other => {
            let mut m = Map::new();
            m.insert("value".into(), other.clone());
            m
        }
    };
    map.remove("hash");
    map.remove("prev");
    map.insert("prev".into(), Value::String(prev.to_string()));
    let body = Value::Object(map).to_string();
    let hash = digest_hex(body.as_bytes());
    let mut line = String::with_capacity(body.len() + HASH_SUFFIX_LEN);
    line.push_str(&body[..body.len() - 1]);
    line.push_str(HASH_MEMBER);
    line.push_str(&hash);
    line.push_str("\"}");
    (line, hash)
}

/// SHA-256 of `bytes`, as 64 lowercase hex digits.
pub fn digest_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A fresh anchor: unpredictable enough that a forger cannot precompute a
/// chain for a log they have not seen. Mixes the clock, the process, and
/// the per-process random keys of the standard library's hasher.
pub fn new_anchor() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut seed = Vec::new();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    seed.extend_from_slice(&now.to_le_bytes());
    seed.extend_from_slice(&std::process::id().to_le_bytes());
    for _ in 0..4 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(now);
        seed.extend_from_slice(&h.finish().to_le_bytes());
    }
    let local = 0u8;
    seed.extend_from_slice(&(std::ptr::addr_of!(local) as usize).to_le_bytes());
    digest_hex(&seed)
}

/// The last non-empty line of an open file, read backwards from the end.
pub fn last_line(file: &mut File) -> io::Result<Option<String>> {
    let len = file.metadata()?.len();
    let mut end = len;
    let mut buf: Vec<u8> = Vec::new();
    const CHUNK: u64 = 8 << 10;
    loop {
        // Drop trailing newlines already read.
        while buf.last() == Some(&b'\n') {
            buf.pop();
        }
        if let Some(pos) = buf.iter().rposition(|&b| b == b'\n') {
            return Ok(Some(String::from_utf8_lossy(&buf[pos + 1..]).into_owned()));
        }
        if end == 0 {
            return Ok((!buf.is_empty()).then(|| String::from_utf8_lossy(&buf).into_owned()));
        }
        if len - end > MAX_TAIL_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the last log line is larger than 16 MiB",
            ));
        }
        let start = end.saturating_sub(CHUNK);
        let mut chunk = vec![0; (end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut chunk)?;
        chunk.extend_from_slice(&buf);
        buf = chunk;
        end = start;
    }
}

/// Where the next record goes: its `prev`, and the head to write after it.
pub fn next_head(
    head: Option<Head>,
    tail: Option<&str>,
    whole: impl FnOnce() -> io::Result<String>,
) -> io::Result<Head> {
    match head {
        Some(h) => {
            // The usual case, the tail is the record the head names: no need
            // to parse and hash it again.
            if tail.and_then(claimed_hash) == Some(h.last.as_str()) {
                return Ok(h);
            }
            let recovered = tail
                .and_then(parse_link)
                .filter(|t| t.hash != h.last && t.prev == h.last && t.intact);
            Ok(match recovered {
                // A writer appended its line but died before updating the
                // head: adopt that record.
                Some(t) => Head {
                    count: h.count + 1,
                    last: t.hash.clone(),
                    ..h
                },
                // Either consistent, or the tail was tampered with: keep
                // chaining from the head so the break stays visible.
                None => h,
            })
        }
        None if tail.is_none() => {
            let anchor = new_anchor();
            Ok(Head {
                last: anchor.clone(),
                anchor,
                count: 0,
                legacy_lines: 0,
                rebuilt_at: None,
            })
        }
        None if tail.and_then(parse_link).is_none() => {
            // An unchained log (written by an older version): keep its
            // lines as legacy and start the chain after them.
            let lines = whole()?.lines().filter(|l| !l.trim().is_empty()).count() as u64;
            let anchor = new_anchor();
            Ok(Head {
                last: anchor.clone(),
                anchor,
                count: 0,
                legacy_lines: lines,
                rebuilt_at: None,
            })
        }
        None => {
            // The head was lost: rebuild it from the log and say so.
            let text = whole()?;
            let mut legacy = 0u64;
            let mut count = 0u64;
            let mut anchor = None;
            let mut last = None;
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                match parse_link(line) {
                    Some(link) => {
                        anchor.get_or_insert_with(|| link.prev.clone());
                        last = Some(link.hash);
                        count += 1;
                    }
                    None if count == 0 => legacy += 1,
                    None => count += 1,
                }
            }
            let anchor = anchor.unwrap_or_else(new_anchor);
            Ok(Head {
                last: last.unwrap_or_else(|| anchor.clone()),
                anchor,
                count,
                legacy_lines: legacy,
                rebuilt_at: Some(count),
            })
        }
    }
}

/// What is wrong with a chained log, and where. Each `line` is the
/// 1-based line of the log the problem is at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The line's content no longer matches its hash.
    Edited {
        /// The edited line.
        line: usize,
    },
    /// The line is not a chained record (garbled, or written around the lock).
    Unchained {
        /// The unchained line.
        line: usize,
    },
    /// The line does not follow the one before it, and the record it
    /// follows is nowhere in the log: records were deleted before it (or
    /// the record before it was rewritten with a new hash).
    Gap {
        /// The first line after the gap.
        line: usize,
    },
    /// The line follows a record found at another line.
    OutOfOrder {
        /// The misplaced line.
        line: usize,
        /// The line of the record it follows.
        follows_line: usize,
    },
    /// The first record does not start from the anchor: records at the
    /// top of the log were removed.
    HeadRemoved {
        /// The first chained line left.
        line: usize,
    },
    /// The log ends early: `missing` records after `line` are gone.
    Truncated {
        /// The last chained line left.
        line: usize,
        /// Records the head counts beyond it.
        missing: u64,
    },
    /// The last record is not the one the head names.
    TailReplaced {
        /// The last chained line.
        line: usize,
    },
    /// The log has more records than the head knows of.
    Unaccounted {
        /// The last chained line.
        line: usize,
        /// Records beyond the head's count.
        extra: u64,
    },
    /// The head sidecar is missing or unreadable.
    NoHead,
}

impl Problem {
    /// `edited`, `deleted`, `reordered`, `truncated`, …: what kind of
    /// tampering this looks like, for scripts.
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::Edited { .. } => "edited",
            Problem::Unchained { .. } => "unchained",
            Problem::Gap { .. } | Problem::HeadRemoved { .. } => "deleted",
            Problem::OutOfOrder { .. } => "reordered",
            Problem::Truncated { .. } | Problem::TailReplaced { .. } => "truncated",
            Problem::Unaccounted { .. } => "unaccounted",
            Problem::NoHead => "no-head",
        }
    }

    /// The 1-based log line the problem is at (0 for the whole log).
    pub fn line(&self) -> usize {
        match self {
            Problem::Edited { line }
            | Problem::Unchained { line }
            | Problem::Gap { line }
            | Problem::OutOfOrder { line, .. }
            | Problem::HeadRemoved { line }
            | Problem::Truncated { line, .. }
            | Problem::TailReplaced { line }
            | Problem::Unaccounted { line, .. } => *line,
            Problem::NoHead => 0,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Edited { line } => write!(f, "line {line}: record was edited (its content does not match its hash)"),
            Problem::Unchained { line } => write!(f, "line {line}: not a chained record (garbled or written around the lock)"),
            Problem::Gap { line } => write!(f, "line {line}: the record before it is missing (deleted, or rewritten with a new hash)"),
            Problem::OutOfOrder { line, follows_line } => write!(f, "line {line}: out of order (it follows the record at line {follows_line})"),
            Problem::HeadRemoved { line } => write!(f, "line {line}: does not start from the log's anchor: records at the top were deleted"),
            Problem::Truncated { line, missing } => write!(f, "after line {line}: {missing} record(s) at the end were removed"),
            Problem::TailReplaced { line } => write!(f, "line {line}: the last record is not the one the head recorded (tail removed or replaced)"),
            Problem::Unaccounted { line, extra } => write!(f, "line {line}: {extra} record(s) more than the head recorded (appended around the lock)"),
            Problem::NoHead => write!(f, "the head file is missing or unreadable: truncation and removal of the first records cannot be checked"),
        }
    }
}

/// The result of checking a chained log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    /// Chained records checked.
    pub records: u64,
    /// Unchained lines before the chain started.
    pub legacy_lines: u64,
    /// What is wrong, in log order.
    pub problems: Vec<Problem>,
    /// Limits of what could be checked (a rebuilt head).
    pub warnings: Vec<String>,
}

impl Verification {
    /// No problem was found.
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }

    /// The report as JSON: `intact`, `records`, `legacy_lines`,
    /// `problems` (each with `kind`, `line` and `message`) and `warnings`.
    pub fn to_json(&self) -> Value {
        let problems: Vec<Value> = self
            .problems
            .iter()
            .map(|p| json!({"kind": p.kind(), "line": p.line(), "message": p.to_string()}))
            .collect();
        json!({"intact": self.is_intact(), "records": self.records,
               "legacy_lines": self.legacy_lines, "problems": problems,
               "warnings": self.warnings})
    }

    /// The report as lines of text for a person: the verdict, each
    /// problem, then notes and warnings. `nothing_recorded` (no log text
    /// and no head) reads as an empty log rather than an intact one.
    pub fn text_lines(&self, nothing_recorded: bool) -> Vec<String> {
        let mut out = Vec::new();
        if nothing_recorded {
            out.push("audit log: empty (nothing recorded yet)".to_string());
        } else if self.is_intact() {
            out.push(format!(
                "audit log intact: {} chained record(s)",
                self.records
            ));
        } else {
            out.push(format!(
                "audit log TAMPERED: {} problem(s) in {} record(s)",
                self.problems.len(),
                self.records
            ));
            out.extend(self.problems.iter().map(|p| format!("  {}: {p}", p.kind())));
        }
        if self.legacy_lines > 0 {
            out.push(format!(
                "note: {} unchained line(s) from before the chain started were not checked",
                self.legacy_lines
            ));
        }
        out.extend(self.warnings.iter().map(|w| format!("warning: {w}")));
        out
    }
}

/// The name of the head sidecar of the log named `log`
/// (`audit.jsonl` → `audit.jsonl.head`).
pub fn head_file(log: &str) -> String {
    format!("{log}.head")
}

/// Check a chained log against its head.
pub fn verify(log: &str, head: Option<&Head>) -> Verification {
    let mut report = Verification::default();
    let lines: Vec<(usize, &str)> = log
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let legacy = match head {
        Some(h) => h.legacy_lines as usize,
        None => lines
            .iter()
            .take_while(|(_, l)| parse_link(l).is_none())
            .count(),
    };
    report.legacy_lines = legacy.min(lines.len()) as u64;
    let chained: Vec<(usize, Option<Link>)> = lines
        .iter()
        .skip(legacy)
        .map(|(n, l)| (*n, parse_link(l)))
        .collect();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for (n, link) in &chained {
        if let Some(link) = link {
            at.entry(link.hash.as_str()).or_insert(*n);
        }
    }
    if head.is_none() && !chained.is_empty() {
        report.problems.push(Problem::NoHead);
    }
    if let Some(at) = head.and_then(|h| h.rebuilt_at) {
        report.warnings.push(format!(
            "the head was rebuilt after {at} record(s): removal of records before that point cannot be detected"
        ));
    }
    let mut expected: Option<&str> = head.map(|h| h.anchor.as_str());
    for (index, (n, link)) in chained.iter().enumerate() {
        report.records += 1;
        let Some(link) = link else {
            report.problems.push(Problem::Unchained { line: *n });
            expected = None;
            continue;
        };
        if !link.intact {
            report.problems.push(Problem::Edited { line: *n });
        }
        if let Some(want) = expected {
            if link.prev != want {
                report.problems.push(match at.get(link.prev.as_str()) {
                    Some(&other) if other != *n => Problem::OutOfOrder {
                        line: *n,
                        follows_line: other,
                    },
                    _ if index == 0 => Problem::HeadRemoved { line: *n },
                    _ => Problem::Gap { line: *n },
                });
            }
        }
        expected = Some(link.hash.as_str());
    }
    if let Some(h) = head {
        let last_line = chained.last().map_or(0, |(n, _)| *n);
        let last_hash = chained
            .last()
            .and_then(|(_, l)| l.as_ref())
            .map(|l| l.hash.as_str());
        // With the tail the head names in place, missing records show up
        // as breaks in the chain above; otherwise the end was cut or replaced.
        let tail_intact =
            last_hash == Some(h.last.as_str()) || (h.count == 0 && report.records == 0);
        if !tail_intact {
            report.problems.push(if report.records < h.count {
                Problem::Truncated {
                    line: last_line,
                    missing: h.count - report.records,
                }
            } else if report.records > h.count {
                Problem::Unaccounted {
                    line: last_line,
                    extra: report.records - h.count,
                }
            } else {
                Problem::TailReplaced { line: last_line }
            });
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_lines_parse_back_and_detect_edits() {
        let (line, hash) = seal(
            &json!({"event": "PreToolUse", "prev": "x", "hash": "y"}),
            &"a".repeat(64),
        );
        let link = parse_link(&line).expect("chained");
        assert!(link.intact);
        assert_eq!(link.hash, hash);
        assert_eq!(link.prev, "a".repeat(64));
        let edited = line.replace("PreToolUse", "PostToolUse");
        assert!(!parse_link(&edited).expect("still shaped").intact);
        assert_eq!(parse_link("{\"a\":1}"), None);
        assert_eq!(parse_link(""), None);
        assert_eq!(parse_link("{\"hash\":\"zz\"}"), None);
    }

    #[test]
    fn non_object_records_are_wrapped() {
        let (line, _) = seal(&json!("text"), &"b".repeat(64));
        let v: Value = serde_json::from_str(&line).expect("json");
        assert_eq!(v["value"], "text");
    }

    #[test]
    fn heads_round_trip_and_reject_garbage() {
        let h = Head {
            anchor: "c".repeat(64),
            count: 3,
            last: "d".repeat(64),
            legacy_lines: 2,
            rebuilt_at: Some(1),
        };
        assert_eq!(Head::parse(h.to_json().to_string().as_bytes()), Some(h));
        assert_eq!(Head::parse(b"{}"), None);
        assert_eq!(Head::parse(b"not json"), None);
    }

    #[test]
    fn reports_read_for_people_and_scripts() {
        let clean = Verification {
            records: 3,
            legacy_lines: 2,
            ..Verification::default()
        };
        assert_eq!(
            clean.text_lines(false),
            [
                "audit log intact: 3 chained record(s)",
                "note: 2 unchained line(s) from before the chain started were not checked"
            ]
        );
        assert_eq!(
            Verification::default().text_lines(true),
            ["audit log: empty (nothing recorded yet)"]
        );
        let tampered = Verification {
            records: 4,
            problems: vec![
                Problem::Edited { line: 2 },
                Problem::Truncated {
                    line: 4,
                    missing: 1,
                },
            ],
            warnings: vec!["the head was rebuilt".into()],
            ..Verification::default()
        };
        let text = tampered.text_lines(false);
        assert_eq!(text[0], "audit log TAMPERED: 2 problem(s) in 4 record(s)");
        assert!(text[1].starts_with("  edited: line 2: "), "{text:?}");
        assert!(
            text[2].starts_with("  truncated: after line 4: "),
            "{text:?}"
        );
        assert_eq!(text[3], "warning: the head was rebuilt");
        let v = tampered.to_json();
        assert_eq!(v["intact"], false);
        assert_eq!(v["problems"][1]["kind"], "truncated");
        assert_eq!(v["problems"][1]["line"], 4);
        assert_eq!(v["warnings"][0], "the head was rebuilt");
        assert_eq!(head_file("audit.jsonl"), "audit.jsonl.head");
    }

    #[test]
    fn anchors_differ() {
        assert_ne!(new_anchor(), new_anchor());
        assert!(is_hex64(&new_anchor()));
    }
}
