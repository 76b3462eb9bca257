//! Each agent's own hook configuration for agentops, as data: which events
//! run `agentops hook --agent <agent> <Event>`, with what matcher and
//! timeout, in that agent's file format. The binary writes, checks and
//! removes these files (`agentops install|doctor|uninstall --agent`).
//!
//! The hook command is one shell string everywhere but Copilot's `exec`
//! form: Codex, Gemini and Cursor run it through a shell. It must stay the
//! same across upgrades, because Codex binds its trust to the command's
//! hash.

use serde_json::{json, Map, Value};

use crate::Agent;

/// `'<binary>' hook --agent <agent> <event>`, quoted for a POSIX shell
/// (a `${...}` placeholder the agent substitutes stays outside quotes'
/// reach only when `binary` is one; then it is double-quoted).
pub fn command(binary: &str, agent: Agent, event: &str) -> String {
    let quoted = if binary.contains("${") {
        format!("\"{binary}\"")
    } else {
        format!("'{}'", binary.replace('\'', r"'\''"))
    };
    format!("{quoted} hook --agent {agent} {event}")
}

/// Codex: `hooks.json` (`~/.codex/`, `<repo>/.codex/` or a plugin's).
/// Shell calls and patches arrive at PreToolUse; SessionEnd is clamped to
/// 3 s by Codex.
pub fn codex(binary: &str) -> Value {
    let entry = |event: &str, matcher: Option<&str>, timeout: u64| {
        let mut group = Map::new();
        if let Some(m) = matcher {
            group.insert("matcher".into(), json!(m));
        }
        group.insert(
            "hooks".into(),
            json!([{"type": "command", "command": command(binary, Agent::Codex, event),
                    "timeout": timeout, "statusMessage": "agentops"}]),
        );
        (event.to_string(), json!([Value::Object(group)]))
    };
    let hooks: Map<String, Value> = [
        entry("PreToolUse", Some("*"), 10),
        entry("PermissionRequest", Some("*"), 10),
        entry("PostToolUse", Some("*"), 10),
        entry("UserPromptSubmit", None, 10),
        entry("SessionStart", Some("startup|resume|clear|compact"), 30),
        entry("SubagentStart", None, 10),
        entry("SubagentStop", None, 30),
        entry("Stop", None, 30),
        entry("PreCompact", None, 10),
        entry("PostCompact", None, 10),
        entry("SessionEnd", None, 3),
    ]
    .into_iter()
    .collect();
    json!({ "hooks": hooks })
}

/// Gemini: an extension's `hooks/hooks.json` (timeouts in milliseconds).
pub fn gemini(binary: &str) -> Value {
    let entry = |event: &str, matcher: Option<&str>, timeout_ms: u64| {
        let mut group = Map::new();
        if let Some(m) = matcher {
            group.insert("matcher".into(), json!(m));
        }
        group.insert(
            "hooks".into(),
            json!([{"type": "command", "name": format!("agentops-{}", event.to_ascii_lowercase()),
                    "command": command(binary, Agent::Gemini, event), "timeout": timeout_ms}]),
        );
        (event.to_string(), json!([Value::Object(group)]))
    };
    let hooks: Map<String, Value> = [
        entry("BeforeTool", Some(".*"), 10_000),
        entry("AfterTool", Some(".*"), 10_000),
        entry("BeforeAgent", None, 10_000),
        entry("AfterAgent", None, 30_000),
        entry("SessionStart", None, 30_000),
        entry("SessionEnd", None, 10_000),
        entry("PreCompress", None, 10_000),
    ]
    .into_iter()
    .collect();
    json!({ "hooks": hooks })
}

/// Gemini's extension manifest.
pub fn gemini_manifest(version: &str) -> Value {
    json!({"name": "agentops", "version": version,
           "description": "agentops guardrails: every shell, file and web tool call judged before it runs"})
}

