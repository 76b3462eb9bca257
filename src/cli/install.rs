//! `agentops install`: wire agentops into Claude Code, either as a plugin
//! directory (`claude --plugin-dir DIR`) or straight into a settings file.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use agentops_engine::wiring::{hooks_object, plugin_hooks_json, plugin_manifest};
use serde_json::{json, Value};

#[derive(clap::Args)]
pub struct Args {
    /// The plugin directory to install into (default: ./plugin).
    #[arg(long, conflicts_with = "settings")]
    pub plugin_dir: Option<PathBuf>,
    /// Register the hooks in a settings file instead: `user`
    /// ($CLAUDE_CONFIG_DIR/settings.json, else ~/.claude/settings.json) or
    /// `project` (.claude/settings.json). Running it again changes nothing;
    /// each change backs the file up first (`settings.json.agentops-backup-<time>`).
    #[arg(long, value_parser = ["user", "project"])]
    pub settings: Option<String>,
    /// Project directory for `--settings project` and the flags read
    /// (default: $CLAUDE_PROJECT_DIR, else the current directory).
    #[arg(long)]
    pub project: Option<PathBuf>,
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
#[command(group(clap::ArgGroup::new("target").required(true).args(["agent", "settings"])))]
pub struct UninstallArgs {
    /// Remove from a Claude Code settings file exactly what
    /// `install --settings` added there (hooks, and the deny rules it
    /// added); other hooks and settings are kept.
    #[arg(long, value_parser = ["user", "project"])]
    pub settings: Option<String>,
    /// Project directory for `--settings project` (default:
    /// $CLAUDE_PROJECT_DIR, else the current directory).
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// The agent to remove agentops from: codex, gemini, copilot or cursor.
    #[arg(long, value_parser = ["codex", "gemini", "copilot", "cursor"])]
    pub agent: Option<String>,
    /// With --agent: the user's configuration or the project's.
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
    let result = match (&args.agent, &args.settings) {
        (Some(agent), _) => {
            super::agent_install::uninstall(agent_of(agent), &args.scope, args.extension.as_deref())
        }
        (None, Some(scope)) => {
            let project = match super::project_dir("uninstall", &args.project) {
                Ok(p) => p,
                Err(code) => return code,
            };
            settings_path(scope, &project).and_then(|path| super::claude_settings::uninstall(&path))
        }
        (None, None) => return super::usage_error("uninstall", "name --settings or --agent"),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("agentops uninstall: {e}");
            ExitCode::from(1)
        }
    }
}

/// Whether the project's flags keep the LLM content firewall (a security
/// flag: on unless set to false).
pub fn llm_firewall_flag(project: &Path) -> bool {
    agentops_engine::load_flags(project).0.enabled(
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
    let project = match super::project_dir("install", &args.project) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let llm_firewall = !args.no_llm_firewall && llm_firewall_flag(&project);
    let result = match &args.settings {
        Some(scope) => install_settings(scope, &project, llm_firewall),
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
    let written = write_plugin_content(&dir)?;
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
        "installed agentops {} into {} ({} commands, {} agents, {} templates; {written} file(s) written)",
        env!("CARGO_PKG_VERSION"),
        dir.display(),
        count_under("commands/"),
        count_under("agents/"),
        count_under("templates/"),
    );
    println!(
        "start Claude Code with:\n  claude --plugin-dir {}",
        dir.display()
    );
    Ok(())
}

/// Write the plugin's commands, agents and templates (carried in the
/// binary) into `dir`, leaving files that already hold the same bytes
/// alone. Returns how many files were written.
fn write_plugin_content(dir: &Path) -> io::Result<usize> {
    let mut written = 0;
    for (relative, bytes) in super::plugin_content::PLUGIN_FILES {
        let path = dir.join(relative);
        if fs::read(&path).is_ok_and(|current| current == *bytes) {
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        agentops_state::replace_atomically(&path, bytes)?;
        written += 1;
    }
    Ok(written)
}

/// How many embedded plugin files live under `prefix`.
fn count_under(prefix: &str) -> usize {
    super::plugin_content::PLUGIN_FILES
        .iter()
        .filter(|(p, _)| p.starts_with(prefix))
        .count()
}

/// The plugin manifest Codex (`.codex-plugin/`) and Copilot
/// (`.github/plugin/`) prefer over `.claude-plugin/`.
fn other_agent_manifest(hooks: &str) -> Value {
    let claude = plugin_manifest();
    json!({"name": claude["name"], "version": claude["version"],
           "description": claude["description"], "hooks": hooks})
}

/// Claude Code's user configuration directory: `$CLAUDE_CONFIG_DIR`,
/// else `~/.claude`.
pub fn claude_config_dir() -> io::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CLAUDE_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".claude"))
        .ok_or_else(|| io::Error::other("HOME is not set"))
}

/// Where a settings scope lives: `user` in Claude Code's configuration
/// directory, `project` (and `local`, which only doctor reads) under the
/// project's `.claude/`.
pub fn settings_path(scope: &str, project: &Path) -> io::Result<PathBuf> {
    match scope {
        "user" => Ok(claude_config_dir()?.join("settings.json")),
        "local" => Ok(project.join(".claude/settings.local.json")),
        _ => Ok(project.join(".claude/settings.json")),
    }
}

fn install_settings(scope: &str, project: &Path, llm_firewall: bool) -> io::Result<()> {
    let path = settings_path(scope, project)?;
    let binary = fs::canonicalize(std::env::current_exe()?)?;
    let ours = hooks_object(
        &binary.to_string_lossy(),
        agentops_policies::all(),
        llm_firewall,
    );
    super::claude_settings::install(&path, &ours)?;
    println!("hooks run {}", binary.display());
    Ok(())
}
