//! `agentops`: guardrails, audit and a delivery lifecycle for AI coding
//! agents, as one binary behind every Claude Code hook.
//!
//! On Linux with glibc the binary brings its own C `main` (`no_main`):
//! Rust's runtime start-up looks up the main thread's stack guard, which
//! glibc answers by reading and parsing `/proc/self/maps`, about a tenth of
//! a whole hook process. `process_start` does the parts of that start-up
//! this program relies on (standard streams, SIGPIPE); arguments still come
//! from `std::env`, which glibc fills before `main`.
#![cfg_attr(all(target_os = "linux", target_env = "gnu", not(test)), no_main)]

use agentops::cli;

use std::process::ExitCode;

#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
mod process_start;

mod arena;

#[global_allocator]
static ALLOCATOR: arena::BumpThenSystem = arena::BumpThenSystem;

#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
#[allow(unsafe_code)]
#[no_mangle]
extern "C" fn main(
    _argc: std::ffi::c_int,
    _argv: *const *const std::ffi::c_char,
) -> std::ffi::c_int {
    process_start::prepare();
    let code = run();
    // Rust's runtime flushes stdout on the way out; without it, do it here.
    let _ = std::io::Write::flush(&mut std::io::stdout());
    process_start::exit_status(code)
}

// The test harness brings its own `main`.
#[cfg(not(all(target_os = "linux", target_env = "gnu", not(test))))]
fn main() -> ExitCode {
    run()
}

/// Exit status when the reader of stdout went away (`agentops rules | head`):
/// what a shell reports for a process ended by SIGPIPE, so the output
/// stops quietly and no verdict or failure status is claimed.
const CLOSED_OUTPUT: u8 = 128 + 13;

fn run() -> ExitCode {
    // Panics are contained and reported by the engine; keep stderr to one
    // line and never let the default hook write anything to stdout. A
    // print to a closed pipe is no internal error: it ends the command
    // quietly (below), with nothing on stderr.
    std::panic::set_hook(Box::new(|info| {
        if !cli::output::is_closed_output(info.payload_as_str()) {
            eprintln!("agentops: internal error: {info}");
        }
    }));
    // A panic must not unwind out of `main` (a C function on Linux);
    // report it as Rust's own runtime would (exit status 101). Unwinding
    // runs destructors, so a temporary project is still removed.
    match std::panic::catch_unwind(dispatch) {
        Ok(code) => code,
        Err(payload) if cli::output::is_closed_output(panic_text(payload.as_ref())) => {
            ExitCode::from(CLOSED_OUTPUT)
        }
        Err(_) => ExitCode::from(101),
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
}

fn dispatch() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The hook path skips the full command-line parser: it runs on every
    // tool call and its grammar is tiny.
    // `hook --help` goes to the full parser, so it prints what `help hook`
    // prints.
    let asks_help = |rest: &[std::ffi::OsString]| rest.iter().any(|a| a == "-h" || a == "--help");
    if args.get(1).is_some_and(|a| a == "hook") && !asks_help(&args[2..]) {
        return cli::hook::main(&args[2..]);
    }
    // Run bare with a payload piped in (a hook runner that dropped the
    // arguments): answer as a hook rather than print usage and exit 2.
    if args.len() == 1 && !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return cli::hook::bare();
    }
    cli::main(args)
}

/// `log2` for the one caller that needs it (num-bigint, under the Python
/// parser), so that the binary does not load libm just for it.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn log2(x: f64) -> f64 {
    libm::log2(x)
}

#[cfg(test)]
mod tests {
    #[test]
    fn log2_is_the_base_two_logarithm() {
        assert_eq!(super::log2(1.0), 0.0);
        assert_eq!(super::log2(8.0), 3.0);
        assert!((super::log2(10.0) - std::f64::consts::LOG2_10).abs() < 1e-15);
        assert!(super::log2(-1.0).is_nan());
    }
}
