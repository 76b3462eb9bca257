//! `agentops cost`: token use and cost.
//!
//! - `agentops cost [--by session|day|model] [--json]`: what the hooks
//!   recorded in `.agentops/cost-ledger.json` since agentops was installed,
//!   and the budget;
//! - `agentops cost daily|session|model [--since D] [--until D] [--json]`:
//!   every session Claude Code kept under `~/.claude/projects` (or
//!   `$CLAUDE_CONFIG_DIR/projects`, or `--transcripts DIR`), subagents
//!   included, read on demand like ccusage (see `agentops_cost::history`).
//!
//! Both price with the offline table and the project's
//! `.agentops/prices.json`. JSON money is a decimal string
//! ([`usd_decimal`]).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use agentops_cost::history::{self, project_folder, TranscriptFile};
use agentops_cost::{
    load_ledger, load_prices, report, usd_decimal, Budget, DayRange, FileState, Grouping,
    Overrides, PriceTable, ReportLine, Row, Usage, ENV_BUDGET_USD, ENV_WARN_PCT,
};
use agentops_engine::Environment;
use agentops_state::StateDir;
use serde_json::{json, Value};

#[derive(clap::ValueEnum, Clone, Copy, Default)]
pub enum By {
    #[default]
    Session,
    Day,
    Model,
}

#[derive(clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Without a command: what the hooks recorded in .agentops/cost-ledger.json since agentops was installed, and the budget.\n\
                  daily, session, model: every past session in Claude Code's transcripts, read now, like ccusage \
                  (`agentops cost daily --since 2025-06-01`).\n\
                  JSON money is a decimal string (\"0.411\")."
)]
pub struct Args {
    #[command(subcommand)]
    pub transcripts: Option<FromTranscripts>,
    /// How to group what the hooks recorded.
    #[arg(long, value_enum, default_value_t = By::Session)]
    pub by: By,
    /// Print JSON instead of a table (money as decimal strings).
    #[arg(long)]
    pub json: bool,
    /// Project directory (default: $CLAUDE_PROJECT_DIR, else the current directory).
    #[arg(long)]
    pub project: Option<PathBuf>,
}

/// Reports read on demand from Claude Code's transcripts.
#[derive(clap::Subcommand)]
pub enum FromTranscripts {
    /// Cost per day (UTC) of every session in Claude Code's transcripts, subagents included.
    Daily(TranscriptArgs),
    /// Cost per session of every session in Claude Code's transcripts, subagents included.
    Session(TranscriptArgs),
    /// Cost per model of every session in Claude Code's transcripts, subagents included.
    #[command(alias = "models")]
    Model(TranscriptArgs),
}

#[derive(clap::Args)]
pub struct TranscriptArgs {
    /// First day to include (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub since: Option<String>,
    /// Last day to include (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub until: Option<String>,
    /// Print JSON instead of a table (money as decimal strings).
    #[arg(long)]
    pub json: bool,
    /// Transcript directory to read (repeatable; default:
    /// $CLAUDE_CONFIG_DIR/projects, else ~/.claude/projects).
    #[arg(long, value_name = "DIR")]
    pub transcripts: Vec<PathBuf>,
    /// Only sessions of this project directory; its .agentops/prices.json
    /// (or the current directory's) prices the tokens.
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// Count a response written on several lines by its first line, as
    /// ccusage does (same totals as ccusage; streamed output is
    /// undercounted). Default: the largest count of each kind.
    #[arg(long)]
    pub first_line: bool,
}

/// A calendar day as `YYYY-MM-DD`.
fn parse_day(s: &str) -> Result<String, String> {
    let bad = || format!("`{s}` is not a day as YYYY-MM-DD");
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| {
        s.get(r)
            .filter(|t| t.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|t| t.parse::<u32>().ok())
    };
    match (num(0..4), num(5..7), num(8..10)) {
        (Some(_), Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d) => {
            Ok(s.to_string())
        }
        _ => Err(bad()),
    }
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
    match &args.transcripts {
        Some(FromTranscripts::Daily(t)) => from_transcripts(t, Grouping::Day),
        Some(FromTranscripts::Session(t)) => from_transcripts(t, Grouping::Session),
        Some(FromTranscripts::Model(t)) => from_transcripts(t, Grouping::Model),
        None => from_ledger(args),
    }
}

fn default_project() -> PathBuf {
    Environment::from_process().project_dir(None)
}

fn prices_of(project: &Path) -> PriceTable {
    let (prices, problem) = load_prices(&StateDir::new(project));
    if let Some(p) = problem {
        eprintln!("agentops cost: {p}");
    }
    prices
}

fn grouping_name(g: Grouping) -> &'static str {
    match g {
        Grouping::Session => "session",
        Grouping::Day => "day",
        Grouping::Model => "model",
    }
}

