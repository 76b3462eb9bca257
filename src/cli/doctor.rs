//! `agentops doctor`: check that agentops is installed, wired and
//! configured correctly, and say how to fix each problem.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use agentops_core::{Flags, HookEvent};
use agentops_engine::wiring::{is_agentops_handler, plugin_hooks_json};
use serde_json::Value;

use super::install::settings_path;

#[derive(clap::Args)]
pub struct Args {
    /// The plugin directory to check (default: $CLAUDE_PLUGIN_ROOT, else ./plugin).
    #[arg(long)]
    pub plugin_dir: Option<PathBuf>,
    /// Check another agent's wiring instead: codex, gemini, copilot or cursor.
    #[arg(long, value_parser = ["codex", "gemini", "copilot", "cursor"])]
    pub agent: Option<String>,
}

/// One check's result.
struct Check {
    name: String,
    problem: Option<(String, String)>,
}

impl Check {
    fn ok(name: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            problem: None,
        }
    }
    fn fail(name: impl Into<String>, problem: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            problem: Some((problem.into(), fix.into())),
        }
    }
}

fn read_json(path: &Path) -> Result<Value, String> {
    let bytes = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
}

fn version_of(binary: &Path) -> Option<String> {
    let out = Command::new(binary).arg("--version").output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    text.split_whitespace().nth(1).map(str::to_string)
}

/// Check every agentops handler of a `hooks` object: real event names,
/// `hook <Event>` arguments that match the key, a binary that exists.
fn check_handlers(hooks: &Value, resolve: &dyn Fn(&str) -> PathBuf) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(events) = hooks.as_object() else {
        return vec!["`hooks` is not an object".into()];
    };
    for (event, groups) in events {
        let ours: Vec<&Value> = groups
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|g| g.get("hooks").and_then(Value::as_array))
            .flatten()
            .filter(|h| is_agentops_handler(h))
            .collect();
        if ours.is_empty() {
            continue;
        }
        if event.parse::<HookEvent>().is_err() {
            problems.push(format!("`{event}` is not a Claude Code hook event"));
        }
        for handler in ours {
            let args: Vec<&str> = handler["args"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if args.get(1) != Some(&event.as_str()) {
                problems.push(format!(
                    "the {event} handler runs `agentops {}`",
                    args.join(" ")
                ));
            }
            let command = handler["command"].as_str().unwrap_or_default();
            let path = resolve(command);
            if !path.is_file() {
                problems.push(format!(
                    "{event} runs {}, which does not exist",
                    path.display()
                ));
            }
        }
    }
    problems
}

fn check_plugin(dir: &Path) -> Vec<Check> {
    let mut checks = Vec::new();
    let ours = env!("CARGO_PKG_VERSION");
    match read_json(&dir.join(".claude-plugin/plugin.json")) {
        Ok(manifest) if manifest["name"] == "agentops" && manifest["version"] == ours => {
            checks.push(Check::ok("plugin manifest"));
        }
        Ok(manifest) => checks.push(Check::fail(
            "plugin manifest",
            format!(
                "manifest says {} {}, this binary is {ours}",
                manifest["name"], manifest["version"]
            ),
            format!("agentops install --plugin-dir {}", dir.display()),
        )),
        Err(e) => checks.push(Check::fail(
            "plugin manifest",
            e,
            format!("agentops install --plugin-dir {}", dir.display()),
        )),
    }
    let bin = dir.join("bin").join(if cfg!(windows) {
        "agentops.exe"
    } else {
        "agentops"
    });
    match version_of(&bin) {
        Some(v) if v == ours => checks.push(Check::ok("plugin binary")),
        Some(v) => checks.push(Check::fail(
            "plugin binary",
            format!("{} is version {v}, this binary is {ours}", bin.display()),
            format!("agentops install --plugin-dir {}", dir.display()),
        )),
        None => checks.push(Check::fail(
            "plugin binary",
            format!("{} is missing or does not run", bin.display()),
            format!(
                "cargo build --release && target/release/agentops install --plugin-dir {}",
                dir.display()
            ),
        )),
    }
    match read_json(&dir.join("hooks/hooks.json")) {
        Ok(wiring) => {
            let root = dir.to_path_buf();
            let resolve = move |c: &str| {
                PathBuf::from(c.replace("${CLAUDE_PLUGIN_ROOT}", &root.to_string_lossy()))
            };
            let mut problems = check_handlers(&wiring["hooks"], &resolve);
            let current = plugin_hooks_json(false);
            let with_firewall = plugin_hooks_json(true);
            if wiring != current && wiring != with_firewall {
                problems.push("hooks.json differs from what this binary's policies need".into());
            }
            checks.push(match problems.is_empty() {
                true => Check::ok("plugin hook wiring"),
                false => Check::fail(
                    "plugin hook wiring",
                    problems.join("; "),
                    format!("agentops install --plugin-dir {}", dir.display()),
                ),
            });
        }
        Err(e) => checks.push(Check::fail(
            "plugin hook wiring",
            e,
            format!("agentops install --plugin-dir {}", dir.display()),
        )),
    }
    checks
}

