//! agentops' answers to Codex, validated against the output schemas Codex
//! 0.171 embeds (`tests/golden/codex/*.output.schema.json`, read out of the
//! binary). Every schema is closed (`additionalProperties: false`): an
//! answer with one field too many fails the hook, and Codex then runs the
//! command. A small validator for the keywords those schemas use.

use std::path::Path;

use agentops_agents::{codex, AskFallback, Reply};
use agentops_core::Decision;
use serde_json::Value;

fn schema(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/codex")
        .join(format!("{name}.output.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Problems of `value` against `schema` (`root` resolves `$ref`s).
fn validate(value: &Value, schema: &Value, root: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/definitions/");
        return validate(value, &root["definitions"][name], root, at, problems);
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            validate(value, s, root, at, problems);
        }
    }
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
        let fits = any.iter().any(|s| {
            let mut p = Vec::new();
            validate(value, s, root, at, &mut p);
            p.is_empty()
        });
        if !fits {
            problems.push(format!("{at}: fits none of anyOf"));
        }
    }
    if let Some(c) = schema.get("const") {
        if value != c {
            problems.push(format!("{at}: {value} is not {c}"));
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(value) {
            problems.push(format!("{at}: {value} is not one of {e:?}"));
        }
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let kind = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let fits = types.is_empty()
            || types.contains(&kind)
            || (kind == "number" && types.contains(&"integer"));
        if !fits {
            problems.push(format!("{at}: a {kind}, not {types:?}"));
        }
    }
    if let Some(obj) = value.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, v) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate(v, s, root, &format!("{at}.{k}"), problems),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    problems.push(format!("{at}: field `{k}` is not allowed"));
                }
                None => {}
            }
        }
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(r) = r.as_str() {
                if !obj.contains_key(r) {
                    problems.push(format!("{at}: `{r}` is required"));
                }
            }
        }
    }
}

fn replies() -> Vec<(&'static str, Reply)> {
    let deny = Reply {
        decision: Decision::Deny,
        reason: "agentops: [CMD013] reads a credential file".into(),
        ..Reply::default()
    };
    vec![
        ("deny", deny.clone()),
        (
            "ask",
            Reply {
                decision: Decision::Ask,
                ..deny.clone()
            },
        ),
        (
            "context",
            Reply {
                context: vec!["agentops: [TEST001] run the tests".into()],
                ..Reply::default()
            },
        ),
        (
            "note",
            Reply {
                messages: vec!["agentops: [INTEG001] a note".into()],
                ..Reply::default()
            },
        ),
        (
            "all",
            Reply {
                context: vec!["c".into()],
                messages: vec!["m".into()],
                ..deny
            },
        ),
    ]
}

#[test]
fn every_answer_to_every_codex_event_fits_its_closed_schema() {
    let events = [
        ("PreToolUse", "pre-tool-use"),
        ("PermissionRequest", "permission-request"),
        ("PostToolUse", "post-tool-use"),
        ("UserPromptSubmit", "user-prompt-submit"),
        ("SessionStart", "session-start"),
        ("SubagentStart", "subagent-start"),
        ("SubagentStop", "subagent-stop"),
        ("Stop", "stop"),
        ("PreCompact", "pre-compact"),
        ("PostCompact", "post-compact"),
    ];
    let mut checked = 0;
    for (event, file) in events {
        let root = schema(file);
        for (what, reply) in replies() {
            for fallback in [AskFallback::Deny, AskFallback::Allow] {
                let out = codex::render(event, &reply, false, fallback);
                let Some(text) = out.stdout else { continue };
                let value: Value = serde_json::from_str(&text).expect("one JSON object");
                let mut problems = Vec::new();
                validate(&value, &root, &root, event, &mut problems);
                assert!(
                    problems.is_empty(),
                    "{event} {what}: {value}\n{problems:#?}"
                );
                checked += 1;
            }
        }
    }
    // The validator itself rejects a field Codex does not know.
    let root = schema("pre-tool-use");
    let mut problems = Vec::new();
    validate(
        &serde_json::json!({"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny", "extra": 1}}),
        &root,
        &root,
        "x",
        &mut problems,
    );
    assert!(!problems.is_empty());
    assert!(checked >= 20, "only {checked} answers were checked");
}
