//! Known findings `agentops scan unicode` does not report: the committed
//! baseline file and inline allow comments.
//!
//! - **Baseline**: [`BASELINE_FILE`] at the scanned root (not under
//!   `.agentops/`, whose `.gitignore` ignores everything, because it is
//!   meant to be committed). Each entry names a file (relative, with `/`),
//!   the finding's code points as the table shows them (`U+202E`,
//!   `U+FE00..U+FE0F x12`) and the SHA-256 of the whole line the finding is
//!   on. A finding matches when all three do: moving the line keeps it
//!   baselined, editing the line or adding another finding anywhere
//!   reports it. `agentops scan unicode --write-baseline` writes it.
//! - **Allow comment**: a line containing [`ALLOW_MARKER`]
//!   (`agentops: allow-unicode`), in whatever comment syntax the file
//!   uses, allows the findings on that line and on the line right after
//!   it, nowhere else.
//!
//! Suppressed findings are still counted and listed (the table's summary
//! line, `suppressed` in JSON), so a marker an attacker slips into a file
//! shows up in review and in the report. Only `agentops scan` reads these;
//! the hooks' Unicode firewall and session scan do not.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use agentops_unicode::Finding;
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The baseline file's name, at the scanned root.
pub const BASELINE_FILE: &str = ".agentops-scan-baseline.json";

/// The text that allows the findings on its line and the next.
pub const ALLOW_MARKER: &str = "agentops: allow-unicode";

/// Largest baseline file read.
pub const MAX_BASELINE_BYTES: u64 = 16 << 20;

/// One known finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Known {
    /// The file, relative to the root, with `/` separators.
    pub path: String,
    /// [`Finding::code_point_summary`].
    pub code_points: String,
    /// Lower-case hex SHA-256 of the line's bytes (without its line end).
    pub line_sha256: String,
}

/// The baseline: known findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    /// The entries, sorted.
    pub entries: Vec<Known>,
}

impl Baseline {
    /// Parse a baseline file; a file that is not a baseline is an error
    /// (a broken baseline must not silently report nothing or everything).
    pub fn parse(bytes: &[u8]) -> Result<Baseline, String> {
        let v: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        let list = v
            .get("unicode")
            .and_then(Value::as_array)
            .ok_or("expected an object with a `unicode` array")?;
        let mut entries = Vec::with_capacity(list.len());
        for (i, e) in list.iter().enumerate() {
            let field = |k: &str| {
                e.get(k)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or(format!("entry {i}: `{k}` must be a string"))
            };
            entries.push(Known {
                path: field("path")?,
                code_points: field("code_points")?,
                line_sha256: field("line_sha256")?,
            });
        }
        entries.sort();
        entries.dedup();
        Ok(Baseline { entries })
    }

    /// The file's contents, stable across runs (sorted, one entry a line).
    pub fn to_text(&self) -> String {
        let rows: Vec<String> = self
            .entries
            .iter()
            .map(|k| {
                json!({"path": k.path, "code_points": k.code_points, "line_sha256": k.line_sha256})
                    .to_string()
            })
            .collect();
        format!(
            "{{\"version\": 1,\n \"about\": \"known findings of `agentops scan unicode`; regenerate with `agentops scan unicode --write-baseline`\",\n \"unicode\": [\n  {}\n ]}}\n",
            rows.join(",\n  ")
        )
        .replace("[\n  \n ]", "[]")
    }

    fn contains(&self, k: &Known) -> bool {
        self.entries.binary_search(k).is_ok()
    }
}

/// Why a finding is not reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// An allow comment on its line or the line before.
    AllowComment,
    /// An entry of the baseline.
    Baseline,
}

/// A finding that was not reported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppressed {
    /// The file, relative to the root.
    pub path: PathBuf,
    /// The finding.
    pub finding: Finding,
    /// Why.
    pub reason: Reason,
}

