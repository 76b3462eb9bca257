//! config-guard: Claude Code reloads its settings when a settings file
//! changes mid-session and asks ConfigChange hooks first. A change that
//! switches hooks off, disables the agentops plugin, removes agentops' hook
//! entries or overrides the environment agentops runs with would unwire the
//! guard for the rest of the session, so it is blocked (the client keeps
//! the settings it has), the user is told, and the next tool call waits for
//! the user's approval. The agent cannot write settings files through its
//! own tools (PATH/CMD hook-wiring rules); this catches every other way
//! (an MCP tool, a background process, a script the analysis missed).
//!
//! Claude Code shows the hooks a change it holds for review in a
//! `<name>.proposed-<8 hex>` file beside the settings file; the live file
//! is then the state before the change.
//!
//! agentops' own flags (`.agentops/flags.json`) are not Claude Code
//! settings, so the session start asks the client to watch that file
//! (`watchPaths`) and records which guards are off; when FileChanged
//! reports a change that switches another one off, the user is told and
//! the next tool call asks.

use std::path::{Path, PathBuf};

use agentops_core::{
    Context, Effect, EnforcementMode, Finding, FlagKind, Flags, HookEvent, HookInput, Outcome,
    Policy, Rule, Severity, ToolMatch,
};
use serde_json::Value;

const POLICY: &str = "config-guard";

/// Largest settings file read.
const MAX_BYTES: u64 = 1 << 20;

/// State file holding why the next tool call waits for the user.
pub const PENDING: &str = "config-change-pending.txt";

/// State file listing the guards that were off when last seen, one per line.
pub const FLAGS_BASELINE: &str = "flags-baseline.txt";

/// CFG001: a settings change switches every hook off.
pub static HOOKS_SWITCHED_OFF: Rule = Rule {
    id: "CFG001",
    name: "settings-switch-hooks-off",
    policy: POLICY,
    severity: Severity::Hard,
    reason: "a settings change mid-session sets disableAllHooks, which would switch agentops off",
    why: "With `disableAllHooks` no hook runs, so every guard is gone for the rest of the session without the user having seen it happen. The reload is blocked; the change takes effect in a new session if the user wants it.",
    fires: "ConfigChange: local_settings /p/.claude/settings.local.json | given /p/.claude/settings.local.json = {\"disableAllHooks\": true}",
    instead: "ask the user to change the settings themselves",
    passes: "ConfigChange: local_settings /p/.claude/settings.local.json | given /p/.claude/settings.local.json = {\"disableAllHooks\": false, \"model\": \"opus\"}",
};

/// CFG002: a settings change disables the agentops plugin.
pub static PLUGIN_DISABLED: Rule = Rule {
    id: "CFG002",
    name: "settings-disable-agentops-plugin",
    policy: POLICY,
    severity: Severity::Hard,
    reason: "a settings change mid-session disables the agentops plugin",
    why: "`enabledPlugins: {\"agentops@…\": false}` unloads the plugin and every hook it wires. Done mid-session by anything but the user, it is the simplest way to unwire the guard.",
    fires: "ConfigChange: project_settings /p/.claude/settings.json | given /p/.claude/settings.json = {\"enabledPlugins\": {\"agentops@agentops\": false}}",
    instead: "ask the user to change the settings themselves",
    passes: "ConfigChange: project_settings /p/.claude/settings.json | given /p/.claude/settings.json = {\"enabledPlugins\": {\"agentops@agentops\": true, \"other@market\": false}}",
};

/// CFG003: a settings change removes agentops' own hook entries.
pub static HOOKS_REMOVED: Rule = Rule {
    id: "CFG003",
    name: "settings-remove-agentops-hooks",
    policy: POLICY,
    severity: Severity::Hard,
    reason: "a settings change mid-session removes agentops hook entries",
    why: "`agentops install --settings` wires the hooks in a settings file. A proposed version of that file with fewer agentops entries than the live one unwires those events for the rest of the session.",
    fires: "ConfigChange: project_settings /p/.claude/settings.json.proposed-0a1b2c3d | given /p/.claude/settings.json = {\"hooks\": {\"PreToolUse\": [{\"hooks\": [{\"type\": \"command\", \"command\": \"/usr/local/bin/agentops\", \"args\": [\"hook\", \"PreToolUse\"]}]}]}} ;; /p/.claude/settings.json.proposed-0a1b2c3d = {\"hooks\": {}}",
    instead: "ask the user to change the settings themselves",
    passes: "ConfigChange: project_settings /p/.claude/settings.json.proposed-0a1b2c3d | given /p/.claude/settings.json = {\"hooks\": {\"PreToolUse\": [{\"hooks\": [{\"type\": \"command\", \"command\": \"/usr/local/bin/agentops\", \"args\": [\"hook\", \"PreToolUse\"]}]}]}} ;; /p/.claude/settings.json.proposed-0a1b2c3d = {\"model\": \"opus\", \"hooks\": {\"PreToolUse\": [{\"hooks\": [{\"type\": \"command\", \"command\": \"/usr/local/bin/agentops\", \"args\": [\"hook\", \"PreToolUse\"]}]}]}}",
};

