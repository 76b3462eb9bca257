//! `agentops scan`: the supply-chain checks on demand, as reports that
//! render as a table or JSON. The CLI (`agentops scan`, the dashboard's
//! status panel) is a thin wrapper around these.
//!
//! - [`unicode`]: the tree scan, with `--fix` stripping and re-verifying;
//! - [`lockfiles`]: the lockfile audit;
//! - [`integrity`]: the integrity manifest check;
//! - [`supply_chain`]: all three in one table;
//! - [`suppress`]: the baseline file and allow comments the unicode scan
//!   honours.
//!
//! This is reporting, not policy: it reads and rewrites the host directly
//! (it is an edge, like the CLI), and takes its decisions, rule ids and
//! file names from the supply-chain policies in `agentops-policies`.

#![warn(missing_docs)]

pub mod suppress;

use std::collections::HashSet;
use std::fs::File;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use agentops_core::Flags;
use agentops_lockfile::{Allowlist, FileAudit, Severity};
use agentops_policies::supply_chain::integrity_verify::{self, Status, Tracked};
use agentops_policies::supply_chain::lockfile_audit;
use agentops_policies::supply_chain::unicode_scan_session::CACHE_FILE;
use agentops_state::HostWorld;
use agentops_unicode::tree::{options_for, scan_file_bytes, text_of};
use agentops_unicode::{
    scan, scan_tree, strip, Category, FileFindings, Progress, TreeOptions, TreeReport,
};
use serde::Serialize;
use serde_json::{json, Value};
use suppress::{Baseline, Reason, Suppressed, BASELINE_FILE, MAX_BASELINE_BYTES};

/// Largest cache file read back.
const MAX_CACHE_BYTES: u64 = 256 * 1024 * 1024;

/// The contents of a regular file on the host, or `None` when it is
/// missing, not a regular file, larger than `limit` or unreadable.
fn read_file(path: &Path, limit: u64) -> Option<Vec<u8>> {
    let mut file = File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > limit {
        return None;
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut buf).ok()?;
    Some(buf)
}

/// Severity of a unicode finding, on the lockfile scale: reordering and
/// hidden payloads are high, lone invisible characters medium, private-use
/// characters low.
pub fn unicode_severity(categories: &[Category]) -> Severity {
    categories
        .iter()
        .map(|c| match c {
            Category::Bidi | Category::Tag | Category::VariationSelector => Severity::High,
            Category::Invisible | Category::HangulFiller | Category::MongolianSelector => {
                Severity::Medium
            }
            Category::PrivateUse => Severity::Low,
        })
        .max()
        .unwrap_or(Severity::Low)
}

/// One row of a report table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// `unicode`, `lockfile` or `integrity`.
    pub kind: &'static str,
    /// How much it matters, on the lockfile scale.
    pub severity: Severity,
    /// `file:line:col`, or `file` and the package.
    pub location: String,
    /// The rule id, or the code points for unicode findings.
    pub id: String,
    /// What was found.
    pub detail: String,
}

fn render_rows(rows: &[Row]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let headers = ["KIND", "SEVERITY", "ID", "LOCATION", "DETAIL"];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                r.kind.to_string(),
                r.severity.to_string(),
                r.id.clone(),
                r.location.clone(),
                r.detail.clone(),
            ]
        })
        .collect();
    let mut widths = headers.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row.iter()).take(4) {
            *w = (*w).max(c.chars().count()).min(60);
        }
    }
    let line = |cols: [&str; 5]| {
        let mut s = String::new();
        for (i, c) in cols.iter().enumerate() {
            if i < 4 {
                s.push_str(&format!("{c:<w$}  ", w = widths[i]));
            } else {
                s.push_str(c);
            }
        }
        s.trim_end().to_string()
    };
    let mut out = vec![line(headers)];
    for row in &cells {
        out.push(line([&row[0], &row[1], &row[2], &row[3], &row[4]]));
    }
    out.join("\n") + "\n"
}

/// Options of `agentops scan unicode`.
#[derive(Debug, Clone, Default)]
pub struct UnicodeOptions {
    /// Strip findings from the files, then scan them again.
    pub fix: bool,
    /// Ignore and do not update the metadata cache.
    pub no_cache: bool,
    /// Stop after this long with a partial result.
    pub budget: Option<Duration>,
    /// Draw a progress line on stderr (only when it is a terminal).
    pub progress: bool,
    /// Scan only this file (relative to the root) instead of the tree.
    pub file: Option<PathBuf>,
    /// Report the findings the baseline lists too.
    pub ignore_baseline: bool,
}

