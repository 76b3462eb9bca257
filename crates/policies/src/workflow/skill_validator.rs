//! skill-validator: after a SKILL.md is written, warn the agent when the
//! skill runs network or eval-style commands, handles credentials, or
//! links to hosts on throwaway top-level domains, so it is reviewed
//! before anyone uses it.

use agentops_core::{
    Context, Finding, HookEvent, HookInput, Outcome, Policy, Rule, Severity, ToolKind, ToolMatch,
};

use agentops_workflow::session;

macro_rules! guidance {
    ($name:ident, $id:literal, $slug:literal, $reason:literal,
     why: $why:literal, fires: $fires:literal, passes: $passes:literal $(,)?) => {
        #[doc = concat!($id, ": ", $reason, ".")]
        pub static $name: Rule = Rule {
            id: $id,
            name: $slug,
            policy: "skill-validator",
            severity: Severity::Guide,
            reason: $reason,
            why: $why,
            fires: $fires,
            instead: "",
            passes: $passes,
        };
    };
}

guidance!(
    RISKY_COMMANDS,
    "SKILL001",
    "skill-runs-risky-commands",
    "skill refers to network or eval-style commands (curl, wget, nc, eval, exec, system())",
    why: "A skill is instructions the agent follows later, often with fewer questions asked. \
          One that downloads, opens connections or evaluates strings can fetch and run code \
          nobody reviewed; it should be read carefully before anyone uses it.",
    fires: "PostToolUse Write: /p/skills/release/SKILL.md <- Fetch the notes with curl -s https://api.github.com/repos/o/r/releases",
    passes: "PostToolUse Write: /p/skills/release/SKILL.md <- Write the executive summary of the release notes",
);
guidance!(
    CREDENTIALS,
    "SKILL002",
    "skill-handles-credentials",
    "skill refers to credentials (keys, secrets, tokens, passwords)",
    why: "A skill that reads or passes keys, tokens or passwords can leak them into logs, \
          prompts or network calls each time it runs. How it handles them deserves a review \
          before the skill is used.",
    fires: "PostToolUse Write: /p/skills/deploy/SKILL.md <- Read the API_KEY from the vault and pass it to the client",
    passes: "PostToolUse Write: /p/skills/deploy/SKILL.md <- Read the API base URL from the config and pass it to the client",
);
guidance!(
    SUSPICIOUS_URL,
    "SKILL003",
    "skill-links-suspicious-host",
    "skill links to a host on a throwaway top-level domain (.xyz, .tk, .ml, .ga, .cf)",
    why: "Free and throwaway top-level domains (.tk, .ml, .ga, .cf, .xyz) host a large share \
          of malware and phishing; a skill that fetches from one is a supply-chain risk for \
          everyone who installs it.",
    fires: "PostToolUse Write: /p/skills/setup/SKILL.md <- Download the helper from https://cdn.tools.xyz/setup.sh",
    passes: "PostToolUse Write: /p/skills/setup/SKILL.md <- Read the guide at https://example.com/docs/setup.ml",
);

static RULES: &[&Rule] = &[&RISKY_COMMANDS, &CREDENTIALS, &SUSPICIOUS_URL];

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .filter(|w| !w.is_empty())
}

fn risky_commands(text: &str) -> bool {
    words(text).any(|w| matches!(w, "curl" | "wget" | "nc" | "ncat" | "eval" | "exec"))
        || text.contains("system(")
}

