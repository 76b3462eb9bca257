//! Every dashboard endpoint over real HTTP on loopback, including the
//! token and Host checks that keep other local users and web pages out.

use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use agentops_dashboard::Dashboard;
use serde_json::{json, Value};

struct Server {
    port: u16,
    token: String,
    project: tempfile::TempDir,
}

fn audit_line(project: &Path, record: &Value) {
    let dir = project.join(".agentops");
    fs::create_dir_all(&dir).expect("mkdir");
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("audit.jsonl"))
        .expect("open");
    writeln!(f, "{record}").expect("write");
}

fn start() -> Server {
    let project = tempfile::tempdir().expect("tempdir");
    audit_line(
        project.path(),
        &json!({"ts": "2026-11-25T10:00:00Z", "session": "s1", "event": "PreToolUse", "tool": "Bash", "decision": "deny", "rules": ["CMD001"], "reason": "wipe"}),
    );
    audit_line(
        project.path(),
        &json!({"ts": "2026-11-25T10:00:01Z", "session": "s1", "event": "PostToolUse", "tool": "Read", "decision": "allow"}),
    );
    let dashboard = Dashboard::new(project.path())
        .expect("dashboard")
        .with_cost(
            |_| json!({"series": [{"day": "2026-11-25", "model": "claude-sonnet", "usd": 1.5}]}),
        )
        .with_status(|_| json!({"unicode": "clean"}))
        .with_exceptions(|_| {
            json!({"exceptions": [{"scope": "project", "index": 1, "id": "aaaa0001", "rule": "CMD029",
                "pattern": "git push --force-with-lease origin feature/*", "reason": "rebased branches",
                "expired": false, "expires": null, "ignored": null}], "problems": []})
        });
    let running = dashboard.bind(0).expect("bind");
    let (port, token) = (running.port(), running.token().to_string());
    running.spawn();
    Server {
        port,
        token,
        project,
    }
}

/// Send a raw request; return (status, headers, body).
fn request(port: u16, method: &str, target: &str, host: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        s,
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read");
    let (head, body) = raw.split_once("\r\n\r\n").expect("head and body");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status");
    (status, head.to_string(), body.to_string())
}

fn get(srv: &Server, path: &str) -> (u16, String, String) {
    let sep = if path.contains('?') { '&' } else { '?' };
    request(
        srv.port,
        "GET",
        &format!("{path}{sep}token={}", srv.token),
        &format!("127.0.0.1:{}", srv.port),
    )
}

fn get_json(srv: &Server, path: &str) -> Value {
    let (status, head, body) = get(srv, path);
    assert_eq!(status, 200, "{path}: {body}");
    assert!(head.contains("application/json"), "{head}");
    serde_json::from_str(&body).expect("json")
}