/// A file `--fix` rewrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fixed {
    /// The file, relative to the scanned root.
    pub path: PathBuf,
    /// Code points removed.
    pub removed: usize,
    /// A scan after the rewrite found nothing.
    pub verified: bool,
    /// Why the file could not be fixed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What `agentops scan unicode` found (and fixed).
#[derive(Debug, Clone)]
pub struct UnicodeReport {
    /// The scanned directory.
    pub root: PathBuf,
    /// The tree scan.
    pub tree: TreeReport,
    /// Files `--fix` rewrote.
    pub fixed: Vec<Fixed>,
    /// Findings an allow comment or the baseline keeps out of the report.
    pub suppressed: Vec<Suppressed>,
    /// Entries in the baseline that was read (`None`: none was read).
    pub baseline_entries: Option<usize>,
    /// What went wrong reading the baseline (every finding is then reported).
    pub problems: Vec<String>,
}

impl UnicodeReport {
    /// One row per finding.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        for file in &self.tree.files {
            let fixed = self.fixed.iter().any(|f| f.path == file.path && f.verified);
            for f in &file.findings {
                rows.push(Row {
                    kind: "unicode",
                    severity: unicode_severity(&f.categories),
                    location: format!("{}:{}:{}", file.path.display(), f.line, f.column),
                    id: f.code_point_summary(),
                    detail: format!(
                        "{}{}: {}",
                        f.category_summary(),
                        if fixed { " (fixed)" } else { "" },
                        f.context
                    ),
                });
            }
        }
        rows
    }

    /// Findings left in the tree (after `--fix`, only files it could not clean).
    pub fn has_findings(&self) -> bool {
        self.tree
            .files
            .iter()
            .any(|f| !self.fixed.iter().any(|x| x.path == f.path && x.verified))
    }

    /// The table and a summary line, as printed.
    pub fn render_table(&self) -> String {
        let t = &self.tree;
        let mut out = render_rows(&self.rows());
        out.push_str(&format!(
            "{} file(s) with invisible or deceptive Unicode ({} finding(s)); {} file(s) scanned, {} from cache, {:.1} MiB in {:.2} s{}{}\n",
            t.files.len(),
            t.finding_count(),
            t.files_scanned,
            t.files_cached,
            t.bytes_scanned as f64 / (1024.0 * 1024.0),
            t.elapsed.as_secs_f64(),
            if t.skipped_binary + t.skipped_large > 0 {
                format!("; skipped {} binary and {} large file(s)", t.skipped_binary, t.skipped_large)
            } else {
                String::new()
            },
            if t.partial { "; PARTIAL: stopped at the time budget" } else { "" },
        ));
        if !self.suppressed.is_empty() {
            let by = |r: Reason| self.suppressed.iter().filter(|s| s.reason == r).count();
            out.push_str(&format!(
                "not reported: {} allowed by `{}` comments, {} known from {BASELINE_FILE}\n",
                by(Reason::AllowComment),
                suppress::ALLOW_MARKER,
                by(Reason::Baseline),
            ));
        }
        for p in &self.problems {
            out.push_str(&format!("{p}\n"));
        }
        for f in &self.fixed {
            out.push_str(&match (&f.error, f.verified) {
                (Some(e), _) => format!("could not fix {}: {e}\n", f.path.display()),
                (None, true) => format!(
                    "fixed {}: removed {} code point(s), re-scan clean\n",
                    f.path.display(),
                    f.removed
                ),
                (None, false) => format!(
                    "fixed {} but a re-scan still finds invisible Unicode\n",
                    f.path.display()
                ),
            });
        }
        out
    }

    /// The report as JSON (`--json`).
    pub fn to_json(&self) -> Value {
        let t = &self.tree;
        json!({
            "root": self.root,
            "files": t.files,
            "files_scanned": t.files_scanned,
            "files_cached": t.files_cached,
            "bytes_scanned": t.bytes_scanned,
            "skipped_binary": t.skipped_binary,
            "skipped_large": t.skipped_large,
            "errors": t.errors.iter().map(|(p, e)| json!({"path": p, "error": e})).collect::<Vec<_>>(),
            "partial": t.partial,
            "elapsed_ms": t.elapsed.as_millis() as u64,
            "fixed": self.fixed,
            "suppressed": self.suppressed,
            "baseline": {"file": BASELINE_FILE, "entries": self.baseline_entries},
            "problems": self.problems,
        })
    }
}

