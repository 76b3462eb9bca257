//! End to end in a real browser: headless Chromium (driven through
//! chromedriver's WebDriver API) opens the dashboard, a hook runs, and the
//! new event appears on the page without a reload. A screenshot is saved
//! to `target/dashboard-e2e.png`.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages (`.ci/run`
//! installs them). Without them the test is skipped, except under CI
//! (`CI` set), where a missing browser is a failure.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

fn find(candidates: &[&str]) -> Option<PathBuf> {
    candidates.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// Kills the child when the test ends, pass or fail.
struct Guard(Child);
impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// One WebDriver call over plain HTTP/1.1.
fn webdriver(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to chromedriver");
    s.set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    // chromedriver may keep the connection open: read exactly Content-Length.
    let mut reader = BufReader::new(s);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("read header");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().expect("content length");
            }
        }
    }
    let mut payload = vec![0u8; length];
    reader.read_exact(&mut payload).expect("read body");
    serde_json::from_slice(&payload).unwrap_or_else(|e| {
        panic!(
            "webdriver {path}: {e}: {}",
            String::from_utf8_lossy(&payload)
        )
    })
}

fn script(port: u16, session: &str, js: &str) -> Value {
    webdriver(
        port,
        "POST",
        &format!("/session/{session}/execute/sync"),
        Some(&json!({"script": js, "args": []})),
    )["value"]
        .clone()
}

fn wait_for(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn a_hook_event_appears_live_in_headless_chromium() {
    let chromium = find(&[
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]);
    let driver = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
    let (Some(chromium), Some(driver)) = (chromium, driver) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs chromium and chromedriver (apt-get install chromium chromium-driver)"
        );
        eprintln!("skipped: chromium or chromedriver not installed");
        return;
    };
    let project = common::project();

    // The dashboard prints its URL (with the token) as the first line.
    let mut dashboard = Command::new(common::BIN)
        .args(["dashboard", "--port", "0"])
        .env("CLAUDE_PROJECT_DIR", project.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start dashboard");
    let stdout = dashboard.stdout.take().expect("stdout");
    let _dashboard = Guard(dashboard);
    let mut url = String::new();
    BufReader::new(stdout).read_line(&mut url).expect("url");
    let url = url.trim().to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.contains("token="),
        "{url}"
    );

    let port = free_port();
    let _driver = Guard(
        Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    wait_for("chromedriver", Duration::from_secs(20), || {
        TcpStream::connect(("127.0.0.1", port)).is_ok()
            && webdriver(port, "GET", "/status", None)["value"]["ready"] == true
    });

    let profile = tempfile::tempdir().expect("profile dir");
    let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": chromium,
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
                 "--window-size=1400,1000", format!("--user-data-dir={}", profile.path().display())]
    }}}});
    let created = webdriver(port, "POST", "/session", Some(&caps));
    let session = created["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {created}"))
        .to_string();

    webdriver(
        port,
        "POST",
        &format!("/session/{session}/url"),
        Some(&json!({"url": url})),
    );
    wait_for("the live stream", Duration::from_secs(15), || {
        script(
            port,
            &session,
            "return document.getElementById('live').textContent",
        ) == "live"
    });
    let rows_before = script(
        port,
        &session,
        "return document.querySelectorAll('#timeline tbody tr').length",
    );
    assert_eq!(rows_before, 0);

    // A real hook invocation in the same project.
    let payload = json!({"session_id": "e2e-session", "hook_event_name": "PreToolUse", "tool_name": "WebFetch",
                         "tool_input": {"url": "https://example.com/docs"}, "cwd": project.path()});
    let hook = common::hook("PreToolUse", &payload, project.path(), &[]);
    assert_eq!(hook.code, 0);
    assert!(
        Path::new(&project.path().join(".agentops/audit.jsonl")).is_file(),
        "the hook wrote no audit record"
    );

    wait_for("the new event on the page", Duration::from_secs(15), || {
        script(port, &session, "return [...document.querySelectorAll('#timeline tbody tr')].map(r => r.textContent).join('\\n')")
            .as_str()
            .is_some_and(|t| t.contains("WebFetch") && t.contains("ask"))
    });
    wait_for("the summary to count it", Duration::from_secs(10), || {
        script(
            port,
            &session,
            "return document.getElementById('totals').textContent",
        )
        .as_str()
        .is_some_and(|t| t.contains("1 asked"))
    });

    let shot = webdriver(port, "GET", &format!("/session/{session}/screenshot"), None);
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot["value"].as_str().expect("screenshot"))
        .expect("base64");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/dashboard-e2e.png");
    std::fs::write(&out, png).expect("save screenshot");
    webdriver(port, "DELETE", &format!("/session/{session}"), None);
}
