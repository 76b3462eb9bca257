//! Custom rules: a team's or a user's own rules, written in the format of
//! the command knowledge base (`[[tool]]` / `[[tool.rule]]`, see
//! `kb/README.md`) and loaded at run time from `.agentops/rules.toml` and
//! `~/.agentops/rules.toml`.
//!
//! The file is read with the knowledge base's schema ([`crate::schema`])
//! and matched with its matcher ([`crate::kb::applies`]): `cmd`, `flags`,
//! `no_flags`, `flag_value` + `values`, `args`, `no_args`, `env` and
//! `no_env` mean exactly what they mean in `kb/*.toml`. What differs:
//! - `effects` is a condition (the command has one of these effects, as
//!   the knowledge base derives them), not what the entry gives it;
//! - `paths` globs the path of a file tool (`Write`, `Edit`, `Read`, …) or
//!   the local targets of a command's effects;
//! - every rule carries `id` (`X` then letters, digits or dashes, so it
//!   never collides with a built-in id), `verdict` (`deny`, `ask` or
//!   `warn`: custom rules never allow), `reason` and optionally `instead`.
//!
//! Parsing collects every problem with its line, so `agentops rules check`
//! can list them all and the hook can fail closed naming the first.

use agentops_shell::Command;

use crate::derive::effects_of;
use crate::effect::Effect;
use crate::glob::glob_match;
use crate::kb::{self, applies, positionals, Conditions};
use crate::schema;

/// What a custom rule answers when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Refuse the call.
    Deny,
    /// Have the user approve the call.
    Ask,
    /// Let it through with a note for the user.
    Warn,
}

impl Verdict {
    /// The word used in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Deny => "deny",
            Verdict::Ask => "ask",
            Verdict::Warn => "warn",
        }
    }
}

/// The file tools a custom rule can name (Claude Code's names; other
/// agents' file edits reach the engine under these names too).
pub const FILE_TOOLS: &[&str] = &["Write", "Edit", "MultiEdit", "NotebookEdit", "Read"];

/// The longest custom rule id.
pub const MAX_ID_LEN: usize = 32;

/// Whether `id` has the custom-rule id form: `X`, then at least one
/// uppercase letter, digit or dash, at most [`MAX_ID_LEN`] characters
/// (`XDEPLOY1`, `X-PROD-APPLY`). No built-in id starts with `X`.
pub fn is_custom_id(id: &str) -> bool {
    id.len() >= 2
        && id.len() <= MAX_ID_LEN
        && id.starts_with('X')
        && id[1..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

/// One custom rule, parsed and validated.
#[derive(Debug, Clone)]
pub struct CustomRule {
    /// Its id (`XDEPLOY1`).
    pub id: String,
    /// What it answers.
    pub verdict: Verdict,
    /// The one line shown when it fires.
    pub reason: String,
    /// What to do instead; empty when the file says nothing.
    pub instead: String,
    /// Why (the `note`); may be empty.
    pub note: String,
    /// The line of its `[[tool.rule]]` table.
    pub line: usize,
    /// The command names or file tools it is about (`*`: every command).
    pub names: Vec<String>,
    /// Examples it must fire on (commands, or paths for file tools).
    pub fires: Vec<String>,
    /// Close examples it must not fire on.
    pub passes: Vec<String>,
    options_with_value: Vec<String>,
    when: When,
}

/// The conditions of a custom rule.
#[derive(Debug, Clone, Default)]
struct When {
    cmd: Vec<String>,
    flags: Vec<String>,
    no_flags: Vec<String>,
    flag_value: Vec<String>,
    values: Vec<String>,
    args: Vec<String>,
    no_args: Vec<String>,
    env: Vec<String>,
    no_env: Vec<String>,
    effects: Vec<Effect>,
    paths: Vec<String>,
}

fn strs(v: &[String]) -> impl Iterator<Item = &str> + Clone {
    v.iter().map(String::as_str)
}

impl Conditions for When {
    fn cmd_words(&self) -> impl Iterator<Item = &str> + Clone {
        strs(&self.cmd)
    }
    fn flags_any(&self) -> impl Iterator<Item = &str> + Clone {
        strs(&self.flags)
    }
    fn flags_none(&self) -> impl Iterator<Item = &str> + Clone {
        strs(&self.no_flags)
    }
    fn value_flags(&self) -> impl Iterator<Item = &str> + Clone {
        strs(&self.flag_value)
    }
    fn value_globs(&self) -> impl Iterator<Item = &str> + Clone {
        strs(&self.values)
    }
    fn args_any(&self) -> impl Iterator<Item = &str> + Clone {
        strs(&self.args)
    }
    fn args_none(&self) -> impl Iterator<Item = &str> + Clone {
        strs(&self.no_args)
    }
    fn env_any(&self) -> impl Iterator<Item = &str> + Clone {
        strs(&self.env)
    }
    fn env_none(&self) -> impl Iterator<Item = &str> + Clone {
        strs(&self.no_env)
    }
}

/// A mistake in a rule file, with the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line.
    pub line: usize,
    /// What is wrong, in one line.
    pub message: String,
}

/// The 1-based line of byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |head| head.bytes().filter(|&b| b == b'\n').count() + 1)
}