fn from_ledger(args: &Args) -> ExitCode {
    let project = args.project.clone().unwrap_or_else(default_project);
    if !project.is_dir() {
        eprintln!(
            "agentops cost: {} is not a directory (--project)",
            project.display()
        );
        return ExitCode::from(super::USAGE);
    }
    let state = StateDir::new(&project);
    let prices = prices_of(&project);
    let ledger = match load_ledger(&state) {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "agentops cost: cannot read .agentops/{}: {e}",
                agentops_cost::LEDGER_FILE
            );
            return ExitCode::from(1);
        }
    };
    let budget = read_budget(&state);
    let grouping = match args.by {
        By::Session => Grouping::Session,
        By::Day => Grouping::Day,
        By::Model => Grouping::Model,
    };
    let lines = report(&ledger.rows, grouping, &prices);
    let total = totals(&lines);
    let unpriced = unpriced_models(&ledger.rows, &prices);
    if args.json {
        let rows: Vec<Value> = lines.iter().map(line_json).collect();
        let budget = budget.map(|b| {
            json!({"budget_usd": usd_decimal(b.budget_usd), "spent": usd_decimal(b.spent),
                   "remaining": usd_decimal(b.remaining()), "warn_pct": b.warn_pct,
                   "status": status(&b)})
        });
        println!(
            "{}",
            json!({"source": "ledger", "by": grouping_name(grouping),
                   "price_table": prices.version, "rows": rows,
                   "total_usd": usd_decimal(total.usd), "unpriced_models": unpriced,
                   "budget": budget})
        );
        return ExitCode::SUCCESS;
    }
    if lines.is_empty() {
        println!(
            "no usage recorded yet (cost is read from the transcript at the end of each turn; `agentops cost daily` reads past sessions)"
        );
    } else {
        let key = match grouping {
            Grouping::Session => "SESSION",
            Grouping::Day => "DAY",
            Grouping::Model => "MODEL",
        };
        print_table(key, &lines, &total, |_| Vec::new());
        print_price_notes(&prices, &unpriced);
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

/// The same budget model the hooks use: the file, with the environment's
/// overrides. Shown only once the file exists.
fn read_budget(state: &StateDir) -> Option<Budget> {
    match Budget::read_file(state) {
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
    }
}

fn transcript_roots(args: &TranscriptArgs) -> Result<Vec<PathBuf>, String> {
    if !args.transcripts.is_empty() {
        return Ok(args.transcripts.clone());
    }
    let config = std::env::var("CLAUDE_CONFIG_DIR").ok();
    let home = std::env::var("HOME").ok();
    history::default_root(config.as_deref(), home.as_deref())
        .map(|root| vec![root])
        .ok_or_else(|| "neither CLAUDE_CONFIG_DIR nor HOME is set; pass --transcripts DIR".into())
}

fn from_transcripts(args: &TranscriptArgs, grouping: Grouping) -> ExitCode {
    let roots = match transcript_roots(args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("agentops cost: {e}");
            return ExitCode::from(super::USAGE);
        }
    };
    for root in &roots {
        if !root.is_dir() {
            eprintln!(
                "agentops cost: no Claude Code transcripts at {} (set CLAUDE_CONFIG_DIR or pass --transcripts DIR)",
                root.display()
            );
            return ExitCode::from(super::USAGE);
        }
    }
    let folder = match &args.project {
        Some(p) => match p.canonicalize() {
            Ok(dir) if dir.is_dir() => Some(project_folder(&dir)),
            _ => {
                eprintln!(
                    "agentops cost: {} is not a directory (--project)",
                    p.display()
                );
                return ExitCode::from(super::USAGE);
            }
        },
        None => None,
    };
    if let (Some(since), Some(until)) = (&args.since, &args.until) {
        if since > until {
            eprintln!("agentops cost: --since {since} is after --until {until}");
            return ExitCode::from(super::USAGE);
        }
    }
    let prices = prices_of(&args.project.clone().unwrap_or_else(default_project));
    let range = DayRange {
        since: args.since.clone(),
        until: args.until.clone(),
    };
    let keep = |f: &TranscriptFile| folder.as_ref().is_none_or(|p| &f.project == p);
    let repeats = if args.first_line {
        history::Repeats::First
    } else {
        history::Repeats::Largest
    };
    let found = history::read(&roots, &range, repeats, keep);
    for p in &found.problems {
        eprintln!("agentops cost: cannot read {p}");
    }
    let mut lines = report(&found.rows, grouping, &prices);
    match grouping {
        Grouping::Day => lines.sort_by(|a, b| a.key.cmp(&b.key)),
        Grouping::Session => lines.sort_by(|a, b| {
            (found.last_day_of(&a.key), &a.key).cmp(&(found.last_day_of(&b.key), &b.key))
        }),
        Grouping::Model => {}
    }
    let models_of = |key: &str| -> Vec<ReportLine> {
        let rows: Vec<Row> = found
            .rows
            .iter()
            .filter(|r| match grouping {
                Grouping::Day => r.day == key,
                Grouping::Session => r.session == key,
                Grouping::Model => false,
            })
            .cloned()
            .collect();
        report(&rows, Grouping::Model, &prices)
    };
    let total = totals(&lines);
    let unpriced = unpriced_models(&found.rows, &prices);
    if args.json {
        let rows: Vec<Value> = lines
            .iter()
            .map(|l| {
                let mut row = line_json(l);
                if grouping == Grouping::Session {
                    row["project"] = json!(found.project_of(&l.key));
                    row["last_day"] = json!(found.last_day_of(&l.key));
                }
                if grouping != Grouping::Model {
                    let models: Vec<Value> = models_of(&l.key).iter().map(line_json).collect();
                    row["models"] = json!(models);
                }
                row
            })
            .collect();
        let mut totals = line_json(&total);
        if let Some(o) = totals.as_object_mut() {
            o.remove("key");
        }
        println!(
            "{}",
            json!({"source": "transcripts", "by": grouping_name(grouping),
                   "transcripts": roots, "since": args.since, "until": args.until,
                   "files": found.files, "price_table": prices.version, "rows": rows,
                   "totals": totals, "unpriced_models": unpriced})
        );
        return ExitCode::SUCCESS;
    }
    if lines.is_empty() {
        println!(
            "no usage in {} transcript file(s) under {}",
            found.files,
            roots
                .iter()
                .map(|r| r.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return ExitCode::SUCCESS;
    }
    let key = match grouping {
        Grouping::Session => "SESSION",
        Grouping::Day => "DAY",
        Grouping::Model => "MODEL",
    };
    print_table(key, &lines, &total, |l| {
        let models = models_of(&l.key);
        if models.len() > 1 {
            models
        } else {
            Vec::new()
        }
    });
    print_price_notes(&prices, &unpriced);
    ExitCode::SUCCESS
}

/// The sum of every line, keyed `TOTAL`.
fn totals(lines: &[ReportLine]) -> ReportLine {
    let mut total = ReportLine {
        key: "TOTAL".into(),
        usage: Usage::default(),
        responses: 0,
        usd: 0.0,
        unpriced: false,
    };
    for l in lines {
        total.usage.add(&l.usage);
        total.responses += l.responses;
        total.usd += l.usd;
        total.unpriced |= l.unpriced;
    }
    total
}

fn total_tokens(u: &Usage) -> u64 {
    u.input
        .saturating_add(u.output)
        .saturating_add(u.cache_write())
        .saturating_add(u.cache_read)
}

fn line_json(l: &ReportLine) -> Value {
    json!({"key": l.key, "responses": l.responses, "input_tokens": l.usage.input,
           "output_tokens": l.usage.output, "cache_write_tokens": l.usage.cache_write(),
           "cache_write_1h_tokens": l.usage.cache_write_1h,
           "cache_read_tokens": l.usage.cache_read, "total_tokens": total_tokens(&l.usage),
           "usd": usd_decimal(l.usd), "unpriced": l.unpriced})
}

fn unpriced_models<'a>(rows: &'a [Row], prices: &PriceTable) -> Vec<&'a str> {
    let mut models: Vec<&str> = rows
        .iter()
        .filter(|r| prices.lookup(&r.model).is_none())
        .map(|r| r.model.as_str())
        .collect();
    models.sort_unstable();
    models.dedup();
    models
}

