//! `agentops dashboard [--port N] [--open]`: serve the local dashboard.

use std::path::PathBuf;
use std::process::ExitCode;

use agentops_dashboard::Dashboard;

#[derive(clap::Args)]
pub struct Args {
    /// Port on 127.0.0.1 (default: a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
}

fn project_dir() -> PathBuf {
    std::env::var_os("CLAUDE_PROJECT_DIR")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

fn open_in_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener).arg(url).spawn() {
        eprintln!("agentops dashboard: could not start {opener}: {e}; open the URL yourself");
    }
}

pub fn run(args: &Args) -> ExitCode {
    let project = project_dir();
    let server = match Dashboard::new(&project).and_then(|d| d.bind(args.port)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("agentops dashboard: {e}");
            return ExitCode::from(1);
        }
    };
    let url = server.url();
    // The first stdout line is the URL, so scripts and tests can read it.
    println!("{url}");
    eprintln!("agentops dashboard for {} (Ctrl-C to stop)", project.display());
    if args.open {
        open_in_browser(&url);
    }
    server.serve();
    ExitCode::SUCCESS
}
