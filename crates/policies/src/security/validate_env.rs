//! validate-env: environment variables a Bash command sets.
//!
//! Every assignment the shell performs counts, wherever it is written:
//! `NAME=v cmd`, a bare `NAME=v`, `export`/`declare -x`/`local`/`readonly`,
//! `env NAME=v cmd`, `sudo NAME=v cmd`, and the same inside `sh -c`, `eval`
//! or a script run by the command. `NAME=v` inside an `echo` string or a
//! commit message is text, not an assignment. Names are compared without
//! regard to case (zsh ties `path` to `PATH`).

use agentops_core::{
    Context, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity, ToolKind, ToolMatch,
};

use crate::security::validate_command::paths::secret_var_name;
use crate::security::validate_command::scan::{quiet_unless_hard_in_unrestricted, subject, Hits};

const POLICY: &str = "validate-env";

/// ENV001: a variable that decides which programs, libraries or home the
/// shell uses.
pub static LOADER_VARIABLE: Rule = Rule {
    id: "ENV001",
    name: "loader-variable",
    policy: POLICY,
    severity: Severity::Hard,
    reason: "sets a variable that decides which programs, libraries or home the shell uses (PATH, HOME, SHELL, USER, LD_*, DYLD_*)",
    why: "PATH, HOME, SHELL, LD_PRELOAD and DYLD_* decide which programs and libraries run; pointing one at a writable directory makes every later command, agentops' own hooks included, run someone else's code. Reading them is fine.",
    fires: "PreToolUse Bash: export PATH=/tmp/bin:$PATH",
    instead: "use the tool's own option or a full program path, or ask the user to set the variable",
    passes: r#"PreToolUse Bash: echo "PATH=$PATH""#,
};

/// ENV002: an interpreter start-up variable that can inject code.
pub static INTERPRETER_INJECTION: Rule = Rule {
    id: "ENV002",
    name: "interpreter-injection",
    policy: POLICY,
    severity: Severity::Hard,
    reason: "sets an interpreter start-up variable that can inject code (NODE_OPTIONS, PYTHONPATH, RUBYOPT, PERL5OPT, CLASSPATH, …)",
    why: "NODE_OPTIONS, PYTHONPATH, RUBYOPT, PERL5OPT, JAVA_TOOL_OPTIONS and their kin load code into every interpreter started afterwards, before the program's own code runs, so one assignment turns each later `npm test` or `python` into a carrier. Ordinary settings such as NODE_ENV pass.",
    fires: "PreToolUse Bash: NODE_OPTIONS=--require=/tmp/hook.js npm test",
    instead: "ask the user to set the variable themselves",
    passes: "PreToolUse Bash: NODE_ENV=test npm test",
};

/// ENV003: a database credential or connection variable.
pub static DATABASE_CREDENTIAL: Rule = Rule {
    id: "ENV003",
    name: "database-credential",
    policy: POLICY,
    severity: Severity::Hard,
    reason: "sets a database credential or connection variable",
    why: "Setting a database URL or password from the agent's shell points later commands (migrations, tests, psql) at whatever database the value names, production included, and writes the credential into the transcript and the shell history. Using the variable the user already set passes.",
    fires: "PreToolUse Bash: export DATABASE_URL=postgres://admin:pw@db.example/app",
    instead: "refer to a variable the user already set (`$DATABASE_URL`), or ask the user",
    passes: r#"PreToolUse Bash: psql "$DATABASE_URL" -c 'SELECT 1'"#,
};

/// ENV004: a secret-looking variable (token, password, key).
pub static SECRET_NAME: Rule = Rule {
    id: "ENV004",
    name: "secret-variable",
    policy: POLICY,
    severity: Severity::Soft,
    reason: "puts a secret-looking value (token, password, key) in the environment",
    why: "A token or password typed into a command ends up in the transcript, the shell history and the process list, where other tools and logs read it. Names that merely contain such a word (TOKENIZERS_PARALLELISM, AUTHOR) pass.",
    fires: "PreToolUse Bash: export GITHUB_TOKEN=ghp_example",
    instead: "refer to an environment variable the user set (`$API_TOKEN`) instead of writing the value",
    passes: "PreToolUse Bash: export TOKENIZERS_PARALLELISM=false",
};

/// ENV090: a command that does not parse and seems to set a guarded
/// variable.
pub static UNPARSED: Rule = Rule {
    id: "ENV090",
    name: "unparsed-assignment",
    policy: POLICY,
    severity: Severity::Ask,
    reason: "could not parse the command, and it seems to set a guarded variable; review it",
    why: "A command the parser cannot read (an unclosed quote, unusual syntax) is scanned word by word; when a word looks like an assignment to a guarded variable, the user decides, since the precise check could not run. Unparsable text setting ordinary variables passes.",
    fires: r#"PreToolUse Bash: export PATH=/tmp/bin ""#,
    instead: "fix the quoting so the command parses",
    passes: r#"PreToolUse Bash: export EDITOR=vim ""#,
};