/// Draws `scanning: N files, X MiB` on stderr every 100 ms until dropped.
struct ProgressLine {
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ProgressLine {
    fn start(progress: Arc<Progress>) -> ProgressLine {
        let done = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&done);
        let thread = std::thread::spawn(move || {
            let mut err = std::io::stderr();
            let spinner = ['|', '/', '-', '\\'];
            let mut tick = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let files = progress.files.load(Ordering::Relaxed);
                let mib = progress.bytes.load(Ordering::Relaxed) as f64 / (1024.0 * 1024.0);
                let _ = write!(
                    err,
                    "\r{} scanning: {files} files, {mib:.1} MiB",
                    spinner[tick % 4]
                );
                let _ = err.flush();
                tick += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        });
        ProgressLine {
            done,
            thread: Some(thread),
        }
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Scan `root` (or only `opts.file` under it) for invisible and deceptive
/// Unicode, leaving out what allow comments and the baseline cover (see
/// [`suppress`]).
pub fn unicode(root: &Path, opts: &UnicodeOptions) -> UnicodeReport {
    let mut tree = match &opts.file {
        Some(rel) => scan_one(root, rel),
        None => scan_whole_tree(root, opts),
    };
    let mut problems = Vec::new();
    let baseline = if opts.ignore_baseline {
        None
    } else {
        match read_baseline(root) {
            Ok(b) => b,
            Err(e) => {
                problems.push(format!("{BASELINE_FILE}: {e}; every finding is reported"));
                None
            }
        }
    };
    let mut suppressed = Vec::new();
    for file in &mut tree.files {
        // A file that cannot be read again keeps every finding.
        let Some(bytes) = read_file(&root.join(&file.path), TreeOptions::default().max_file_size)
        else {
            continue;
        };
        let Some(text) = text_of(&bytes) else {
            continue;
        };
        let findings = std::mem::take(&mut file.findings);
        let (kept, mut left_out) = suppress::split(&file.path, &text, findings, baseline.as_ref());
        file.findings = kept;
        suppressed.append(&mut left_out);
    }
    tree.files.retain(|f| !f.findings.is_empty());
    let fixed = if opts.fix {
        tree.files
            .iter()
            .map(|f| {
                let keep: HashSet<usize> = suppressed
                    .iter()
                    .filter(|s| s.path == f.path)
                    .map(|s| s.finding.line)
                    .collect();
                fix_file(root, &f.path, &keep)
            })
            .collect()
    } else {
        Vec::new()
    };
    UnicodeReport {
        root: root.to_path_buf(),
        tree,
        fixed,
        suppressed,
        baseline_entries: baseline.map(|b| b.entries.len()),
        problems,
    }
}

fn scan_whole_tree(root: &Path, opts: &UnicodeOptions) -> TreeReport {
    let state = root.join(".agentops");
    let cache_path = state.join(CACHE_FILE);
    let progress = Arc::new(Progress::default());
    let tree_opts = TreeOptions {
        budget: opts.budget,
        cache: if opts.no_cache {
            None
        } else {
            read_file(&cache_path, MAX_CACHE_BYTES)
        },
        progress: Some(Arc::clone(&progress)),
        ..TreeOptions::default()
    };
    let line = (opts.progress && std::io::stderr().is_terminal())
        .then(|| ProgressLine::start(Arc::clone(&progress)));
    let tree = scan_tree(root, &tree_opts);
    drop(line);
    if !opts.no_cache && state.is_dir() && tree.cache_changed {
        let _ = agentops_state::replace_atomically(&cache_path, &tree.cache);
    }
    tree
}

/// One file, named by the user: scanned even when the tree scan would
/// skip it (ignored, a lockfile, minified).
fn scan_one(root: &Path, rel: &Path) -> TreeReport {
    let started = std::time::Instant::now();
    let mut tree = TreeReport::default();
    let path = root.join(rel);
    let limit = TreeOptions::default().max_file_size;
    match std::fs::metadata(&path) {
        Ok(m) if m.len() > limit => tree.skipped_large = 1,
        Ok(_) => match read_file(&path, limit) {
            Some(bytes) => match scan_file_bytes(&path, &bytes) {
                Some(findings) => {
                    tree.files_scanned = 1;
                    tree.bytes_scanned = bytes.len() as u64;
                    if !findings.is_empty() {
                        tree.files.push(FileFindings {
                            path: rel.to_path_buf(),
                            findings,
                        });
                    }
                }
                None => tree.skipped_binary = 1,
            },
            None => tree
                .errors
                .push((rel.to_path_buf(), "could not read the file".into())),
        },
        Err(e) => tree.errors.push((rel.to_path_buf(), e.to_string())),
    }
    tree.elapsed = started.elapsed();
    tree
}

/// The baseline at `root`; `Ok(None)` when there is none.
pub fn read_baseline(root: &Path) -> Result<Option<Baseline>, String> {
    let path = root.join(BASELINE_FILE);
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
        Ok(m) if !m.is_file() => return Err("not a regular file".into()),
        Ok(_) => {}
    }
    let bytes = read_file(&path, MAX_BASELINE_BYTES)
        .ok_or_else(|| format!("unreadable or larger than {MAX_BASELINE_BYTES} bytes"))?;
    Baseline::parse(&bytes).map(Some)
}

/// Write the findings `report` still reports into the baseline at its
/// root; returns how many entries the file now has. A report of one file
/// replaces only that file's entries; a tree report replaces them all
/// (except for files it could not read), and a partial one is refused.
/// `report` should come from a scan that ignored the old baseline.
pub fn write_baseline(report: &UnicodeReport, single_file: Option<&Path>) -> Result<usize, String> {
    let root = &report.root;
    if report.tree.partial {
        return Err(
            "the scan stopped at its time budget; a partial baseline is not written".into(),
        );
    }
    let old = read_baseline(root)?.unwrap_or_default();
    let unread: Vec<String> = report
        .tree
        .errors
        .iter()
        .map(|(p, _)| suppress::baseline_path(p))
        .collect();
    let mut entries: Vec<_> = old
        .entries
        .into_iter()
        .filter(|k| match single_file {
            Some(rel) => k.path != suppress::baseline_path(rel),
            None => unread.contains(&k.path),
        })
        .collect();
    for file in &report.tree.files {
        let bytes = read_file(&root.join(&file.path), TreeOptions::default().max_file_size)
            .ok_or_else(|| format!("{}: could not read the file again", file.path.display()))?;
        let text = text_of(&bytes)
            .ok_or_else(|| format!("{}: no longer a text file", file.path.display()))?;
        for f in &file.findings {
            entries.push(suppress::known(&file.path, &text, f));
        }
    }
    entries.sort();
    entries.dedup();
    let baseline = Baseline { entries };
    agentops_state::replace_atomically(&root.join(BASELINE_FILE), baseline.to_text().as_bytes())
        .map_err(|e| format!("{BASELINE_FILE}: {e}"))?;
    Ok(baseline.entries.len())
}

/// The 1-based line of byte `offset` in `bytes`.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    1 + memchr_count(&bytes[..offset.min(bytes.len())])
}

