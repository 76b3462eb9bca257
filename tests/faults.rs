//! Faults in the environment, against the built binary: a `.agentops/`
//! that is missing, not a directory, read-only or on a full disk; corrupt
//! flags, integrity manifest and audit log; a transcript still being
//! written. In every case the process exits 0, says what went wrong in
//! words a user can act on, and still enforces security decisions.
//!
//! A full disk is produced two ways: a 64 KiB tmpfs mounted over
//! `.agentops/` when the test may mount (root; required under `CI`), and,
//! everywhere, logs that are symlinks to `/dev/full`, whose every write
//! fails with ENOSPC through the same system calls.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use agentops_records::chain;
use serde_json::{json, Value};

fn bash(project: &Path, command: &str) -> Value {
    json!({
        "session_id": "faults",
        "cwd": project,
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_use_id": "toolu_bash",
        "tool_input": {"command": command},
    })
}

fn post_write(project: &Path, name: &str, id: &str) -> Value {
    let path = project.join(name);
    json!({
        "session_id": "faults",
        "cwd": project,
        "permission_mode": "default",
        "hook_event_name": "PostToolUse",
        "tool_name": "Write",
        "tool_use_id": id,
        "tool_input": {"file_path": path, "content": "pub fn f() {}\n"},
        "tool_response": {"filePath": path, "success": true},
    })
}

fn decision(out: &common::Output) -> Option<String> {
    out.json().and_then(|v| {
        v["hookSpecificOutput"]["permissionDecision"]
            .as_str()
            .map(String::from)
    })
}

fn system_message(out: &common::Output) -> String {
    out.json()
        .and_then(|v| v["systemMessage"].as_str().map(String::from))
        .unwrap_or_default()
}

