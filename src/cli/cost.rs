//! `agentops cost [--by session|day|model] [--json]`: token use and cost
//! from the ledger the hooks keep (`.agentops/cost-ledger.json`), priced
//! with the offline table (and `.agentops/prices.json`), plus the budget.

use std::path::PathBuf;
use std::process::ExitCode;

use agentops_cost::{
    load_ledger, load_prices, report, Budget, FileState, Grouping, Overrides, ENV_BUDGET_USD,
    ENV_WARN_PCT,
};
use agentops_engine::Environment;
use agentops_state::StateDir;
use serde_json::json;

#[derive(clap::ValueEnum, Clone, Copy, Default)]
pub enum By {
    #[default]
    Session,
    Day,
    Model,
}

#[derive(clap::Args)]
pub struct Args {
    /// How to group the table.
    #[arg(long, value_enum, default_value_t = By::Session)]
    pub by: By,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Project directory (default: $CLAUDE_PROJECT_DIR, else the current directory).
    #[arg(long)]
    pub project: Option<PathBuf>,
}

fn status(b: &Budget) -> &'static str {
    if b.exhausted() {
        "EXCEEDED"
    } else if b.warn_reached() {
        "WARNING"
    } else {
        "OK"
    }
}

pub fn run(args: &Args) -> ExitCode {
    let project = args
        .project
        .clone()
        .unwrap_or_else(|| Environment::from_process().project_dir(None));
    let state = StateDir::new(&project);
    let (prices, problem) = load_prices(&state);
    if let Some(p) = problem {
        eprintln!("agentops cost: {p}");
    }
    let ledger = match load_ledger(&state) {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "agentops cost: cannot read .agentops/{}: {e}",
                agentops_cost::LEDGER_FILE
            );
            return ExitCode::from(2);
        }
    };
    // The same budget model the hooks use: the file, with the
    // environment's overrides. Shown only once the file exists.
    let budget = match Budget::read_file(&state) {
        Ok(Some(text)) => {
            let usd = std::env::var(ENV_BUDGET_USD).ok();
            let pct = std::env::var(ENV_WARN_PCT).ok();
            let b = Budget::resolve(
                Some(&text),
                Overrides {
                    budget_usd: usd.as_deref(),
                    warn_pct: pct.as_deref(),
                },
            );
            for p in &b.problems {
                eprintln!("{p}");
            }
            if b.file == FileState::Unreadable {
                eprintln!(
                    "agentops cost: .agentops/{} is not a JSON object; budget not shown",
                    agentops_cost::BUDGET_FILE
                );
            }
            (b.file == FileState::Read).then_some(b)
        }
        Ok(None) => None,
        Err(e) => {
            eprintln!(
                "agentops cost: cannot read .agentops/{}: {e}",
                agentops_cost::BUDGET_FILE
            );
            None
        }
    };
    let grouping = match args.by {
        By::Session => Grouping::Session,
        By::Day => Grouping::Day,
        By::Model => Grouping::Model,
    };
    let lines = report(&ledger.rows, grouping, &prices);
    let total_usd: f64 = lines.iter().map(|l| l.usd).sum();
    let unpriced: Vec<&str> = {
        let mut models: Vec<&str> = ledger
            .rows
            .iter()
            .filter(|r| prices.lookup(&r.model).is_none())
            .map(|r| r.model.as_str())
            .collect();
        models.sort_unstable();
        models.dedup();
        models
    };
    if args.json {
        let rows: Vec<_> = lines
            .iter()
            .map(|l| {
                json!({"key": l.key, "responses": l.responses, "input_tokens": l.usage.input,
                       "output_tokens": l.usage.output, "cache_write_tokens": l.usage.cache_write(),
                       "cache_write_1h_tokens": l.usage.cache_write_1h,
                       "cache_read_tokens": l.usage.cache_read, "usd": l.usd, "unpriced": l.unpriced})
            })
            .collect();
        let budget = budget.map(|b| {
            json!({"budget_usd": b.budget_usd, "spent": b.spent, "remaining": b.remaining(),
                   "warn_pct": b.warn_pct, "status": status(&b)})
        });
        println!(
            "{}",
            json!({"by": match grouping { Grouping::Session => "session", Grouping::Day => "day", Grouping::Model => "model" },
                   "price_table": prices.version, "rows": rows, "total_usd": total_usd,
                   "unpriced_models": unpriced, "budget": budget})
        );
        return ExitCode::SUCCESS;
    }
    if lines.is_empty() {
        println!(
            "no usage recorded yet (cost is read from the transcript at the end of each turn)"
        );
    } else {
        let key = match grouping {
            Grouping::Session => "SESSION",
            Grouping::Day => "DAY",
            Grouping::Model => "MODEL",
        };
        println!(
            "{key:<38} {:>9} {:>12} {:>12} {:>12} {:>12} {:>10}",
            "RESPONSES", "INPUT", "OUTPUT", "CACHE WRITE", "CACHE READ", "USD"
        );
        for l in &lines {
            println!(
                "{:<38} {:>9} {:>12} {:>12} {:>12} {:>12} {:>10.4}{}",
                l.key,
                l.responses,
                l.usage.input,
                l.usage.output,
                l.usage.cache_write(),
                l.usage.cache_read,
                l.usd,
                if l.unpriced { "*" } else { "" }
            );
        }
        println!("{:<38} {:>73.4}", "TOTAL", total_usd);
        println!("prices: {}", prices.version);
        if !unpriced.is_empty() {
            println!(
                "* no price for: {} (add them to .agentops/prices.json)",
                unpriced.join(", ")
            );
        }
    }
    match budget {
        Some(b) => println!(
            "budget: ${:.2} spent of ${:.2} ({}), ${:.2} left, warning at {}%: {}",
            b.spent,
            b.budget_usd,
            match b.used_pct() {
                Some(pct) => format!("{pct:.1}%"),
                None => "nothing may be spent".to_string(),
            },
            b.remaining(),
            b.warn_pct,
            status(&b)
        ),
        None => println!("budget: not initialised (it is created at session start; set AGENTOPS_BUDGET_USD to choose it)"),
    }
    ExitCode::SUCCESS
}
