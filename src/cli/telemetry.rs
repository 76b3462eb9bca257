//! `agentops telemetry export`: send the `.agentops/telemetry.jsonl`
//! spool to an OTLP/HTTP collector as logs, spans and metrics.
//!
//! The hook path never sends anything: it only appends to the spool, and
//! when an exporter is configured it may start this command detached
//! ([`after_hook`]: at most once per interval, and at SessionEnd). The
//! command reads the spool from the last exported offset, posts
//! `/v1/logs`, `/v1/traces` and `/v1/metrics` (`http/protobuf` or
//! `http/json`, from the standard `OTEL_EXPORTER_OTLP_*` variables, see
//! `agentops_records::otel_env`), and moves the offset only past what the
//! collector accepted (`agentops_records::export` keeps that account;
//! this module holds the state file's lock around it, so two exports
//! never send the same records, and does the HTTP).

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use agentops_core::{FlagKind, HookEvent};
use agentops_engine::Environment;
use agentops_records::clock::Instant;
use agentops_records::export::{
    self, ExportState, Sender, Signal, MAX_READ, MAX_STATE_BYTES, STATE_FILE,
};
use agentops_records::metrics::ModelUsage;
use agentops_records::otel_env::{self, Config, Protocol, Target};
use agentops_records::telemetry::TELEMETRY_LOG;
use agentops_records::{otlp, protobuf};
use agentops_state::StateDir;
use serde_json::Value;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand)]
pub enum Sub {
    /// Send new spool records to the OTLP/HTTP collector as logs, spans and metrics.
    ///
    /// The collector comes from the standard OpenTelemetry variables:
    /// OTEL_EXPORTER_OTLP_ENDPOINT (base URL) or
    /// OTEL_EXPORTER_OTLP_{LOGS,TRACES,METRICS}_ENDPOINT (full URLs),
    /// OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_PROTOCOL
    /// (http/protobuf, the default, or http/json), OTEL_SERVICE_NAME,
    /// OTEL_RESOURCE_ATTRIBUTES. The older OTLP_ENDPOINT and OTLP_AUTH_TOKEN
    /// still work; the standard names win.
    Export {
        /// Collector base URL (replaces OTEL_EXPORTER_OTLP_ENDPOINT and the per-signal URLs); /v1/logs, /v1/traces and /v1/metrics are appended.
        #[arg(long)]
        endpoint: Option<String>,
        /// Print the OTLP/JSON requests instead of sending them (the offset does not move).
        #[arg(long)]
        dry_run: bool,
        /// Print nothing on success and when no endpoint is configured.
        #[arg(long)]
        quiet: bool,
        /// Run as the hooks start it: quiet, nothing when the telemetry_enabled flag is false, and a failure noted in .agentops/telemetry-export.log.
        #[arg(long, conflicts_with_all = ["endpoint", "dry_run"])]
        background: bool,
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
            background,
            project,
        } => {
            let project = project
                .clone()
                .unwrap_or_else(|| Environment::from_process().project_dir(None));
            if *background {
                return background_export(&project);
            }
            let options = Options {
                endpoint: endpoint.clone(),
                dry_run: *dry_run,
                quiet: *quiet,
            };
            match export(&project, &options) {
                Ok(report) => {
                    if !options.quiet && !options.dry_run {
                        println!("{report}");
                    }
                    ExitCode::SUCCESS
                }
                Err(Failure::Usage(e)) => {
                    eprintln!("agentops telemetry export: {e}");
                    ExitCode::from(super::USAGE)
                }
                Err(Failure::NotConfigured) if options.quiet => ExitCode::SUCCESS,
                Err(Failure::NotConfigured) => {
                    eprintln!("agentops telemetry export: set OTEL_EXPORTER_OTLP_ENDPOINT (or --endpoint) to the collector's base URL");
                    ExitCode::from(super::USAGE)
                }
                Err(Failure::Export(e)) => {
                    eprintln!("agentops telemetry export: {e}");
                    ExitCode::from(1)
                }
            }
        }
    }
}

struct Options {
    endpoint: Option<String>,
    dry_run: bool,
    quiet: bool,
}

