//! Google Gemini CLI (0.61). Its own event names (`BeforeTool`,
//! `AfterTool`, `BeforeAgent`, `AfterAgent`, ...) and tool names
//! (`run_shell_command`, `read_file`, `write_file`, `replace`, ...). A
//! refusal is `{"decision": "deny", "reason": ...}`; an `ask` makes Gemini
//! wait for an answer that never comes in a headless run, so it is resolved
//! by `agent_ask_fallback` instead.

use agentops_core::HookEvent;
use serde_json::{json, Value};

use crate::{absolute, base, text, AskFallback, Call, Rendered, Reply, Translation, Verdict};

/// The Claude Code event a Gemini event stands for.
pub fn event(native: &str) -> Option<HookEvent> {
    Some(match native {
        "BeforeTool" => HookEvent::PreToolUse,
        "AfterTool" => HookEvent::PostToolUse,
        "BeforeAgent" => HookEvent::UserPromptSubmit,
        "AfterAgent" => HookEvent::Stop,
        "SessionStart" => HookEvent::SessionStart,
        "SessionEnd" => HookEvent::SessionEnd,
        "PreCompress" => HookEvent::PreCompact,
        "Notification" => HookEvent::Notification,
        _ => return None,
    })
}

/// A Gemini tool call as the Claude Code tool with the same effect.
fn claude_tool(name: &str, args: &Value, cwd: Option<&str>) -> (String, Value) {
    let path = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| text(args, k))
            .map(|p| absolute(p, cwd))
            .unwrap_or_default()
    };
    match name {
        "run_shell_command" => (
            "Bash".into(),
            json!({"command": text(args, "command").unwrap_or_default()}),
        ),
        "read_file" => (
            "Read".into(),
            json!({"file_path": path(&["file_path", "absolute_path", "path"])}),
        ),
        "write_file" => (
            "Write".into(),
            json!({"file_path": path(&["file_path", "absolute_path"]), "content": text(args, "content").unwrap_or_default()}),
        ),
        "replace" => (
            "Edit".into(),
            json!({"file_path": path(&["file_path", "absolute_path"]),
                   "old_string": text(args, "old_string").unwrap_or_default(),
                   "new_string": text(args, "new_string").unwrap_or_default()}),
        ),
        "glob" => (
            "Glob".into(),
            json!({"pattern": text(args, "pattern").unwrap_or("*"), "path": path(&["path", "dir_path"])}),
        ),
        "grep_search" | "search_file_content" => (
            "Grep".into(),
            json!({"pattern": text(args, "pattern").unwrap_or_default(), "path": path(&["path", "dir_path"])}),
        ),
        "web_fetch" => (
            "WebFetch".into(),
            json!({"url": text(args, "url").unwrap_or_default(), "prompt": text(args, "prompt").unwrap_or_default()}),
        ),
        "google_web_search" => (
            "WebSearch".into(),
            json!({"query": text(args, "query").unwrap_or_default()}),
        ),
        other => (other.to_string(), args.clone()),
    }
}

/// The user's own words: Gemini puts the session-start context hooks gave
/// (agentops' preambles among them) in front of the prompt as
/// `<hook_context>…</hook_context>`, which is not the user's text.
fn users_prompt(prompt: &str) -> &str {
    match prompt.strip_prefix("<hook_context>") {
        Some(rest) => rest
            .split_once("</hook_context>")
            .map_or(prompt, |(_, after)| after.trim_start()),
        None => prompt,
    }
}

/// Gemini's payload as engine calls.
pub fn translate(native: &str, payload: &Value) -> Translation {
    let Some(event) = event(native) else {
        return Translation::Nothing;
    };
    let cwd = text(payload, "cwd");
    let mut out = base(event, payload.get("session_id"), payload.get("cwd"));
    if let Some(t) = payload.get("transcript_path") {
        out.insert("transcript_path".into(), t.clone());
    }
    let mut calls = Vec::new();
    match event {
        HookEvent::PreToolUse | HookEvent::PostToolUse => {
            let name = text(payload, "tool_name").unwrap_or_default();
            let args = payload.get("tool_input").cloned().unwrap_or(json!({}));
            let mcp = payload.get("mcp_context");
            let inputs: Vec<(String, Value)> = if name == "read_many_files" {
                // One Read per named file, so each is judged.
                args.get("paths")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(|p| ("Read".to_string(), json!({"file_path": absolute(p, cwd)})))
                    .collect()
            } else if let Some(server) = mcp.and_then(|m| text(m, "server_name")) {
                let tool = mcp.and_then(|m| text(m, "tool_name")).unwrap_or(name);
                vec![(format!("mcp__{server}__{tool}"), args.clone())]
            } else {
                vec![claude_tool(name, &args, cwd)]
            };
            let response = payload.get("tool_response");
            let failed = response
                .and_then(|r| r.get("error"))
                .is_some_and(|e| !e.is_null());
            for (tool, input) in inputs {
                let mut p = out.clone();
                p.insert("tool_name".into(), json!(tool));
                p.insert("tool_input".into(), input);
                let mut event = event;
                if let Some(r) = response {
                    let text = r.get("llmContent").cloned().unwrap_or_else(|| r.clone());
                    if failed {
                        event = HookEvent::PostToolUseFailure;
                        p.insert("hook_event_name".into(), json!(event.as_str()));
                        p.insert("error".into(), r["error"].clone());
                    } else if tool == "Bash" {
                        p.insert(
                            "tool_response".into(),
                            json!({"stdout": text, "stderr": ""}),
                        );
                    } else {
                        p.insert("tool_response".into(), text);
                    }
                }
                calls.push(Call {
                    event,
                    payload: Value::Object(p),
                });
            }
        }
        _ => {
            for key in ["source", "reason", "stop_hook_active", "message"] {
                if let Some(v) = payload.get(key) {
                    out.insert(key.into(), v.clone());
                }
            }
            if let Some(prompt) = text(payload, "prompt") {
                out.insert("prompt".into(), json!(users_prompt(prompt)));
            }
            if let Some(v) = payload.get("prompt_response") {
                out.insert("last_assistant_message".into(), v.clone());
            }
            calls.push(Call {
                event,
                payload: Value::Object(out),
            });
        }
    }
    Translation::Calls(calls)
}

