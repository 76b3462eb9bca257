//! `agentops audit tail|query|stats|verify`: read the tamper-evident audit
//! log `.agentops/audit.jsonl`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use agentops_engine::Environment;
use agentops_records::chain::{self, Head};
use agentops_records::clock::{self, Instant};
use serde_json::{json, Value};

const AUDIT_LOG: &str = "audit.jsonl";
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
    #[arg(long)]
    pub since: Option<String>,
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

/// A compiled filter.
struct Matcher {
    since: Option<Instant>,
    filter: Filter,
}

impl Matcher {
    fn new(filter: &Filter) -> Result<Matcher, String> {
        let since = match &filter.since {
            None => None,
            Some(s) => Some(clock::parse_since(s, Instant::now()).ok_or_else(|| {
                format!("--since `{s}`: expected RFC 3339, YYYY-MM-DD or an age like 30m, 2h, 7d")
            })?),
        };
        Ok(Matcher {
            since,
            filter: filter.clone(),
        })
    }

    fn matches(&self, r: &Value) -> bool {
        let field = |k: &str| r.get(k).and_then(Value::as_str);
        let same =
            |want: &Option<String>, k: &str| want.as_deref().is_none_or(|w| field(k) == Some(w));
        if let Some(since) = self.since {
            // A record without a readable time cannot be placed: leave it out.
            if field("ts").and_then(clock::parse).is_none_or(|t| t < since) {
                return false;
            }
        }
        let rule_ok = self.filter.rule.as_deref().is_none_or(|want| {
            r.get("rules")
                .and_then(Value::as_array)
                .is_some_and(|ids| ids.iter().any(|id| id.as_str() == Some(want)))
                || field("rule") == Some(want)
        });
        same(&self.filter.session, "session")
            && same(&self.filter.tool, "tool")
            && same(&self.filter.decision, "decision")
            && same(&self.filter.event, "event")
            && rule_ok
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

/// Records that parse as JSON objects, with their line numbers.
fn records(log: &str) -> Vec<(usize, Value)> {
    log.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            serde_json::from_str::<Value>(l)
                .ok()
                .filter(Value::is_object)
                .map(|v| (i + 1, v))
        })
        .collect()
}

fn one_line(r: &Value) -> String {
    let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("-");
    let rules: Vec<&str> = r
        .get("rules")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let detail: String = r
        .get("input")
        .or_else(|| r.get("reason"))
        .or_else(|| r.get("detail"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .chars()
        .take(80)
        .collect();
    format!(
        "{:<20} {:<18} {:<12} {:<6} {:<14} {:<12} {}",
        s("ts"),
        s("event"),
        s("tool"),
        s("decision"),
        if rules.is_empty() {
            "-".to_string()
        } else {
            rules.join(",")
        },
        s("session").chars().take(12).collect::<String>(),
        detail
    )
}

fn print_records(selected: &[&Value], json_out: bool) {
    if !json_out {
        println!(
            "{:<20} {:<18} {:<12} {:<6} {:<14} {:<12} DETAIL",
            "TIME", "EVENT", "TOOL", "RESULT", "RULES", "SESSION"
        );
    }
    for r in selected {
        if json_out {
            println!("{r}");
        } else {
            println!("{}", one_line(r));
        }
    }
}

pub fn run(args: &Args) -> ExitCode {
    let result = match &args.command {
        Sub::Tail { lines, filter } => select(filter).map(|(sel, json_out)| {
            let start = sel.len().saturating_sub(*lines);
            print_records(&sel.iter().skip(start).collect::<Vec<_>>(), json_out);
            ExitCode::SUCCESS
        }),
        Sub::Query { filter } => select(filter).map(|(sel, json_out)| {
            print_records(&sel.iter().collect::<Vec<_>>(), json_out);
            ExitCode::SUCCESS
        }),
        Sub::Stats { filter } => select(filter).map(|(sel, json_out)| {
            stats(&sel, json_out);
            ExitCode::SUCCESS
        }),
        Sub::Verify { json, project: p } => Ok(verify(&project(p), *json)),
    };
    result.unwrap_or_else(|e| {
        eprintln!("agentops audit: {e}");
        ExitCode::from(2)
    })
}

fn select(filter: &Filter) -> Result<(Vec<Value>, bool), String> {
    let matcher = Matcher::new(filter)?;
    let log = read_log(&project(&filter.project))?;
    let selected = records(&log)
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| matcher.matches(r))
        .collect();
    Ok((selected, filter.json))
}

fn stats(selected: &[Value], json_out: bool) {
    let mut groups: BTreeMap<&str, BTreeMap<String, u64>> = BTreeMap::new();
    for r in selected {
        for key in ["event", "decision", "tool", "session"] {
            if let Some(v) = r.get(key).and_then(Value::as_str) {
                *groups
                    .entry(key)
                    .or_default()
                    .entry(v.to_string())
                    .or_default() += 1;
            }
        }
        for id in r
            .get("rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(id) = id.as_str() {
                *groups
                    .entry("rule")
                    .or_default()
                    .entry(id.to_string())
                    .or_default() += 1;
            }
        }
    }
    if json_out {
        println!("{}", json!({"records": selected.len(), "by": groups}));
        return;
    }
    println!("records: {}", selected.len());
    for (key, counts) in &groups {
        println!("\nby {key}:");
        let mut counts: Vec<_> = counts.iter().collect();
        counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (value, n) in counts {
            println!("  {n:>7}  {value}");
        }
    }
}

