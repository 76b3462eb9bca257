//! The command line behaves like the tools people already use: a closed
//! pipe ends a command quietly, usage errors have their own exit status,
//! filters are validated, colour only on a terminal, aligned tables,
//! security flags switched off only on purpose and on the record.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{project, BIN};
use serde_json::Value;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run `agentops` in `dir` with a clean environment for what these tests
/// look at (colour, project, Claude Code's configuration) plus `env`.
fn agentops(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Out {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .env("CLAUDE_PROJECT_DIR", dir)
        .env("HOME", dir)
        .env_remove("CLAUDE_CONFIG_DIR")
        .env_remove("CLAUDE_PLUGIN_ROOT")
        .env_remove("AGENTOPS_MODE")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run agentops");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// An audit log of `n` records whose rule lists grow long.
fn audit_log(dir: &Path, n: usize) {
    let state = dir.join(".agentops");
    std::fs::create_dir_all(&state).expect("mkdir");
    let mut text = String::new();
    for i in 0..n {
        let rules = match i % 3 {
            0 => r#"["CMD001","CMD002","MODE002","SECRET001","ENV004"]"#,
            1 => r#"["CMD001"]"#,
            _ => "[]",
        };
        let (tool, decision) = if i % 2 == 0 {
            ("Bash", "deny")
        } else {
            ("Read", "allow")
        };
        text.push_str(&format!(
            r#"{{"ts":"2025-06-01T10:00:{:02}Z","event":"PreToolUse","session":"s{i}","tool":"{tool}","decision":"{decision}","rules":{rules},"input":"command {i}"}}"#,
            i % 60
        ));
        text.push('\n');
    }
    std::fs::write(state.join("audit.jsonl"), text).expect("write log");
}

// ---- 1. a closed pipe -------------------------------------------------

/// Run a command whose reader goes away: at once (`read == 0`), or after
/// `read` bytes, as `| head -c N` does.
fn with_closed_stdout(args: &[&str], dir: &Path, read: usize) -> (i32, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("CLAUDE_PROJECT_DIR", dir)
        .env("HOME", dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    if read > 0 {
        let mut buf = vec![0; read];
        let _ = stdout.read_exact(&mut buf);
    }
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    let status = child.wait().expect("wait");
    (status.code().unwrap_or(-1), stderr)
}

#[test]
fn a_closed_pipe_ends_every_listing_quietly() {
    let dir = project();
    audit_log(dir.path(), 3000);
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/session.jsonl");
    let commands: &[&[&str]] = &[
        &["rules", "--json"],
        &["rules"],
        &["audit", "query"],
        &["audit", "query", "--json"],
        &["flags", "list"],
        &["flags", "list", "--json"],
        &["replay", "--json", example],
        &["compliance", "--json"],
        &["doctor", "--json"],
        &["check", "--json", "--", "rm -rf /"],
    ];
    for args in commands {
        let mut closed = 0;
        for read in [0, 10] {
            for _ in 0..8 {
                let (code, stderr) = with_closed_stdout(args, dir.path(), read);
                assert!(
                    !stderr.contains("panicked") && !stderr.contains("internal error"),
                    "{args:?} (read {read}): {stderr}"
                );
                assert_ne!(code, 101, "{args:?} (read {read}): {stderr}");
                // The reader left before the end: exit 141 (what a shell
                // shows for SIGPIPE). A process another test thread forks
                // at that moment can hold the read end for an instant, so
                // the output may still fit in the pipe and the command
                // end with its own status; most runs see the closed pipe.
                if code == 141 {
                    closed += 1;
                }
            }
        }
        assert!(closed > 0, "{args:?} never saw the closed pipe");
    }
}

#[test]
fn an_open_pipe_gets_everything_and_the_usual_status() {
    let dir = project();
    audit_log(dir.path(), 3000);
    let out = agentops(&["audit", "query", "--json"], dir.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 3000);
    let out = agentops(&["rules", "--json"], dir.path(), &[]);
    assert_eq!(out.code, 0);
    assert!(serde_json::from_str::<Value>(&out.stdout).is_ok());
}

// ---- 2. usage errors -------------------------------------------------

#[test]
fn a_misspelt_option_is_a_usage_error_not_part_of_the_command() {
    let dir = project();
    let out = agentops(&["check", "--jsn", "ls"], dir.path(), &[]);
    assert_eq!(out.code, 64, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(out.stderr.contains("--jsn"), "{}", out.stderr);
    assert!(
        out.stderr.contains("--json"),
        "suggests the option: {}",
        out.stderr
    );

    // A command that starts with `-` goes after `--`.
    let out = agentops(&["check", "--json", "--", "-rf"], dir.path(), &[]);
    assert_ne!(out.code, 64, "{}", out.stderr);
    let v: Value = serde_json::from_str(out.stdout.trim()).expect("json");
    assert_eq!(v["command"], "-rf");
    let out = agentops(&["check", "--json", "--", "ls", "-la"], dir.path(), &[]);
    let v: Value = serde_json::from_str(out.stdout.trim()).expect("json");
    assert_eq!(v["command"], "ls -la");
}

#[test]
fn check_without_a_command_exits_64_which_no_verdict_uses() {
    let dir = project();
    let out = agentops(&["check"], dir.path(), &[]);
    assert_eq!(out.code, 64, "{}", out.stderr);
    assert!(out.stderr.contains("<COMMAND>"), "{}", out.stderr);
    // The verdicts keep 0, 1 and 2.
    let deny = agentops(&["check", "rm -rf /"], dir.path(), &[]);
    assert_eq!(deny.code, 2, "{}", deny.stdout);
    let allow = agentops(&["check", "git status"], dir.path(), &[]);
    assert_eq!(allow.code, 0, "{}", allow.stdout);
    // Unknown subcommands and options everywhere.
    for args in [
        &["nosuch"][..],
        &["rules", "--nope"],
        &["audit", "tail", "-x"],
    ] {
        let out = agentops(args, dir.path(), &[]);
        assert_eq!(out.code, 64, "{args:?}: {}", out.stderr);
    }
    // The status is documented.
    let help = agentops(&["--help"], dir.path(), &[]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("64   usage error"), "{}", help.stdout);
}

#[test]
fn help_hook_and_hook_help_are_the_same_text() {
    let dir = project();
    let a = agentops(&["help", "hook"], dir.path(), &[]);
    let b = agentops(&["hook", "--help"], dir.path(), &[]);
    let c = agentops(&["hook", "-h"], dir.path(), &[]);
    assert_eq!(a.code, 0);
    assert_eq!(b.code, 0);
    assert_eq!(a.stdout, b.stdout);
    assert!(a.stdout.contains("--agent") && a.stdout.contains("--only"));
    assert!(a.stdout.contains("Exit status"), "{}", a.stdout);
    assert!(c.stdout.contains("Usage: agentops hook"), "{}", c.stdout);
}

// ---- 3. filters and projects ------------------------------------------

#[test]
fn audit_filters_are_validated_and_ignore_case() {
    let dir = project();
    audit_log(dir.path(), 6);
    let count = |args: &[&str]| {
        let mut all = vec!["audit", "query", "--json"];
        all.extend_from_slice(args);
        let out = agentops(&all, dir.path(), &[]);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        out.stdout.lines().count()
    };
    assert_eq!(count(&[]), 6);
    assert_eq!(count(&["--tool", "Bash"]), 3);
    assert_eq!(count(&["--tool", "bash"]), 3);
    assert_eq!(count(&["--tool", "BASH", "--decision", "DENY"]), 3);
    assert_eq!(count(&["--rule", "cmd001"]), 4);
    assert_eq!(count(&["--rule", "CMD001"]), 4);
    assert_eq!(count(&["--event", "pretooluse"]), 6);
    assert_eq!(count(&["--decision", "allow"]), 3);

    let denied = agentops(&["audit", "tail", "--decision", "denied"], dir.path(), &[]);
    assert_eq!(denied.code, 64, "{}", denied.stdout);
    assert!(denied.stdout.is_empty());
    assert!(
        denied.stderr.contains("allow, ask, deny, block"),
        "names the valid values: {}",
        denied.stderr
    );
    let rule = agentops(&["audit", "query", "--rule", "CMD999"], dir.path(), &[]);
    assert_eq!(rule.code, 64);
    assert!(rule.stderr.contains("did you mean CMD"), "{}", rule.stderr);
}

#[test]
fn a_project_that_does_not_exist_is_an_error_everywhere() {
    let dir = project();
    let missing = dir.path().join("nonexistent");
    let missing = missing.to_str().expect("utf8");
    for args in [
        &["audit", "verify", "--project", missing][..],
        &["audit", "tail", "--project", missing],
        &["audit", "stats", "--json", "--project", missing],
        &["flags", "list", "--project", missing],
        &["compliance", "--json", "--project", missing],
        &["doctor", "--json", "--project", missing],
        &["check", "--project", missing, "ls"],
        &["lessons", "list", "--project", missing],
        &["evolve", "status", "--project", missing],
    ] {
        let out = agentops(args, dir.path(), &[]);
        assert_eq!(out.code, 64, "{args:?}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("does not exist"),
            "{args:?}: {}",
            out.stderr
        );
    }
    // The same commands on a project that exists.
    let here = dir.path().to_str().expect("utf8");
    let verify = agentops(&["audit", "verify", "--project", here], dir.path(), &[]);
    assert_eq!(verify.code, 0, "{}", verify.stderr);
    let doctor = agentops(&["doctor", "--json", "--project", here], dir.path(), &[]);
    let v: Value = serde_json::from_str(doctor.stdout.trim()).expect("doctor --json");
    assert!(v["checks"].is_array() && v["ok"].is_boolean(), "{v}");
}

#[test]
fn audit_stats_json_help_says_what_it_prints() {
    let dir = project();
    let help = agentops(&["audit", "stats", "--help"], dir.path(), &[]);
    assert!(help.stdout.contains("one JSON object"), "{}", help.stdout);
    assert!(!help.stdout.contains("JSON lines"), "{}", help.stdout);
    audit_log(dir.path(), 3);
    let stats = agentops(&["audit", "stats", "--json"], dir.path(), &[]);
    let v: Value = serde_json::from_str(stats.stdout.trim()).expect("one object");
    assert_eq!(v["records"], 3);
}

// ---- 4. output ---------------------------------------------------------

#[test]
fn the_audit_table_stays_aligned_with_long_rule_lists() {
    let dir = project();
    audit_log(dir.path(), 6);
    let out = agentops(&["audit", "query"], dir.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 7);
    let column = |line: &str, what: &str| line.find(what).expect(what);
    let detail = column(lines[0], "DETAIL");
    let session = column(lines[0], "SESSION");
    for (i, line) in lines.iter().enumerate().skip(1) {
        assert_eq!(column(line, "command "), detail, "{}", out.stdout);
        assert_eq!(
            column(line, &format!(" s{} ", i - 1)) + 1,
            session,
            "{}",
            out.stdout
        );
    }
    assert!(lines[1].contains("CMD001,CMD002,MODE002,SECRET001,ENV004"));
}

const ESC: &str = "\u{1b}[";

#[test]
fn colour_only_when_asked_for_or_on_a_terminal_and_never_under_no_color() {
    let dir = project();
    let piped = agentops(&["check", "rm -rf /"], dir.path(), &[]);
    assert!(
        !piped.stdout.contains(ESC),
        "piped output is plain: {}",
        piped.stdout
    );
    let forced = agentops(
        &["check", "rm -rf /"],
        dir.path(),
        &[("CLICOLOR_FORCE", "1")],
    );
    assert!(forced.stdout.contains(ESC), "{}", forced.stdout);
    let none = agentops(
        &["check", "rm -rf /"],
        dir.path(),
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
    );
    assert!(!none.stdout.contains(ESC), "{}", none.stdout);
    // JSON is never coloured.
    let json = agentops(&["rules", "--json"], dir.path(), &[("CLICOLOR_FORCE", "1")]);
    assert!(!json.stdout.contains(ESC));
}

/// `agentops rules` under a real terminal (util-linux `script`).
fn on_a_terminal(dir: &Path, no_color: bool) -> Option<String> {
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &format!("{BIN} rules"), "/dev/null"])
        .current_dir(dir)
        .env("TERM", "xterm")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_terminal_gets_colour_unless_no_color_is_set() {
    let dir = project();
    let Some(coloured) = on_a_terminal(dir.path(), false) else {
        eprintln!("SKIPPED: util-linux `script` is not available to give agentops a terminal");
        assert!(std::env::var_os("CI").is_none(), "CI must have `script`");
        return;
    };
    assert!(coloured.contains(ESC), "{coloured}");
    let plain = on_a_terminal(dir.path(), true).expect("script ran once");
    assert!(plain.contains("CMD001") && !plain.contains(ESC), "{plain}");
}

#[test]
fn every_reason_has_the_same_prefix() {
    let dir = project();
    // A guidance finding (context for the model) and a deny (a reason).
    let payload = serde_json::json!({
        "hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": {"command": "rm -rf /"}, "cwd": dir.path(), "session_id": "s",
    });
    let out = common::hook("PreToolUse", &payload, dir.path(), &[]);
    let v = out.json().expect("answer");
    let reason = v["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .expect("reason");
    assert!(reason.starts_with("agentops: [CMD"), "{reason}");
    let start = serde_json::json!({"hook_event_name": "SessionStart", "source": "startup",
        "cwd": dir.path(), "session_id": "s"});
    let out = common::hook("SessionStart", &start, dir.path(), &[]);
    let v = out.json().expect("session start speaks to the model");
    let context = v["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .expect("context");
    assert!(context.starts_with("agentops: [PREAMBLE"), "{context}");
    assert!(!context.contains("agentops ["), "{context}");
}

// ---- 5. security flags -------------------------------------------------

#[test]
fn switching_a_security_flag_off_needs_yes_and_is_recorded() {
    let dir = project();
    let refused = agentops(
        &["flags", "set", "command_validation_enabled", "false"],
        dir.path(),
        &[],
    );
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert!(
        !dir.path().join(".agentops/flags.json").exists(),
        "nothing written"
    );
    let guarded = agentops(&["check", "rm -rf /"], dir.path(), &[]);
    assert_eq!(guarded.code, 2, "still denied: {}", guarded.stdout);

    // Non-security flags and switching on need no confirmation.
    let plain = agentops(
        &["flags", "set", "auto_plan_enabled", "false"],
        dir.path(),
        &[],
    );
    assert_eq!(plain.code, 0, "{}", plain.stderr);

    let confirmed = agentops(
        &[
            "flags",
            "set",
            "command_validation_enabled",
            "false",
            "--yes",
        ],
        dir.path(),
        &[("USER", "alice")],
    );
    assert_eq!(confirmed.code, 0, "{}", confirmed.stderr);
    assert!(confirmed.stderr.contains("warning"), "{}", confirmed.stderr);
    let get = agentops(
        &["flags", "get", "command_validation_enabled"],
        dir.path(),
        &[],
    );
    assert_eq!(get.stdout.trim(), "false");

    let log = agentops(
        &["audit", "query", "--json", "--event", "flagchange"],
        dir.path(),
        &[],
    );
    let records: Vec<Value> = log
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let change = records
        .iter()
        .find(|r| r["flag"] == "command_validation_enabled")
        .expect("the change is in the audit log");
    assert_eq!(change["user"], "alice");
    assert_eq!(change["after"], false);
    assert_eq!(change["before"], Value::Null, "was the default");
    assert!(change["reason"]
        .as_str()
        .is_some_and(|r| r.contains("(default) -> false")));
    let verify = agentops(&["audit", "verify"], dir.path(), &[]);
    assert_eq!(verify.code, 0, "the chain holds: {}", verify.stdout);
}

// ---- 6. install, uninstall, doctor ---------------------------------------

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json")
}

fn backups(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().contains("agentops-backup"))
                .count()
        })
        .unwrap_or(0)
}

fn prompt_hooks(doc: &Value) -> usize {
    doc.to_string().matches("\"type\":\"prompt\"").count()
}

#[test]
fn install_twice_is_install_once_and_uninstall_puts_the_file_back() {
    let home = project();
    let config = home.path().join("claude-config");
    std::fs::create_dir_all(&config).expect("mkdir");
    let settings = config.join("settings.json");
    let theirs = r#"{"model":"opus","permissions":{"deny":["Read(.env)","Bash(rm -rf /)"]},"hooks":{"PostToolUse":[{"matcher":"Edit","hooks":[{"type":"command","command":"prettier --write"}]}]}}"#;
    std::fs::write(&settings, theirs).expect("write");
    let env = [("CLAUDE_CONFIG_DIR", config.to_str().expect("utf8"))];

    let first = agentops(&["install", "--settings", "user"], home.path(), &env);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let once = std::fs::read(&settings).expect("read");
    assert_eq!(backups(&config), 1);
    assert!(!home.path().join(".claude").exists(), "HOME is not used");
    let second = agentops(&["install", "--settings", "user"], home.path(), &env);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second.stdout.contains("nothing changed"),
        "{}",
        second.stdout
    );
    assert_eq!(std::fs::read(&settings).expect("read"), once, "same result");
    assert_eq!(backups(&config), 1, "no backup when nothing changes");
    let doc = read_json(&settings);
    assert_eq!(prompt_hooks(&doc), 1, "one prompt hook");
    assert_eq!(doc["hooks"]["PreToolUse"].as_array().map(Vec::len), Some(1));

    // A change (the firewall left out) is one more backup.
    let third = agentops(
        &["install", "--settings", "user", "--no-llm-firewall"],
        home.path(),
        &env,
    );
    assert_eq!(third.code, 0);
    assert_eq!(prompt_hooks(&read_json(&settings)), 0);
    assert_eq!(backups(&config), 2);

    let removed = agentops(&["uninstall", "--settings", "user"], home.path(), &env);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    let back: Value = read_json(&settings);
    let original: Value = serde_json::from_str(theirs).expect("json");
    assert_eq!(back, original, "exactly what install added is gone");
    let again = agentops(&["uninstall", "--settings", "user"], home.path(), &env);
    assert_eq!(again.code, 0);
    assert!(again.stdout.contains("nothing changed"), "{}", again.stdout);
}

