//! runtime-mode: `AGENTOPS_MODE` narrows which tools the agent may use.
//!
//! | mode         | Write/Edit | Web and MCP | Bash |
//! |--------------|------------|-------------|------|
//! | safe         | deny       | deny        | deny |
//! | standard     | -          | ask         | -    |
//! | full         | -          | -           | ask  |
//! | unrestricted | -          | -           | -    |

use agentops_core::outcome::Finding;
use agentops_core::{
    Context, HookEvent, HookInput, Outcome, Policy, Rule, RuntimeMode, Severity, Tool, ToolKind,
    ToolMatch,
};

/// Safe mode: a tool that writes, runs commands or reaches outside.
pub static SAFE_MODE_TOOL: Rule = Rule {
    id: "MODE001",
    name: "safe-mode-tool",
    policy: "runtime-mode",
    severity: Severity::Deny,
    reason: "safe mode allows only reading tools; switch AGENTOPS_MODE to standard or full to use this tool",
    why: "Safe mode is for letting an agent look at a codebase (review, explain, audit) with no way to change it: no file writes, no shell, no web or MCP calls that could leak what it read. Anything but reading tools is denied until the user chooses a wider mode.",
    fires: "PreToolUse Write: /p/src/main.rs <- fn main() {} | given $AGENTOPS_MODE=safe",
    instead: "use a reading tool (Read, Grep, Glob), or ask the user to switch modes",
    passes: "PreToolUse Write: /p/src/main.rs <- fn main() {} | given $AGENTOPS_MODE=standard",
};

/// Standard mode: a web or MCP tool.
pub static STANDARD_MODE_EXTERNAL: Rule = Rule {
    id: "MODE002",
    name: "standard-mode-external-tool",
    policy: "runtime-mode",
    severity: Severity::Ask,
    reason: "standard mode asks before web and MCP tools reach outside the project",
    why: "Web fetches and MCP tools carry project content to other services and bring untrusted text back into the agent's context, where it can steer it. In the default mode the user confirms each such call; full mode lets them through.",
    fires: "PreToolUse WebFetch: https://example.com/page",
    instead: "",
    passes: "PreToolUse WebFetch: https://example.com/page | given $AGENTOPS_MODE=full",
};

/// Full mode: a shell command.
pub static FULL_MODE_SHELL: Rule = Rule {
    id: "MODE003",
    name: "full-mode-shell",
    policy: "runtime-mode",
    severity: Severity::Ask,
    reason: "full mode asks before each shell command",
    why: "Full mode opens the web and MCP tools without asking; in exchange every shell command, which can do anything the user can, waits for the user's confirmation. The command guards still apply on top.",
    fires: "PreToolUse Bash: cargo test | given $AGENTOPS_MODE=full",
    instead: "",
    passes: "PreToolUse Bash: cargo test",
};

static RULES: &[&Rule] = &[&SAFE_MODE_TOOL, &STANDARD_MODE_EXTERNAL, &FULL_MODE_SHELL];

/// The runtime-mode policy.
pub static RUNTIME_MODE: Policy = Policy {
    name: "runtime-mode",
    summary: "Restricts tools by AGENTOPS_MODE (safe, standard, full, unrestricted)",
    events: &[HookEvent::PreToolUse, HookEvent::SessionStart],
    tools: ToolMatch::Only(&[
        ToolKind::Write,
        ToolKind::Edit,
        ToolKind::MultiEdit,
        ToolKind::NotebookEdit,
        ToolKind::WebFetch,
        ToolKind::WebSearch,
        ToolKind::Mcp,
        ToolKind::Bash,
    ]),
    flag: None,
    rules: RULES,
    evaluate,
};

fn evaluate(event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    let mode = ctx.runtime_mode;
    if event == HookEvent::SessionStart {
        return match mode {
            RuntimeMode::Standard => Outcome::none(),
            _ => Outcome {
                messages: vec![format!("agentops runtime mode: {}", mode.as_str())],
                ..Outcome::default()
            },
        };
    }
    let Some(tool) = input.tool() else {
        return Outcome::none();
    };
    let writes = tool.writes_files();
    let external = tool.is_external();
    let shell = tool == Tool::Bash;
    let rule = match mode {
        RuntimeMode::Safe if writes || external || shell => &SAFE_MODE_TOOL,
        RuntimeMode::Standard if external => &STANDARD_MODE_EXTERNAL,
        RuntimeMode::Full if shell => &FULL_MODE_SHELL,
        _ => return Outcome::none(),
    };
    let subject = input.tool_name.clone().unwrap_or_default();
    Outcome {
        findings: vec![Finding::with_subject(rule, subject)],
        ..Outcome::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(mode: RuntimeMode, tool: &str) -> Vec<&'static str> {
        let ctx = Context {
            runtime_mode: mode,
            ..Context::default()
        };
        let input = HookInput {
            tool_name: Some(tool.into()),
            ..HookInput::default()
        };
        RUNTIME_MODE
            .evaluate(HookEvent::PreToolUse, &input, &ctx)
            .findings
            .iter()
            .map(|f| f.rule.id)
            .collect()
    }

    #[test]
    fn table() {
        use RuntimeMode::*;
        let cases: &[(RuntimeMode, &str, &[&str])] = &[
            (Safe, "Write", &["MODE001"]),
            (Safe, "NotebookEdit", &["MODE001"]),
            (Safe, "Bash", &["MODE001"]),
            (Safe, "WebFetch", &["MODE001"]),
            (Safe, "mcp__github__list", &["MODE001"]),
            (Safe, "Read", &[]),
            (Safe, "Grep", &[]),
            (Standard, "WebSearch", &["MODE002"]),
            (Standard, "Bash", &[]),
            (Standard, "Edit", &[]),
            (Full, "Bash", &["MODE003"]),
            (Full, "WebFetch", &[]),
            (Unrestricted, "Bash", &[]),
            (Unrestricted, "WebFetch", &[]),
        ];
        for (mode, tool, want) in cases {
            assert_eq!(ids(*mode, tool), *want, "{mode:?} {tool}");
        }
    }

    #[test]
    fn session_start_names_non_default_modes_only() {
        let input = HookInput::default();
        let standard = Context::default();
        assert!(RUNTIME_MODE
            .evaluate(HookEvent::SessionStart, &input, &standard)
            .is_empty());
        let safe = Context {
            runtime_mode: RuntimeMode::Safe,
            ..Context::default()
        };
        let out = RUNTIME_MODE.evaluate(HookEvent::SessionStart, &input, &safe);
        assert_eq!(out.messages, ["agentops runtime mode: safe"]);
    }
}
