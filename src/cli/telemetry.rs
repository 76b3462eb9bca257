//! `agentops telemetry export`: send the `.agentops/telemetry.jsonl`
//! spool to an OTLP/HTTP collector as logs and spans.
//!
//! The hook path never sends anything: it only appends to the spool. This
//! subcommand (run by hand, from CI, or spawned in the background by the
//! SessionEnd hook) reads the spool from the last exported offset, posts
//! `/v1/logs` and `/v1/traces` to `OTLP_ENDPOINT`, and moves the offset
//! only past what the collector accepted (`agentops_records::export`
//! keeps that account; this module holds the state file's lock around it,
//! so two exports never send the same records, and does the HTTP).

use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use agentops_engine::Environment;
use agentops_records::clock::Instant;
use agentops_records::export::{
    self, ExportState, Sender, Signal, MAX_READ, MAX_STATE_BYTES, STATE_FILE,
};
use agentops_records::otlp::{self, Endpoint};
use agentops_records::telemetry::TELEMETRY_LOG;
use agentops_state::StateDir;
use serde_json::Value;

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

/// Characters of a collector's error answer shown.
const MAX_ANSWER_CHARS: usize = 300;

/// Posts OTLP/HTTP JSON to the collector.
struct Http {
    agent: ureq::Agent,
    endpoint: Endpoint,
    token: Option<String>,
}

impl Http {
    fn new(endpoint: Endpoint, token: Option<String>) -> Http {
        let agent = ureq::Agent::config_builder()
            // A redirect is not an acceptance, and could lead off the
            // checked endpoint.
            .max_redirects(0)
            // Every answer is read below: a non-2xx is a refusal whose
            // body says why.
            .http_status_as_error(false)
            // Never through a proxy from the environment: the endpoint
            // policy (https, or http to loopback only) must hold for the
            // connection actually made.
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .new_agent();
        Http {
            agent,
            endpoint,
            token,
        }
    }
}

impl Sender for Http {
    fn send(&mut self, signal: Signal, body: &Value) -> Result<(), String> {
        let url = self.endpoint.url(signal);
        let mut request = self
            .agent
            .post(&url)
            .header("Content-Type", "application/json");
        if let Some(t) = &self.token {
            request = request.header("Authorization", format!("Bearer {t}"));
        }
        let mut response = request
            .send(body.to_string())
            .map_err(|e| format!("{url}: {e}"))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let text: String = response
            .body_mut()
            .with_config()
            .limit(64 << 10)
            .lossy_utf8(true)
            .read_to_string()
            .unwrap_or_default()
            .chars()
            .take(MAX_ANSWER_CHARS)
            .collect();
        Err(format!(
            "{url}: the collector answered {}: {text}",
            status.as_u16()
        ))
    }
}

/// `--dry-run`: print the requests instead.
fn print_request(signal: Signal, body: &Value) -> Result<(), String> {
    println!("POST {} {body}", signal.path());
    Ok(())
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
    let base = endpoint.as_ref().map(|e| e.base.clone());
    let mut sender: Box<dyn Sender> = match endpoint {
        Some(e) if !dry_run => Box::new(Http::new(e, env("OTLP_AUTH_TOKEN"))),
        _ => Box::new(print_request),
    };
    let state = StateDir::new(project);
    let spool = state.path().join(TELEMETRY_LOG);
    // Under the state file's lock: two exports never send the same records.
    let result = state.update(STATE_FILE, MAX_STATE_BYTES, |current| {
        let saved = ExportState::parse(current);
        let chunk = match export::read_spool(&spool, saved.offset, MAX_READ) {
            Ok(c) => c,
            Err(e) => return (None, Err(e.to_string())),
        };
        let outcome = export::export(saved, &chunk, sender.as_mut());
        // A dry run moves nothing.
        let next = (!dry_run).then(|| outcome.state.to_bytes(Instant::now()));
        (next, Ok(outcome))
    });
    let outcome = match result {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => return failed(&e),
        Err(e) => return failed(&e.to_string()),
    };
    if let Some(e) = &outcome.error {
        return failed(e);
    }
    if !quiet && !dry_run {
        let (logs, spans) = (outcome.logs, outcome.spans);
        match base {
            Some(base) if logs + spans > 0 => {
                println!("exported {logs} log record(s) and {spans} span(s) to {base}")
            }
            _ => println!("nothing new to export"),
        }
    }
    ExitCode::SUCCESS
}

fn failed(e: &str) -> ExitCode {
    eprintln!("agentops telemetry export: {e}");
    ExitCode::from(1)
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