fn memchr_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// Strip one file atomically (keeping its permissions) and scan it again;
/// what is on the lines in `keep` (allowed or baselined) stays.
fn fix_file(root: &Path, rel: &Path, keep: &HashSet<usize>) -> Fixed {
    let path = root.join(rel);
    let fail = |e: String| Fixed {
        path: rel.to_path_buf(),
        removed: 0,
        verified: false,
        error: Some(e),
    };
    let Some(bytes) = read_file(&path, u64::MAX) else {
        return fail("could not read the file".into());
    };
    if !matches!(text_of(&bytes), Some(std::borrow::Cow::Borrowed(_))) {
        return fail("not a UTF-8 text file; strip it by hand".into());
    }
    let opts = options_for(&path);
    let reported = |b: &[u8]| {
        let mut hits = scan(b, opts);
        hits.retain(|h| !keep.contains(&line_of(b, h.offset)));
        hits
    };
    let hits = reported(&bytes);
    let cleaned = strip(&bytes, &hits);
    if let Err(e) = agentops_state::replace_atomically(&path, &cleaned) {
        return fail(e.to_string());
    }
    let verified = read_file(&path, u64::MAX).is_some_and(|b| reported(&b).is_empty());
    Fixed {
        path: rel.to_path_buf(),
        removed: hits.len(),
        verified,
        error: None,
    }
}

