//! The tree scan: every text file under a directory, in parallel.
//!
//! - honours `.gitignore`, `.ignore` and `.git/info/exclude` (also outside
//!   a git repository), and always skips `.git`, `node_modules`, `vendor`,
//!   `dist`, `build`, `.agentops`, minified bundles and the lockfiles the
//!   lockfile audit covers;
//! - skips binary files (a NUL byte in the first 8 KiB) and files larger
//!   than a limit; reads UTF-16 files with a byte-order mark;
//! - reuses the previous result of every file whose size, modification
//!   time, change time and inode are unchanged (the metadata cache);
//! - stops at a deadline and says the result is partial, so a hook never
//!   overruns its timeout.
//!
//! [`scan_tree`] walks and reads the host itself. [`scan_listed`] scans
//! files someone else listed, reading them through a [`TreeSource`], so a
//! caller that sees the world through an abstraction (a policy and its
//! `World`) gets the same scan, cache and budget; [`crate::ignores`] gives
//! it the same ignore-file rules.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use ignore::{WalkBuilder, WalkState};
use serde::{Deserialize, Serialize};

use crate::detect::{scan, Options};
use crate::report::{findings, Finding};

/// Directory names never descended into.
pub const EXCLUDED_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "vendor",
    ".agentops",
    "dist",
    "build",
];

/// File names left to the lockfile audit, which checks them with the same
/// detector and more.
pub const EXCLUDED_FILES: &[&str] = &[
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "composer.lock",
    "Cargo.lock",
    "Gemfile.lock",
];

/// Extensions of source files, where private-use characters are flagged too.
const SOURCE_EXTENSIONS: &[&str] = &[
    "rs", "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "py", "pyi", "rb", "go", "java",
    "kt", "kts", "scala", "swift", "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "cs", "fs", "php",
    "sh", "bash", "zsh", "fish", "ps1", "pl", "pm", "lua", "vue", "svelte", "dart", "ex", "exs",
    "erl", "hs", "ml", "clj", "r", "jl", "sql", "zig", "nim", "m", "mm",
];

/// Bump when detection changes, so old cache entries are not trusted.
const CACHE_VERSION: u32 = 1;
const BINARY_PROBE: usize = 8 * 1024;

/// How to run a tree scan.
#[derive(Debug, Clone)]
pub struct TreeOptions {
    /// Stop starting new files after this long; the report is then partial.
    pub budget: Option<Duration>,
    /// Files larger than this are skipped and counted.
    pub max_file_size: u64,
    /// Worker threads; 0 lets the walker choose (one per core).
    pub threads: usize,
    /// The previous cache file's contents, if any.
    pub cache: Option<Vec<u8>>,
    /// Counters a progress display can read while the scan runs.
    pub progress: Option<Arc<Progress>>,
}

impl Default for TreeOptions {
    fn default() -> Self {
        TreeOptions {
            budget: None,
            max_file_size: 64 * 1024 * 1024,
            threads: 0,
            cache: None,
            progress: None,
        }
    }
}

/// Live counters for a progress bar.
#[derive(Debug, Default)]
pub struct Progress {
    /// Files read and scanned so far (cache hits are not counted).
    pub files: AtomicU64,
    /// Bytes read from those files.
    pub bytes: AtomicU64,
}

/// One file with findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFindings {
    /// Path relative to the scanned root.
    pub path: PathBuf,
    /// The file's findings, in file order.
    pub findings: Vec<Finding>,
}

