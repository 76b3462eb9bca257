//! The workflow state shared by several hooks, and the small edge functions
//! that read it. Every decision function takes what these read as plain
//! values, so it stays pure and table-testable.
//!
//! File names match upstream's so its slash commands (e.g. the evolve skill
//! creating `evolve-ran`) keep working against agentops state.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use agentops_core::{Context, FileKind, HookInput, ToolKind};
use serde_json::Value;

/// Written at session start; a plan older than it is stale.
pub const SESSION_START: &str = "session-start";
/// Files written this session (one path per line), tracked by auto-plan.
pub const MODIFIED_FILES: &str = "modified-files.txt";
/// Source files written since the last test run, tracked by auto-test.
pub const CODE_FILES_SINCE_TEST: &str = "code-files-since-test.txt";
/// Time of the last successful test run, set by detect-test-run.
pub const TESTS_RAN: &str = "tests-ran";
/// auto-test already asked for a test run.
pub const TEST_NUDGE_SENT: &str = "test-nudge-sent";
/// auto-delegate already asked for reviewers.
pub const DELEGATE_SENT: &str = "delegate-sent";
/// Observation calls made without a plan (star-gate's grace counter).
pub const STAR_OBS_COUNT: &str = "star-obs-count";
/// A valid plan was seen this session.
pub const STAR_PLAN_ACTIVE: &str = "star-plan-active";
/// The evolve skill ran this session (created by the skill itself).
pub const EVOLVE_RAN: &str = "evolve-ran";
/// The failure count at which evolve-gate last nudged.
pub const EVOLVE_BATCH_COUNT: &str = "evolve-batch-count";
/// Legacy counter upstream still resets.
pub const CONSECUTIVE_FAILURES: &str = "consecutive-failures";
/// One JSON record per tool failure.
pub const FAILURES_LOG: &str = "failures.jsonl";
/// Written by the evolve skill; failures whose timestamp appears here are
/// processed.
pub const FEEDBACK_HISTORY: &str = "feedback-history.jsonl";
/// One JSON record per sub-agent start.
pub const DELEGATION_LOG: &str = "delegation.jsonl";

/// Markers and trackers that only mean something within one session;
/// session-cleanup removes them at every session start.
pub const SESSION_SCOPED: &[&str] = &[
    CONSECUTIVE_FAILURES,
    DELEGATE_SENT,
    TEST_NUDGE_SENT,
    CODE_FILES_SINCE_TEST,
    EVOLVE_RAN,
    EVOLVE_BATCH_COUNT,
    MODIFIED_FILES,
    STAR_OBS_COUNT,
    STAR_PLAN_ACTIVE,
    TESTS_RAN,
];

/// The plan file every planning hook reads.
pub const TODO_FILE: &str = "tasks/todo.md";
/// Lessons captured with /agentops:lesson or `agentops lessons add`.
pub const LESSONS_FILE: &str = "tasks/lessons.md";

/// Largest tracker or marker read.
pub const STATE_READ_LIMIT: u64 = 4 << 20;
/// Largest todo, lessons or skill file read.
pub const DOC_READ_LIMIT: u64 = 2 << 20;

/// Extensions of files auto-test and auto-delegate count as source code.
const SOURCE_EXTENSIONS: &[&str] = &[
    "js", "ts", "tsx", "jsx", "py", "rb", "go", "rs", "java", "php", "c", "cpp", "h", "hpp", "cs",
    "swift", "kt", "scala", "sh", "vue", "svelte",
];

/// Whether a path names a source code file (not docs, config or plans).
pub fn is_source_file(path: &str) -> bool {
    extension(path).is_some_and(|ext| SOURCE_EXTENSIONS.contains(&ext))
}

/// The extension after the last dot of the file name, if any.
pub fn extension(path: &str) -> Option<&str> {
    let name = file_name(path);
    name.rsplit_once('.').map(|(_, ext)| ext)
}

