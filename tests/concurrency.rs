//! Claude Code runs the hooks of one event in parallel, and several agents
//! can share a project. These tests start 64 `agentops hook` processes at
//! the same instant on one project and check that the shared state under
//! `.agentops/` comes out whole: every log line is valid JSON, no record is
//! lost or duplicated, the audit hash chain verifies, and counters and
//! line sets are exact.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use agentops_records::chain;
use serde_json::{json, Value};

const PROCESSES: usize = 64;

/// Start one hook process per payload, all blocked on stdin, then release
/// them together so their runs overlap, and collect every answer.
fn run_together(event: &str, payloads: &[Value], project: &Path) -> Vec<common::Output> {
    let mut children: Vec<Child> = payloads
        .iter()
        .map(|_| {
            Command::new(common::BIN)
                .args(["hook", event])
                .current_dir(project)
                .env_remove("AGENTOPS_MODE")
                .env_remove("AGENTOPS_FAULT")
                .env_remove("CLAUDE_PLUGIN_ROOT")
                .env("CLAUDE_PROJECT_DIR", project)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn agentops")
        })
        .collect();
    // Every process is up and waiting on its stdin; hand out the payloads
    // back to back so they all read, decide and write at the same time.
    let stdins: Vec<_> = children
        .iter_mut()
        .map(|c| c.stdin.take().expect("stdin"))
        .collect();
    for (mut stdin, payload) in stdins.into_iter().zip(payloads) {
        stdin
            .write_all(payload.to_string().as_bytes())
            .expect("write payload");
    }
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().expect("wait");
            common::Output {
                code: out.status.code().unwrap_or(-1),
                stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            }
        })
        .collect()
}

/// Every line of a JSONL log, each parsed; fails on a torn or invalid line.
fn jsonl(project: &Path, log: &str) -> Vec<Value> {
    let path = project.join(".agentops").join(log);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(text.ends_with('\n'), "{log} does not end with a newline");
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str::<Value>(line)
                .unwrap_or_else(|e| panic!("{log} line {} is not JSON ({e}): {line}", i + 1))
        })
        .collect()
}

/// How often each value of `field` occurs in the records.
fn tally<'a>(records: &'a [Value], field: &str) -> BTreeMap<&'a str, usize> {
    let mut counts = BTreeMap::new();
    for r in records {
        let v = r[field]
            .as_str()
            .unwrap_or_else(|| panic!("record without `{field}`: {r}"));
        *counts.entry(v).or_insert(0) += 1;
    }
    counts
}

fn assert_each_once(records: &[Value], field: &str, expected: &BTreeSet<String>, log: &str) {
    let counts = tally(records, field);
    let seen: BTreeSet<String> = counts.keys().map(|k| k.to_string()).collect();
    assert_eq!(&seen, expected, "{log}: records lost or invented");
    let repeated: Vec<_> = counts.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        repeated.is_empty(),
        "{log}: duplicated records {repeated:?}"
    );
}

fn assert_all_answered(outputs: &[common::Output], event: &str) {
    for (i, out) in outputs.iter().enumerate() {
        assert_eq!(
            out.code, 0,
            "{event} process {i} exited {}: {}",
            out.code, out.stderr
        );
        // At most one JSON object, on one line.
        let _ = out.json();
    }
}

/// The chain must verify through the library and through
/// `agentops audit verify`, with the expected number of records.
fn assert_chain_intact(project: &Path, expected_records: u64) {
    let dir = project.join(".agentops");
    let log = std::fs::read_to_string(dir.join("audit.jsonl")).expect("audit log");
    let head_bytes = std::fs::read(dir.join("audit.jsonl.head")).expect("audit head");
    let head = chain::Head::parse(&head_bytes).expect("head parses");
    assert_eq!(head.count, expected_records, "head count");
    let report = chain::verify(&log, Some(&head));
    assert!(report.is_intact(), "chain broken: {:?}", report.problems);
    assert_eq!(report.records, expected_records);

    let cli = common::run(&["audit", "verify"], b"", project, &[]);
    assert_eq!(
        cli.code, 0,
        "agentops audit verify: {}{}",
        cli.stdout, cli.stderr
    );
    assert!(
        cli.stdout
            .contains(&format!("{expected_records} chained record")),
        "{}",
        cli.stdout
    );
}

fn post_write(project: &Path, i: usize) -> Value {
    let path = project.join("src").join(format!("module_{i:02}.rs"));
    json!({
        "session_id": "concurrency",
        "transcript_path": project.join("transcript.jsonl"),
        "cwd": project,
        "permission_mode": "default",
        "hook_event_name": "PostToolUse",
        "tool_name": "Write",
        "tool_use_id": format!("toolu_write_{i:02}"),
        "tool_input": {"file_path": path, "content": format!("pub fn f{i}() {{}}\n")},
        "tool_response": {"filePath": path, "success": true},
    })
}

fn pre_read(project: &Path, i: usize) -> Value {
    json!({
        "session_id": "concurrency",
        "cwd": project,
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": "Read",
        "tool_use_id": format!("toolu_read_{i:02}"),
        "tool_input": {"file_path": project.join("src").join(format!("module_{i:02}.rs"))},
    })
}