/// CFG004: a settings change overrides the environment agentops runs with.
pub static ENV_OVERRIDE: Rule = Rule {
    id: "CFG004",
    name: "settings-override-agentops-env",
    policy: POLICY,
    severity: Severity::Hard,
    reason: "a settings change mid-session sets an environment variable that weakens agentops",
    why: "Settings' `env` reaches every hook. `AGENTOPS_BIN` makes the plugin's launcher run another program in agentops' place (one that allows everything), and `AGENTOPS_MODE=full` or `unrestricted` relaxes the runtime mode. Both belong to the user starting a session, not to a mid-session reload.",
    fires: "ConfigChange: user_settings /home/u/.claude/settings.json | given /home/u/.claude/settings.json = {\"env\": {\"AGENTOPS_BIN\": \"/bin/true\"}}",
    instead: "ask the user to change the settings themselves",
    passes: "ConfigChange: user_settings /home/u/.claude/settings.json | given /home/u/.claude/settings.json = {\"env\": {\"AGENTOPS_MODE\": \"safe\", \"RUST_LOG\": \"debug\"}}",
};

/// CFG005: the tool call after a blocked weakening waits for the user.
pub static GATE_AFTER_WEAKENING: Rule = Rule {
    id: "CFG005",
    name: "tool-call-after-settings-weakening",
    policy: POLICY,
    severity: Severity::Confirm,
    reason: "something tried to unwire agentops through the settings in this session; approve to go on",
    why: "A blocked attempt to switch the guard off means something in the session (a tool, a dependency, an injected instruction) is working against it. The user decides, once, whether the session carries on: the next tool call asks in every mode.",
    fires: "PreToolUse Bash: ls | given /p/.agentops/config-change-pending.txt = disableAllHooks set in /p/.claude/settings.local.json",
    instead: "ask the user to restore the agentops settings",
    passes: "PreToolUse Bash: ls",
};

/// CFG006: agentops' flags file changed mid-session and switched a guard off.
pub static FLAGS_WEAKENED: Rule = Rule {
    id: "CFG006",
    name: "flags-weakened-mid-session",
    policy: POLICY,
    severity: Severity::Warn,
    reason: "agentops' flags were changed mid-session and switch a guard off",
    why: "The agent's own tools ask before writing `.agentops/flags.json` (PATH009, CMD flags rules), but a file can change in other ways: an MCP tool, a background job, a script. The client watches the file for agentops; when a change switches a security check off or relaxes blocking mode, the user is told which, and the next tool call waits for their approval.",
    fires: "FileChanged: /p/.agentops/flags.json | given /p/.agentops/flags.json = {\"command_validation_enabled\": false} ;; /p/.agentops/flags-baseline.txt = enforcement_mode=advisory",
    instead: "ask the user to restore the flag (`agentops flags set`)",
    passes: "FileChanged: /p/.agentops/flags.json | given /p/.agentops/flags.json = {\"command_validation_enabled\": false, \"plan_gate_enabled\": false} ;; /p/.agentops/flags-baseline.txt = command_validation_enabled off\\nenforcement_mode=advisory",
};

static RULES: &[&Rule] = &[
    &HOOKS_SWITCHED_OFF,
    &PLUGIN_DISABLED,
    &HOOKS_REMOVED,
    &ENV_OVERRIDE,
    &GATE_AFTER_WEAKENING,
    &FLAGS_WEAKENED,
];

/// The config-guard policy.
pub static CONFIG_GUARD: Policy = Policy {
    name: POLICY,
    summary: "Blocks mid-session settings changes that would unwire agentops, tells the user and gates the next tool call",
    events: &[
        HookEvent::ConfigChange,
        HookEvent::PreToolUse,
        HookEvent::SessionStart,
        HookEvent::FileChanged,
    ],
    tools: ToolMatch::Any,
    flag: Some(("config_guard_enabled", FlagKind::Security)),
    rules: RULES,
    evaluate,
};