/// The last component of a path, for either separator.
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The directory part of a path (`.` when there is none).
pub fn dir_name(path: &str) -> &str {
    match path.rfind(['/', '\\']) {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => ".",
    }
}

/// The error text of a PostToolUseFailure payload (`error`; older
/// payloads put it in `tool_response`/`tool_result`).
pub fn error_text(input: &HookInput) -> Option<String> {
    input
        .error
        .as_ref()
        .or_else(|| input.response())
        .filter(|v| !v.is_null())
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
}

/// Tools whose failures the failure hooks look at (upstream's matcher,
/// plus the newer file tools), as a hook matcher.
pub const FAILURE_HOOK_TOOLS: &[ToolKind] = &[
    ToolKind::Bash,
    ToolKind::Read,
    ToolKind::Write,
    ToolKind::Edit,
    ToolKind::MultiEdit,
    ToolKind::NotebookEdit,
    ToolKind::Glob,
    ToolKind::Grep,
    ToolKind::WebFetch,
    ToolKind::WebSearch,
    ToolKind::Mcp,
];

/// Distinct non-empty lines of a tracker file.
pub fn distinct_lines(text: &str) -> BTreeSet<&str> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect()
}

// ---- reads, all through the context's world ----

/// Path of a state file under the project's `.agentops/`.
pub fn state_path(ctx: &Context, name: &str) -> PathBuf {
    ctx.state_dir().join(name)
}

/// A text file's contents, `None` if missing, unreadable or over `limit`
/// (invalid UTF-8 is replaced, as upstream's shell reads did).
pub fn read_text(ctx: &Context, path: &Path, limit: u64) -> Option<String> {
    let bytes = ctx.world.read(path, limit).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// A state file's contents.
pub fn read_state(ctx: &Context, name: &str) -> Option<String> {
    read_text(ctx, &state_path(ctx, name), STATE_READ_LIMIT)
}

/// Whether a state file (a marker) exists.
pub fn has_state(ctx: &Context, name: &str) -> bool {
    ctx.world.exists(&state_path(ctx, name))
}

/// Whether a path names a regular file (symbolic links followed).
pub fn is_file(ctx: &Context, path: &Path) -> bool {
    ctx.world
        .metadata(path)
        .is_ok_and(|m| m.kind == FileKind::File)
}

/// Whether a path names a directory (symbolic links followed).
pub fn is_dir(ctx: &Context, path: &Path) -> bool {
    ctx.world
        .metadata(path)
        .is_ok_and(|m| m.kind == FileKind::Dir)
}

/// A file's modification time, when it exists.
pub fn modified_time(ctx: &Context, path: &Path) -> Option<SystemTime> {
    ctx.world.metadata(path).ok().and_then(|m| m.modified)
}

/// Whether `a` was modified strictly before `b` (both must exist), as
/// `test a -ot b`.
pub fn older_than(ctx: &Context, a: &Path, b: &Path) -> bool {
    matches!((modified_time(ctx, a), modified_time(ctx, b)), (Some(x), Some(y)) if x < y)
}

/// Whether `a` was modified strictly after `b` (both must exist).
pub fn newer_than(ctx: &Context, a: &Path, b: &Path) -> bool {
    matches!((modified_time(ctx, a), modified_time(ctx, b)), (Some(x), Some(y)) if x > y)
}

/// The plan as the gates see it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanFile {
    /// Contents of tasks/todo.md, when it exists and is not empty.
    pub text: Option<String>,
    /// The plan predates this session's start marker.
    pub stale: bool,
}

impl PlanFile {
    /// `tasks/todo.md` and its age against the session marker, read
    /// through the context's world.
    pub fn read(ctx: &Context) -> PlanFile {
        let path = ctx.project_dir.join(TODO_FILE);
        let text = read_text(ctx, &path, DOC_READ_LIMIT).filter(|t| !t.is_empty());
        let stale = text.is_some() && older_than(ctx, &path, &state_path(ctx, SESSION_START));
        PlanFile { text, stale }
    }