fn post_failure(project: &Path, i: usize) -> Value {
    json!({
        "session_id": "concurrency",
        "cwd": project,
        "permission_mode": "default",
        "hook_event_name": "PostToolUseFailure",
        "tool_name": "Bash",
        "tool_use_id": format!("toolu_fail_{i:02}"),
        "tool_input": {"command": format!("cargo test case_{i:02}")},
        "error": format!("test case_{i:02} failed"),
        "is_interrupt": false,
    })
}

fn ids(prefix: &str) -> BTreeSet<String> {
    (0..PROCESSES).map(|i| format!("{prefix}{i:02}")).collect()
}

#[test]
fn sixty_four_parallel_post_tool_use_hooks_lose_and_tear_nothing() {
    let dir = common::project();
    let project = dir.path();
    std::fs::create_dir(project.join("src")).expect("mkdir src");
    for i in 0..PROCESSES {
        let p = project.join("src").join(format!("module_{i:02}.rs"));
        std::fs::write(p, format!("pub fn f{i}() {{}}\n")).expect("write source");
    }
    let payloads: Vec<Value> = (0..PROCESSES).map(|i| post_write(project, i)).collect();
    let outputs = run_together("PostToolUse", &payloads, project);
    assert_all_answered(&outputs, "PostToolUse");

    let written = ids("toolu_write_");
    let audit = jsonl(project, "audit.jsonl");
    assert_eq!(audit.len(), PROCESSES, "audit records");
    assert_each_once(&audit, "tool_use_id", &written, "audit.jsonl");
    assert_chain_intact(project, PROCESSES as u64);

    let telemetry = jsonl(project, "telemetry.jsonl");
    assert_eq!(telemetry.len(), PROCESSES, "telemetry records");
    assert_each_once(&telemetry, "tool_use_id", &written, "telemetry.jsonl");

    let provenance = jsonl(project, "provenance.jsonl");
    assert_eq!(provenance.len(), PROCESSES, "provenance records");
    assert_each_once(&provenance, "tool_use_id", &written, "provenance.jsonl");

    // The integrity manifest: one record per written file, with its hash.
    let integrity = jsonl(project, "integrity.jsonl");
    let files: BTreeSet<String> = (0..PROCESSES)
        .map(|i| format!("src/module_{i:02}.rs"))
        .collect();
    assert_each_once(&integrity, "path", &files, "integrity.jsonl");
    for r in &integrity {
        let sha = r["sha256"].as_str().expect("sha256");
        assert_eq!(sha.len(), 64, "{r}");
    }

    // Line sets updated read-modify-write under a lock: all 64 files, once.
    let tracked = std::fs::read_to_string(project.join(".agentops/code-files-since-test.txt"))
        .expect("auto-test tracker");
    let lines: Vec<&str> = tracked.lines().filter(|l| !l.is_empty()).collect();
    let distinct: BTreeSet<&str> = lines.iter().copied().collect();
    assert_eq!(lines.len(), PROCESSES, "tracker lines: {tracked}");
    assert_eq!(distinct.len(), PROCESSES, "tracker duplicates: {tracked}");
}

#[test]
fn sixty_four_parallel_gates_count_exactly_and_chain_with_earlier_records() {
    let dir = common::project();
    let project = dir.path();
    std::fs::create_dir(project.join("src")).expect("mkdir src");

    // Observation calls without a plan: star-gate's grace counter is a
    // locked read-modify-write, so 64 parallel reads count to exactly 64.
    let reads: Vec<Value> = (0..PROCESSES).map(|i| pre_read(project, i)).collect();
    let outputs = run_together("PreToolUse", &reads, project);
    assert_all_answered(&outputs, "PreToolUse");
    for out in &outputs {
        let decision = out.json().and_then(|v| {
            v["hookSpecificOutput"]["permissionDecision"]
                .as_str()
                .map(String::from)
        });
        assert_eq!(decision, None, "a plain Read was gated: {}", out.stdout);
    }
    let counter = std::fs::read_to_string(project.join(".agentops/star-obs-count"))
        .expect("star-gate counter");
    assert_eq!(
        counter.trim(),
        PROCESSES.to_string(),
        "lost counter updates"
    );

    // A second wave on the same logs: failures, appended to the same chain.
    let failures: Vec<Value> = (0..PROCESSES).map(|i| post_failure(project, i)).collect();
    let outputs = run_together("PostToolUseFailure", &failures, project);
    assert_all_answered(&outputs, "PostToolUseFailure");

    let failed = jsonl(project, "failures.jsonl");
    assert_eq!(failed.len(), PROCESSES, "failure records");
    for r in &failed {
        assert!(r.is_object(), "{r}");
    }

    let audit = jsonl(project, "audit.jsonl");
    assert_eq!(audit.len(), 2 * PROCESSES, "audit records");
    let mut expected = ids("toolu_read_");
    expected.extend(ids("toolu_fail_"));
    assert_each_once(&audit, "tool_use_id", &expected, "audit.jsonl");
    assert_chain_intact(project, 2 * PROCESSES as u64);

    let telemetry = jsonl(project, "telemetry.jsonl");
    assert_each_once(&telemetry, "tool_use_id", &expected, "telemetry.jsonl");
}