fn verify(project: &Path, json_out: bool) -> ExitCode {
    let log = match read_log(project) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("agentops audit verify: {e}");
            return ExitCode::from(2);
        }
    };
    let head_path = project.join(".agentops").join(format!("{AUDIT_LOG}.head"));
    let head = std::fs::read(&head_path).ok().and_then(|b| Head::parse(&b));
    let report = chain::verify(&log, head.as_ref());
    if json_out {
        let problems: Vec<Value> = report
            .problems
            .iter()
            .map(|p| json!({"kind": p.kind(), "line": p.line(), "message": p.to_string()}))
            .collect();
        println!(
            "{}",
            json!({"intact": report.is_intact(), "records": report.records,
                   "legacy_lines": report.legacy_lines, "problems": problems,
                   "warnings": report.warnings})
        );
    } else {
        if log.trim().is_empty() && head.is_none() {
            println!("audit log: empty (nothing recorded yet)");
        } else if report.is_intact() {
            println!("audit log intact: {} chained record(s)", report.records);
        } else {
            println!(
                "audit log TAMPERED: {} problem(s) in {} record(s)",
                report.problems.len(),
                report.records
            );
            for p in &report.problems {
                println!("  {}: {p}", p.kind());
            }
        }
        if report.legacy_lines > 0 {
            println!(
                "note: {} unchained line(s) from before the chain started were not checked",
                report.legacy_lines
            );
        }
        for w in &report.warnings {
            println!("warning: {w}");
        }
    }
    if report.is_intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(f: Filter) -> Matcher {
        Matcher::new(&f).expect("valid filter")
    }

    #[test]
    fn filters_combine() {
        let r = json!({"ts": "2025-06-01T10:00:00Z", "event": "PreToolUse", "session": "s1",
                       "tool": "Bash", "decision": "deny", "rules": ["CMD001", "MODE002"]});
        let cases = [
            (Filter::default(), true),
            (
                Filter {
                    tool: Some("Bash".into()),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    tool: Some("Write".into()),
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    rule: Some("MODE002".into()),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    rule: Some("CMD002".into()),
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    decision: Some("deny".into()),
                    session: Some("s1".into()),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    session: Some("s2".into()),
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    since: Some("2025-06-01".into()),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    since: Some("2025-06-02".into()),
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    event: Some("PostToolUse".into()),
                    ..Filter::default()
                },
                false,
            ),
        ];
        for (f, want) in cases {
            let desc = format!("{:?} {:?} {:?} {:?}", f.tool, f.rule, f.session, f.since);
            assert_eq!(matcher(f).matches(&r), want, "{desc}");
        }
    }

    #[test]
    fn bad_since_is_an_error() {
        assert!(Matcher::new(&Filter {
            since: Some("last tuesday".into()),
            ..Filter::default()
        })
        .is_err());
    }

    #[test]
    fn records_from_other_writers_match_their_event() {
        let r = json!({"ts": "2025-06-01T10:00:00Z", "event": "CREDENTIAL_ACCESS"});
        assert!(matcher(Filter {
            event: Some("CREDENTIAL_ACCESS".into()),
            ..Filter::default()
        })
        .matches(&r));
        assert!(!matcher(Filter {
            decision: Some("deny".into()),
            ..Filter::default()
        })
        .matches(&r));
    }
}
