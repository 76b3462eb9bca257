//! Big and hostile payloads against the built binary: a 10 MiB tool_input,
//! a 100,000-line file full of invisible characters, a 50,000-token
//! command, deeply nested JSON and shell syntax, heredoc bombs.
//!
//! Each run is measured by the kernel, not by a timer in the test: GNU
//! time (`/usr/bin/time`, Debian's `time` package, which `.ci/run`
//! installs) reports the child's CPU time (`%U`, `%S`, from wait4(2)) and
//! peak resident memory (`%M`, the kernel's figure for a process forked
//! from `time`'s small address space). Using GNU time keeps this test free
//! of `unsafe` (the workspace forbids it). The limits are generous (a debug build, a loaded 2-core machine) because
//! their job is to catch blow-ups (quadratic parsing, a copy per finding,
//! unbounded output), not to benchmark; `bench/` does that.
//!
//! Where a payload hides a dangerous command, PreToolUse must deny it or,
//! in advisory mode, at least ask; in bypass mode, where an ask is only a
//! note, it must deny. Nothing may crash or come back empty-handed.

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

/// Resource ceilings for one hook process.
const MAX_CPU: Duration = Duration::from_secs(20);
const MAX_RSS_MIB: u64 = 768;
/// An answer is a decision and a few reasons, never an echo of the input.
const MAX_ANSWER_BYTES: usize = 64 << 10;

struct Measured {
    out: common::Output,
    cpu: Duration,
    max_rss_mib: u64,
}

/// GNU time, or a visible skip (a failure under CI, which installs it).
fn gnu_time() -> Option<&'static Path> {
    let path = Path::new("/usr/bin/time");
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "/usr/bin/time (Debian package `time`) is required under CI"
    );
    eprintln!("SKIPPED: /usr/bin/time is not installed (apt-get install time)");
    None
}

/// Run `agentops hook <event>` on `stdin` under GNU time and read its
/// resource usage.
fn measure(
    time: &Path,
    event: &str,
    stdin: Vec<u8>,
    project: &Path,
    env: &[(&str, &str)],
) -> Measured {
    measure_command(time, &["hook", event], stdin, project, env)
}

/// [`measure`] for any `agentops` command line.
fn measure_command(
    time: &Path,
    args: &[&str],
    stdin: Vec<u8>,
    project: &Path,
    env: &[(&str, &str)],
) -> Measured {
    let usage_file = tempfile::NamedTempFile::new().expect("usage file");
    let mut cmd = Command::new(time);
    cmd.args(["-f", "%U %S %M", "-o"])
        .arg(usage_file.path())
        .arg(common::BIN)
        .args(args)
        .current_dir(project)
        .env_remove("AGENTOPS_MODE")
        .env_remove("AGENTOPS_FAULT")
        .env_remove("CLAUDE_PLUGIN_ROOT")
        .env("CLAUDE_PROJECT_DIR", project)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn agentops under time");
    let mut stdin_pipe = child.stdin.take().expect("stdin");
    let mut stdout_pipe = child.stdout.take().expect("stdout");
    let mut stderr_pipe = child.stderr.take().expect("stderr");
    let writer = std::thread::spawn(move || {
        let _ = stdin_pipe.write_all(&stdin);
    });
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr_pipe.read_to_end(&mut buf);
        buf
    });
    // GNU time exits with the child's status.
    let status = child.wait().expect("wait");
    writer.join().expect("writer");
    let stdout = reader.join().expect("reader");
    let stderr = err_reader.join().expect("stderr reader");
    let report = std::fs::read_to_string(usage_file.path()).expect("time report");
    // The last line is ours; earlier ones are GNU time's notes (signals).
    let fields: Vec<&str> = report
        .lines()
        .last()
        .expect("a usage line")
        .split_whitespace()
        .collect();
    let [user, system, rss_kib] = fields[..] else {
        panic!("unexpected time report: {report:?}");
    };
    let secs = |t: &str| Duration::from_secs_f64(t.parse::<f64>().expect("seconds"));
    Measured {
        out: common::Output {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        },
        cpu: secs(user) + secs(system),
        max_rss_mib: rss_kib.parse::<u64>().expect("KiB") / 1024,
    }
}