fn evaluate(event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    match event {
        HookEvent::ConfigChange => judge_change(input, ctx),
        HookEvent::SessionStart => watch_flags(input, ctx),
        HookEvent::FileChanged => judge_flags_change(input, ctx),
        _ => gate_next_call(ctx),
    }
}

fn flags_file(ctx: &Context) -> PathBuf {
    ctx.state_dir().join("flags.json")
}

/// SessionStart: watch the flags file and record which guards are off now
/// (after a compaction the session goes on, so the record is kept).
fn watch_flags(input: &HookInput, ctx: &Context) -> Outcome {
    let mut effects = vec![Effect::WatchPath {
        path: flags_file(ctx),
    }];
    if input.source.as_deref() != Some("compact") {
        let off = lines(&guards_off(&read_flags(ctx), ctx.policy_flags));
        // Session start is on every session's path: an unchanged record is
        // not rewritten.
        if read_baseline(ctx) != off {
            effects.push(Effect::WriteState {
                name: FLAGS_BASELINE,
                contents: off.into_bytes(),
            });
        }
    }
    Outcome {
        effects,
        ..Outcome::default()
    }
}

/// FileChanged: a flags change that switches another guard off.
fn judge_flags_change(input: &HookInput, ctx: &Context) -> Outcome {
    let Some(changed) = input.file_path.as_deref() else {
        return Outcome::none();
    };
    let flags = flags_file(ctx);
    if Path::new(changed) != flags
        && ctx.world.canonicalize(Path::new(changed)).ok() != ctx.world.canonicalize(&flags).ok()
    {
        return Outcome::none();
    }
    let now = guards_off(&read_flags(ctx), ctx.policy_flags);
    let before = read_baseline(ctx);
    let newly: Vec<&str> = now
        .iter()
        .map(String::as_str)
        .filter(|g| !before.lines().any(|l| l.trim() == *g))
        .collect();
    let mut out = Outcome {
        effects: vec![Effect::WriteState {
            name: FLAGS_BASELINE,
            contents: lines(&now).into_bytes(),
        }],
        ..Outcome::default()
    };
    if !newly.is_empty() {
        let what = format!("{}: {}", flags.display(), newly.join(", "));
        out.effects.push(Effect::WriteState {
            name: PENDING,
            contents: format!("guards switched off mid-session in {what}").into_bytes(),
        });
        out.findings
            .push(Finding::with_subject(&FLAGS_WEAKENED, what));
    }
    out
}