/// Parse and validate a rule file. Every problem is reported, each with
/// its line; a file with any problem yields no rules.
pub fn parse(text: &str) -> Result<Vec<CustomRule>, Vec<Problem>> {
    let file: schema::File = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            let message = e.message().replace('\n', " ");
            return Err(vec![Problem {
                line,
                message: message.trim().to_string(),
            }]);
        }
    };
    let mut problems = Vec::new();
    let mut rules: Vec<CustomRule> = Vec::new();
    for tool in file.tool {
        let tool_line = line_of(text, tool.span().start);
        let tool = tool.into_inner();
        let mut say = |line: usize, message: String| problems.push(Problem { line, message });
        if tool.names.is_empty() {
            say(tool_line, "a [[tool]] without `names`".into());
        }
        let file_tools = tool
            .names
            .iter()
            .filter(|n| FILE_TOOLS.contains(&n.as_str()))
            .count();
        let for_files = file_tools > 0;
        if for_files && file_tools != tool.names.len() {
            say(
                tool_line,
                format!(
                    "`names` mixes file tools ({}) with commands; write two [[tool]] tables",
                    FILE_TOOLS.join(", ")
                ),
            );
        }
        for n in &tool.names {
            if !for_files && n != "*" && (n.is_empty() || n.contains('/') || n.contains('*')) {
                say(
                    tool_line,
                    format!("tool name `{n}`: a command name without directories, or `*`"),
                );
            }
        }
        if tool.rule.is_empty() {
            say(tool_line, "a [[tool]] without [[tool.rule]] entries".into());
        }
        for entry in tool.rule {
            let line = line_of(text, entry.span().start);
            let e = entry.into_inner();
            let before = problems.len();
            let rule = validate_entry(&tool.names, for_files, line, e, &mut problems);
            if let Some(rule) = rule {
                if rules.iter().any(|r| r.id == rule.id) {
                    problems.push(Problem {
                        line,
                        message: format!("rule id `{}` is used twice", rule.id),
                    });
                } else if problems.len() == before {
                    let mut rule = rule;
                    rule.options_with_value = tool.options_with_value.clone();
                    rules.push(rule);
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(rules)
    } else {
        problems.sort_by_key(|p| p.line);
        Err(problems)
    }
}

/// Check one `[[tool.rule]]`; `None` when it cannot become a rule at all.
fn validate_entry(
    names: &[String],
    for_files: bool,
    line: usize,
    e: schema::Entry,
    problems: &mut Vec<Problem>,
) -> Option<CustomRule> {
    let mut say = |message: String| problems.push(Problem { line, message });
    let id = match e.id {
        Some(id) if is_custom_id(&id) => id,
        Some(id) => {
            say(format!(
                "rule id `{id}`: custom rule ids are `X` then uppercase letters, digits or dashes, at most {MAX_ID_LEN} characters (`XDEPLOY1`)"
            ));
            id
        }
        None => {
            say("a rule without `id` (custom rule ids look like `XDEPLOY1`)".into());
            String::new()
        }
    };
    let verdict = match e.verdict.as_deref() {
        Some("deny") => Verdict::Deny,
        Some("ask") => Verdict::Ask,
        Some("warn") => Verdict::Warn,
        Some("allow" | "approve") => {
            say(format!(
                "`{id}`: custom rules can only deny, ask or warn; they never allow"
            ));
            Verdict::Warn
        }
        Some(other) => {
            say(format!(
                "`{id}`: unknown verdict `{other}` (deny, ask or warn)"
            ));
            Verdict::Warn
        }
        None => {
            say(format!("`{id}`: no `verdict` (deny, ask or warn)"));
            Verdict::Warn
        }
    };
    let reason = e.reason.unwrap_or_default();
    if reason.trim().is_empty() {
        say(format!(
            "`{id}`: no `reason` (one line shown when it fires)"
        ));
    }
    for (field, value) in [
        ("reason", &reason),
        ("instead", &e.instead.clone().unwrap_or_default()),
    ] {
        if value.contains('\n') {
            say(format!("`{id}`: `{field}` must be one line"));
        }
    }
    if e.target.is_some() {
        say(format!(
            "`{id}`: `target` belongs to the knowledge base; custom rules match with `paths`"
        ));
    }
    if e.fires.is_empty() {
        say(format!("`{id}`: no `fires` example"));
    }
    if verdict != Verdict::Warn && e.passes.is_empty() {
        say(format!(
            "`{id}`: a {} rule needs a `passes` example (a close neighbour it must leave alone)",
            verdict.as_str()
        ));
    }
    for f in e.flags.iter().chain(&e.no_flags).chain(&e.flag_value) {
        if !f.starts_with('-') {
            say(format!("`{id}`: flag `{f}` must start with `-`"));
        }
    }
    if e.flag_value.is_empty() != e.values.is_empty() {
        say(format!("`{id}`: `flag_value` and `values` go together"));
    }
    let mut effects = Vec::new();
    for name in &e.effects {
        match Effect::ALL.iter().find(|x| x.name() == name) {
            Some(effect) => effects.push(*effect),
            None => say(format!(
                "`{id}`: unknown effect `{name}` (one of: {})",
                Effect::ALL
                    .iter()
                    .map(|x| x.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
    let command_conditions = !e.cmd.trim().is_empty()
        || !e.flags.is_empty()
        || !e.no_flags.is_empty()
        || !e.flag_value.is_empty()
        || !e.args.is_empty()
        || !e.no_args.is_empty()
        || !e.env.is_empty()
        || !e.no_env.is_empty()
        || !effects.is_empty();
    if for_files {
        if command_conditions {
            say(format!(
                "`{id}`: a file-tool rule matches on `paths` only (no cmd, flags, args, env or effects)"
            ));
        }
        if e.paths.is_empty() {
            say(format!("`{id}`: a file-tool rule needs `paths`"));
        }
    } else if names.iter().any(|n| n == "*") && !command_conditions && e.paths.is_empty() {
        say(format!(
            "`{id}`: matches every command; add a condition (cmd, flags, args, effects, paths)"
        ));
    }
    Some(CustomRule {
        id,
        verdict,
        reason: reason.trim().to_string(),
        instead: e.instead.unwrap_or_default().trim().to_string(),
        note: e.note.unwrap_or_default().trim().to_string(),
        line,
        names: names.to_vec(),
        fires: e.fires,
        passes: e.passes,
        options_with_value: Vec::new(),
        when: When {
            cmd: e.cmd.split_whitespace().map(str::to_string).collect(),
            flags: e.flags,
            no_flags: e.no_flags,
            flag_value: e.flag_value,
            values: e.values,
            args: e.args,
            no_args: e.no_args,
            env: e.env,
            no_env: e.no_env,
            effects,
            paths: e.paths,
        },
    })
}

impl CustomRule {
    /// Whether the rule is about file tools (`Write`, `Edit`, `Read`, …)
    /// rather than commands.
    pub fn is_file_rule(&self) -> bool {
        self.names.iter().any(|n| FILE_TOOLS.contains(&n.as_str()))
    }

    /// Whether the rule fires on one simple command (`project`: the
    /// project directory, so `paths` globs relative to it also match
    /// absolute targets inside it).
    pub fn matches_command(&self, c: &Command, project: Option<&str>) -> bool {
        if self.is_file_rule() || !self.names.iter().any(|n| n == "*" || *n == c.name) {
            return false;
        }
        // The tool's own options with values, else the knowledge base's for
        // that command, so `kubectl -n prod apply` has subcommand `apply`.
        let known = kb::tool(&c.name);
        let positions = if self.options_with_value.is_empty() {
            match known {
                Some(tool) => tool.positionals(c),
                None => positionals(|_| false, c),
            }
        } else {
            positionals(|t| self.options_with_value.iter().any(|o| o == t), c)
        };
        if applies(&self.when, c, &positions).is_none() {
            return false;
        }
        let w = &self.when;
        if w.effects.is_empty() && w.paths.is_empty() {
            return true;
        }
        let derived = effects_of(c).effects;
        derived.iter().any(|d| {
            (w.effects.is_empty() || w.effects.contains(&d.effect))
                && (w.paths.is_empty()
                    || d.target
                        .as_deref()
                        .is_some_and(|t| self.path_matches(t, project)))
        })
    }

    /// Whether the rule fires on file tool `tool` acting on `path`
    /// (`project`: the project directory, for globs relative to it).
    pub fn matches_file(&self, tool: &str, path: &str, project: Option<&str>) -> bool {
        self.names.iter().any(|n| n == tool) && self.path_matches(path, project)
    }

    /// Whether some `paths` glob matches `path` as given, without a
    /// leading `./`, or relative to `project`.
    fn path_matches(&self, path: &str, project: Option<&str>) -> bool {
        let bare = path.strip_prefix("./").unwrap_or(path);
        let relative = project
            .map(|p| p.trim_end_matches('/'))
            .filter(|p| !p.is_empty())
            .and_then(|p| path.strip_prefix(p))
            .and_then(|rest| rest.strip_prefix('/'));
        self.when.paths.iter().any(|g| {
            glob_match(g, path) || glob_match(g, bare) || relative.is_some_and(|r| glob_match(g, r))
        })
    }

    /// Run the rule's own examples: every `fires` must fire, no `passes`
    /// may. Returns one line per failing example.
    pub fn check_examples(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for (examples, expected) in [(&self.fires, true), (&self.passes, false)] {
            for example in examples {
                if self.fires_on_example(example) != expected {
                    failures.push(format!(
                        "`{}`: {} example `{example}` {}",
                        self.id,
                        if expected { "fires" } else { "passes" },
                        if expected { "does not fire" } else { "fires" }
                    ));
                }
            }
        }
        failures
    }

    /// Whether the rule fires on an example: a command, or for file-tool
    /// rules a path (relative ones are taken inside a project at `/project`).
    fn fires_on_example(&self, example: &str) -> bool {
        if self.is_file_rule() {
            const PROJECT: &str = "/project";
            let path = if example.starts_with('/') {
                example.to_string()
            } else {
                format!("{PROJECT}/{example}")
            };
            return self
                .names
                .iter()
                .any(|tool| self.matches_file(tool, &path, Some(PROJECT)));
        }
        const PROJECT: &str = "/project";
        let analysis = agentops_shell::analyse(example);
        analysis
            .commands
            .iter()
            .any(|c| self.matches_command(c, Some(PROJECT)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KUBE: &str = r#"
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
passes = ["kubectl apply -f dev.yaml", "kubectl get pods"]
"#;

    fn one(text: &str) -> CustomRule {
        let mut rules = parse(text).expect("valid");
        assert_eq!(rules.len(), 1);
        rules.remove(0)
    }

    fn fires(rule: &CustomRule, command: &str) -> bool {
        let analysis = agentops_shell::analyse(command);
        analysis
            .commands
            .iter()
            .any(|c| rule.matches_command(c, Some("/p")))
    }

    #[test]
    fn a_command_rule_fires_on_its_command_and_not_on_neighbours() {
        let rule = one(KUBE);
        assert_eq!(rule.verdict, Verdict::Deny);
        assert_eq!(rule.line, 5);
        assert!(fires(&rule, "kubectl apply -f prod.yaml"));
        assert!(fires(
            &rule,
            "cd deploy && kubectl -n web apply -f prod.yaml"
        ));
        assert!(fires(&rule, "bash -c 'kubectl apply -f prod.yaml'"));
        assert!(!fires(&rule, "kubectl apply -f dev.yaml"));
        assert!(!fires(&rule, "kubectl get pods -l app=prod"));
        assert!(rule.check_examples().is_empty());
    }

    #[test]
    fn an_effect_rule_fires_on_every_command_with_that_effect() {
        let rule = one(r#"
[[tool]]
names = ["*"]
[[tool.rule]]
id = "XPUBLISH"
effects = ["publish"]
verdict = "ask"
reason = "releases go through the release checklist"
fires = ["npm publish", "cargo publish"]
passes = ["npm publish --dry-run", "cargo build"]
"#);
        assert!(fires(&rule, "npm publish"));
        assert!(fires(&rule, "cd pkg && cargo publish"));
        assert!(!fires(&rule, "npm publish --dry-run"));
        assert!(!fires(&rule, "npm test"));
        assert!(rule.check_examples().is_empty());
    }

    #[test]
    fn a_file_rule_matches_paths_absolute_or_relative_to_the_project() {
        let rule = one(r#"
[[tool]]
names = ["Write", "Edit"]
[[tool.rule]]
id = "XMIGRATIONS"
paths = ["db/migrations/*"]
verdict = "deny"
reason = "migrations are generated"
fires = ["db/migrations/001_init.sql"]
passes = ["db/seed.sql"]
"#);
        assert!(rule.matches_file("Write", "/p/db/migrations/002.sql", Some("/p")));
        assert!(!rule.matches_file("Write", "/p/db/seed.sql", Some("/p")));
        assert!(!rule.matches_file("Read", "/p/db/migrations/002.sql", Some("/p")));
        assert!(!fires(&rule, "rm db/migrations/002.sql"));
        assert!(rule.check_examples().is_empty());
    }

    #[test]
    fn a_command_rule_with_paths_matches_the_targets_of_its_effects() {
        let rule = one(r#"
[[tool]]
names = ["*"]
[[tool.rule]]
id = "XFIXTURES"
effects = ["delete"]
paths = ["fixtures/*"]
verdict = "ask"
reason = "fixtures are shared by every test suite"
fires = ["rm -rf fixtures/users"]
passes = ["rm -rf build/users", "cat fixtures/users"]
"#);
        assert!(fires(&rule, "rm -rf fixtures/users"));
        assert!(fires(&rule, "rm ./fixtures/a.json"));
        assert!(fires(&rule, "rm /p/fixtures/a.json"));
        assert!(!fires(&rule, "rm -rf build/users"));
        assert!(!fires(&rule, "cat fixtures/users"));
        assert!(rule.check_examples().is_empty());
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let text = r#"[[tool]]
names = ["git"]

[[tool.rule]]
id = "CMD999"
verdict = "allow"
fires = ["git push"]

[[tool.rule]]
id = "XOK"
effects = ["teleport"]
verdict = "deny"
reason = "r"
fires = ["git push"]
"#;
        let problems = parse(text).expect_err("invalid");
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert!(lines.iter().all(|&l| l == 4 || l == 9), "{problems:?}");
        let all: String = problems.iter().map(|p| p.message.clone() + "\n").collect();
        assert!(all.contains("custom rule ids are `X`"), "{all}");
        assert!(all.contains("never allow"), "{all}");
        assert!(all.contains("no `reason`"), "{all}");
        assert!(all.contains("unknown effect `teleport`"), "{all}");
        assert!(all.contains("needs a `passes` example"), "{all}");
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let problems = parse("[[tool]]\nnames = [\"git\"\n").expect_err("invalid");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].line >= 2, "{problems:?}");
    }

    #[test]
    fn failing_examples_are_reported() {
        let rule = one(&KUBE.replace(
            r#"passes = ["kubectl apply -f dev.yaml", "kubectl get pods"]"#,
            r#"passes = ["kubectl apply -f prod-copy.yaml"]"#,
        ));
        let failures = rule.check_examples();
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(failures[0].contains("prod-copy.yaml"));
    }

    #[test]
    fn custom_ids_have_their_own_form() {
        assert!(is_custom_id("XDEPLOY1"));
        assert!(is_custom_id("X-PROD-APPLY"));
        assert!(!is_custom_id("X"));
        assert!(!is_custom_id("CMD001"));
        assert!(!is_custom_id("Xdeploy"));
        assert!(!is_custom_id(&format!("X{}", "A".repeat(MAX_ID_LEN))));
    }
}
