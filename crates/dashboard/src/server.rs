//! The dashboard server: loopback only, token and Host checked on every
//! request, one thread per connection.

use std::io;
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::assets;
use crate::data::{
    merge_configured_custom_rules, normalise, Durations, Feed, RuleReasons, Summary,
};
use crate::http::{read_request, respond, send_event, start_event_stream, Request};
use crate::render;

/// A function that computes one panel's data from the project directory.
pub type Provider = fn(&Path) -> Value;

/// How often the event stream looks for new log lines.
const POLL: Duration = Duration::from_millis(250);
/// Keep-alive comment interval, so proxies and browsers keep the stream.
const HEARTBEAT: Duration = Duration::from_secs(10);

/// A dashboard not yet listening: the project it reads, its token and the
/// optional panel providers. [`Dashboard::bind`] starts it.
pub struct Dashboard {
    project: PathBuf,
    token: String,
    cost: Option<Provider>,
    status: Option<Provider>,
    exceptions: Option<Provider>,
    custom_rules: Option<Provider>,
    reasons: RuleReasons,
}

fn no_reasons(_: &str) -> Option<&'static str> {
    None
}

fn random_token() -> io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Compare without an early exit, so response time says nothing about
/// how much of a guessed token was right.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Dashboard {
    /// A dashboard over `project`'s `.agentops/` logs, with a fresh random
    /// 128-bit token. Fails only when the OS cannot supply randomness.
    pub fn new(project: &Path) -> io::Result<Dashboard> {
        Ok(Dashboard {
            project: project.to_path_buf(),
            token: random_token()?,
            cost: None,
            status: None,
            exceptions: None,
            custom_rules: None,
            reasons: no_reasons,
        })
    }

    /// Where the gated list finds each rule's one-line reason.
    pub fn with_rule_reasons(mut self, reasons: RuleReasons) -> Dashboard {
        self.reasons = reasons;
        self
    }

    /// Data for the cost chart (`{"series": [{"day", "model", "usd"}], ...}`).
    pub fn with_cost(mut self, provider: Provider) -> Dashboard {
        self.cost = Some(provider);
        self
    }

    /// Data for the supply-chain and integrity panel.
    pub fn with_status(mut self, provider: Provider) -> Dashboard {
        self.status = Some(provider);
        self
    }

    /// The exceptions of both scopes (`{"exceptions": [...], "problems":
    /// [...]}`, rows as `agentops allow list --json` prints them).
    pub fn with_exceptions(mut self, provider: Provider) -> Dashboard {
        self.exceptions = Some(provider);
        self
    }

    /// The custom rules configured for the project (`{"rules": [{"id",
    /// "origin", "path", "verdict"}], "invalid": [{"path", "origin",
    /// "problem"}]}`), shown with how often each fired.
    pub fn with_custom_rules(mut self, provider: Provider) -> Dashboard {
        self.custom_rules = Some(provider);
        self
    }

    /// The audit summary, with the configured custom rules merged in.
    fn summary(&self, audit: &[Value]) -> Value {
        let mut summary = Summary::from_records(audit, self.reasons).value;
        if let Some(provider) = self.custom_rules {
            merge_configured_custom_rules(&mut summary, &provider(&self.project));
        }
        summary
    }

    /// Bind to 127.0.0.1 (port 0 picks a free one).
    pub fn bind(self, port: u16) -> io::Result<RunningDashboard> {
        let listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port))?;
        let port = listener.local_addr()?.port();
        Ok(RunningDashboard {
            listener,
            port,
            dashboard: Arc::new(self),
        })
    }

    fn log(&self, name: &str) -> PathBuf {
        self.project.join(".agentops").join(name)
    }

    /// Every complete record of a log, and the offset past them.
    fn read_all(&self, name: &str) -> io::Result<(Vec<Value>, u64)> {
        let mut records = Vec::new();
        let mut offset = 0;
        loop {
            let feed = Feed::read(&self.log(name), offset)?;
            if feed.offset == offset {
                return Ok((records, offset));
            }
            offset = feed.offset;
            records.extend(feed.records);
        }
    }

    /// Tool call durations from the whole telemetry spool, and its end.
    fn durations(&self) -> io::Result<(Durations, u64)> {
        let (spool, offset) = self.read_all("telemetry.jsonl")?;
        let mut durations = Durations::default();
        for t in &spool {
            durations.learn(t);
        }
        Ok((durations, offset))
    }

    fn cost_panel(&self) -> Value {
        self.cost
            .map_or(json!({"series": []}), |f| f(&self.project))
    }

    fn status_panel(&self) -> Value {
        self.status.map_or(json!({}), |f| f(&self.project))
    }

    /// The page with every panel already drawn.
    fn page(&self) -> io::Result<String> {
        let (audit, audit_offset) = self.read_all("audit.jsonl")?;
        let (durations, telemetry_offset) = self.durations()?;
        let summary = self.summary(&audit);
        let start = audit.len().saturating_sub(render::FIRST_ROWS);
        let rows: Vec<Value> = audit[start..]
            .iter()
            .map(|r| {
                let mut n = normalise(r);
                durations.fill(&mut n);
                n
            })
            .collect();
        let values = [
            ("TOKEN", self.token.clone()),
            ("AUDIT_OFFSET", audit_offset.to_string()),
            ("TELEMETRY_OFFSET", telemetry_offset.to_string()),
            ("RENDERED_AT", render::esc(&now_utc())),
            ("PROJECT", render::esc(&self.project.display().to_string())),
            ("TOTALS", render::esc(&render::totals(&summary))),
            ("TIMELINE", render::timeline(&rows)),
            ("GATED", render::gated(&summary)),
            ("RULES", render::rules(&summary)),
            ("CUSTOM_RULES", render::custom_rules(&summary)),
            ("SESSIONS", render::sessions(&summary)),
            ("COST", render::cost(&self.cost_panel())),
            ("STATUS", render::status(&self.status_panel())),
            (
                "EXCEPTIONS",
                render::exceptions(
                    &self.exceptions.map_or(json!({}), |f| f(&self.project)),
                    &audit,
                ),
            ),
        ];
        let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Ok(render::fill(assets::INDEX_HTML, &values))
    }

    fn authorised(&self, req: &Request, port: u16) -> Result<(), &'static str> {
        let host = req.header("Host").unwrap_or("");
        let allowed = [format!("127.0.0.1:{port}"), format!("localhost:{port}")];
        if !allowed.iter().any(|a| a.eq_ignore_ascii_case(host)) {
            return Err("unexpected Host header");
        }
        let token = req
            .param("token")
            .or_else(|| req.header("X-Agentops-Token"))
            .unwrap_or("");
        if !same_secret(token, &self.token) {
            return Err("missing or wrong token");
        }
        Ok(())
    }

    fn handle(&self, stream: TcpStream, port: u16) -> io::Result<()> {
        let Some(req) = read_request(&stream)? else {
            return Ok(());
        };
        if let Err(why) = self.authorised(&req, port) {
            return respond(&stream, 403, "text/plain; charset=utf-8", why.as_bytes());
        }
        if req.method != "GET" {
            return respond(&stream, 405, "text/plain; charset=utf-8", b"GET only");
        }
        let json_response =
            |v: Value| respond(&stream, 200, "application/json", v.to_string().as_bytes());
        match req.path.as_str() {
            "/" | "/index.html" => {
                let page = self.page()?;
                respond(&stream, 200, "text/html; charset=utf-8", page.as_bytes())
            }
            "/app.js" => respond(
                &stream,
                200,
                "text/javascript; charset=utf-8",
                assets::APP_JS.as_bytes(),
            ),
            "/app.css" => {
                let css = format!("{}{}", assets::APP_CSS, render::width_classes());
                respond(&stream, 200, "text/css; charset=utf-8", css.as_bytes())
            }
            "/api/summary" => {
                let (records, _) = self.read_all("audit.jsonl")?;
                json_response(self.summary(&records))
            }
            "/api/events" => {
                let offset = req
                    .param("offset")
                    .and_then(|o| o.parse().ok())
                    .unwrap_or(0);
                let feed = Feed::read(&self.log("audit.jsonl"), offset)?;
                let (durations, _) = self.durations()?;
                let records: Vec<Value> = feed
                    .records
                    .iter()
                    .map(|r| {
                        let mut n = normalise(r);
                        durations.fill(&mut n);
                        n
                    })
                    .collect();
                json_response(json!({"records": records, "offset": feed.offset}))
            }
            "/api/cost" => json_response(self.cost_panel()),
            "/api/status" => json_response(self.status_panel()),
            "/api/stream" => self.stream(&stream, &req),
            _ => respond(&stream, 404, "text/plain; charset=utf-8", b"not found"),
        }
    }

    /// Push new audit and telemetry lines as Server-Sent Events until the
    /// client goes away.
    fn stream(&self, stream: &TcpStream, req: &Request) -> io::Result<()> {
        start_event_stream(stream)?;
        let mut offsets = [
            (
                "audit",
                self.log("audit.jsonl"),
                req.param("audit")
                    .and_then(|o| o.parse().ok())
                    .unwrap_or(0u64),
            ),
            (
                "telemetry",
                self.log("telemetry.jsonl"),
                req.param("telemetry")
                    .and_then(|o| o.parse().ok())
                    .unwrap_or(0u64),
            ),
        ];
        let mut id = 0u64;
        let mut last_beat = Instant::now();
        // Durations of calls spooled before the stream's start too.
        let mut durations = self.durations()?.0;
        loop {
            // Telemetry before audit: a call's duration is known by the
            // time its audit record goes out.
            for (name, path, offset) in offsets.iter_mut().rev() {
                let feed = Feed::read(path, *offset)?;
                if feed.offset != *offset {
                    *offset = feed.offset;
                    for record in feed.records {
                        id += 1;
                        let data = if *name == "audit" {
                            let mut n = normalise(&record);
                            durations.fill(&mut n);
                            n
                        } else {
                            durations.learn(&record);
                            record
                        };
                        let payload = json!({"record": data, "offset": *offset});
                        send_event(stream, name, id, &payload.to_string())?;
                    }
                }
            }
            if last_beat.elapsed() >= HEARTBEAT {
                use std::io::Write;
                let mut s = stream;
                s.write_all(b": ping\n\n")?;
                s.flush()?;
                last_beat = Instant::now();
            }
            thread::sleep(POLL);
        }
    }
}