#[test]
fn uninstall_removes_a_project_settings_file_install_created() {
    let dir = project();
    let settings = dir.path().join(".claude/settings.json");
    let out = agentops(&["install", "--settings", "project"], dir.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(settings.is_file());
    assert_eq!(
        backups(&dir.path().join(".claude")),
        0,
        "nothing to back up"
    );
    let out = agentops(&["uninstall", "--settings", "project"], dir.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!settings.exists(), "{}", out.stdout);
    let out = agentops(&["uninstall"], dir.path(), &[]);
    assert_eq!(out.code, 64, "names what to uninstall: {}", out.stderr);
}

/// A project whose plugin is enabled and whose hooks are also in the user
/// and the project settings.
fn wired_three_times(dir: &Path) -> [(&'static str, String); 1] {
    let config = dir.join("config");
    let env = [(
        "CLAUDE_CONFIG_DIR",
        config.to_str().expect("utf8").to_string(),
    )];
    let envs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for scope in ["user", "project"] {
        let out = agentops(&["install", "--settings", scope], dir, &envs);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let user = config.join("settings.json");
    let mut doc = read_json(&user);
    doc["enabledPlugins"] = serde_json::json!({"agentops@agentops": true});
    std::fs::write(&user, doc.to_string()).expect("write");
    env
}

#[test]
fn doctor_finds_hooks_wired_in_several_places_and_passes_once_fixed() {
    let dir = project();
    let env = wired_three_times(dir.path());
    let envs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = agentops(&["doctor", "--json"], dir.path(), &envs);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let v: Value = serde_json::from_str(out.stdout.trim()).expect("json");
    let dup = v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == "duplicate wiring")
        .unwrap_or_else(|| panic!("{v}"));
    let problem = dup["problem"].as_str().expect("problem");
    assert!(problem.contains("wired 3 time(s)"), "{problem}");
    assert!(problem.contains("runs up to 3 times"), "{problem}");
    assert!(problem.contains("PreToolUse"), "{problem}");
    let fix = dup["fix"].as_str().expect("fix");
    assert!(
        fix.contains("agentops uninstall --settings user")
            && fix.contains("agentops uninstall --settings project"),
        "{fix}"
    );
    for scope in ["user", "project"] {
        let out = agentops(&["uninstall", "--settings", scope], dir.path(), &envs);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let out = agentops(&["doctor"], dir.path(), &envs);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("wired once"), "{}", out.stdout);
}

#[cfg(unix)]
#[test]
fn doctor_finds_a_stale_or_missing_binary_and_flags_against_the_wiring() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project();
    let config = dir.path().join("config");
    let env = [("CLAUDE_CONFIG_DIR", config.to_str().expect("utf8"))];
    let out = agentops(&["install", "--settings", "user"], dir.path(), &env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let ok = agentops(&["doctor"], dir.path(), &env);
    assert_eq!(ok.code, 0, "{}", ok.stdout);

    // The settings run an old agentops.
    let old = dir.path().join("old/agentops");
    std::fs::create_dir_all(old.parent().expect("dir")).expect("mkdir");
    std::fs::write(&old, "#!/bin/sh\necho 'agentops 0.0.1'\n").expect("write");
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let settings = config.join("settings.json");
    let text = std::fs::read_to_string(&settings).expect("read");
    let this = std::fs::canonicalize(BIN).expect("bin");
    let stale = text.replace(this.to_str().expect("utf8"), old.to_str().expect("utf8"));
    std::fs::write(&settings, &stale).expect("write");
    let out = agentops(&["doctor"], dir.path(), &env);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("version 0.0.1"), "{}", out.stdout);
    assert!(out.stdout.contains("fix: agentops install --settings user"));

    // ... or one that is gone.
    std::fs::remove_file(&old).expect("rm");
    let out = agentops(&["doctor"], dir.path(), &env);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("which does not exist"),
        "{}",
        out.stdout
    );

    // Reinstalled; then the flags switch the firewall off that is still wired.
    agentops(&["install", "--settings", "user"], dir.path(), &env);
    let off = agentops(
        &[
            "flags",
            "set",
            "llm_content_firewall_enabled",
            "false",
            "--yes",
        ],
        dir.path(),
        &env,
    );
    assert_eq!(off.code, 0, "{}", off.stderr);
    let out = agentops(&["doctor"], dir.path(), &env);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("llm_content_firewall_enabled is false"),
        "{}",
        out.stdout
    );
    // install reads the flag and leaves the prompt out.
    agentops(&["install", "--settings", "user"], dir.path(), &env);
    let out = agentops(&["doctor"], dir.path(), &env);
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[test]
fn install_outside_the_repository_writes_the_whole_plugin() {
    let dir = project();
    let out = agentops(&["install"], dir.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let plugin = dir.path().join("plugin");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("plugin");
    for part in ["commands", "agents", "templates"] {
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        list(&plugin.join(part), &plugin, &mut ours);
        list(&repo.join(part), &repo, &mut theirs);
        assert!(!theirs.is_empty());
        assert_eq!(ours, theirs, "{part}");
    }
    assert_eq!(
        std::fs::read(plugin.join("commands/plan.md")).expect("read"),
        std::fs::read(repo.join("commands/plan.md")).expect("read")
    );
    let doctor = agentops(&["doctor", "--plugin-dir", "plugin"], dir.path(), &[]);
    assert_eq!(doctor.code, 0, "{}", doctor.stdout);

    // A stub plugin (no commands) is caught.
    std::fs::remove_dir_all(plugin.join("commands")).expect("rm");
    let stub = agentops(&["doctor", "--plugin-dir", "plugin"], dir.path(), &[]);
    assert_eq!(stub.code, 1);
    assert!(stub.stdout.contains("has no commands"), "{}", stub.stdout);
}

fn list(dir: &Path, root: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            list(&path, root, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.display().to_string());
        }
    }
    out.sort();
}

