//! `agentops doctor`: check that agentops is installed, wired and
//! configured correctly, and say how to fix each problem: a plugin that is
//! incomplete or out of date, settings that run a binary that is missing
//! or older than this one, the hooks wired in more than one place (every
//! hook would run once per place), and flags the wiring contradicts.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use agentops_core::{FlagKind, Flags, HookEvent};
use agentops_engine::wiring::{is_agentops_handler, plugin_hooks_json};
use serde_json::{json, Value};

use super::install::settings_path;
use super::output::{paint, Style};

#[derive(clap::Args)]
pub struct Args {
    /// The plugin directory to check (default: $CLAUDE_PLUGIN_ROOT, else ./plugin).
    #[arg(long)]
    pub plugin_dir: Option<PathBuf>,
    /// Check another agent's wiring instead: codex, gemini, copilot or cursor.
    #[arg(long, value_parser = ["codex", "gemini", "copilot", "cursor"])]
    pub agent: Option<String>,
    /// Print one JSON object: `ok` and every check with its problem and fix.
    #[arg(long)]
    pub json: bool,
    /// Project directory whose settings and flags are checked (default:
    /// $CLAUDE_PROJECT_DIR, else the current directory).
    #[arg(long)]
    pub project: Option<PathBuf>,
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

/// agentops' handlers in a `hooks` object, by event.
fn our_handlers(hooks: &Value) -> BTreeMap<String, Vec<&Value>> {
    let mut by_event = BTreeMap::new();
    for (event, groups) in hooks.as_object().into_iter().flatten() {
        let ours: Vec<&Value> = groups
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|g| g.get("hooks").and_then(Value::as_array))
            .flatten()
            .filter(|h| is_agentops_handler(h))
            .collect();
        if !ours.is_empty() {
            by_event.insert(event.clone(), ours);
        }
    }
    by_event
}

/// How many LLM firewall prompt hooks a `hooks` object holds.
fn prompt_hooks(hooks: &Value) -> usize {
    hooks
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(_, groups)| groups.as_array().into_iter().flatten())
        .filter_map(|g| g.get("hooks").and_then(Value::as_array))
        .flatten()
        .filter(|h| {
            super::claude_settings::is_ours(h, &Default::default()) && !is_agentops_handler(h)
        })
        .count()
}

/// Check every agentops handler of a `hooks` object: real event names,
/// `hook <Event>` arguments that match the key, a binary that exists.
fn check_handlers(hooks: &Value, resolve: &dyn Fn(&str) -> PathBuf) -> Vec<String> {
    let mut problems = Vec::new();
    if !hooks.is_object() {
        return vec!["`hooks` is not an object".into()];
    }
    for (event, ours) in our_handlers(hooks) {
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

/// The parts of the plugin `install` writes besides the wiring, each with
/// a file that must be there.
const PLUGIN_CONTENT: &[(&str, &str)] = &[
    ("commands", "commands/plan.md"),
    ("agents", "agents/code-critic.md"),
    ("templates", "templates/tech-catalog.json"),
];

fn check_plugin(dir: &Path) -> Vec<Check> {
    let mut checks = Vec::new();
    let ours = env!("CARGO_PKG_VERSION");
    let reinstall = format!("agentops install --plugin-dir {}", dir.display());
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
            reinstall.clone(),
        )),
        Err(e) => checks.push(Check::fail("plugin manifest", e, reinstall.clone())),
    }
    let missing: Vec<&str> = PLUGIN_CONTENT
        .iter()
        .filter(|(_, file)| !dir.join(file).is_file())
        .map(|(part, _)| *part)
        .collect();
    checks.push(if missing.is_empty() {
        Check::ok("plugin commands, agents and templates")
    } else {
        Check::fail(
            "plugin content",
            format!("{} has no {}", dir.display(), missing.join(", ")),
            reinstall.clone(),
        )
    });
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
            reinstall.clone(),
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
                false => Check::fail("plugin hook wiring", problems.join("; "), reinstall),
            });
        }
        Err(e) => checks.push(Check::fail("plugin hook wiring", e, reinstall)),
    }
    checks
}

/// One place that wires agentops into Claude Code.
struct Wiring {
    /// Where, for people: `plugin agentops@agentops`, `~/.claude/settings.json`.
    place: String,
    /// The command that removes it.
    removal: String,
    /// agentops handlers per event.
    handlers: BTreeMap<String, usize>,
    /// LLM firewall prompt hooks.
    prompts: usize,
}

/// A settings file of one scope, if it exists.
struct Settings {
    scope: &'static str,
    path: PathBuf,
    doc: Result<Value, String>,
}

