//! validate-command: what a Bash command does, judged on the parsed command
//! rather than on its text.
//!
//! Every simple command the shell would run is checked, including those in
//! pipelines, lists, substitutions, `sh -c` strings, `eval`, heredocs and
//! pipes into shells, scripts written and run in the same command, `find
//! -exec`, and inline interpreter shell-outs (see [`agentops_shell`]). Text
//! that is only data (an `echo` string, a commit message, a grep pattern, a
//! heredoc written to a file) is never treated as a command.
//!
//! Hard rules deny in every mode; soft rules ask in advisory mode and deny in
//! blocking mode. A command that does not parse is checked on its tokens and,
//! when something dangerous shows, answered with "could not parse".

pub(crate) mod code;
mod destructive;
pub(crate) mod paths;
mod risky;
pub(crate) mod scan;
mod tamper;

use agentops_core::{
    Context, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity, ToolKind, ToolMatch,
};
use agentops_shell::ParseStatus;

use scan::{Hits, Scan};

const POLICY: &str = "validate-command";

const fn rule(
    id: &'static str,
    name: &'static str,
    severity: Severity,
    reason: &'static str,
) -> Rule {
    Rule {
        id,
        name,
        policy: POLICY,
        severity,
        reason,
        ..Rule::PENDING_DOCS
    }
}

pub static RECURSIVE_DELETE_CRITICAL: Rule = rule(
    "CMD001",
    "recursive-delete-critical",
    Severity::Hard,
    "recursive deletion of the root, a home or a system directory",
);
pub static DISK_WIPE: Rule = rule(
    "CMD002",
    "disk-wipe",
    Severity::Hard,
    "formats, wipes or writes raw data to a disk device",
);
pub static FORK_BOMB: Rule = rule(
    "CMD003",
    "fork-bomb",
    Severity::Hard,
    "fork bomb: a function that keeps spawning copies of itself",
);
pub static POWER_STATE: Rule = rule(
    "CMD004",
    "shutdown-reboot",
    Severity::Hard,
    "shuts down, halts or reboots the machine",
);
pub static AGENTOPS_STATE: Rule = rule(
    "CMD005",
    "agentops-state-tamper",
    Severity::Hard,
    "writes, deletes, moves or re-permissions agentops state under .agentops/",
);
pub static FLAGS_WRITE: Rule = rule(
    "CMD020",
    "flags-shell-write",
    Severity::Confirm,
    "changes .agentops/flags.json from the shell, which can switch security checks off; the user must confirm",
);
pub static HOOK_WIRING: Rule = rule(
    "CMD006",
    "hook-wiring-tamper",
    Severity::Hard,
    "changes the hook scripts or settings that run agentops",
);
pub static AGENTOPS_BINARY: Rule = rule(
    "CMD007",
    "agentops-binary-tamper",
    Severity::Hard,
    "replaces, removes or re-permissions the agentops binary",
);
pub static INTERPRETER_PROTECTED: Rule = rule(
    "CMD008",
    "interpreter-protected-path",
    Severity::Hard,
    "inline interpreter code refers to agentops state, hooks or settings",
);
pub static INDIRECT_DANGEROUS: Rule = rule(
    "CMD009",
    "indirect-dangerous",
    Severity::Hard,
    "indirect execution: a dangerous command hidden in sh -c or eval",
);
pub static DOWNLOAD_EXEC: Rule = rule(
    "CMD010",
    "download-exec",
    Severity::Soft,
    "runs code straight from a download (pipe to shell, process substitution, downloaded script)",
);
pub static CHAINED_DANGEROUS: Rule = rule(
    "CMD011",
    "chained-dangerous",
    Severity::Soft,
    "a dangerous command chained with && or || (shell injection risk)",
);
pub static BROAD_PERMISSIONS: Rule = rule(
    "CMD012",
    "broad-permissions",
    Severity::Soft,
    "world-writable permissions or recursive ownership change on system paths",
);
pub static CREDENTIAL_READ: Rule = rule(
    "CMD013",
    "credential-read",
    Severity::Soft,
    "reads a credential or key file",
);
pub static SYSTEM_DIRECTORY: Rule = rule(
    "CMD014",
    "system-directory",
    Severity::Soft,
    "uses a system directory (/etc, /proc, /sys, /dev, /boot, /root, /sbin); review before proceeding",
);
pub static SENSITIVE_DOTFILE: Rule = rule(
    "CMD015",
    "sensitive-dotfile",
    Severity::Soft,
    "uses a sensitive dotfile or credential directory (~/.ssh, ~/.aws, ~/.gnupg, registry tokens)",
);
pub static GIT_DESTRUCTIVE: Rule = rule(
    "CMD016",
    "git-destructive",
    Severity::Soft,
    "destructive git operation (force push, hard reset, forced clean or branch delete, discarding all changes, history rewrite)",
);
pub static DB_DESTRUCTIVE: Rule = rule(
    "CMD017",
    "database-destructive",
    Severity::Soft,
    "destructive database statement (DROP, TRUNCATE, DELETE without WHERE, FLUSHALL)",
);
pub static CLOUD_DESTRUCTIVE: Rule = rule(
    "CMD018",
    "cloud-destructive",
    Severity::Soft,
    "destroys cloud or cluster resources (terraform destroy, kubectl delete namespace or --all, s3 bucket removal, prune -a)",
);
pub static DECODED_EXEC: Rule = rule(
    "CMD019",
    "decoded-exec",
    Severity::Soft,
    "runs decoded (obfuscated) data as code",
);
pub static UNPARSED: Rule = rule(
    "CMD090",
    "unparsed-dangerous",
    Severity::Ask,
    "could not parse the command, and its tokens look dangerous; review it",
);
pub static UNPARSED_HARD: Rule = rule(
    "CMD091",
    "unparsed-hard-deny",
    Severity::Hard,
    "could not parse the command, and its tokens match a hard-deny rule",
);
pub static TOO_DEEP: Rule = rule(
    "CMD092",
    "nesting-too-deep",
    Severity::Ask,
    "code nested deeper than the analyser follows (sh -c inside sh -c …); review it",
);
/// CMD092's answer where an ask is only a note (bypass, unrestricted): the
/// code past the analyser's limits was never checked, so it is refused.
pub static TOO_DEEP_HARD: Rule = rule(
    "CMD093",
    "unanalysed-code-refused",
    Severity::Hard,
    "part of the command is beyond what the analyser follows (nesting or command count) and asking is off in this mode; refused",
);

