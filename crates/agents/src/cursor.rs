//! Cursor (documented protocol; the CLI is not installable offline). Events
//! in camelCase, payloads and answers in snake_case, answers flat:
//! `{"permission": "deny", "user_message": ..., "agent_message": ...}`.
//! `beforeShellExecution` and `beforeMCPExecution` can ask; `preToolUse`
//! and `beforeReadFile` accept `ask` but do not enforce it, so there it is
//! resolved by `agent_ask_fallback`. `beforeReadFile` carries the file's
//! content; the read guards judge the path.

use agentops_core::HookEvent;
use serde_json::{json, Value};

use crate::{
    absolute, base, object_or_json_string, text, AskFallback, Call, Rendered, Reply, Translation,
    Verdict,
};

/// The Claude Code event a Cursor event stands for.
pub fn event(native: &str) -> Option<HookEvent> {
    Some(match native {
        "beforeShellExecution" | "beforeMCPExecution" | "beforeReadFile" | "preToolUse" => {
            HookEvent::PreToolUse
        }
        "afterShellExecution" | "afterMCPExecution" | "afterFileEdit" | "postToolUse" => {
            HookEvent::PostToolUse
        }
        "postToolUseFailure" => HookEvent::PostToolUseFailure,
        "beforeSubmitPrompt" => HookEvent::UserPromptSubmit,
        "sessionStart" => HookEvent::SessionStart,
        "sessionEnd" => HookEvent::SessionEnd,
        "stop" => HookEvent::Stop,
        "subagentStart" => HookEvent::SubagentStart,
        "subagentStop" => HookEvent::SubagentStop,
        "preCompact" => HookEvent::PreCompact,
        _ => return None,
    })
}

/// A `preToolUse`/`postToolUse` tool as the Claude Code tool.
fn claude_tool(name: &str, input: &Value, cwd: Option<&str>) -> (String, Value) {
    let path = || {
        ["file_path", "path", "target_file"]
            .iter()
            .find_map(|k| text(input, k))
            .map(|p| absolute(p, cwd))
            .unwrap_or_default()
    };
    match name {
        "Shell" => (
            "Bash".into(),
            json!({"command": text(input, "command").unwrap_or_default()}),
        ),
        "Read" => ("Read".into(), json!({"file_path": path()})),
        "Write" => (
            "Write".into(),
            json!({"file_path": path(), "content": text(input, "content").or_else(|| text(input, "contents")).unwrap_or_default()}),
        ),
        // A deletion is what `rm` would do, so the same guards judge it.
        "Delete" => (
            "Bash".into(),
            json!({"command": format!("rm -- '{}'", path().replace('\'', r"'\''"))}),
        ),
        "Grep" => (
            "Grep".into(),
            json!({"pattern": text(input, "pattern").unwrap_or_default(), "path": path()}),
        ),
        "Task" => ("Agent".into(), input.clone()),
        other => match other.strip_prefix("MCP:") {
            Some(tool) => (format!("mcp__cursor__{tool}"), input.clone()),
            None => (other.to_string(), input.clone()),
        },
    }
}

/// Cursor's payload as engine calls.
pub fn translate(native: &str, payload: &Value) -> Translation {
    let Some(event) = event(native) else {
        return Translation::Nothing;
    };
    let root = payload
        .get("workspace_roots")
        .and_then(Value::as_array)
        .and_then(|r| r.first());
    let cwd_value = payload.get("cwd").filter(|c| c.is_string()).or(root);
    let cwd = cwd_value.and_then(Value::as_str);
    let session = payload
        .get("conversation_id")
        .or_else(|| payload.get("session_id"));
    let mut out = base(event, session, cwd_value);
    if let Some(t) = payload.get("transcript_path").filter(|t| !t.is_null()) {
        out.insert("transcript_path".into(), t.clone());
    }
    let tool = match native {
        "beforeShellExecution" | "afterShellExecution" => Some((
            "Bash".to_string(),
            json!({"command": text(payload, "command").unwrap_or_default()}),
        )),
        "beforeReadFile" => Some((
            "Read".to_string(),
            json!({"file_path": absolute(text(payload, "file_path").unwrap_or_default(), cwd)}),
        )),
        "afterFileEdit" => {
            let edits = payload.get("edits").and_then(Value::as_array);
            let new: String = edits
                .into_iter()
                .flatten()
                .filter_map(|e| text(e, "new_string"))
                .collect::<Vec<_>>()
                .join("\n");
            Some((
                "Edit".to_string(),
                json!({"file_path": absolute(text(payload, "file_path").unwrap_or_default(), cwd),
                       "old_string": "", "new_string": new}),
            ))
        }
        "beforeMCPExecution" | "afterMCPExecution" => Some((
            format!(
                "mcp__cursor__{}",
                text(payload, "tool_name").unwrap_or("tool")
            ),
            object_or_json_string(payload.get("tool_input")),
        )),
        "preToolUse" | "postToolUse" | "postToolUseFailure" => text(payload, "tool_name")
            .map(|name| claude_tool(name, &object_or_json_string(payload.get("tool_input")), cwd)),
        _ => None,
    };
    if let Some((name, input)) = tool {
        out.insert("tool_name".into(), json!(name));
        out.insert("tool_input".into(), input);
        let output = payload
            .get("tool_output")
            .or_else(|| payload.get("output"))
            .or_else(|| payload.get("result_json"));
        if let Some(o) = output {
            let o = match o {
                Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| o.clone()),
                other => other.clone(),
            };
            out.insert("tool_response".into(), o);
        } else if event == HookEvent::PostToolUse {
            out.insert("tool_response".into(), json!({"success": true}));
        }
        if let Some(e) = payload.get("error_message") {
            out.insert("error".into(), e.clone());
        }
    }
    if let Some(p) = payload.get("prompt") {
        out.insert("prompt".into(), p.clone());
    }
    if native == "stop" || native == "subagentStop" {
        let again = payload
            .get("loop_count")
            .and_then(Value::as_u64)
            .unwrap_or(0)
            > 0;
        out.insert("stop_hook_active".into(), json!(again));
    }
    Translation::Calls(vec![Call {
        event,
        payload: Value::Object(out),
    }])
}

