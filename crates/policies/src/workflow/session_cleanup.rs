//! session-cleanup: at session start, stamp the session marker (a plan
//! older than it is stale), reset the per-session markers and trackers, and
//! keep plugin-created folders out of git with a `.gitignore`.
//!
//! After a compaction (`source: "compact"`) the session goes on, so its
//! markers are kept.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use agentops_core::{Context, Effect, HookEvent, HookInput, Outcome, Policy, ToolMatch};

use agentops_workflow::session::{self, SESSION_SCOPED, SESSION_START};

/// A folder the plugin may have created, and what the edge found there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderState {
    /// Relative to the project, e.g. `tasks`.
    pub dir: &'static str,
    /// The plugin's own content is there (todo, lessons, generated skills).
    pub plugin_content: bool,
    pub has_gitignore: bool,
    /// git already tracks files in it: the user keeps it in the repository.
    pub tracked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub now: u64,
    pub project_dir: PathBuf,
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

fn has_skill_file(skills: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(skills) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let path = entry.path();
        path.file_name().is_some_and(|n| n == "SKILL.md") || path.join("SKILL.md").is_file()
    })
}

fn git_tracks(project: &Path, dir: &str) -> bool {
    Command::new("git")
        .arg("-C")
        .arg(project)
        .args(["ls-files", "--", &format!("{dir}/")])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|out| out.status.success() && !out.stdout.trim_ascii().is_empty())
}

impl Snapshot {
    pub fn read(ctx: &Context) -> Snapshot {
        let root = &ctx.project_dir;
        let candidates: [(&'static str, bool); 3] = [
            (
                "tasks",
                root.join(session::TODO_FILE).is_file()
                    || root.join(session::LESSONS_FILE).is_file()
                    || root.join("tasks/archive").is_dir(),
            ),
            ("skills", has_skill_file(&root.join("skills"))),
            ("docs", root.join("docs/discovery/code-analysis").is_dir()),
        ];
        let folders = candidates
            .into_iter()
            .map(|(dir, plugin_content)| {
                let has_gitignore = root.join(dir).join(".gitignore").exists();
                // Ask git only when the answer matters.
                let tracked = plugin_content && !has_gitignore && git_tracks(root, dir);
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

    #[test]
    fn snapshot_sees_plugin_folders() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        std::fs::create_dir_all(root.join("tasks")).expect("mkdir");
        std::fs::write(root.join("tasks/todo.md"), "- [ ] a\n").expect("write");
        std::fs::create_dir_all(root.join("skills/x")).expect("mkdir");
        std::fs::write(root.join("skills/x/SKILL.md"), "# x\n").expect("write");
        std::fs::create_dir_all(root.join("docs")).expect("mkdir");
        std::fs::write(root.join("docs/.gitignore"), "").expect("write");
        let ctx = Context {
            project_dir: root.to_path_buf(),
            ..Context::default()
        };
        let snap = Snapshot::read(&ctx);
        let by_dir = |d: &str| {
            snap.folders
                .iter()
                .find(|f| f.dir == d)
                .cloned()
                .expect("folder")
        };
        assert!(by_dir("tasks").plugin_content);
        assert!(by_dir("skills").plugin_content);
        assert!(!by_dir("docs").plugin_content && by_dir("docs").has_gitignore);
    }
}
