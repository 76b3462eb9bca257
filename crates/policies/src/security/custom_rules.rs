//! custom-rules: the project's and the user's own rules
//! (`.agentops/rules.toml`, `~/.agentops/rules.toml`), written in the
//! command knowledge base's format and matched by its matcher
//! ([`agentops_effects::custom`]).
//!
//! Nothing is parsed when neither file exists: the policy stats two paths
//! and returns. A file that does not parse or validate denies every Bash
//! and file-tool call, naming the file and line (a guard configuration
//! that silently stopped applying would fail open). Custom rules only
//! deny, ask or warn; they never allow what a built-in rule gates.

use std::path::{Path, PathBuf};

use agentops_core::{
    Context, Finding, HookEvent, HookInput, Outcome, Policy, Rule, Severity, ToolKind, ToolMatch,
    CUSTOM_RULES_POLICY,
};
use agentops_effects::custom::{self, CustomRule, Problem, Verdict};

use super::validate_command::scan::subject;

/// The project's rule file, relative to the project directory.
pub const PROJECT_FILE: &str = ".agentops/rules.toml";
/// The user's rule file, relative to the home directory.
pub const USER_FILE: &str = ".agentops/rules.toml";
/// The largest rule file read (a bigger one is a problem, not a truncation).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// RULES001: a custom rule file that does not load.
pub static INVALID_FILE: Rule = Rule {
    id: "RULES001",
    name: "custom-rules-invalid",
    policy: CUSTOM_RULES_POLICY,
    severity: Severity::Deny,
    reason: "a custom rule file does not parse or validate, so its rules cannot be applied",
    why: "Custom rules in .agentops/rules.toml or ~/.agentops/rules.toml are guard configuration: a rule file with a mistake would otherwise stop guarding without anyone noticing. Until it is fixed every Bash and file-tool call is denied, naming the file and line; `agentops rules check` lists every problem. A valid file, or none, passes.",
    fires: "PreToolUse Bash: ls | given /p/.agentops/rules.toml = [[tool]",
    passes: "PreToolUse Bash: ls | given /p/.agentops/rules.toml = # no rules yet",
    instead: "ask the user to fix the rule file (`agentops rules check` lists the problems)",
};

static RULES: &[&Rule] = &[&INVALID_FILE];

/// The custom-rules policy.
pub static CUSTOM_RULES: Policy = Policy {
    name: CUSTOM_RULES_POLICY,
    summary: "Applies the project's and the user's own rules (.agentops/rules.toml, ~/.agentops/rules.toml) to shell commands and file tools",
    events: &[HookEvent::PreToolUse],
    tools: ToolMatch::Only(&[
        ToolKind::Bash,
        ToolKind::Write,
        ToolKind::Edit,
        ToolKind::MultiEdit,
        ToolKind::NotebookEdit,
        ToolKind::Read,
    ]),
    flag: None,
    rules: RULES,
    evaluate,
};

/// Where a custom rule file lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The project's `.agentops/rules.toml`.
    Project,
    /// The user's `~/.agentops/rules.toml`.
    User,
}

impl Origin {
    /// `project` or `user`, as listings and audit records show it.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Project => "project",
            Origin::User => "user",
        }
    }
}

/// A rule file that exists, loaded.
#[derive(Debug, Clone)]
pub struct RuleFile {
    /// Project or user.
    pub origin: Origin,
    /// Its path.
    pub path: PathBuf,
    /// Its rules, or every problem (with lines) when it does not load.
    pub rules: Result<Vec<CustomRule>, Vec<Problem>>,
}

/// The rule file paths for a context: the project's, then the user's (once
/// when the project is the home directory).
pub fn rule_file_paths(ctx: &Context) -> Vec<(Origin, PathBuf)> {
    let mut out = vec![(Origin::Project, ctx.project_dir.join(PROJECT_FILE))];
    if let Some(home) = &ctx.home {
        let user = home.join(USER_FILE);
        if out.iter().all(|(_, p)| *p != user) {
            out.push((Origin::User, user));
        }
    }
    out
}