#[test]
fn uninstall_without_an_install_record_removes_only_the_hooks() {
    let dir = project();
    let config = dir.path().join("config");
    let env = [("CLAUDE_CONFIG_DIR", config.to_str().expect("utf8"))];
    let out = agentops(&["install", "--settings", "user"], dir.path(), &env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // As an older agentops left it: hooks and deny rules, no record.
    std::fs::remove_file(config.join("settings.agentops-install.json")).expect("rm record");
    let out = agentops(&["uninstall", "--settings", "user"], dir.path(), &env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("no install record"), "{}", out.stdout);
    let doc = read_json(&config.join("settings.json"));
    assert_eq!(prompt_hooks(&doc), 0, "{doc}");
    assert!(
        !doc.to_string().contains("\"hook\""),
        "no agentops handler left: {doc}"
    );
    assert!(
        doc["permissions"]["deny"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        "deny rules it cannot attribute are kept: {doc}"
    );
}

#[test]
fn doctor_counts_the_plugin_doctor_runs_in_alongside_settings() {
    let dir = project();
    let out = agentops(&["install", "--plugin-dir", "plugin"], dir.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = agentops(&["install", "--settings", "project"], dir.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Checking a plugin directory is not loading it; and with the project
    // in the home directory, its settings file is the user's, counted once.
    let checked = agentops(&["doctor", "--plugin-dir", "plugin"], dir.path(), &[]);
    assert_eq!(checked.code, 0, "{}", checked.stdout);
    // Inside a session that loaded the plugin, the settings hooks are a second copy.
    let root = dir.path().join("plugin");
    let inside = agentops(
        &["doctor"],
        dir.path(),
        &[("CLAUDE_PLUGIN_ROOT", root.to_str().expect("utf8"))],
    );
    assert_eq!(inside.code, 1, "{}", inside.stdout);
    assert!(
        inside
            .stdout
            .contains("wired 2 time(s) (the plugin loaded with --plugin-dir")
            && inside.stdout.contains("agentops uninstall --settings"),
        "{}",
        inside.stdout
    );
}