/// The guards recorded as off, one per line; empty when never recorded.
fn read_baseline(ctx: &Context) -> String {
    ctx.world
        .read(&ctx.state_dir().join(FLAGS_BASELINE), 1 << 16)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

fn read_flags(ctx: &Context) -> Flags {
    ctx.world
        .read(&flags_file(ctx), MAX_BYTES)
        .map(|b| Flags::parse(&b))
        .unwrap_or_default()
}

fn lines(items: &[String]) -> String {
    items.iter().map(|i| format!("{i}\n")).collect()
}

/// Pure: the guards these flags leave off: each security flag switched
/// off, and advisory enforcement (soft rules ask instead of deny).
pub fn guards_off(flags: &Flags, known: &[(&'static str, FlagKind)]) -> Vec<String> {
    let mut off: Vec<String> = known
        .iter()
        .filter(|(name, kind)| *kind == FlagKind::Security && !flags.enabled(name, *kind))
        .map(|(name, _)| format!("{name} off"))
        .collect();
    if flags.enforcement_mode() == EnforcementMode::Advisory {
        off.push("enforcement_mode=advisory".to_string());
    }
    off.sort();
    off
}

/// PreToolUse: the first call after a weakening asks, and clears the mark.
fn gate_next_call(ctx: &Context) -> Outcome {
    let path = ctx.state_dir().join(PENDING);
    let Ok(bytes) = ctx.world.read(&path, 4096) else {
        return Outcome::none();
    };
    let what = String::from_utf8_lossy(&bytes).trim().to_string();
    Outcome {
        findings: vec![Finding::with_subject(&GATE_AFTER_WEAKENING, what)],
        effects: vec![Effect::RemoveState { name: PENDING }],
        ..Outcome::default()
    }
}

/// ConfigChange: block a change that weakens agentops and mark the next
/// tool call for the user's approval.
fn judge_change(input: &HookInput, ctx: &Context) -> Outcome {
    let Some(path) = changed_file(input, ctx) else {
        return Outcome::none();
    };
    let Some(new) = read_json(ctx, &path) else {
        return Outcome::none();
    };
    let live = live_file_of_proposal(&path).and_then(|live| read_json(ctx, &live));
    let findings = weakenings(&path.to_string_lossy(), &new, live.as_ref());
    if findings.is_empty() {
        return Outcome::none();
    }
    let summary: Vec<String> = findings.iter().map(Finding::describe).collect();
    let mut out = Outcome {
        findings,
        ..Outcome::default()
    };
    out.effects.push(Effect::WriteState {
        name: PENDING,
        contents: summary.join("; ").into_bytes(),
    });
    out
}

/// The settings file the change is about: the payload's `file_path`, or
/// the file the source names.
fn changed_file(input: &HookInput, ctx: &Context) -> Option<PathBuf> {
    if let Some(path) = input.file_path.as_deref().filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let project = &ctx.project_dir;
    match input.source.as_deref()? {
        "project_settings" => Some(project.join(".claude/settings.json")),
        "local_settings" => Some(project.join(".claude/settings.local.json")),
        "user_settings" => Some(ctx.home.as_ref()?.join(".claude/settings.json")),
        _ => None,
    }
}

fn read_json(ctx: &Context, path: &Path) -> Option<Value> {
    let bytes = ctx.world.read(path, MAX_BYTES).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// `settings.json.proposed-0a1b2c3d` → `settings.json`, the live file a
/// proposal would replace.
fn live_file_of_proposal(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let (live, tag) = name.rsplit_once(".proposed-")?;
    let hex = tag.len() == 8 && tag.bytes().all(|b| b.is_ascii_hexdigit());
    (hex && !live.is_empty()).then(|| path.with_file_name(live))
}

/// Pure: what a settings file's new contents (`new`, at `path`) do to
/// agentops, given the live contents it replaces when known.
pub fn weakenings(path: &str, new: &Value, live: Option<&Value>) -> Vec<Finding> {
    let mut found = Vec::new();
    if new.get("disableAllHooks") == Some(&Value::Bool(true)) {
        found.push(Finding::with_subject(
            &HOOKS_SWITCHED_OFF,
            format!("disableAllHooks set in {path}"),
        ));
    }
    if let Some(plugins) = new.get("enabledPlugins").and_then(Value::as_object) {
        for (name, on) in plugins {
            if is_agentops_plugin(name) && on == &Value::Bool(false) {
                found.push(Finding::with_subject(
                    &PLUGIN_DISABLED,
                    format!("{name} set to false in {path}"),
                ));
            }
        }
    }
    if let Some(live) = live {
        let (before, after) = (agentops_hook_events(live), agentops_hook_events(new));
        let gone: Vec<&str> = before
            .iter()
            .filter(|e| !after.contains(e))
            .map(String::as_str)
            .collect();
        if !gone.is_empty() {
            found.push(Finding::with_subject(
                &HOOKS_REMOVED,
                format!("{} no longer wired in {path}", gone.join(", ")),
            ));
        }
    }
    if let Some(env) = new.get("env").and_then(Value::as_object) {
        for (name, value) in env {
            let value = value.as_str().unwrap_or_default();
            let weakens = match name.as_str() {
                "AGENTOPS_BIN" => true,
                "AGENTOPS_MODE" => !matches!(value.trim(), "" | "safe" | "standard"),
                _ => false,
            };
            if weakens {
                found.push(Finding::with_subject(
                    &ENV_OVERRIDE,
                    format!("{name}={value} in {path}"),
                ));
            }
        }
    }
    found
}

fn is_agentops_plugin(name: &str) -> bool {
    name == "agentops" || name.starts_with("agentops@")
}

/// The events whose hook entries run agentops, sorted.
fn agentops_hook_events(settings: &Value) -> Vec<String> {
    let mut events: Vec<String> = settings
        .get("hooks")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, groups)| {
            groups
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|g| g.get("hooks").and_then(Value::as_array))
                .flatten()
                .any(runs_agentops)
        })
        .map(|(event, _)| event.clone())
        .collect();
    events.sort();
    events
}

fn runs_agentops(hook: &Value) -> bool {
    let names_agentops = |v: &Value| {
        v.as_str().is_some_and(|s| {
            s.split(['/', ' ', '\\'])
                .any(|w| w == "agentops" || w == "agentops.exe")
        })
    };
    hook.get("command").is_some_and(names_agentops)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ids(found: &[Finding]) -> Vec<&str> {
        found.iter().map(|f| f.rule.id).collect()
    }

    fn wired(events: &[&str]) -> Value {
        let mut hooks = serde_json::Map::new();
        for e in events {
            hooks.insert(
                (*e).to_string(),
                json!([{"hooks": [{"type": "command", "command": "${CLAUDE_PLUGIN_ROOT}/bin/agentops", "args": ["hook", e]}]}]),
            );
        }
        json!({ "hooks": hooks })
    }

    #[test]
    fn ordinary_settings_changes_pass() {
        for new in [
            json!({"model": "opus", "permissions": {"allow": ["Bash(cargo test:*)"]}}),
            json!({"disableAllHooks": false}),
            json!({"enabledPlugins": {"agentops@agentops": true, "agentops-extra@m": false}}),
            json!({"env": {"AGENTOPS_MODE": "safe", "AGENTOPS_BUDGET_USD": "5"}}),
            json!({"hooks": {"PreToolUse": [{"hooks": [{"type": "command", "command": "my-linter"}]}]}}),
        ] {
            assert!(
                ids(&weakenings("/p/s.json", &new, None)).is_empty(),
                "{new}"
            );
        }
        // Adding events, or keeping them, removes nothing.
        let live = wired(&["PreToolUse"]);
        let new = wired(&["PreToolUse", "PostToolUse"]);
        assert!(weakenings("/p/s.json", &new, Some(&live)).is_empty());
    }

    #[test]
    fn each_weakening_is_named() {
        let off = weakenings("/p/s.json", &json!({"disableAllHooks": true}), None);
        assert_eq!(ids(&off), ["CFG001"]);
        assert!(off[0].describe().contains("/p/s.json"));
        let plugin = json!({"enabledPlugins": {"agentops@agentops-dev": false}});
        assert_eq!(ids(&weakenings("/p/s.json", &plugin, None)), ["CFG002"]);
        let live = wired(&["PreToolUse", "Stop"]);
        let removed = weakenings("/p/s.json", &wired(&["Stop"]), Some(&live));
        assert_eq!(ids(&removed), ["CFG003"]);
        assert!(removed[0].describe().contains("PreToolUse no longer wired"));
        for env in [
            json!({"env": {"AGENTOPS_BIN": "/bin/true"}}),
            json!({"env": {"AGENTOPS_MODE": "unrestricted"}}),
            json!({"env": {"AGENTOPS_MODE": "full"}}),
        ] {
            assert_eq!(
                ids(&weakenings("/p/s.json", &env, None)),
                ["CFG004"],
                "{env}"
            );
        }
    }

    #[test]
    fn only_proposal_files_have_a_live_file() {
        assert_eq!(
            live_file_of_proposal(Path::new("/p/.claude/settings.json.proposed-0a1b2c3d")),
            Some(PathBuf::from("/p/.claude/settings.json"))
        );
        for other in [
            "/p/.claude/settings.json",
            "/p/.claude/settings.json.proposed-xyz",
            "/p/.claude/.proposed-0a1b2c3d",
        ] {
            assert_eq!(live_file_of_proposal(Path::new(other)), None, "{other}");
        }
    }

    #[test]
    fn guards_off_lists_security_flags_and_advisory_mode_only() {
        let known = [
            ("command_validation_enabled", FlagKind::Security),
            ("plan_gate_enabled", FlagKind::Automation),
        ];
        let off = |flags: Value| {
            let pairs: Vec<(&str, Value)> = flags
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            guards_off(&Flags::from_pairs(pairs), &known)
        };
        assert_eq!(off(json!({})), ["enforcement_mode=advisory"]);
        assert!(
            off(json!({"enforcement_mode": "blocking", "plan_gate_enabled": false})).is_empty()
        );
        assert_eq!(
            off(json!({"enforcement_mode": "blocking", "command_validation_enabled": false})),
            ["command_validation_enabled off"]
        );
    }

    #[test]
    fn session_start_rewrites_the_record_only_when_it_changed() {
        let with = |baseline: Option<&str>| {
            let mut world = agentops_core::MemoryWorld::new();
            if let Some(b) = baseline {
                world = world.file(format!("/p/.agentops/{FLAGS_BASELINE}"), b);
            }
            Context {
                project_dir: "/p".into(),
                world: std::sync::Arc::new(world),
                ..Context::default()
            }
        };
        let start = HookInput {
            source: Some("startup".into()),
            ..HookInput::default()
        };
        let writes = |ctx: &Context| {
            evaluate(HookEvent::SessionStart, &start, ctx)
                .effects
                .iter()
                .filter(|e| {
                    matches!(
                        e,
                        Effect::WriteState {
                            name: FLAGS_BASELINE,
                            ..
                        }
                    )
                })
                .count()
        };
        assert_eq!(writes(&with(None)), 1);
        assert_eq!(writes(&with(Some("enforcement_mode=advisory\n"))), 0);
        assert_eq!(writes(&with(Some("something else\n"))), 1);
    }
}
