//! Observability end to end against the built binary: the audit log and
//! its tamper evidence, redaction in every log, cost from transcripts,
//! budget enforcement, and OTLP export to a real collector.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;

use common::{hook, project, run};
use serde_json::{json, Value};

const SECRET_TOKEN: &str = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";
const SECRET_PASSWORD: &str = "Tr0ub4dor-and-3";

fn payload(event: &str, session: &str, extra: Value) -> Value {
    let mut p = json!({"session_id": session, "hook_event_name": event,
                       "permission_mode": "default", "cwd": "/tmp"});
    if let (Some(p), Some(extra)) = (p.as_object_mut(), extra.as_object()) {
        p.extend(extra.clone());
    }
    p
}

fn lines(path: &Path) -> Vec<Value> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("every log line is JSON"))
        .collect()
}

fn state(dir: &Path, name: &str) -> std::path::PathBuf {
    dir.join(".agentops").join(name)
}

#[test]
fn tool_events_are_audited_with_the_merged_decision_and_rules() {
    let dir = project();
    let write = payload(
        "PreToolUse",
        "s-audit",
        json!({"tool_name": "Write", "tool_use_id": "tw",
        "tool_input": {"file_path": "/tmp/x", "content": "x"}}),
    );
    let out = hook(
        "PreToolUse",
        &write,
        dir.path(),
        &[("AGENTOPS_MODE", "safe")],
    );
    assert_eq!(
        out.json()
            .map(|v| v["hookSpecificOutput"]["permissionDecision"].clone()),
        Some(json!("deny"))
    );
    let read = payload(
        "PostToolUse",
        "s-audit",
        json!({"tool_name": "Read", "tool_use_id": "tr",
        "tool_input": {"file_path": "/tmp/a"}, "tool_response": {"type": "text"}}),
    );
    hook("PostToolUse", &read, dir.path(), &[]);

    let records = lines(&state(dir.path(), "audit.jsonl"));
    let denied = records
        .iter()
        .find(|r| r["event"] == "PreToolUse" && r["tool"] == "Write")
        .expect("the denied call is audited");
    assert_eq!(denied["decision"], "deny");
    assert!(
        denied["rules"]
            .as_array()
            .is_some_and(|r| r.contains(&json!("MODE001"))),
        "{denied}"
    );
    assert_eq!(denied["tool_use_id"], "tw");
    assert!(records
        .iter()
        .any(|r| r["event"] == "PostToolUse" && r["tool"] == "Read"));
    assert!(records
        .iter()
        .all(|r| r["hash"].is_string() && r["prev"].is_string()));

    let query = run(
        &["audit", "query", "--rule", "MODE001", "--json"],
        b"",
        dir.path(),
        &[],
    );
    assert_eq!(query.code, 0, "{}", query.stderr);
    let found: Vec<Value> = query
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(found.len(), 1, "{}", query.stdout);
    let by_decision = run(
        &[
            "audit",
            "tail",
            "--decision",
            "deny",
            "--session",
            "s-audit",
        ],
        b"",
        dir.path(),
        &[],
    );
    assert!(
        by_decision.stdout.contains("Write") && !by_decision.stdout.contains("Read "),
        "{}",
        by_decision.stdout
    );
    let stats = run(&["audit", "stats", "--json"], b"", dir.path(), &[]);
    let stats: Value = serde_json::from_str(stats.stdout.trim()).expect("stats json");
    assert_eq!(stats["by"]["rule"]["MODE001"], 1);
    let verify = run(&["audit", "verify"], b"", dir.path(), &[]);
    assert_eq!(verify.code, 0, "{}", verify.stdout);
    assert!(verify.stdout.contains("intact"), "{}", verify.stdout);
}

