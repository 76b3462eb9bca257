//! `agentops session-scan --project DIR` (hidden): the session's
//! invisible-Unicode scan, started in the background by the SessionStart
//! hook so that session start does not wait on the size of the project.
//! It leaves its report in `.agentops/` for the next hook to deliver
//! (see the unicode-scan-session policy).

use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;
use std::process::ExitCode;

use agentops_core::{Context, World};
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
    let state = project.join(".agentops");
    if let Err(e) = std::fs::create_dir_all(&state) {
        eprintln!(
            "agentops session-scan: cannot create {}: {e}",
            state.display()
        );
        return ExitCode::from(1);
    }
    // One scan per project at a time: sessions started together share the
    // running scan's report instead of scanning the tree twice at once.
    let Some(_lock) = try_lock(&state.join(LOCK_FILE)) else {
        return ExitCode::SUCCESS;
    };
    let flags = agentops_engine::flags_file::load(project).unwrap_or_default();
    let ctx = Context {
        project_dir: project.clone(),
        flags,
        ..Context::default()
    };
    let world = HostWorld;
    let ts = agentops_records::clock::iso_from_secs(world.now_secs());
    let effects = background_scan(&world, project, budget(&ctx), &ts);
    let failures = agentops_engine::perform_effects(&effects, &ctx);
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("agentops session-scan: {}", failures.join("; "));
        ExitCode::from(1)
    }
}

/// The lock file, locked; `None` when another scan holds it (or it cannot
/// be opened: then no scan runs, and the next session tries again).
fn try_lock(path: &std::path::Path) -> Option<File> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .ok()?;
    match file.try_lock() {
        Ok(()) => Some(file),
        Err(TryLockError::WouldBlock | TryLockError::Error(_)) => None,
    }
}