/// The path as the baseline writes it.
pub fn baseline_path(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Lines of `text` (1-based through `lines[n - 1]`), without line ends.
fn lines_of(text: &[u8]) -> Vec<&[u8]> {
    text.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The baseline entry a finding in `rel` (whose text is `text`) matches.
pub fn known(rel: &Path, text: &[u8], f: &Finding) -> Known {
    let lines = lines_of(text);
    let line = lines.get(f.line.wrapping_sub(1)).copied().unwrap_or(b"");
    Known {
        path: baseline_path(rel),
        code_points: f.code_point_summary(),
        line_sha256: sha256_hex(line),
    }
}

/// The lines (1-based) an allow comment covers in `text`.
pub fn allowed_lines(text: &[u8]) -> HashSet<usize> {
    let marker = ALLOW_MARKER.as_bytes();
    let mut covered = HashSet::new();
    for (i, line) in lines_of(text).iter().enumerate() {
        if line.windows(marker.len()).any(|w| w == marker) {
            covered.insert(i + 1);
            covered.insert(i + 2);
        }
    }
    covered
}

/// Split one file's findings into those reported and those suppressed
/// by an allow comment or `baseline`.
pub fn split(
    rel: &Path,
    text: &[u8],
    findings: Vec<Finding>,
    baseline: Option<&Baseline>,
) -> (Vec<Finding>, Vec<Suppressed>) {
    let allowed = allowed_lines(text);
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for f in findings {
        let reason = if allowed.contains(&f.line) {
            Some(Reason::AllowComment)
        } else if baseline.is_some_and(|b| b.contains(&known(rel, text, &f))) {
            Some(Reason::Baseline)
        } else {
            None
        };
        match reason {
            Some(reason) => suppressed.push(Suppressed {
                path: rel.to_path_buf(),
                finding: f,
                reason,
            }),
            None => kept.push(f),
        }
    }
    (kept, suppressed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use agentops_unicode::tree::scan_file_bytes;

    fn findings(name: &str, text: &str) -> Vec<Finding> {
        scan_file_bytes(Path::new(name), text.as_bytes()).expect("text")
    }

    #[test]
    fn an_allow_comment_covers_its_line_and_the_next_only() {
        let text = "a\u{200B}\n// agentops: allow-unicode\nb\u{200B}\nc\u{200B}\nd\u{200B} # agentops: allow-unicode\n";
        let (kept, suppressed) = split(
            Path::new("x.txt"),
            text.as_bytes(),
            findings("x.txt", text),
            None,
        );
        let lines = |v: &[Finding]| v.iter().map(|f| f.line).collect::<Vec<_>>();
        assert_eq!(lines(&kept), [1, 4]);
        assert_eq!(
            suppressed
                .iter()
                .map(|s| (s.finding.line, s.reason))
                .collect::<Vec<_>>(),
            [(3, Reason::AllowComment), (5, Reason::AllowComment)]
        );
    }

    #[test]
    fn the_baseline_matches_path_code_points_and_line_text() {
        let text = "ok\nx\u{202E}y\n";
        let rel = Path::new("dir/f.txt");
        let found = findings("f.txt", text);
        let baseline = Baseline {
            entries: vec![known(rel, text.as_bytes(), &found[0])],
        };
        let back = Baseline::parse(baseline.to_text().as_bytes()).expect("round trip");
        assert_eq!(back, baseline);
        assert_eq!(back.entries[0].path, "dir/f.txt");

        // The same line moved down still matches.
        let moved = "new line\nok\nx\u{202E}y\n";
        let (kept, _) = split(rel, moved.as_bytes(), findings("f.txt", moved), Some(&back));
        assert!(kept.is_empty());
        // An edited line, or another file, does not.
        let edited = "ok\nz\u{202E}y\n";
        let (kept, _) = split(
            rel,
            edited.as_bytes(),
            findings("f.txt", edited),
            Some(&back),
        );
        assert_eq!(kept.len(), 1);
        let (kept, _) = split(
            Path::new("g.txt"),
            text.as_bytes(),
            findings("g.txt", text),
            Some(&back),
        );
        assert_eq!(kept.len(), 1);
    }

    #[test]
    fn a_broken_baseline_is_an_error() {
        for bad in [&b"[]"[..], b"{}", b"{\"unicode\":[{\"path\":1}]}", b"nope"] {
            assert!(
                Baseline::parse(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(
            Baseline::parse(Baseline::default().to_text().as_bytes()),
            Ok(Baseline::default())
        );
    }
}
