//! GitHub Copilot CLI (1.0.102). Two dialects, chosen by how the hook file
//! spells the event: camelCase events (`preToolUse`) send camelCase
//! payloads with Copilot's tool names (`bash`, `view`, `create`, `edit`)
//! and read a flat answer (`{"permissionDecision": "deny", ...}`);
//! PascalCase events (`PreToolUse`, also used for Claude-format plugin
//! hooks) send Claude Code's field and tool names and honour its nested
//! answer. Copilot can ask (in `-p` mode it turns an ask into a refusal
//! itself).

use agentops_core::HookEvent;
use serde_json::{json, Value};

use crate::{
    absolute, base, object_or_json_string, patch, text, AskFallback, Call, Rendered, Reply,
    Translation, Verdict,
};

/// The Claude Code event a Copilot event stands for, in either dialect.
pub fn event(native: &str) -> Option<HookEvent> {
    Some(match native {
        "sessionStart" => HookEvent::SessionStart,
        "sessionEnd" => HookEvent::SessionEnd,
        "userPromptSubmitted" => HookEvent::UserPromptSubmit,
        "preToolUse" => HookEvent::PreToolUse,
        "postToolUse" => HookEvent::PostToolUse,
        "postToolUseFailure" => HookEvent::PostToolUseFailure,
        "permissionRequest" => HookEvent::PermissionRequest,
        "agentStop" => HookEvent::Stop,
        "subagentStart" => HookEvent::SubagentStart,
        "subagentStop" => HookEvent::SubagentStop,
        "preCompact" => HookEvent::PreCompact,
        "notification" => HookEvent::Notification,
        pascal if is_pascal(pascal) => return pascal.parse().ok(),
        _ => return None,
    })
}

fn is_pascal(native: &str) -> bool {
    native.starts_with(|c: char| c.is_ascii_uppercase())
}

/// A Copilot tool call as the Claude Code tool(s) with the same effect.
fn claude_tools(name: &str, args: &Value, cwd: Option<&str>) -> Vec<(String, Value)> {
    let path = || {
        ["path", "file_path", "filePath"]
            .iter()
            .find_map(|k| text(args, k))
            .map(|p| absolute(p, cwd))
            .unwrap_or_default()
    };
    let field = |keys: &[&str]| keys.iter().find_map(|k| text(args, k)).unwrap_or_default();
    let one = |tool: &str, input: Value| vec![(tool.to_string(), input)];
    match name {
        "bash" => one("Bash", json!({"command": field(&["command"])})),
        "view" => one("Read", json!({"file_path": path()})),
        "create" => one(
            "Write",
            json!({"file_path": path(), "content": field(&["file_text", "content"])}),
        ),
        "edit" | "str_replace_editor" | "str_replace" => one(
            "Edit",
            json!({"file_path": path(), "old_string": field(&["old_str", "old_string"]),
                   "new_string": field(&["new_str", "new_string", "file_text"])}),
        ),
        "apply_patch" => {
            let text = args
                .as_str()
                .or_else(|| text(args, "input"))
                .or_else(|| text(args, "patch"))
                .unwrap_or_default();
            patch::parse(text)
                .map(|ops| {
                    patch::tool_calls(&ops, cwd)
                        .into_iter()
                        .map(|(n, i)| (n.to_string(), i))
                        .collect()
                })
                .unwrap_or_else(|| one("apply_patch", args.clone()))
        }
        "web_fetch" => one("WebFetch", json!({"url": field(&["url"]), "prompt": ""})),
        "rg" | "grep" => one(
            "Grep",
            json!({"pattern": field(&["pattern"]), "path": path()}),
        ),
        "glob" => one(
            "Glob",
            json!({"pattern": field(&["pattern"]), "path": path()}),
        ),
        "task" => one(
            "Agent",
            json!({"prompt": field(&["prompt"]), "description": field(&["description"])}),
        ),
        other => one(other, args.clone()),
    }
}

