//! `agentops audit tail|query|stats|verify`: read the tamper-evident audit
//! log `.agentops/audit.jsonl`. Selecting, counting and verifying are
//! `agentops_records::{query, stats, chain}`; this module parses the
//! command line, reads the file and prints.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use agentops_engine::Environment;
use agentops_records::audit::AUDIT_LOG;
use agentops_records::chain::{self, Head};
use agentops_records::clock::{self, Instant};
use agentops_records::query;
use agentops_records::stats::Stats;
use serde_json::Value;

/// Largest audit log read.
const MAX_LOG_BYTES: u64 = 1 << 30;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand)]
pub enum Sub {
    /// The last records (newest last), filtered.
    Tail {
        /// How many records.
        #[arg(short = 'n', long, default_value_t = 20)]
        lines: usize,
        #[command(flatten)]
        filter: Filter,
    },
    /// Every record that matches the filters.
    Query {
        #[command(flatten)]
        filter: Filter,
    },
    /// Counts by event, decision, tool and rule.
    Stats {
        #[command(flatten)]
        filter: Filter,
    },
    /// Check the hash chain: report edited, deleted, reordered or
    /// truncated records and where (exit 1 when tampered).
    Verify {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Project directory (default: $CLAUDE_PROJECT_DIR, else the current directory).
        #[arg(long)]
        project: Option<PathBuf>,
    },
}

#[derive(clap::Args, Default, Clone)]
pub struct Filter {
    /// Only records at or after this time: RFC 3339, YYYY-MM-DD, or an age (30m, 2h, 7d).
    #[arg(long, value_parser = since)]
    pub since: Option<Instant>,
    /// Only this session id.
    #[arg(long)]
    pub session: Option<String>,
    /// Only this tool (Bash, Write, mcp__server__tool, ...).
    #[arg(long)]
    pub tool: Option<String>,
    /// Only this decision: allow, ask, deny or block.
    #[arg(long)]
    pub decision: Option<String>,
    /// Only records where this rule fired (e.g. CMD001).
    #[arg(long)]
    pub rule: Option<String>,
    /// Only this hook event (PreToolUse, ...).
    #[arg(long)]
    pub event: Option<String>,
    /// Print JSON lines (records as written, chain fields included).
    #[arg(long)]
    pub json: bool,
    /// Project directory (default: $CLAUDE_PROJECT_DIR, else the current directory).
    #[arg(long)]
    pub project: Option<PathBuf>,
}

/// `--since`: ages count back from the moment the command line is read.
/// clap shows the value; the reason says what is wrong with it.
fn since(text: &str) -> Result<Instant, String> {
    clock::since(text, Instant::now()).map_err(|e| e.reason().to_string())
}

impl Filter {
    fn query(&self) -> query::Filter {
        query::Filter {
            since: self.since,
            session: self.session.clone(),
            tool: self.tool.clone(),
            decision: self.decision.clone(),
            rule: self.rule.clone(),
            event: self.event.clone(),
        }
    }
}

fn project(explicit: &Option<PathBuf>) -> PathBuf {
    explicit
        .clone()
        .unwrap_or_else(|| Environment::from_process().project_dir(None))
}

fn read_log(project: &Path) -> Result<String, String> {
    let state = agentops_state::StateDir::new(project);
    match state.read(AUDIT_LOG, MAX_LOG_BYTES) {
        Ok(Some(bytes)) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Ok(None) => Ok(String::new()),
        Err(e) => Err(format!("cannot read .agentops/{AUDIT_LOG}: {e}")),
    }
}

fn print_records(selected: &[Value], json_out: bool) {
    if !json_out {
        println!("{}", query::header());
    }
    for r in selected {
        if json_out {
            println!("{r}");
        } else {
            println!("{}", query::row(r));
        }
    }
}

fn print_stats(stats: &Stats, json_out: bool) {
    if json_out {
        println!("{}", stats.to_json());
        return;
    }
    println!("records: {}", stats.records);
    for key in stats.by.keys() {
        println!("\nby {key}:");
        for (value, n) in stats.ranked(key) {
            println!("  {n:>7}  {value}");
        }
    }
}

pub fn run(args: &Args) -> ExitCode {
    let result = match &args.command {
        Sub::Tail { lines, filter } => select(filter).map(|selected| {
            print_records(query::last(&selected, *lines), filter.json);
            ExitCode::SUCCESS
        }),
        Sub::Query { filter } => select(filter).map(|selected| {
            print_records(&selected, filter.json);
            ExitCode::SUCCESS
        }),
        Sub::Stats { filter } => select(filter).map(|selected| {
            print_stats(&Stats::of(&selected), filter.json);
            ExitCode::SUCCESS
        }),
        Sub::Verify { json, project: p } => Ok(verify(&project(p), *json)),
    };
    result.unwrap_or_else(|e| {
        eprintln!("agentops audit: {e}");
        ExitCode::from(2)
    })
}

fn select(filter: &Filter) -> Result<Vec<Value>, String> {
    let log = read_log(&project(&filter.project))?;
    Ok(query::select(&log, &filter.query()))
}

fn verify(project: &Path, json_out: bool) -> ExitCode {
    let log = match read_log(project) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("agentops audit verify: {e}");
            return ExitCode::from(2);
        }
    };
    let head_path = project.join(".agentops").join(chain::head_file(AUDIT_LOG));
    let head = std::fs::read(&head_path).ok().and_then(|b| Head::parse(&b));
    let report = chain::verify(&log, head.as_ref());
    if json_out {
        println!("{}", report.to_json());
    } else {
        let nothing_recorded = log.trim().is_empty() && head.is_none();
        for line in report.text_lines(nothing_recorded) {
            println!("{line}");
        }
    }
    if report.is_intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
