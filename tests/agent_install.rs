//! `agentops install|doctor|uninstall --agent ...` in a throwaway home and
//! project: each agent's own file, in its own format, other hooks kept,
//! removed again on uninstall.

mod common;

use std::path::Path;

use serde_json::Value;

fn run(args: &[&str], home: &Path, project: &Path) -> common::Output {
    let home_s = home.to_string_lossy().into_owned();
    common::run(
        args,
        b"",
        project,
        &[
            ("HOME", &home_s),
            ("CODEX_HOME", ""),
            ("COPILOT_HOME", ""),
            ("GEMINI_CLI_HOME", ""),
        ],
    )
}

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn each_agent_is_wired_checked_and_unwired_in_its_own_file() {
    let home = tempfile::tempdir().expect("home");
    let project = common::project();
    for (agent, scope, file, gate) in [
        ("codex", "user", ".codex/hooks.json", "PreToolUse"),
        ("gemini", "user", ".gemini/settings.json", "BeforeTool"),
        (
            "copilot",
            "user",
            ".copilot/hooks/agentops.json",
            "preToolUse",
        ),
        (
            "cursor",
            "project",
            ".cursor/hooks.json",
            "beforeShellExecution",
        ),
    ] {
        let base = if scope == "user" {
            home.path()
        } else {
            project.path()
        };
        let path = base.join(file);
        // Someone else's hook is already there and must survive.
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(
            &path,
            format!(r#"{{"hooks": {{"{gate}": [{{"type": "command", "command": "my-linter", "bash": "my-linter"}}]}}}}"#),
        )
        .expect("existing config");
        let before = run(&["doctor", "--agent", agent], home.path(), project.path());
        assert_eq!(before.code, 1, "{agent}: {}", before.stdout);
        assert!(
            before.stdout.contains("not wired"),
            "{agent}: {}",
            before.stdout
        );

        let out = run(
            &["install", "--agent", agent, "--scope", scope],
            home.path(),
            project.path(),
        );
        assert_eq!(out.code, 0, "{agent}: {}{}", out.stdout, out.stderr);
        let doc = read(&path);
        let text = doc.to_string();
        assert!(text.contains("my-linter"), "{agent}: {doc}");
        assert!(
            text.contains(&format!("hook --agent {agent} {gate}"))
                || text.contains(&format!("\"{gate}\"]")),
            "{agent}: {doc}"
        );
        assert!(!text.contains("\"prompt\""), "{agent}: {doc}");
        let doctor = run(&["doctor", "--agent", agent], home.path(), project.path());
        assert_eq!(doctor.code, 0, "{agent}: {}", doctor.stdout);

        // Installing twice keeps one set of entries.
        let _ = run(
            &["install", "--agent", agent, "--scope", scope],
            home.path(),
            project.path(),
        );
        assert_eq!(read(&path), doc, "{agent}: install is idempotent");

        let out = run(
            &["uninstall", "--agent", agent, "--scope", scope],
            home.path(),
            project.path(),
        );
        assert_eq!(out.code, 0, "{agent}: {}", out.stderr);
        let left = read(&path).to_string();
        assert!(
            left.contains("my-linter") && !left.contains("--agent"),
            "{agent}: {left}"
        );
    }
}

#[test]
fn codex_timeouts_are_seconds_and_gemini_milliseconds() {
    let home = tempfile::tempdir().expect("home");
    let project = common::project();
    let _ = run(
        &["install", "--agent", "codex"],
        home.path(),
        project.path(),
    );
    let codex = read(&home.path().join(".codex/hooks.json"));
    assert_eq!(codex["hooks"]["PreToolUse"][0]["hooks"][0]["timeout"], 10);
    let ext = home.path().join("gemini-ext");
    let ext_s = ext.to_string_lossy().into_owned();
    let out = run(
        &["install", "--agent", "gemini", "--extension", &ext_s],
        home.path(),
        project.path(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(read(&ext.join("gemini-extension.json"))["name"], "agentops");
    let hooks = read(&ext.join("hooks/hooks.json"));
    assert_eq!(
        hooks["hooks"]["BeforeTool"][0]["hooks"][0]["timeout"],
        10_000
    );
    let out = run(
        &["uninstall", "--agent", "gemini", "--extension", &ext_s],
        home.path(),
        project.path(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!ext.exists());
}