/// Exit 0, one JSON object at most, within the resource ceilings; returns
/// the PreToolUse decision (None when the call is not gated).
fn bounded(what: &str, m: &Measured) -> Option<String> {
    assert_eq!(
        m.out.code, 0,
        "{what}: exit {}: {}",
        m.out.code, m.out.stderr
    );
    assert!(m.cpu <= MAX_CPU, "{what}: {:?} of CPU", m.cpu);
    assert!(
        m.max_rss_mib <= MAX_RSS_MIB,
        "{what}: peak memory {} MiB",
        m.max_rss_mib
    );
    assert!(
        m.out.stdout.len() <= MAX_ANSWER_BYTES,
        "{what}: a {}-byte answer",
        m.out.stdout.len()
    );
    eprintln!(
        "{what}: cpu {:?}, peak rss {} MiB, answer {} bytes",
        m.cpu,
        m.max_rss_mib,
        m.out.stdout.len()
    );
    m.out.json().and_then(|v| {
        v["hookSpecificOutput"]["permissionDecision"]
            .as_str()
            .map(String::from)
    })
}

fn pre(project: &Path, tool: &str, tool_input: Value, mode: &str) -> Vec<u8> {
    json!({
        "session_id": "hostile",
        "cwd": project,
        "permission_mode": mode,
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_use_id": "toolu_hostile",
        "tool_input": tool_input,
    })
    .to_string()
    .into_bytes()
}

/// A Bash command hiding `rm -rf ~/` must be asked about in default mode
/// (denied is better) and denied in bypass mode.
fn assert_dangerous_command_caught(what: &str, command: &str) {
    let Some(time) = gnu_time() else {
        return;
    };
    let dir = common::project();
    let p = dir.path();
    let input = json!({"command": command});
    let default = measure(
        time,
        "PreToolUse",
        pre(p, "Bash", input.clone(), "default"),
        p,
        &[],
    );
    let decision = bounded(what, &default);
    assert!(
        matches!(decision.as_deref(), Some("ask" | "deny")),
        "{what}: {decision:?}: {}",
        &default.out.stdout[..default.out.stdout.len().min(400)]
    );
    let bypass = measure(
        time,
        "PreToolUse",
        pre(p, "Bash", input, "bypassPermissions"),
        p,
        &[],
    );
    let decision = bounded(&format!("{what} (bypass)"), &bypass);
    assert_eq!(
        decision.as_deref(),
        Some("deny"),
        "{what} in bypass mode: {}",
        &bypass.out.stdout[..bypass.out.stdout.len().min(400)]
    );
}

#[test]
fn a_ten_mib_command_is_judged_to_its_last_byte() {
    let command = format!("echo {} ; rm -rf ~/", "a".repeat(10 << 20));
    assert_dangerous_command_caught("10 MiB command", &command);
}