/// Copilot: a hooks file (`~/.copilot/hooks/`, `.github/hooks/`, or a
/// plugin's). With `exec` the arguments survive; a relative `./bin/...`
/// resolves against a plugin's root.
pub fn copilot(binary: &str, exec_form: bool) -> Value {
    let entry = |event: &str| {
        let handler = if exec_form {
            json!({"type": "command", "exec": binary, "args": ["hook", "--agent", "copilot", event], "timeoutSec": 10})
        } else {
            json!({"type": "command", "bash": command(binary, Agent::Copilot, event), "timeoutSec": 10})
        };
        (event.to_string(), json!([handler]))
    };
    let hooks: Map<String, Value> = [
        "preToolUse",
        "postToolUse",
        "postToolUseFailure",
        "permissionRequest",
        "userPromptSubmitted",
        "sessionStart",
        "sessionEnd",
        "agentStop",
        "subagentStop",
        "preCompact",
    ]
    .into_iter()
    .map(entry)
    .collect();
    json!({"version": 1, "hooks": hooks})
}

/// Cursor: `.cursor/hooks.json`. The gates fail closed (`failClosed`), so a
/// crash or a missing binary refuses instead of letting the call through.
/// Shell and MCP calls are judged before they run by their own events;
/// `preToolUse` only for the tools those do not cover.
pub fn cursor(binary: &str) -> Value {
    let entry = |event: &str, gate: bool, matcher: Option<&str>| {
        let mut handler = Map::new();
        handler.insert(
            "command".into(),
            json!(command(binary, Agent::Cursor, event)),
        );
        handler.insert("timeout".into(), json!(10));
        if gate {
            handler.insert("failClosed".into(), json!(true));
        }
        if let Some(m) = matcher {
            handler.insert("matcher".into(), json!(m));
        }
        if event == "stop" {
            handler.insert("loop_limit".into(), json!(1));
        }
        (event.to_string(), json!([Value::Object(handler)]))
    };
    let hooks: Map<String, Value> = [
        entry("beforeShellExecution", true, None),
        entry("beforeMCPExecution", true, None),
        entry("beforeReadFile", true, None),
        entry("preToolUse", true, Some("Write|Delete|Task")),
        entry("postToolUse", false, None),
        entry("afterFileEdit", false, None),
        entry("beforeSubmitPrompt", false, None),
        entry("sessionStart", false, None),
        entry("sessionEnd", false, None),
        entry("stop", false, None),
        entry("preCompact", false, None),
    ]
    .into_iter()
    .collect();
    json!({"version": 1, "hooks": hooks})
}

/// Whether a hook entry (any agent's format) runs agentops' hook command.
pub fn is_agentops_entry(entry: &Value) -> bool {
    let runs = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .is_some_and(|c| c.contains("agentops") && c.contains(" hook"))
    };
    runs(entry.get("command"))
        || runs(entry.get("bash"))
        || (entry
            .get("exec")
            .and_then(Value::as_str)
            .is_some_and(|e| e.contains("agentops"))
            && entry
                .get("args")
                .and_then(Value::as_array)
                .is_some_and(|a| a.first().and_then(Value::as_str) == Some("hook")))
}

/// Remove agentops' entries from a hooks document of any agent (grouped
/// like Claude's and Codex's, or flat like Copilot's and Cursor's), keeping
/// everything else; empty events are dropped. Returns how many were
/// removed.
pub fn remove_agentops(doc: &mut Value) -> usize {
    let Some(hooks) = doc.get_mut("hooks").and_then(Value::as_object_mut) else {
        return 0;
    };
    let mut removed = 0;
    for list in hooks.values_mut() {
        let Some(list) = list.as_array_mut() else {
            continue;
        };
        for group in list.iter_mut() {
            if let Some(handlers) = group.get_mut("hooks").and_then(Value::as_array_mut) {
                let before = handlers.len();
                handlers.retain(|h| !is_agentops_entry(h));
                removed += before - handlers.len();
            }
        }
        removed += list.iter().filter(|e| is_agentops_entry(e)).count();
        // Flat entries that run agentops, and groups left empty.
        list.retain(|entry| {
            !is_agentops_entry(entry)
                && entry
                    .get("hooks")
                    .and_then(Value::as_array)
                    .is_none_or(|h| !h.is_empty())
        });
    }
    hooks.retain(|_, v| v.as_array().is_none_or(|l| !l.is_empty()));
    removed
}

