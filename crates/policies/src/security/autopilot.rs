//! permission-autopilot: fewer permission prompts, without guessing.
//!
//! With `permission_autopilot_enabled` on, a Bash command is answered from
//! what the command knowledge base ([`agentops_effects`]) says it does:
//! - **allow** (AUTO001) when every simple command is known and every
//!   effect is a read, a network read, or a write or delete inside the
//!   project (outside `.git/`), with no privilege wrapper;
//! - **ask** (AUTO002) when some command or subcommand is not in the
//!   knowledge base: nobody has said what it does;
//! - otherwise nothing: the verdict table (validate-command) and the
//!   client's own permission rules decide.
//!
//! Any rule that asks or denies wins over the allow, so the autopilot can
//! only remove prompts for commands nothing objects to.

use agentops_core::outcome::Finding;
use agentops_core::{
    Context, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity, ToolKind, ToolMatch,
};
use agentops_effects::{effects_of, CommandEffects, Effect};
use agentops_shell::{Analysis, Command};

use crate::security::validate_command::effects::{place, Place};
use crate::security::validate_command::paths::expands_secret_variable;
use crate::security::validate_command::scan::Scan;

const POLICY: &str = "permission-autopilot";

/// AUTO001: every effect is known and harmless.
pub static KNOWN_HARMLESS: Rule = Rule {
    id: "AUTO001",
    name: "autopilot-allow",
    policy: POLICY,
    severity: Severity::Approve,
    reason: "every effect of the command is known and stays inside the project (reads, network reads, project writes); allowed without a prompt",
    why: "Most commands an agent runs read files, build, test or edit the project; prompting for each trains users to approve without reading. When the knowledge base knows every command and subcommand and every effect is a read or stays inside the project, the autopilot answers allow, so the prompts left are the ones that matter. Any rule that asks or denies wins over it.",
    fires: r#"PreToolUse Bash: git status && ls src | given /p/.agentops/flags.json = {"permission_autopilot_enabled":true}"#,
    instead: "",
    passes: r#"PreToolUse Bash: git push origin main | given /p/.agentops/flags.json = {"permission_autopilot_enabled":true}"#,
};

/// AUTO002: a command the knowledge base does not know.
pub static UNKNOWN_COMMAND: Rule = Rule {
    id: "AUTO002",
    name: "autopilot-unknown-command",
    policy: POLICY,
    severity: Severity::Ask,
    reason: "the command knowledge base does not know this command or subcommand, so nobody has said what it does; review it",
    why: "The autopilot allows only what it understands. A tool or subcommand the knowledge base has no entry for could do anything, so with the autopilot on it asks instead of staying silent; adding the tool to crates/effects/kb/ teaches it.",
    fires: r#"PreToolUse Bash: frobnicate --all | given /p/.agentops/flags.json = {"permission_autopilot_enabled":true}"#,
    instead: "",
    passes: r#"PreToolUse Bash: frobnicate --all"#,
};

static RULES: &[&Rule] = &[&KNOWN_HARMLESS, &UNKNOWN_COMMAND];

/// The permission-autopilot policy.
pub static PERMISSION_AUTOPILOT: Policy = Policy {
    name: POLICY,
    summary: "Allows commands whose every effect is known and stays in the project; asks for commands the knowledge base does not know",
    events: &[HookEvent::PreToolUse],
    tools: ToolMatch::Only(&[ToolKind::Bash]),
    flag: Some((FLAG, FlagKind::Automation)),
    rules: RULES,
    evaluate,
};

/// What the autopilot would answer for a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// Every effect known and harmless: the listed effects.
    Allow(Vec<String>),
    /// These simple commands are not in the knowledge base.
    Unknown(Vec<String>),
    /// Known, but some effect is for the verdict table to judge: which.
    Table(Vec<String>),
}

/// The opt-in flag: only an explicit `true` turns the autopilot on.
pub const FLAG: &str = "permission_autopilot_enabled";

fn evaluate(_event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    if ctx.flags.get_string(FLAG).as_deref() != Some("true") {
        return Outcome::none();
    }
    let Some(command) = input.command().filter(|c| !c.trim().is_empty()) else {
        return Outcome::none();
    };
    let analysis = agentops_shell::analyse_cached(command);
    match judge(&analysis, ctx) {
        Judgement::Allow(effects) => with_subject(&KNOWN_HARMLESS, effects.join(", ")),
        Judgement::Unknown(commands) => with_subject(&UNKNOWN_COMMAND, commands.join("; ")),
        Judgement::Table(_) => Outcome::none(),
    }
}

fn with_subject(rule: &'static Rule, subject: String) -> Outcome {
    Outcome {
        findings: vec![Finding::with_subject(rule, subject)],
        ..Outcome::default()
    }
}

/// Wrappers that change who runs the command.
const PRIVILEGE_WRAPPERS: &[&str] = &["sudo", "doas", "su", "pkexec", "run0", "runuser", "chroot"];

/// Targets that are not files anyone keeps.
const HARMLESS_DEVICES: &[&str] = &["/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty"];