fn check_settings(scope: &str) -> Option<Check> {
    let path = settings_path(scope).ok()?;
    let settings = match read_json(&path) {
        Ok(v) => v,
        Err(_) if !path.exists() => return None,
        Err(e) => {
            return Some(Check::fail(
                format!("{scope} settings"),
                e,
                format!("fix or move away {}", path.display()),
            ))
        }
    };
    let hooks = settings.get("hooks")?;
    let has_ours = hooks
        .as_object()?
        .values()
        .flat_map(|g| g.as_array().into_iter().flatten())
        .filter_map(|g| g.get("hooks").and_then(Value::as_array))
        .flatten()
        .any(is_agentops_handler);
    if !has_ours {
        return None;
    }
    let problems = check_handlers(hooks, &|c: &str| PathBuf::from(c));
    Some(match problems.is_empty() {
        true => Check::ok(format!("{scope} settings wiring")),
        false => Check::fail(
            format!("{scope} settings wiring"),
            problems.join("; "),
            format!("agentops install --settings {scope}"),
        ),
    })
}

fn check_flags() -> Check {
    let project = agentops_engine::Environment::from_process().project_dir(None);
    let path = project.join(".agentops/flags.json");
    match fs::read(&path) {
        Err(_) => Check::ok("flags (defaults)"),
        Ok(bytes) => match Flags::parse(&bytes).problem {
            None => Check::ok("flags"),
            Some(p) => Check::fail(
                "flags",
                format!("{}: {p}", path.display()),
                "fix the JSON, or reset it with `agentops config preset standard`",
            ),
        },
    }
}

pub fn run(args: &Args) -> ExitCode {
    let mut checks = vec![Check::ok(format!(
        "binary agentops {}",
        env!("CARGO_PKG_VERSION")
    ))];
    if let Some(agent) = &args.agent {
        let agent: agentops_agents::Agent = agent.parse().unwrap_or(agentops_agents::Agent::Codex);
        let problems = super::agent_install::doctor(agent);
        if problems.is_empty() {
            checks.push(Check::ok(format!("{agent} hooks run agentops")));
        }
        for (problem, fix) in problems {
            checks.push(Check::fail(format!("{agent} wiring"), problem, fix));
        }
        return report(&checks);
    }
    let plugin_dir = args
        .plugin_dir
        .clone()
        .or_else(|| std::env::var_os("CLAUDE_PLUGIN_ROOT").map(PathBuf::from))
        .or_else(|| Some(PathBuf::from("plugin")).filter(|p| p.join(".claude-plugin").is_dir()));
    let mut wired = false;
    if let Some(dir) = &plugin_dir {
        let plugin_checks = check_plugin(dir);
        wired |= plugin_checks.iter().all(|c| c.problem.is_none());
        checks.extend(plugin_checks);
    }
    for scope in ["user", "project"] {
        if let Some(c) = check_settings(scope) {
            wired |= c.problem.is_none();
            checks.push(c);
        }
    }
    if !wired && plugin_dir.is_none() {
        checks.push(Check::fail("wiring", "agentops is not wired into Claude Code", "agentops install  (then: claude --plugin-dir plugin), or agentops install --settings user"));
    }
    checks.push(check_flags());
    report(&checks)
}

fn report(checks: &[Check]) -> ExitCode {
    let mut failed = 0;
    for check in checks {
        match &check.problem {
            None => println!("ok    {}", check.name),
            Some((problem, fix)) => {
                failed += 1;
                println!("FAIL  {}: {problem}\n      fix: {fix}", check.name);
            }
        }
    }
    if failed == 0 {
        println!("all {} checks passed", checks.len());
        ExitCode::SUCCESS
    } else {
        println!("{failed} of {} checks failed", checks.len());
        ExitCode::from(1)
    }
}
