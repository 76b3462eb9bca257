//! The session's invisible-Unicode scan runs in the background: session
//! start returns without scanning, the next prompt or tool result reports
//! what the scan found, exactly once, and a file changed since the last
//! scan is always read again.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn hook(project: &Path, event: &str, payload: Value) -> String {
    let mut child = Command::new(common::BIN)
        .args(["hook", event])
        .current_dir(project)
        .env("CLAUDE_PROJECT_DIR", project)
        .env_remove("AGENTOPS_MODE")
        .env_remove("CLAUDE_PLUGIN_ROOT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn agentops");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(payload.to_string().as_bytes())
            .expect("write payload");
    }
    let out = child.wait_with_output().expect("agentops runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn session_start(project: &Path) -> String {
    hook(
        project,
        "SessionStart",
        json!({"session_id": "s", "cwd": project, "hook_event_name": "SessionStart", "source": "startup"}),
    )
}

fn prompt(project: &Path) -> String {
    hook(
        project,
        "UserPromptSubmit",
        json!({"session_id": "s", "cwd": project, "hook_event_name": "UserPromptSubmit", "prompt": "carry on"}),
    )
}

/// Wait for the background scan to leave its report (it runs in its own
/// process; on a loaded machine that can take a while).
fn wait_for_report(project: &Path) -> String {
    let report = project.join(".agentops/unicode-scan-report.json");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        // The report is written atomically: once there, it is whole. The
        // scan lock is released when the process exits.
        if let Ok(text) = std::fs::read_to_string(&report) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "no background scan report after 60 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn session_start_does_not_scan_and_the_next_prompt_reports_once() {
    let dir = common::project();
    let p = dir.path();
    std::fs::create_dir_all(p.join("src")).expect("mkdir");
    std::fs::write(p.join("src/evil.js"), "let b = '\u{202E}x';\n").expect("write");
    std::fs::write(p.join("src/clean.js"), "let a = 1;\n").expect("write");

    let start = session_start(p);
    assert!(!start.contains("UNI004"), "{start}");
    let report = wait_for_report(p);
    assert!(report.contains("src/evil.js"), "{report}");

    let first = prompt(p);
    assert!(first.contains("UNI004"), "{first}");
    assert!(first.contains("src/evil.js"), "{first}");
    assert!(!first.contains("clean.js"), "{first}");
    let second = prompt(p);
    assert!(!second.contains("UNI004"), "said twice: {second}");
}

#[test]
fn parallel_hooks_deliver_the_report_exactly_once() {
    let dir = common::project();
    let p = dir.path().to_path_buf();
    std::fs::write(p.join("notes.md"), "zero\u{200B}width\n").expect("write");
    session_start(&p);
    wait_for_report(&p);
    let answers: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8)
            .map(|i| {
                let p = p.clone();
                scope.spawn(move || {
                    if i % 2 == 0 {
                        prompt(&p)
                    } else {
                        hook(
                            &p,
                            "PostToolUse",
                            json!({"session_id": "s", "cwd": p, "hook_event_name": "PostToolUse",
                                   "tool_name": "Read", "tool_input": {"file_path": p.join("README")},
                                   "tool_response": {"type": "text"}}),
                        )
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .collect()
    });
    let told = answers.iter().filter(|a| a.contains("UNI004")).count();
    assert_eq!(told, 1, "{answers:#?}");
}

#[test]
fn a_file_changed_since_the_last_scan_is_read_again() {
    let dir = common::project();
    let p = dir.path();
    let file = p.join("lib.rs");
    // Three bytes either way: the edit keeps the size.
    std::fs::write(&file, "abc").expect("write");
    session_start(p);
    let clean = wait_for_report(p);
    assert!(!clean.contains("lib.rs"), "{clean}");
    assert!(!prompt(p).contains("UNI004"));
    assert!(p.join(".agentops/unicode-scan-cache.json").is_file());

    std::fs::write(&file, "\u{200B}").expect("rewrite");
    session_start(p);
    let dirty = wait_for_report(p);
    assert!(dirty.contains("lib.rs"), "{dirty}");
    assert!(prompt(p).contains("UNI004"));
}