    /// A plan that exists and belongs to this session.
    pub fn current(&self) -> Option<&str> {
        self.text.as_deref().filter(|_| !self.stale)
    }
}

/// Seconds since the Unix epoch, now, by the context's clock.
pub fn now_secs(ctx: &Context) -> u64 {
    ctx.world.now_secs()
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the timestamp form upstream's state files hold.
pub fn iso_utc(secs: u64) -> String {
    agentops_records::clock::iso_from_secs(secs)
}

/// `YYYYMMDDTHHMMSSZ`, for file names.
pub fn compact_utc(secs: u64) -> String {
    iso_utc(secs).replace(['-', ':'], "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(1_767_225_599), "2025-12-31T23:59:59Z");
        assert_eq!(compact_utc(1_709_210_096), "20240229T123456Z");
    }

    #[test]
    fn source_files_by_extension() {
        for (path, source) in [
            ("/p/src/main.rs", true),
            ("/p/app/Widget.tsx", true),
            ("/p/run.sh", true),
            ("/p/README.md", false),
            ("/p/Cargo.toml", false),
            ("/p/tasks/todo.md", false),
            ("/p/Makefile", false),
            ("/p/.env", false),
        ] {
            assert_eq!(is_source_file(path), source, "{path}");
        }
    }

    #[test]
    fn path_parts() {
        assert_eq!(file_name("/a/b/c.rs"), "c.rs");
        assert_eq!(file_name("c.rs"), "c.rs");
        assert_eq!(dir_name("/a/b/c.rs"), "/a/b");
        assert_eq!(dir_name("/c.rs"), "/");
        assert_eq!(dir_name("c.rs"), ".");
        assert_eq!(extension("/a.b/c"), None);
        assert_eq!(extension("x.test.ts"), Some("ts"));
    }

    #[test]
    fn files_directories_and_entries_through_the_world() {
        use agentops_core::MemoryWorld;
        use std::sync::Arc;
        let ctx = Context {
            project_dir: "/p".into(),
            world: Arc::new(
                MemoryWorld::new()
                    .file("/p/skills/a/SKILL.md", "# a")
                    .file("/p/skills/README.md", "x")
                    .dir("/p/skills/b"),
            ),
            ..Context::default()
        };
        assert!(is_file(&ctx, Path::new("/p/skills/README.md")));
        assert!(!is_file(&ctx, Path::new("/p/skills/a")));
        assert!(is_dir(&ctx, Path::new("/p/skills/a")));
        assert!(!is_dir(&ctx, Path::new("/p/skills/README.md")));
        assert!(!is_file(&ctx, Path::new("/p/nope")) && !is_dir(&ctx, Path::new("/p/nope")));
    }

    #[test]
    fn stale_plans_are_older_than_the_session_marker() {
        use agentops_core::MemoryWorld;
        use std::sync::Arc;
        use std::time::Duration;
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let with = |world: MemoryWorld| Context {
            project_dir: "/p".into(),
            world: Arc::new(world),
            ..Context::default()
        };
        let marker = |w: MemoryWorld| w.file_at("/p/.agentops/session-start", "now", start);
        assert_eq!(
            PlanFile::read(&with(MemoryWorld::new())),
            PlanFile::default()
        );
        let before = start - Duration::from_secs(60);
        let after = start + Duration::from_secs(60);
        let old = with(marker(MemoryWorld::new()).file_at("/p/tasks/todo.md", "- [ ] a\n", before));
        let plan = PlanFile::read(&old);
        assert!(plan.stale && plan.current().is_none());
        let fresh =
            with(marker(MemoryWorld::new()).file_at("/p/tasks/todo.md", "- [ ] b\n", after));
        assert_eq!(PlanFile::read(&fresh).current(), Some("- [ ] b\n"));
        let empty = with(marker(MemoryWorld::new()).file_at("/p/tasks/todo.md", "", after));
        assert_eq!(PlanFile::read(&empty).text, None);
    }
}