/// The answer as Gemini reads it.
pub fn render(
    native: &str,
    reply: &Reply,
    stop_hook_active: bool,
    fallback: AskFallback,
) -> Rendered {
    let Some(event) = event(native) else {
        return Rendered::nothing();
    };
    let verdict = reply.verdict(false, fallback);
    let mut out = serde_json::Map::new();
    let blocks = match event {
        HookEvent::Stop => !stop_hook_active,
        _ => true,
    };
    if let Verdict::Deny(reason) = &verdict {
        if blocks && event != HookEvent::SessionStart && event != HookEvent::SessionEnd {
            out.insert("decision".into(), json!("deny"));
            out.insert("reason".into(), json!(reason));
        }
    }
    let context = reply.context.join("\n\n");
    let takes_context = matches!(
        event,
        HookEvent::PostToolUse | HookEvent::UserPromptSubmit | HookEvent::SessionStart
    );
    let notes = reply.notes(&verdict);
    // Guidance for the model goes where Gemini passes it on; elsewhere it
    // is dropped rather than shown to the user as noise.
    if !context.is_empty() && takes_context {
        out.insert(
            "hookSpecificOutput".into(),
            json!({"hookEventName": native, "additionalContext": context}),
        );
    }
    if !notes.is_empty() {
        out.insert("systemMessage".into(), json!(notes.join("\n")));
    }
    if out.is_empty() {
        Rendered::nothing()
    } else {
        Rendered::json(Value::Object(out))
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
    fn tools_and_events_are_named_as_claude_code_names_them() {
        let shell = json!({"session_id": "g", "cwd": "/w", "hook_event_name": "BeforeTool",
            "timestamp": "2026-12-02T01:30:53.828Z", "tool_name": "run_shell_command",
            "tool_input": {"command": "cat .env", "description": "x"}});
        let c = translate_calls("BeforeTool", &shell);
        assert_eq!(c[0].event, HookEvent::PreToolUse);
        assert_eq!(c[0].payload["tool_name"], "Bash");
        assert_eq!(c[0].payload["tool_input"], json!({"command": "cat .env"}));
        let write = json!({"cwd": "/w", "tool_name": "write_file", "tool_input": {"file_path": "a.js", "content": "x"}});
        let c = translate_calls("BeforeTool", &write);
        assert_eq!(
            c[0].payload["tool_input"],
            json!({"file_path": "/w/a.js", "content": "x"})
        );
        let many = json!({"cwd": "/w", "tool_name": "read_many_files", "tool_input": {"paths": ["a", ".env"]}});
        assert_eq!(translate_calls("BeforeTool", &many).len(), 2);
        let failed = json!({"cwd": "/w", "tool_name": "run_shell_command", "tool_input": {"command": "false"},
            "tool_response": {"llmContent": "", "returnDisplay": "", "error": "exit 1"}});
        assert_eq!(
            translate_calls("AfterTool", &failed)[0].event,
            HookEvent::PostToolUseFailure
        );
        assert_eq!(translate("BeforeModel", &json!({})), Translation::Nothing);
    }

    #[test]
    fn the_prompt_is_the_users_without_the_hook_context_gemini_put_in_front() {
        let p = json!({"cwd": "/w", "prompt": "<hook_context>agentops: [PREAMBLE001] STAR &lt;x&gt;</hook_context>\n\nfix the parser"});
        let c = translate_calls("BeforeAgent", &p);
        assert_eq!(c[0].payload["prompt"], "fix the parser");
        let plain = json!({"cwd": "/w", "prompt": "fix <hook_context> handling"});
        assert_eq!(
            translate_calls("BeforeAgent", &plain)[0].payload["prompt"],
            "fix <hook_context> handling"
        );
    }

    #[test]
    fn a_deny_is_a_decision_and_an_ask_never_reaches_gemini() {
        let deny = Reply {
            decision: Decision::Deny,
            reason: "agentops: [CMD013] x".into(),
            ..Reply::default()
        };
        let v: Value = serde_json::from_str(
            render("BeforeTool", &deny, false, AskFallback::Deny)
                .stdout
                .as_deref()
                .unwrap_or(""),
        )
        .expect("json");
        assert_eq!(
            v,
            json!({"decision": "deny", "reason": "agentops: [CMD013] x"})
        );
        let ask = Reply {
            decision: Decision::Ask,
            ..deny
        };
        let out = render("BeforeTool", &ask, false, AskFallback::Deny)
            .stdout
            .unwrap_or_default();
        assert!(out.contains("\"deny\"") && !out.contains("\"ask\""));
        let context = Reply {
            context: vec!["c".into()],
            ..Reply::default()
        };
        let v: Value = serde_json::from_str(
            render("SessionStart", &context, false, AskFallback::Deny)
                .stdout
                .as_deref()
                .unwrap_or(""),
        )
        .expect("json");
        assert_eq!(v["hookSpecificOutput"]["additionalContext"], "c");
        assert_eq!(
            render("BeforeTool", &Reply::default(), false, AskFallback::Deny),
            Rendered::nothing()
        );
    }
}
