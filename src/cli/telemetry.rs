//! `agentops telemetry export`: send the `.agentops/telemetry.jsonl`
//! spool to an OTLP/HTTP collector as logs and spans.
//!
//! The hook path never sends anything: it only appends to the spool. This
//! subcommand (run by hand, from CI, or spawned in the background by the
//! SessionEnd hook) reads the spool from the last exported offset, posts
//! `/v1/logs` and `/v1/traces` to `OTLP_ENDPOINT`, and moves the offset
//! only past what the collector accepted, so every record is sent once
//! (at least once if a collector accepts logs and then fails on traces).
//! The export holds the state file's lock while sending, so two exports
//! never send the same records.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use agentops_engine::Environment;
use agentops_state::StateDir;
use serde_json::{json, Value};

use agentops_records::otlp::{self, Endpoint};

const SPOOL: &str = "telemetry.jsonl";
const EXPORT_STATE: &str = "telemetry-export.json";
/// Records per request.
const BATCH: usize = 1000;
/// Spool bytes read per export run; the rest goes next time.
const MAX_READ: u64 = 64 << 20;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand)]
pub enum Sub {
    /// Send new spool records to OTLP_ENDPOINT as OTLP/HTTP JSON logs and spans.
    Export {
        /// Collector base URL (default: $OTLP_ENDPOINT); /v1/logs and /v1/traces are appended.
        #[arg(long)]
        endpoint: Option<String>,
        /// Print the OTLP requests instead of sending them (the offset does not move).
        #[arg(long)]
        dry_run: bool,
        /// Print nothing on success and when no endpoint is configured.
        #[arg(long)]
        quiet: bool,
        /// Project directory (default: $CLAUDE_PROJECT_DIR, else the current directory).
        #[arg(long)]
        project: Option<PathBuf>,
    },
}

