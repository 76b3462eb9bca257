//! The JSON object Claude Code writes on a hook's stdin.

use serde::Deserialize;
use serde_json::Value;

use crate::event::HookEvent;
use crate::tool::Tool;

/// One hook payload. Unknown fields are ignored; every field is optional at
/// the serde level and [`HookInput::missing_required`] says what an event
/// cannot do without.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct HookInput {
    /// Claude Code's id for the session, the same on all its events.
    pub session_id: Option<String>,
    /// Path of the session's JSONL transcript (read for cost accounting).
    pub transcript_path: Option<String>,
    /// Claude Code's working directory; the project root when
    /// `$CLAUDE_PROJECT_DIR` is unset.
    pub cwd: Option<String>,
    /// `default`, `plan`, `acceptEdits` or `bypassPermissions` (see
    /// [`HookInput::is_bypass`]).
    pub permission_mode: Option<String>,
    /// The event, as Claude Code spells it (see [`HookInput::event_name`]).
    pub hook_event_name: Option<String>,
    /// Older spelling used by upstream fixtures; read only when
    /// `hook_event_name` is absent.
    pub hook_event: Option<String>,
    /// The tool's name, e.g. `Bash` or `mcp__github__create_issue` (see
    /// [`HookInput::tool`]).
    pub tool_name: Option<String>,
    /// The tool's arguments as the model wrote them; gate events need an
    /// object here.
    pub tool_input: Option<Value>,
    /// Id of the tool call, shared by its PreToolUse and PostToolUse events.
    pub tool_use_id: Option<String>,
    /// What the tool returned (PostToolUse); read it with
    /// [`HookInput::response`].
    pub tool_response: Option<Value>,
    /// Older spelling of `tool_response`.
    pub tool_result: Option<Value>,
    /// Why the tool call failed (PostToolUseFailure).
    pub error: Option<Value>,
    /// Whether the failure was the user interrupting the call
    /// (PostToolUseFailure).
    pub is_interrupt: Option<bool>,
    /// The user's prompt text (UserPromptSubmit).
    pub prompt: Option<String>,
    /// Why the session started (SessionStart): `startup`, `resume`, `clear` or
    /// `compact`.
    pub source: Option<String>,
    /// Why the session ended (SessionEnd), e.g. `clear` or `logout`.
    pub reason: Option<String>,
    /// Set when Claude Code is already continuing because a Stop hook
    /// blocked; blocking again would loop (Stop, SubagentStop).
    pub stop_hook_active: Option<bool>,
    /// The sub-agent's id (SubagentStart, SubagentStop).
    pub agent_id: Option<String>,
    /// The sub-agent's type, e.g. `general-purpose` (SubagentStart,
    /// SubagentStop).
    pub agent_type: Option<String>,
    /// The notification text (Notification), or what an MCP server asks
    /// the user (Elicitation).
    pub message: Option<String>,
    /// The MCP server asking (Elicitation).
    pub mcp_server_name: Option<String>,
    /// The page an MCP server asks the user to open (Elicitation, `url` mode).
    pub url: Option<String>,
    /// What started compaction (PreCompact): `manual` or `auto`.
    pub trigger: Option<String>,
    /// The conversation summary compaction produced (PostCompact).
    pub compact_summary: Option<String>,
    /// The agent whose hook this is when it is not Claude Code (`codex`,
    /// `gemini`, `copilot`, `cursor`), set by the agent adapters so the audit
    /// log says who asked.
    pub agentops_agent: Option<String>,
    /// Every call of a parallel batch, once all resolved (PostToolBatch):
    /// objects with `tool_name`, `tool_input`, `tool_use_id` and
    /// `tool_response`.
    pub tool_calls: Option<Vec<Value>>,
    /// The file an event is about (InstructionsLoaded: the memory or rule
    /// file that entered the context; FileChanged; ConfigChange).
    pub file_path: Option<String>,
}

impl HookInput {
    /// The event name the payload claims, preferring Claude Code's spelling.
    pub fn event_name(&self) -> Option<&str> {
        self.hook_event_name
            .as_deref()
            .or(self.hook_event.as_deref())
    }

    /// What the tool returned (PostToolUse), under either spelling.
    pub fn response(&self) -> Option<&Value> {
        self.tool_response.as_ref().or(self.tool_result.as_ref())
    }