#[test]
fn ten_mib_of_file_content_is_scanned_to_its_last_byte() {
    let Some(time) = gnu_time() else {
        return;
    };
    let dir = common::project();
    let p = dir.path();
    let mut content = "let x = 1;\n".repeat((10 << 20) / 11);
    content.push_str("let hidden = 1;\u{200B}\n");
    let write = pre(
        p,
        "Write",
        json!({"file_path": p.join("big.rs"), "content": content}),
        "default",
    );
    assert!(write.len() >= 10 << 20);
    let m = measure(time, "PreToolUse", write, p, &[]);
    let decision = bounded("10 MiB Write", &m);
    assert!(
        matches!(decision.as_deref(), Some("ask" | "deny")),
        "{decision:?}"
    );
    assert!(m.out.stdout.contains("UNI001"), "{}", m.out.stdout);

    // The same bulk in a field no policy reads: answered, not gated.
    let filler = pre(
        p,
        "Bash",
        json!({"command": "git status", "description": "x".repeat(10 << 20)}),
        "default",
    );
    let m = measure(time, "PreToolUse", filler, p, &[]);
    assert_eq!(bounded("10 MiB unused field", &m), None, "{}", m.out.stdout);

    // Past the 16 MiB input limit: refused whole, never half-read.
    let over = pre(
        p,
        "Bash",
        json!({"command": "git status", "description": "x".repeat(17 << 20)}),
        "default",
    );
    let m = measure(time, "PreToolUse", over, p, &[]);
    assert_eq!(bounded("17 MiB payload", &m).as_deref(), Some("deny"));
    assert!(m.out.stdout.contains("INPUT003"), "{}", m.out.stdout);
}

#[test]
fn a_hundred_thousand_lines_of_invisible_characters_get_a_short_answer() {
    let Some(time) = gnu_time() else {
        return;
    };
    let dir = common::project();
    let p = dir.path();
    let content: String = (0..100_000)
        .map(|i| format!("let v{i} = {i};\u{200B} // \u{202E}note\u{202C}\n"))
        .collect();

    let write = pre(
        p,
        "Write",
        json!({"file_path": p.join("many.rs"), "content": content}),
        "default",
    );
    let m = measure(time, "PreToolUse", write, p, &[]);
    let decision = bounded("100,000-line Write", &m);
    assert!(
        matches!(decision.as_deref(), Some("ask" | "deny")),
        "{decision:?}"
    );
    assert!(m.out.stdout.contains("UNI001"), "{}", m.out.stdout);

    // The same text coming back from a Read: reported, not blocked, short.
    let file = p.join("many.rs");
    std::fs::write(&file, &content).expect("write file");
    let post = json!({
        "session_id": "hostile", "cwd": p, "permission_mode": "default",
        "hook_event_name": "PostToolUse", "tool_name": "Read",
        "tool_use_id": "toolu_read", "tool_input": {"file_path": file},
        "tool_response": {"type": "text", "file": {"filePath": file, "content": content}},
    });
    let m = measure(time, "PostToolUse", post.to_string().into_bytes(), p, &[]);
    bounded("100,000-line Read result", &m);
    let blocked = m.out.json().and_then(|v| v.get("decision").cloned());
    assert_eq!(blocked, None, "{}", m.out.stdout);

    // The session's background scan over a project holding that file
    // finishes too, and reports it.
    let project = p.to_str().expect("utf-8 temp path");
    let m = measure_command(
        time,
        &["session-scan", "--project", project],
        Vec::new(),
        p,
        &[],
    );
    bounded("session scan", &m);
    let report = std::fs::read_to_string(p.join(".agentops/unicode-scan-report.json"))
        .expect("the scan leaves its report");
    assert!(report.contains("many.rs"), "{report}");
}

#[test]
fn a_fifty_thousand_token_command_is_judged_whole() {
    let words: Vec<String> = (0..50_000).map(|i| format!("tok{i}")).collect();
    let command = format!("echo {} && rm -rf ~/", words.join(" "));
    assert_dangerous_command_caught("50,000-token command", &command);

    let pipeline = format!("{} ; rm -rf ~/", vec!["cat"; 25_000].join(" | "));
    assert_dangerous_command_caught("25,000-stage pipeline", &pipeline);

    let list: String = (0..20_000).map(|i| format!("true {i}; ")).collect();
    assert_dangerous_command_caught("20,000-command list", &format!("{list}rm -rf ~/"));
}