fn print_price_notes(prices: &PriceTable, unpriced: &[&str]) {
    println!("prices: {}", prices.version);
    if !unpriced.is_empty() {
        println!(
            "* no price for: {} (add them to .agentops/prices.json)",
            unpriced.join(", ")
        );
    }
}

/// A table whose first column is as wide as its longest key; `details`
/// gives indented sub-lines (per model) under a line.
fn print_table(
    key: &str,
    lines: &[ReportLine],
    total: &ReportLine,
    details: impl Fn(&ReportLine) -> Vec<ReportLine>,
) {
    let expanded: Vec<(&ReportLine, Vec<ReportLine>)> =
        lines.iter().map(|l| (l, details(l))).collect();
    let width = expanded
        .iter()
        .flat_map(|(l, d)| {
            std::iter::once(l.key.chars().count())
                .chain(d.iter().map(|m| m.key.chars().count() + 2))
        })
        .chain([key.len(), total.key.len()])
        .max()
        .unwrap_or(0);
    println!(
        "{key:<width$} {:>9} {:>12} {:>12} {:>12} {:>14} {:>12}",
        "RESPONSES", "INPUT", "OUTPUT", "CACHE WRITE", "CACHE READ", "USD"
    );
    let row = |label: String, l: &ReportLine| {
        println!(
            "{label:<width$} {:>9} {:>12} {:>12} {:>12} {:>14} {:>12}{}",
            l.responses,
            l.usage.input,
            l.usage.output,
            l.usage.cache_write(),
            l.usage.cache_read,
            format!("{:.4}", l.usd + 0.0),
            if l.unpriced { "*" } else { "" }
        );
    };
    for (l, models) in &expanded {
        row(l.key.clone(), l);
        for m in models {
            row(format!("  {}", m.key), m);
        }
    }
    row(total.key.clone(), total);
}