/// Guidance (a nudge for the model) is a finding like any other: the
/// audit log records its rule, `audit query --rule` finds it and replay
/// names it, so no rule id appears in an answer without being recorded.
#[test]
fn guidance_rules_are_recorded_queried_and_replayed() {
    let dir = project();
    // No plan in tasks/todo.md: star-gate tells the model to write one.
    let bash = payload(
        "PreToolUse",
        "s-guide",
        json!({"tool_name": "Bash", "tool_use_id": "tb",
        "tool_input": {"command": "cargo build"}}),
    );
    let out = hook("PreToolUse", &bash, dir.path(), &[]);
    let answer = out.json().expect("guidance").to_string();
    assert!(answer.contains("[STAR002]"), "{answer}");

    let records = lines(&state(dir.path(), "audit.jsonl"));
    let call = records
        .iter()
        .find(|r| r["tool_use_id"] == "tb")
        .expect("the call is audited");
    assert!(
        call["rules"]
            .as_array()
            .is_some_and(|r| r.contains(&json!("STAR002"))),
        "{call}"
    );
    assert_eq!(call["decision"], "allow", "guidance never gates: {call}");

    let query = run(
        &["audit", "query", "--rule", "STAR002", "--json"],
        b"",
        dir.path(),
        &[],
    );
    assert_eq!(query.code, 0, "{}", query.stderr);
    assert_eq!(query.stdout.lines().count(), 1, "{}", query.stdout);

    let session = dir.path().join("session.jsonl");
    fs::write(&session, format!("{bash}\n")).expect("write session");
    let replayed = run(
        &["replay", session.to_str().expect("utf-8 path"), "--json"],
        b"",
        dir.path(),
        &[],
    );
    assert_eq!(replayed.code, 0, "{}", replayed.stderr);
    let row: Value =
        serde_json::from_str(replayed.stdout.lines().next().expect("a row")).expect("replay json");
    assert!(
        row.to_string().contains("\"STAR002\""),
        "replay lists the rule: {row}"
    );
}

#[test]
fn the_audit_log_can_be_switched_off() {
    let dir = project();
    fs::create_dir(dir.path().join(".agentops")).expect("mkdir");
    fs::write(
        state(dir.path(), "flags.json"),
        r#"{"audit_log_enabled": false, "telemetry_enabled": false}"#,
    )
    .expect("flags");
    let p = payload(
        "PreToolUse",
        "s",
        json!({"tool_name": "Read", "tool_input": {"file_path": "/a"}}),
    );
    hook("PreToolUse", &p, dir.path(), &[]);
    assert!(!state(dir.path(), "audit.jsonl").exists());
    assert!(!state(dir.path(), "telemetry.jsonl").exists());
}

#[test]
fn secrets_are_redacted_in_every_log() {
    let dir = project();
    let command =
        format!("git push https://ci:{SECRET_PASSWORD}@example.com/r.git && echo {SECRET_TOKEN}");
    let events = [
        (
            "PreToolUse",
            json!({"tool_name": "Bash", "tool_use_id": "t1", "tool_input": {"command": command}}),
        ),
        (
            "PostToolUseFailure",
            json!({"tool_name": "Bash", "tool_use_id": "t1", "tool_input": {"command": command},
            "error": format!("remote rejected token {SECRET_TOKEN}"), "is_interrupt": false}),
        ),
        (
            "PostToolUse",
            json!({"tool_name": "WebFetch", "tool_use_id": "t2",
            "tool_input": {"url": format!("https://api.example.com/?access_token={SECRET_TOKEN}"), "prompt": "x"},
            "tool_response": {"durationMs": 12}}),
        ),
        (
            "PostToolUse",
            json!({"tool_name": "Read", "tool_use_id": "t3",
            "tool_input": {"file_path": format!("/tmp/{SECRET_TOKEN}.txt")}, "tool_response": {}}),
        ),
        (
            "SubagentStart",
            json!({"agent_id": "a1", "agent_type": format!("helper-{SECRET_TOKEN}")}),
        ),
    ];
    for (event, extra) in events {
        let out = hook(
            event,
            &payload(event, "s-redact", extra),
            dir.path(),
            &[("AGENTOPS_MODE", "full")],
        );
        assert_eq!(out.code, 0, "{event}: {}", out.stderr);
    }
    for log in [
        "audit.jsonl",
        "failures.jsonl",
        "provenance.jsonl",
        "delegation.jsonl",
        "telemetry.jsonl",
    ] {
        let text = fs::read_to_string(state(dir.path(), log))
            .unwrap_or_else(|_| panic!("{log} was written"));
        assert!(!text.is_empty(), "{log}");
        assert!(
            !text.contains(SECRET_TOKEN),
            "{log} leaks the token: {text}"
        );
        assert!(
            !text.contains(SECRET_PASSWORD),
            "{log} leaks the password: {text}"
        );
    }
    for log in [
        "audit.jsonl",
        "failures.jsonl",
        "provenance.jsonl",
        "delegation.jsonl",
    ] {
        let text = fs::read_to_string(state(dir.path(), log)).expect("log");
        assert!(
            text.contains("[REDACTED"),
            "{log} shows no redaction marker: {text}"
        );
    }
    let failures = lines(&state(dir.path(), "failures.jsonl"));
    assert_eq!(failures.len(), 1);
    assert_eq!(
        (
            failures[0]["tool"].as_str(),
            failures[0]["session"].as_str()
        ),
        (Some("Bash"), Some("s-redact"))
    );
    let provenance = lines(&state(dir.path(), "provenance.jsonl"));
    let sources: Vec<_> = provenance
        .iter()
        .map(|r| (r["source"].clone(), r["trust"].clone()))
        .collect();
    assert_eq!(
        sources,
        [
            (json!("web"), json!("untrusted")),
            (json!("file"), json!("untrusted"))
        ]
    );
    let telemetry = lines(&state(dir.path(), "telemetry.jsonl"));
    assert!(
        telemetry
            .iter()
            .any(|r| r["event"] == "PostToolUse" && r["duration_ms"] == 12),
        "{telemetry:?}"
    );
}