fn credentials(text: &str) -> bool {
    let lower = text.to_lowercase();
    [
        "api_key",
        "secret",
        "token",
        "password",
        "credential",
        "private_key",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// Whether `text` links to a host on a throwaway top-level domain. Each
/// `http(s)://` link runs to the first character that ends a link in
/// prose or Markdown; its host is the URL parser's, so user info
/// (`https://user:pw@evil.xyz/`) and case cannot hide it.
fn suspicious_url(text: &str) -> bool {
    ["http://", "https://"].iter().any(|scheme| {
        text.match_indices(scheme).any(|(i, _)| {
            let link = &text[i..];
            let end = link
                .find(|c: char| {
                    matches!(c, ')' | ']' | '"' | '\'' | '>' | '<' | '`') || c.is_whitespace()
                })
                .unwrap_or(link.len());
            let Ok(url) = url::Url::parse(&link[..end]) else {
                return false;
            };
            let Some(url::Host::Domain(host)) = url.host() else {
                return false;
            };
            let host = host.trim_end_matches('.');
            host.rsplit('.').next().is_some_and(|tld| {
                host.contains('.') && matches!(tld, "xyz" | "tk" | "ml" | "ga" | "cf")
            })
        })
    })
}

/// Pure: guidance for a skill file's text, one finding per risk.
pub fn decide(text: &str) -> Outcome {
    let findings = [
        (risky_commands(text), &RISKY_COMMANDS),
        (credentials(text), &CREDENTIALS),
        (suspicious_url(text), &SUSPICIOUS_URL),
    ]
    .into_iter()
    .filter_map(|(hit, rule)| hit.then_some(rule))
    .map(|rule| {
        Finding::with_text(
            rule,
            format!(
                "Review this skill for security risks before using it: {}",
                rule.reason
            ),
        )
    })
    .collect();
    Outcome {
        findings,
        ..Outcome::default()
    }
}

/// Whether a written path is a skill definition.
pub fn is_skill_file(path: &str) -> bool {
    session::file_name(path) == "SKILL.md"
}

/// The skill-validator policy.
pub static SKILL_VALIDATOR: Policy = Policy {
    name: "skill-validator",
    summary: "Warns when a written SKILL.md runs risky commands, handles credentials or links suspicious hosts",
    events: &[HookEvent::PostToolUse],
    tools: ToolMatch::Only(&[ToolKind::Write, ToolKind::Edit, ToolKind::MultiEdit]),
    flag: None,
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    let Some(path) = input.input_str("file_path").filter(|p| is_skill_file(p)) else {
        return Outcome::none();
    };
    // The file as it is now on disk (an Edit only carries the change);
    // the written content if the file cannot be read.
    let text = session::read_text(ctx, std::path::Path::new(path), session::DOC_READ_LIMIT)
        .or_else(|| input.input_str("content").map(String::from));
    text.map_or_else(Outcome::none, |t| decide(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(out: &Outcome) -> Vec<&'static str> {
        assert!(out.context.is_empty(), "guidance is findings");
        out.findings.iter().map(|f| f.rule.id).collect()
    }

    #[test]
    fn table() {
        let cases: &[(&str, &[&str])] = &[
            ("Run `curl -s https://api.github.com`", &["SKILL001"]),
            ("then eval \"$OUT\"", &["SKILL001"]),
            ("os.system(cmd)", &["SKILL001"]),
            ("Read the API_KEY from the vault", &["SKILL002"]),
            (
                "Download from https://cdn.evil.xyz/payload.sh",
                &["SKILL003"],
            ),
            ("see http://free-stuff.tk", &["SKILL003"]),
            (
                "wget http://x.ml/a and use the token",
                &["SKILL001", "SKILL002", "SKILL003"],
            ),
            (
                "Summarise the file system layout and the executive summary",
                &[],
            ),
            ("Link: https://example.com/docs/intro.ml", &[]),
            ("[docs](https://user:pw@Docs.EVIL.xyz./a)", &["SKILL003"]),
            ("<https://evil.tk:8443/x>", &["SKILL003"]),
            ("see `https://evil.ml?q=1`", &["SKILL003"]),
            ("https://free-stuff.tk@example.com/a", &[]),
            ("https://example.com/@evil.xyz", &[]),
            ("Use the curling stone metaphor", &[]),
            ("# Skill\nFormat Markdown tables.", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(ids(&decide(text)), *want, "{text}");
        }
    }

    #[test]
    fn the_skill_on_disk_wins_over_the_written_content() {
        use agentops_core::MemoryWorld;
        use std::sync::Arc;
        let ctx = Context {
            project_dir: "/p".into(),
            world: Arc::new(
                MemoryWorld::new().file("/p/skills/x/SKILL.md", "see https://a.tk/x\n"),
            ),
            ..Context::default()
        };
        let edit = HookInput {
            tool_name: Some("Edit".into()),
            tool_input: Some(serde_json::json!({"file_path": "/p/skills/x/SKILL.md",
                "old_string": "a", "new_string": "b"})),
            ..HookInput::default()
        };
        let out = SKILL_VALIDATOR.evaluate(HookEvent::PostToolUse, &edit, &ctx);
        assert_eq!(ids(&out), ["SKILL003"]);
        assert_eq!(
            out.findings[0].describe(),
            "[SKILL003] Review this skill for security risks before using it: skill links to \
             a host on a throwaway top-level domain (.xyz, .tk, .ml, .ga, .cf)"
        );
    }

    #[test]
    fn only_skill_files_are_checked() {
        assert!(is_skill_file("/p/skills/x/SKILL.md"));
        assert!(!is_skill_file("/p/skills/x/README.md"));
        assert!(!is_skill_file("/p/SKILL.md.bak"));
        let input = HookInput {
            tool_name: Some("Write".into()),
            tool_input: Some(
                serde_json::json!({"file_path": "/nonexistent/README.md", "content": "curl x"}),
            ),
            ..HookInput::default()
        };
        assert!(SKILL_VALIDATOR
            .evaluate(HookEvent::PostToolUse, &input, &Context::default())
            .is_empty());
        let skill = HookInput {
            tool_input: Some(
                serde_json::json!({"file_path": "/nonexistent/SKILL.md", "content": "curl x"}),
            ),
            ..input
        };
        assert_eq!(
            ids(&SKILL_VALIDATOR.evaluate(HookEvent::PostToolUse, &skill, &Context::default())),
            ["SKILL001"]
        );
    }
}