/// What `agentops scan lockfiles` found.
#[derive(Debug, Clone)]
pub struct LockfileReport {
    /// One audit per lockfile.
    pub audits: Vec<FileAudit>,
}

impl LockfileReport {
    /// One row per finding, info notes included.
    pub fn rows(&self) -> Vec<Row> {
        self.audits
            .iter()
            .flat_map(|a| {
                a.findings.iter().map(move |f| Row {
                    kind: "lockfile",
                    severity: f.severity,
                    location: match &f.package {
                        Some(p) => format!("{} {p}", a.file.display()),
                        None => a.file.display().to_string(),
                    },
                    id: f.check.id().to_string(),
                    detail: format!("{}: {}", f.check.name(), f.detail),
                })
            })
            .collect()
    }

    /// Findings at low severity or above (info notes do not count).
    pub fn has_findings(&self) -> bool {
        self.audits
            .iter()
            .any(|a| a.count_at_least(Severity::Low) > 0)
    }

    /// The table and a summary line, as printed.
    pub fn render_table(&self) -> String {
        let mut out = render_rows(&self.rows());
        let packages: usize = self.audits.iter().map(|a| a.packages).sum();
        let count: usize = self.audits.iter().map(|a| a.findings.len()).sum();
        out.push_str(&format!(
            "{count} finding(s) in {} lockfile(s), {packages} package(s) checked{}\n",
            self.audits.len(),
            if self.audits.is_empty() {
                " (no lockfiles found)"
            } else {
                ""
            }
        ));
        out
    }

    /// The report as JSON (`--json`).
    pub fn to_json(&self) -> Value {
        json!({ "lockfiles": self.audits })
    }
}

/// Audit the lockfiles under `root` with the allowlist from its flags.
pub fn lockfiles(root: &Path, flags: &Flags) -> LockfileReport {
    lockfiles_with(root, &lockfile_audit::allowlist(flags))
}

/// Audit with an explicit allowlist.
pub fn lockfiles_with(root: &Path, allow: &Allowlist) -> LockfileReport {
    LockfileReport {
        audits: lockfile_audit::audit_lockfiles(&agentops_state::HostWorld, root, allow),
    }
}

/// What `agentops scan integrity` found.
#[derive(Debug, Clone)]
pub struct IntegrityReport {
    /// Every tracked file and its state.
    pub tracked: Vec<Tracked>,
    /// Whether `.agentops/integrity.jsonl` exists.
    pub manifest_found: bool,
}

impl IntegrityReport {
    /// One row per changed or missing file.
    pub fn rows(&self) -> Vec<Row> {
        self.tracked
            .iter()
            .filter_map(|t| match &t.status {
                Status::Unchanged => None,
                Status::Changed { expected, actual } => Some(Row {
                    kind: "integrity",
                    severity: Severity::Medium,
                    location: t.path.clone(),
                    id: "INTEG001".into(),
                    detail: format!(
                        "changed since the agent wrote it (recorded {}…, now {}…)",
                        &expected[..expected.len().min(12)],
                        &actual[..actual.len().min(12)]
                    ),
                }),
                Status::Missing => Some(Row {
                    kind: "integrity",
                    severity: Severity::Low,
                    location: t.path.clone(),
                    id: "INTEG002".into(),
                    detail: "no longer exists".into(),
                }),
            })
            .collect()
    }

    /// Whether any tracked file changed or disappeared.
    pub fn has_findings(&self) -> bool {
        self.tracked.iter().any(|t| t.status != Status::Unchanged)
    }

    /// The table and a summary line, as printed.
    pub fn render_table(&self) -> String {
        let mut out = render_rows(&self.rows());
        if !self.manifest_found {
            out.push_str("no integrity manifest (.agentops/integrity.jsonl) yet\n");
        } else {
            let bad = self.rows().len();
            out.push_str(&format!(
                "{} tracked file(s): {} verified, {bad} changed or missing\n",
                self.tracked.len(),
                self.tracked.len() - bad
            ));
        }
        out
    }