/// The answer as Cursor reads it.
pub fn render(
    native: &str,
    reply: &Reply,
    stop_hook_active: bool,
    fallback: AskFallback,
) -> Rendered {
    let Some(event) = event(native) else {
        return Rendered::nothing();
    };
    let can_ask = matches!(native, "beforeShellExecution" | "beforeMCPExecution");
    let verdict = reply.verdict(can_ask, fallback);
    let context = reply.context.join("\n\n");
    let permission = |p: &str, r: &str| {
        if native == "beforeReadFile" {
            json!({"permission": p, "user_message": r})
        } else {
            json!({"permission": p, "user_message": r, "agent_message": r})
        }
    };
    match (event, &verdict) {
        (HookEvent::PreToolUse | HookEvent::SubagentStart, Verdict::Deny(r)) => {
            Rendered::json(permission("deny", r))
        }
        (HookEvent::PreToolUse, Verdict::Ask(r)) => Rendered::json(permission("ask", r)),
        (HookEvent::UserPromptSubmit, Verdict::Deny(r)) => {
            Rendered::json(json!({"continue": false, "user_message": r}))
        }
        (HookEvent::Stop | HookEvent::SubagentStop, Verdict::Deny(r)) if !stop_hook_active => {
            Rendered::json(json!({"followup_message": r}))
        }
        (HookEvent::PostToolUse | HookEvent::SessionStart, _) if !context.is_empty() => {
            Rendered::json(json!({"additional_context": context}))
        }
        _ => Rendered::nothing(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translate_calls(native: &str, payload: &Value) -> Vec<Call> {
        translate(native, payload).into_calls()
    }
    use agentops_core::Decision;

    #[test]
    fn documented_payloads_become_claude_calls() {
        let shell = json!({"hook_event_name": "beforeShellExecution", "conversation_id": "c", "generation_id": "g",
            "model": "m", "cursor_version": "2.1", "workspace_roots": ["/w"], "user_email": null,
            "transcript_path": null, "command": "rm -rf build", "cwd": "/w", "sandbox": false});
        let c = translate_calls("beforeShellExecution", &shell);
        assert_eq!(c[0].payload["tool_name"], "Bash");
        assert_eq!(c[0].payload["tool_input"]["command"], "rm -rf build");
        assert_eq!(c[0].payload["session_id"], "c");
        let read = json!({"workspace_roots": ["/w"], "file_path": ".env", "content": "TOKEN=1"});
        let c = translate_calls("beforeReadFile", &read);
        assert_eq!(c[0].payload["tool_input"], json!({"file_path": "/w/.env"}));
        let delete = json!({"cwd": "/w", "tool_name": "Delete", "tool_input": {"file_path": ".agentops/audit.jsonl"}});
        let c = translate_calls("preToolUse", &delete);
        assert_eq!(
            c[0].payload["tool_input"]["command"],
            "rm -- '/w/.agentops/audit.jsonl'"
        );
        let mcp = json!({"cwd": "/w", "tool_name": "search", "tool_input": "{\"q\": \"x\"}"});
        assert_eq!(
            translate_calls("beforeMCPExecution", &mcp)[0].payload["tool_input"],
            json!({"q": "x"})
        );
        let stop = json!({"status": "completed", "loop_count": 1});
        assert_eq!(
            translate_calls("stop", &stop)[0].payload["stop_hook_active"],
            true
        );
    }

    #[test]
    fn answers_are_flat_and_asks_stand_only_where_cursor_enforces_them() {
        let ask = Reply {
            decision: Decision::Ask,
            reason: "agentops: [ENV004] x".into(),
            ..Reply::default()
        };
        let shell: Value = serde_json::from_str(
            render("beforeShellExecution", &ask, false, AskFallback::Deny)
                .stdout
                .as_deref()
                .unwrap_or(""),
        )
        .expect("json");
        assert_eq!(shell["permission"], "ask");
        let tool: Value = serde_json::from_str(
            render("preToolUse", &ask, false, AskFallback::Deny)
                .stdout
                .as_deref()
                .unwrap_or(""),
        )
        .expect("json");
        assert_eq!(tool["permission"], "deny");
        let deny = Reply {
            decision: Decision::Deny,
            ..ask
        };
        let read: Value = serde_json::from_str(
            render("beforeReadFile", &deny, false, AskFallback::Deny)
                .stdout
                .as_deref()
                .unwrap_or(""),
        )
        .expect("json");
        assert_eq!(
            read,
            json!({"permission": "deny", "user_message": "agentops: [ENV004] x"})
        );
        assert!(render("stop", &deny, false, AskFallback::Deny)
            .stdout
            .unwrap_or_default()
            .contains("followup_message"));
        assert_eq!(
            render("stop", &deny, true, AskFallback::Deny),
            Rendered::nothing()
        );
    }
}