#[test]
fn the_page_and_its_assets_are_served_with_the_token() {
    let srv = start();
    let (_, _, before) = get(&srv, "/");
    assert!(before.contains("no custom rule fired yet"));
    audit_line(
        srv.project.path(),
        &json!({"ts": "2026-11-25T10:00:02Z", "session": "s1", "event": "PreToolUse", "tool": "Bash", "decision": "deny", "rules": ["XDEPLOY1"],
                "findings": [{"id": "XDEPLOY1", "policy": "custom-rules", "origin": "project", "severity": "deny", "decision": "deny"}]}),
    );
    let (status, head, body) = get(&srv, "/");
    assert_eq!(status, 200);
    assert!(head.contains("text/html") && head.contains("Content-Security-Policy"));
    assert!(body.contains(&format!("data-token=\"{}\"", srv.token)));
    assert!(
        !body.contains("http://") && !body.contains("https://"),
        "no external resources"
    );
    assert!(
        body.contains(r#"<table id="exceptions">"#)
            && body.contains("git push --force-with-lease origin feature/*")
            && !body.contains("__EXCEPTIONS__"),
        "the exceptions panel is drawn on the server"
    );
    assert!(
        body.contains(
            r#"<li><code>XDEPLOY1</code> <span class="origin">project</span> <span>1</span></li>"#
        ),
        "custom rules panel: {body}"
    );
    assert!(!body.contains("no custom rule fired yet"));
    let (status, head, js) = get(&srv, "/app.js");
    assert_eq!(status, 200);
    assert!(head.contains("text/javascript") && js.contains("EventSource"));
    let (status, head, _) = get(&srv, "/app.css");
    assert_eq!(status, 200);
    assert!(head.contains("text/css"));
}

#[test]
fn requests_without_the_right_token_or_host_are_refused() {
    let srv = start();
    let host = format!("127.0.0.1:{}", srv.port);
    for target in ["/", "/api/summary", "/api/stream", "/app.js"] {
        assert_eq!(
            request(srv.port, "GET", target, &host).0,
            403,
            "{target} without token"
        );
        let wrong = format!("{target}?token={}", "0".repeat(32));
        assert_eq!(
            request(srv.port, "GET", &wrong, &host).0,
            403,
            "{target} wrong token"
        );
    }
    let with_token = format!("/api/summary?token={}", srv.token);
    for bad_host in [
        "evil.example",
        "evil.example:80",
        &format!("127.0.0.1.evil.example:{}", srv.port),
        "127.0.0.1:1",
    ] {
        let (status, _, body) = request(srv.port, "GET", &with_token, bad_host);
        assert_eq!(status, 403, "{bad_host}");
        assert!(body.contains("Host"));
    }
    assert_eq!(
        request(
            srv.port,
            "GET",
            &with_token,
            &format!("localhost:{}", srv.port)
        )
        .0,
        200
    );
    assert_eq!(request(srv.port, "POST", &with_token, &host).0, 405);
    assert_eq!(get(&srv, "/nope").0, 404);
}

#[test]
fn api_endpoints_return_the_panels() {
    let srv = start();
    let summary = get_json(&srv, "/api/summary");
    assert_eq!(summary["total"], 2);
    assert_eq!(summary["decisions"]["deny"], 1);
    assert_eq!(summary["top_rules"][0]["id"], "CMD001");
    assert_eq!(summary["gated"][0]["reason"], "wipe");

    let events = get_json(&srv, "/api/events?offset=0");
    assert_eq!(events["records"].as_array().map(Vec::len), Some(2));
    let offset = events["offset"].as_u64().expect("offset");
    let later = get_json(&srv, &format!("/api/events?offset={offset}"));
    assert_eq!(later["records"], json!([]));

    assert_eq!(get_json(&srv, "/api/cost")["series"][0]["usd"], 1.5);
    assert_eq!(get_json(&srv, "/api/status")["unicode"], "clean");
}

#[test]
fn the_stream_pushes_new_audit_lines() {
    let srv = start();
    let offset = get_json(&srv, "/api/events?offset=0")["offset"]
        .as_u64()
        .expect("offset");
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    write!(
        s,
        "GET /api/stream?token={}&audit={offset} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        srv.token, srv.port
    )
    .expect("send");
    let mut reader = BufReader::new(s);
    let mut status = String::new();
    reader.read_line(&mut status).expect("status");
    assert!(status.contains("200"), "{status}");

    audit_line(
        srv.project.path(),
        &json!({"ts": "t", "session": "s2", "event": "PreToolUse", "tool": "Bash", "decision": "ask", "rules": ["CMD042"]}),
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen = String::new();
    while Instant::now() < deadline {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        seen.push_str(&line);
        if line.starts_with("data:") {
            let data: Value =
                serde_json::from_str(line.trim_start_matches("data:").trim()).expect("json");
            assert_eq!(data["record"]["rules"], json!(["CMD042"]));
            assert!(seen.contains("event: audit"), "{seen}");
            return;
        }
    }
    panic!("no audit event arrived: {seen}");
}

#[test]
fn configured_custom_rules_show_with_their_counts_and_broken_files() {
    let project = tempfile::tempdir().expect("tempdir");
    audit_line(
        project.path(),
        &json!({"ts": "t", "session": "s1", "event": "PreToolUse", "tool": "Bash", "decision": "deny", "rules": ["XDEPLOY1"],
                "findings": [{"id": "XDEPLOY1", "policy": "custom-rules", "origin": "project"}]}),
    );
    let running = Dashboard::new(project.path())
        .expect("dashboard")
        .with_custom_rules(|_| {
            json!({"rules": [
                {"id": "XDEPLOY1", "origin": "project", "path": "/p/.agentops/rules.toml", "verdict": "deny"},
                {"id": "XQUIET", "origin": "user", "path": "/h/.agentops/rules.toml", "verdict": "ask"},
            ], "invalid": [{"path": "/h2/.agentops/rules.toml", "origin": "user", "problem": "line 3: no `reason`"}]})
        })
        .bind(0)
        .expect("bind");
    let srv = Server {
        port: running.port(),
        token: running.token().to_string(),
        project,
    };
    running.spawn();
    let (status, _, body) = get(&srv, "/");
    assert_eq!(status, 200);
    assert!(
        body.contains(r#"<li title="deny · /p/.agentops/rules.toml"><code>XDEPLOY1</code> <span class="origin">project</span> <span>1</span></li>"#),
        "{body}"
    );
    assert!(
        body.contains(r#"<code>XQUIET</code> <span class="origin">user</span> <span>0</span>"#),
        "{body}"
    );
    assert!(
        body.contains("/h2/.agentops/rules.toml</code> does not load: line 3: no `reason`"),
        "{body}"
    );
    let summary = get_json(&srv, "/api/summary");
    assert_eq!(summary["custom_rules"][1]["id"], "XQUIET");
    assert_eq!(summary["custom_rules"][1]["count"], 0);
}
