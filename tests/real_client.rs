//! The plugin in the real Claude Code client (npm
//! `@anthropic-ai/claude-code-linux-x64@2.1.332`, which `.ci/run` installs
//! into a cache and names in `AGENTOPS_CLAUDE_BIN`): it validates strictly,
//! the repository root is a marketplace it installs from, and the client
//! loads every command, agent and hook the plugin ships.
//!
//! Without `AGENTOPS_CLAUDE_BIN` the tests say SKIPPED and pass, except
//! under `CI`, where the client must be there.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn client() -> Option<PathBuf> {
    let bin = std::env::var_os("AGENTOPS_CLAUDE_BIN").map(PathBuf::from);
    match bin.filter(|b| b.is_file()) {
        Some(bin) => Some(bin),
        None => {
            // Straight to the stream, not through `eprintln!`, which the
            // test harness captures: a skip must be seen.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: AGENTOPS_CLAUDE_BIN does not name the Claude Code binary (see .ci/run)"
            );
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must provide the Claude Code client (see .ci/run)"
            );
            None
        }
    }
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Run the client with a fresh home, so no user settings or plugins leak in.
fn claude(bin: &Path, home: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(bin)
        .args(args)
        .current_dir(repo())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("CLAUDE_CONFIG_DIR", home.join(".claude"))
        .output()
        .expect("run claude");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn the_plugin_passes_strict_validation() {
    let Some(bin) = client() else { return };
    let home = tempfile::tempdir().expect("home");
    let (ok, out) = claude(
        &bin,
        home.path(),
        &["plugin", "validate", "--strict", "plugin"],
    );
    assert!(ok && out.contains("Validation passed"), "{out}");
}

#[test]
fn the_repository_is_a_marketplace_and_the_client_loads_everything() {
    let Some(bin) = client() else { return };
    let home = tempfile::tempdir().expect("home");
    let root = repo().to_string_lossy().into_owned();
    let (ok, out) = claude(&bin, home.path(), &["plugin", "marketplace", "add", &root]);
    assert!(ok, "{out}");
    let (ok, out) = claude(
        &bin,
        home.path(),
        &["plugin", "install", "agentops@agentops"],
    );
    assert!(ok, "{out}");
    let (ok, details) = claude(
        &bin,
        home.path(),
        &["plugin", "details", "agentops@agentops"],
    );
    assert!(ok, "{details}");
    let commands = std::fs::read_dir(repo().join("plugin/commands"))
        .expect("commands")
        .count();
    assert_eq!(commands, 37);
    assert!(details.contains("Skills (37)"), "{details}");
    assert!(details.contains("Agents (12)"), "{details}");
    let hooks: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("plugin/hooks/hooks.json")).expect("hooks.json"),
    )
    .expect("hooks.json is JSON");
    let events: Vec<&String> = hooks["hooks"]
        .as_object()
        .expect("hooks object")
        .keys()
        .collect();
    assert!(
        details.contains(&format!("Hooks ({})", events.len())),
        "{details}"
    );
    let line = details
        .lines()
        .find(|l| l.trim_start().starts_with("Hooks ("))
        .expect("a hooks line");
    for event in events {
        assert!(line.contains(event.as_str()), "{event} not loaded: {line}");
    }
}
