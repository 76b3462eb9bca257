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
    Context, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, RuntimeMode, Severity, Tool,
};

pub struct RuntimeModePolicy;

pub static SAFE_MODE_TOOL: Rule = Rule {
    id: "MODE001",
    name: "safe-mode-tool",
    policy: "runtime-mode",
    severity: Severity::Deny,
    reason: "safe mode allows only reading tools; switch AGENTOPS_MODE to standard or full to use this tool",
};

pub static STANDARD_MODE_EXTERNAL: Rule = Rule {
    id: "MODE002",
    name: "standard-mode-external-tool",
    policy: "runtime-mode",
    severity: Severity::Ask,
    reason: "standard mode asks before web and MCP tools reach outside the project",
};

pub static FULL_MODE_SHELL: Rule = Rule {
    id: "MODE003",
    name: "full-mode-shell",
    policy: "runtime-mode",
    severity: Severity::Ask,
    reason: "full mode asks before each shell command",
};

static RULES: &[&Rule] = &[&SAFE_MODE_TOOL, &STANDARD_MODE_EXTERNAL, &FULL_MODE_SHELL];

impl Policy for RuntimeModePolicy {
    fn name(&self) -> &'static str {
        "runtime-mode"
    }

    fn summary(&self) -> &'static str {
        "Restricts tools by AGENTOPS_MODE (safe, standard, full, unrestricted)"
    }

    fn events(&self) -> &'static [HookEvent] {
        &[HookEvent::PreToolUse, HookEvent::SessionStart]
    }

    fn matches_tool(&self, tool: &Tool) -> bool {
        tool.writes_files() || tool.is_external() || *tool == Tool::Bash
    }

    fn flag(&self) -> Option<(&'static str, FlagKind)> {
        None
    }

    fn rules(&self) -> &'static [&'static Rule] {
        RULES
    }

    fn evaluate(&self, event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
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
        RuntimeModePolicy
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
        assert!(RuntimeModePolicy
            .evaluate(HookEvent::SessionStart, &input, &standard)
            .is_empty());
        let safe = Context {
            runtime_mode: RuntimeMode::Safe,
            ..Context::default()
        };
        let out = RuntimeModePolicy.evaluate(HookEvent::SessionStart, &input, &safe);
        assert_eq!(out.messages, ["agentops runtime mode: safe"]);
    }
}
