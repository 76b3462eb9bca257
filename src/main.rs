//! `agentops`: guardrails, audit and a delivery lifecycle for AI coding
//! agents, as one binary behind every Claude Code hook.

use agentops::cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Panics are contained and reported by the engine; keep stderr to one
    // line and never let the default hook write anything to stdout.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("agentops: internal error: {info}");
    }));
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The hook path skips the full command-line parser: it runs on every
    // tool call and its grammar is tiny.
    if args.get(1).is_some_and(|a| a == "hook") {
        return cli::hook::main(&args[2..]);
    }
    // Run bare with a payload piped in (a hook runner that dropped the
    // arguments): answer as a hook rather than print usage and exit 2.
    if args.len() == 1 && !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return cli::hook::main(&[]);
    }
    cli::main(args)
}