/// Why a command's words keep it from the autopilot, if they do: a
/// secret-looking variable anywhere in it (printed, sent or passed on), a
/// dump of the whole environment, or a network request whose words are
/// computed (a URL built from a substitution can carry anything out).
fn not_plain(c: &Command, effects: &CommandEffects) -> Option<&'static str> {
    let secret_var =
        expands_secret_variable(c.args.iter().chain(c.assignments.iter().map(|a| &a.value)));
    if secret_var {
        return Some("uses a secret-looking variable");
    }
    let dumps_environment = match c.name.as_str() {
        "env" | "printenv" | "set" => c.args.is_empty(),
        "export" | "declare" | "typeset" => c.args.iter().all(|a| a.text.starts_with('-')),
        _ => false,
    };
    if dumps_environment {
        return Some("prints the whole environment");
    }
    if c.wrappers
        .iter()
        .any(|w| matches!(w.as_str(), "xargs" | "parallel"))
    {
        return Some("its arguments come from its input (xargs), unseen here");
    }
    let computed = c.args.iter().any(|w| w.dynamic || !w.subst.is_empty());
    if computed
        && effects
            .effects
            .iter()
            .any(|d| matches!(d.effect, Effect::NetworkRead | Effect::NetworkSend))
    {
        return Some("a network request with computed words");
    }
    None
}

/// Whether `target` is a file that runs by itself later (a manifest, a
/// build or CI file, a hook), inside the guard's own directories, or
/// anywhere under `.git/`, `.claude/` or `.agentops/`.
fn runs_later(scan: &Scan, id: usize, target: &str) -> bool {
    let abs = scan.abs(id, target);
    let rel = abs
        .strip_prefix(scan.project())
        .map(|r| r.trim_start_matches('/'))
        .unwrap_or(&abs);
    let guarded = [".claude", ".agentops", ".git"]
        .iter()
        .any(|d| rel == *d || rel.starts_with(&format!("{d}/")));
    guarded || crate::security::run_later::kind_of(rel).is_some()
}

/// Judge an analysed command: see the module documentation.
pub fn judge(analysis: &Analysis, ctx: &Context) -> Judgement {
    if !analysis.parsed() || analysis.depth_capped {
        return Judgement::Table(vec!["the command did not parse completely".into()]);
    }
    let scan = Scan::new(analysis, ctx);
    let mut unknown = Vec::new();
    let mut judged = Vec::new();
    let mut harmless = Vec::new();
    for c in &analysis.commands {
        if c.approximate || c.synthetic {
            judged.push(format!("{c}: structure is a best guess"));
            continue;
        }
        let effects = effects_of(c);
        if let Some(why) = not_plain(c, &effects) {
            judged.push(format!("{c}: {why}"));
        }
        if !effects.known {
            unknown.push(c.to_string());
            continue;
        }
        if let Some(w) = c
            .wrappers
            .iter()
            .find(|w| PRIVILEGE_WRAPPERS.contains(&w.as_str()))
        {
            judged.push(format!("{c}: run through {w}"));
        }
        for d in &effects.effects {
            let safe = match d.effect {
                Effect::Read | Effect::NetworkRead => true,
                Effect::Write | Effect::Delete => match d.target.as_deref() {
                    None => true,
                    Some(t) if HARMLESS_DEVICES.contains(&t) => true,
                    Some(t) => {
                        place(&scan, c.id, t) == Place::Project && !runs_later(&scan, c.id, t)
                    }
                },
                _ => false,
            };
            let label = match &d.target {
                Some(t) => format!("{} {t}", d.effect),
                None => d.effect.to_string(),
            };
            if safe {
                if !harmless.contains(&label) {
                    harmless.push(label);
                }
            } else {
                judged.push(format!("{c}: {label}"));
            }
        }
    }
    if !unknown.is_empty() {
        Judgement::Unknown(unknown)
    } else if !judged.is_empty() {
        Judgement::Table(judged)
    } else {
        Judgement::Allow(harmless)
    }
}

/// One simple command as the knowledge base sees it, for `agentops check
/// --explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    /// The normalised command.
    pub command: String,
    /// Whether the knowledge base knows it.
    pub known: bool,
    /// Each effect with its target, where the target lies, and the entry
    /// that said so (`redirection` for the shell syntax itself).
    pub effects: Vec<(String, Option<String>, Option<&'static str>, &'static str)>,
}

/// The effects of every simple command of `analysis`, in order.
pub fn explain(analysis: &Analysis, ctx: &Context) -> Vec<Explained> {
    let scan = Scan::new(analysis, ctx);
    analysis
        .commands
        .iter()
        .map(|c| {
            let e = effects_of(c);
            Explained {
                command: c.to_string(),
                known: e.known,
                effects: e
                    .effects
                    .iter()
                    .map(|d| {
                        (
                            d.effect.to_string(),
                            d.target.clone(),
                            d.target.as_deref().map(|t| place(&scan, c.id, t).name()),
                            d.entry.map_or("redirection", |e| e.id()),
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}