/// The result of a tree scan.
#[derive(Debug, Clone, Default)]
pub struct TreeReport {
    /// Files with findings, sorted by path.
    pub files: Vec<FileFindings>,
    /// Files read and scanned in this run.
    pub files_scanned: u64,
    /// Files whose cached result was reused.
    pub files_cached: u64,
    /// Bytes read from the files scanned in this run (cache hits excluded).
    pub bytes_scanned: u64,
    /// Files skipped as binary (a NUL byte in the first 8 KiB).
    pub skipped_binary: u64,
    /// Files skipped for exceeding [`TreeOptions::max_file_size`].
    pub skipped_large: u64,
    /// Files that could not be read, with the reason.
    pub errors: Vec<(PathBuf, String)>,
    /// The deadline stopped the walk before it finished.
    pub partial: bool,
    /// Wall-clock time the scan took.
    pub elapsed: Duration,
    /// New cache contents for the caller to store; empty when unchanged.
    pub cache: Vec<u8>,
    /// Whether the cache differs from the one the scan was given; when it
    /// does not, `cache` is left empty and there is nothing to store.
    pub cache_changed: bool,
}

impl TreeReport {
    /// Findings over all files.
    pub fn finding_count(&self) -> usize {
        self.files.iter().map(|f| f.findings.len()).sum()
    }
}

/// What the metadata cache compares to decide a file is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i128,
    /// Status-change time, nanoseconds since the Unix epoch (0 when
    /// unknown).
    pub ctime_ns: i128,
    /// Inode number (0 when unknown).
    pub inode: u64,
}

impl Stamp {
    /// A stamp from a size, a modification time and, where known, the
    /// status-change time and inode (as `World::change_stamp` gives them).
    pub fn new(size: u64, modified: Option<SystemTime>, change: Option<(i128, u64)>) -> Stamp {
        let mtime_ns = modified
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128);
        let (ctime_ns, inode) = change.unwrap_or((0, 0));
        Stamp {
            size,
            mtime_ns,
            ctime_ns,
            inode,
        }
    }
}

#[derive(Debug, Clone)]
struct CacheEntry {
    stamp: Stamp,
    findings: Vec<Finding>,
}

/// Previous results by path relative to the root.
type Cache = HashMap<String, CacheEntry>;

/// First line of a cache file: the format and the detection version.
fn cache_header() -> String {
    format!("agentops unicode-scan cache {CACHE_VERSION}")
}

/// The cache file: a header line, the root as a JSON string, then one line
/// per file, sorted by path: the path as a JSON string, size, modification
/// time, change time, inode and the findings as a JSON array (empty when
/// none), separated by tabs (JSON escapes any tab inside a string). Read in
/// step with a sorted listing ([`scan_listed`]), a line is only taken apart
/// for a file that is still there; a project of thousands of files costs a
/// session start well under a millisecond here, where JSON objects keyed by
/// path cost tens of milliseconds.
fn write_cache(root: &Path, entries: &mut [(String, CacheEntry)]) -> Vec<u8> {
    use std::fmt::Write as _;
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::with_capacity(64 + entries.len() * 80);
    let _ = writeln!(out, "{}", cache_header());
    let _ = writeln!(out, "{}", json_string(&root.to_string_lossy()));
    for (path, e) in entries.iter() {
        let s = &e.stamp;
        let _ = write!(
            out,
            "{}\t{}\t{}\t{}\t{}\t",
            json_string(path),
            s.size,
            s.mtime_ns,
            s.ctime_ns,
            s.inode,
        );
        if !e.findings.is_empty() {
            out.push_str(&serde_json::to_string(&e.findings).unwrap_or_default());
        }
        out.push('\n');
    }
    out.into_bytes()
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// The lines of `bytes` after the header, if it is a cache of this format
/// and detection version for `root`.
fn cache_lines<'b>(bytes: Option<&'b [u8]>, root: &Path) -> Option<std::str::Lines<'b>> {
    let text = std::str::from_utf8(bytes?).ok()?;
    let mut lines = text.lines();
    let root_line = json_string(&root.to_string_lossy());
    (lines.next() == Some(cache_header().as_str()) && lines.next() == Some(root_line.as_str()))
        .then_some(lines)
}

/// The previous results by path; any line that does not parse is left out
/// (its file is scanned again).
fn load_cache(bytes: Option<&[u8]>, root: &Path) -> Cache {
    cache_lines(bytes, root)
        .into_iter()
        .flatten()
        .filter_map(|line| {
            let (path, rest) = split_path(line)?;
            Some((path, parse_entry(rest)?))
        })
        .collect()
}

