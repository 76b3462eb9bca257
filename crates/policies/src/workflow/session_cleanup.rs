//! session-cleanup: at session start, stamp the session marker (a plan
//! older than it is stale), reset the per-session markers and trackers, and
//! keep plugin-created folders out of git with a `.gitignore`.
//!
//! After a compaction (`source: "compact"`) the session goes on, so its
//! markers are kept.

use std::path::{Path, PathBuf};

use agentops_core::{Context, Effect, HookEvent, HookInput, Outcome, Policy, ToolMatch};

use agentops_workflow::session::{self, SESSION_SCOPED, SESSION_START};

/// A folder the plugin may have created, and what the edge found there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderState {
    /// Relative to the project, e.g. `tasks`.
    pub dir: &'static str,
    /// The plugin's own content is there (todo, lessons, generated skills).
    pub plugin_content: bool,
    /// It already has a `.gitignore`.
    pub has_gitignore: bool,
    /// git already tracks files in it: the user keeps it in the repository.
    pub tracked: bool,
}

/// What the edge read at session start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// Seconds since the Unix epoch.
    pub now: u64,
    /// The project the folders are in.
    pub project_dir: PathBuf,
    /// The folders the plugin may have created.
    pub folders: Vec<FolderState>,
}

/// Pure: the effects of a session start.
pub fn decide(input: &HookInput, snap: &Snapshot) -> Outcome {
    let mut effects = Vec::new();
    if input.source.as_deref() != Some("compact") {
        effects.push(Effect::WriteState {
            name: SESSION_START,
            contents: format!("{}\n", session::iso_utc(snap.now)).into_bytes(),
        });
        effects.extend(
            SESSION_SCOPED
                .iter()
                .map(|name| Effect::RemoveState { name }),
        );
    }
    for folder in &snap.folders {
        if folder.plugin_content && !folder.has_gitignore && !folder.tracked {
            effects.push(Effect::CreateFile {
                path: snap.project_dir.join(folder.dir).join(".gitignore"),
                contents: b"*\n".to_vec(),
            });
        }
    }
    Outcome {
        effects,
        ..Outcome::default()
    }
}

/// Whether `skills/` holds a skill: a `SKILL.md` directly in it or in one
/// of its folders.
fn has_skill_file(ctx: &Context, skills: &Path) -> bool {
    let entries = ctx.world.read_dir(skills).unwrap_or_default();
    entries.into_iter().any(|path| {
        path.file_name().is_some_and(|n| n == "SKILL.md")
            || session::is_file(ctx, &path.join("SKILL.md"))
    })
}

/// Whether git tracks files under `dir/` (`git ls-files` in the project
/// prints any). Not a repository, no git, or a failure: not tracked.
fn git_tracks(ctx: &Context, project: &Path, dir: &str) -> bool {
    ctx.world
        .run("git", &["ls-files", "--", &format!("{dir}/")], project)
        .is_ok_and(|out| out.success && !out.stdout.trim_ascii().is_empty())
}

