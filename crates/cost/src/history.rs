//! Cost of past sessions, read on demand from Claude Code's transcript
//! directory (`~/.claude/projects`), the way ccusage reads it.
//!
//! The directory holds one folder per project; a session is
//! `<project>/<session>.jsonl`, and the subagents it started write
//! `<project>/<session>/subagents/*.jsonl`. Every `.jsonl` file below the
//! root is read; a file directly in a project folder names its session by
//! its stem, a deeper one by the folder it is in under the project, so
//! subagent usage counts for the session that started it.
//!
//! Deduplication follows ccusage: one API response is written as several
//! lines that repeat `message.id` and `requestId`, and a resumed session
//! copies earlier responses into its new file, so a response is counted
//! once per `message.id` + `requestId` across all files (the first file
//! that has it owns it), and lines without a `message.id` are each
//! counted. Unlike ccusage, which keeps the first line's counts, the
//! largest count of each kind is kept: streamed lines grow `output_tokens`
//! and the last one is the billed count (ccusage issues #901, #938). When
//! the repeats are identical, as they are for most responses, the totals
//! are ccusage's.
//!
//! Days are the UTC dates of the lines' `timestamp`s; a line without a
//! well-formed timestamp is skipped (ccusage's schema rejects it too).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::ledger::{day_of, Row};
use crate::transcript::{parse_line, Usage};

/// How deep below the transcript root files are looked for: project,
/// session folder, `subagents`, file, and one level of slack.
const MAX_DEPTH: usize = 5;

/// The transcript root Claude Code writes: `$CLAUDE_CONFIG_DIR/projects`
/// when that variable is set (as Claude Code reads it), else
/// `$HOME/.claude/projects`. `None` when neither variable is set.
pub fn default_root(claude_config_dir: Option<&str>, home: Option<&str>) -> Option<PathBuf> {
    match claude_config_dir.filter(|d| !d.is_empty()) {
        Some(dir) => Some(Path::new(dir).join("projects")),
        None => home
            .filter(|h| !h.is_empty())
            .map(|h| Path::new(h).join(".claude").join("projects")),
    }
}

/// One transcript file and the session it counts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptFile {
    /// The file.
    pub path: PathBuf,
    /// The project folder's name (Claude Code's encoding of its path).
    pub project: String,
    /// The session id.
    pub session: String,
}

/// Every `.jsonl` file under `root` with its project and session, sorted
/// by path so reports do not depend on directory order. Symbolic links are
/// not followed. Directories that cannot be read are reported in
/// `problems` and skipped.
pub fn transcript_files(root: &Path, problems: &mut Vec<String>) -> Vec<TranscriptFile> {
    let mut files = Vec::new();
    let mut pending = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                problems.push(format!("{}: {e}", dir.display()));
                continue;
            }
        };
        for entry in entries.filter_map(Result::ok) {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() && depth + 1 < MAX_DEPTH {
                pending.push((path, depth + 1));
            } else if kind.is_file() && path.extension().is_some_and(|x| x == "jsonl") {
                if let Some(file) = attribute(root, &path) {
                    files.push(file);
                }
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// The project and session of a transcript file from its place under the
/// root; `None` for a file directly in the root.
fn attribute(root: &Path, path: &Path) -> Option<TranscriptFile> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let (project, session) = match parts.as_slice() {
        [project, file] => (project, file.strip_suffix(".jsonl").unwrap_or(file)),
        [project, session, _, ..] => (project, session.as_str()),
        _ => return None,
    };
    Some(TranscriptFile {
        path: path.to_path_buf(),
        project: project.clone(),
        session: session.to_string(),
    })
}

/// Days to keep, both ends inclusive (`YYYY-MM-DD`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayRange {
    /// First day kept.
    pub since: Option<String>,
    /// Last day kept.
    pub until: Option<String>,
}

impl DayRange {
    /// Whether `day` is in the range (days compare as text).
    pub fn contains(&self, day: &str) -> bool {
        self.since.as_deref().is_none_or(|s| day >= s)
            && self.until.as_deref().is_none_or(|u| day <= u)
    }
}

/// One counted API response.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Counted {
    session: String,
    day: String,
    model: String,
    usage: Usage,
}

/// What reading the transcripts found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// Token totals per (session, day, model), as the hook ledger keeps
    /// them, so [`crate::report`] groups both alike.
    pub rows: Vec<Row>,
    /// The project folder of each session.
    pub projects: Vec<(String, String)>,
    /// Transcript files read.
    pub files: usize,
    /// Files that could not be read, with why.
    pub problems: Vec<String>,
}

impl History {
    /// The project folder `session` was found in.
    pub fn project_of(&self, session: &str) -> Option<&str> {
        self.projects
            .iter()
            .find(|(s, _)| s == session)
            .map(|(_, p)| p.as_str())
    }

    /// The last day `session` was active in the report's range.
    pub fn last_day_of(&self, session: &str) -> Option<&str> {
        self.rows
            .iter()
            .filter(|r| r.session == session)
            .map(|r| r.day.as_str())
            .max()
    }
}

