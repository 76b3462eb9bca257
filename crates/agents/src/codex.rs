//! OpenAI Codex CLI (0.171). Events and payloads are Claude Code's, with
//! three differences that matter: edits arrive as one `apply_patch` call
//! with the raw patch in `tool_input.command`; `tool_response` is a plain
//! string; and every output schema is closed (`additionalProperties:
//! false`), so an unknown field, a plain `allow` or an `ask` fails the
//! hook and Codex runs the command. Answers therefore use only the fields
//! Codex accepts, and never ask (Codex cannot).

use agentops_core::HookEvent;
use serde_json::{json, Value};

use crate::{patch, text, AskFallback, Rendered, Reply, Translation, Verdict};

/// The Claude Code event a Codex event stands for (the same names).
pub fn event(native: &str) -> Option<HookEvent> {
    native.parse().ok()
}

/// Codex's payload as engine calls.
pub fn translate(native: &str, payload: &Value) -> Translation {
    let Some(event) = event(native) else {
        return Translation::Nothing;
    };
    let mut base = payload.clone();
    if let Some(obj) = base.as_object_mut() {
        obj.insert("hook_event_name".into(), json!(event.as_str()));
        obj.remove("tool_response");
        // `codex exec` reports `bypassPermissions` whatever the approval
        // policy and sandbox, so it says nothing about a user who chose to
        // skip prompts; taken at its word it would relax every rule that
        // asks. (A user who wants asks let through sets
        // `agent_ask_fallback` to `allow`.)
        obj.insert("permission_mode".into(), json!("default"));
    }
    let response = payload.get("tool_response");
    let tool = text(payload, "tool_name").unwrap_or_default();
    let cwd = text(payload, "cwd");
    let calls: Vec<(String, Value)> = if tool == "apply_patch" {
        let patch_text = payload
            .get("tool_input")
            .and_then(|i| text(i, "command").or_else(|| text(i, "input")))
            .unwrap_or_default();
        match patch::parse(patch_text) {
            Some(ops) => patch::tool_calls(&ops, cwd)
                .into_iter()
                .map(|(name, input)| (name.to_string(), input))
                .collect(),
            // Not a patch the parser knows: judged as what it is.
            None => vec![(
                tool.to_string(),
                payload.get("tool_input").cloned().unwrap_or(json!({})),
            )],
        }
    } else {
        vec![(
            tool.to_string(),
            payload.get("tool_input").cloned().unwrap_or(Value::Null),
        )]
    };
    let calls = calls
        .into_iter()
        .map(|(name, input)| {
            let mut p = base.clone();
            if let Some(obj) = p.as_object_mut() {
                if !name.is_empty() {
                    obj.insert("tool_name".into(), json!(name));
                    obj.insert("tool_input".into(), input);
                }
                if let Some(r) = response {
                    obj.insert("tool_response".into(), claude_response(&name, r));
                }
            }
            crate::Call { event, payload: p }
        })
        .collect();
    Translation::Calls(calls)
}

/// Codex reports a tool's result as text; the Bash guards read Claude's
/// `{stdout, stderr}` shape.
fn claude_response(tool: &str, response: &Value) -> Value {
    match (tool, response) {
        ("Bash", Value::String(s)) => json!({"stdout": s, "stderr": "", "interrupted": false}),
        _ => response.clone(),
    }
}

/// The answer in Codex's closed schemas.
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
    let rendered = answer(event, &verdict, reply, stop_hook_active);
    // Every Codex output schema has `systemMessage`: notes for the user.
    let notes = reply.notes(&verdict);
    if notes.is_empty() {
        return rendered;
    }
    let mut value: Value = rendered
        .stdout
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_else(|| json!({}));
    if let Some(obj) = value.as_object_mut() {
        obj.insert("systemMessage".into(), json!(notes.join("\n")));
    }
    Rendered::json(value)
}