/// The previous result of each of `files`, read in step with the cache's
/// sorted lines, and how many lines the cache had. A line is parsed only
/// when its file is listed. A listing is usually sorted by path already;
/// one that is not is visited in sorted order.
fn cached_in_order(
    bytes: Option<&[u8]>,
    root: &Path,
    files: &[&ListedFile],
) -> (Vec<Option<CacheEntry>>, usize) {
    let mut found: Vec<Option<CacheEntry>> = vec![None; files.len()];
    let Some(mut lines) = cache_lines(bytes, root) else {
        return (found, 0);
    };
    let rel = |i: usize| files[i].rel.to_str();
    let mut order: Vec<usize> = (0..files.len()).collect();
    if !order.is_sorted_by(|&a, &b| rel(a) <= rel(b)) {
        order.sort_by(|&a, &b| rel(a).cmp(&rel(b)));
    }
    let mut count = 0;
    let mut line = lines.next();
    for i in order {
        let Some(rel) = rel(i) else {
            continue;
        };
        let slot = &mut found[i];
        while let Some(l) = line {
            let Some((path, rest)) = split_path(l) else {
                count += 1;
                line = lines.next();
                continue;
            };
            match path.as_str().cmp(rel) {
                std::cmp::Ordering::Less => {
                    count += 1;
                    line = lines.next();
                }
                std::cmp::Ordering::Equal => {
                    *slot = parse_entry(rest);
                    count += 1;
                    line = lines.next();
                    break;
                }
                std::cmp::Ordering::Greater => break,
            }
        }
    }
    count += line.into_iter().chain(lines).count();
    (found, count)
}

/// The path of a cache line and the rest of the line.
fn split_path(line: &str) -> Option<(String, &str)> {
    let (quoted, rest) = line.split_once('\t')?;
    // Most paths need no unescaping.
    let path = match quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
        Some(plain) if !plain.contains('\\') => plain.to_string(),
        _ => serde_json::from_str(quoted).ok()?,
    };
    Some((path, rest))
}

/// A cache line after its path.
fn parse_entry(rest: &str) -> Option<CacheEntry> {
    let mut fields = rest.split('\t');
    let stamp = Stamp {
        size: fields.next()?.parse().ok()?,
        mtime_ns: fields.next()?.parse().ok()?,
        ctime_ns: fields.next()?.parse().ok()?,
        inode: fields.next()?.parse().ok()?,
    };
    let findings = match fields.next()? {
        "" => Vec::new(),
        json => serde_json::from_str(json).ok()?,
    };
    fields
        .next()
        .is_none()
        .then_some(CacheEntry { stamp, findings })
}

enum Outcome {
    Scanned {
        rel: PathBuf,
        stamp: Stamp,
        bytes: u64,
        findings: Vec<Finding>,
    },
    Cached {
        rel: PathBuf,
        entry: CacheEntry,
    },
    Binary,
    Large,
    Error(PathBuf, String),
}

fn stamp_of(meta: &std::fs::Metadata) -> Stamp {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            size: meta.len(),
            mtime_ns: meta.mtime() as i128 * 1_000_000_000 + meta.mtime_nsec() as i128,
            ctime_ns: meta.ctime() as i128 * 1_000_000_000 + meta.ctime_nsec() as i128,
            inode: meta.ino(),
        }
    }
    #[cfg(not(unix))]
    {
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128);
        Stamp {
            size: meta.len(),
            mtime_ns,
            ctime_ns: 0,
            inode: 0,
        }
    }
}

/// Detector options for a file: private-use characters only count in code.
pub fn options_for(path: &Path) -> Options {
    let source = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SOURCE_EXTENSIONS.iter().any(|s| s.eq_ignore_ascii_case(e)));
    if source {
        Options::SOURCE
    } else {
        Options::TEXT
    }
}