/// Load the rule files that exist (a missing file costs one failed stat
/// and is skipped). Ids defined in an earlier file and again in a later
/// one are a problem of the later file.
pub fn load(ctx: &Context) -> Vec<RuleFile> {
    let mut files: Vec<RuleFile> = Vec::new();
    for (origin, path) in rule_file_paths(ctx) {
        let Ok(meta) = ctx.world.metadata(&path) else {
            continue;
        };
        let mut rules = if meta.len > MAX_FILE_BYTES {
            Err(vec![problem(
                1,
                format!("larger than {MAX_FILE_BYTES} bytes"),
            )])
        } else {
            match ctx.world.read(&path, MAX_FILE_BYTES) {
                Err(e) => Err(vec![problem(1, format!("cannot be read: {e}"))]),
                Ok(bytes) => match String::from_utf8(bytes) {
                    Err(e) => Err(vec![problem(
                        1,
                        format!("not UTF-8 (byte {})", e.utf8_error().valid_up_to()),
                    )]),
                    Ok(text) => custom::parse(&text),
                },
            }
        };
        if let Ok(list) = &rules {
            let twice: Vec<Problem> = list
                .iter()
                .filter_map(|r| {
                    let earlier = files.iter().find(|f| {
                        f.rules
                            .as_ref()
                            .is_ok_and(|rs| rs.iter().any(|x| x.id == r.id))
                    })?;
                    Some(problem(
                        r.line,
                        format!(
                            "rule id `{}` is already defined in {}",
                            r.id,
                            earlier.path.display()
                        ),
                    ))
                })
                .collect();
            if !twice.is_empty() {
                rules = Err(twice);
            }
        }
        files.push(RuleFile {
            origin,
            path,
            rules,
        });
    }
    files
}

fn problem(line: usize, message: String) -> Problem {
    Problem { line, message }
}

/// `path:line: message`, the form every report of a problem uses.
pub fn describe_problem(path: &Path, p: &Problem) -> String {
    format!("{}:{}: {}", path.display(), p.line, p.message)
}

/// A custom rule as a `'static` [`Rule`] a finding can point at: leaked,
/// which is fine in a process that answers one hook and exits. The rule's
/// `name` is its origin (`project` or `user`), which audit records keep.
pub fn as_static_rule(rule: &CustomRule, file: &RuleFile) -> &'static Rule {
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let why = if rule.note.is_empty() {
        format!("Custom rule from {}:{}.", file.path.display(), rule.line)
    } else {
        format!(
            "{} (custom rule from {}:{})",
            rule.note,
            file.path.display(),
            rule.line
        )
    };
    Box::leak(Box::new(Rule {
        id: leak(rule.id.clone()),
        name: file.origin.as_str(),
        policy: CUSTOM_RULES_POLICY,
        severity: match rule.verdict {
            Verdict::Deny => Severity::Deny,
            Verdict::Ask => Severity::Ask,
            Verdict::Warn => Severity::Warn,
        },
        reason: leak(rule.reason.clone()),
        why: leak(why),
        fires: leak(rule.fires.first().cloned().unwrap_or_default()),
        passes: leak(rule.passes.first().cloned().unwrap_or_default()),
        instead: leak(rule.instead.clone()),
    }))
}

fn evaluate(_event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    let files = load(ctx);
    if files.is_empty() {
        return Outcome::none();
    }
    let mut findings = Vec::new();
    for file in &files {
        match &file.rules {
            Err(problems) => {
                let first = problems
                    .first()
                    .map(|p| describe_problem(&file.path, p))
                    .unwrap_or_else(|| file.path.display().to_string());
                let more = match problems.len() {
                    0 | 1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                };
                findings.push(Finding::with_subject(
                    &INVALID_FILE,
                    format!("{first}{more}"),
                ));
            }
            Ok(rules) => {
                for rule in rules {
                    if let Some(subject) = fires_on(rule, input, ctx) {
                        findings.push(Finding::with_subject(
                            as_static_rule(rule, file),
                            format!(
                                "{subject} ({} rule, {})",
                                file.origin.as_str(),
                                file.path.display()
                            ),
                        ));
                    }
                }
            }
        }
    }
    Outcome {
        findings,
        ..Outcome::default()
    }
}