fn tamper_case(edit: impl FnOnce(&mut Vec<String>)) -> (i32, Value) {
    let dir = project();
    for i in 0..6 {
        let p = payload(
            "PreToolUse",
            "s-tamper",
            json!({"tool_name": "Read", "tool_use_id": format!("t{i}"),
            "tool_input": {"file_path": format!("/src/{i}.rs")}}),
        );
        hook("PreToolUse", &p, dir.path(), &[]);
    }
    let path = state(dir.path(), "audit.jsonl");
    let mut l: Vec<String> = fs::read_to_string(&path)
        .expect("log")
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(l.len(), 6);
    edit(&mut l);
    fs::write(
        &path,
        l.iter().map(|x| format!("{x}\n")).collect::<String>(),
    )
    .expect("write");
    let out = run(&["audit", "verify", "--json"], b"", dir.path(), &[]);
    (
        out.code,
        serde_json::from_str(out.stdout.trim()).expect("verify json"),
    )
}

#[test]
fn audit_verify_reports_each_kind_of_tampering_and_where() {
    type Edit = fn(&mut Vec<String>);
    let cases: &[(&str, Edit, &str, u64)] = &[
        (
            "edited",
            |l| l[3] = l[3].replace("/src/3.rs", "/src/evil.rs"),
            "edited",
            4,
        ),
        (
            "deleted",
            |l| {
                l.remove(2);
            },
            "deleted",
            3,
        ),
        ("reordered", |l| l.swap(1, 4), "reordered", 2),
        ("truncated", |l| l.truncate(4), "truncated", 4),
    ];
    for (what, edit, kind, line) in cases {
        let (code, report) = tamper_case(edit);
        assert_eq!(code, 1, "{what}: {report}");
        assert_eq!(report["intact"], false);
        let problems = report["problems"].as_array().expect("problems");
        assert!(
            problems
                .iter()
                .any(|p| p["kind"] == *kind && p["line"] == *line),
            "{what}: expected {kind} at line {line}: {report}"
        );
        if *what == "deleted" {
            assert!(
                problems.iter().all(|p| p["kind"] != "truncated"),
                "{report}"
            );
        }
    }
    let (code, report) = tamper_case(|_| {});
    assert_eq!((code, report["intact"].clone()), (0, json!(true)));
}

#[test]
fn parallel_hook_processes_keep_the_chain_valid() {
    let dir = project();
    let path = dir.path().to_path_buf();
    let workers: Vec<_> = (0..6)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                for i in 0..8 {
                    let p = payload("PostToolUse", &format!("s{w}"), json!({"tool_name": "Bash",
                        "tool_use_id": format!("t{w}-{i}"), "tool_input": {"command": "true"}, "tool_response": {}}));
                    assert_eq!(hook("PostToolUse", &p, &path, &[]).code, 0);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker");
    }
    let out = run(&["audit", "verify", "--json"], b"", dir.path(), &[]);
    let report: Value = serde_json::from_str(out.stdout.trim()).expect("json");
    assert_eq!(report["intact"], true, "{report}");
    assert_eq!(report["records"], 48);
    assert_eq!(lines(&state(dir.path(), "telemetry.jsonl")).len(), 48);
}

