//! lessons-check: at session start, load the most recent lessons from
//! `tasks/lessons.md` so past mistakes are not repeated.

use agentops_core::{
    Context, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity, ToolMatch,
};

use agentops_workflow::lessons;
use agentops_workflow::session::{self, LESSONS_FILE};

/// The recent lessons, given to the agent at session start (guidance).
pub static LESSONS_LOADED: Rule = Rule {
    id: "LESSONS001",
    name: "lessons-loaded",
    policy: "lessons-check",
    severity: Severity::Guide,
    reason: "lessons from tasks/lessons.md apply to this session",
    why: "A new session remembers nothing of the last one, so a mistake corrected yesterday is made again today. The last lines of tasks/lessons.md (where /agentops:lesson and `agentops lessons add` record them) are put in front of the agent at every session start.",
    fires: "SessionStart: startup | given /p/tasks/lessons.md = # Lessons Learned\\n\\n## Lesson: Quote paths\\n**Rule:** quote every path in shell scripts",
    instead: "",
    passes: "SessionStart: startup | given /p/tasks/lessons.md = \\n\\n",
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
    Outcome::says(&LESSONS_LOADED, body)
}

/// The lessons-check policy.
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
                    assert!(out.context.is_empty() && out.messages.is_empty());
                    let said = out.findings[0].describe();
                    for part in *parts {
                        assert!(said.contains(part), "{part}: {said}");
                    }
                }
            }
        }
        // Only the last lines are shown.
        assert!(!decide(Some(&many)).findings[0]
            .describe()
            .contains("line 9\n"));
    }
}
