//! The Claude Code plugin: manifest and wiring in step with the binary,
//! every markdown file well formed, every documented `agentops …`
//! invocation accepted by the real CLI parser, and a fresh install that
//! `agentops doctor` passes.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use agentops_engine::wiring::{plugin_hooks_json, plugin_manifest};
use common::{project, run};
use serde_json::Value;

fn plugin_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("plugin")
}

fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn committed_manifest_and_wiring_match_the_binary() {
    let dir = plugin_dir();
    assert_eq!(
        read_json(&dir.join(".claude-plugin/plugin.json")),
        plugin_manifest(),
        "plugin.json is stale: run `cargo run --release -- install`"
    );
    assert_eq!(
        read_json(&dir.join("hooks/hooks.json")),
        plugin_hooks_json(true),
        "hooks.json is stale: run `cargo run --release -- install`"
    );
    // Codex and Copilot each prefer their own manifest, naming a hooks file
    // in their own format (arguments kept, no prompt hook).
    let codex = read_json(&dir.join(".codex-plugin/plugin.json"));
    assert_eq!(codex["hooks"], "./hooks/codex-hooks.json");
    assert_eq!(
        read_json(&dir.join("hooks/codex-hooks.json")),
        agentops_agents::wiring::codex("${PLUGIN_ROOT}/bin/agentops"),
        "codex-hooks.json is stale: run `cargo run --release -- install`"
    );
    let copilot = read_json(&dir.join(".github/plugin/plugin.json"));
    assert_eq!(copilot["hooks"], "./hooks/copilot-hooks.json");
    assert_eq!(
        read_json(&dir.join("hooks/copilot-hooks.json")),
        agentops_agents::wiring::copilot("./bin/agentops", true),
        "copilot-hooks.json is stale: run `cargo run --release -- install`"
    );
}

#[test]
fn wiring_names_only_real_events_and_runs_the_plugin_binary() {
    let wiring = read_json(&plugin_dir().join("hooks/hooks.json"));
    let events = wiring["hooks"].as_object().expect("hooks object");
    assert!(events.contains_key("PreToolUse") && events.contains_key("SessionStart"));
    for (event, groups) in events {
        assert!(event.parse::<agentops_core::HookEvent>().is_ok(), "{event}");
        for group in groups.as_array().expect("groups") {
            for handler in group["hooks"].as_array().expect("handlers") {
                match handler["type"].as_str() {
                    Some("command") => {
                        assert_eq!(handler["command"], "${CLAUDE_PLUGIN_ROOT}/bin/agentops");
                        assert_eq!(handler["args"], serde_json::json!(["hook", event]));
                    }
                    Some("prompt") => assert!(handler["prompt"].as_str().is_some()),
                    other => panic!("{event}: unexpected handler type {other:?}"),
                }
            }
        }
    }
}

#[test]
fn doctor_passes_on_a_fresh_install_in_an_empty_home() {
    let home = project();
    let plugin = home.path().join("agentops-plugin");
    let env = [("HOME", home.path().to_str().expect("utf8"))];
    let install = run(
        &["install", "--plugin-dir", plugin.to_str().expect("utf8")],
        b"",
        home.path(),
        &env,
    );
    assert_eq!(install.code, 0, "{}{}", install.stdout, install.stderr);
    assert!(install.stdout.contains(&format!(
        "claude --plugin-dir {}",
        plugin.canonicalize().expect("dir").display()
    )));
    let doctor = run(
        &["doctor", "--plugin-dir", plugin.to_str().expect("utf8")],
        b"",
        home.path(),
        &env,
    );
    assert_eq!(doctor.code, 0, "{}", doctor.stdout);
    assert!(doctor.stdout.contains("checks passed"));

    // A stale binary is caught, with the fix.
    fs::write(
        plugin.join("hooks/hooks.json"),
        "{\"hooks\": {\"PreToolUze\": []}}",
    )
    .expect("write");
    let broken = run(
        &["doctor", "--plugin-dir", plugin.to_str().expect("utf8")],
        b"",
        home.path(),
        &env,
    );
    assert_eq!(broken.code, 1);
    assert!(
        broken.stdout.contains("FAIL  plugin hook wiring")
            && broken.stdout.contains("fix: agentops install"),
        "{}",
        broken.stdout
    );
}

