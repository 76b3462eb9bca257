//! `agentops replay`: feed a recorded session, one hook payload per line,
//! through the real engine against a project directory.

use std::io::BufRead;
use std::path::Path;

use agentops_core::{HookEvent, HookInput};
use serde_json::Value;

use crate::environment::Environment;
use crate::run::{run_hook, HookRun, Selection};

/// Placeholder in recorded sessions replaced by the project directory, so
/// one recording works against any temporary project.
pub const PROJECT_PLACEHOLDER: &str = "${PROJECT_DIR}";

/// One replayed event, summarised.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayStep {
    /// 1-based line number in the recording.
    pub line: usize,
    /// The event, as Claude Code spells it.
    pub event: String,
    /// The payload's `tool_name`, if any.
    pub tool: Option<String>,
    /// `allow`, `ask`, `deny`, `block`, `note` (a message only) or `-`.
    pub outcome: &'static str,
    /// Ids of the rules that fired, in verdict order (consecutive repeats
    /// dropped).
    pub rule_ids: Vec<&'static str>,
    /// The answer's first explanation: decision reason, block reason, message
    /// or context; empty when the answer is silent.
    pub reason: String,
}

/// A line that could not be replayed.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayError {
    /// 1-based line number in the recording; replay stops at this line.
    pub line: usize,
    /// What was wrong: unreadable, not a payload, or an unknown event.
    pub message: String,
}

/// How the printed answer reads to Claude Code.
pub fn outcome_label(event: HookEvent, output: Option<&Value>) -> &'static str {
    let Some(out) = output else {
        return if event.is_gate() { "allow" } else { "-" };
    };
    let specific = out.get("hookSpecificOutput");
    if let Some(d) = specific
        .and_then(|s| s.get("permissionDecision"))
        .and_then(Value::as_str)
    {
        return match d {
            "deny" => "deny",
            "ask" => "ask",
            _ => "allow",
        };
    }
    let behavior = specific
        .and_then(|s| s.get("decision"))
        .and_then(|d| d.get("behavior"))
        .and_then(Value::as_str);
    if behavior == Some("deny") {
        return "deny";
    }
    if out.get("decision").and_then(Value::as_str) == Some("block") {
        return "block";
    }
    "note"
}

fn reason_text(output: Option<&Value>) -> String {
    let Some(out) = output else {
        return String::new();
    };
    let specific = out.get("hookSpecificOutput");
    [
        specific.and_then(|s| s.get("permissionDecisionReason")),
        specific
            .and_then(|s| s.get("decision"))
            .and_then(|d| d.get("message")),
        out.get("reason"),
        out.get("systemMessage"),
        specific.and_then(|s| s.get("additionalContext")),
    ]
    .into_iter()
    .flatten()
    .filter_map(Value::as_str)
    .next()
    .unwrap_or_default()
    .to_string()
}

fn summarise(line: usize, event: HookEvent, run: &HookRun) -> ReplayStep {
    let mut rule_ids: Vec<&'static str> = run
        .answer
        .verdicts
        .iter()
        .map(|v| v.finding.rule.id)
        .collect();
    rule_ids.dedup();
    ReplayStep {
        line,
        event: event.to_string(),
        tool: run.input.as_ref().and_then(|i| i.tool_name.clone()),
        outcome: outcome_label(event, run.output.as_ref()),
        rule_ids,
        reason: reason_text(run.output.as_ref()),
    }
}

/// Replay every non-blank line of `reader` against `project`. The event
/// comes from each payload's `hook_event_name` (or `hook_event`).
pub fn replay(
    reader: impl BufRead,
    project: &Path,
    base: &Environment,
) -> Result<Vec<(ReplayStep, HookRun)>, ReplayError> {
    let env = Environment {
        project_dir: Some(project.to_path_buf()),
        ..base.clone()
    };
    // JSON-escape the path once (backslashes on Windows, quotes anywhere).
    let escaped_project = serde_json::to_string(&project.to_string_lossy())
        .map(|s| s[1..s.len() - 1].to_string())
        .unwrap_or_default();
    let mut steps = Vec::new();
    for (index, line) in reader.lines().enumerate() {
        let number = index + 1;
        let line = line.map_err(|e| ReplayError {
            line: number,
            message: e.to_string(),
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let line = line.replace(PROJECT_PLACEHOLDER, &escaped_project);
        let event = serde_json::from_str::<HookInput>(&line)
            .ok()
            .and_then(|i| i.event_name().map(str::to_string))
            .ok_or_else(|| ReplayError {
                line: number,
                message: "not a hook payload with `hook_event_name`".into(),
            })?;
        let event: HookEvent = event.parse().map_err(|e| ReplayError {
            line: number,
            message: format!("{e}"),
        })?;
        let run = run_hook(event, Selection::All, Ok(line.into_bytes()), &env);
        steps.push((summarise(number, event, &run), run));
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_follow_claude_code_semantics() {
        use HookEvent::*;
        let ask = json!({"hookSpecificOutput": {"permissionDecision": "ask"}});
        let request_denied = json!({"hookSpecificOutput": {"decision": {"behavior": "deny"}}});
        assert_eq!(outcome_label(Stop, None), "-");
        assert_eq!(outcome_label(PreToolUse, None), "allow");
        assert_eq!(outcome_label(PreToolUse, Some(&ask)), "ask");
        assert_eq!(
            outcome_label(Stop, Some(&json!({"decision": "block"}))),
            "block"
        );
        assert_eq!(
            outcome_label(PermissionRequest, Some(&request_denied)),
            "deny"
        );
        assert_eq!(
            outcome_label(PostToolUse, Some(&json!({"systemMessage": "x"}))),
            "note"
        );
    }

    #[test]
    fn replays_lines_with_the_project_substituted() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let session = concat!(
            r#"{"hook_event_name":"SessionStart","cwd":"${PROJECT_DIR}"}"#,
            "\n\n",
            r#"{"hook_event_name":"PreToolUse","tool_name":"WebFetch","tool_input":{"url":"https://example.com"}}"#,
            "\n"
        );
        let steps =
            replay(session.as_bytes(), tmp.path(), &Environment::default()).expect("replay");
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].0.line, 1);
        assert_eq!(steps[1].0.line, 3);
        assert_eq!(steps[1].0.outcome, "ask");
        assert!(steps[1].0.rule_ids.contains(&"MODE002"));
        let cwd = steps[0].1.input.as_ref().and_then(|i| i.cwd.clone());
        assert_eq!(cwd.as_deref(), tmp.path().to_str());
    }

    #[test]
    fn reports_the_line_of_a_bad_record() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let err = replay(
            &b"{\"hook_event_name\":\"Nope\"}\n"[..],
            tmp.path(),
            &Environment::default(),
        )
        .err()
        .expect("error");
        assert_eq!(err.line, 1);
        assert!(err.message.contains("Nope"));
    }
}