fn assistant(id: &str, model: &str, input: u64, output: u64) -> String {
    json!({"type": "assistant", "requestId": format!("req-{id}"), "timestamp": "2025-06-09T10:00:00Z",
           "message": {"id": id, "model": model, "usage": {"input_tokens": input, "output_tokens": output,
           "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}})
    .to_string()
}

fn write_lines(path: &Path, lines: &[String]) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let mut f = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open");
    for l in lines {
        writeln!(f, "{l}").expect("write");
    }
}

#[test]
fn cost_is_read_from_transcripts_at_turn_end() {
    let dir = project();
    let home = tempfile::tempdir().expect("tempdir");
    let transcript = home.path().join("projects/p/s-cost.jsonl");
    write_lines(
        &transcript,
        &[
            json!({"type": "user", "message": {"content": "go"}}).to_string(),
            assistant("m1", "claude-sonnet-4-5-20250929", 1_000_000, 0),
            assistant("m1", "claude-sonnet-4-5-20250929", 1_000_000, 0),
            assistant("m2", "claude-sonnet-4-5-20250929", 0, 100_000),
        ],
    );
    write_lines(
        &home
            .path()
            .join("projects/p/s-cost/subagents/agent-x.jsonl"),
        &[
            assistant("m3", "claude-haiku-4-5-20251001", 1_000_000, 0),
            assistant("m3", "claude-haiku-4-5-20251001", 1_000_000, 0),
        ],
    );
    let stop = payload(
        "Stop",
        "s-cost",
        json!({"transcript_path": transcript, "stop_hook_active": false}),
    );
    assert_eq!(hook("Stop", &stop, dir.path(), &[]).code, 0);
    // A second Stop with nothing new adds nothing.
    hook("Stop", &stop, dir.path(), &[]);

    let out = run(&["cost", "--by", "model", "--json"], b"", dir.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: Value = serde_json::from_str(out.stdout.trim()).expect("json");
    // sonnet: $3 input + 0.1 MTok * $15 = $4.50; haiku: $1.
    assert_eq!(report["total_usd"], "5.50", "{report}");
    let rows = report["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["key"], "claude-sonnet-4-5-20250929");
    assert_eq!(rows[0]["responses"], 2);
    assert_eq!(report["budget"]["spent"], "5.50");
    let table = run(&["cost", "--by", "session"], b"", dir.path(), &[]);
    assert!(
        table.stdout.contains("s-cost") && table.stdout.contains("5.5000"),
        "{}",
        table.stdout
    );
}

#[test]
fn an_exhausted_budget_blocks_all_but_reads_when_opted_in() {
    let dir = project();
    fs::create_dir(dir.path().join(".agentops")).expect("mkdir");
    fs::write(
        state(dir.path(), "budget.json"),
        r#"{"budget_usd": 1, "spent": 1.5, "warn_pct": 80}"#,
    )
    .expect("budget");
    let bash = payload(
        "PreToolUse",
        "s",
        json!({"tool_name": "Bash", "tool_input": {"command": "make"}}),
    );
    let read = payload(
        "PreToolUse",
        "s",
        json!({"tool_name": "Read", "tool_input": {"file_path": "/a"}}),
    );
    let env = [("AGENTOPS_BUDGET_USD", "")];
    // Not opted in: nothing happens.
    let out = hook("PreToolUse", &bash, dir.path(), &env);
    assert!(!out.stdout.contains("SPEND001"), "{}", out.stdout);
    fs::write(
        state(dir.path(), "flags.json"),
        r#"{"budget_enforcement_enabled": true}"#,
    )
    .expect("flags");
    let denied = hook("PreToolUse", &bash, dir.path(), &env)
        .json()
        .expect("answer");
    assert_eq!(
        denied["hookSpecificOutput"]["permissionDecision"], "deny",
        "{denied}"
    );
    assert!(denied.to_string().contains("SPEND001"));
    let allowed = hook("PreToolUse", &read, dir.path(), &env);
    assert!(!allowed.stdout.contains("SPEND001"), "{}", allowed.stdout);
}

/// The `rotel-agent` collector: `$ROTEL_AGENT`, `rotel-agent` on PATH, or
/// the binary inside the `rotel` Python package.
fn find_rotel() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("ROTEL_AGENT").map(std::path::PathBuf::from) {
        return p.is_file().then_some(p);
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let p = dir.join("rotel-agent");
            if p.is_file() {
                return Some(p);
            }
        }
    }
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import os, rotel; print(os.path.join(os.path.dirname(rotel.__file__), 'rotel-agent'))",
        ])
        .output()
        .ok()?;
    let p = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    (out.status.success() && p.is_file()).then_some(p)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

struct Collector(std::process::Child);

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !ready() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// A running `rotel-agent` printing what it receives (logs, traces and
/// metrics, in detail) to a file; killed when dropped.
struct RunningCollector {
    _child: Collector,
    endpoint: String,
    received: std::path::PathBuf,
}

impl RunningCollector {
    fn text(&self) -> String {
        fs::read_to_string(&self.received).unwrap_or_default()
    }
}

/// Start the real collector, or `None` (a visible skip) when it is not
/// installed outside CI.
fn start_collector(dir: &Path) -> Option<RunningCollector> {
    let Some(rotel) = find_rotel() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but rotel-agent is missing: `pip install rotel` (see .ci/run)"
        );
        eprintln!("SKIPPED: rotel-agent not found (pip install rotel)");
        return None;
    };
    let (http, grpc) = (free_port(), free_port());
    let received = dir.join("rotel.out");
    let sink = fs::File::create(&received).expect("collector output file");
    let child = std::process::Command::new(&rotel)
        .args(["start", "--exporter", "blackhole"])
        .args([
            "--debug-log",
            "logs",
            "--debug-log",
            "traces",
            "--debug-log",
            "metrics",
        ])
        .args(["--debug-log-verbosity", "detailed"])
        .arg("--otlp-http-endpoint")
        .arg(format!("127.0.0.1:{http}"))
        .arg("--otlp-grpc-endpoint")
        .arg(format!("127.0.0.1:{grpc}"))
        .arg("--pid-file")
        .arg(dir.join("rotel.pid"))
        .arg("--log-file")
        .arg(dir.join("rotel.log"))
        .stdout(sink.try_clone().expect("clone"))
        .stderr(sink)
        .spawn()
        .expect("start rotel-agent");
    let collector = Collector(child);
    wait_for("the collector to listen", || {
        std::net::TcpStream::connect(("127.0.0.1", http)).is_ok()
    });
    Some(RunningCollector {
        _child: collector,
        endpoint: format!("http://127.0.0.1:{http}"),
        received,
    })
}