static RULES: &[&Rule] = &[
    &RECURSIVE_DELETE_CRITICAL,
    &DISK_WIPE,
    &FORK_BOMB,
    &POWER_STATE,
    &AGENTOPS_STATE,
    &HOOK_WIRING,
    &AGENTOPS_BINARY,
    &INTERPRETER_PROTECTED,
    &INDIRECT_DANGEROUS,
    &DOWNLOAD_EXEC,
    &CHAINED_DANGEROUS,
    &BROAD_PERMISSIONS,
    &CREDENTIAL_READ,
    &SYSTEM_DIRECTORY,
    &SENSITIVE_DOTFILE,
    &GIT_DESTRUCTIVE,
    &DB_DESTRUCTIVE,
    &CLOUD_DESTRUCTIVE,
    &DECODED_EXEC,
    &UNPARSED,
    &UNPARSED_HARD,
    &TOO_DEEP,
    &TOO_DEEP_HARD,
    &FLAGS_WRITE,
];

pub static VALIDATE_COMMAND: Policy = Policy {
    name: POLICY,
    summary:
        "Blocks destructive, self-tampering and risky shell commands, judged on the parsed command",
    events: &[HookEvent::PreToolUse],
    tools: ToolMatch::Only(&[ToolKind::Bash]),
    flag: Some(("command_validation_enabled", FlagKind::Security)),
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    match input.command() {
        Some(command) if !command.trim().is_empty() => scan::quiet_unless_hard_in_unrestricted(
            check_command(command, ctx, ctx.soft_rules_relaxed(input).is_some()),
            ctx,
        ),
        _ => Outcome::none(),
    }
}

/// Check one command string. `relaxed`: soft rules are advisory (bypass or
/// unrestricted mode), so a hard pattern in unparsable text must not be
/// answered with a mere ask.
pub fn check_command(command: &str, ctx: &Context, relaxed: bool) -> Outcome {
    let analysis = agentops_shell::analyse_cached(command);
    let scan = Scan::new(&analysis, ctx);
    let mut hits = Hits::default();
    for c in &analysis.commands {
        destructive::check(&scan, c, &mut hits);
        tamper::check(&scan, c, &mut hits);
        risky::check(&scan, c, &mut hits);
    }
    destructive::fork_bombs(&analysis, &mut hits);
    if matches!(analysis.status, ParseStatus::Fallback { .. })
        && !hits.fired(&FORK_BOMB)
        && destructive::fork_bomb_text(command)
    {
        hits.push(&FORK_BOMB, command.chars().take(80).collect(), true);
    }
    if analysis.depth_capped {
        // Code past the cap (nesting depth or command count) was not looked
        // at; an ask would be a mere note when relaxed, so refuse then.
        hits.push(
            if relaxed { &TOO_DEEP_HARD } else { &TOO_DEEP },
            format!(
                "more than {} levels of nested code or more commands than the analyser follows",
                agentops_shell::MAX_DEPTH
            ),
            false,
        );
    }
    hits.into_outcome(&UNPARSED, &UNPARSED_HARD, relaxed)
}