/// The settings files that exist, each once: in the home directory the
/// project's settings file is the user's.
fn settings_files(project: &Path) -> Vec<Settings> {
    let mut seen = Vec::new();
    ["user", "project", "local"]
        .into_iter()
        .filter_map(|scope| {
            let path = settings_path(scope, project).ok()?;
            let real = fs::canonicalize(&path).ok()?;
            if seen.contains(&real) {
                return None;
            }
            seen.push(real);
            Some(Settings {
                scope,
                doc: read_json(&path),
                path,
            })
        })
        .collect()
}

/// The agentops plugin an `enabledPlugins` entry turns on, with the file
/// that says so; the most local setting wins, as in Claude Code.
fn enabled_plugin(files: &[Settings]) -> Option<(String, PathBuf)> {
    let mut enabled = None;
    for file in files {
        let Ok(doc) = &file.doc else { continue };
        for (name, on) in doc
            .get("enabledPlugins")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if name.split('@').next() == Some("agentops") {
                enabled = (on == &Value::Bool(true)).then(|| (name.clone(), file.path.clone()));
            }
        }
    }
    enabled
}

fn removal_for(scope: &str, path: &Path) -> String {
    match scope {
        "local" => format!("remove agentops' hooks from {}", path.display()),
        _ => format!("agentops uninstall --settings {scope}"),
    }
}

/// The settings file's wiring checks (handlers, binary) and its wiring.
fn check_settings(file: &Settings, this: &Path) -> (Vec<Check>, Option<Wiring>) {
    let name = format!("{} settings wiring", file.scope);
    let doc = match &file.doc {
        Ok(v) => v,
        Err(e) => {
            return (
                vec![Check::fail(
                    name,
                    e.clone(),
                    format!("fix or move away {}", file.path.display()),
                )],
                None,
            )
        }
    };
    let hooks = doc.get("hooks").cloned().unwrap_or(Value::Null);
    let ours = our_handlers(&hooks);
    let prompts = prompt_hooks(&hooks);
    if ours.is_empty() && prompts == 0 {
        return (Vec::new(), None);
    }
    let reinstall = format!("agentops install --settings {}", file.scope);
    let mut checks = Vec::new();
    let problems = check_handlers(&hooks, &|c: &str| PathBuf::from(c));
    checks.push(match problems.is_empty() {
        true => Check::ok(name),
        false => Check::fail(name, problems.join("; "), reinstall.clone()),
    });
    let binaries: std::collections::BTreeSet<&str> = ours
        .values()
        .flatten()
        .filter_map(|h| h["command"].as_str())
        .collect();
    for binary in binaries {
        if let Some(problem) = stale(Path::new(binary), this) {
            checks.push(Check::fail(
                format!("{} settings binary", file.scope),
                problem,
                reinstall.clone(),
            ));
        }
    }
    if doc.get("disableAllHooks") == Some(&Value::Bool(true)) {
        checks.push(Check::fail(
            format!("{} settings", file.scope),
            format!(
                "{} sets disableAllHooks, so no agentops hook runs",
                file.path.display()
            ),
            format!("remove disableAllHooks from {}", file.path.display()),
        ));
    }
    let wiring = Wiring {
        place: file.path.display().to_string(),
        removal: removal_for(file.scope, &file.path),
        handlers: ours.iter().map(|(e, h)| (e.clone(), h.len())).collect(),
        prompts,
    };
    (checks, Some(wiring))
}

/// Why a wired binary other than this one is stale: a different version,
/// or older than this binary. `None` when it is this binary, or missing
/// (reported by the handler check).
fn stale(wired: &Path, this: &Path) -> Option<String> {
    if !wired.is_file() || fs::canonicalize(wired).ok().as_deref() == Some(this) {
        return None;
    }
    let ours = env!("CARGO_PKG_VERSION");
    match version_of(wired) {
        None => return Some(format!("{} does not run", wired.display())),
        Some(v) if v != ours => {
            return Some(format!(
                "the hooks run {} (version {v}); this binary is {ours}",
                wired.display()
            ))
        }
        Some(_) => {}
    }
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(wired), modified(this)) {
        (Some(w), Some(t)) if w < t => Some(format!(
            "the hooks run {}, which is older than this binary ({})",
            wired.display(),
            this.display()
        )),
        _ => None,
    }
}