/// A dangerous command is still denied by its rule, a harmless one is not
/// gated, and lifecycle events still answer: the state problem never turns
/// into a crash or a block of its own.
fn assert_security_holds(project: &Path, env: &[(&str, &str)]) -> Vec<String> {
    let mut messages = Vec::new();
    let out = common::hook("PreToolUse", &bash(project, "rm -rf ~/"), project, env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(decision(&out).as_deref(), Some("deny"), "{}", out.stdout);
    assert!(out.stdout.contains("[CMD001]"), "{}", out.stdout);
    messages.push(system_message(&out));

    let out = common::hook("PreToolUse", &bash(project, "git status"), project, env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(decision(&out), None, "harmless call gated: {}", out.stdout);
    messages.push(system_message(&out));

    let out = common::hook(
        "PostToolUse",
        &post_write(project, "lib.rs", "toolu_w"),
        project,
        env,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.json().is_none_or(|v| v.get("decision").is_none()),
        "PostToolUse blocked: {}",
        out.stdout
    );
    messages.push(system_message(&out));
    messages
}

/// Every line of a log parses as JSON.
fn assert_jsonl(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("log readable");
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{} line {}: {e}: {l}", path.display(), i + 1))
        })
        .collect()
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

/// A tmpfs mounted for the length of a test; unmounted on drop.
struct Mount(PathBuf);

impl Mount {
    /// Mount a tmpfs with `options` at `dir`, or explain why not. Under
    /// `CI` not being able to is a failure, as for the other tests that
    /// need a part of the system.
    fn tmpfs(dir: &Path, options: &str) -> Option<Mount> {
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir)
            .status();
        match status {
            Ok(s) if s.success() => Some(Mount(dir.to_path_buf())),
            other => {
                let why = format!("cannot mount a tmpfs ({other:?}; root is needed)");
                assert!(std::env::var_os("CI").is_none(), "{why}");
                eprintln!("skipping the mounted variant: {why}");
                None
            }
        }
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_missing_state_directory_is_created_with_its_gitignore() {
    let dir = common::project();
    let messages = assert_security_holds(dir.path(), &[]);
    assert!(messages.iter().all(String::is_empty), "{messages:?}");
    let state = dir.path().join(".agentops");
    assert_eq!(
        std::fs::read_to_string(state.join(".gitignore")).expect(".gitignore"),
        "*\n"
    );
    assert_eq!(assert_jsonl(&state.join("audit.jsonl")).len(), 3);
}

#[test]
fn a_project_directory_that_cannot_exist_still_gets_decisions() {
    let dir = common::project();
    // A path below a regular file: neither it nor .agentops can be created.
    std::fs::write(dir.path().join("plain-file"), "x").expect("write");
    let impossible = dir.path().join("plain-file").join("project");
    let env = [("CLAUDE_PROJECT_DIR", impossible.to_str().expect("utf-8"))];
    let messages = assert_security_holds(dir.path(), &env);
    for m in &messages {
        assert!(
            m.contains("could not append to .agentops/audit.jsonl"),
            "the failed write is not named: {m}"
        );
        assert!(m.contains("Not a directory"), "the cause is not given: {m}");
    }
}

#[test]
fn a_state_path_that_is_a_file_is_reported_not_fatal() {
    let dir = common::project();
    std::fs::write(dir.path().join(".agentops"), "not a directory").expect("write");
    let messages = assert_security_holds(dir.path(), &[]);
    for m in &messages {
        assert!(m.contains(".agentops/flags.json"), "{m}");
        assert!(
            m.contains("could not append to .agentops/audit.jsonl"),
            "{m}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".agentops")).expect("read"),
        "not a directory",
        "the file in the way was overwritten"
    );
}

#[test]
fn a_read_only_state_directory_keeps_its_flags_and_reports_writes() {
    let dir = common::project();
    let state = dir.path().join(".agentops");
    std::fs::create_dir(&state).expect("mkdir");
    // Blocking mode, readable but not writable: it must still apply.
    let flags = br#"{"enforcement_mode":"blocking"}"#;
    let _mount = if is_root() {
        // Permission bits do not stop root: mount a read-only tmpfs instead.
        let staging = dir.path().join("staging");
        std::fs::create_dir(&staging).expect("mkdir");
        let Some(rw) = Mount::tmpfs(&staging, "size=64k") else {
            return;
        };
        std::fs::write(staging.join("flags.json"), flags).expect("flags");
        std::fs::write(staging.join(".gitignore"), "*\n").expect("gitignore");
        let bind = Command::new("mount")
            .args(["--bind", "-o", "ro"])
            .arg(&staging)
            .arg(&state)
            .status()
            .expect("mount --bind");
        assert!(bind.success(), "bind mount failed");
        let ro = Mount(state.clone());
        // Some kernels ignore `ro` on the first bind; remount to be sure.
        let remount = Command::new("mount")
            .args(["-o", "remount,bind,ro"])
            .arg(&state)
            .status()
            .expect("remount");
        assert!(remount.success(), "read-only remount failed");
        Some((ro, rw))
    } else {
        std::fs::write(state.join("flags.json"), flags).expect("flags");
        std::fs::write(state.join(".gitignore"), "*\n").expect("gitignore");
        let mut perms = std::fs::metadata(&state).expect("meta").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o555);
        std::fs::set_permissions(&state, perms).expect("chmod");
        None
    };
    assert!(
        std::fs::write(state.join("probe"), "x").is_err(),
        "the state directory is still writable"
    );

    let messages = assert_security_holds(dir.path(), &[]);
    for m in &messages {
        assert!(
            m.contains("could not append to .agentops/audit.jsonl"),
            "{m}"
        );
        assert!(
            m.contains("Read-only file system") || m.contains("Permission denied"),
            "{m}"
        );
        assert!(!m.contains("flags.json"), "flags were readable: {m}");
    }

    // The blocking flag was read: a soft rule now denies instead of asking.
    let secret = json!({
        "session_id": "faults", "cwd": dir.path(), "hook_event_name": "PreToolUse",
        "tool_name": "Bash", "tool_input": {"command": "git reset --hard HEAD~3"},
    });
    let advisory = common::project();
    let asked = common::hook("PreToolUse", &secret, advisory.path(), &[]);
    let blocked = common::hook("PreToolUse", &secret, dir.path(), &[]);
    assert_eq!(decision(&asked).as_deref(), Some("ask"), "{}", asked.stdout);
    assert_eq!(
        decision(&blocked).as_deref(),
        Some("deny"),
        "{}",
        blocked.stdout
    );

    if !is_root() {
        let mut perms = std::fs::metadata(&state).expect("meta").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&state, perms).expect("chmod back");
    }
}

#[test]
fn logs_on_a_device_that_is_always_full_fail_with_enospc_only() {
    let dir = common::project();
    let state = dir.path().join(".agentops");
    std::fs::create_dir(&state).expect("mkdir");
    std::fs::write(state.join(".gitignore"), "*\n").expect("gitignore");
    for log in ["audit.jsonl", "telemetry.jsonl", "provenance.jsonl"] {
        std::os::unix::fs::symlink("/dev/full", state.join(log)).expect("symlink");
    }
    let messages = assert_security_holds(dir.path(), &[]);
    for m in &messages {
        assert!(
            m.contains("could not append to .agentops/audit.jsonl"),
            "{m}"
        );
        assert!(m.contains("No space left on device"), "{m}");
    }
}

#[test]
fn a_full_file_system_leaves_no_torn_record_behind() {
    let dir = common::project();
    let project = dir.path();
    let state = project.join(".agentops");
    std::fs::create_dir(&state).expect("mkdir");
    let Some(_mount) = Mount::tmpfs(&state, "size=64k") else {
        return;
    };
    // A few records first, so the last page of each log is partly used and
    // a record that does not fit could be written halfway.
    for i in 0..3 {
        let out = common::hook(
            "PostToolUse",
            &post_write(project, "a.rs", &format!("toolu_before_{i}")),
            project,
            &[],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    // Fill the file system to the last byte.
    let filler = state.join("filler");
    let chunk = vec![b'x'; 4096];
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).expect("filler");
        while f.write_all(&chunk).is_ok() {}
        let mut byte = [b'x'];
        while f.write(&byte).is_ok_and(|n| n == 1) {
            byte[0] = b'x';
        }
    }

    // A small record may still fit in the last page a log already has;
    // whatever does not fit is reported as such.
    let messages = assert_security_holds(project, &[]);
    for m in messages.iter().filter(|m| !m.is_empty()) {
        assert!(m.contains("No space left on device"), "{m}");
    }
    // A long record, certain not to fit in what is left of a page.
    let long = json!({
        "session_id": "faults", "cwd": project, "hook_event_name": "PostToolUse",
        "tool_name": "Bash", "tool_use_id": "toolu_long",
        "tool_input": {"command": format!("echo {}", "y".repeat(6000))},
        "tool_response": {"stdout": "ok"},
    });
    let out = common::hook("PostToolUse", &long, project, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let m = system_message(&out);
    assert!(
        m.contains("could not append to .agentops/audit.jsonl")
            && m.contains("No space left on device"),
        "{m}"
    );

    // Space comes back: the next records land on lines of their own and the
    // chain still verifies, so no half-written record was left behind.
    std::fs::remove_file(&filler).expect("free space");
    let out = common::hook(
        "PostToolUse",
        &post_write(project, "a.rs", "toolu_after"),
        project,
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        system_message(&out),
        "",
        "writes still fail after space came back"
    );
    for log in ["audit.jsonl", "telemetry.jsonl", "provenance.jsonl"] {
        let records = assert_jsonl(&state.join(log));
        assert!(
            records.iter().any(|r| r["tool_use_id"] == "toolu_after"),
            "{log} lost the record written after space came back"
        );
    }
    let log = std::fs::read_to_string(state.join("audit.jsonl")).expect("audit");
    let head = std::fs::read(state.join("audit.jsonl.head")).expect("head");
    let report = chain::verify(&log, chain::Head::parse(&head).as_ref());
    assert!(report.is_intact(), "{:?}", report.problems);
}

#[test]
fn corrupt_flags_never_switch_security_off() {
    let cases: &[(&str, &[u8])] = &[
        ("truncated", br#"{"command_validation_enabled": fal"#),
        ("binary", b"\x00\xff\xfe\x01garbage"),
        ("array", b"[false, false]"),
        (
            "typo in a value",
            br#"{"command_validation_enabled": "flase"}"#,
        ),
        ("wrong type", br#"{"command_validation_enabled": 0}"#),
        ("nested junk", br#"{"enforcement_mode": {"a": [1, 2]}}"#),
    ];
    for (what, bytes) in cases {
        let dir = common::project();
        let state = dir.path().join(".agentops");
        std::fs::create_dir(&state).expect("mkdir");
        std::fs::write(state.join("flags.json"), bytes).expect("flags");
        let out = common::hook(
            "PreToolUse",
            &bash(dir.path(), "rm -rf ~/"),
            dir.path(),
            &[],
        );
        assert_eq!(out.code, 0, "{what}: {}", out.stderr);
        assert_eq!(
            decision(&out).as_deref(),
            Some("deny"),
            "{what}: {}",
            out.stdout
        );
    }

    // A flags file too large to read, and one that is a directory: both are
    // named in the message and defaults apply.
    let dir = common::project();
    let state = dir.path().join(".agentops");
    std::fs::create_dir(&state).expect("mkdir");
    let mut big = b"{\"command_validation_enabled\": false, \"pad\": \"".to_vec();
    big.resize(2 << 20, b'a');
    big.extend_from_slice(b"\"}");
    std::fs::write(state.join("flags.json"), &big).expect("big flags");
    let out = common::hook(
        "PreToolUse",
        &bash(dir.path(), "rm -rf ~/"),
        dir.path(),
        &[],
    );
    assert_eq!(decision(&out).as_deref(), Some("deny"), "{}", out.stdout);
    let m = system_message(&out);
    assert!(
        m.contains("flags.json") && m.contains("using defaults"),
        "{m}"
    );

    std::fs::remove_file(state.join("flags.json")).expect("rm");
    std::fs::create_dir(state.join("flags.json")).expect("mkdir flags.json");
    let out = common::hook(
        "PreToolUse",
        &bash(dir.path(), "rm -rf ~/"),
        dir.path(),
        &[],
    );
    assert_eq!(decision(&out).as_deref(), Some("deny"), "{}", out.stdout);
    let m = system_message(&out);
    assert!(m.contains("flags.json"), "{m}");
}

#[test]
fn a_corrupt_integrity_manifest_still_reports_changes_and_stays_appendable() {
    let dir = common::project();
    let project = dir.path();
    let state = project.join(".agentops");
    std::fs::create_dir(&state).expect("mkdir");
    let file = project.join("tracked.rs");
    std::fs::write(&file, "changed behind the agent's back\n").expect("write");
    let valid = json!({"abs_path": file, "path": "tracked.rs", "session": "old",
                       "sha256": "0".repeat(64), "ts": "2026-01-01T00:00:00Z"});
    let manifest = format!(
        "{valid}\nnot json at all\n\x00\x01\x02\n{{\"abs_path\": 7}}\n{{\"abs_path\":\"/x\",\"sha2"
    );
    std::fs::write(state.join("integrity.jsonl"), manifest).expect("manifest");

    let start = json!({"session_id": "faults", "cwd": project,
                       "hook_event_name": "SessionStart", "source": "startup"});
    let out = common::hook("SessionStart", &start, project, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("INTEG001"),
        "the change went unnoticed: {}",
        out.stdout
    );

    // The manifest ends in a torn line; the next record still gets a line
    // of its own.
    std::fs::write(project.join("new.rs"), "pub fn f() {}\n").expect("write");
    let out = common::hook(
        "PostToolUse",
        &post_write(project, "new.rs", "toolu_new"),
        project,
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(state.join("integrity.jsonl")).expect("manifest");
    let last = text.lines().last().expect("a last line");
    let record: Value = serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("the new record was glued to the torn line ({e}): {last}"));
    assert_eq!(record["path"], "new.rs");
}

#[test]
fn a_tampered_audit_log_is_detected_and_hooks_keep_working() {
    let dir = common::project();
    let project = dir.path();
    for i in 0..4 {
        let out = common::hook(
            "PostToolUse",
            &post_write(project, "a.rs", &format!("toolu_{i}")),
            project,
            &[],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let path = project.join(".agentops/audit.jsonl");
    let original = std::fs::read_to_string(&path).expect("audit");
    // Edit one record, drop another, and leave a torn tail.
    let mut lines: Vec<String> = original.lines().map(String::from).collect();
    lines[1] = lines[1].replace("toolu_1", "toolu_X");
    lines.remove(2);
    let tampered = format!("{}\n{{\"event\":\"PostTo", lines.join("\n"));
    std::fs::write(&path, tampered).expect("tamper");

    let messages = assert_security_holds(project, &[]);
    for m in &messages {
        assert!(!m.contains("panic"), "{m}");
    }
    let log = std::fs::read_to_string(&path).expect("audit");
    let head = std::fs::read(project.join(".agentops/audit.jsonl.head")).expect("head");
    let report = chain::verify(&log, chain::Head::parse(&head).as_ref());
    assert!(!report.is_intact(), "tampering went unnoticed");
    // The hooks run after the tampering still wrote whole, parseable lines.
    let after: Vec<&str> = log.lines().rev().take(3).collect();
    for line in after {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("a new record was glued to the torn tail ({e}): {line}"));
        assert!(v.get("hash").is_some(), "{line}");
    }

    let cli = common::run(&["audit", "verify"], b"", project, &[]);
    assert_eq!(
        cli.code, 1,
        "audit verify on a tampered log: {}",
        cli.stdout
    );
}

fn assistant_line(id: &str, input: u64, output: u64) -> String {
    json!({
        "type": "assistant",
        "requestId": format!("req_{id}"),
        "timestamp": "2026-11-25T10:00:00Z",
        "message": {"id": format!("msg_{id}"), "model": "claude-sonnet-4-5",
                    "usage": {"input_tokens": input, "output_tokens": output}},
    })
    .to_string()
}

/// Input and output tokens summed over the cost ledger's rows.
fn ledger_tokens(project: &Path) -> (u64, u64) {
    let text =
        std::fs::read_to_string(project.join(".agentops/cost-ledger.json")).expect("cost ledger");
    let ledger: Value = serde_json::from_str(&text).expect("ledger is JSON");
    let rows = ledger["rows"].as_array().expect("rows");
    rows.iter().fold((0, 0), |(i, o), r| {
        (
            i + r["tokens"][0].as_u64().unwrap_or(0),
            o + r["tokens"][1].as_u64().unwrap_or(0),
        )
    })
}

#[test]
fn a_transcript_still_being_written_is_counted_once_when_complete() {
    let dir = common::project();
    let project = dir.path();
    let transcript = project.join("session.jsonl");
    let complete = format!(
        "{}\n{}\n",
        assistant_line("a", 100, 10),
        assistant_line("b", 200, 20)
    );
    let third = assistant_line("c", 400, 40);
    let (written, pending) = third.split_at(third.len() / 2);
    std::fs::write(&transcript, format!("{complete}{written}")).expect("transcript");

    let stop = json!({"session_id": "faults", "cwd": project, "hook_event_name": "Stop",
                      "transcript_path": transcript, "stop_hook_active": false});
    let out = common::hook("Stop", &stop, project, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.json()
            .is_none_or(|v| !v.to_string().contains("cost tracking failed")),
        "{}",
        out.stdout
    );
    assert_eq!(ledger_tokens(project), (300, 30), "half a line was billed");

    // The writer finishes the line: it is billed, and nothing twice.
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&transcript)
            .expect("open");
        f.write_all(format!("{pending}\n").as_bytes())
            .expect("finish");
    }
    let out = common::hook("Stop", &stop, project, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(ledger_tokens(project), (700, 70));
    let out = common::hook("Stop", &stop, project, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        ledger_tokens(project),
        (700, 70),
        "a response was billed twice"
    );
}