#[test]
fn settings_install_keeps_other_hooks_and_backs_up() {
    let home = project();
    let settings = home.path().join(".claude/settings.json");
    fs::create_dir_all(settings.parent().expect("parent")).expect("mkdir");
    let theirs = r#"{"hooks":{"PostToolUse":[{"matcher":"Edit","hooks":[{"type":"command","command":"prettier --write"}]}]},"model":"opus"}"#;
    fs::write(&settings, theirs).expect("write");
    let env = [("HOME", home.path().to_str().expect("utf8"))];
    for _ in 0..2 {
        let out = run(&["install", "--settings", "user"], b"", home.path(), &env);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let merged = read_json(&settings);
    assert_eq!(merged["model"], "opus");
    let post = merged["hooks"]["PostToolUse"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let commands: Vec<&str> = post
        .iter()
        .flat_map(|g| g["hooks"].as_array().into_iter().flatten())
        .filter_map(|h| h["command"].as_str())
        .collect();
    assert_eq!(
        commands
            .iter()
            .filter(|c| **c == "prettier --write")
            .count(),
        1,
        "their hook is kept: {post:?}"
    );
    assert_eq!(
        commands.iter().filter(|c| c.ends_with("agentops")).count(),
        1,
        "installing twice does not duplicate ours: {post:?}"
    );
    let pre = merged["hooks"]["PreToolUse"]
        .as_array()
        .expect("our PreToolUse");
    assert_eq!(pre.len(), 1, "installing twice does not duplicate: {pre:?}");
    // The deny rules go where the client reads them, once each.
    let deny: Vec<&str> = merged["permissions"]["deny"]
        .as_array()
        .expect("deny rules")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(deny, agentops_engine::wiring::DENY_RULES);
    let backups = fs::read_dir(settings.parent().expect("dir"))
        .expect("ls")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("agentops-backup"))
        .count();
    assert!(backups >= 1);
}

// ---- content ---------------------------------------------------------

const COMMANDS: &[&str] = &[
    "build",
    "code-analysis",
    "code-field",
    "compliance-check",
    "configure",
    "cost-report",
    "evolve",
    "flags",
    "interrogate",
    "lesson",
    "lessons",
    "plan",
    "prune",
    "star",
    "supply-chain-scan",
    "unicode-scan",
    "verify",
    "workflow",
];
const ENTERPRISE_COMMANDS: &[&str] = &[
    "adr",
    "brainstorm",
    "design",
    "dev-setup",
    "docker-dev",
    "e2e",
    "feature",
    "gap-analysis",
    "handover",
    "herd",
    "knowledge",
    "onboard",
    "qa-check",
    "reason",
    "review",
    "scaffold",
    "status-report",
    "tech-catalog",
    "test-gen",
];
const AGENTS: &[&str] = &[
    "architecture-researcher",
    "code-critic",
    "delegation-router",
    "feature-researcher",
    "interrogator",
    "pitfalls-researcher",
    "plan-validator",
    "proposer",
    "security-reviewer",
    "skill-builder",
    "spec-compliance-reviewer",
    "stack-researcher",
];
const TEMPLATES: &[&str] = &[
    "ai-config/tool-standards.md",
    "architecture/api-first.md",
    "architecture/auth-patterns.md",
    "architecture/caching-strategy.md",
    "architecture/database-patterns.md",
    "architecture/event-driven.md",
    "architecture/integration-patterns.md",
    "architecture/multi-tenancy.md",
    "architecture/service-boundaries.md",
    "build/brief-template.md",
    "build/summary-template.md",
    "build/task-plan-template.md",
    "communication/effort-estimate.md",
    "communication/incident-response.md",
    "communication/post-mortem.md",
    "communication/risk-register.md",
    "communication/sprint-demo-checklist.md",
    "communication/stakeholder-presentation-outline.md",
    "communication/technical-proposal.md",
    "delivery/deployment/deployment-checklist.md",
    "delivery/design/solution-design-checklist.md",
    "delivery/discovery/stakeholder-questions.md",
    "delivery/handover/knowledge-transfer-checklist.md",
    "delivery/handover/operational-runbook.md",
    "delivery/handover/support-escalation-matrix.md",
    "delivery/implementation/blocker-escalation-template.md",
    "delivery/implementation/sprint-planning-template.md",
    "delivery/implementation/task-decomposition-guide.md",
    "delivery/qa/test-plan-template.md",
    "delivery/qa/test-results-template.md",
    "delivery/qa/uat-signoff-template.md",
    "governance/codeowners.md",
    "integration/adapter-pattern.md",
    "scaffolds/env-validation.md",
    "scaffolds/error-handling.md",
    "scaffolds/graceful-shutdown.md",
    "scaffolds/health-check.md",
    "scaffolds/structured-logging.md",
    "standards/engineering-standards.md",
    "standards/standards-checklist.md",
    "tech-catalog.json",
    "utilities/project-detection.md",
    "utilities/requirements-collection.md",
    "utilities/template-rendering.md",
    "workflows/architecture-decision.md",
    "workflows/bug-investigation.md",
    "workflows/feature-implementation.md",
    "workflows/refactoring.md",
    "workflows/spike-exploration.md",
];

/// The `key: value` pairs of a file's YAML frontmatter (flat keys only,
/// which is all Claude Code reads), or an error saying what is wrong.
fn frontmatter(text: &str) -> Result<Vec<(String, String)>, String> {
    let rest = text
        .strip_prefix("---\n")
        .ok_or("does not start with `---`")?;
    let end = rest
        .find("\n---\n")
        .or_else(|| rest.strip_suffix("\n---").map(str::len))
        .ok_or("frontmatter is not closed")?;
    let mut pairs = Vec::new();
    for line in rest[..end].lines() {
        if line.trim().is_empty()
            || line.starts_with(' ')
            || line.starts_with('-')
            || line.starts_with('#')
        {
            continue; // list items and continuation lines belong to the previous key
        }
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| format!("not a `key: value` line: {line}"))?;
        if !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!("bad key `{key}`"));
        }
        let value = value.trim();
        let quoted = (value.starts_with('"') && value.ends_with('"') && value.len() >= 2)
            || (value.starts_with('\'') && value.ends_with('\'') && value.len() >= 2);
        if !quoted && value.contains(": ") {
            return Err(format!("`{key}` has an unquoted `: ` in its value"));
        }
        pairs.push((key.to_string(), value.trim_matches(['"', '\'']).to_string()));
    }
    Ok(pairs)
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

