//! Score texts with the injection scorer, for `bench/injection_corpus.py`.
//!
//! Reads JSON lines `{"id": ..., "text": ...}` on stdin and prints
//! `{"id": ..., "score": N, "techniques": [...]}` per line.

use std::io::{self, BufRead, Write};

use agentops_injection::score;
use serde_json::{json, Value};

fn main() -> io::Result<()> {
    let stdin = io::stdin();
    let mut out = io::BufWriter::new(io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        let Ok(row) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let text = row.get("text").and_then(Value::as_str).unwrap_or("");
        let s = score(text);
        let techniques: Vec<&str> = s.signals.iter().map(|x| x.technique.describe()).collect();
        writeln!(
            out,
            "{}",
            json!({"id": row.get("id"), "score": s.total, "techniques": techniques})
        )?;
    }
    out.flush()
}