/// A denied Bash call, and a Read that ran (two hook events, one span).
fn spool_two_calls(dir: &Path, session: &str) {
    for (event, extra) in [
        (
            "PreToolUse",
            json!({"tool_name": "Bash", "tool_use_id": format!("{session}-bash"), "tool_input": {"command": "rm -rf /"}}),
        ),
        (
            "PreToolUse",
            json!({"tool_name": "Read", "tool_use_id": format!("{session}-read"), "tool_input": {"file_path": "/tmp/a"}}),
        ),
        (
            "PostToolUse",
            json!({"tool_name": "Read", "tool_use_id": format!("{session}-read"), "tool_input": {"file_path": "/tmp/a"}, "tool_response": {}}),
        ),
    ] {
        let out = hook(
            event,
            &payload(event, session, extra),
            dir,
            &[("AGENTOPS_MODE", "standard")],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
}

/// The collector's printout of one resource block (logs, spans or
/// metrics) that names `needle`.
fn block_with<'a>(text: &'a str, header: &str, needle: &str) -> Option<&'a str> {
    text.split(header).find(|b| b.contains(needle))
}

#[test]
fn telemetry_reaches_a_real_otlp_collector_as_protobuf_once() {
    let dir = project();
    let Some(collector) = start_collector(dir.path()) else {
        return;
    };
    spool_two_calls(dir.path(), "s-proto");
    // Standard variables only, protobuf by default; the old alias points
    // nowhere and must lose.
    let env = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint.as_str()),
        ("OTLP_ENDPOINT", "http://127.0.0.1:9"),
        ("OTEL_SERVICE_NAME", "agents-under-test"),
        (
            "OTEL_RESOURCE_ATTRIBUTES",
            "deployment.environment=e2e,team=platform%20tools",
        ),
    ];
    let export = run(&["telemetry", "export"], b"", dir.path(), &env);
    assert_eq!(export.code, 0, "{}{}", export.stdout, export.stderr);
    assert!(
        export
            .stdout
            .contains("exported 3 log record(s), 2 span(s) and"),
        "{}",
        export.stdout
    );
    wait_for("logs, spans and metrics to arrive", || {
        let text = collector.text();
        text.contains("PostToolUse Read")
            && text.contains("execute_tool Read")
            && text.contains("agentops.denials")
    });
    let text = collector.text();
    let logs = block_with(&text, "ResourceLog #", "s-proto").expect("a log block");
    for expected in [
        "service.name: Str(agents-under-test)",
        "deployment.environment: Str(e2e)",
        "team: Str(platform tools)",
        "Body: Str(PreToolUse Bash deny)",
        "gen_ai.operation.name: Str(execute_tool)",
        "gen_ai.conversation.id: Str(s-proto)",
        "gen_ai.tool.name: Str(Bash)",
        "gen_ai.tool.call.id: Str(s-proto-bash)",
    ] {
        assert!(logs.contains(expected), "{expected} missing: {logs}");
    }
    let spans = block_with(&text, "ResourceSpans #", "execute_tool Read").expect("spans");
    assert!(
        spans.contains("execute_tool Bash") && spans.contains("STATUS_CODE_ERROR"),
        "{spans}"
    );
    let metrics = block_with(&text, "ResourceMetrics #", "agentops.tool.calls").expect("metrics");
    for expected in [
        "AGGREGATION_TEMPORALITY_CUMULATIVE",
        "IsMonotonic: true",
        "agentops.rule.id: Str(CMD001)",
        "service.name: Str(agents-under-test)",
    ] {
        assert!(metrics.contains(expected), "{expected} missing: {metrics}");
    }

    // Sent once: a second export has nothing new, and the collector saw
    // each log record once.
    let again = run(&["telemetry", "export"], b"", dir.path(), &env);
    assert!(again.stdout.contains("nothing new"), "{}", again.stdout);
    assert_eq!(
        collector
            .text()
            .matches("Body: Str(PreToolUse Bash deny)")
            .count(),
        1
    );
}