pub fn run(args: &Args) -> ExitCode {
    match &args.command {
        Sub::Export {
            endpoint,
            dry_run,
            quiet,
            project,
        } => {
            let project = project
                .clone()
                .unwrap_or_else(|| Environment::from_process().project_dir(None));
            export(&project, endpoint.clone(), *dry_run, *quiet)
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn export(project: &Path, endpoint: Option<String>, dry_run: bool, quiet: bool) -> ExitCode {
    let endpoint = match endpoint.or_else(|| env("OTLP_ENDPOINT")) {
        Some(url) => match otlp::check_endpoint(&url, env("OTLP_HOSTNAME_ALLOWLIST").as_deref()) {
            Ok(e) => Some(e),
            Err(e) => {
                eprintln!("agentops telemetry export: {e}");
                return ExitCode::from(2);
            }
        },
        None if dry_run => None,
        None => {
            if !quiet {
                eprintln!("agentops telemetry export: set OTLP_ENDPOINT (or --endpoint) to the collector's base URL");
            }
            return if quiet {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    let state = StateDir::new(project);
    let token = env("OTLP_AUTH_TOKEN");
    let result = state.update(EXPORT_STATE, 64 << 20, |current| {
        send_new(
            &state,
            current,
            endpoint.as_ref(),
            token.as_deref(),
            dry_run,
        )
    });
    match result {
        Ok(Ok(summary)) => {
            if !quiet && !dry_run {
                match &endpoint {
                    Some(e) if summary.0 + summary.1 > 0 => println!(
                        "exported {} log record(s) and {} span(s) to {}",
                        summary.0, summary.1, e.base
                    ),
                    _ => println!("nothing new to export"),
                }
            }
            ExitCode::SUCCESS
        }
        Ok(Err(e)) | Err(e) => {
            eprintln!("agentops telemetry export: {e}");
            ExitCode::from(1)
        }
    }
}

type Sent = (usize, usize);

/// Runs under the export state's lock: read, convert, send, and return the
/// new state (offset past what was accepted).
fn send_new(
    state: &StateDir,
    current: Option<&[u8]>,
    endpoint: Option<&Endpoint>,
    token: Option<&str>,
    dry_run: bool,
) -> (Option<Vec<u8>>, std::io::Result<Sent>) {
    let saved: Value = current
        .and_then(|b| serde_json::from_slice(b).ok())
        .unwrap_or_else(|| json!({}));
    let mut offset = saved.get("offset").and_then(Value::as_u64).unwrap_or(0);
    let mut pending = otlp::pending_from_json(saved.get("pending"));
    let (chunk, base) = match read_spool(&state.path().join(SPOOL), offset) {
        Ok(x) => x,
        Err(e) => return (None, Err(e)),
    };
    offset = base;
    let agent = ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(10))
        .build();
    let mut sent = (0, 0);
    let mut lines: Vec<(u64, Value)> = Vec::new();
    let mut position = offset;
    for line in chunk.split_inclusive(|&b| b == b'\n') {
        position += line.len() as u64;
        // A line that is not JSON (torn by a crash) is skipped, not resent forever.
        if let Ok(v) = serde_json::from_slice::<Value>(line) {
            lines.push((position, v));
        } else {
            lines.push((position, Value::Null));
        }
    }
    let save = |offset: u64, pending: &std::collections::BTreeMap<String, otlp::Pending>| {
        let stamp = agentops_records::clock::Instant::now().iso();
        Some(
            json!({"offset": offset, "pending": otlp::pending_to_json(pending), "last_export": stamp})
                .to_string()
                .into_bytes(),
        )
    };
    for batch in lines.chunks(BATCH) {
        let records: Vec<Value> = batch
            .iter()
            .map(|(_, v)| v)
            .filter(|v| v.is_object())
            .cloned()
            .collect();
        let mut trial = pending.clone();
        let out = otlp::convert(&records, &mut trial);
        let end = batch.last().map_or(offset, |(p, _)| *p);
        if dry_run {
            println!("POST /v1/logs {}", out.logs);
            println!("POST /v1/traces {}", out.traces);
            pending = trial;
            continue;
        }
        let Some(endpoint) = endpoint else { break };
        let post = |url: String, body: &Value| -> Result<(), String> {
            let mut request = agent.post(&url).set("Content-Type", "application/json");
            if let Some(t) = token {
                request = request.set("Authorization", &format!("Bearer {t}"));
            }
            match request.send_string(&body.to_string()) {
                Ok(_) => Ok(()),
                Err(ureq::Error::Status(code, response)) => {
                    let text: String = response
                        .into_string()
                        .unwrap_or_default()
                        .chars()
                        .take(300)
                        .collect();
                    Err(format!("{url}: the collector answered {code}: {text}"))
                }
                Err(e) => Err(format!("{url}: {e}")),
            }
        };
        let result = (if out.log_count > 0 {
            post(endpoint.logs_url(), &out.logs)
        } else {
            Ok(())
        })
        .and_then(|()| {
            if out.span_count > 0 {
                post(endpoint.traces_url(), &out.traces)
            } else {
                Ok(())
            }
        });
        if let Err(e) = result {
            return (save(offset, &pending), Err(std::io::Error::other(e)));
        }
        sent.0 += out.log_count;
        sent.1 += out.span_count;
        pending = trial;
        offset = end;
    }
    if dry_run {
        return (None, Ok(sent));
    }
    (save(offset, &pending), Ok(sent))
}

/// The complete lines of the spool after `offset` (restarting at 0 when
/// the spool was replaced by a shorter file), and the offset they start at.
fn read_spool(path: &Path, offset: u64) -> std::io::Result<(Vec<u8>, u64)> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), offset)),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    let start = if len < offset { 0 } else { offset };
    file.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::new();
    (&mut file).take(MAX_READ).read_to_end(&mut buf)?;
    let complete = buf.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    buf.truncate(complete);
    Ok((buf, start))
}

/// SessionEnd: start an export in the background when a collector is
/// configured, so the hook returns at once. The child is detached (no
/// pipes), and a failed spawn is not the hook's problem.
pub fn spawn_background_export() {
    if env("OTLP_ENDPOINT").is_none() {
        return;
    }
    let (ctx, _) = Environment::from_process().context(None);
    if !agentops_records::telemetry::enabled(&ctx) {
        return;
    }
    if let Ok(exe) = std::env::current_exe() {
        let _ = std::process::Command::new(exe)
            .args(["telemetry", "export", "--quiet", "--project"])
            .arg(&ctx.project_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }
}
