//! Turning raw hits into findings a person can act on: line and column,
//! the code points, their categories, and the surrounding text with every
//! invisible character made visible.

use serde::{Deserialize, Serialize};

use crate::detect::{Category, Hit};

/// A run of adjacent flagged code points on one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in code points.
    pub column: usize,
    /// The flagged code points of the run, in order (at most
    /// [`MAX_CODE_POINTS`]; `count` has the full number).
    pub code_points: Vec<u32>,
    /// How many code points the run has; may exceed `code_points.len()`.
    pub count: usize,
    /// The categories in the run, sorted, without duplicates.
    pub categories: Vec<Category>,
    /// The line around the run, with flagged and control characters shown
    /// as `<U+XXXX>`.
    pub context: String,
}

/// How many code points of one run a finding lists.
pub const MAX_CODE_POINTS: usize = 16;
/// Characters of context kept on each side of a run.
const CONTEXT_CHARS: usize = 24;

impl Finding {
    /// `U+200B` or `U+FE00..U+FE0F x12`, for tables.
    pub fn code_point_summary(&self) -> String {
        let first = self.code_points.first().copied().unwrap_or(0);
        if self.count == 1 {
            format!("U+{first:04X}")
        } else {
            let last = self.code_points.last().copied().unwrap_or(first);
            format!("U+{first:04X}..U+{last:04X} x{}", self.count)
        }
    }

    /// The categories as comma-separated names (`bidi,invisible`), for
    /// tables.
    pub fn category_summary(&self) -> String {
        self.categories
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Group hits into findings. `hits` must be in offset order (as the scanner
/// produces them).
pub fn findings(bytes: &[u8], hits: &[Hit]) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut line = 1usize;
    let mut line_start = 0usize;
    let mut counted_to = 0usize;
    let mut idx = 0;
    while idx < hits.len() {
        // Extend the run while the next hit starts where this one ends.
        let mut end_idx = idx;
        while end_idx + 1 < hits.len() && hits[end_idx + 1].offset == hits[end_idx].end() {
            end_idx += 1;
        }
        let run = &hits[idx..=end_idx];
        let start = run[0].offset;
        for pos in memchr::memchr_iter(b'\n', &bytes[counted_to..start]) {
            line += 1;
            line_start = counted_to + pos + 1;
        }
        counted_to = start;
        let column = 1 + count_chars(&bytes[line_start..start]);
        let mut categories: Vec<Category> = run.iter().map(|h| h.category).collect();
        categories.sort();
        categories.dedup();
        out.push(Finding {
            line,
            column,
            code_points: run
                .iter()
                .take(MAX_CODE_POINTS)
                .map(|h| h.code_point)
                .collect(),
            count: run.len(),
            categories,
            context: context(bytes, line_start, run),
        });
        idx = end_idx + 1;
    }
    out
}

fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

/// The line around `run`, trimmed to a window and made visible.
fn context(bytes: &[u8], line_start: usize, run: &[Hit]) -> String {
    let line_end =
        memchr::memchr(b'\n', &bytes[line_start..]).map_or(bytes.len(), |p| line_start + p);
    let before = String::from_utf8_lossy(&bytes[line_start..run[0].offset]);
    let after_start = run[run.len() - 1].end().min(line_end);
    let after = String::from_utf8_lossy(&bytes[after_start..line_end]);
    let before: Vec<char> = before.chars().collect();
    let after: Vec<char> = after.chars().collect();
    let mut s = String::new();
    if before.len() > CONTEXT_CHARS {
        s.push('…');
    }
    for c in &before[before.len().saturating_sub(CONTEXT_CHARS)..] {
        push_visible(&mut s, *c);
    }
    for h in run.iter().take(MAX_CODE_POINTS) {
        s.push_str(&format!("<U+{:04X}>", h.code_point));
    }
    if run.len() > MAX_CODE_POINTS {
        s.push_str(&format!("<…{} more>", run.len() - MAX_CODE_POINTS));
    }
    for c in after.iter().take(CONTEXT_CHARS) {
        push_visible(&mut s, *c);
    }
    if after.len() > CONTEXT_CHARS {
        s.push('…');
    }
    s
}

/// Push `c`, or its `<U+XXXX>` form when it would not show (controls,
/// and anything the detector flags even when context made it legitimate).
fn push_visible(s: &mut String, c: char) {
    let cp = c as u32;
    let invisible = c.is_control() && c != '\t'
        || crate::detect::category_of(cp, crate::detect::Options::SOURCE).is_some();
    if invisible && c != '\r' {
        s.push_str(&format!("<U+{cp:04X}>"));
    } else if c != '\r' {
        s.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{scan, Options};

    #[test]
    fn line_column_and_context() {
        let text = "first\nsecond line ok\nconst é = 'a\u{200B}\u{200B}b'; // x\nlast \u{202E}\n";
        let hits = scan(text.as_bytes(), Options::SOURCE);
        let f = findings(text.as_bytes(), &hits);
        assert_eq!(f.len(), 2, "adjacent hits form one run");
        assert_eq!((f[0].line, f[0].column), (3, 13));
        assert_eq!(f[0].count, 2);
        assert_eq!(f[0].code_points, [0x200B, 0x200B]);
        assert_eq!(f[0].categories, [Category::Invisible]);
        assert_eq!(f[0].context, "const é = 'a<U+200B><U+200B>b'; // x");
        assert_eq!(f[0].code_point_summary(), "U+200B..U+200B x2");
        assert_eq!((f[1].line, f[1].column), (4, 6));
        assert_eq!(f[1].code_point_summary(), "U+202E");
        assert_eq!(f[1].category_summary(), "bidi");
    }

    #[test]
    fn long_lines_and_long_runs_are_trimmed() {
        let payload: String = (0..40)
            .map(|i| char::from_u32(0xFE00 + (i % 16)).unwrap_or('x'))
            .collect();
        let text = format!("{}`{payload}`{}", "x".repeat(100), "y".repeat(100));
        let hits = scan(text.as_bytes(), Options::TEXT);
        let f = findings(text.as_bytes(), &hits);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].count, 40);
        assert_eq!(f[0].code_points.len(), MAX_CODE_POINTS);
        assert!(f[0].context.starts_with('…'), "{}", f[0].context);
        assert!(f[0].context.ends_with('…'), "{}", f[0].context);
        assert!(f[0].context.contains("<…24 more>"), "{}", f[0].context);
        assert!(f[0].context.chars().count() < 250);
    }
}