#[test]
fn telemetry_reaches_a_real_otlp_collector_as_json_through_the_old_names() {
    let dir = project();
    let Some(collector) = start_collector(dir.path()) else {
        return;
    };
    spool_two_calls(dir.path(), "s-json");
    let home = tempfile::tempdir().expect("tempdir");
    let transcript = home.path().join("projects/p/s-json.jsonl");
    write_lines(
        &transcript,
        &[assistant(
            "m1",
            "claude-sonnet-4-5-20250929",
            1_000_000,
            2_000,
        )],
    );
    let stop = payload("Stop", "s-json", json!({"transcript_path": transcript}));
    assert_eq!(hook("Stop", &stop, dir.path(), &[]).code, 0);
    let env = [
        ("OTLP_ENDPOINT", collector.endpoint.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
        ("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "delta"),
    ];
    let export = run(&["telemetry", "export"], b"", dir.path(), &env);
    assert_eq!(export.code, 0, "{}{}", export.stdout, export.stderr);
    wait_for("tokens and cost by model", || {
        collector.text().contains("agentops.cost")
    });
    let text = collector.text();
    let metrics = block_with(&text, "ResourceMetrics #", "agentops.token.usage").expect("metrics");
    for expected in [
        "AGGREGATION_TEMPORALITY_DELTA",
        "gen_ai.request.model: Str(claude-sonnet-4-5-20250929)",
        "gen_ai.token.type: Str(input)",
        "Value: 1000000",
        "gen_ai.token.type: Str(output)",
        "Value: 2000",
        "service.name: Str(agentops)",
    ] {
        assert!(metrics.contains(expected), "{expected} missing: {metrics}");
    }
    // $3 per million input tokens and $15 per million output tokens.
    assert!(metrics.contains("Value: 3.03"), "{metrics}");
    assert!(
        text.contains("gen_ai.conversation.id: Str(s-json)"),
        "{text}"
    );
}

#[test]
fn hooks_export_in_the_background_without_duplicates() {
    let dir = project();
    let Some(collector) = start_collector(dir.path()) else {
        return;
    };
    let path = dir.path().to_path_buf();
    let endpoint = collector.endpoint.clone();
    // Every hook is due (interval 0), from four parallel workers.
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (path, endpoint) = (path.clone(), endpoint.clone());
            std::thread::spawn(move || {
                for i in 0..3 {
                    let p = payload("PreToolUse", "s-bg", json!({"tool_name": "Read",
                        "tool_use_id": format!("bg-{w}-{i}"), "tool_input": {"file_path": "/tmp/a"}}));
                    let env = [
                        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
                        ("OTEL_METRIC_EXPORT_INTERVAL", "0"),
                    ];
                    let out = hook("PreToolUse", &p, &path, &env);
                    assert_eq!(out.code, 0, "{}", out.stderr);
                    assert!(out.stdout.is_empty() || out.json().is_some(), "{}", out.stdout);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker");
    }
    let ids: Vec<String> = (0..4)
        .flat_map(|w| (0..3).map(move |i| format!("gen_ai.tool.call.id: Str(bg-{w}-{i})\n")))
        .collect();
    wait_for("every hook's record to arrive", || {
        let text = collector.text();
        ids.iter().all(|id| text.contains(id.as_str()))
    });
    // Let any export still queued finish, then count.
    let spool = state(dir.path(), "telemetry.jsonl");
    wait_for("the offset to reach the end of the spool", || {
        let saved: Value = fs::read(state(dir.path(), "telemetry-export.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        fs::metadata(&spool).is_ok_and(|m| saved["offset"] == m.len())
    });
    std::thread::sleep(std::time::Duration::from_millis(500));
    let text = collector.text();
    for id in &ids {
        assert_eq!(
            text.matches(id.as_str()).count(),
            1,
            "{id} sent once: {text}"
        );
    }
    assert!(
        !state(dir.path(), "telemetry-export.log").exists(),
        "a background export failed: {:?}",
        fs::read_to_string(state(dir.path(), "telemetry-export.log"))
    );
    // Without a configured exporter no hook starts one.
    let quiet = project();
    let p = payload(
        "PreToolUse",
        "s-none",
        json!({"tool_name": "Read", "tool_use_id": "n1", "tool_input": {"file_path": "/a"}}),
    );
    hook(
        "PreToolUse",
        &p,
        quiet.path(),
        &[("OTEL_METRIC_EXPORT_INTERVAL", "0")],
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!state(quiet.path(), "telemetry-export.json").exists());
    assert!(!state(quiet.path(), "telemetry-export.stamp").exists());
}

#[test]
fn telemetry_export_refuses_cleartext_to_remote_hosts() {
    let dir = project();
    let out = run(
        &["telemetry", "export"],
        b"",
        dir.path(),
        &[("OTLP_ENDPOINT", "http://collector.example.com:4318")],
    );
    assert_eq!(out.code, 64);
    assert!(out.stderr.contains("loopback"), "{}", out.stderr);
    let none = run(
        &["telemetry", "export", "--quiet"],
        b"",
        dir.path(),
        &[("OTLP_ENDPOINT", ""), ("OTEL_EXPORTER_OTLP_ENDPOINT", "")],
    );
    assert_eq!((none.code, none.stdout.as_str()), (0, ""));
    let grpc = run(
        &["telemetry", "export"],
        b"",
        dir.path(),
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ],
    );
    assert_eq!(grpc.code, 64, "{}", grpc.stderr);
    assert!(
        grpc.stderr.contains("grpc is not supported"),
        "{}",
        grpc.stderr
    );
    let signal = run(
        &["telemetry", "export"],
        b"",
        dir.path(),
        &[(
            "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
            "http://collector.example.com/v1/logs",
        )],
    );
    assert_eq!(
        signal.code, 64,
        "the per-signal URL is checked too: {}",
        signal.stderr
    );
    let disabled = run(
        &["telemetry", "export"],
        b"",
        dir.path(),
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"),
            ("OTEL_SDK_DISABLED", "true"),
        ],
    );
    assert_eq!(disabled.code, 0, "{}", disabled.stderr);
    assert!(
        disabled.stdout.contains("OTEL_SDK_DISABLED"),
        "{}",
        disabled.stdout
    );
    let both = run(
        &["telemetry", "export", "--background", "--dry-run"],
        b"",
        dir.path(),
        &[],
    );
    assert_eq!(both.code, 64, "{}", both.stderr);
}

/// A one-shot HTTP server on loopback: answers each of `answers` to one
/// request in turn and hands back the requests it read.
fn fake_collector(answers: Vec<String>) -> (u16, std::thread::JoinHandle<Vec<String>>) {
    use std::io::{BufRead, BufReader, Read};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("addr").port();
    let server = std::thread::spawn(move || {
        let mut requests = Vec::new();
        for answer in answers {
            let (stream, _) = listener.accept().expect("accept");
            stream
                .set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .expect("timeout");
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut head = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).expect("read") == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().expect("length");
                }
                head.push_str(&line);
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).expect("body");
            requests.push(head + &String::from_utf8_lossy(&body));
            let mut stream = stream;
            stream.write_all(answer.as_bytes()).expect("answer");
        }
        requests
    });
    (port, server)
}

#[test]
fn telemetry_export_keeps_refused_records_for_the_next_run() {
    let dir = project();
    hook(
        "PreToolUse",
        &payload(
            "PreToolUse",
            "s-refused",
            json!({"tool_name": "Read", "tool_use_id": "t1", "tool_input": {"file_path": "/a"}}),
        ),
        dir.path(),
        &[],
    );
    let refuse = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 10\r\nConnection: close\r\n\r\noverloaded";
    let moved = "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:9/v1/logs\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    let accept = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
    let (port, server) = fake_collector(vec![
        refuse.into(),
        moved.into(),
        accept.into(),
        accept.into(),
    ]);
    let endpoint = format!("http://127.0.0.1:{port}/");
    let env = [
        ("OTLP_ENDPOINT", endpoint.as_str()),
        ("OTLP_AUTH_TOKEN", "tok-123"),
        (
            "OTEL_EXPORTER_OTLP_HEADERS",
            "x-tenant=team%20a,x-api-key=k1",
        ),
        // Never used: the export connects to the endpoint itself.
        ("HTTP_PROXY", "http://127.0.0.1:9"),
        ("ALL_PROXY", "http://127.0.0.1:9"),
    ];
    let export = || run(&["telemetry", "export"], b"", dir.path(), &env);

    let refused = export();
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    assert!(
        refused
            .stderr
            .contains("/v1/logs: the collector answered 503: overloaded"),
        "{}",
        refused.stderr
    );
    let redirected = export();
    assert_eq!(redirected.code, 1, "a redirect is not an acceptance");
    assert!(
        redirected.stderr.contains("answered 307"),
        "{}",
        redirected.stderr
    );
    let accepted = export();
    assert_eq!(accepted.code, 0, "{}", accepted.stderr);
    assert!(
        accepted
            .stdout
            .contains("exported 1 log record(s), 0 span(s) and 1 metric point(s)"),
        "{}",
        accepted.stdout
    );

    let requests = server.join().expect("server");
    assert_eq!(requests.len(), 4);
    for (i, r) in requests.iter().enumerate() {
        let lower = r.to_ascii_lowercase();
        let path = if i < 3 { "/v1/logs" } else { "/v1/metrics" };
        assert!(r.starts_with(&format!("POST {path} HTTP/1.1\r\n")), "{r}");
        assert!(lower.contains("authorization: bearer tok-123"), "{r}");
        assert!(lower.contains("x-tenant: team a"), "{r}");
        assert!(lower.contains("x-api-key: k1"), "{r}");
        assert!(
            lower.contains("content-type: application/x-protobuf"),
            "{r}"
        );
        if i < 3 {
            assert!(r.contains("s-refused"), "the same record every time: {r}");
        }
    }
    let saved: Value = serde_json::from_slice(
        &fs::read(state(dir.path(), "telemetry-export.json")).expect("export state"),
    )
    .expect("json");
    let spool = fs::metadata(state(dir.path(), "telemetry.jsonl")).expect("spool");
    assert_eq!(saved["offset"], spool.len());
    assert_eq!(saved["pending"].as_object().map(|p| p.len()), Some(1));
}
