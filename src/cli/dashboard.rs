//! `agentops dashboard [--project DIR] [--port N] [--open]`: serve the
//! local dashboard.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use agentops_dashboard::Dashboard;
use agentops_scan::{supply_chain, UnicodeOptions};
use agentops_state::StateDir;
use serde_json::{json, Value};

#[derive(clap::Args)]
pub struct Args {
    /// Port on 127.0.0.1 (default: a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Project whose .agentops/ logs to show (default: $CLAUDE_PROJECT_DIR, else the current directory).
    #[arg(long)]
    pub project: Option<PathBuf>,
}

/// Cost per (day, model) from the cost ledger, priced with the project's
/// price table, plus the budget when one is set.
fn cost_panel(project: &Path) -> Value {
    let state = StateDir::new(project);
    let (prices, _) = agentops_cost::load_prices(&state);
    let ledger = agentops_cost::load_ledger(&state).unwrap_or_default();
    let mut per_day_model: BTreeMap<(String, String), f64> = BTreeMap::new();
    for row in &ledger.rows {
        let usd = prices.cost(&row.model, &row.usage).unwrap_or(0.0);
        *per_day_model
            .entry((row.day.clone(), row.model.clone()))
            .or_default() += usd;
    }
    let series: Vec<Value> = per_day_model
        .into_iter()
        .map(|((day, model), usd)| json!({"day": day, "model": model, "usd": usd}))
        .collect();
    // The one budget model the budget policies use: the environment
    // overrides the file, and a budget of 0 is a budget (nothing may be
    // spent), so it is shown.
    let file = agentops_cost::Budget::read_file(&state).ok().flatten();
    let env_usd = std::env::var(agentops_cost::ENV_BUDGET_USD).ok();
    let env_pct = std::env::var(agentops_cost::ENV_WARN_PCT).ok();
    let budget = agentops_cost::Budget::resolve(
        file.as_deref(),
        agentops_cost::Overrides {
            budget_usd: env_usd.as_deref(),
            warn_pct: env_pct.as_deref(),
        },
    );
    let set = file.is_some() || env_usd.as_deref().is_some_and(|v| !v.is_empty());
    json!({"series": series, "budget": set.then_some(budget.budget_usd)})
}

/// Findings listed in the panel at most.
const MAX_FINDINGS: usize = 200;

/// `file:line:col` (unicode findings), or `file` and a package (lockfile
/// findings), or a path: the file and the line, when there is one.
fn file_and_line(location: &str) -> (String, Option<u64>) {
    let mut parts = location.rsplitn(3, ':');
    let (last, middle, first) = (parts.next(), parts.next(), parts.next());
    if let (Some(col), Some(line), Some(file)) = (last, middle, first) {
        if let (Ok(line), Ok(_)) = (line.parse::<u64>(), col.parse::<u64>()) {
            return (file.to_string(), Some(line));
        }
    }
    (location.to_string(), None)
}

/// Supply-chain and integrity findings: counts per kind and each finding
/// with its kind, file and line, with a time budget on the unicode walk
/// so the panel never hangs.
fn status_panel(project: &Path) -> Value {
    let (flags, _) = agentops_engine::load_flags(project);
    let opts = UnicodeOptions {
        budget: Some(Duration::from_secs(2)),
        ..UnicodeOptions::default()
    };
    let report = supply_chain(project, &flags, &opts);
    let rows = report.rows();
    let count = |kind: &str| rows.iter().filter(|r| r.kind == kind).count();
    let findings: Vec<Value> = rows
        .iter()
        .take(MAX_FINDINGS)
        .map(|r| {
            let (file, line) = file_and_line(&r.location);
            json!({"kind": r.kind, "file": file, "line": line, "id": r.id, "detail": r.detail})
        })
        .collect();
    json!({
        "counts": {
            "invisible unicode": count("unicode"),
            "lockfile findings": count("lockfile"),
            "integrity (changed or missing files)": count("integrity"),
        },
        "findings": findings,
        "total": rows.len(),
    })
}

fn rule_reason(id: &str) -> Option<&'static str> {
    super::rules::find(id).map(|r| r.reason)
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

/// Both scopes' exceptions, as `agentops allow list --json` lists them.
fn exceptions_panel(project: &Path) -> Value {
    let home = agentops_engine::Environment::from_process().home;
    let (rows, problems) = super::allow::all(project, home.as_deref(), super::now_secs());
    json!({"exceptions": rows, "problems": problems})
}

pub fn run(args: &Args) -> ExitCode {
    let project = match &args.project {
        Some(dir) if dir.is_dir() => dir.clone(),
        Some(dir) => {
            eprintln!("agentops dashboard: {} is not a directory", dir.display());
            return ExitCode::from(super::USAGE);
        }
        None => agentops_engine::Environment::from_process().project_dir(None),
    };
    let dashboard = Dashboard::new(&project).map(|d| {
        d.with_cost(cost_panel)
            .with_status(status_panel)
            .with_exceptions(exceptions_panel)
            .with_custom_rules(super::custom_rules::dashboard_panel)
            .with_rule_reasons(rule_reason)
    });
    let server = match dashboard.and_then(|d| d.bind(args.port)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("agentops dashboard: {e}");
            return ExitCode::from(1);
        }
    };
    let url = server.url();
    // The first stdout line is the URL, so scripts and tests can read it.
    println!("{url}");
    eprintln!(
        "agentops dashboard for {} (Ctrl-C to stop)",
        project.display()
    );
    if args.open {
        open_in_browser(&url);
    }
    server.serve();
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_split_into_file_and_line() {
        assert_eq!(
            file_and_line("src/a.rs:12:3"),
            ("src/a.rs".to_string(), Some(12))
        );
        assert_eq!(
            file_and_line("dir:x/a.rs:4:1"),
            ("dir:x/a.rs".to_string(), Some(4))
        );
        assert_eq!(
            file_and_line("package-lock.json left-pad"),
            ("package-lock.json left-pad".to_string(), None)
        );
        assert_eq!(file_and_line("a:b:c"), ("a:b:c".to_string(), None));
    }
}