enum Failure {
    /// The configuration is wrong (exit 2).
    Usage(String),
    /// No collector is configured.
    NotConfigured,
    /// The collector or the disk failed (exit 1).
    Export(String),
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Characters of a collector's error answer shown.
const MAX_ANSWER_CHARS: usize = 300;

/// Posts OTLP/HTTP requests to the configured targets.
struct Http {
    agent: ureq::Agent,
    config: Config,
}

impl Http {
    fn new(config: Config) -> Http {
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
            .build()
            .new_agent();
        Http { agent, config }
    }
}

impl Sender for Http {
    fn send(&mut self, signal: Signal, body: &Value) -> Result<(), String> {
        // A signal with no target is not wanted: dropped as delivered.
        let Some(target) = self.config.target(signal) else {
            return Ok(());
        };
        post(&self.agent, target, signal, body)
    }
}

fn post(agent: &ureq::Agent, target: &Target, signal: Signal, body: &Value) -> Result<(), String> {
    let url = target.url();
    let mut request = agent
        .post(url)
        .config()
        .timeout_global(Some(target.timeout))
        .build()
        .header("Content-Type", target.protocol.content_type());
    for (k, v) in &target.headers {
        request = request.header(k.as_str(), v.as_str());
    }
    let bytes = match target.protocol {
        Protocol::Protobuf => protobuf::encode(signal, body),
        Protocol::Json => body.to_string().into_bytes(),
    };
    let mut response = request
        .send(&bytes[..])
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
        .filter(|c| !c.is_control())
        .take(MAX_ANSWER_CHARS)
        .collect();
    Err(format!(
        "{url}: the collector answered {}: {text}",
        status.as_u16()
    ))
}

/// `--dry-run`: print the requests instead.
fn print_request(signal: Signal, body: &Value) -> Result<(), String> {
    println!("POST {} {body}", signal.path());
    Ok(())
}

/// Token and cost totals per model, from the cost ledger.
fn model_usage(state: &StateDir) -> Vec<ModelUsage> {
    let (prices, _) = agentops_cost::load_prices(state);
    let ledger = agentops_cost::load_ledger(state).unwrap_or_default();
    let mut by_model: Vec<ModelUsage> = Vec::new();
    for row in &ledger.rows {
        let i = match by_model.iter().position(|m| m.model == row.model) {
            Some(i) => i,
            None => {
                by_model.push(ModelUsage {
                    model: row.model.clone(),
                    ..ModelUsage::default()
                });
                by_model.len() - 1
            }
        };
        let m = &mut by_model[i];
        m.input_tokens += row.usage.input;
        m.output_tokens += row.usage.output;
        m.cache_read_tokens += row.usage.cache_read;
        m.cache_creation_tokens += row.usage.cache_write_5m + row.usage.cache_write_1h;
        m.usd += prices.cost(&row.model, &row.usage).unwrap_or(0.0);
    }
    by_model
}

fn export(project: &Path, options: &Options) -> Result<String, Failure> {
    if !options.dry_run
        && env("OTEL_SDK_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        return Ok("OTEL_SDK_DISABLED is true: nothing sent".to_string());
    }
    let config = otel_env::from_env(&env, options.endpoint.as_deref()).map_err(Failure::Usage)?;
    let config = match config {
        Some(c) => Some(c),
        None if options.dry_run => None,
        None => return Err(Failure::NotConfigured),
    };
    let resource = config
        .as_ref()
        .map_or_else(otlp::default_resource, |c| otlp::resource(&c.resource));
    let temporality = config
        .as_ref()
        .map_or(otel_env::Temporality::Cumulative, |c| c.temporality);
    let described = config.as_ref().map(Config::describe);
    let mut sender: Box<dyn Sender> = match config {
        Some(c) if !options.dry_run => Box::new(Http::new(c)),
        _ => Box::new(print_request),
    };
    let state = StateDir::new(project);
    let spool = state.path().join(TELEMETRY_LOG);
    let models = model_usage(&state);
    // Under the state file's lock: two exports never send the same
    // records, and counts move with the offset.
    let result = state.update(STATE_FILE, MAX_STATE_BYTES, |current| {
        let saved = ExportState::parse(current);
        let chunk = match export::read_spool(&spool, saved.offset, MAX_READ) {
            Ok(c) => c,
            Err(e) => return (None, Err(e.to_string())),
        };
        let mut outcome = export::export(saved, &chunk, &resource, sender.as_mut());
        if outcome.error.is_none() {
            let now = u64::try_from(Instant::now().nanos()).unwrap_or(0);
            export::export_metrics(
                &mut outcome,
                &models,
                temporality,
                now,
                &resource,
                sender.as_mut(),
            );
        }
        // A dry run moves nothing.
        let next = (!options.dry_run).then(|| outcome.state.to_bytes(Instant::now()));
        (next, Ok(outcome))
    });
    let outcome = match result {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => return Err(Failure::Export(e)),
        Err(e) => return Err(Failure::Export(e.to_string())),
    };
    if let Some(e) = outcome.error {
        return Err(Failure::Export(e));
    }
    let (logs, spans, points) = (outcome.logs, outcome.spans, outcome.points);
    Ok(match described {
        Some(to) if logs + spans + points > 0 => format!(
            "exported {logs} log record(s), {spans} span(s) and {points} metric point(s) to {to}"
        ),
        _ => "nothing new to export".to_string(),
    })
}

/// The file a background export notes its failures in.
const BACKGROUND_LOG: &str = "telemetry-export.log";

fn background_export(project: &Path) -> ExitCode {
    let state = StateDir::new(project);
    let (flags, _) = agentops_engine::load_flags(project);
    if !flags.enabled(agentops_records::telemetry::FLAG, FlagKind::Automation) {
        return ExitCode::SUCCESS;
    }
    // Exports queue on the state file's lock rather than skip: each
    // sends at least what was spooled before its hook started it, so a
    // SessionEnd export never leaves the last records behind.
    let options = Options {
        endpoint: None,
        dry_run: false,
        quiet: true,
    };
    let problem = match export(project, &options) {
        Ok(_) | Err(Failure::NotConfigured) => None,
        Err(Failure::Usage(e) | Failure::Export(e)) => Some(e),
    };
    if let Some(e) = problem {
        let line = format!("{} {e}", Instant::now().iso());
        let _ = state.append_line(BACKGROUND_LOG, &line);
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// Remembers when the hooks last started a background export.
const STAMP_FILE: &str = "telemetry-export.stamp";
/// How often hooks start an export, by default (the OpenTelemetry
/// default of `OTEL_METRIC_EXPORT_INTERVAL`).
const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);

/// After a hook run: when an exporter is configured, start a detached
/// export at SessionEnd, and otherwise when the last one started longer
/// than `OTEL_METRIC_EXPORT_INTERVAL` milliseconds ago (0: after every
/// hook). Never waits and never touches the network: without an exporter
/// this is a few environment look-ups; with one, a stamp file read under
/// a non-blocking lock, so parallel hooks start one export between them.
/// `project` is asked for only when an exporter is configured.
pub fn after_hook(event: HookEvent, project: impl FnOnce() -> PathBuf) {
    let get = |name: &str| std::env::var(name).ok();
    if !otel_env::configured(&get) {
        return;
    }
    let project = project();
    let dir = project.join(".agentops");
    // No spool directory: nothing was recorded, nothing to send.
    if !dir.is_dir() {
        return;
    }
    let interval = env("OTEL_METRIC_EXPORT_INTERVAL")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(DEFAULT_INTERVAL, Duration::from_millis);
    let due = event == HookEvent::SessionEnd || claim(&dir.join(STAMP_FILE), interval);
    if due {
        spawn_export(&project);
    }
}

/// Whether this hook should start the export: the stamp is older than
/// `interval` and this process won the stamp's lock (a hook that finds
/// it taken leaves it to the one holding it). Claiming rewrites the stamp.
fn claim(stamp: &Path, interval: Duration) -> bool {
    let now = Instant::now().nanos();
    let Ok(mut file) = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(stamp)
    else {
        return false;
    };
    if file.try_lock().is_err() {
        return false;
    }
    let mut text = String::new();
    let last: i128 = file
        .read_to_string(&mut text)
        .ok()
        .and_then(|_| text.trim().parse().ok())
        .unwrap_or(0);
    let interval_ns = i128::try_from(interval.as_nanos()).unwrap_or(i128::MAX);
    if now.saturating_sub(last) < interval_ns {
        return false;
    }
    let written = file
        .set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)))
        .and_then(|_| file.write_all(now.to_string().as_bytes()));
    // The lock goes with the file handle.
    written.is_ok()
}

