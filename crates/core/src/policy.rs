//! Policies as data. A policy is named after the upstream hook it replaces,
//! listens to some events and tools, is switched by a flag and owns a set
//! of rules; all of that is a `static` [`Policy`] descriptor. Its
//! `evaluate` function is the only code.

use crate::context::Context;
use crate::event::HookEvent;
use crate::flags::{FlagKind, Flags};
use crate::input::HookInput;
use crate::outcome::Outcome;
use crate::rule::Rule;
use crate::tool::Tool;

/// A policy's decision function: payload and context in, outcome out. It
/// sees the world only through [`Context`] (and its
/// [`World`](crate::World)), never directly.
pub type Evaluate = fn(HookEvent, &HookInput, &Context) -> Outcome;

/// The kinds of tool a policy can ask for, as in a hook matcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolKind {
    /// `Bash`.
    Bash,
    /// `Read`.
    Read,
    /// `Write`.
    Write,
    /// `Edit`.
    Edit,
    /// `MultiEdit`.
    MultiEdit,
    /// `NotebookEdit`.
    NotebookEdit,
    /// `Glob`.
    Glob,
    /// `Grep`.
    Grep,
    /// `WebFetch`.
    WebFetch,
    /// `WebSearch`.
    WebSearch,
    /// `Agent` (`Task` in older clients).
    Agent,
    /// Any MCP tool, `mcp__<server>__<tool>`.
    Mcp,
    /// Another tool, by its exact name (e.g. `ToolSearch`).
    Named(&'static str),
}

impl ToolKind {
    /// The tools that create or change files.
    pub const FILE_WRITERS: &'static [ToolKind] = &[
        ToolKind::Write,
        ToolKind::Edit,
        ToolKind::MultiEdit,
        ToolKind::NotebookEdit,
    ];

    /// Whether `tool` is of this kind.
    pub fn matches(self, tool: &Tool) -> bool {
        match (self, tool) {
            (ToolKind::Bash, Tool::Bash)
            | (ToolKind::Read, Tool::Read)
            | (ToolKind::Write, Tool::Write)
            | (ToolKind::Edit, Tool::Edit)
            | (ToolKind::MultiEdit, Tool::MultiEdit)
            | (ToolKind::NotebookEdit, Tool::NotebookEdit)
            | (ToolKind::Glob, Tool::Glob)
            | (ToolKind::Grep, Tool::Grep)
            | (ToolKind::WebFetch, Tool::WebFetch)
            | (ToolKind::WebSearch, Tool::WebSearch)
            | (ToolKind::Agent, Tool::Agent)
            | (ToolKind::Mcp, Tool::Mcp { .. }) => true,
            (ToolKind::Named(want), Tool::Other(name)) => want == name,
            _ => false,
        }
    }
}

/// Which tools a policy cares about (its hook matcher). Events without a
/// tool always match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolMatch {
    /// Every tool.
    Any,
    /// Only tools of one of these kinds.
    Only(&'static [ToolKind]),
}

impl ToolMatch {
    /// Whether the matcher accepts `tool`.
    pub fn matches(self, tool: &Tool) -> bool {
        match self {
            ToolMatch::Any => true,
            ToolMatch::Only(kinds) => kinds.iter().any(|k| k.matches(tool)),
        }
    }
}

/// A policy: what it is, when it runs, and its decision function.
pub struct Policy {
    /// The upstream hook name, e.g. `validate-command`; `--only` uses it.
    pub name: &'static str,
    /// One line on what the policy guards.
    pub summary: &'static str,
    /// Events the policy answers.
    pub events: &'static [HookEvent],
    /// The tools it cares about.
    pub tools: ToolMatch,
    /// The flag that switches the policy, and how its value is read.
    pub flag: Option<(&'static str, FlagKind)>,
    /// Every rule the policy can report, for `agentops rules`.
    pub rules: &'static [&'static Rule],
    /// Decide.
    pub evaluate: Evaluate,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy").field("name", &self.name).finish()
    }
}

impl Policy {
    /// Whether the policy's flag (if any) leaves it on.
    pub fn enabled(&self, flags: &Flags) -> bool {
        self.flag
            .is_none_or(|(name, kind)| flags.enabled(name, kind))
    }

    /// Whether the policy cares about this tool.
    pub fn matches_tool(&self, tool: &Tool) -> bool {
        self.tools.matches(tool)
    }

    /// Whether this policy should run for the event and payload.
    pub fn applies(&self, event: HookEvent, input: &HookInput) -> bool {
        self.events.contains(&event) && input.tool().is_none_or(|t| self.matches_tool(&t))
    }

    /// Run the decision function.
    pub fn evaluate(&self, event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
        (self.evaluate)(event, input, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_kinds_match_their_tools_only() {
        assert!(ToolKind::Mcp.matches(&Tool::from_name("mcp__gh__issue")));
        assert!(ToolKind::Agent.matches(&Tool::from_name("Task")));
        assert!(ToolKind::Named("ToolSearch").matches(&Tool::from_name("ToolSearch")));
        assert!(!ToolKind::Named("ToolSearch").matches(&Tool::from_name("TodoWrite")));
        assert!(!ToolKind::Bash.matches(&Tool::Read));
        let writers = ToolMatch::Only(ToolKind::FILE_WRITERS);
        for name in ["Write", "Edit", "MultiEdit", "NotebookEdit"] {
            assert!(writers.matches(&Tool::from_name(name)), "{name}");
        }
        assert!(!writers.matches(&Tool::Bash));
        assert!(ToolMatch::Any.matches(&Tool::from_name("Anything")));
    }
}