#[test]
fn the_client_loads_every_command_from_the_commands_folder_itself() {
    // Claude Code loads only `commands/*.md` directly in the folder; a
    // command in a sub-folder is not in `claude plugin details`.
    let dir = plugin_dir().join("commands");
    let mut loaded = Vec::new();
    for entry in fs::read_dir(&dir).expect("commands/") {
        let path = entry.expect("entry").path();
        assert!(
            !path.is_dir(),
            "sub-folder {} is not loaded",
            path.display()
        );
        if path.extension().is_some_and(|e| e == "md") {
            loaded.push(
                path.file_stem()
                    .expect("stem")
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    loaded.sort();
    let mut listed: Vec<String> = COMMANDS
        .iter()
        .chain(ENTERPRISE_COMMANDS)
        .map(|c| c.to_string())
        .collect();
    listed.sort();
    assert_eq!(loaded, listed);
    assert_eq!(loaded.len(), 37);
}

#[test]
fn every_listed_file_is_present() {
    let dir = plugin_dir();
    let mut missing = Vec::new();
    for c in COMMANDS {
        missing.push(dir.join(format!("commands/{c}.md")));
    }
    for c in ENTERPRISE_COMMANDS {
        missing.push(dir.join(format!("commands/{c}.md")));
    }
    for a in AGENTS {
        missing.push(dir.join(format!("agents/{a}.md")));
    }
    for t in TEMPLATES {
        missing.push(dir.join(format!("templates/{t}")));
    }
    missing.retain(|p| !p.is_file());
    assert!(missing.is_empty(), "missing: {missing:#?}");
    assert_eq!(COMMANDS.len() + ENTERPRISE_COMMANDS.len(), 37);
    assert_eq!(AGENTS.len(), 12);
    assert_eq!(TEMPLATES.len(), 49);
    let catalog = read_json(&dir.join("templates/tech-catalog.json"));
    assert!(catalog.is_object() || catalog.is_array());
}

#[test]
fn every_markdown_file_has_the_frontmatter_claude_code_reads() {
    let dir = plugin_dir();
    let mut files = Vec::new();
    markdown_files(&dir, &mut files);
    // The plugin's README is for people (and `claude plugin validate`),
    // not a command, agent or template.
    files.retain(|f| f != &dir.join("README.md"));
    assert!(
        files.len() >= 37 + 12 + 48,
        "found only {} markdown files",
        files.len()
    );
    let mut problems = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(&dir)
            .expect("under plugin")
            .to_string_lossy()
            .replace('\\', "/");
        let text = fs::read_to_string(&file).expect("utf8");
        let pairs = match frontmatter(&text) {
            Ok(p) => p,
            Err(e) => {
                problems.push(format!("{rel}: {e}"));
                continue;
            }
        };
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let required: &[&str] = if rel.starts_with("commands/") {
            &["description"]
        } else if rel.starts_with("agents/") {
            &["name", "description", "tools"]
        } else {
            &["title", "description"]
        };
        for key in required {
            if get(key).is_none_or(str::is_empty) {
                problems.push(format!("{rel}: no `{key}`"));
            }
        }
        if rel.starts_with("agents/") {
            let stem = file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if get("name") != Some(stem.as_str()) {
                problems.push(format!("{rel}: `name` is not `{stem}`"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Every `agentops …` invocation in code spans and code blocks.
fn invocations(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            let cmd = line.trim().trim_start_matches("$ ");
            if cmd.starts_with("agentops ") {
                found.push(cmd.split(" #").next().unwrap_or(cmd).trim().to_string());
            }
            continue;
        }
        for (i, span) in line.split('`').enumerate() {
            if i % 2 == 1 && span.starts_with("agentops ") {
                found.push(span.trim().to_string());
            }
        }
    }
    found
}

/// Split a documented command line into arguments the way a shell would
/// for the simple lines docs contain (quotes group words, no expansion).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut has_word = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                has_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if has_word || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                    has_word = false;
                }
            }
            (None, c) => word.push(c),
        }
    }
    if has_word || !word.is_empty() {
        words.push(word);
    }
    words
}

#[test]
fn every_documented_invocation_is_accepted_by_the_cli() {
    let mut files = Vec::new();
    markdown_files(&plugin_dir(), &mut files);
    files.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"));
    let mut checked = 0;
    let mut problems = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("utf8");
        for line in invocations(&text) {
            // Stop at pipes and shell operators: only the agentops part is ours.
            let ours = line
                .split(['|', ';', '>'])
                .next()
                .unwrap_or(&line)
                .split("&&")
                .next()
                .unwrap_or(&line);
            let words = shell_words(ours);
            let args: Vec<&str> = words.iter().skip(1).map(String::as_str).collect();
            checked += 1;
            if let Err(e) = agentops::cli::parse(&args) {
                let first = e.lines().next().unwrap_or_default().to_string();
                problems.push(format!("{}: `{line}`: {first}", file.display()));
            }
        }
    }
    assert!(checked > 0);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_invocation_scanner_finds_spans_and_blocks() {
    let text = "Run `agentops rules --json` or:\n```sh\n$ agentops check -- 'rm -rf /'  # explain\n```\n`cargo test`";
    assert_eq!(
        invocations(text),
        ["agentops rules --json", "agentops check -- 'rm -rf /'"]
    );
    assert_eq!(
        shell_words("agentops check -- 'rm -rf /'"),
        ["agentops", "check", "--", "rm -rf /"]
    );
    assert!(agentops::cli::parse(&["rules", "--json"]).is_ok());
    assert!(agentops::cli::parse(&["rulez"]).is_err());
}

#[test]
fn deny_rules_name_real_tools_and_the_plugin_carries_no_inert_settings() {
    // Claude Code reads only `agent` and `subagentStatusLine` from a
    // plugin's settings.json: rules there would be dropped silently.
    assert!(!plugin_dir().join("settings.json").exists());
    let deny = agentops_engine::wiring::DENY_RULES;
    assert!(!deny.is_empty());
    for rule in deny {
        let (tool, rest) = rule.split_once('(').expect("Tool(pattern)");
        assert!(
            ["Bash", "Edit", "Write", "Read"].contains(&tool) && rest.ends_with(')'),
            "{rule}"
        );
    }
}

// ---- the committed launcher ---------------------------------------------

/// Run the committed `plugin/bin/agentops` from a copy of the plugin in a
/// directory with no checkout around it and a home without cargo, so it
/// finds no binary unless `AGENTOPS_BIN` names one.
fn launch(args: &[&str], stdin: &str, agentops_bin: Option<&str>) -> (i32, String) {
    let home = project();
    let plugin = home.path().join("plugin/bin");
    fs::create_dir_all(&plugin).expect("mkdir");
    let launcher = plugin.join("agentops");
    fs::copy(plugin_dir().join("bin/agentops"), &launcher).expect("copy launcher");
    let mut cmd = std::process::Command::new(&launcher);
    cmd.args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    if let Some(bin) = agentops_bin {
        cmd.env("AGENTOPS_BIN", bin);
    }
    let mut child = cmd.spawn().expect("run the launcher");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), stdin.as_bytes())
        .expect("payload");
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8"),
    )
}