/// Whether a file of this name is left out of the scan (the lockfiles the
/// lockfile audit covers, minified bundles).
pub fn excluded_file(name: &str) -> bool {
    EXCLUDED_FILES.contains(&name) || name.ends_with(".min.js") || name.ends_with(".min.css")
}

/// Text content of a file for scanning: UTF-8 as is, UTF-16 with a BOM
/// transcoded; `None` for binary.
pub fn text_of(buf: &[u8]) -> Option<std::borrow::Cow<'_, [u8]>> {
    let utf16 = |le: bool| {
        let units = buf[2..].chunks_exact(2).map(|p| {
            if le {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        });
        let text: String = char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        std::borrow::Cow::Owned(text.into_bytes())
    };
    match buf {
        [0xFF, 0xFE, ..] => Some(utf16(true)),
        [0xFE, 0xFF, ..] => Some(utf16(false)),
        _ if memchr::memchr(0, &buf[..buf.len().min(BINARY_PROBE)]).is_some() => None,
        _ => Some(std::borrow::Cow::Borrowed(buf)),
    }
}

/// Scan the bytes of one file the way the tree scan does.
pub fn scan_file_bytes(path: &Path, buf: &[u8]) -> Option<Vec<Finding>> {
    let text = text_of(buf)?;
    let hits = scan(&text, options_for(path));
    Some(if hits.is_empty() {
        Vec::new()
    } else {
        findings(&text, &hits)
    })
}

/// Scan every file under `root`.
pub fn scan_tree(root: &Path, opts: &TreeOptions) -> TreeReport {
    let started = Instant::now();
    let deadline = opts.budget.map(|b| started + b);
    let old_cache = Arc::new(load_cache(opts.cache.as_deref(), root));
    let stopped = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel::<Outcome>();

    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .ignore(true)
        .parents(true)
        .follow_links(false)
        .threads(opts.threads)
        .filter_entry(|e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            !(is_dir && e.depth() > 0 && EXCLUDED_DIRS.iter().any(|d| e.file_name() == *d))
        });
    let max_size = opts.max_file_size;
    builder.build_parallel().run(|| {
        let tx = tx.clone();
        let cache = Arc::clone(&old_cache);
        let stopped = Arc::clone(&stopped);
        let progress = opts.progress.clone();
        let mut buf: Vec<u8> = Vec::with_capacity(256 * 1024);
        Box::new(move |entry| {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                stopped.store(true, Ordering::Relaxed);
                return WalkState::Quit;
            }
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let _ = tx.send(Outcome::Error(PathBuf::new(), e.to_string()));
                    return WalkState::Continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            if entry.file_name().to_str().is_some_and(excluded_file) {
                return WalkState::Continue;
            }
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap_or(path).to_path_buf();
            let outcome = scan_entry(path, rel, &cache, max_size, &mut buf);
            if let (Some(p), Outcome::Scanned { bytes, .. }) = (&progress, &outcome) {
                p.files.fetch_add(1, Ordering::Relaxed);
                p.bytes.fetch_add(*bytes, Ordering::Relaxed);
            }
            let _ = tx.send(outcome);
            WalkState::Continue
        })
    });
    drop(tx);
    let mut report = collect(root, rx, old_cache.len());
    report.partial = stopped.load(Ordering::Relaxed);
    report.elapsed = started.elapsed();
    report
}