    /// The report as JSON (`--json`).
    pub fn to_json(&self) -> Value {
        json!({ "manifest_found": self.manifest_found, "files": self.tracked })
    }
}

/// Verify the integrity manifest of the project at `root`.
pub fn integrity(root: &Path) -> IntegrityReport {
    let manifest = root.join(".agentops").join(integrity_verify::MANIFEST);
    match read_file(&manifest, integrity_verify::MAX_MANIFEST_BYTES) {
        Some(bytes) => IntegrityReport {
            tracked: integrity_verify::verify(&HostWorld, root, &bytes),
            manifest_found: true,
        },
        None => IntegrityReport {
            tracked: Vec::new(),
            manifest_found: false,
        },
    }
}

/// Unicode, lockfiles and integrity together.
#[derive(Debug, Clone)]
pub struct SupplyChainReport {
    /// The unicode scan.
    pub unicode: UnicodeReport,
    /// The lockfile audit.
    pub lockfiles: LockfileReport,
    /// The integrity check.
    pub integrity: IntegrityReport,
}

impl SupplyChainReport {
    /// Whether any of the three found something.
    pub fn has_findings(&self) -> bool {
        self.unicode.has_findings()
            || self.lockfiles.has_findings()
            || self.integrity.has_findings()
    }

    /// Every row, most severe first.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = self.unicode.rows();
        rows.extend(self.lockfiles.rows());
        rows.extend(self.integrity.rows());
        // Most severe first; stable, so each section keeps its order.
        rows.sort_by_key(|r| std::cmp::Reverse(r.severity));
        rows
    }

    /// The combined table and a summary line, as printed.
    pub fn render_table(&self) -> String {
        let rows = self.rows();
        let mut out = render_rows(&rows);
        let count = |kind: &str| rows.iter().filter(|r| r.kind == kind).count();
        out.push_str(&format!(
            "supply chain: {} unicode, {} lockfile, {} integrity finding(s) ({} file(s) scanned, {} lockfile(s), {} tracked file(s)){}\n",
            count("unicode"),
            count("lockfile"),
            count("integrity"),
            self.unicode.tree.files_scanned + self.unicode.tree.files_cached,
            self.lockfiles.audits.len(),
            self.integrity.tracked.len(),
            if self.unicode.tree.partial { "; unicode scan PARTIAL" } else { "" }
        ));
        out
    }

    /// The report as JSON (`--json`).
    pub fn to_json(&self) -> Value {
        json!({
            "findings": self.has_findings(),
            "rows": self.rows(),
            "unicode": self.unicode.to_json(),
            "lockfiles": self.lockfiles.to_json(),
            "integrity": self.integrity.to_json(),
        })
    }
}

