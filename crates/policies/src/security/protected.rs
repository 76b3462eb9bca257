//! What the agent must never change through any tool: agentops' own state,
//! the hook wiring that runs agentops, and the agentops binary.
//!
//! Matching is lexical on a normalised path (forward slashes, `.`/`..`
//! resolved, no trailing slash). Callers that can see the file system
//! resolve symlinks first and check both forms.

use std::path::Path;

/// Why a path is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protected {
    /// Inside `.agentops/` (or `tasks/lessons.md`), outside the writable list.
    AgentopsState,
    /// `.claude/settings*.json` or the plugin's hooks: the wiring that runs agentops.
    HookWiring,
    /// The agentops binary itself.
    Binary,
}

impl Protected {
    /// A short name for messages, e.g. `hook wiring`.
    pub fn describe(self) -> &'static str {
        match self {
            Protected::AgentopsState => "agentops state",
            Protected::HookWiring => "hook wiring",
            Protected::Binary => "the agentops binary",
        }
    }
}

/// State files agentops' own commands manage through the agent's tools
/// (`/agentops:flags`, the build lifecycle, lessons), so they stay writable.
pub const WRITABLE_STATE: &[&str] = &[
    ".agentops/flags.json",
    ".agentops/build-state.json",
    ".agentops/build-execution.jsonl",
    "tasks/lessons.md",
];