/// Start `agentops telemetry export --background` detached: no pipes, its
/// own process group (so the client's signal to the hook's group does not
/// end it), and not waited for. A failed spawn is not the hook's problem.
fn spawn_export(project: &Path) {
    let args = ["telemetry", "export", "--background", "--project"].map(std::ffi::OsStr::new);
    let _ = agentops_state::spawn_detached(args.into_iter().chain([project.as_os_str()]));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;

    #[test]
    fn one_claim_per_interval() {
        let dir = tempfile::tempdir().expect("tempdir");
        let stamp = dir.path().join(STAMP_FILE);
        assert!(claim(&stamp, Duration::from_secs(3600)), "no stamp yet");
        assert!(
            !claim(&stamp, Duration::from_secs(3600)),
            "claimed a moment ago"
        );
        assert!(
            claim(&stamp, Duration::ZERO),
            "an interval of 0 always claims"
        );
        // A held lock means another hook is claiming: leave it to that one.
        let held = File::open(&stamp).expect("stamp");
        held.lock().expect("lock");
        assert!(!claim(&stamp, Duration::ZERO));
        held.unlock().expect("unlock");
        std::fs::write(&stamp, "garbage").expect("write");
        assert!(
            claim(&stamp, Duration::from_secs(3600)),
            "an unreadable stamp is old"
        );
    }
}