/// Run every supply-chain check on the project at `root`.
pub fn supply_chain(
    root: &Path,
    flags: &Flags,
    unicode_opts: &UnicodeOptions,
) -> SupplyChainReport {
    SupplyChainReport {
        unicode: unicode(root, unicode_opts),
        lockfiles: lockfiles(root, flags),
        integrity: integrity(root),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// SHA-256 of `then`.
    const SHA256_OF_THEN: &str = "21af6f1260f927f5b9b3ff5ca4a5d19493a1a47a5977240d8dca31bc47a63527";

    fn project() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path();
        fs::create_dir_all(root.join(".agentops")).expect("mkdir");
        fs::write(root.join("ok.rs"), "fn main() { println!(\"hi 👋\"); }\n").expect("write");
        fs::write(
            root.join("evil.js"),
            "const a = 1;\nif (role\u{202E} == 'admin') {}\n",
        )
        .expect("write");
        tmp
    }

    #[test]
    fn unicode_scan_reports_then_fixes_and_reverifies() {
        let tmp = project();
        let root = tmp.path();
        let report = unicode(root, &UnicodeOptions::default());
        assert!(report.has_findings());
        let rows = report.rows();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].location, "evil.js:2:9");
        assert_eq!(rows[0].severity, Severity::High);
        assert!(rows[0].detail.contains("<U+202E>"), "{}", rows[0].detail);
        assert!(
            root.join(".agentops").join(CACHE_FILE).is_file(),
            "cache written"
        );
        let table = report.render_table();
        assert!(table.starts_with("KIND"), "{table}");
        assert!(
            table.contains("1 file(s) with invisible or deceptive Unicode"),
            "{table}"
        );

        let fixed = unicode(
            root,
            &UnicodeOptions {
                fix: true,
                ..UnicodeOptions::default()
            },
        );
        assert_eq!(fixed.fixed.len(), 1);
        assert!(fixed.fixed[0].verified && fixed.fixed[0].removed == 1);
        assert!(!fixed.has_findings());
        assert_eq!(
            fs::read_to_string(root.join("evil.js")).expect("read"),
            "const a = 1;\nif (role == 'admin') {}\n"
        );
        let after = unicode(root, &UnicodeOptions::default());
        assert!(
            !after.has_findings(),
            "the rewritten file is re-scanned, not served from cache"
        );
        assert_eq!(after.to_json()["files"], json!([]));
    }

    #[test]
    fn supply_chain_combines_all_three_and_sorts_by_severity() {
        let tmp = project();
        let root = tmp.path();
        fs::write(
            root.join("package-lock.json"),
            r#"{"packages":{"node_modules/a":{"resolved":"https://registry.npmjs.org/a/-/a-1.0.0.tgz"}}}"#,
        )
        .expect("write");
        fs::write(root.join("tracked.txt"), "now").expect("write");
        fs::write(
            root.join(".agentops/integrity.jsonl"),
            format!("{}\n", json!({"path":"tracked.txt","abs_path":root.join("tracked.txt"),"sha256":SHA256_OF_THEN})),
        )
        .expect("write");
        let report = supply_chain(root, &Flags::default(), &UnicodeOptions::default());
        assert!(report.has_findings());
        let kinds: Vec<(&str, Severity)> =
            report.rows().iter().map(|r| (r.kind, r.severity)).collect();
        assert_eq!(
            kinds,
            [
                ("unicode", Severity::High),
                ("lockfile", Severity::Medium),
                ("integrity", Severity::Medium)
            ]
        );
        let json = report.to_json();
        assert_eq!(json["findings"], true);
        assert_eq!(
            json["lockfiles"]["lockfiles"][0]["findings"][0]["check"],
            "missing-integrity"
        );
        assert!(report
            .render_table()
            .contains("supply chain: 1 unicode, 1 lockfile, 1 integrity finding(s)"));
    }

    #[test]
    fn clean_project_has_no_findings() {
        let tmp = tempfile::tempdir().expect("tmp");
        fs::write(tmp.path().join("a.md"), "# fine ✅\n").expect("write");
        let report = supply_chain(tmp.path(), &Flags::default(), &UnicodeOptions::default());
        assert!(!report.has_findings());
        assert!(report.rows().is_empty());
        assert!(
            !tmp.path().join(".agentops").exists(),
            "scanning creates no state"
        );
        assert!(integrity(tmp.path())
            .render_table()
            .contains("no integrity manifest"));
    }

    #[test]
    fn lockfiles_are_found_on_the_host_at_the_root_and_one_level_down() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path();
        for rel in [
            "package-lock.json",
            "go.sum",
            "api/yarn.lock",
            "web/pnpm-lock.yaml",
            "web/deeper/Cargo.lock",
            "node_modules/x/package-lock.json",
            ".hidden/Gemfile.lock",
        ] {
            let p = root.join(rel);
            fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            fs::write(p, "").expect("write");
        }
        let found: Vec<String> = lockfiles_with(root, &Allowlist::default())
            .audits
            .iter()
            .map(|a| format!("{}:{}", a.file.display(), a.format))
            .collect();
        assert_eq!(
            found,
            [
                "api/yarn.lock:yarn-classic",
                "go.sum:go",
                "package-lock.json:npm",
                "web/pnpm-lock.yaml:pnpm"
            ]
        );
    }

    #[test]
    fn severities_by_category() {
        assert_eq!(unicode_severity(&[Category::PrivateUse]), Severity::Low);
        assert_eq!(unicode_severity(&[Category::Invisible]), Severity::Medium);
        assert_eq!(
            unicode_severity(&[Category::Invisible, Category::Tag]),
            Severity::High
        );
    }
}
