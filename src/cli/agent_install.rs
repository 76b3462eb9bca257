//! `agentops install|uninstall|doctor --agent <codex|gemini|copilot|cursor>`:
//! each agent's own hook configuration, written, removed and checked. The
//! entries themselves come from `agentops_agents::wiring`; this module
//! knows where each agent looks and does the file I/O.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use agentops_agents::{wiring, Agent};
use serde_json::{json, Value};

/// Where agentops' hooks for an agent live, per scope.
pub fn config_path(agent: Agent, scope: &str) -> io::Result<PathBuf> {
    let home = || {
        std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map(PathBuf::from)
            .ok_or_else(|| io::Error::other("HOME is not set"))
    };
    let from_env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let project = || -> io::Result<PathBuf> {
        from_env("CLAUDE_PROJECT_DIR").map_or_else(std::env::current_dir, Ok)
    };
    let user = scope == "user";
    Ok(match agent {
        Agent::Codex if user => from_env("CODEX_HOME")
            .map_or_else(|| home().map(|h| h.join(".codex")), Ok)?
            .join("hooks.json"),
        Agent::Codex => project()?.join(".codex/hooks.json"),
        Agent::Gemini if user => from_env("GEMINI_CLI_HOME")
            .map_or_else(home, Ok)?
            .join(".gemini/settings.json"),
        Agent::Gemini => project()?.join(".gemini/settings.json"),
        Agent::Copilot if user => from_env("COPILOT_HOME")
            .map_or_else(|| home().map(|h| h.join(".copilot")), Ok)?
            .join("hooks/agentops.json"),
        Agent::Copilot => project()?.join(".github/hooks/agentops.json"),
        Agent::Cursor if user => home()?.join(".cursor/hooks.json"),
        Agent::Cursor => project()?.join(".cursor/hooks.json"),
        Agent::Claude => {
            return Err(io::Error::other(
                "Claude Code is installed with `agentops install` (plugin) or `--settings`",
            ))
        }
    })
}

/// agentops' entries for an agent, running `binary`.
pub fn entries(agent: Agent, binary: &str) -> Value {
    match agent {
        Agent::Codex => wiring::codex(binary),
        Agent::Gemini => wiring::gemini(binary),
        Agent::Copilot => wiring::copilot(binary, true),
        Agent::Cursor => wiring::cursor(binary),
        Agent::Claude => json!({}),
    }
}

fn read_doc(path: &Path) -> io::Result<Value> {
    match fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            io::Error::other(format!(
                "{} is not valid JSON ({e}); fix it or move it away first",
                path.display()
            ))
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(json!({})),
        Err(e) => Err(e),
    }
}

fn write_doc(path: &Path, doc: &Value) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let mut text = serde_json::to_string_pretty(doc).map_err(io::Error::other)?;
    text.push('\n');
    agentops_state::replace_atomically(path, text.as_bytes())
}

fn this_binary() -> io::Result<String> {
    Ok(fs::canonicalize(std::env::current_exe()?)?
        .to_string_lossy()
        .into_owned())
}

/// Write agentops' hooks into the agent's configuration (replacing earlier
/// agentops entries, keeping everything else).
pub fn install(agent: Agent, scope: &str, extension: Option<&Path>) -> io::Result<()> {
    let binary = this_binary()?;
    if let (Agent::Gemini, Some(dir)) = (agent, extension) {
        write_doc(
            &dir.join("gemini-extension.json"),
            &wiring::gemini_manifest(env!("CARGO_PKG_VERSION")),
        )?;
        write_doc(&dir.join("hooks/hooks.json"), &wiring::gemini(&binary))?;
        println!("wrote the agentops Gemini extension to {}", dir.display());
        println!("load it with:\n  gemini extensions link {}", dir.display());
        return Ok(());
    }
    let path = config_path(agent, scope)?;
    let mut doc = read_doc(&path)?;
    wiring::merge(&mut doc, &entries(agent, &binary));
    write_doc(&path, &doc)?;
    println!("wired agentops into {agent} at {}", path.display());
    match agent {
        Agent::Codex => println!(
            "Codex runs hooks only once you trust them: open /hooks in Codex and trust the agentops entries (codex exec skips untrusted hooks silently)."
        ),
        Agent::Cursor => println!("Cursor reloads hooks.json by itself; the gates fail closed (failClosed)."),
        _ => {}
    }
    Ok(())
}