/// Gather per-file outcomes into a report and the new cache.
fn collect(
    root: &Path,
    outcomes: impl IntoIterator<Item = Outcome>,
    old_entries: usize,
) -> TreeReport {
    let mut report = TreeReport::default();
    let mut entries: Vec<(String, CacheEntry)> = Vec::new();
    // A path that is not UTF-8 is scanned every time rather than cached
    // under a lossy name another file could share.
    let mut remember = |rel: PathBuf, entry: CacheEntry| {
        if let Ok(path) = rel.into_os_string().into_string() {
            entries.push((path, entry));
        }
    };
    for outcome in outcomes {
        match outcome {
            Outcome::Scanned {
                rel,
                stamp,
                bytes,
                findings,
            } => {
                report.files_scanned += 1;
                report.bytes_scanned += bytes;
                if !findings.is_empty() {
                    report.files.push(FileFindings {
                        path: rel.clone(),
                        findings: findings.clone(),
                    });
                }
                remember(rel, CacheEntry { stamp, findings });
            }
            Outcome::Cached { rel, entry } => {
                report.files_cached += 1;
                if !entry.findings.is_empty() {
                    report.files.push(FileFindings {
                        path: rel.clone(),
                        findings: entry.findings.clone(),
                    });
                }
                remember(rel, entry);
            }
            Outcome::Binary => report.skipped_binary += 1,
            Outcome::Large => report.skipped_large += 1,
            Outcome::Error(p, e) => report.errors.push((p, e)),
        }
    }
    report.files.sort_by(|a, b| a.path.cmp(&b.path));
    report.errors.sort();
    // Every file a cache hit and as many as before: the same cache, which
    // need not be written (nor even formatted).
    let unchanged = report.files_scanned == 0 && entries.len() == old_entries && old_entries > 0;
    report.cache_changed = !unchanged;
    if !unchanged {
        report.cache = write_cache(root, &mut entries);
    }
    report
}

/// One file a listing found, for [`scan_listed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedFile {
    /// Where to read it.
    pub path: PathBuf,
    /// Its path relative to the scanned root, as reports and the cache
    /// name it.
    pub rel: PathBuf,
    /// Its metadata, for the cache.
    pub stamp: Stamp,
}

/// What [`scan_listed`] reads through: file contents and the clock.
pub trait TreeSource: Sync {
    /// The contents of a regular file of at most `limit` bytes.
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>>;
    /// The current time, for the budget.
    fn now(&self) -> SystemTime;
}

/// Scan files listed by the caller (already filtered for ignored
/// directories and ignore files), reading them through `source`, in
/// parallel, with the same cache, size limit, exclusions by file name and
/// budget as [`scan_tree`]. `started` is when the scan began (before the
/// listing), for the budget and the elapsed time.
pub fn scan_listed(
    root: &Path,
    files: &[ListedFile],
    source: &dyn TreeSource,
    opts: &TreeOptions,
    started: SystemTime,
) -> TreeReport {
    let deadline = opts.budget.map(|b| started + b);
    let files: Vec<&ListedFile> = files
        .iter()
        .filter(|f| {
            !f.rel
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(excluded_file)
        })
        .collect();
    let (prior, old_entries) = cached_in_order(opts.cache.as_deref(), root, &files);
    // Only files whose stamp changed are read: threads pay off for those.
    let to_read = files
        .iter()
        .zip(&prior)
        .filter(|(f, p)| p.as_ref().is_none_or(|p| p.stamp != f.stamp))
        .count();
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .clamp(1, to_read.max(1));
    let next = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    let outcomes: Mutex<Vec<Outcome>> = Mutex::new(Vec::with_capacity(files.len()));
    let worker = || {
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let (Some(file), Some(prior)) = (files.get(i), prior.get(i)) else {
                break;
            };
            if deadline.is_some_and(|d| source.now() >= d) {
                stopped.store(true, Ordering::Relaxed);
                break;
            }
            let outcome = scan_listed_file(file, source, prior.as_ref(), opts.max_file_size);
            if let (Some(p), Outcome::Scanned { bytes, .. }) = (&opts.progress, &outcome) {
                p.files.fetch_add(1, Ordering::Relaxed);
                p.bytes.fetch_add(*bytes, Ordering::Relaxed);
            }
            mine.push(outcome);
        }
        if let Ok(mut all) = outcomes.lock() {
            all.append(&mut mine);
        }
    };
    if threads == 1 {
        worker();
    } else {
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(worker);
            }
        });
    }
    let outcomes = outcomes.into_inner().unwrap_or_default();
    let mut report = collect(root, outcomes, old_entries);
    report.partial = stopped.load(Ordering::Relaxed);
    report.elapsed = source.now().duration_since(started).unwrap_or_default();
    report
}

