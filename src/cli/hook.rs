//! `agentops hook <Event> [--only <policy>]`.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use agentops_core::HookEvent;
use agentops_engine::{read_input, run_hook, Environment, Selection};

#[derive(clap::Args)]
pub struct Args {
    /// The hook event, as Claude Code names it (PreToolUse, Stop, ...).
    /// Without it, the payload's `hook_event_name` decides.
    pub event: Option<String>,
    /// Run only this policy, named as the upstream hook (validate-command, ...).
    #[arg(long)]
    pub only: Option<String>,
}

/// Fast path used by `main` before the full parser is built.
pub fn main(rest: &[OsString]) -> ExitCode {
    let mut event = None;
    let mut only = None;
    let mut iter = rest.iter();
    while let Some(arg) = iter.next() {
        let Some(arg) = arg.to_str() else {
            return usage("arguments must be valid UTF-8");
        };
        if arg == "--only" {
            match iter.next().and_then(|v| v.to_str()) {
                Some(v) => only = Some(v.to_string()),
                None => return usage("--only needs a policy name"),
            }
        } else if let Some(v) = arg.strip_prefix("--only=") {
            only = Some(v.to_string());
        } else if arg == "-h" || arg == "--help" {
            println!("usage: agentops hook <Event> [--only <policy>]\nReads one Claude Code hook payload on stdin and prints the answer.");
            return ExitCode::SUCCESS;
        } else if event.is_none() && !arg.starts_with('-') {
            event = Some(arg.to_string());
        } else {
            return usage(&format!("unexpected argument `{arg}`"));
        }
    }
    run(&Args { event, only })
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("agentops hook: {problem}\nusage: agentops hook <Event> [--only <policy>]");
    ExitCode::from(2)
}

/// The event a payload names, for runs without an explicit event: `Err`
/// with the name when agentops does not know it. A payload that names
/// none is treated as a gate so it fails closed.
fn event_from_payload(
    raw: &Result<Vec<u8>, agentops_engine::InputProblem>,
) -> Result<HookEvent, String> {
    let named = raw
        .as_ref()
        .ok()
        .and_then(|bytes| serde_json::from_slice::<agentops_core::HookInput>(bytes).ok())
        .and_then(|input| input.event_name().map(str::to_string));
    match named {
        Some(name) => name.parse().map_err(|_| name),
        None => Ok(HookEvent::PreToolUse),
    }
}

/// An event from a newer client that agentops does not know: nothing to
/// answer. Exit 0 without output, so the client goes on as if agentops had
/// no hook there (exit 2 would block whatever the event guards).
fn unknown_event(name: &str) -> ExitCode {
    // A typo in hand-written wiring looks the same; point at the event
    // that differs by at most two letters.
    let close = HookEvent::ALL.iter().find(|e| {
        agentops_core::catalogue::edit_distance(
            &e.as_str().to_ascii_lowercase(),
            &name.to_ascii_lowercase(),
        ) <= 2
    });
    let hint = close.map_or(String::new(), |e| format!(" (did you mean `{e}`?)"));
    eprintln!("agentops hook: `{name}` is not an event this version knows; nothing to do{hint}");
    ExitCode::SUCCESS
}

pub fn run(args: &Args) -> ExitCode {
    let explicit = match args
        .event
        .as_deref()
        .map(|name| (name, name.parse::<HookEvent>()))
    {
        None => None,
        Some((_, Ok(e))) => Some(e),
        Some((name, Err(_))) => return unknown_event(name),
    };
    let raw = read_input(std::io::stdin().lock());
    let event = match explicit.map_or_else(|| event_from_payload(&raw), Ok) {
        Ok(event) => event,
        Err(name) => return unknown_event(&name),
    };
    let selection = match args.only.as_deref() {
        None => Selection::All,
        Some(name) => match agentops_policies::by_name(name) {
            Some(p) => Selection::Only(p),
            None => {
                let known: Vec<_> = agentops_policies::all().iter().map(|p| p.name).collect();
                eprintln!(
                    "agentops hook: unknown policy `{name}` (known: {})",
                    known.join(", ")
                );
                // Exit 2 blocks a gate; elsewhere a plain error is enough.
                return ExitCode::from(if event.is_gate() { 2 } else { 1 });
            }
        },
    };
    let run = run_hook(event, selection, raw, &Environment::from_process());
    if event == HookEvent::SessionEnd {
        super::telemetry::spawn_background_export();
    }
    if let Some(output) = run.output {
        let mut stdout = std::io::stdout().lock();
        // A closed stdout leaves nothing to tell; the exit code stays 0.
        let _ = writeln!(stdout, "{output}");
        let _ = stdout.flush();
    }
    ExitCode::SUCCESS
}
