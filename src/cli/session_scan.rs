//! `agentops session-scan --project DIR` (hidden): the session's
//! invisible-Unicode scan, started in the background by the SessionStart
//! hook so that session start does not wait on the size of the project.
//! It leaves its report in `.agentops/` for the next hook to deliver
//! (see the unicode-scan-session policy).

use std::fs::{File, OpenOptions};
use std::path::PathBuf;
use std::process::ExitCode;

use agentops_core::Context;
use agentops_policies::supply_chain::unicode_scan_session::{background_scan, budget};
use agentops_state::HostWorld;

/// Options of `agentops session-scan`.
#[derive(clap::Args)]
pub struct Args {
    /// The project to scan.
    #[arg(long)]
    project: PathBuf,
}

/// The lock held while a scan runs, under `.agentops/`.
const LOCK_FILE: &str = "unicode-scan.lock";

pub fn run(args: &Args) -> ExitCode {
    let project = &args.project;
    // The hook that started this may have run in a project that is gone
    // by now (a temporary one): nothing to scan, and nothing to recreate.
    if !project.is_dir() {
        return ExitCode::SUCCESS;
    }
    let state = project.join(".agentops");
    if let Err(e) = std::fs::create_dir_all(&state) {
        eprintln!(
            "agentops session-scan: cannot create {}: {e}",
            state.display()
        );
        return ExitCode::from(1);
    }
    // One scan per project at a time. A scan started while another runs
    // waits for it rather than skip: the running one may have listed the
    // tree before a file changed, and its cache makes the second one cheap.
    let Some(_lock) = lock(&state.join(LOCK_FILE)) else {
        eprintln!("agentops session-scan: cannot lock .agentops/{LOCK_FILE}");
        return ExitCode::from(1);
    };
    let flags = agentops_engine::flags_file::load(project).unwrap_or_default();
    let ctx = Context {
        project_dir: project.clone(),
        flags,
        ..Context::default()
    };
    let effects = background_scan(&HostWorld, project, budget(&ctx));
    let failures = agentops_engine::perform_effects(&effects, &ctx);
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("agentops session-scan: {}", failures.join("; "));
        ExitCode::from(1)
    }
}

/// The lock file, locked (waiting for another scan to finish); `None`
/// when it cannot be opened or locked.
fn lock(path: &std::path::Path) -> Option<File> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .ok()?;
    file.lock().ok().map(|()| file)
}