/// Normalise a path for matching: backslashes to slashes, repeated slashes
/// collapsed, `.` dropped and `..` applied lexically, trailing slash removed.
pub fn normalise(path: &str) -> String {
    let unified = path.replace('\\', "/");
    let absolute = unified.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in unified.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Whether a normalised path is the flags file, writable by design (the
/// `/agentops:flags` command) but able to switch security checks off.
pub fn is_flags_file(path: &str) -> bool {
    has_component_suffix(path, ".agentops/flags.json")
}

fn has_component_suffix(path: &str, suffix: &str) -> bool {
    path == suffix
        || path
            .strip_suffix(suffix)
            .is_some_and(|head| head.ends_with('/'))
}

fn has_component_dir(path: &str, dir: &str) -> bool {
    path == dir
        || path.starts_with(&format!("{dir}/"))
        || path.contains(&format!("/{dir}/"))
        || has_component_suffix(path, dir)
}

/// Classify a path (already normalised with [`normalise`]). `plugin_root` is
/// `$CLAUDE_PLUGIN_ROOT` when known; its `hooks/` and `bin/` are protected.
pub fn classify(path: &str, plugin_root: Option<&Path>) -> Option<Protected> {
    if WRITABLE_STATE.iter().any(|w| has_component_suffix(path, w)) {
        return None;
    }
    if has_component_dir(path, ".agentops") {
        return Some(Protected::AgentopsState);
    }
    let file_name = path.rsplit('/').next().unwrap_or(path);
    let in_claude_dir = path
        .rsplit('/')
        .nth(1)
        .is_some_and(|parent| parent == ".claude");
    if in_claude_dir && file_name.starts_with("settings") && file_name.ends_with(".json") {
        return Some(Protected::HookWiring);
    }
    if let Some(root) = plugin_root.and_then(|r| r.to_str()) {
        let root = normalise(root);
        if !root.is_empty() && root != "/" {
            if has_component_dir(path, &format!("{root}/hooks"))
                || path == format!("{root}/hooks.json")
            {
                return Some(Protected::HookWiring);
            }
            if has_component_dir(path, &format!("{root}/bin")) {
                return Some(Protected::Binary);
            }
        }
    }
    if has_component_suffix(path, "hooks/hooks.json") {
        return Some(Protected::HookWiring);
    }
    if file_name == "agentops" || file_name == "agentops.exe" {
        let parent = path.rsplit('/').nth(1).unwrap_or("");
        if parent == "bin" || path.contains("/target/release/") || path.contains("/target/debug/") {
            return Some(Protected::Binary);
        }
    }
    None
}

/// [`classify`] when the project directory is known (`path` normalised; a
/// relative path is taken relative to the project). Also protects the
/// project's own top-level `hooks/` directory, its shell scripts and
/// `hooks.json` (a checkout or vendored copy of the plugin keeps its hook
/// scripts there), and Claude Code's `.claude/hooks/`. Other files under
/// `hooks/` (e.g. React hooks in `hooks/useAuth.ts`) stay ordinary.
pub fn classify_in_project(
    path: &str,
    project_dir: Option<&Path>,
    plugin_root: Option<&Path>,
) -> Option<Protected> {
    if let Some(kind) = classify(path, plugin_root) {
        return Some(kind);
    }
    if has_component_dir(path, ".claude/hooks") {
        return Some(Protected::HookWiring);
    }
    let root = project_dir
        .and_then(|d| d.to_str())
        .map(normalise)
        .filter(|r| !r.is_empty() && r != "/");
    let relative = match (&root, path.starts_with('/')) {
        (_, false) => Some(path),
        (Some(root), true) => path
            .strip_prefix(root.as_str())
            .and_then(|rest| rest.strip_prefix('/')),
        (None, true) => None,
    };
    let rel = relative?;
    let is_hook_script = rel == "hooks"
        || rel.strip_prefix("hooks/").is_some_and(|f| {
            let name = f.rsplit('/').next().unwrap_or(f);
            name == "hooks.json"
                || name.ends_with(".sh")
                || name.ends_with(".bash")
                || !name.contains('.')
        });
    is_hook_script.then_some(Protected::HookWiring)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_table() {
        for (raw, want) in [
            ("/a/b/../c", "/a/c"),
            ("/a/./b//c/", "/a/b/c"),
            ("C:\\proj\\.agentops\\x", "C:/proj/.agentops/x"),
            ("../../x", "../../x"),
            ("/../etc", "/etc"),
            (".agentops/", ".agentops"),
        ] {
            assert_eq!(normalise(raw), want, "{raw}");
        }
    }

    #[test]
    fn classify_table() {
        let root = Path::new("/home/u/.claude/plugins/agentops");
        let cases: &[(&str, Option<Protected>)] = &[
            ("/p/.agentops/audit.jsonl", Some(Protected::AgentopsState)),
            ("/p/.agentops", Some(Protected::AgentopsState)),
            (".agentops/budget.json", Some(Protected::AgentopsState)),
            ("C:/p/.agentops/audit.jsonl", Some(Protected::AgentopsState)),
            ("/p/.agentops/flags.json", None),
            ("/p/.agentops/build-state.json", None),
            ("/p/tasks/lessons.md", None),
            ("/p/.claude/settings.json", Some(Protected::HookWiring)),
            (
                "/p/.claude/settings.local.json",
                Some(Protected::HookWiring),
            ),
            ("/home/u/.claude/settings.json", Some(Protected::HookWiring)),
            (
                "/home/u/.claude/plugins/agentops/hooks/hooks.json",
                Some(Protected::HookWiring),
            ),
            (
                "/home/u/.claude/plugins/agentops/bin/agentops",
                Some(Protected::Binary),
            ),
            ("/p/hooks/hooks.json", Some(Protected::HookWiring)),
            ("/usr/local/bin/agentops", Some(Protected::Binary)),
            ("/p/target/release/agentops", Some(Protected::Binary)),
            // ordinary project files
            ("/p/src/hooks.rs", None),
            ("/p/src/hooks/use_state.ts", None),
            ("/p/agentops-notes.md", None),
            ("/p/.agentopsrc", None),
            ("/p/docs/.claude/notes.md", None),
            ("/p/.claude/commands/x.md", None),
            ("/p/src/agentops/mod.rs", None),
        ];
        for (path, want) in cases {
            assert_eq!(classify(path, Some(root)), *want, "{path}");
        }
    }

    #[test]
    fn project_hooks_table() {
        let project = Path::new("/p");
        let cases: &[(&str, Option<Protected>)] = &[
            ("/p/hooks/validate-command.sh", Some(Protected::HookWiring)),
            ("hooks/feature-flags.sh", Some(Protected::HookWiring)),
            ("/p/hooks", Some(Protected::HookWiring)),
            ("/p/hooks/hooks.json", Some(Protected::HookWiring)),
            ("/p/.claude/hooks/guard.py", Some(Protected::HookWiring)),
            ("/p/.agentops/audit.jsonl", Some(Protected::AgentopsState)),
            ("/p/hooks/useAuth.ts", None),
            ("/p/src/hooks/run.sh", None),
            ("/q/hooks/run.sh", None),
            ("/p/hooksmith.sh", None),
        ];
        for (path, want) in cases {
            assert_eq!(
                classify_in_project(path, Some(project), None),
                *want,
                "{path}"
            );
        }
    }
}
