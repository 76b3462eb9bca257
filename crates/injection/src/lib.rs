//! The prompt-injection scorer shared by injection-scan (tool inputs) and
//! content-trust (tool results).
//!
//! [`score`] reads decoded text, not JSON, so line-start markers work. It
//! looks at the text as written (minus invisible characters, with literal
//! `\n` escapes read as line breaks) and at views that undo common hiding:
//! Unicode tag characters, base64, hex, percent and `\u` escapes, leetspeak
//! and letter-spacing. Each technique found adds its points once; the total
//! is capped at 100. injection-scan denies at [`DENY_AT`] and asks at
//! [`ASK_AT`], as upstream did.
//!
//! Precision and recall on a labelled corpus are in `docs/INJECTION.md`.

#![warn(missing_docs)]

mod decode;
mod patterns;

use std::fmt;

pub use patterns::Technique;

/// Score at which a tool call is denied.
pub const DENY_AT: u32 = 50;
/// Score at which the user is asked.
pub const ASK_AT: u32 = 25;

/// One technique found, with its points and a short excerpt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    /// The technique the text uses.
    pub technique: Technique,
    /// What it adds to the score (a technique counts once, with its
    /// strongest match).
    pub points: u32,
    /// The matched text, shortened; never more than 60 characters.
    pub evidence: String,
}

/// The verdict of the scorer on one text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Score {
    /// Sum of the signals' points, capped at 100.
    pub total: u32,
    /// Strongest first.
    pub signals: Vec<Signal>,
}

impl Score {
    /// The techniques found, strongest first, for messages.
    pub fn techniques(&self) -> String {
        let names: Vec<&str> = self
            .signals
            .iter()
            .map(|s| s.technique.describe())
            .collect();
        names.join(", ")
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "score {}/100", self.total)?;
        if !self.signals.is_empty() {
            write!(f, ": {}", self.techniques())?;
        }
        Ok(())
    }
}

/// Longest text scanned; beyond it only the head and tail are read, which
/// bounds the cost of a hook on a huge file.
const MAX_SCAN_BYTES: usize = 512 * 1024;

/// Score one text.
pub fn score(text: &str) -> Score {
    let text = bounded(text);
    let mut signals: Vec<Signal> = Vec::new();
    let cleaned = decode::clean(&text);
    if let Some(s) = cleaned.hidden_signal() {
        add(&mut signals, s);
    }
    for s in patterns::scan(&cleaned.text, true) {
        add(&mut signals, s);
    }
    // Text hidden in tags, encodings or obfuscation counts as much as the
    // instructions it carries, and at least as a hidden-text signal.
    for view in decode::views(&cleaned) {
        let mut inner = Vec::new();
        // Whole-text decodings (percent, `\u` escapes) repeat what the plain
        // text already says; only what the decoding revealed counts.
        for s in patterns::scan(&view.text, false) {
            if !visible_in(&cleaned.text, &s.evidence) {
                add(&mut inner, s);
            }
        }
        let points: u32 = inner.iter().map(|s| s.points).sum::<u32>().min(50);
        if points >= ASK_AT {
            add(
                &mut signals,
                Signal {
                    technique: view.technique,
                    points,
                    evidence: evidence(&view.text),
                },
            );
        }
    }
    signals.sort_by_key(|s| std::cmp::Reverse(s.points));
    let total = signals.iter().map(|s| s.points).sum::<u32>().min(100);
    Score { total, signals }
}

/// Whether an excerpt (possibly shortened with `…`) occurs in the text.
fn visible_in(text: &str, evidence: &str) -> bool {
    let head = evidence.strip_suffix('…').unwrap_or(evidence);
    !head.is_empty() && text.contains(head)
}

/// Keep the strongest signal per technique.
fn add(signals: &mut Vec<Signal>, signal: Signal) {
    match signals.iter_mut().find(|s| s.technique == signal.technique) {
        Some(existing) if existing.points >= signal.points => {}
        Some(existing) => *existing = signal,
        None => signals.push(signal),
    }
}

fn bounded(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_SCAN_BYTES {
        return std::borrow::Cow::Borrowed(text);
    }
    let half = MAX_SCAN_BYTES / 2;
    let mut head_end = half;
    while !text.is_char_boundary(head_end) {
        head_end -= 1;
    }
    let mut tail_start = text.len() - half;
    while !text.is_char_boundary(tail_start) {
        tail_start += 1;
    }
    std::borrow::Cow::Owned(format!("{}\n{}", &text[..head_end], &text[tail_start..]))
}

/// A one-line excerpt of at most 60 characters.
pub(crate) fn evidence(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = one_line.trim();
    if trimmed.chars().count() <= 60 {
        trimmed.to_string()
    } else {
        format!("{}…", trimmed.chars().take(59).collect::<String>())
    }
}

#[cfg(test)]
mod tests;
