//! The process environment a hook run depends on, captured once so runs can
//! also be driven in-process (replay, tests, benchmarks).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use agentops_core::{Context, Flags, HookInput, RuntimeMode};
use agentops_state::{HostWorld, StateDir};

/// Largest flags file read; anything bigger is reported and ignored.
const MAX_FLAGS_BYTES: u64 = 1 << 20;

/// A project's flags, and what was wrong with its flags file if anything.
/// Never fails: unreadable or corrupt files give the defaults (security on).
pub fn load_flags(project_dir: &Path) -> (Flags, Option<String>) {
    match StateDir::new(project_dir).read("flags.json", MAX_FLAGS_BYTES) {
        Ok(Some(bytes)) => {
            let flags = Flags::parse(&bytes);
            let note = flags.problem.as_ref().map(ToString::to_string);
            (flags, note)
        }
        Ok(None) => (Flags::default(), None),
        Err(e) => (
            Flags::default(),
            Some(format!(
                "could not read .agentops/flags.json ({e}); using defaults"
            )),
        ),
    }
}

/// What a hook run reads from its process: variables, the working
/// directory and test switches. [`Environment::from_process`] captures the
/// real one; replay and tests build their own.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `$CLAUDE_PROJECT_DIR`.
    pub project_dir: Option<PathBuf>,
    /// `$AGENTOPS_MODE`.
    pub mode: Option<String>,
    /// `$HOME` (or `%USERPROFILE%`).
    pub home: Option<PathBuf>,
    /// `$CLAUDE_PLUGIN_ROOT`.
    pub plugin_root: Option<PathBuf>,
    /// The process working directory, the last fallback for the project.
    pub cwd: Option<PathBuf>,
    /// Decide only: do not perform policy effects (`agentops check`).
    pub dry_run: bool,
    /// `$AGENTOPS_FAULT=panic:<policy>`: make that policy panic, so the
    /// fail-closed path can be tested against the real binary.
    pub fault_panic_policy: Option<String>,
}

fn non_empty_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Environment {
    /// Capture the real process environment; empty variables count as unset.
    pub fn from_process() -> Environment {
        Environment {
            project_dir: non_empty_var("CLAUDE_PROJECT_DIR").map(PathBuf::from),
            mode: non_empty_var("AGENTOPS_MODE"),
            home: non_empty_var("HOME")
                .or_else(|| non_empty_var("USERPROFILE"))
                .map(PathBuf::from),
            plugin_root: non_empty_var("CLAUDE_PLUGIN_ROOT").map(PathBuf::from),
            cwd: std::env::current_dir().ok(),
            dry_run: false,
            fault_panic_policy: non_empty_var("AGENTOPS_FAULT")
                .and_then(|f| f.strip_prefix("panic:").map(str::to_string)),
        }
    }

    /// The project root: `$CLAUDE_PROJECT_DIR`, else the payload's `cwd`,
    /// else the process working directory.
    pub fn project_dir(&self, input: Option<&HookInput>) -> PathBuf {
        self.project_dir
            .clone()
            .or_else(|| {
                input
                    .and_then(|i| i.cwd.as_deref())
                    .filter(|c| !c.is_empty())
                    .map(PathBuf::from)
            })
            .or_else(|| self.cwd.clone())
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// Build the policy context; problems with the configuration are
    /// returned as notes for the user, never as failures.
    pub fn context(&self, input: Option<&HookInput>) -> (Context, Vec<String>) {
        let mut notes = Vec::new();
        let project_dir = self.project_dir(input);
        let (flags, note) = load_flags(&project_dir);
        notes.extend(note);
        let (runtime_mode, mode_note) = RuntimeMode::parse(self.mode.as_deref());
        notes.extend(mode_note);
        let ctx = Context {
            flags,
            runtime_mode,
            project_dir,
            home: self.home.clone(),
            plugin_root: self.plugin_root.clone(),
            world: Arc::new(HostWorld),
            policy_flags: agentops_policies::policy_flags(),
        };
        (ctx, notes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_dir_prefers_env_then_payload_then_cwd() {
        let input = HookInput {
            cwd: Some("/from/payload".into()),
            ..HookInput::default()
        };
        let mut env = Environment {
            project_dir: Some("/from/env".into()),
            cwd: Some("/from/process".into()),
            ..Environment::default()
        };
        assert_eq!(env.project_dir(Some(&input)), PathBuf::from("/from/env"));
        env.project_dir = None;
        assert_eq!(
            env.project_dir(Some(&input)),
            PathBuf::from("/from/payload")
        );
        assert_eq!(env.project_dir(None), PathBuf::from("/from/process"));
    }

    #[test]
    fn corrupt_flags_are_reported_and_defaults_apply() {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(tmp.path().join(".agentops")).expect("mkdir");
        std::fs::write(tmp.path().join(".agentops/flags.json"), "{oops").expect("write");
        let env = Environment {
            project_dir: Some(tmp.path().to_path_buf()),
            mode: Some("bogus".into()),
            ..Environment::default()
        };
        let (ctx, notes) = env.context(None);
        assert!(ctx.flags.enabled(
            "command_validation_enabled",
            agentops_core::FlagKind::Security
        ));
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("flags.json"));
        assert!(notes[1].contains("bogus"));
    }
}
