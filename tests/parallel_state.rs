//! Claude Code runs matching hooks in parallel, so the workflow state
//! (counters, trackers, logs, markers) must stay exact when many agentops
//! processes update it at once. Each test starts 32 hook processes before
//! feeding any of them, then checks the counts.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

const PROCESSES: usize = 32;

fn spawn(project: &Path, args: &[&str]) -> Child {
    Command::new(common::BIN)
        .args(args)
        .current_dir(project)
        .env_remove("AGENTOPS_MODE")
        .env_remove("AGENTOPS_FAULT")
        .env_remove("AGENTOPS_BUDGET_USD")
        .env_remove("AGENTOPS_BUDGET_WARN_PCT")
        .env("CLAUDE_PROJECT_DIR", project)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn agentops")
}

/// Start every process first (each waits on stdin), then release them all
/// by writing their payloads, then wait for all; their stdouts.
fn run_all(project: &Path, jobs: Vec<(Vec<&str>, Value)>) -> Vec<String> {
    let mut children: Vec<(Child, Value)> = jobs
        .into_iter()
        .map(|(args, payload)| (spawn(project, &args), payload))
        .collect();
    for (child, payload) in &mut children {
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(payload.to_string().as_bytes())
            .expect("write payload");
    }
    children
        .into_iter()
        .map(|(child, _)| {
            let out = child.wait_with_output().expect("wait");
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        })
        .collect()
}

#[test]
fn once_per_session_nudges_are_sent_exactly_once_by_parallel_hooks() {
    let dir = common::project();
    let root = dir.path().to_string_lossy().into_owned();
    let state_dir = dir.path().join(".agentops");
    std::fs::create_dir_all(&state_dir).expect("mkdir");
    // Enough source files already changed that every one of the parallel
    // writes below qualifies for both nudges, and none was sent yet: each
    // process reads "not sent" before any of them writes the marker.
    let earlier: String = (0..5).map(|i| format!("{root}/src/old{i}.rs\n")).collect();
    std::fs::write(state_dir.join("code-files-since-test.txt"), &earlier).expect("seed");
    std::fs::write(state_dir.join("modified-files.txt"), &earlier).expect("seed");
    let jobs = (0..PROCESSES)
        .map(|i| {
            let payload = json!({"hook_event_name": "PostToolUse", "session_id": "s",
                "tool_name": "Write", "tool_response": {"success": true},
                "tool_input": {"file_path": format!("{root}/src/new{i}.rs"), "content": "x"}});
            (vec!["hook", "PostToolUse"], payload)
        })
        .collect();
    let outputs = run_all(dir.path(), jobs);
    let said = |rule: &str| outputs.iter().filter(|o| o.contains(rule)).count();
    assert_eq!(said("[TEST001]"), 1, "run-the-tests nudges: {outputs:#?}");
    assert_eq!(said("[DELEG001]"), 1, "review requests: {outputs:#?}");
    assert!(state_dir.join("test-nudge-sent").is_file());
    assert!(state_dir.join("delegate-sent").is_file());
}

fn state(project: &Path, name: &str) -> String {
    std::fs::read_to_string(project.join(".agentops").join(name)).unwrap_or_default()
}

fn read_call(i: usize) -> Value {
    json!({"hook_event_name": "PreToolUse", "session_id": "s", "tool_name": "Read",
           "tool_input": {"file_path": format!("/src/file{i}.rs")}})
}

#[test]
fn observation_counter_counts_every_parallel_call() {
    let dir = common::project();
    let jobs = (0..PROCESSES)
        .map(|i| {
            (
                vec!["hook", "PreToolUse", "--only", "star-gate"],
                read_call(i),
            )
        })
        .collect();
    let _ = run_all(dir.path(), jobs);
    assert_eq!(
        state(dir.path(), "star-obs-count").trim(),
        PROCESSES.to_string()
    );
}

