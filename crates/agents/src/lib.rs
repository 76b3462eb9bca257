//! Other coding agents' hook protocols, as thin adapters around the one
//! engine.
//!
//! The engine speaks Claude Code's protocol. An adapter turns another
//! agent's payload into one or more Claude-shaped calls ([`Call`]: an event
//! and a payload the engine judges unchanged), and turns the merged
//! [`HookAnswer`] back into exactly what that agent reads ([`Rendered`]:
//! stdout and exit status), nothing it would reject. Everything here is
//! pure; reading stdin, the environment and running the engine happen in
//! the binary.
//!
//! Where an agent cannot ask the user (Codex never can; Cursor only before
//! shell and MCP calls; Gemini hangs in headless runs), an `ask` becomes a
//! deny with the reason, or, if the user chose so (`agent_ask_fallback`),
//! a note and no objection.

#![warn(missing_docs)]

use std::fmt;
use std::str::FromStr;

use agentops_core::{Decision, HookAnswer, HookEvent};
use serde_json::{json, Map, Value};

pub mod codex;
pub mod copilot;
pub mod cursor;
pub mod gemini;
pub mod patch;
pub mod wiring;

/// A coding agent whose hooks agentops answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agent {
    /// Claude Code: the engine's own protocol.
    Claude,
    /// OpenAI Codex CLI.
    Codex,
    /// Google Gemini CLI.
    Gemini,
    /// GitHub Copilot CLI.
    Copilot,
    /// Cursor (IDE agent and `cursor-agent`).
    Cursor,
}

impl Agent {
    /// Every agent, in the order `--agent` lists them.
    pub const ALL: [Agent; 5] = [
        Agent::Claude,
        Agent::Codex,
        Agent::Gemini,
        Agent::Copilot,
        Agent::Cursor,
    ];

    /// The name `--agent` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Agent::Claude => "claude",
            Agent::Codex => "codex",
            Agent::Gemini => "gemini",
            Agent::Copilot => "copilot",
            Agent::Cursor => "cursor",
        }
    }
}

impl fmt::Display for Agent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Agent {
    type Err = String;

    fn from_str(s: &str) -> Result<Agent, String> {
        Agent::ALL
            .into_iter()
            .find(|a| a.as_str() == s.to_ascii_lowercase())
            .ok_or_else(|| {
                format!("unknown agent `{s}` (known: claude, codex, gemini, copilot, cursor, auto)")
            })
    }
}

/// Which agent sent a payload, from cheap signs: the environment each agent
/// sets for its hooks, then fields only one agent sends. Plugins for Codex
/// and Copilot export `CLAUDE_PLUGIN_ROOT` too, so that is never a sign of
/// Claude Code.
pub fn detect(payload: &Value, var: &dyn Fn(&str) -> Option<String>) -> Agent {
    let set = |name: &str| var(name).is_some_and(|v| !v.is_empty());
    if set("COPILOT_CLI") || payload.get("toolName").is_some() || payload.get("sessionId").is_some()
    {
        return Agent::Copilot;
    }
    if set("GEMINI_SESSION_ID") || set("GEMINI_CWD") {
        return Agent::Gemini;
    }
    if set("CURSOR_VERSION") || payload.get("cursor_version").is_some() {
        return Agent::Cursor;
    }
    if payload.get("turn_id").is_some()
        || (payload.get("model").is_some_and(Value::is_string) && !set("CLAUDE_PROJECT_DIR"))
    {
        return Agent::Codex;
    }
    Agent::Claude
}

/// One call for the engine: a Claude Code event and a Claude-shaped
/// payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The event the engine answers.
    pub event: HookEvent,
    /// The payload, in Claude Code's field names and tool names.
    pub payload: Value,
}

/// What an agent's payload became.
#[derive(Debug, Clone, PartialEq)]
pub enum Translation {
    /// Calls for the engine (several for a patch that touches several
    /// files); their answers are merged.
    Calls(Vec<Call>),
    /// An event agentops has nothing to say about (or does not know): exit 0
    /// without output.
    Nothing,
}

impl Translation {
    /// The calls; none for [`Translation::Nothing`].
    pub fn into_calls(self) -> Vec<Call> {
        match self {
            Translation::Calls(calls) => calls,
            Translation::Nothing => Vec::new(),
        }
    }
}

/// Where an agent's payload could not be read: the engine then judges the
/// raw bytes as this event, so a gate fails closed with its own reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    /// The Claude Code event the native one stands for.
    pub event: HookEvent,
}

/// What to print and how to exit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rendered {
    /// The one JSON object (or nothing) for stdout.
    pub stdout: Option<String>,
    /// The exit status.
    pub exit: u8,
}

impl Rendered {
    /// Print nothing, exit 0: no opinion.
    pub fn nothing() -> Rendered {
        Rendered::default()
    }

    fn json(value: Value) -> Rendered {
        Rendered {
            stdout: Some(value.to_string()),
            exit: 0,
        }
    }
}

/// What an `ask` becomes where the agent cannot ask (flag
/// `agent_ask_fallback`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AskFallback {
    /// Refuse, with the reason and a note that approval was wanted.
    #[default]
    Deny,
    /// Let the call through with a note to the user.
    Allow,
}