fn cached<'c>(cache: &'c Cache, rel: &Path) -> Option<&'c CacheEntry> {
    cache.get(rel.to_str()?)
}

fn scan_listed_file(
    file: &ListedFile,
    source: &dyn TreeSource,
    prior: Option<&CacheEntry>,
    max_size: u64,
) -> Outcome {
    let rel = file.rel.clone();
    if let Some(entry) = prior.filter(|e| e.stamp == file.stamp) {
        return Outcome::Cached {
            rel,
            entry: entry.clone(),
        };
    }
    if file.stamp.size > max_size {
        return Outcome::Large;
    }
    let buf = match source.read(&file.path, max_size) {
        Ok(b) => b,
        Err(e) => return Outcome::Error(rel, e.to_string()),
    };
    match scan_file_bytes(&file.path, &buf) {
        Some(findings) => Outcome::Scanned {
            rel,
            stamp: file.stamp,
            bytes: buf.len() as u64,
            findings,
        },
        None => Outcome::Binary,
    }
}

fn scan_entry(
    path: &Path,
    rel: PathBuf,
    cache: &Cache,
    max_size: u64,
    buf: &mut Vec<u8>,
) -> Outcome {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return Outcome::Error(rel, e.to_string()),
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => return Outcome::Error(rel, e.to_string()),
    };
    let stamp = stamp_of(&meta);
    if let Some(entry) = cached(cache, &rel).filter(|e| e.stamp == stamp) {
        return Outcome::Cached {
            rel,
            entry: entry.clone(),
        };
    }
    if meta.len() > max_size {
        return Outcome::Large;
    }
    buf.clear();
    if let Err(e) = file.read_to_end(buf) {
        return Outcome::Error(rel, e.to_string());
    }
    match scan_file_bytes(path, buf) {
        Some(findings) => Outcome::Scanned {
            rel,
            stamp,
            bytes: buf.len() as u64,
            findings,
        },
        None => Outcome::Binary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(root: &Path, rel: &str, bytes: &[u8]) {
        let p = root.join(rel);
        if let Some(d) = p.parent() {
            fs::create_dir_all(d).expect("mkdir");
        }
        fs::write(p, bytes).expect("write");
    }

    fn paths(r: &TreeReport) -> Vec<String> {
        r.files
            .iter()
            .map(|f| f.path.to_string_lossy().replace('\\', "/"))
            .collect()
    }

    #[test]
    fn finds_flagged_files_and_honours_exclusions() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path();
        write(root, "src/ok.rs", b"fn main() {}\n");
        write(root, "src/evil.js", "const a = '\u{202E}x';\n".as_bytes());
        write(
            root,
            "lib/payload.mjs",
            "eval(`\u{FE00}\u{FE01}\u{FE02}`)\n".as_bytes(),
        );
        write(
            root,
            ".github/workflows/ci.yml",
            "run: echo \u{200B}\n".as_bytes(),
        );
        write(root, "README.md", "Hello 👋 ❤\u{FE0F}\n".as_bytes());
        write(root, "icons.md", "nerd font \u{E0A0}\n".as_bytes());
        write(root, "icons.rs", "// \u{E0A0}\n".as_bytes());
        // excluded: ignored, vendored, lockfile, minified, binary
        write(root, ".gitignore", b"generated/\n");
        write(root, "generated/out.js", "\u{200B}".as_bytes());
        write(root, "node_modules/x/index.js", "\u{200B}".as_bytes());
        write(root, "vendor/y.php", "\u{200B}".as_bytes());
        write(root, "package-lock.json", "\u{200B}".as_bytes());
        write(root, "app.min.js", "\u{200B}".as_bytes());
        let mut binary = b"\x89PNG\0\0".to_vec();
        binary.extend_from_slice("\u{200B}".as_bytes());
        write(root, "img.png", &binary);
        // UTF-16 with BOM is decoded
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("x\u{202E}y".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        write(root, "wide.txt", &utf16);

        let report = scan_tree(root, &TreeOptions::default());
        assert_eq!(
            paths(&report),
            [
                ".github/workflows/ci.yml",
                "icons.rs",
                "lib/payload.mjs",
                "src/evil.js",
                "wide.txt"
            ]
        );
        assert!(!report.partial);
        assert_eq!(report.skipped_binary, 1);
        let payload = &report.files[2].findings[0];
        assert_eq!(payload.count, 3);
        assert_eq!((payload.line, payload.column), (1, 7));
    }

    #[test]
    fn cache_reuses_unchanged_files_and_rescans_changed_ones() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path();
        write(root, "a.txt", "a\u{200B}".as_bytes());
        write(root, "b.txt", b"clean");
        let first = scan_tree(root, &TreeOptions::default());
        assert_eq!((first.files_scanned, first.files_cached), (2, 0));

        let warm = TreeOptions {
            cache: Some(first.cache.clone()),
            ..TreeOptions::default()
        };
        let second = scan_tree(root, &warm);
        assert_eq!((second.files_scanned, second.files_cached), (0, 2));
        assert_eq!(paths(&second), ["a.txt"], "cached findings are reported");
        assert!(first.cache_changed && !second.cache_changed);
        assert!(
            second.cache.is_empty(),
            "an unchanged cache is not rewritten"
        );

        write(root, "b.txt", "now \u{202E} dirty".as_bytes());
        let third = scan_tree(root, &warm);
        assert_eq!(third.files_scanned, 1);
        assert!(third.cache_changed && !third.cache.is_empty());
        assert_eq!(paths(&third), ["a.txt", "b.txt"]);

        // A cache for another root or version is ignored.
        let other_root = String::from_utf8(first.cache.clone())
            .expect("utf-8")
            .replacen(&json_string(&root.to_string_lossy()), "\"/elsewhere\"", 1);
        let other_version = String::from_utf8(first.cache.clone())
            .expect("utf-8")
            .replacen(&cache_header(), "agentops unicode-scan cache 0", 1);
        for cache in [
            other_root.into_bytes(),
            other_version.into_bytes(),
            b"{\"version\":1,\"root\":\"/\",\"entries\":{}}".to_vec(),
        ] {
            let report = scan_tree(
                root,
                &TreeOptions {
                    cache: Some(cache),
                    ..TreeOptions::default()
                },
            );
            assert_eq!(report.files_cached, 0);
        }
    }

    #[test]
    fn cache_lines_round_trip_odd_paths_and_findings_and_skip_bad_lines() {
        let stamp = Stamp {
            size: 12,
            mtime_ns: -5,
            ctime_ns: 1_700_000_000_123_456_789,
            inode: 42,
        };
        let finding = scan_file_bytes(Path::new("x.txt"), "x\u{200B}y".as_bytes())
            .expect("text")
            .into_iter()
            .next()
            .expect("a finding");
        let mut entries = vec![
            (
                "dir/with\ttab \"quote\" back\\slash é.txt".to_string(),
                CacheEntry {
                    stamp,
                    findings: vec![finding.clone()],
                },
            ),
            (
                "a.rs".to_string(),
                CacheEntry {
                    stamp,
                    findings: Vec::new(),
                },
            ),
        ];
        let root = Path::new("/p");
        let bytes = write_cache(root, &mut entries);
        let text = String::from_utf8(bytes.clone()).expect("utf-8");
        assert_eq!(text.lines().count(), 4, "{text}");
        let cache = load_cache(Some(&bytes), root);
        assert_eq!(cache.len(), 2);
        let odd = &cache["dir/with\ttab \"quote\" back\\slash é.txt"];
        assert_eq!((odd.stamp, odd.findings.len()), (stamp, 1));
        assert_eq!(cache["a.rs"].stamp, stamp);
        // A damaged line costs that file a rescan, not the whole cache.
        let damaged = text.replacen("12\t-5", "12\tx", 1);
        assert_eq!(load_cache(Some(damaged.as_bytes()), root).len(), 1);
        assert!(load_cache(Some(b"\xff\xfe"), root).is_empty());
    }

    #[test]
    fn zero_budget_reports_a_partial_result() {
        let tmp = tempfile::tempdir().expect("tmp");
        for i in 0..50 {
            write(tmp.path(), &format!("f{i}.txt"), b"text");
        }
        let report = scan_tree(
            tmp.path(),
            &TreeOptions {
                budget: Some(Duration::ZERO),
                ..TreeOptions::default()
            },
        );
        assert!(report.partial);
        assert!(report.files_scanned < 50);
    }

    #[test]
    fn large_files_are_skipped_and_counted() {
        let tmp = tempfile::tempdir().expect("tmp");
        write(tmp.path(), "big.txt", &vec![b'a'; 4096]);
        let report = scan_tree(
            tmp.path(),
            &TreeOptions {
                max_file_size: 1024,
                ..TreeOptions::default()
            },
        );
        assert_eq!(report.skipped_large, 1);
        assert_eq!(report.files_scanned, 0);
    }

    struct Memory(Vec<(PathBuf, Vec<u8>)>, SystemTime);

    impl TreeSource for Memory {
        fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
            match self.0.iter().find(|(p, _)| p == path) {
                Some((_, b)) if b.len() as u64 <= limit => Ok(b.clone()),
                Some(_) => Err(io::Error::other("too large")),
                None => Err(io::Error::from(io::ErrorKind::NotFound)),
            }
        }
        fn now(&self) -> SystemTime {
            self.1
        }
    }

    fn listed(source: &Memory) -> Vec<ListedFile> {
        source
            .0
            .iter()
            .map(|(p, b)| ListedFile {
                path: p.clone(),
                rel: p.strip_prefix("/p").unwrap_or(p).to_path_buf(),
                stamp: Stamp::new(b.len() as u64, Some(source.1), Some((7, 42))),
            })
            .collect()
    }

    #[test]
    fn listed_files_scan_like_the_tree_with_cache_and_budget() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let mut files: Vec<(PathBuf, Vec<u8>)> = vec![
            ("/p/a.js".into(), "let a = '\u{202E}';\n".into()),
            ("/p/b.md".into(), "fine 👋\n".into()),
            ("/p/package-lock.json".into(), "\u{200B}".into()),
            ("/p/img.png".into(), b"\x89PNG\0\0".to_vec()),
        ];
        for i in 0..20 {
            files.push((format!("/p/many/{i}.txt").into(), b"x".to_vec()));
        }
        let source = Memory(files, now);
        let list = listed(&source);
        let root = Path::new("/p");
        let opts = TreeOptions {
            threads: 3,
            ..TreeOptions::default()
        };
        let first = scan_listed(root, &list, &source, &opts, now);
        assert_eq!(paths(&first), ["a.js"]);
        assert_eq!(
            (first.files_scanned, first.skipped_binary, first.partial),
            (22, 1, false),
            "lockfiles are left to the lockfile audit"
        );
        let warm = TreeOptions {
            cache: Some(first.cache.clone()),
            ..TreeOptions::default()
        };
        let second = scan_listed(root, &list, &source, &warm, now);
        assert_eq!((second.files_scanned, second.files_cached), (0, 22));
        assert_eq!(paths(&second), ["a.js"], "cached findings are reported");
        let mut moved = list.clone();
        moved[0].stamp.inode = 43;
        let third = scan_listed(root, &moved, &source, &warm, now);
        assert_eq!(third.files_scanned, 1, "a new inode is a new file");

        let zero = TreeOptions {
            budget: Some(Duration::ZERO),
            ..TreeOptions::default()
        };
        let stopped = scan_listed(root, &list, &source, &zero, now);
        assert!(stopped.partial);
        assert_eq!(stopped.files_scanned, 0);
        let small = TreeOptions {
            max_file_size: 4,
            ..TreeOptions::default()
        };
        let large = scan_listed(root, &list[..2], &source, &small, now);
        assert_eq!(large.skipped_large, 2);
    }
}