/// What `rule` fires on in this call (the simple command or the path), if
/// anything: every simple command of a Bash call is checked (`cd x &&
/// kubectl apply …`, `bash -c '…'`).
fn fires_on(rule: &CustomRule, input: &HookInput, ctx: &Context) -> Option<String> {
    if rule.is_file_rule() {
        let tool = input.tool_name.as_deref()?;
        let path = input.target_path()?;
        let project = ctx.project_dir.to_str();
        return rule
            .matches_file(tool, path, project)
            .then(|| path.to_string());
    }
    let command = input.command()?;
    let analysis = agentops_shell::analyse_cached(command);
    let project = ctx.project_dir.to_str();
    analysis
        .commands
        .iter()
        .find(|c| rule.matches_command(c, project))
        .map(subject)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use agentops_core::{Decision, HookAnswer, MemoryWorld};
    use serde_json::json;

    use super::*;

    const RULES_TOML: &str = r#"
[[tool]]
names = ["kubectl"]

[[tool.rule]]
id = "XDEPLOY1"
cmd = "apply"
args = ["*prod*"]
verdict = "deny"
reason = "production manifests are applied by the release pipeline"
instead = "apply to staging (`kubectl apply -f staging.yaml`)"
fires = ["kubectl apply -f prod.yaml"]
passes = ["kubectl apply -f dev.yaml"]

[[tool]]
names = ["Write", "Edit"]

[[tool.rule]]
id = "XMIGRATIONS"
paths = ["db/migrations/*"]
verdict = "ask"
reason = "migrations are generated by the ORM"
fires = ["db/migrations/001.sql"]
passes = ["db/seed.sql"]
"#;

    fn ctx(world: MemoryWorld) -> Context {
        Context {
            project_dir: PathBuf::from("/p"),
            home: Some(PathBuf::from("/home/u")),
            world: Arc::new(world),
            ..Context::default()
        }
    }

    fn answer(ctx: &Context, payload: serde_json::Value) -> HookAnswer {
        let input: HookInput = serde_json::from_value(payload).expect("payload");
        let outcome = evaluate(HookEvent::PreToolUse, &input, ctx);
        HookAnswer::merge(vec![(CUSTOM_RULES_POLICY, outcome)], &input, ctx)
    }

    fn bash(command: &str) -> serde_json::Value {
        json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}})
    }

    #[test]
    fn no_rule_file_means_no_finding() {
        let c = ctx(MemoryWorld::new());
        assert!(load(&c).is_empty());
        assert_eq!(
            answer(&c, bash("kubectl apply -f prod.yaml")).decision,
            Decision::Allow
        );
    }

    #[test]
    fn a_project_rule_denies_its_command_with_the_alternative() {
        let c = ctx(MemoryWorld::new().file("/p/.agentops/rules.toml", RULES_TOML));
        let a = answer(&c, bash("cd deploy && kubectl apply -f prod.yaml"));
        assert_eq!(a.decision, Decision::Deny);
        let reason = a.reasons.join("; ");
        assert!(reason.contains("[XDEPLOY1]"), "{reason}");
        assert!(reason.contains("project rule"), "{reason}");
        assert!(reason.contains("instead: apply to staging"), "{reason}");
        assert_eq!(a.verdicts[0].finding.rule.name, "project");
        assert_eq!(
            answer(&c, bash("kubectl apply -f dev.yaml")).decision,
            Decision::Allow
        );
        assert_eq!(
            answer(&c, bash("kubectl get pods")).decision,
            Decision::Allow
        );
    }

    #[test]
    fn a_file_rule_asks_for_its_paths_only() {
        let c = ctx(MemoryWorld::new().file("/home/u/.agentops/rules.toml", RULES_TOML));
        let write = |path: &str| {
            json!({"hook_event_name": "PreToolUse", "tool_name": "Write",
                   "tool_input": {"file_path": path, "content": "x"}})
        };
        let a = answer(&c, write("/p/db/migrations/002.sql"));
        assert_eq!(a.decision, Decision::Ask);
        assert_eq!(a.verdicts[0].finding.rule.name, "user");
        assert_eq!(
            answer(&c, write("/p/db/seed.sql")).decision,
            Decision::Allow
        );
    }

    #[test]
    fn an_invalid_file_denies_naming_file_and_line() {
        let broken = RULES_TOML.replace("verdict = \"deny\"", "verdict = \"allow\"");
        let c = ctx(MemoryWorld::new().file("/p/.agentops/rules.toml", broken));
        let a = answer(&c, bash("ls"));
        assert_eq!(a.decision, Decision::Deny);
        let reason = a.reasons.join("; ");
        assert!(reason.contains("[RULES001]"), "{reason}");
        assert!(reason.contains("/p/.agentops/rules.toml:5:"), "{reason}");
        assert!(reason.contains("never allow"), "{reason}");
    }

    #[test]
    fn an_id_defined_in_both_files_is_a_problem_of_the_user_file() {
        let c = ctx(MemoryWorld::new()
            .file("/p/.agentops/rules.toml", RULES_TOML)
            .file("/home/u/.agentops/rules.toml", RULES_TOML));
        let files = load(&c);
        assert!(files[0].rules.is_ok());
        let problems = files[1].rules.as_ref().expect_err("duplicate ids");
        assert!(problems[0]
            .message
            .contains("already defined in /p/.agentops/rules.toml"));
    }
}