/// The same hook wired in more than one place runs once per place.
fn check_duplicates(wirings: &[Wiring]) -> Check {
    let mut runs: BTreeMap<&str, Vec<&Wiring>> = BTreeMap::new();
    for w in wirings {
        for (event, n) in &w.handlers {
            for _ in 0..*n {
                runs.entry(event).or_default().push(w);
            }
        }
    }
    let repeated: Vec<(&str, usize)> = runs
        .iter()
        .filter(|(_, places)| places.len() > 1)
        .map(|(event, places)| (*event, places.len()))
        .collect();
    let prompts: usize = wirings.iter().map(|w| w.prompts).sum();
    if repeated.is_empty() && prompts <= 1 {
        return Check::ok("wired once");
    }
    let places: Vec<&str> = wirings
        .iter()
        .filter(|w| !w.handlers.is_empty() || w.prompts > 0)
        .map(|w| w.place.as_str())
        .collect();
    let most = repeated.iter().map(|(_, n)| *n).max().unwrap_or(prompts);
    // The gate first: that is the one people notice.
    let mut events: Vec<&str> = repeated.iter().map(|(e, _)| *e).collect();
    events.sort_by_key(|e| *e != "PreToolUse");
    events.truncate(4);
    let mut problem = format!(
        "agentops is wired {} time(s) ({}): every hook runs up to {most} times",
        places.len(),
        places.join(", ")
    );
    if !events.is_empty() {
        problem.push_str(&format!(" (e.g. {})", events.join(", ")));
    }
    if prompts > 1 {
        problem.push_str(&format!("; the LLM firewall prompt runs {prompts} times"));
    }
    // Keep the first place (the plugin when it is on), remove the rest.
    let fixes: Vec<&str> = if places.len() > 1 {
        wirings.iter().skip(1).map(|w| w.removal.as_str()).collect()
    } else {
        wirings.iter().map(|w| w.removal.as_str()).collect()
    };
    let fix = if places.len() > 1 {
        format!("keep {}; {}", places[0], fixes.join("; "))
    } else {
        format!("reinstall to collapse the duplicates: {}", fixes.join("; "))
    };
    Check::fail("duplicate wiring", problem, fix)
}

fn load_flags(project: &Path) -> (Check, Flags) {
    let path = project.join(".agentops/flags.json");
    match fs::read(&path) {
        Err(_) => (Check::ok("flags (defaults)"), Flags::default()),
        Ok(bytes) => {
            let flags = Flags::parse(&bytes);
            let check = match &flags.problem {
                None => Check::ok("flags"),
                Some(p) => Check::fail(
                    "flags",
                    format!("{}: {p}", path.display()),
                    "fix the JSON, or reset it with `agentops config preset standard`",
                ),
            };
            (check, flags)
        }
    }
}

/// Flags that say one thing while the wiring does another.
fn check_flags_against_wiring(flags: &Flags, wirings: &[Wiring]) -> Check {
    let firewall_on = flags.enabled("llm_content_firewall_enabled", FlagKind::Security);
    let prompted: Vec<&Wiring> = wirings.iter().filter(|w| w.prompts > 0).collect();
    if !firewall_on && !prompted.is_empty() {
        let places: Vec<&str> = prompted.iter().map(|w| w.place.as_str()).collect();
        let fixes: Vec<String> = prompted
            .iter()
            .map(|w| w.removal.replace("uninstall", "install"))
            .collect();
        return Check::fail(
            "flags and wiring",
            format!(
                "llm_content_firewall_enabled is false, but {} still wire(s) its prompt hook (one model call per web or MCP result)",
                places.join(", ")
            ),
            format!("reinstall without it: {}", fixes.join("; ")),
        );
    }
    Check::ok("flags agree with the wiring")
}

