//! End to end in a real browser: headless Chromium (driven through
//! chromedriver's WebDriver API) opens the dashboard of a project with
//! history (denials, a timed tool call, a policy record, a supply-chain
//! finding, cost for two models). The first HTML response already holds
//! the data; at load the page shows it (screenshot
//! `dashboard-load.png` in Cargo's `CARGO_TARGET_TMPDIR`) with no console error (CSP violations
//! included); bars differ in width; then a hook runs and the new event
//! appears without a reload (`dashboard-e2e.png`).
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

/// A project with history: three denied commands (one rule far more
/// frequent than another), a tool call with a Pre and a Post, a policy
/// record (credential access), a file with a hidden bidi control, and
/// cost for two models.
fn seed(project: &Path) -> Vec<String> {
    let session = "0f8e7d6c-5b4a-4928-9716-0a0b0c0d0e0f";
    let other = "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d";
    let call = |event: &str, s: &str, extra: Value| {
        let mut p = json!({"session_id": s, "hook_event_name": event, "cwd": project});
        if let (Some(p), Some(extra)) = (p.as_object_mut(), extra.as_object()) {
            p.extend(extra.clone());
        }
        let out = common::hook(event, &p, project, &[]);
        assert_eq!(out.code, 0, "{event}: {}", out.stderr);
    };
    for i in 0..3 {
        call(
            "PreToolUse",
            session,
            json!({"tool_name": "Bash", "tool_use_id": format!("rm{i}"), "tool_input": {"command": "rm -rf ~/"}}),
        );
    }
    call(
        "PreToolUse",
        other,
        json!({"tool_name": "WebFetch", "tool_use_id": "wf", "tool_input": {"url": "https://example.com/a"}}),
    );
    call(
        "PreToolUse",
        other,
        json!({"tool_name": "Read", "tool_use_id": "rd", "tool_input": {"file_path": "/tmp/a.txt"}}),
    );
    std::thread::sleep(Duration::from_millis(30));
    call(
        "PostToolUse",
        other,
        json!({"tool_name": "Read", "tool_use_id": "rd", "tool_input": {"file_path": "/tmp/a.txt"}, "tool_response": {}}),
    );
    call(
        "PostToolUse",
        other,
        json!({"tool_name": "Read", "tool_use_id": "env", "tool_input": {"file_path": "/tmp/.env"},
               "tool_response": {"file": {"content": "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}}}),
    );
    std::fs::create_dir_all(project.join("src")).expect("mkdir");
    std::fs::write(
        project.join("src/evil.js"),
        "let ok = 1;\nlet admin = \"user\u{202E} \u{2066}// check later\u{2069} \u{2066}\";\n",
    )
    .expect("write");
    let transcript = project.join("transcripts/t.jsonl");
    std::fs::create_dir_all(transcript.parent().expect("parent")).expect("mkdir");
    let usage = |id: &str, model: &str, input: u64| {
        json!({"type": "assistant", "requestId": format!("req-{id}"), "timestamp": "2026-06-09T10:00:00Z",
               "message": {"id": id, "model": model, "usage": {"input_tokens": input, "output_tokens": 0,
               "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}})
        .to_string()
    };
    std::fs::write(
        &transcript,
        format!(
            "{}\n{}\n",
            usage("m1", "claude-sonnet-4-5-20250929", 1_000_000),
            usage("m2", "claude-haiku-4-5-20251001", 500_000)
        ),
    )
    .expect("transcript");
    call(
        "Stop",
        session,
        json!({"transcript_path": transcript, "stop_hook_active": false}),
    );
    vec![session.to_string(), other.to_string()]
}

/// GET over plain HTTP/1.1, the body as text.
fn http_get(url: &str) -> String {
    let rest = url.strip_prefix("http://").expect("http url");
    let (authority, path) = rest.split_at(rest.find('/').expect("path"));
    let mut s = TcpStream::connect(authority).expect("connect to the dashboard");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read");
    raw.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .expect("a response")
}

fn save_screenshot(port: u16, session: &str, name: &str) {
    let shot = webdriver(port, "GET", &format!("/session/{session}/screenshot"), None);
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot["value"].as_str().expect("screenshot"))
        .expect("base64");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    // Cargo's scratch directory for integration tests, in the target directory.
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&out, png).expect("save screenshot");
}

/// The browser console so far (chromedriver's log endpoint).
fn console(port: u16, session: &str) -> Vec<Value> {
    webdriver(
        port,
        "POST",
        &format!("/session/{session}/se/log"),
        Some(&json!({"type": "browser"})),
    )["value"]
        .as_array()
        .cloned()
        .unwrap_or_default()
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
        eprintln!("SKIPPED: chromium or chromedriver not installed");
        return;
    };
    let project = common::project();
    let sessions = seed(project.path());
    let reason_of_cmd001 = {
        let out = common::run(&["rules", "CMD001", "--json"], b"", project.path(), &[]);
        let v: Value = serde_json::from_str(out.stdout.trim()).expect("rules json");
        let rule = if v.is_array() { v[0].clone() } else { v };
        rule["reason"].as_str().expect("a reason").to_string()
    };

    // The dashboard prints its URL (with the token) as the first line;
    // --project names the project, from another working directory.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let mut dashboard = Command::new(common::BIN)
        .args(["dashboard", "--port", "0", "--project"])
        .arg(project.path())
        .current_dir(elsewhere.path())
        .env_remove("CLAUDE_PROJECT_DIR")
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

    // The first HTML response is the first paint: data, not a spinner.
    let html = http_get(&url);
    for expected in [
        sessions[0].as_str(),
        sessions[1].as_str(),
        "CMD001",
        reason_of_cmd001.as_str(),
        "src/evil.js",
        "claude-haiku-4-5-20251001",
    ] {
        assert!(
            html.contains(expected),
            "{expected} missing from the first response"
        );
    }
    assert!(!html.contains("connecting"), "{html}");
    assert!(
        !html.contains("style="),
        "inline styles are blocked by the CSP"
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
    let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome",
        "goog:loggingPrefs": {"browser": "ALL"},
        "goog:chromeOptions": {
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
    // At load, before any live update: the panels are drawn.
    save_screenshot(port, &session, "dashboard-load.png");
    let js = |code: &str| script(port, &session, code);
    let rows_at_load = js("return document.querySelectorAll('#timeline tbody tr').length");
    assert!(
        rows_at_load.as_u64().is_some_and(|n| n >= 8),
        "{rows_at_load}"
    );

    let widths = js("return [...document.querySelectorAll('#rules .bar')].map(b => b.getBoundingClientRect().width)");
    let widths: Vec<f64> = widths
        .as_array()
        .expect("widths")
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    assert!(widths.len() >= 2, "{widths:?}");
    assert!(
        widths.iter().all(|w| *w > 0.0),
        "every bar shows: {widths:?}"
    );
    let (min, max) = widths
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), w| (lo.min(*w), hi.max(*w)));
    assert!(max > min * 1.5, "bars differ in width: {widths:?}");

    let legend = js("return [...document.querySelectorAll('#cost .legend')].map(l => getComputedStyle(l).color)");
    let colours: Vec<&str> = legend
        .as_array()
        .expect("legend")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(colours.len(), 2, "two models: {legend}");
    assert_ne!(colours[0], colours[1], "each model has its colour");

    let findings = js("return [...document.querySelectorAll('#findings tbody tr')].map(r => [...r.cells].map(c => c.textContent))");
    let evil = findings
        .as_array()
        .expect("findings")
        .iter()
        .find(|r| r[1] == "src/evil.js")
        .unwrap_or_else(|| panic!("no row for src/evil.js: {findings}"));
    assert_eq!(
        (evil[0].as_str(), evil[2].as_str()),
        (Some("unicode"), Some("2")),
        "{evil}"
    );

    let session_ids = js(
        "return [...document.querySelectorAll('#sessions a.session-link')].map(a => a.textContent)",
    );
    let mut listed: Vec<String> = session_ids
        .as_array()
        .expect("sessions")
        .iter()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect();
    listed.sort();
    let mut want = sessions.clone();
    want.sort();
    assert_eq!(listed, want, "full ids, and no record under `unknown`");
    let copies = js(
        "return [...document.querySelectorAll('#sessions button.copy')].map(b => b.dataset.copy)",
    );
    assert_eq!(copies.as_array().map(Vec::len), Some(2), "{copies}");

    let ms = js("return [...document.querySelectorAll('#timeline tbody tr')].filter(r => r.cells[2].textContent === 'PostToolUse' && r.cells[4].textContent.includes('/tmp/a.txt')).map(r => r.cells[7].textContent)");
    assert!(
        ms.as_array().is_some_and(|m| !m.is_empty()
            && m.iter().all(|v| v
                .as_str()
                .is_some_and(|t| t.parse::<u64>().is_ok_and(|n| n >= 30)))),
        "the Read took at least 30 ms: {ms}"
    );
    let gated = js("return document.getElementById('gated').textContent");
    assert!(
        gated
            .as_str()
            .is_some_and(|g| g.contains(&format!("CMD001: {reason_of_cmd001}"))),
        "{gated}"
    );

    wait_for("the live stream", Duration::from_secs(15), || {
        js("return document.getElementById('live').textContent") == "live"
    });

    // A real hook invocation in the same project.
    let payload = json!({"session_id": "e2e-session", "hook_event_name": "PreToolUse", "tool_name": "WebFetch",
                         "tool_input": {"url": "https://example.com/docs"}, "cwd": project.path()});
    let hook = common::hook("PreToolUse", &payload, project.path(), &[]);
    assert_eq!(hook.code, 0);

    wait_for("the new event on the page", Duration::from_secs(15), || {
        js("return [...document.querySelectorAll('#timeline tbody tr')].map(r => r.textContent).join('\\n')")
            .as_str()
            .is_some_and(|t| t.contains("e2e-session") && t.contains("WebFetch"))
    });
    wait_for("the summary to count it", Duration::from_secs(10), || {
        js("return document.getElementById('totals').textContent")
            .as_str()
            .is_some_and(|t| t.contains("2 asked"))
    });
    let widths_after = js("return [...document.querySelectorAll('#rules .bar')].map(b => b.getBoundingClientRect().width)");
    assert!(
        widths_after
            .as_array()
            .is_some_and(|w| w
                .iter()
                .filter_map(Value::as_f64)
                .any(|x| (x - max).abs() > 1.0 && x > 0.0)),
        "bars redrawn by the script still differ: {widths_after}"
    );

    let errors: Vec<Value> = console(port, &session)
        .into_iter()
        .filter(|e| e["level"] == "SEVERE" || e["level"] == "WARNING")
        .collect();
    assert!(
        errors.is_empty(),
        "console errors (CSP violations included): {errors:?}"
    );

    save_screenshot(port, &session, "dashboard-e2e.png");
    webdriver(port, "DELETE", &format!("/session/{session}"), None);
}

#[test]
fn dashboard_refuses_a_project_that_is_not_a_directory() {
    let dir = common::project();
    let missing = dir.path().join("no-such-project");
    let out = common::run(
        &[
            "dashboard",
            "--port",
            "0",
            "--project",
            missing.to_str().expect("utf-8 path"),
        ],
        b"",
        dir.path(),
        &[],
    );
    assert_eq!(out.code, 64, "{}", out.stderr);
    assert!(out.stderr.contains("is not a directory"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "no URL printed: {}", out.stdout);
}