/// The current UTC time, to the second, for the page's snapshot label.
fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A dashboard bound to its port; [`RunningDashboard::serve`] answers
/// requests.
pub struct RunningDashboard {
    listener: TcpListener,
    port: u16,
    dashboard: Arc<Dashboard>,
}

impl RunningDashboard {
    /// The port actually bound (the one the OS picked, if 0 was asked for).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The per-run secret every request must carry (`?token=` or the
    /// `X-Agentops-Token` header).
    pub fn token(&self) -> &str {
        &self.dashboard.token
    }

    /// The URL to open, token included.
    pub fn url(&self) -> String {
        format!(
            "http://127.0.0.1:{}/?token={}",
            self.port, self.dashboard.token
        )
    }

    /// Serve until the process ends.
    pub fn serve(self) {
        for stream in self.listener.incoming() {
            let Ok(stream) = stream else { continue };
            let dashboard = Arc::clone(&self.dashboard);
            let port = self.port;
            thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                // A client that disconnects mid-response is not an error worth reporting.
                let _ = dashboard.handle(stream, port);
            });
        }
    }

    /// Serve on a background thread (tests, and the CLI's `--open`).
    pub fn spawn(self) -> thread::JoinHandle<()> {
        thread::spawn(move || self.serve())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_comparison() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
        assert!(!same_secret("", "a"));
    }

    #[test]
    fn tokens_are_random_hex() {
        let a = random_token().expect("token");
        let b = random_token().expect("token");
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
