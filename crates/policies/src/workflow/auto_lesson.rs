//! auto-lesson: after a tool failure, ask the agent to capture a lesson
//! (what failed, the pattern behind it, a rule against it). Expected
//! failures are skipped: a Read or Glob probing for a file that does not
//! exist, an interrupted call, and failures of the lesson capture itself
//! (which would otherwise loop).

use agentops_core::{
    Context, Finding, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity, Tool,
    ToolMatch,
};

use agentops_workflow::session::error_text;

/// Characters of the error quoted back to the agent.
pub const ERROR_CHARS: usize = 300;

/// LESSON001: guidance to capture a lesson after a tool failure.
pub static CAPTURE_LESSON: Rule = Rule {
    id: "LESSON001",
    name: "capture-lesson",
    policy: "auto-lesson",
    severity: Severity::Guide,
    reason: "a tool failed; capture a lesson so it does not happen again",
    why: "Agents repeat the same mistakes across sessions because nothing carries what went \
          wrong forward. Writing down what failed, the pattern behind it and a rule against \
          it, right after the failure, puts it in tasks/lessons.md, which lessons-check \
          shows at the next session start. Expected failures (a probe for a missing file, an \
          interrupted call) are skipped.",
    fires: "PostToolUseFailure Bash: cargo build => error[E0308]: mismatched types",
    instead: "",
    passes: "PostToolUseFailure Read: /p/src/config.rs => File does not exist.",
};

static RULES: &[&Rule] = &[&CAPTURE_LESSON];

fn is_missing_file(error: &str) -> bool {
    let lower = error.to_lowercase();
    ["does not exist", "no such file", "not found", "no matches"]
        .iter()
        .any(|p| lower.contains(p))
}

fn is_lesson_capture(command: &str) -> bool {
    let lower = command.to_lowercase();
    lower.contains("lessons.")
        || lower.contains("/agentops:lesson")
        || lower.contains("agentops lessons")
        || lower
            .find("lesson")
            .is_some_and(|i| lower[i..].contains("learned"))
}

/// Pure: the lesson request for one failure, if it deserves one.
pub fn decide(input: &HookInput) -> Outcome {
    if input.is_interrupt == Some(true) {
        return Outcome::none();
    }
    let tool = input.tool_name.as_deref().unwrap_or("unknown");
    let error = error_text(input).unwrap_or_default();
    let skip = match input.tool() {
        Some(Tool::Read | Tool::Glob) => is_missing_file(&error),
        Some(Tool::Bash) => input.command().is_some_and(is_lesson_capture),
        _ => false,
    };
    if skip {
        return Outcome::none();
    }
    let error: String = agentops_redact::redact(&error)
        .chars()
        .take(ERROR_CHARS)
        .collect();
    Outcome {
        findings: vec![Finding::with_text(
            &CAPTURE_LESSON,
            format!("The {tool} call failed. Capture a lesson now with /agentops:lesson: what failed, the pattern behind it, and a rule that prevents it next time. Error: {error}"),
        )],
        ..Outcome::default()
    }
}

/// The auto-lesson policy.
pub static AUTO_LESSON: Policy = Policy {
    name: "auto-lesson",
    summary: "Asks the agent to capture a lesson after an unexpected tool failure",
    events: &[HookEvent::PostToolUseFailure],
    tools: ToolMatch::Only(agentops_workflow::session::FAILURE_HOOK_TOOLS),
    flag: Some(("auto_lesson_enabled", FlagKind::Automation)),
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, input: &HookInput, _ctx: &Context) -> Outcome {
    decide(input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn failure(
        tool: &str,
        tool_input: serde_json::Value,
        error: &str,
        interrupt: bool,
    ) -> HookInput {
        serde_json::from_value(json!({
            "tool_name": tool,
            "tool_input": tool_input,
            "error": error,
            "is_interrupt": interrupt,
        }))
        .expect("payload")
    }

    #[test]
    fn table() {
        let cases: &[(HookInput, bool)] = &[
            (
                failure(
                    "Bash",
                    json!({"command": "cargo build"}),
                    "error[E0308]: mismatched types",
                    false,
                ),
                true,
            ),
            (
                failure(
                    "Edit",
                    json!({"file_path": "/p/a.rs"}),
                    "old_string not found in file",
                    false,
                ),
                true,
            ),
            (
                failure(
                    "Read",
                    json!({"file_path": "/p/x"}),
                    "File does not exist.",
                    false,
                ),
                false,
            ),
            (
                failure(
                    "Glob",
                    json!({"pattern": "*.zz"}),
                    "No matches found",
                    false,
                ),
                false,
            ),
            (
                failure(
                    "Read",
                    json!({"file_path": "/p/x"}),
                    "EACCES: permission denied",
                    false,
                ),
                true,
            ),
            (
                failure(
                    "Bash",
                    json!({"command": "cat >> tasks/lessons.md"}),
                    "disk full",
                    false,
                ),
                false,
            ),
            (
                failure(
                    "Bash",
                    json!({"command": "agentops lessons add --title x"}),
                    "bad flag",
                    false,
                ),
                false,
            ),
            (
                failure("Bash", json!({"command": "sleep 100"}), "interrupted", true),
                false,
            ),
        ];
        for (input, speaks) in cases {
            let out = decide(input);
            assert!(out.context.is_empty(), "guidance is a finding");
            assert_eq!(
                !out.findings.is_empty(),
                *speaks,
                "{:?} {:?}",
                input.tool_input,
                input.error
            );
        }
        let said = decide(&cases[0].0).findings[0].describe();
        assert!(
            said.contains("[LESSON001]")
                && said.contains("The Bash call failed")
                && said.contains("E0308")
        );
    }

    #[test]
    fn quoted_errors_are_redacted_and_short() {
        let long = format!("token ghp_{} {}", "a".repeat(36), "x".repeat(1000));
        let said = decide(&failure("Bash", json!({"command": "gh api"}), &long, false)).findings[0]
            .describe();
        assert!(!said.contains(&"a".repeat(36)), "{said}");
        assert!(said.len() < 600);
    }

    #[test]
    fn off_unless_exactly_true() {
        use agentops_core::Flags;
        assert!(AUTO_LESSON.enabled(&Flags::default()));
        let off = Flags::from_pairs([("auto_lesson_enabled", json!("on"))]);
        assert!(!AUTO_LESSON.enabled(&off));
    }
}