/// Copilot's payload as engine calls.
pub fn translate(native: &str, payload: &Value) -> Translation {
    let Some(event) = event(native) else {
        return Translation::Nothing;
    };
    if is_pascal(native) {
        // Claude Code's tool names already, but Copilot's argument names
        // (`path`, `file_text`, `old_str`, `new_str`): renamed where the
        // Claude name is missing, so the file guards see the content.
        let mut p = payload.clone();
        if let Some(obj) = p.as_object_mut() {
            obj.insert("hook_event_name".into(), json!(event.as_str()));
            if let Some(input) = obj.get_mut("tool_input").and_then(Value::as_object_mut) {
                for (copilot, claude) in [
                    ("path", "file_path"),
                    ("file_text", "content"),
                    ("old_str", "old_string"),
                    ("new_str", "new_string"),
                ] {
                    if !input.contains_key(claude) {
                        if let Some(v) = input.get(copilot).cloned() {
                            input.insert(claude.into(), v);
                        }
                    }
                }
            }
        }
        return Translation::Calls(vec![Call { event, payload: p }]);
    }
    let cwd = text(payload, "cwd");
    let mut out = base(event, payload.get("sessionId"), payload.get("cwd"));
    if let Some(t) = payload.get("transcriptPath") {
        out.insert("transcript_path".into(), t.clone());
    }
    for (from, to) in [
        ("prompt", "prompt"),
        ("source", "source"),
        ("reason", "reason"),
        ("stop_hook_active", "stop_hook_active"),
        ("stopHookActive", "stop_hook_active"),
        ("message", "message"),
    ] {
        if let Some(v) = payload.get(from) {
            out.insert(to.into(), v.clone());
        }
    }
    let Some(name) = text(payload, "toolName") else {
        return Translation::Calls(vec![Call {
            event,
            payload: Value::Object(out),
        }]);
    };
    let args = match payload.get("toolArgs") {
        Some(Value::String(s)) if name == "apply_patch" && !s.trim_start().starts_with('{') => {
            Value::String(s.clone())
        }
        other => object_or_json_string(other),
    };
    let result = payload.get("toolResult").map(|r| {
        r.get("textResultForLlm")
            .cloned()
            .unwrap_or_else(|| r.clone())
    });
    let calls = claude_tools(name, &args, cwd)
        .into_iter()
        .map(|(tool, input)| {
            let mut p = out.clone();
            if let Some(r) = &result {
                let response = if tool == "Bash" {
                    json!({"stdout": r, "stderr": ""})
                } else {
                    r.clone()
                };
                p.insert("tool_response".into(), response);
            }
            if let Some(e) = payload.get("error") {
                p.insert("error".into(), e.clone());
            }
            p.insert("tool_name".into(), json!(tool));
            p.insert("tool_input".into(), input);
            Call {
                event,
                payload: Value::Object(p),
            }
        })
        .collect();
    Translation::Calls(calls)
}

