//! The Claude Code hook events agentops answers.

use std::fmt;
use std::str::FromStr;

/// A Claude Code hook event, spelled exactly as Claude Code spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HookEvent {
    /// A session starts, resumes, or restarts after `/clear` or compaction
    /// (`source` says which).
    SessionStart,
    /// A session ends (`reason` says why).
    SessionEnd,
    /// The user submitted a prompt, before the model sees it; can be blocked.
    UserPromptSubmit,
    /// Before a tool call runs: the main gate (allow, ask or deny).
    PreToolUse,
    /// Claude Code is about to show a permission dialog for a tool call; a
    /// gate that can deny the call outright.
    PermissionRequest,
    /// After a tool call succeeded, with its response.
    PostToolUse,
    /// After a tool call failed, with its error.
    PostToolUseFailure,
    /// The main agent is about to end its turn; blocking makes it go on.
    Stop,
    /// A sub-agent (the Agent tool) starts.
    SubagentStart,
    /// A sub-agent is about to finish; can be blocked like [`HookEvent::Stop`].
    SubagentStop,
    /// Before the conversation is compacted (`trigger`: `manual` or `auto`).
    PreCompact,
    /// Claude Code shows the user a notification (input or a permission is
    /// awaited).
    Notification,
    /// Once after every call of a parallel batch of tool calls resolved.
    PostToolBatch,
    /// A slash command or MCP prompt was expanded into a prompt.
    UserPromptExpansion,
    /// The turn ended on an error (an API failure, say).
    StopFailure,
    /// After the conversation was compacted, with the summary.
    PostCompact,
    /// Before the model is switched.
    PreModelSwitch,
    /// After the model was switched.
    PostModelSwitch,
    /// A tool call was denied by the permission system.
    PermissionDenied,
    /// `claude --init` or maintenance set-up.
    Setup,
    /// A teammate of an agent team is idle.
    TeammateIdle,
    /// A task was created.
    TaskCreated,
    /// A task was completed.
    TaskCompleted,
    /// An MCP server asks the user for input or to open a URL.
    Elicitation,
    /// The user answered an MCP server's elicitation.
    ElicitationResult,
    /// Settings or skills changed during the session.
    ConfigChange,
    /// A worktree is to be created (a hook that answers creates it).
    WorktreeCreate,
    /// A worktree was removed.
    WorktreeRemove,
    /// A memory or rule file (CLAUDE.md, rules) entered the context.
    InstructionsLoaded,
    /// The working directory changed.
    CwdChanged,
    /// A watched file changed.
    FileChanged,
    /// A directory was added to the session.
    DirectoryAdded,
    /// A message is displayed.
    MessageDisplay,
    /// A shell command embedded in a skill or slash command is about to
    /// run: a gate like [`HookEvent::PreToolUse`] for Bash.
    PreSkillShellCommand,
}

impl HookEvent {
    /// Every event, in declaration order.
    pub const ALL: [HookEvent; 34] = [
        HookEvent::SessionStart,
        HookEvent::SessionEnd,
        HookEvent::UserPromptSubmit,
        HookEvent::PreToolUse,
        HookEvent::PermissionRequest,
        HookEvent::PostToolUse,
        HookEvent::PostToolUseFailure,
        HookEvent::Stop,
        HookEvent::SubagentStart,
        HookEvent::SubagentStop,
        HookEvent::PreCompact,
        HookEvent::Notification,
        HookEvent::PostToolBatch,
        HookEvent::UserPromptExpansion,
        HookEvent::StopFailure,
        HookEvent::PostCompact,
        HookEvent::PreModelSwitch,
        HookEvent::PostModelSwitch,
        HookEvent::PermissionDenied,
        HookEvent::Setup,
        HookEvent::TeammateIdle,
        HookEvent::TaskCreated,
        HookEvent::TaskCompleted,
        HookEvent::Elicitation,
        HookEvent::ElicitationResult,
        HookEvent::ConfigChange,
        HookEvent::WorktreeCreate,
        HookEvent::WorktreeRemove,
        HookEvent::InstructionsLoaded,
        HookEvent::CwdChanged,
        HookEvent::FileChanged,
        HookEvent::DirectoryAdded,
        HookEvent::MessageDisplay,
        HookEvent::PreSkillShellCommand,
    ];