#[test]
fn deeply_nested_json_is_refused_or_ignored_never_overflowed() {
    let Some(time) = gnu_time() else {
        return;
    };
    let dir = common::project();
    let p = dir.path();
    for depth in [1_000usize, 100_000, 1_000_000] {
        let nested = format!(
            "{{\"tool_name\":\"Bash\",\"tool_input\":{{\"command\":\"ls\",\"x\":{}{}}}}}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let m = measure(time, "PreToolUse", nested.into_bytes(), p, &[]);
        assert_eq!(
            bounded(&format!("JSON nested {depth} deep"), &m).as_deref(),
            Some("deny")
        );
        assert!(m.out.stdout.contains("INPUT004"), "{}", m.out.stdout);
    }
    // Objects, not arrays, and in the command itself.
    let depth = 50_000;
    let nested = format!(
        "{{\"tool_name\":\"Bash\",\"tool_input\":{{\"command\":{}1{}}}}}",
        "{\"a\":".repeat(depth),
        "}".repeat(depth)
    );
    let m = measure(time, "PreToolUse", nested.into_bytes(), p, &[]);
    assert_eq!(bounded("nested objects", &m).as_deref(), Some("deny"));

    // Nesting within the parser's limit in a field nobody reads is fine.
    let shallow = format!(
        "{{\"tool_name\":\"Bash\",\"tool_input\":{{\"command\":\"git status\",\"x\":{}{}}}}}",
        "[".repeat(100),
        "]".repeat(100)
    );
    let m = measure(time, "PreToolUse", shallow.into_bytes(), p, &[]);
    assert_eq!(bounded("nesting within the limit", &m), None);
}

#[test]
fn deeply_nested_shell_syntax_is_caught_without_overflowing() {
    let n = 10_000;
    let cases = [
        (
            "10,000 nested subshells",
            format!("{}rm -rf ~/{}", "(".repeat(n), ")".repeat(n)),
        ),
        (
            "10,000 nested substitutions",
            format!("echo {}rm -rf ~/{}", "$(".repeat(n), ")".repeat(n)),
        ),
        (
            "10,000 nested groups",
            format!("{}rm -rf ~/; {}", "{ ".repeat(n), "}; ".repeat(n)),
        ),
        (
            "3,000 nested if … then … fi",
            format!(
                "{}rm -rf ~/{}",
                "if true; then ".repeat(3_000),
                "; fi".repeat(3_000)
            ),
        ),
        (
            "3,000 nested while … do … done",
            format!(
                "{}rm -rf ~/{}",
                "while true; do ".repeat(3_000),
                "; done".repeat(3_000)
            ),
        ),
        (
            "1,000 backquote substitutions",
            format!("{}echo `rm -rf ~/`", "echo `true`; ".repeat(1_000)),
        ),
        ("eight levels of bash -c", {
            let mut c = "rm -rf ~/".to_string();
            for _ in 0..8 {
                c = format!("bash -c '{}'", c.replace('\'', "'\\''"));
            }
            c
        }),
    ];
    for (what, command) in cases {
        assert_dangerous_command_caught(what, &command);
    }
}

#[test]
fn heredoc_bombs_are_bounded() {
    let n = 5_000;
    let mut many = String::from("cat");
    for i in 0..n {
        many.push_str(&format!(" <<E{i}"));
    }
    many.push('\n');
    for i in 0..n {
        many.push_str(&format!("line\nE{i}\n"));
    }
    many.push_str("rm -rf ~/\n");
    assert_dangerous_command_caught("5,000 heredocs on one command", &many);

    let body = "echo hi\n".repeat(500_000);
    let long = format!("sh <<'EOF'\n{body}rm -rf ~/\nEOF\n");
    assert_dangerous_command_caught("a 500,000-line heredoc into sh", &long);

    let mut nested = "rm -rf ~/\n".to_string();
    for i in 0..8 {
        nested = format!("sh <<'L{i}'\n{nested}L{i}\n");
    }
    assert_dangerous_command_caught("heredocs into sh, eight deep", &nested);
}
