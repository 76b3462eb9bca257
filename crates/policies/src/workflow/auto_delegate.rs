//! auto-delegate: once five or more source files have been modified this
//! session, ask the agent (once per session) to have the code-critic and
//! security-reviewer agents review them.

use std::collections::BTreeSet;

use agentops_core::{
    Context, Finding, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity, ToolKind,
    ToolMatch,
};

use agentops_workflow::session::{self, DELEGATE_SENT, MODIFIED_FILES};

/// Distinct modified source files before reviewers are requested.
pub const DELEGATE_THRESHOLD: usize = 5;
/// Files named in the request.
const LISTED_FILES: usize = 20;

/// DELEG001: guidance to have the changes reviewed by specialist agents.
pub static REQUEST_REVIEW: Rule = Rule {
    id: "DELEG001",
    name: "request-specialist-review",
    policy: "auto-delegate",
    severity: Severity::Guide,
    reason: "five or more source files changed; have code-critic and security-reviewer review them",
    why: "A change that spans five or more source files is where design slips and security \
          gaps (unchecked input, missing authorisation, leaked data) hide, and the agent that \
          wrote it is the worst placed to see them. A second look by the code-critic and \
          security-reviewer agents, once per session, catches them before they are committed.",
    fires: r"PostToolUse Write: /p/src/e.go <- package e | given /p/.agentops/modified-files.txt = /p/src/a.rs\n/p/src/b.rs\n/p/src/c.ts\n/p/src/d.py\n/p/src/e.go",
    instead: "",
    passes: r"PostToolUse Write: /p/src/d.py <- x = 1 | given /p/.agentops/modified-files.txt = /p/src/a.rs\n/p/src/b.rs\n/p/src/c.ts\n/p/src/d.py\n/p/README.md",
};

static RULES: &[&Rule] = &[&REQUEST_REVIEW];

/// What auto-delegate reads before deciding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The review was already requested this session.
    pub already_sent: bool,
    /// The modified-files tracker, when it exists.
    pub tracked: Option<BTreeSet<String>>,
    /// Seconds since the Unix epoch, for the marker.
    pub now: u64,
}

/// Pure: request reviewers once the threshold is reached.
pub fn decide(input: &HookInput, snap: &Snapshot) -> Outcome {
    let written = input.target_path().unwrap_or_default();
    if snap.already_sent || !session::is_source_file(written) {
        return Outcome::none();
    }
    let Some(tracked) = &snap.tracked else {
        return Outcome::none();
    };
    let sources: Vec<&str> = tracked
        .iter()
        .map(String::as_str)
        .filter(|f| session::is_source_file(f))
        .collect();
    if sources.len() < DELEGATE_THRESHOLD {
        return Outcome::none();
    }
    let listed = sources[..sources.len().min(LISTED_FILES)].join(", ");
    let body = format!(
        "{} source files have been modified. Before continuing, start two reviews in parallel:\n\
1. the code-critic agent (subagent_type: agentops:code-critic) for architecture, code quality, performance, missing tests and simplifications;\n\
2. the security-reviewer agent (subagent_type: agentops:security-reviewer) for injection, authentication and authorisation gaps, data exposure, dependency risks and OWASP issues.\n\
Give both this file list: {listed}\n\
Fix critical and high-severity findings before going on.",
        sources.len()
    );
    Outcome {
        findings: vec![Finding::with_text(&REQUEST_REVIEW, body)],
        // Created by the engine; only the process that creates it asks.
        once: Some((
            DELEGATE_SENT,
            format!("{}\n", session::iso_utc(snap.now)).into_bytes(),
        )),
        ..Outcome::default()
    }
}

impl Snapshot {
    /// Read the marker and the tracker through the context's world.
    pub fn read(ctx: &Context) -> Snapshot {
        Snapshot {
            already_sent: session::has_state(ctx, DELEGATE_SENT),
            tracked: session::read_state(ctx, MODIFIED_FILES).map(|t| {
                session::distinct_lines(&t)
                    .into_iter()
                    .map(String::from)
                    .collect()
            }),
            now: session::now_secs(ctx),
        }
    }
}

/// The auto-delegate policy.
pub static AUTO_DELEGATE: Policy = Policy {
    name: "auto-delegate",
    summary: "Asks for code-critic and security-reviewer agents once 5+ source files are modified",
    events: &[HookEvent::PostToolUse],
    tools: ToolMatch::Only(ToolKind::FILE_WRITERS),
    flag: Some(("auto_delegate_enabled", FlagKind::Automation)),
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    decide(input, &Snapshot::read(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn write(path: &str) -> HookInput {
        HookInput {
            tool_name: Some("Write".into()),
            tool_input: Some(json!({"file_path": path, "content": ""})),
            ..HookInput::default()
        }
    }

    fn snap(sent: bool, tracked: Option<&[&str]>) -> Snapshot {
        Snapshot {
            already_sent: sent,
            tracked: tracked.map(|t| t.iter().map(|s| s.to_string()).collect()),
            now: 0,
        }
    }

    #[test]
    fn table() {
        let five = &["/p/a.rs", "/p/b.rs", "/p/c.ts", "/p/d.py", "/p/e.go"][..];
        let four_and_docs = &[
            "/p/a.rs",
            "/p/b.rs",
            "/p/c.ts",
            "/p/d.py",
            "/p/README.md",
            "/p/x.toml",
        ][..];
        let cases: &[(&str, Snapshot, bool)] = &[
            ("/p/e.go", snap(false, Some(five)), true),
            ("/p/e.go", snap(true, Some(five)), false),
            ("/p/e.go", snap(false, Some(four_and_docs)), false),
            ("/p/e.go", snap(false, None), false),
            ("/p/notes.md", snap(false, Some(five)), false),
        ];
        for (path, snapshot, speaks) in cases {
            let out = decide(&write(path), snapshot);
            assert_eq!(!out.findings.is_empty(), *speaks, "{path} {snapshot:?}");
            assert!(out.context.is_empty(), "guidance is a finding");
            assert!(out.effects.is_empty());
            assert_eq!(out.once.is_some(), *speaks);
        }
        let out = decide(&write("/p/e.go"), &snap(false, Some(five)));
        let text = &out.findings[0].describe();
        assert!(
            text.contains("[DELEG001]")
                && text.contains("agentops:code-critic")
                && text.contains("/p/d.py")
        );
        assert!(matches!(out.once, Some((DELEGATE_SENT, _))));
    }
}
