//! `agentops audit tail|query|stats|verify`: read the tamper-evident audit
//! log `.agentops/audit.jsonl`. Selecting, counting and verifying are
//! `agentops_records::{query, stats, chain}`; this module parses the
//! command line, reads the file and prints.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use agentops_records::audit::AUDIT_LOG;
use agentops_records::chain::{self, Head};
use agentops_records::clock::{self, Instant};
use agentops_records::query;
use agentops_records::stats::Stats;
use serde_json::Value;

use super::output::{paint, Style, Table};

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
        /// Print JSON lines: the records as written, chain fields included.
        #[arg(long)]
        json: bool,
    },
    /// Every record that matches the filters.
    Query {
        #[command(flatten)]
        filter: Filter,
        /// Print JSON lines: the records as written, chain fields included.
        #[arg(long)]
        json: bool,
    },
    /// Counts by event, decision, tool and rule.
    Stats {
        #[command(flatten)]
        filter: Filter,
        /// Print one JSON object: `records` and the counts `by` event,
        /// decision, tool and rule.
        #[arg(long)]
        json: bool,
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

/// The decisions an audit record can carry.
const DECISIONS: [&str; 4] = ["allow", "ask", "deny", "block"];

#[derive(clap::Args, Default, Clone)]
pub struct Filter {
    /// Only records at or after this time: RFC 3339, YYYY-MM-DD, or an age (30m, 2h, 7d).
    #[arg(long, value_parser = since)]
    pub since: Option<Instant>,
    /// Only this session id.
    #[arg(long)]
    pub session: Option<String>,
    /// Only this tool, any case (Bash, Write, mcp__server__tool, ...).
    #[arg(long)]
    pub tool: Option<String>,
    /// Only this decision.
    #[arg(long, ignore_case = true, value_parser = clap::builder::PossibleValuesParser::new(DECISIONS))]
    pub decision: Option<String>,
    /// Only records where this rule fired, any case (e.g. CMD001; `agentops rules` lists them).
    #[arg(long)]
    pub rule: Option<String>,
    /// Only this hook event or record kind, any case (PreToolUse, FlagChange, ...).
    #[arg(long)]
    pub event: Option<String>,
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
    /// The records filter, with the rule id in its canonical spelling;
    /// tool and event are compared without case by [`Filter::keeps`].
    fn query(&self) -> Result<query::Filter, String> {
        let rule = match self.rule.as_deref() {
            None => None,
            Some(id) => match super::rules::find(id) {
                Some(rule) => Some(rule.id.to_string()),
                None => {
                    let close = super::rules::suggestions(id);
                    let hint = if close.is_empty() {
                        String::new()
                    } else {
                        format!("; did you mean {}?", close.join(", "))
                    };
                    return Err(format!(
                        "--rule: no rule `{id}`{hint} (`agentops rules` lists every rule)"
                    ));
                }
            },
        };
        Ok(query::Filter {
            since: self.since,
            session: self.session.clone(),
            tool: None,
            decision: self.decision.as_deref().map(str::to_ascii_lowercase),
            rule,
            event: None,
        })
    }

    /// The conditions the records crate compares exactly, compared
    /// without case: tool and event names.
    fn keeps(&self, record: &Value) -> bool {
        let same = |want: &Option<String>, key: &str| {
            want.as_deref().is_none_or(|w| {
                record
                    .get(key)
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.eq_ignore_ascii_case(w))
            })
        };
        same(&self.tool, "tool") && same(&self.event, "event")
    }
}

pub(crate) fn read_log(project: &Path) -> Result<String, String> {
    let state = agentops_state::StateDir::new(project);
    match state.read(AUDIT_LOG, MAX_LOG_BYTES) {
        Ok(Some(bytes)) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Ok(None) => Ok(String::new()),
        Err(e) => Err(format!("cannot read .agentops/{AUDIT_LOG}: {e}")),
    }
}

fn print_records(selected: &[Value], json_out: bool) {
    if json_out {
        for r in selected {
            println!("{r}");
        }
        return;
    }
    let mut table = Table::new(&[
        "TIME", "EVENT", "TOOL", "RESULT", "RULES", "SESSION", "DETAIL",
    ]);
    for r in selected {
        let field = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("-");
        let rules: Vec<&str> = r
            .get("rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let detail: String = ["input", "reason", "detail"]
            .iter()
            .find_map(|k| r.get(*k).and_then(Value::as_str))
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_control())
            .take(query::DETAIL_CHARS)
            .collect();
        let decision = field("decision");
        table.styled_row(vec![
            (field("ts").to_string(), None),
            (field("event").to_string(), None),
            (field("tool").to_string(), None),
            (decision.to_string(), Style::of_result(decision)),
            (
                if rules.is_empty() {
                    "-".to_string()
                } else {
                    rules.join(",")
                },
                None,
            ),
            (
                field("session")
                    .chars()
                    .take(query::SESSION_CHARS)
                    .collect(),
                None,
            ),
            (detail, None),
        ]);
    }
    table.print();
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
            println!("  {n:>7}  {}", paint(value, Style::of_result(value)));
        }
    }
}

pub fn run(args: &Args) -> ExitCode {
    let result = match &args.command {
        Sub::Tail {
            lines,
            filter,
            json,
        } => select(filter).map(|selected| {
            print_records(query::last(&selected, *lines), *json);
            ExitCode::SUCCESS
        }),
        Sub::Query { filter, json } => select(filter).map(|selected| {
            print_records(&selected, *json);
            ExitCode::SUCCESS
        }),
        Sub::Stats { filter, json } => select(filter).map(|selected| {
            print_stats(&Stats::of(&selected), *json);
            ExitCode::SUCCESS
        }),
        Sub::Verify { json, project } => {
            super::project_dir("audit verify", project).map(|p| verify(&p, *json))
        }
    };
    result.unwrap_or_else(|code| code)
}

fn select(filter: &Filter) -> Result<Vec<Value>, ExitCode> {
    let project = super::project_dir("audit", &filter.project)?;
    let wanted = filter.query().map_err(|e| super::usage_error("audit", e))?;
    let log = read_log(&project).map_err(|e| {
        eprintln!("agentops audit: {e}");
        ExitCode::from(1)
    })?;
    Ok(query::select(&log, &wanted)
        .into_iter()
        .filter(|r| filter.keeps(r))
        .collect())
}

fn verify(project: &Path, json_out: bool) -> ExitCode {
    let log = match read_log(project) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("agentops audit verify: {e}");
            return ExitCode::from(1);
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
