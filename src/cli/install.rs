//! `agentops install`: wire agentops into Claude Code, either as a plugin
//! directory (`claude --plugin-dir DIR`) or straight into a settings file.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use agentops_engine::wiring::{
    hooks_object, is_agentops_handler, plugin_hooks_json, plugin_manifest,
};
use serde_json::{json, Map, Value};

#[derive(clap::Args)]
pub struct Args {
    /// The plugin directory to install into (default: ./plugin).
    #[arg(long, conflicts_with = "settings")]
    pub plugin_dir: Option<PathBuf>,
    /// Register the hooks in a settings file instead: `user`
    /// (~/.claude/settings.json) or `project` (.claude/settings.json).
    #[arg(long, value_parser = ["user", "project"])]
    pub settings: Option<String>,
    /// Leave out the LLM content firewall (a prompt hook that screens web
    /// and MCP results, one model call each). It is also left out when the
    /// project's flags set `llm_content_firewall_enabled` to false.
    #[arg(long)]
    pub no_llm_firewall: bool,
    /// Wire another agent instead: codex, gemini, copilot or cursor (its own
    /// hook configuration; see the README's section for each).
    #[arg(long, value_parser = ["codex", "gemini", "copilot", "cursor"], conflicts_with_all = ["plugin_dir", "settings"])]
    pub agent: Option<String>,
    /// With --agent: the user's configuration or the project's.
    #[arg(long, value_parser = ["user", "project"], default_value = "user")]
    pub scope: String,
    /// With --agent gemini: write a Gemini extension to this directory
    /// (then `gemini extensions link <dir>`) instead of settings hooks.
    #[arg(long)]
    pub extension: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct UninstallArgs {
    /// The agent to remove agentops from: codex, gemini, copilot or cursor.
    #[arg(long, value_parser = ["codex", "gemini", "copilot", "cursor"])]
    pub agent: String,
    /// The user's configuration or the project's.
    #[arg(long, value_parser = ["user", "project"], default_value = "user")]
    pub scope: String,
    /// With gemini: the extension directory `install --extension` wrote.
    #[arg(long)]
    pub extension: Option<PathBuf>,
}

fn agent_of(name: &str) -> agentops_agents::Agent {
    name.parse().unwrap_or(agentops_agents::Agent::Codex)
}

pub fn uninstall(args: &UninstallArgs) -> ExitCode {
    match super::agent_install::uninstall(
        agent_of(&args.agent),
        &args.scope,
        args.extension.as_deref(),
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("agentops uninstall: {e}");
            ExitCode::from(1)
        }
    }
}

/// Whether the project's flags keep the LLM content firewall (a security
/// flag: on unless set to false).
fn llm_firewall_flag() -> bool {
    let project = agentops_engine::Environment::from_process().project_dir(None);
    agentops_engine::load_flags(&project).0.enabled(
        "llm_content_firewall_enabled",
        agentops_core::FlagKind::Security,
    )
}

pub fn run(args: &Args) -> ExitCode {
    if let Some(agent) = &args.agent {
        return match super::agent_install::install(
            agent_of(agent),
            &args.scope,
            args.extension.as_deref(),
        ) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("agentops install: {e}");
                ExitCode::from(1)
            }
        };
    }
    let llm_firewall = !args.no_llm_firewall && llm_firewall_flag();
    let result = match &args.settings {
        Some(scope) => install_settings(scope, llm_firewall),
        None => install_plugin(args.plugin_dir.as_deref(), llm_firewall),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("agentops install: {e}");
            ExitCode::from(1)
        }
    }
}

fn binary_name() -> &'static str {
    if cfg!(windows) {
        "agentops.exe"
    } else {
        "agentops"
    }
}

fn write_json(path: &Path, value: &Value) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let mut text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    text.push('\n');
    agentops_state::replace_atomically(path, text.as_bytes())
}

/// Copy the running binary to `dest` (via a temporary file, so a running
/// hook never sees a half-written binary).
fn copy_self(dest: &Path) -> io::Result<()> {
    let me = std::env::current_exe()?;
    if let Some(dir) = dest.parent() {
        fs::create_dir_all(dir)?;
    }
    if fs::canonicalize(&me).ok() == fs::canonicalize(dest).ok() {
        return Ok(());
    }
    let tmp = dest.with_extension("installing");
    fs::copy(&me, &tmp)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o755))?;
    }
    fs::rename(&tmp, dest)
}

fn install_plugin(dir: Option<&Path>, llm_firewall: bool) -> io::Result<()> {
    let dir = dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("plugin"));
    fs::create_dir_all(&dir)?;
    let dir = fs::canonicalize(&dir)?;
    copy_self(&dir.join("bin").join(binary_name()))?;
    write_json(&dir.join(".claude-plugin/plugin.json"), &plugin_manifest())?;
    write_json(
        &dir.join("hooks/hooks.json"),
        &plugin_hooks_json(llm_firewall),
    )?;
    // Codex and Copilot read a Claude plugin too, but drop `args` (and
    // Copilot rejects the whole file for the prompt hook): each gets its
    // own manifest, which it prefers, naming a hooks file it accepts.
    write_json(
        &dir.join(".codex-plugin/plugin.json"),
        &other_agent_manifest("./hooks/codex-hooks.json"),
    )?;
    write_json(
        &dir.join("hooks/codex-hooks.json"),
        &agentops_agents::wiring::codex("${PLUGIN_ROOT}/bin/agentops"),
    )?;
    write_json(
        &dir.join(".github/plugin/plugin.json"),
        &other_agent_manifest("./hooks/copilot-hooks.json"),
    )?;
    write_json(
        &dir.join("hooks/copilot-hooks.json"),
        &agentops_agents::wiring::copilot("./bin/agentops", true),
    )?;
    println!(
        "installed agentops {} into {}",
        env!("CARGO_PKG_VERSION"),
        dir.display()
    );
    println!(
        "start Claude Code with:\n  claude --plugin-dir {}",
        dir.display()
    );
    Ok(())
}