#[test]
fn modified_files_tracker_keeps_each_file_exactly_once() {
    let dir = common::project();
    std::fs::create_dir_all(dir.path().join("tasks")).expect("mkdir");
    std::fs::write(dir.path().join("tasks/todo.md"), "- [ ] the plan\n").expect("plan");
    let root = dir.path().to_string_lossy().into_owned();
    // 32 writes of 8 distinct files, 4 processes per file, all at once.
    let jobs = (0..PROCESSES)
        .map(|i| {
            // Recorded once the write ran (PostToolUse).
            let payload = json!({"hook_event_name": "PostToolUse", "tool_name": "Write",
                "tool_input": {"file_path": format!("{root}/src/m{}.rs", i % 8), "content": "x"},
                "tool_response": {"success": true}});
            (vec!["hook", "PostToolUse", "--only", "auto-plan"], payload)
        })
        .collect();
    let _ = run_all(dir.path(), jobs);
    let tracked = state(dir.path(), "modified-files.txt");
    let mut lines: Vec<&str> = tracked.lines().collect();
    assert_eq!(lines.len(), 8, "{tracked}");
    lines.sort_unstable();
    lines.dedup();
    assert_eq!(lines.len(), 8, "{tracked}");
}

#[test]
fn every_event_at_once_loses_no_count_and_tears_no_record() {
    let dir = common::project();
    let root = dir.path().to_string_lossy().into_owned();
    let mut jobs: Vec<(Vec<&str>, Value)> = Vec::new();
    for i in 0..PROCESSES {
        // All policies, as Claude Code wires them: reads, failures and
        // source writes interleaved.
        jobs.push((vec!["hook", "PreToolUse"], read_call(i)));
        jobs.push((
            vec!["hook", "PostToolUseFailure"],
            json!({"hook_event_name": "PostToolUseFailure", "session_id": "s", "tool_name": "Bash",
                   "tool_input": {"command": format!("make target{i}")}, "error": format!("exit {i}")}),
        ));
        jobs.push((
            vec!["hook", "PostToolUse"],
            json!({"hook_event_name": "PostToolUse", "tool_name": "Edit",
                   "tool_input": {"file_path": format!("{root}/src/e{i}.ts"), "old_string": "a", "new_string": "b"},
                   "tool_response": {"success": true}}),
        ));
    }
    let _ = run_all(dir.path(), jobs);
    assert_eq!(
        state(dir.path(), "star-obs-count").trim(),
        PROCESSES.to_string()
    );
    let failures = state(dir.path(), "failures.jsonl");
    assert_eq!(failures.lines().count(), PROCESSES, "{failures}");
    for line in failures.lines() {
        let record: Value = serde_json::from_str(line).expect("whole JSON record per line");
        assert_eq!(record["tool"], "Bash");
    }
    let since_test = state(dir.path(), "code-files-since-test.txt");
    assert_eq!(since_test.lines().count(), PROCESSES, "{since_test}");
    // Decisions read a snapshot, so inside the burst the nudge may or may
    // not have fired; the exact count guarantees the next write sees it.
    let nudged_in_burst = !state(dir.path(), "test-nudge-sent").is_empty();
    let next = json!({"hook_event_name": "PostToolUse", "tool_name": "Edit",
        "tool_input": {"file_path": format!("{root}/src/last.ts"), "old_string": "a", "new_string": "b"}});
    let out = common::run(
        &["hook", "PostToolUse", "--only", "auto-test"],
        next.to_string().as_bytes(),
        dir.path(),
        &[],
    );
    let said = out.json().map(|v| v.to_string()).unwrap_or_default();
    assert_eq!(said.contains("33 source files"), !nudged_in_burst, "{said}");
    assert!(state(dir.path(), "test-nudge-sent").trim().ends_with('Z'));
}

#[test]
fn parallel_session_starts_create_shared_files_once() {
    let dir = common::project();
    std::fs::create_dir_all(dir.path().join("tasks")).expect("mkdir");
    std::fs::write(dir.path().join("tasks/lessons.md"), "# Lessons Learned\n").expect("lessons");
    let jobs = (0..PROCESSES)
        .map(|_| {
            (
                vec!["hook", "SessionStart"],
                json!({"hook_event_name": "SessionStart", "source": "startup"}),
            )
        })
        .collect();
    let _ = run_all(dir.path(), jobs);
    let budget: Value =
        serde_json::from_str(&state(dir.path(), "budget.json")).expect("one whole budget file");
    assert_eq!(budget["spent"], 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("tasks/.gitignore")).expect("gitignore"),
        "*\n"
    );
    assert!(state(dir.path(), "session-start").trim().ends_with('Z'));
}
