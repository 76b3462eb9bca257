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
}

impl HookEvent {
    /// Every event, in declaration order.
    pub const ALL: [HookEvent; 12] = [
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
        }
    }

    /// Events that gate a tool call: a wrong answer here lets an action through,
    /// so every failure on them becomes a deny.
    pub fn is_gate(self) -> bool {
        matches!(self, HookEvent::PreToolUse | HookEvent::PermissionRequest)
    }

    /// Events whose payload describes one tool call.
    pub fn is_tool_event(self) -> bool {
        matches!(
            self,
            HookEvent::PreToolUse
                | HookEvent::PermissionRequest
                | HookEvent::PostToolUse
                | HookEvent::PostToolUseFailure
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
            [&HookEvent::PreToolUse, &HookEvent::PermissionRequest]
        );
    }
}
