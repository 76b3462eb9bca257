//! lessons-check: at session start, load the most recent lessons from
//! `tasks/lessons.md` so past mistakes are not repeated.

use agentops_core::{
    Context, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity, ToolMatch,
};

use agentops_workflow::lessons;
use agentops_workflow::session::{self, nudge, LESSONS_FILE};

pub static LESSONS_LOADED: Rule = Rule {
    id: "LESSONS001",
    name: "lessons-loaded",
    policy: "lessons-check",
    severity: Severity::Warn,
    reason: "lessons from tasks/lessons.md apply to this session",
    ..Rule::PENDING_DOCS
};

static RULES: &[&Rule] = &[&LESSONS_LOADED];

/// Lines of the file's end shown to the agent.
pub const RECENT_LINES: usize = 20;

/// Pure: the lessons note for a lessons file's contents.
pub fn decide(text: Option<&str>) -> Outcome {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return Outcome::none();
    };
    let lines: Vec<&str> = text.lines().collect();
    let recent = lines[lines.len().saturating_sub(RECENT_LINES)..].join("\n");
    let body = format!(
        "{} lesson(s) recorded in tasks/lessons.md. The most recent entries:\n{recent}\n\nApply these rules so the same mistakes do not happen again.",
        lessons::count(text)
    );
    Outcome {
        context: vec![nudge(&LESSONS_LOADED, &body)],
        ..Outcome::default()
    }
}

pub static LESSONS_CHECK: Policy = Policy {
    name: "lessons-check",
    summary: "Loads recent lessons from tasks/lessons.md at session start",
    events: &[HookEvent::SessionStart],
    tools: ToolMatch::Any,
    flag: Some(("lessons_enabled", FlagKind::Security)),
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, _input: &HookInput, ctx: &Context) -> Outcome {
    let text = session::read_text(
        ctx,
        &ctx.project_dir.join(LESSONS_FILE),
        session::DOC_READ_LIMIT,
    );
    decide(text.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let many: String = (0..30).map(|i| format!("line {i}\n")).collect();
        let cases: &[(Option<&str>, Option<&[&str]>)] = &[
            (None, None),
            (Some(""), None),
            (Some("  \n"), None),
            (
                Some("# Lessons\n## Lesson: a\n**Rule:** r\n## Lesson: b\n"),
                Some(&["2 lesson(s)", "**Rule:** r", "[LESSONS001]"]),
            ),
            (Some(&many), Some(&["0 lesson(s)", "line 10\n", "line 29"])),
        ];
        for (text, want) in cases {
            let out = decide(*text);
            match want {
                None => assert!(out.is_empty(), "{text:?}"),
                Some(parts) => {
                    for part in *parts {
                        assert!(out.context[0].contains(part), "{part}: {}", out.context[0]);
                    }
                }
            }
        }
        // Only the last lines are shown.
        assert!(!decide(Some(&many)).context[0].contains("line 9\n"));
    }
}