/// Remove agentops' hooks from the agent's configuration (and the Gemini
/// extension directory it wrote).
pub fn uninstall(agent: Agent, scope: &str, extension: Option<&Path>) -> io::Result<()> {
    if let (Agent::Gemini, Some(dir)) = (agent, extension) {
        let manifest = read_doc(&dir.join("gemini-extension.json"))?;
        if manifest.get("name").and_then(Value::as_str) != Some("agentops") {
            return Err(io::Error::other(format!(
                "{} is not the agentops extension",
                dir.display()
            )));
        }
        fs::remove_dir_all(dir)?;
        println!("removed {}", dir.display());
        return Ok(());
    }
    let path = config_path(agent, scope)?;
    let mut doc = read_doc(&path)?;
    let removed = wiring::remove_agentops(&mut doc);
    if removed > 0 {
        write_doc(&path, &doc)?;
    }
    println!(
        "removed {removed} agentops hook entries from {}",
        path.display()
    );
    Ok(())
}

/// Problems with an agent's wiring, each with its fix; empty when fine.
pub fn doctor(agent: Agent) -> Vec<(String, String)> {
    let gate = match agent {
        Agent::Codex => "PreToolUse",
        Agent::Gemini => "BeforeTool",
        Agent::Copilot => "preToolUse",
        Agent::Cursor => "beforeShellExecution",
        Agent::Claude => return Vec::new(),
    };
    let mut problems = Vec::new();
    let mut wired = false;
    for scope in ["user", "project"] {
        let Ok(path) = config_path(agent, scope) else {
            continue;
        };
        let doc = match read_doc(&path) {
            Ok(d) => d,
            Err(e) => {
                problems.push((
                    e.to_string(),
                    format!("fix {} or move it away", path.display()),
                ));
                continue;
            }
        };
        let Some(hooks) = doc.get("hooks").and_then(Value::as_object) else {
            continue;
        };
        if agent == Agent::Copilot && doc.to_string().contains("\"type\":\"prompt\"") {
            problems.push((
                format!(
                    "{} holds a prompt hook, so Copilot rejects the whole file",
                    path.display()
                ),
                "remove the prompt entry".into(),
            ));
        }
        let ours: Vec<&Value> = hooks
            .get(gate)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .flat_map(|e| match e.get("hooks").and_then(Value::as_array) {
                Some(inner) => inner.iter().collect::<Vec<_>>(),
                None => vec![e],
            })
            .filter(|h| wiring::is_agentops_entry(h))
            .collect();
        for handler in ours {
            wired = true;
            let program = program_of(handler);
            if !Path::new(&program).is_file() {
                problems.push((
                    format!("{} runs {program}, which does not exist", path.display()),
                    format!("agentops install --agent {agent} --scope {scope}"),
                ));
            }
        }
    }
    if !wired {
        problems.push((
            format!("agentops is not wired into {agent} ({gate} has no agentops hook)"),
            format!("agentops install --agent {agent}"),
        ));
    }
    problems
}

/// The program a hook entry runs: `exec`, or the first word of the shell
/// command (unquoted).
fn program_of(handler: &Value) -> String {
    if let Some(exec) = handler.get("exec").and_then(Value::as_str) {
        return exec.to_string();
    }
    let command = ["command", "bash"]
        .iter()
        .find_map(|k| handler.get(*k).and_then(Value::as_str))
        .unwrap_or_default()
        .trim_start();
    match command.chars().next() {
        Some(q @ ('\'' | '"')) => command[1..].split(q).next().unwrap_or_default().to_string(),
        _ => command
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}