/// The answer in the dialect the event was spelled in.
pub fn render(
    native: &str,
    reply: &Reply,
    stop_hook_active: bool,
    fallback: AskFallback,
) -> Rendered {
    let Some(event) = event(native) else {
        return Rendered::nothing();
    };
    let verdict = reply.verdict(true, fallback);
    let context = reply.context.join("\n\n");
    let gate = |decision: &str, reason: &str| {
        if is_pascal(native) {
            json!({"hookSpecificOutput": {"hookEventName": event.as_str(),
                "permissionDecision": decision, "permissionDecisionReason": reason}})
        } else {
            json!({"permissionDecision": decision, "permissionDecisionReason": reason})
        }
    };
    let context_answer = || {
        if context.is_empty() {
            Rendered::nothing()
        } else if is_pascal(native) {
            Rendered::json(
                json!({"hookSpecificOutput": {"hookEventName": event.as_str(),
                "additionalContext": context}}),
            )
        } else {
            Rendered::json(json!({"additionalContext": context}))
        }
    };
    match (event, &verdict) {
        (HookEvent::PreToolUse, Verdict::Deny(r)) => Rendered::json(gate("deny", r)),
        (HookEvent::PreToolUse, Verdict::Ask(r)) => Rendered::json(gate("ask", r)),
        (HookEvent::PermissionRequest, Verdict::Deny(r)) => {
            Rendered::json(json!({"behavior": "deny", "message": r}))
        }
        (HookEvent::Stop | HookEvent::SubagentStop, Verdict::Deny(r)) if !stop_hook_active => {
            Rendered::json(json!({"decision": "block", "reason": r}))
        }
        (HookEvent::PostToolUse, Verdict::Deny(r)) => {
            let text = [r.clone(), context.clone()]
                .into_iter()
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join("\n\n");
            Rendered::json(json!({"additionalContext": text}))
        }
        // Copilot drops what a prompt hook prints.
        (HookEvent::UserPromptSubmit, _) => Rendered::nothing(),
        (HookEvent::PreToolUse | HookEvent::PostToolUse | HookEvent::SessionStart, _) => {
            context_answer()
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
    fn both_dialects_become_claude_calls() {
        let camel = json!({"sessionId": "a8c2", "timestamp": 1796175140412u64, "cwd": "/w",
            "toolName": "bash", "toolArgs": {"command": "cat .env", "description": "x"}});
        let c = translate_calls("preToolUse", &camel);
        assert_eq!(c[0].event, HookEvent::PreToolUse);
        assert_eq!(c[0].payload["session_id"], "a8c2");
        assert_eq!(c[0].payload["tool_name"], "Bash");
        assert_eq!(c[0].payload["tool_input"], json!({"command": "cat .env"}));
        let as_string = json!({"cwd": "/w", "toolName": "create",
            "toolArgs": "{\"path\": \"a.js\", \"file_text\": \"x\"}"});
        let c = translate_calls("preToolUse", &as_string);
        assert_eq!(
            c[0].payload["tool_input"],
            json!({"file_path": "/w/a.js", "content": "x"})
        );
        let pascal = json!({"hook_event_name": "PreToolUse", "session_id": "s", "cwd": "/w",
            "tool_name": "Bash", "tool_input": {"command": "ls"}});
        assert_eq!(translate_calls("PreToolUse", &pascal)[0].payload, pascal);
        // Claude's tool names with Copilot's argument names.
        let write = json!({"hook_event_name": "PreToolUse", "cwd": "/w", "tool_name": "Write",
            "tool_input": {"path": "/w/new.txt", "file_text": "x"}});
        let c = translate_calls("PreToolUse", &write);
        assert_eq!(c[0].payload["tool_input"]["file_path"], "/w/new.txt");
        assert_eq!(c[0].payload["tool_input"]["content"], "x");
        let result = json!({"cwd": "/w", "toolName": "bash", "toolArgs": {"command": "env"},
            "toolResult": {"resultType": "success", "textResultForLlm": "TOKEN=1"}});
        assert_eq!(
            translate_calls("postToolUse", &result)[0].payload["tool_response"]["stdout"],
            "TOKEN=1"
        );
        assert_eq!(translate("errorOccurred", &json!({})), Translation::Nothing);
    }

    #[test]
    fn answers_are_flat_for_camel_case_and_nested_for_pascal_case() {
        let deny = Reply {
            decision: Decision::Deny,
            reason: "agentops: [CMD013] x".into(),
            ..Reply::default()
        };
        let flat: Value = serde_json::from_str(
            render("preToolUse", &deny, false, AskFallback::Deny)
                .stdout
                .as_deref()
                .unwrap_or(""),
        )
        .expect("json");
        assert_eq!(
            flat,
            json!({"permissionDecision": "deny", "permissionDecisionReason": "agentops: [CMD013] x"})
        );
        let nested: Value = serde_json::from_str(
            render("PreToolUse", &deny, false, AskFallback::Deny)
                .stdout
                .as_deref()
                .unwrap_or(""),
        )
        .expect("json");
        assert_eq!(nested["hookSpecificOutput"]["permissionDecision"], "deny");
        let ask = Reply {
            decision: Decision::Ask,
            ..deny.clone()
        };
        assert!(render("preToolUse", &ask, false, AskFallback::Deny)
            .stdout
            .unwrap_or_default()
            .contains("\"ask\""));
        assert_eq!(
            render("userPromptSubmitted", &deny, false, AskFallback::Deny),
            Rendered::nothing()
        );
        assert!(render("agentStop", &deny, false, AskFallback::Deny)
            .stdout
            .is_some());
    }
}