impl AskFallback {
    /// From the flag's value; anything but `allow` keeps the safe default.
    pub fn parse(value: Option<&str>) -> AskFallback {
        match value {
            Some("allow") => AskFallback::Allow,
            _ => AskFallback::Deny,
        }
    }
}

/// The verdict an agent sees, after an `ask` it cannot honour was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No objection.
    Pass,
    /// Have the user approve (only where the agent can ask).
    Ask(String),
    /// Refuse with this reason.
    Deny(String),
}

/// The merged answer, reduced to what adapters render.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reply {
    /// Strongest decision.
    pub decision: Decision,
    /// `agentops: [ID] ...; [ID] ...`, or empty.
    pub reason: String,
    /// Text for the model.
    pub context: Vec<String>,
    /// Text for the user.
    pub messages: Vec<String>,
}

impl Reply {
    /// Merge the engine's answers to the calls of one payload.
    pub fn merge(answers: &[HookAnswer]) -> Reply {
        let mut reply = Reply::default();
        let mut reasons: Vec<&str> = Vec::new();
        for a in answers {
            reply.decision = reply.decision.max(a.decision);
        }
        for a in answers {
            if a.decision == reply.decision && reply.decision >= Decision::Ask {
                reasons.extend(a.reasons.iter().map(String::as_str));
            }
            // A patch's calls share their nudges; each is said once.
            for c in &a.context {
                if !reply.context.contains(c) {
                    reply.context.push(c.clone());
                }
            }
            for m in &a.messages {
                if !reply.messages.contains(m) {
                    reply.messages.push(m.clone());
                }
            }
        }
        reasons.dedup();
        if !reasons.is_empty() {
            reply.reason = format!("agentops: {}", reasons.join("; "));
        }
        reply
    }

    /// The verdict for an agent that can (`can_ask`) or cannot ask.
    pub fn verdict(&self, can_ask: bool, fallback: AskFallback) -> Verdict {
        match self.decision {
            Decision::Deny | Decision::HardDeny => Verdict::Deny(self.reason.clone()),
            Decision::Ask if can_ask => Verdict::Ask(self.reason.clone()),
            Decision::Ask => match fallback {
                AskFallback::Deny => Verdict::Deny(format!(
                    "{} (agentops would ask you first, and this agent cannot ask: refused; run it yourself if you approve, or set agent_ask_fallback to allow)",
                    self.reason
                )),
                AskFallback::Allow => Verdict::Pass,
            },
            Decision::Allow | Decision::Approve => Verdict::Pass,
        }
    }

    /// The user-facing notes, with the approval that could not be asked
    /// for when the fallback let the call through.
    pub fn notes(&self, verdict: &Verdict) -> Vec<String> {
        let mut notes = self.messages.clone();
        if self.decision == Decision::Ask && *verdict == Verdict::Pass {
            notes.push(format!(
                "agentops advisory (this agent cannot ask; agent_ask_fallback is allow): {}",
                self.reason
            ));
        }
        notes
    }
}

/// Read a field that is either an object or a JSON string holding one
/// (Cursor's MCP `tool_input`, older Copilot `toolArgs`).
pub(crate) fn object_or_json_string(value: Option<&Value>) -> Value {
    match value {
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or_else(|_| json!({})),
        Some(v @ Value::Object(_)) => v.clone(),
        _ => json!({}),
    }
}

/// The common Claude Code fields, from whatever the agent called them.
pub(crate) fn base(
    event: HookEvent,
    session: Option<&Value>,
    cwd: Option<&Value>,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("hook_event_name".into(), json!(event.as_str()));
    m.insert(
        "session_id".into(),
        session.cloned().unwrap_or_else(|| json!("")),
    );
    if let Some(cwd) = cwd.filter(|c| c.is_string()) {
        m.insert("cwd".into(), cwd.clone());
    }
    m.insert("permission_mode".into(), json!("default"));
    m
}

/// A string field.
pub(crate) fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Join a possibly relative path to the directory the agent runs in.
pub(crate) fn absolute(path: &str, cwd: Option<&str>) -> String {
    if path.starts_with('/') || cwd.is_none() {
        return path.to_string();
    }
    let cwd = cwd.unwrap_or_default().trim_end_matches('/');
    format!("{cwd}/{path}")
}

/// The agent's name for its pre-tool gate: what a payload that names no
/// event is judged as, so that unreadable input is refused, not let through.
pub fn gate_event(agent: Agent) -> &'static str {
    match agent {
        Agent::Claude | Agent::Codex => "PreToolUse",
        Agent::Gemini => "BeforeTool",
        Agent::Copilot | Agent::Cursor => "preToolUse",
    }
}

/// The Claude Code event an agent's event stands for; `None` when
/// agentops does not know it.
pub fn event(agent: Agent, native: &str) -> Option<HookEvent> {
    match agent {
        Agent::Claude => native.parse().ok(),
        Agent::Codex => codex::event(native),
        Agent::Gemini => gemini::event(native),
        Agent::Copilot => copilot::event(native),
        Agent::Cursor => cursor::event(native),
    }
}