/// Read every transcript under each of `roots` and total the responses
/// dated in `range`. `keep` chooses the files (a project filter).
pub fn read(
    roots: &[PathBuf],
    range: &DayRange,
    repeats: Repeats,
    keep: impl Fn(&TranscriptFile) -> bool,
) -> History {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    for root in roots {
        files.extend(
            transcript_files(root, &mut problems)
                .into_iter()
                .filter(&keep),
        );
    }
    let mut history = read_files(&files, range, repeats);
    problems.append(&mut history.problems);
    history.problems = problems;
    history
}

/// The folder name Claude Code files a project's transcripts under: its
/// absolute path with every character that is not an ASCII letter or
/// digit replaced by `-`.
pub fn project_folder(project: &Path) -> String {
    project
        .to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// Which counts of a response written on several lines are kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Repeats {
    /// The largest of each count: streaming raises `output_tokens` from
    /// line to line, and the last line holds the billed count.
    #[default]
    Largest,
    /// The first line's, as ccusage does (its totals, to the token).
    First,
}

/// Read `files` (in order: the first file holding a response owns it) and
/// total the responses dated in `range`.
pub fn read_files(files: &[TranscriptFile], range: &DayRange, repeats: Repeats) -> History {
    let mut counted: Vec<Counted> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut history = History::default();
    for file in files {
        let reader = match File::open(&file.path) {
            Ok(f) => BufReader::new(f),
            Err(e) => {
                history
                    .problems
                    .push(format!("{}: {e}", file.path.display()));
                continue;
            }
        };
        history.files += 1;
        if let Err(e) = read_one(reader, &file.session, repeats, &mut counted, &mut by_id) {
            history
                .problems
                .push(format!("{}: {e}", file.path.display()));
        }
        if !history.projects.iter().any(|(s, _)| s == &file.session) {
            history
                .projects
                .push((file.session.clone(), file.project.clone()));
        }
    }
    let mut row_of: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for c in counted.iter().filter(|c| range.contains(&c.day)) {
        let key = (c.session.as_str(), c.day.as_str(), c.model.as_str());
        match row_of.get(&key) {
            Some(&i) => {
                history.rows[i].usage.add(&c.usage);
                history.rows[i].responses += 1;
            }
            None => {
                row_of.insert(key, history.rows.len());
                history.rows.push(Row {
                    session: c.session.clone(),
                    day: c.day.clone(),
                    model: c.model.clone(),
                    usage: c.usage,
                    responses: 1,
                });
            }
        }
    }
    history
}

fn read_one(
    mut reader: impl BufRead,
    session: &str,
    repeats: Repeats,
    counted: &mut Vec<Counted>,
    by_id: &mut HashMap<String, usize>,
) -> io::Result<()> {
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let Some(r) = parse_line(&line) else {
            continue;
        };
        let Some(day) = r.timestamp.as_deref().and_then(day_of) else {
            continue;
        };
        // ccusage's key: message id and request id; no message id, no key.
        let id = r.keys.iter().find_map(|k| k.strip_prefix("m:"));
        let key = id.map(|id| {
            let request = r.keys.iter().find_map(|k| k.strip_prefix("r:"));
            format!("{id}\n{}", request.unwrap_or(""))
        });
        if let Some(&i) = key.as_ref().and_then(|k| by_id.get(k)) {
            if repeats == Repeats::Largest {
                counted[i].usage = counted[i].usage.max(&r.usage);
            }
            continue;
        }
        if let Some(key) = key {
            by_id.insert(key, counted.len());
        }
        counted.push(Counted {
            session: session.to_string(),
            day: day.to_string(),
            model: r.model,
            usage: r.usage,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_follows_claude_config_dir_then_home() {
        assert_eq!(
            default_root(Some("/c"), Some("/h")),
            Some(PathBuf::from("/c/projects"))
        );
        assert_eq!(
            default_root(Some(""), Some("/h")),
            Some(PathBuf::from("/h/.claude/projects"))
        );
        assert_eq!(default_root(None, None), None);
    }

    #[test]
    fn files_are_attributed_to_their_session() {
        let root = Path::new("/r");
        let main = attribute(root, Path::new("/r/-p/s1.jsonl")).expect("main");
        assert_eq!((main.project.as_str(), main.session.as_str()), ("-p", "s1"));
        let sub = attribute(root, Path::new("/r/-p/s1/subagents/agent-a.jsonl")).expect("sub");
        assert_eq!((sub.project.as_str(), sub.session.as_str()), ("-p", "s1"));
        assert_eq!(attribute(root, Path::new("/r/stray.jsonl")), None);
    }

    #[test]
    fn project_folders_use_claude_codes_encoding() {
        assert_eq!(
            project_folder(Path::new("/home/me/my.app_2")),
            "-home-me-my-app-2"
        );
    }

    #[test]
    fn day_range_is_inclusive() {
        let r = DayRange {
            since: Some("2025-06-02".into()),
            until: Some("2025-06-03".into()),
        };
        assert!(!r.contains("2025-06-01"));
        assert!(r.contains("2025-06-02"));
        assert!(r.contains("2025-06-03"));
        assert!(!r.contains("2025-06-04"));
        assert!(DayRange::default().contains("1999-01-01"));
    }
}