fn answer(event: HookEvent, verdict: &Verdict, reply: &Reply, stop_hook_active: bool) -> Rendered {
    let context = reply.context.join("\n\n");
    let with_context = |event: HookEvent| {
        if context.is_empty() {
            Rendered::nothing()
        } else {
            Rendered::json(json!({"hookSpecificOutput": {
                "hookEventName": event.as_str(), "additionalContext": context}}))
        }
    };
    match (event, verdict) {
        (HookEvent::PreToolUse, Verdict::Deny(reason)) => {
            Rendered::json(json!({"hookSpecificOutput": {"hookEventName": "PreToolUse",
                "permissionDecision": "deny", "permissionDecisionReason": reason}}))
        }
        (HookEvent::PermissionRequest, Verdict::Deny(reason)) => Rendered::json(
            json!({"hookSpecificOutput": {"hookEventName": "PermissionRequest",
                "decision": {"behavior": "deny", "message": reason}}}),
        ),
        (HookEvent::UserPromptSubmit | HookEvent::PostToolUse, Verdict::Deny(reason)) => {
            Rendered::json(json!({"decision": "block", "reason": reason}))
        }
        (HookEvent::Stop | HookEvent::SubagentStop, Verdict::Deny(reason)) if !stop_hook_active => {
            Rendered::json(json!({"decision": "block", "reason": reason}))
        }
        (
            HookEvent::PreToolUse
            | HookEvent::PostToolUse
            | HookEvent::UserPromptSubmit
            | HookEvent::SessionStart
            | HookEvent::SubagentStart,
            _,
        ) => with_context(event),
        _ => Rendered::nothing(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translate_calls(native: &str, payload: &Value) -> Vec<crate::Call> {
        translate(native, payload).into_calls()
    }
    use agentops_core::Decision;

    #[test]
    fn a_shell_call_keeps_its_fields_and_its_text_result_becomes_stdout() {
        let payload = json!({"session_id": "s", "turn_id": "t", "cwd": "/w", "hook_event_name": "PostToolUse",
            "model": "gpt-5.5", "permission_mode": "default", "tool_name": "Bash",
            "tool_input": {"command": "cat .env"}, "tool_use_id": "c1",
            "tool_response": "Exit code: 0\nOutput:\nTOKEN=1\n"});
        let c = translate_calls("PostToolUse", &payload);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].event, HookEvent::PostToolUse);
        assert_eq!(c[0].payload["tool_input"]["command"], "cat .env");
        assert_eq!(
            c[0].payload["tool_response"]["stdout"],
            "Exit code: 0\nOutput:\nTOKEN=1\n"
        );
    }

    #[test]
    fn codex_permission_mode_does_not_relax_the_rules() {
        let payload = json!({"hook_event_name": "PreToolUse", "cwd": "/w", "permission_mode": "bypassPermissions",
            "tool_name": "Bash", "tool_input": {"command": "cat .env"}});
        let c = translate_calls("PreToolUse", &payload);
        assert_eq!(c[0].payload["permission_mode"], "default");
    }

    #[test]
    fn a_patch_becomes_one_call_per_file() {
        let payload = json!({"hook_event_name": "PreToolUse", "cwd": "/w", "tool_name": "apply_patch",
            "tool_input": {"command": "*** Begin Patch\n*** Add File: a.js\n+ok\n*** Delete File: b.js\n*** End Patch\n"}});
        let c = translate_calls("PreToolUse", &payload);
        let tools: Vec<&str> = c
            .iter()
            .filter_map(|c| c.payload["tool_name"].as_str())
            .collect();
        assert_eq!(tools, ["Write", "Bash"]);
        assert_eq!(c[0].payload["tool_input"]["file_path"], "/w/a.js");
    }

    #[test]
    fn denies_use_only_fields_codex_accepts_and_asks_become_denies() {
        let deny = Reply {
            decision: Decision::Deny,
            reason: "agentops: [CMD013] reads a secret file".into(),
            ..Reply::default()
        };
        let out = render("PreToolUse", &deny, false, AskFallback::Deny);
        let v: Value = serde_json::from_str(out.stdout.as_deref().unwrap_or("")).expect("json");
        assert_eq!(
            v,
            json!({"hookSpecificOutput": {"hookEventName": "PreToolUse",
            "permissionDecision": "deny", "permissionDecisionReason": "agentops: [CMD013] reads a secret file"}})
        );
        let ask = Reply {
            decision: Decision::Ask,
            ..deny.clone()
        };
        let out = render("PreToolUse", &ask, false, AskFallback::Deny);
        assert!(out.stdout.as_deref().unwrap_or("").contains("\"deny\""));
        // With the fallback set to allow: no decision, a note for the user.
        let let_through = render("PreToolUse", &ask, false, AskFallback::Allow)
            .stdout
            .unwrap_or_default();
        assert!(!let_through.contains("permissionDecision"), "{let_through}");
        assert!(let_through.contains("systemMessage"), "{let_through}");
        // No opinion prints nothing: a plain allow would fail the hook.
        assert_eq!(
            render("PreToolUse", &Reply::default(), false, AskFallback::Deny),
            Rendered::nothing()
        );
        // Stop blocks once.
        assert!(render("Stop", &deny, false, AskFallback::Deny)
            .stdout
            .is_some());
        assert_eq!(
            render("Stop", &deny, true, AskFallback::Deny),
            Rendered::nothing()
        );
        assert_eq!(
            render("Interrupt", &deny, false, AskFallback::Deny),
            Rendered::nothing()
        );
    }
}