#[test]
fn the_committed_plugin_without_a_binary_refuses_what_it_guards() {
    let bash = r#"{"tool_name":"Bash","tool_input":{"command":"ls"}}"#;
    for event in ["PreToolUse", "PreSkillShellCommand"] {
        let (code, out) = launch(&["hook", event], bash, None);
        assert_eq!(code, 0);
        let v: Value = serde_json::from_str(&out).expect("one JSON answer");
        assert_eq!(v["hookSpecificOutput"]["hookEventName"], event);
        assert_eq!(v["hookSpecificOutput"]["permissionDecision"], "deny");
        let reason = v["hookSpecificOutput"]["permissionDecisionReason"]
            .as_str()
            .expect("reason");
        assert!(reason.contains("not installed") && reason.contains("cargo install"));
    }
    let (_, out) = launch(&["hook", "PermissionRequest"], bash, None);
    let v: Value = serde_json::from_str(&out).expect("one JSON answer");
    assert_eq!(v["hookSpecificOutput"]["decision"]["behavior"], "deny");
    // Run bare (a runner that drops the arguments): the payload names it.
    let named = r#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{}}"#;
    let (_, out) = launch(&[], named, None);
    assert!(out.contains("\"permissionDecision\":\"deny\""), "{out}");
    // Events that guard nothing stay quiet; session start says why.
    let (code, out) = launch(&["hook", "Stop"], "{}", None);
    assert_eq!((code, out.as_str()), (0, ""));
    let (_, out) = launch(&["hook", "SessionStart"], "{}", None);
    assert!(out.contains("not installed"), "{out}");
    // Other agents' gates are refused in their own shapes.
    for (args, field) in [
        (
            ["hook", "--agent", "codex", "PreToolUse"],
            "\"permissionDecision\":\"deny\"",
        ),
        (
            ["hook", "--agent", "gemini", "BeforeTool"],
            "\"decision\":\"deny\"",
        ),
        (
            ["hook", "--agent", "copilot", "preToolUse"],
            "\"permissionDecision\":\"deny\"",
        ),
        (
            ["hook", "--agent", "cursor", "beforeShellExecution"],
            "\"permission\":\"deny\"",
        ),
    ] {
        let (code, out) = launch(&args, bash, None);
        assert_eq!(code, 0);
        assert!(
            out.contains(field) && out.contains("not installed"),
            "{args:?}: {out}"
        );
    }
}

#[test]
fn the_committed_launcher_runs_an_installed_binary() {
    let (code, out) = launch(
        &["hook", "PreToolUse", "--only", "validate-command"],
        r#"{"tool_name":"Bash","tool_input":{"command":"rm -rf ~/"}}"#,
        Some(common::BIN),
    );
    assert_eq!(code, 0);
    assert!(out.contains("CMD001"), "the binary answered: {out}");
}
