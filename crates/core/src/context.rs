//! What a policy may know besides the payload: flags, modes and locations.
//! Built once per hook run by the engine; policies only read it.

use std::path::PathBuf;
use std::sync::Arc;

use crate::flags::{EnforcementMode, FlagKind, Flags};
use crate::input::HookInput;
use crate::world::{MemoryWorld, World};

/// `AGENTOPS_MODE`: which tools the runtime-mode policy lets through, and
/// whether soft rules are enforced at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RuntimeMode {
    /// Reading tools only: writes, shell, web and MCP tools are denied.
    Safe,
    /// The default: web and MCP tools need the user's approval.
    #[default]
    Standard,
    /// Web and MCP tools run freely; every shell command needs approval.
    Full,
    /// Soft rules become advisory notes; hard rules still deny.
    Unrestricted,
}

impl RuntimeMode {
    /// Parse `AGENTOPS_MODE`. Unknown values fall back to `standard` and are
    /// reported, so a typo never widens permissions.
    pub fn parse(value: Option<&str>) -> (RuntimeMode, Option<String>) {
        match value.map(str::trim) {
            None | Some("") | Some("standard") => (RuntimeMode::Standard, None),
            Some("safe") => (RuntimeMode::Safe, None),
            Some("full") => (RuntimeMode::Full, None),
            Some("unrestricted") => (RuntimeMode::Unrestricted, None),
            Some(other) => (
                RuntimeMode::Standard,
                Some(format!(
                    "AGENTOPS_MODE=`{other}` is not one of safe, standard, full, unrestricted; using standard"
                )),
            ),
        }
    }

    /// The value as written in `AGENTOPS_MODE`.
    pub fn as_str(self) -> &'static str {
        match self {
            RuntimeMode::Safe => "safe",
            RuntimeMode::Standard => "standard",
            RuntimeMode::Full => "full",
            RuntimeMode::Unrestricted => "unrestricted",
        }
    }
}

/// Everything a policy can consult apart from the hook payload.
#[derive(Clone)]
pub struct Context {
    /// The project's `.agentops/flags.json`; defaults when it is missing or
    /// corrupt.
    pub flags: Flags,
    /// From `AGENTOPS_MODE` (see [`RuntimeMode::parse`]).
    pub runtime_mode: RuntimeMode,
    /// `$CLAUDE_PROJECT_DIR`, else the payload's `cwd`, else the process cwd.
    pub project_dir: PathBuf,
    /// The user's home directory, for `~` expansion and dotfile rules.
    pub home: Option<PathBuf>,
    /// `$CLAUDE_PLUGIN_ROOT`, when running as a plugin.
    pub plugin_root: Option<PathBuf>,
    /// The clock, environment, files and programs. The engine puts the
    /// host here; the default is an empty [`MemoryWorld`].
    pub world: Arc<dyn World>,
    /// Every flag the registered policies read, with its kind, so policies
    /// that guard the flags file know them without importing the registry.
    pub policy_flags: &'static [(&'static str, FlagKind)],
}

impl Default for Context {
    fn default() -> Context {
        Context {
            flags: Flags::default(),
            runtime_mode: RuntimeMode::default(),
            project_dir: PathBuf::new(),
            home: None,
            plugin_root: None,
            world: Arc::new(MemoryWorld::default()),
            policy_flags: &[],
        }
    }
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("flags", &self.flags)
            .field("runtime_mode", &self.runtime_mode)
            .field("project_dir", &self.project_dir)
            .field("home", &self.home)
            .field("plugin_root", &self.plugin_root)
            .finish_non_exhaustive()
    }
}

impl Context {
    /// What soft rules do, per the `enforcement_mode` flag. Unrestricted and
    /// bypass mode relax them further: see [`Context::soft_rules_relaxed`].
    pub fn enforcement(&self) -> EnforcementMode {
        self.flags.enforcement_mode()
    }

    /// The `.agentops/` state directory of the project.
    pub fn state_dir(&self) -> PathBuf {
        self.project_dir.join(".agentops")
    }

    /// Soft rules are only advisory for this call: unrestricted runtime mode
    /// or Claude Code's bypassPermissions.
    pub fn soft_rules_relaxed(&self, input: &HookInput) -> Option<&'static str> {
        if self.runtime_mode == RuntimeMode::Unrestricted {
            Some("unrestricted mode")
        } else if input.is_bypass() {
            Some("bypass mode")
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_mode_parses_known_values_and_reports_typos() {
        assert_eq!(RuntimeMode::parse(None).0, RuntimeMode::Standard);
        assert_eq!(RuntimeMode::parse(Some("safe")).0, RuntimeMode::Safe);
        assert_eq!(RuntimeMode::parse(Some("full")).0, RuntimeMode::Full);
        let (mode, note) = RuntimeMode::parse(Some("unrestricetd"));
        assert_eq!(mode, RuntimeMode::Standard);
        assert!(note.is_some_and(|n| n.contains("unrestricetd")));
    }

    #[test]
    fn unrestricted_and_bypass_relax_soft_rules() {
        let bypass: HookInput =
            serde_json::from_str(r#"{"permission_mode":"bypassPermissions"}"#).expect("json");
        let plain = HookInput::default();
        let standard = Context::default();
        assert_eq!(standard.soft_rules_relaxed(&plain), None);
        assert_eq!(standard.soft_rules_relaxed(&bypass), Some("bypass mode"));
        let unrestricted = Context {
            runtime_mode: RuntimeMode::Unrestricted,
            ..Context::default()
        };
        assert_eq!(
            unrestricted.soft_rules_relaxed(&plain),
            Some("unrestricted mode")
        );
    }
}
