//! Command-line interface: one module per subcommand.

pub mod agent_install;
pub mod allow;
pub mod audit;
pub mod check;
pub mod claude_settings;
pub mod compliance;
pub mod config;
pub mod cost;
pub mod custom_rules;
pub mod dashboard;
pub mod doctor;
pub mod evolve;
pub mod flags;
pub mod hook;
pub mod install;
pub mod lessons;
pub mod output;
pub mod plugin_content;
pub mod replay;
pub mod rules;
pub mod scan;
pub mod session_scan;
pub mod telemetry;
pub mod todo;
pub mod why;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "agentops",
    version,
    about = "Guardrails, audit and a delivery lifecycle for AI coding agents",
    after_help = EXIT_STATUS_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Answer one hook event: the payload on stdin, the answer on stdout,
    /// in Claude Code's protocol or another agent's (`--agent`).
    #[command(after_help = HOOK_HELP)]
    Hook(hook::Args),
    /// Replay a recorded session (one hook payload per line) through the engine.
    Replay(replay::Args),
    /// Show the verdict agentops gives a shell command, and why.
    Check(check::Args),
    /// List every rule with its id, severity and reason, or explain one (`rules CMD001`).
    Rules(rules::Args),
    /// Wire agentops into Claude Code (plugin directory or settings file), or
    /// into another agent (`--agent codex|gemini|copilot|cursor`).
    Install(install::Args),
    /// Remove what install added: from a Claude Code settings file
    /// (`--settings user|project`) or another agent's configuration (`--agent`).
    Uninstall(install::UninstallArgs),
    /// Check the installation, wiring and configuration.
    Doctor(doctor::Args),
    /// Serve the local dashboard (127.0.0.1, token in the URL).
    Dashboard(dashboard::Args),
    /// Prune completed items from tasks/todo.md (archive it when all are done).
    Todo(todo::Args),
    /// List or add lessons in tasks/lessons.md.
    Lessons(lessons::Args),
    /// The compliance gate table: plan, verification, test (exit 1 on a failing gate).
    Compliance(compliance::Args),
    /// List, read or set flags in .agentops/flags.json (validated against the catalogue).
    Flags(flags::Args),
    /// Apply a configuration preset (minimal, standard, enterprise, autonomous).
    Config(config::Args),
    /// The evolve loop's failure backlog.
    Evolve(evolve::Args),
    /// Read and verify the tamper-evident audit log.
    Audit(audit::Args),
    /// Add, list or remove exceptions per rule id (run by the user, not the agent).
    Allow(allow::Args),
    /// Let the exact call a denial names through once, within 5 minutes (run by the user).
    AllowOnce(why::AllowOnceArgs),
    /// Show the full audit record of a decision id (from a deny or ask).
    Why(why::WhyArgs),
    /// Export the telemetry spool to an OTLP/HTTP collector.
    Telemetry(telemetry::Args),
    /// Token use and cost from the session transcripts, and the budget.
    Cost(cost::Args),
    /// Supply-chain scans: invisible Unicode, lockfiles, integrity (exit 1 on findings).
    Scan(scan::Args),
    /// The session's Unicode scan, run in the background by the SessionStart hook.
    #[command(hide = true)]
    SessionScan(session_scan::Args),
}

/// Exit status of a command line that cannot be run as written: an
/// unknown option, a missing argument, a value outside its set, a project
/// that does not exist (`EX_USAGE` of sysexits.h). No verdict uses it:
/// `check` answers 0/1/2 for allow/ask/deny, hooks exit 0 or 2.
pub const USAGE: u8 = 64;

/// The exit statuses, for `--help`.
const EXIT_STATUS_HELP: &str = "\
Exit status:
  0    success (check: allow)
  1    a check failed: check: ask; audit verify: tampered; compliance: a failing gate;
       doctor: a problem found; scan: findings; or an operation failed
  2    check: deny
  64   usage error: unknown option or subcommand, missing or invalid argument,
       a --project that does not exist
  141  stdout was closed before everything was printed (e.g. `| head`)
The hook command (`agentops hook`) exits 0, or 2 to block, as Claude Code expects.

Colour: on a terminal only; NO_COLOR=1 turns it off, CLICOLOR_FORCE=1 forces it.";

const HOOK_HELP: &str = "\
Reads one hook payload on stdin and prints at most one JSON object on stdout.
Exit status: 0, or 2 to block where the agent reads a block from the status;
a usage error here also exits 2, so a miswired gate refuses rather than lets
the call through. An event this version does not know exits 0 with no output.";

/// Report a usage error the way clap does and return [`USAGE`].
pub(crate) fn usage_error(command: &str, problem: impl std::fmt::Display) -> ExitCode {
    eprintln!("agentops {command}: {problem}");
    ExitCode::from(USAGE)
}

/// The project a command reads: `--project`, else `$CLAUDE_PROJECT_DIR`,
/// else the current directory. An explicit or inherited directory that
/// does not exist is a usage error rather than an empty project.
pub(crate) fn project_dir(
    command: &str,
    explicit: &Option<std::path::PathBuf>,
) -> Result<std::path::PathBuf, ExitCode> {
    let dir = explicit
        .clone()
        .unwrap_or_else(|| agentops_engine::Environment::from_process().project_dir(None));
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(usage_error(
            command,
            format!("project directory {} does not exist", dir.display()),
        ))
    }
}

/// Parse a command line without running it; `Err` carries clap's message.
/// Used by tests to check every documented invocation.
pub fn parse(args: &[&str]) -> Result<(), String> {
    let argv = std::iter::once("agentops").chain(args.iter().copied());
    Cli::try_parse_from(argv)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

pub fn main(args: Vec<OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { USAGE } else { 0 });
        }
    };
    match cli.command {
        Command::Hook(a) => hook::run(&a),
        Command::Replay(a) => replay::run(&a),
        Command::Check(a) => check::run(&a),
        Command::Rules(a) => rules::run(&a),
        Command::Install(a) => install::run(&a),
        Command::Uninstall(a) => install::uninstall(&a),
        Command::Doctor(a) => doctor::run(&a),
        Command::Dashboard(a) => dashboard::run(&a),
        Command::Todo(a) => todo::run(&a),
        Command::Lessons(a) => lessons::run(&a),
        Command::Compliance(a) => compliance::run(&a),
        Command::Flags(a) => flags::run(&a),
        Command::Config(a) => config::run(&a),
        Command::Evolve(a) => evolve::run(&a),
        Command::Audit(a) => audit::run(&a),
        Command::Allow(a) => allow::run(&a),
        Command::AllowOnce(a) => why::allow_once(&a),
        Command::Why(a) => why::why(&a),
        Command::Telemetry(a) => telemetry::run(&a),
        Command::Cost(a) => cost::run(&a),
        Command::Scan(a) => scan::run(&a),
        Command::SessionScan(a) => session_scan::run(&a),
    }
}

/// A text file of at most `limit` bytes read from the host (the CLI is an
/// edge: it reads directly, through the same world the engine uses).
pub(crate) fn host_text(path: &std::path::Path, limit: u64) -> Option<String> {
    use agentops_core::World;
    agentops_state::HostWorld
        .read(path, limit)
        .ok()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// Seconds since the Unix epoch, now.
pub(crate) fn now_secs() -> u64 {
    use agentops_core::World;
    agentops_state::HostWorld.now_secs()
}