/// The plugin manifest Codex (`.codex-plugin/`) and Copilot
/// (`.github/plugin/`) prefer over `.claude-plugin/`.
fn other_agent_manifest(hooks: &str) -> Value {
    let claude = plugin_manifest();
    json!({"name": claude["name"], "version": claude["version"],
           "description": claude["description"], "hooks": hooks})
}

/// Where a settings scope lives.
pub fn settings_path(scope: &str) -> io::Result<PathBuf> {
    match scope {
        "user" => std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map(|h| PathBuf::from(h).join(".claude/settings.json"))
            .ok_or_else(|| io::Error::other("HOME is not set")),
        _ => {
            let project = std::env::var_os("CLAUDE_PROJECT_DIR")
                .map(PathBuf::from)
                .map_or_else(std::env::current_dir, Ok)?;
            Ok(project.join(".claude/settings.json"))
        }
    }
}

/// Replace agentops' hook groups in a settings document, leaving every
/// other hook as it was.
pub fn merge_hooks(settings: &mut Map<String, Value>, ours: &Map<String, Value>) {
    let hooks = settings.entry("hooks").or_insert_with(|| json!({}));
    if !hooks.is_object() {
        *hooks = json!({});
    }
    let Some(hooks) = hooks.as_object_mut() else {
        return;
    };
    for groups in hooks.values_mut() {
        let Some(list) = groups.as_array_mut() else {
            continue;
        };
        for group in list.iter_mut() {
            if let Some(handlers) = group.get_mut("hooks").and_then(Value::as_array_mut) {
                handlers.retain(|h| !is_agentops_handler(h));
            }
        }
        list.retain(|g| {
            g.get("hooks")
                .and_then(Value::as_array)
                .is_none_or(|h| !h.is_empty())
        });
    }
    hooks.retain(|_, groups| groups.as_array().is_none_or(|g| !g.is_empty()));
    for (event, groups) in ours {
        let slot = hooks.entry(event.clone()).or_insert_with(|| json!([]));
        if let (Some(slot), Some(groups)) = (slot.as_array_mut(), groups.as_array()) {
            slot.extend(groups.iter().cloned());
        }
    }
}

fn install_settings(scope: &str, llm_firewall: bool) -> io::Result<()> {
    let path = settings_path(scope)?;
    let binary = fs::canonicalize(std::env::current_exe()?)?;
    let mut settings = match fs::read(&path) {
        Ok(bytes) => {
            let backup = path.with_extension(format!(
                "json.agentops-backup-{}",
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or_default()
            ));
            fs::write(&backup, &bytes)?;
            println!("backed up {} to {}", path.display(), backup.display());
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(map)) => map,
                _ => {
                    return Err(io::Error::other(format!(
                        "{} is not a JSON object; fix it or move it away first",
                        path.display()
                    )))
                }
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Map::new(),
        Err(e) => return Err(e),
    };
    let ours = hooks_object(
        &binary.to_string_lossy(),
        agentops_policies::all(),
        llm_firewall,
    );
    if let Value::Object(ours) = ours {
        merge_hooks(&mut settings, &ours);
    }
    agentops_engine::wiring::merge_deny_rules(&mut settings);
    write_json(&path, &Value::Object(settings))?;
    println!(
        "registered agentops hooks ({}) in {}",
        binary.display(),
        path.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_replaces_our_groups_and_keeps_others() {
        let mut settings = json!({
            "model": "x",
            "hooks": {
                "PreToolUse": [
                    {"matcher": "Bash", "hooks": [{"type": "command", "command": "/old/agentops", "args": ["hook", "PreToolUse"]}]},
                    {"matcher": "Edit", "hooks": [{"type": "command", "command": "prettier --write"}]}
                ],
                "Stop": [{"hooks": [{"type": "command", "command": "/old/agentops", "args": ["hook", "Stop"]}]}]
            }
        });
        let ours = json!({"PreToolUse": [{"matcher": "Bash|Read", "hooks": [{"type": "command", "command": "/new/agentops", "args": ["hook", "PreToolUse"]}]}]});
        let (Value::Object(s), Value::Object(o)) = (&mut settings, &ours) else {
            panic!("objects")
        };
        merge_hooks(s, o);
        assert_eq!(settings["model"], "x");
        let pre = settings["hooks"]["PreToolUse"].as_array().expect("array");
        assert_eq!(pre.len(), 2);
        assert_eq!(pre[0]["hooks"][0]["command"], "prettier --write");
        assert_eq!(pre[1]["hooks"][0]["command"], "/new/agentops");
        assert!(
            settings["hooks"].get("Stop").is_none(),
            "stale agentops-only event removed"
        );
    }
}