    /// The tool `tool_name` names, classified; `None` without a name.
    pub fn tool(&self) -> Option<Tool> {
        self.tool_name.as_deref().map(Tool::from_name)
    }

    /// A string field of `tool_input`, e.g. `command` or `file_path`.
    pub fn input_str(&self, key: &str) -> Option<&str> {
        self.tool_input.as_ref()?.get(key)?.as_str()
    }

    /// The Bash command, if this is a Bash call.
    pub fn command(&self) -> Option<&str> {
        self.input_str("command")
    }

    /// The path a file tool acts on: `file_path`, `notebook_path`, or `path`
    /// (Glob and Grep).
    pub fn target_path(&self) -> Option<&str> {
        self.input_str("file_path")
            .or_else(|| self.input_str("notebook_path"))
            .or_else(|| self.input_str("path"))
    }

    /// Claude Code's `--dangerously-skip-permissions`.
    pub fn is_bypass(&self) -> bool {
        self.permission_mode.as_deref() == Some("bypassPermissions")
    }

    /// The first field this event needs and the payload lacks.
    pub fn missing_required(&self, event: HookEvent) -> Option<&'static str> {
        if event.is_tool_event() {
            if self.tool_name.as_deref().is_none_or(str::is_empty) {
                return Some("tool_name");
            }
            if event.is_gate() && !matches!(self.tool_input, Some(Value::Object(_))) {
                return Some("tool_input");
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> HookInput {
        serde_json::from_str(json).expect("test payload parses")
    }

    #[test]
    fn reads_claude_code_field_names() {
        let i = parse(
            r#"{"session_id":"s","hook_event_name":"PostToolUse","tool_name":"Bash",
                "tool_input":{"command":"ls"},"tool_response":{"stdout":"a"},"extra":1}"#,
        );
        assert_eq!(i.event_name(), Some("PostToolUse"));
        assert_eq!(i.command(), Some("ls"));
        assert_eq!(
            i.response().and_then(|r| r.get("stdout")),
            Some(&"a".into())
        );
    }

    #[test]
    fn falls_back_to_upstream_field_names() {
        let i = parse(r#"{"hook_event":"PostToolUse","tool_result":"out"}"#);
        assert_eq!(i.event_name(), Some("PostToolUse"));
        assert_eq!(i.response(), Some(&"out".into()));
    }

    #[test]
    fn prefers_current_names_when_both_are_sent() {
        let i = parse(
            r#"{"hook_event":"Old","hook_event_name":"New","tool_result":1,"tool_response":2}"#,
        );
        assert_eq!(i.event_name(), Some("New"));
        assert_eq!(i.response(), Some(&2.into()));
    }

    #[test]
    fn target_path_covers_every_file_tool_shape() {
        assert_eq!(
            parse(r#"{"tool_input":{"file_path":"/a"}}"#).target_path(),
            Some("/a")
        );
        assert_eq!(
            parse(r#"{"tool_input":{"notebook_path":"/n"}}"#).target_path(),
            Some("/n")
        );
        assert_eq!(
            parse(r#"{"tool_input":{"path":"/p"}}"#).target_path(),
            Some("/p")
        );
    }

    #[test]
    fn gates_need_a_tool_name_and_an_input_object() {
        let none = HookInput::default();
        assert_eq!(
            none.missing_required(HookEvent::PreToolUse),
            Some("tool_name")
        );
        let no_input = parse(r#"{"tool_name":"Bash"}"#);
        assert_eq!(
            no_input.missing_required(HookEvent::PreToolUse),
            Some("tool_input")
        );
        assert_eq!(no_input.missing_required(HookEvent::PostToolUse), None);
        let bad_input = parse(r#"{"tool_name":"Bash","tool_input":"rm -rf /"}"#);
        assert_eq!(
            bad_input.missing_required(HookEvent::PreToolUse),
            Some("tool_input")
        );
        assert_eq!(none.missing_required(HookEvent::Stop), None);
    }

    #[test]
    fn bypass_is_only_bypass_permissions() {
        assert!(parse(r#"{"permission_mode":"bypassPermissions"}"#).is_bypass());
        assert!(!parse(r#"{"permission_mode":"default"}"#).is_bypass());
        assert!(!HookInput::default().is_bypass());
    }
}