/// ENV091: ENV090 with a hard-deny variable where an ask is only a note.
pub static UNPARSED_HARD: Rule = Rule {
    id: "ENV091",
    name: "unparsed-hard-deny",
    policy: POLICY,
    severity: Severity::Hard,
    reason: "could not parse the command, and it seems to set a forbidden variable",
    why: "In bypass and unrestricted mode an ask is only a note, so an unparsable command that seems to set a loader, interpreter or database variable would run unchecked; it is refused instead. In the other modes the same command asks (ENV090).",
    fires: r#"PreToolUse Bash: export PATH=/tmp/bin " | given $AGENTOPS_MODE=unrestricted"#,
    instead: "fix the quoting so the command parses",
    passes: r#"PreToolUse Bash: export PATH=/tmp/bin ""#,
};

static RULES: &[&Rule] = &[
    &LOADER_VARIABLE,
    &INTERPRETER_INJECTION,
    &DATABASE_CREDENTIAL,
    &SECRET_NAME,
    &UNPARSED,
    &UNPARSED_HARD,
];

const LOADER: &[&str] = &[
    "PATH",
    "HOME",
    "SHELL",
    "USER",
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "LD_AUDIT",
    "BASH_ENV",
];

const INTERPRETER: &[&str] = &[
    "NODE_OPTIONS",
    "NODE_PATH",
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "PYTHONHOME",
    "RUBYOPT",
    "RUBYLIB",
    "PERL5OPT",
    "PERL5LIB",
    "PERLLIB",
    "CLASSPATH",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
];

const DATABASE_PREFIXES: &[&str] = &[
    "DB_",
    "TEST_DB_",
    "REDIS_",
    "MYSQL_",
    "POSTGRES_",
    "MONGO_",
    "MONGODB_",
];

const DATABASE_NAMES: &[&str] = &[
    "DATABASE_URL",
    "DATABASE_PASSWORD",
    "PGPASSWORD",
    "PGPASSFILE",
];

/// The rule a variable name falls under, if any.
pub fn classify(name: &str) -> Option<&'static Rule> {
    let upper = name.to_ascii_uppercase();
    if LOADER.contains(&upper.as_str()) || upper.starts_with("DYLD_") {
        return Some(&LOADER_VARIABLE);
    }
    if INTERPRETER.contains(&upper.as_str()) {
        return Some(&INTERPRETER_INJECTION);
    }
    if DATABASE_PREFIXES.iter().any(|p| upper.starts_with(p))
        || DATABASE_NAMES.contains(&upper.as_str())
    {
        return Some(&DATABASE_CREDENTIAL);
    }
    if secret_var_name(&upper) {
        return Some(&SECRET_NAME);
    }
    None
}

/// The validate-env policy: guarded variables set by a shell command.
pub static VALIDATE_ENV: Policy = Policy {
    name: POLICY,
    summary:
        "Blocks shell commands that set loader, interpreter-injection, database or secret variables",
    events: &[HookEvent::PreToolUse],
    tools: ToolMatch::Only(&[ToolKind::Bash]),
    flag: Some(("env_validation_enabled", FlagKind::Security)),
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    let Some(command) = input.command().filter(|c| !c.trim().is_empty()) else {
        return Outcome::none();
    };
    // Cheap exit: no `=` means no assignment anywhere.
    if !command.contains('=') {
        return Outcome::none();
    }
    let analysis = agentops_shell::analyse_cached(command);
    let mut hits = Hits::default();
    for c in &analysis.commands {
        for a in &c.assignments {
            if let Some(rule) = classify(&a.name) {
                let shown = format!(
                    "{}{}=… in `{}`",
                    a.name,
                    if a.append { "+" } else { "" },
                    subject(c)
                );
                hits.push(rule, shown, c.approximate);
            }
        }
    }
    let outcome = hits.into_outcome(
        &UNPARSED,
        &UNPARSED_HARD,
        ctx.soft_rules_relaxed(input).is_some(),
    );
    quiet_unless_hard_in_unrestricted(outcome, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("PATH", Some("ENV001")),
            ("path", Some("ENV001")),
            ("Ld_Preload", Some("ENV001")),
            ("DYLD_INSERT_LIBRARIES", Some("ENV001")),
            ("NODE_OPTIONS", Some("ENV002")),
            ("PYTHONPATH", Some("ENV002")),
            ("DB_HOST", Some("ENV003")),
            ("PGPASSWORD", Some("ENV003")),
            ("API_TOKEN", Some("ENV004")),
            ("EDITOR", None),
            ("RUST_LOG", None),
            ("PATHS_TO_SCAN", None),
        ];
        for (name, want) in cases {
            assert_eq!(classify(name).map(|r| r.id), *want, "{name}");
        }
    }
}