pub fn run(args: &Args) -> ExitCode {
    let project = match super::project_dir("doctor", &args.project) {
        Ok(p) => p,
        Err(code) => return code,
    };
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
        return report(&checks, args.json);
    }
    let this = std::env::current_exe()
        .and_then(fs::canonicalize)
        .unwrap_or_default();
    let files = settings_files(&project);
    let mut wirings = Vec::new();
    // The plugin counts as wiring when it is known to be loaded: doctor
    // runs inside it (CLAUDE_PLUGIN_ROOT), or a settings file enables it.
    // A directory named with --plugin-dir is checked, but may just sit
    // there.
    let loaded_dir = std::env::var_os("CLAUDE_PLUGIN_ROOT")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from);
    let enabled = enabled_plugin(&files);
    let plugin_dir = args
        .plugin_dir
        .clone()
        .or_else(|| loaded_dir.clone())
        .or_else(|| Some(project.join("plugin")).filter(|p| p.join(".claude-plugin").is_dir()));
    let mut plugin_ok = false;
    if let Some(dir) = &plugin_dir {
        let plugin_checks = check_plugin(dir);
        plugin_ok = plugin_checks.iter().all(|c| c.problem.is_none());
        checks.extend(plugin_checks);
    }
    if loaded_dir.is_some() || enabled.is_some() {
        let hooks = plugin_dir
            .as_ref()
            .and_then(|d| read_json(&d.join("hooks/hooks.json")).ok())
            .unwrap_or_else(|| plugin_hooks_json(true))["hooks"]
            .clone();
        let (place, removal) = match &enabled {
            Some((name, file)) => (
                format!("plugin {name}"),
                format!(
                    "claude plugin disable {name} (enabled in {})",
                    file.display()
                ),
            ),
            None => (
                "the plugin loaded with --plugin-dir".to_string(),
                "start Claude Code without --plugin-dir".to_string(),
            ),
        };
        wirings.push(Wiring {
            place,
            removal,
            handlers: our_handlers(&hooks)
                .iter()
                .map(|(e, h)| (e.clone(), h.len()))
                .collect(),
            prompts: prompt_hooks(&hooks),
        });
    }
    for file in &files {
        let (file_checks, wiring) = check_settings(file, &this);
        checks.extend(file_checks);
        wirings.extend(wiring);
    }
    if wirings.is_empty() && !plugin_ok {
        checks.push(Check::fail(
            "wiring",
            "agentops is not wired into Claude Code",
            "agentops install  (then: claude --plugin-dir plugin), or agentops install --settings user",
        ));
    } else if !wirings.is_empty() {
        checks.push(check_duplicates(&wirings));
    }
    let (flags_check, flags) = load_flags(&project);
    checks.push(flags_check);
    checks.push(check_flags_against_wiring(&flags, &wirings));
    checks.extend(check_exceptions(&project));
    for (valid, line) in super::custom_rules::doctor_lines(&project) {
        checks.push(if valid {
            Check::ok(line)
        } else {
            Check::fail(
                "custom rules",
                line,
                "fix the file (`agentops rules check` lists every problem with its line)",
            )
        });
    }
    report(&checks, args.json)
}

/// Exceptions per scope: how many, how many expired, which relax
/// hard-list rules. A project exception to a hard-list rule is a problem:
/// it is ignored, and may have come with the project's files.
fn check_exceptions(project: &Path) -> Vec<Check> {
    let home = agentops_engine::Environment::from_process().home;
    let (rows, problems) = super::allow::all(project, home.as_deref(), super::now_secs());
    let mut checks: Vec<Check> = problems
        .into_iter()
        .map(|p| {
            Check::fail(
                "exceptions",
                format!("{p}; none of its exceptions apply"),
                "fix or remove the file (agentops allow list shows what is read)",
            )
        })
        .collect();
    for scope in ["project", "user"] {
        let mine: Vec<&Value> = rows.iter().filter(|r| r["scope"] == scope).collect();
        if mine.is_empty() {
            continue;
        }
        let expired = mine.iter().filter(|r| r["expired"] == true).count();
        let hard: Vec<String> = mine
            .iter()
            .filter(|r| {
                r["rule"]
                    .as_str()
                    .is_some_and(agentops_policies::exceptions::on_hard_list)
            })
            .map(|r| format!("{} ({})", r["rule"].as_str().unwrap_or("?"), r["index"]))
            .collect();
        let mut name = format!("{scope} exceptions: {} ({expired} expired)", mine.len());
        if scope == "user" && !hard.is_empty() {
            name += &format!(", relaxing hard-list rules {}", hard.join(", "));
        }
        if scope == "project" && !hard.is_empty() {
            checks.push(Check::fail(
                name,
                format!(
                    "project exceptions to hard-list rules are ignored: {}",
                    hard.join(", ")
                ),
                "agentops allow remove <N>; if the exception is wanted, agentops allow <RULE> --user --reason TEXT",
            ));
        } else {
            checks.push(Check::ok(name));
        }
    }
    checks
}

fn report(checks: &[Check], as_json: bool) -> ExitCode {
    let failed = checks.iter().filter(|c| c.problem.is_some()).count();
    if as_json {
        let list: Vec<Value> = checks
            .iter()
            .map(|c| match &c.problem {
                None => json!({"name": c.name, "ok": true}),
                Some((problem, fix)) => {
                    json!({"name": c.name, "ok": false, "problem": problem, "fix": fix})
                }
            })
            .collect();
        println!(
            "{}",
            json!({"ok": failed == 0, "failed": failed, "checks": list})
        );
    } else {
        for check in checks {
            match &check.problem {
                None => println!("{}    {}", paint("ok", Some(Style::Green)), check.name),
                Some((problem, fix)) => {
                    println!(
                        "{}  {}: {problem}\n      fix: {fix}",
                        paint("FAIL", Some(Style::Red)),
                        check.name
                    );
                }
            }
        }
        if failed == 0 {
            println!("all {} checks passed", checks.len());
        } else {
            println!("{failed} of {} checks failed", checks.len());
        }
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