/// An agent's payload as engine calls (Claude Code's payload is one call
/// as it is).
pub fn translate(agent: Agent, native: &str, payload: &Value) -> Translation {
    match agent {
        Agent::Claude => match native.parse() {
            Ok(event) => Translation::Calls(vec![Call {
                event,
                payload: payload.clone(),
            }]),
            Err(_) => Translation::Nothing,
        },
        other => {
            let mut t = match other {
                Agent::Codex => codex::translate(native, payload),
                Agent::Gemini => gemini::translate(native, payload),
                Agent::Copilot => copilot::translate(native, payload),
                _ => cursor::translate(native, payload),
            };
            // The audit log says which agent asked.
            if let Translation::Calls(calls) = &mut t {
                for c in calls.iter_mut() {
                    if let Some(obj) = c.payload.as_object_mut() {
                        obj.insert("agentops_agent".into(), json!(other.as_str()));
                    }
                }
            }
            t
        }
    }
}

/// The merged reply in an agent's own answer shape. Claude Code's answer is
/// rendered by the engine itself; here it is the PascalCase (nested) form.
pub fn render(
    agent: Agent,
    native: &str,
    reply: &Reply,
    stop_hook_active: bool,
    fallback: AskFallback,
) -> Rendered {
    match agent {
        Agent::Claude | Agent::Copilot => {
            copilot::render(native, reply, stop_hook_active, fallback)
        }
        Agent::Codex => codex::render(native, reply, stop_hook_active, fallback),
        Agent::Gemini => gemini::render(native, reply, stop_hook_active, fallback),
        Agent::Cursor => cursor::render(native, reply, stop_hook_active, fallback),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn agents_are_told_apart_by_their_environment_and_fields() {
        let claude =
            json!({"hook_event_name": "PreToolUse", "session_id": "s", "tool_name": "Bash"});
        assert_eq!(detect(&claude, &no_env), Agent::Claude);
        let codex = json!({"hook_event_name": "PreToolUse", "turn_id": "t", "model": "gpt-5.5"});
        assert_eq!(detect(&codex, &no_env), Agent::Codex);
        let copilot = json!({"sessionId": "s", "toolName": "bash", "toolArgs": {}});
        assert_eq!(detect(&copilot, &no_env), Agent::Copilot);
        let cursor = json!({"hook_event_name": "beforeShellExecution", "cursor_version": "2.1"});
        assert_eq!(detect(&cursor, &no_env), Agent::Cursor);
        let gemini_env = |name: &str| (name == "GEMINI_SESSION_ID").then(|| "g".to_string());
        let gemini = json!({"hook_event_name": "BeforeTool", "tool_name": "run_shell_command"});
        assert_eq!(detect(&gemini, &gemini_env), Agent::Gemini);
        // Copilot's PascalCase dialect looks like Claude Code; its env says.
        let copilot_env = |name: &str| (name == "COPILOT_CLI").then(|| "1".to_string());
        assert_eq!(detect(&claude, &copilot_env), Agent::Copilot);
        // A Claude payload that names a model is still Claude's when the
        // client set the project directory.
        let claude_env = |name: &str| (name == "CLAUDE_PROJECT_DIR").then(|| "/p".to_string());
        let with_model = json!({"hook_event_name": "SessionStart", "model": "claude-opus"});
        assert_eq!(detect(&with_model, &claude_env), Agent::Claude);
    }

    #[test]
    fn asks_become_denies_where_nobody_can_answer_unless_the_user_chose_otherwise() {
        let reply = Reply {
            decision: Decision::Ask,
            reason: "agentops: [ENV004] exports a token".into(),
            ..Reply::default()
        };
        assert_eq!(
            reply.verdict(true, AskFallback::Deny),
            Verdict::Ask("agentops: [ENV004] exports a token".into())
        );
        match reply.verdict(false, AskFallback::Deny) {
            Verdict::Deny(r) => {
                assert!(r.starts_with("agentops: [ENV004]") && r.contains("cannot ask"))
            }
            other => panic!("{other:?}"),
        }
        let pass = reply.verdict(false, AskFallback::Allow);
        assert_eq!(pass, Verdict::Pass);
        assert!(reply.notes(&pass)[0].contains("[ENV004]"));
        assert_eq!(AskFallback::parse(Some("allow")), AskFallback::Allow);
        assert_eq!(AskFallback::parse(Some("nonsense")), AskFallback::Deny);
    }

    #[test]
    fn merged_reasons_are_the_strongest_decisions_own() {
        let ask = HookAnswer {
            decision: Decision::Ask,
            reasons: vec!["[A] asks".into()],
            ..HookAnswer::default()
        };
        let deny = HookAnswer {
            decision: Decision::Deny,
            reasons: vec!["[B] denies".into()],
            context: vec!["ctx".into()],
            ..HookAnswer::default()
        };
        let reply = Reply::merge(&[ask, deny]);
        assert_eq!(reply.decision, Decision::Deny);
        assert_eq!(reply.reason, "agentops: [B] denies");
        assert_eq!(reply.context, ["ctx"]);
    }
}