    /// The name as Claude Code spells it (`PreToolUse`); [`str::parse`] reads
    /// it back.
    pub fn as_str(self) -> &'static str {
        match self {
            HookEvent::SessionStart => "SessionStart",
            HookEvent::SessionEnd => "SessionEnd",
            HookEvent::UserPromptSubmit => "UserPromptSubmit",
            HookEvent::PreToolUse => "PreToolUse",
            HookEvent::PermissionRequest => "PermissionRequest",
            HookEvent::PostToolUse => "PostToolUse",
            HookEvent::PostToolUseFailure => "PostToolUseFailure",
            HookEvent::Stop => "Stop",
            HookEvent::SubagentStart => "SubagentStart",
            HookEvent::SubagentStop => "SubagentStop",
            HookEvent::PreCompact => "PreCompact",
            HookEvent::Notification => "Notification",
            HookEvent::PostToolBatch => "PostToolBatch",
            HookEvent::UserPromptExpansion => "UserPromptExpansion",
            HookEvent::StopFailure => "StopFailure",
            HookEvent::PostCompact => "PostCompact",
            HookEvent::PreModelSwitch => "PreModelSwitch",
            HookEvent::PostModelSwitch => "PostModelSwitch",
            HookEvent::PermissionDenied => "PermissionDenied",
            HookEvent::Setup => "Setup",
            HookEvent::TeammateIdle => "TeammateIdle",
            HookEvent::TaskCreated => "TaskCreated",
            HookEvent::TaskCompleted => "TaskCompleted",
            HookEvent::Elicitation => "Elicitation",
            HookEvent::ElicitationResult => "ElicitationResult",
            HookEvent::ConfigChange => "ConfigChange",
            HookEvent::WorktreeCreate => "WorktreeCreate",
            HookEvent::WorktreeRemove => "WorktreeRemove",
            HookEvent::InstructionsLoaded => "InstructionsLoaded",
            HookEvent::CwdChanged => "CwdChanged",
            HookEvent::FileChanged => "FileChanged",
            HookEvent::DirectoryAdded => "DirectoryAdded",
            HookEvent::MessageDisplay => "MessageDisplay",
            HookEvent::PreSkillShellCommand => "PreSkillShellCommand",
        }
    }

    /// Events that gate a tool call or a shell command: a wrong answer here
    /// lets an action through, so every failure on them becomes a deny.
    pub fn is_gate(self) -> bool {
        matches!(
            self,
            HookEvent::PreToolUse | HookEvent::PermissionRequest | HookEvent::PreSkillShellCommand
        )
    }

    /// The event whose policies answer this one: a skill's shell command
    /// is judged as a Bash tool call.
    pub fn judged_as(self) -> HookEvent {
        match self {
            HookEvent::PreSkillShellCommand => HookEvent::PreToolUse,
            other => other,
        }
    }

    /// Events whose payload describes one tool call.
    pub fn is_tool_event(self) -> bool {
        matches!(
            self,
            HookEvent::PreToolUse
                | HookEvent::PermissionRequest
                | HookEvent::PostToolUse
                | HookEvent::PostToolUseFailure
                | HookEvent::PreSkillShellCommand
        )
    }

    /// Events that can be blocked with `decision: "block"`.
    pub fn can_block(self) -> bool {
        matches!(self, HookEvent::Stop | HookEvent::SubagentStop)
    }
}

impl fmt::Display for HookEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name given is not a hook event agentops knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEvent(pub String);

impl fmt::Display for UnknownEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown hook event `{}` (expected one of: ", self.0)?;
        for (i, e) in HookEvent::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(e.as_str())?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for UnknownEvent {}

impl FromStr for HookEvent {
    type Err = UnknownEvent;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HookEvent::ALL
            .iter()
            .copied()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| UnknownEvent(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for e in HookEvent::ALL {
            assert_eq!(e.as_str().parse::<HookEvent>(), Ok(e));
        }
    }

    #[test]
    fn unknown_name_lists_the_valid_ones() {
        let err = "pretooluse".parse::<HookEvent>().unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("`pretooluse`"), "{msg}");
        assert!(msg.contains("PreToolUse"), "{msg}");
    }

    #[test]
    fn only_pre_events_are_gates() {
        let gates: Vec<_> = HookEvent::ALL.iter().filter(|e| e.is_gate()).collect();
        assert_eq!(
            gates,
            [
                &HookEvent::PreToolUse,
                &HookEvent::PermissionRequest,
                &HookEvent::PreSkillShellCommand
            ]
        );
    }

    #[test]
    fn every_event_of_the_current_client_is_known() {
        // Claude Code 2.1.332's 34 hook events.
        let client = "PreToolUse PostToolUse PostToolUseFailure PostToolBatch Notification \
            UserPromptSubmit UserPromptExpansion SessionStart SessionEnd Stop StopFailure \
            SubagentStart SubagentStop PreCompact PostCompact PreModelSwitch PostModelSwitch \
            PermissionRequest PermissionDenied Setup TeammateIdle TaskCreated TaskCompleted \
            Elicitation ElicitationResult ConfigChange WorktreeCreate WorktreeRemove \
            InstructionsLoaded CwdChanged FileChanged DirectoryAdded MessageDisplay \
            PreSkillShellCommand";
        let names: Vec<&str> = client.split_whitespace().collect();
        assert_eq!(names.len(), 34);
        for name in names {
            assert_eq!(name.parse::<HookEvent>().map(HookEvent::as_str), Ok(name));
        }
        assert_eq!(
            HookEvent::PreSkillShellCommand.judged_as(),
            HookEvent::PreToolUse
        );
        assert_eq!(HookEvent::Stop.judged_as(), HookEvent::Stop);
    }
}