impl Snapshot {
    /// What the folders look like, read through the context's world.
    pub fn read(ctx: &Context) -> Snapshot {
        let root = &ctx.project_dir;
        let candidates: [(&'static str, bool); 3] = [
            (
                "tasks",
                session::is_file(ctx, &root.join(session::TODO_FILE))
                    || session::is_file(ctx, &root.join(session::LESSONS_FILE))
                    || session::is_dir(ctx, &root.join("tasks/archive")),
            ),
            ("skills", has_skill_file(ctx, &root.join("skills"))),
            (
                "docs",
                session::is_dir(ctx, &root.join("docs/discovery/code-analysis")),
            ),
        ];
        let folders = candidates
            .into_iter()
            .map(|(dir, plugin_content)| {
                let has_gitignore = ctx.world.exists(&root.join(dir).join(".gitignore"));
                // Ask git only when the answer matters.
                let tracked = plugin_content && !has_gitignore && git_tracks(ctx, root, dir);
                FolderState {
                    dir,
                    plugin_content,
                    has_gitignore,
                    tracked,
                }
            })
            .collect();
        Snapshot {
            now: session::now_secs(ctx),
            project_dir: root.clone(),
            folders,
        }
    }
}

/// The session-cleanup policy.
pub static SESSION_CLEANUP: Policy = Policy {
    name: "session-cleanup",
    summary: "Starts a session: stamps the session marker, resets per-session state, git-ignores plugin folders",
    events: &[HookEvent::SessionStart],
    tools: ToolMatch::Any,
    flag: None,
    rules: &[],
    evaluate,
};

fn evaluate(_event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    decide(input, &Snapshot::read(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use agentops_core::{MemoryWorld, ProcessOutput};
    use std::sync::Arc;

    fn folder(dir: &'static str, content: bool, ignore: bool, tracked: bool) -> FolderState {
        FolderState {
            dir,
            plugin_content: content,
            has_gitignore: ignore,
            tracked,
        }
    }

    fn snap(folders: Vec<FolderState>) -> Snapshot {
        Snapshot {
            now: 0,
            project_dir: PathBuf::from("/p"),
            folders,
        }
    }

    fn created(outcome: &Outcome) -> Vec<PathBuf> {
        outcome
            .effects
            .iter()
            .filter_map(|e| match e {
                Effect::CreateFile { path, .. } => Some(path.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn startup_stamps_the_session_and_resets_every_scoped_marker() {
        let out = decide(&HookInput::default(), &snap(vec![]));
        assert_eq!(
            out.effects[0],
            Effect::WriteState {
                name: SESSION_START,
                contents: b"1970-01-01T00:00:00Z\n".to_vec()
            }
        );
        let removed: Vec<_> = out
            .effects
            .iter()
            .filter_map(|e| match e {
                Effect::RemoveState { name } => Some(*name),
                _ => None,
            })
            .collect();
        assert_eq!(removed, SESSION_SCOPED);
        assert!(out.context.is_empty() && out.messages.is_empty());
    }

    #[test]
    fn compaction_keeps_the_session_state() {
        let input = HookInput {
            source: Some("compact".into()),
            ..HookInput::default()
        };
        assert!(decide(&input, &snap(vec![])).effects.is_empty());
    }

    #[test]
    fn gitignore_only_where_the_plugin_wrote_and_git_does_not_track() {
        let cases = [
            (folder("tasks", true, false, false), true),
            (folder("tasks", false, false, false), false),
            (folder("tasks", true, true, false), false),
            (folder("skills", true, false, true), false),
            (folder("docs", true, false, false), true),
        ];
        for (state, want) in cases {
            let out = decide(&HookInput::default(), &snap(vec![state.clone()]));
            let expected: Vec<PathBuf> = if want {
                vec![PathBuf::from("/p").join(state.dir).join(".gitignore")]
            } else {
                vec![]
            };
            assert_eq!(created(&out), expected, "{state:?}");
        }
    }

    fn read(world: MemoryWorld) -> (Snapshot, Vec<String>) {
        let world = Arc::new(world);
        let ctx = Context {
            project_dir: "/p".into(),
            world: world.clone(),
            ..Context::default()
        };
        (Snapshot::read(&ctx), world.runs())
    }

    fn by_dir(snap: &Snapshot, dir: &str) -> FolderState {
        snap.folders
            .iter()
            .find(|f| f.dir == dir)
            .cloned()
            .expect("folder")
    }

    #[test]
    fn snapshot_sees_plugin_folders() {
        let world = MemoryWorld::new()
            .file("/p/tasks/todo.md", "- [ ] a\n")
            .file("/p/skills/x/SKILL.md", "# x\n")
            .file("/p/docs/.gitignore", "");
        let (snap, runs) = read(world);
        assert!(by_dir(&snap, "tasks").plugin_content);
        assert!(by_dir(&snap, "skills").plugin_content);
        let docs = by_dir(&snap, "docs");
        assert!(!docs.plugin_content && docs.has_gitignore);
        // No git in this world: nothing is tracked, and git was asked
        // only about the folders that hold plugin content.
        assert!(!by_dir(&snap, "tasks").tracked);
        assert_eq!(runs, ["git ls-files -- tasks/", "git ls-files -- skills/"]);
        assert_eq!(snap.now, 1_000_000_000);
    }

    #[test]
    fn plugin_content_is_a_plan_lessons_an_archive_a_skill_or_an_analysis() {
        let cases: &[(&str, &str, bool)] = &[
            ("tasks", "/p/tasks/lessons.md", true),
            ("tasks", "/p/tasks/archive/todo-1.md", true),
            ("tasks", "/p/tasks/notes.md", false),
            ("skills", "/p/skills/SKILL.md", true),
            ("skills", "/p/skills/x/README.md", false),
            ("docs", "/p/docs/discovery/code-analysis/a.md", true),
            ("docs", "/p/docs/guide.md", false),
        ];
        for (dir, file, want) in cases {
            let (snap, _) = read(MemoryWorld::new().file(file, "x"));
            assert_eq!(by_dir(&snap, dir).plugin_content, *want, "{file}");
        }
        // A folder named like the plan is not the plan.
        let (snap, _) = read(MemoryWorld::new().dir("/p/tasks/todo.md"));
        assert!(!by_dir(&snap, "tasks").plugin_content);
    }

    #[test]
    fn folders_git_tracks_are_left_alone() {
        let git = |success: bool, stdout: &str| ProcessOutput {
            success,
            stdout: stdout.as_bytes().to_vec(),
            stderr: Vec::new(),
        };
        let cases = [
            (git(true, "tasks/todo.md\n"), true),
            (git(true, ""), false),
            (git(false, "tasks/todo.md\n"), false),
        ];
        for (output, tracked) in cases {
            let world = MemoryWorld::new()
                .file("/p/tasks/todo.md", "- [ ] a\n")
                .program("git", output.clone());
            let (snap, runs) = read(world);
            assert_eq!(by_dir(&snap, "tasks").tracked, tracked, "{output:?}");
            assert_eq!(runs, ["git ls-files -- tasks/"]);
            let out = decide(&HookInput::default(), &snap);
            assert_eq!(created(&out).is_empty(), tracked, "{output:?}");
        }
        // A folder with its own .gitignore is not asked about.
        let world = MemoryWorld::new()
            .file("/p/tasks/todo.md", "- [ ] a\n")
            .file("/p/tasks/.gitignore", "*\n")
            .program("git", git(true, "tasks/todo.md\n"));
        let (snap, runs) = read(world);
        assert!(by_dir(&snap, "tasks").has_gitignore && runs.is_empty());
    }
}