/// Add agentops' entries (`ours`, this module's output) to a hooks
/// document, after removing any earlier ones.
pub fn merge(doc: &mut Value, ours: &Value) {
    remove_agentops(doc);
    if !doc.is_object() {
        *doc = json!({});
    }
    if let (Some(d), Some(version)) = (doc.as_object_mut(), ours.get("version")) {
        d.entry("version").or_insert_with(|| version.clone());
    }
    let Some(hooks) = doc
        .as_object_mut()
        .map(|d| d.entry("hooks").or_insert_with(|| json!({})))
    else {
        return;
    };
    if !hooks.is_object() {
        *hooks = json!({});
    }
    if let (Some(hooks), Some(theirs)) = (
        hooks.as_object_mut(),
        ours.get("hooks").and_then(Value::as_object),
    ) {
        for (event, entries) in theirs {
            let slot = hooks.entry(event.clone()).or_insert_with(|| json!([]));
            if let (Some(slot), Some(entries)) = (slot.as_array_mut(), entries.as_array()) {
                slot.extend(entries.iter().cloned());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_quoted_for_a_shell_and_placeholders_stay_expandable() {
        assert_eq!(
            command("/opt/it's/agentops", Agent::Codex, "PreToolUse"),
            r"'/opt/it'\''s/agentops' hook --agent codex PreToolUse"
        );
        assert_eq!(
            command("${PLUGIN_ROOT}/bin/agentops", Agent::Codex, "Stop"),
            "\"${PLUGIN_ROOT}/bin/agentops\" hook --agent codex Stop"
        );
    }

    #[test]
    fn every_agent_gets_its_own_format_and_its_gates() {
        let codex = codex("/b/agentops");
        assert_eq!(codex["hooks"]["SessionEnd"][0]["hooks"][0]["timeout"], 3);
        assert!(codex["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
            .as_str()
            .is_some_and(|c| c.ends_with("hook --agent codex PreToolUse")));
        let gemini = gemini("/b/agentops");
        assert_eq!(
            gemini["hooks"]["BeforeTool"][0]["hooks"][0]["timeout"],
            10_000
        );
        let copilot = copilot("./bin/agentops", true);
        assert_eq!(
            copilot["hooks"]["preToolUse"][0]["args"],
            json!(["hook", "--agent", "copilot", "preToolUse"])
        );
        // Copilot rejects a whole file for one entry type it does not run.
        assert!(!copilot.to_string().contains("\"prompt\""));
        let cursor = cursor("/b/agentops");
        assert_eq!(cursor["hooks"]["beforeReadFile"][0]["failClosed"], true);
        assert_eq!(cursor["version"], 1);
    }

    #[test]
    fn merging_keeps_other_hooks_and_replaces_ours() {
        let mut doc = json!({"version": 1, "hooks": {
            "preToolUse": [{"type": "command", "bash": "my-linter"},
                           {"type": "command", "bash": "'/old/agentops' hook --agent copilot preToolUse"}]}});
        merge(&mut doc, &copilot("/new/agentops", false));
        let pre = doc["hooks"]["preToolUse"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(pre.len(), 2, "{doc}");
        assert_eq!(pre[0]["bash"], "my-linter");
        assert!(pre[1]["bash"]
            .as_str()
            .is_some_and(|b| b.contains("/new/agentops")));
        let removed = remove_agentops(&mut doc);
        assert_eq!(removed, 10);
        assert_eq!(
            doc["hooks"],
            json!({"preToolUse": [{"type": "command", "bash": "my-linter"}]})
        );
        let mut grouped = codex("/b/agentops");
        assert_eq!(remove_agentops(&mut grouped), 11);
        assert_eq!(grouped["hooks"], json!({}));
    }
}
