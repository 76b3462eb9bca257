//! validate-path: where the file tools may read and write.
//!
//! Hard rules (every mode): paths must be absolute, free of `..`, at most
//! 1024 characters, and writes must not touch agentops state, the hook
//! wiring or the agentops binary, judged on the path as given and on the
//! path with the symlinks of its existing prefix resolved. Soft rules:
//! system directories and credential dotfiles. A write to the flags file
//! that switches a security flag off is always put to the user.
//!
//! The only read is [`resolve_existing_prefix`], through the context's
//! world; [`decide`] works on the payload and its result alone.

use crate::security::validate_command::paths::credential_file;
use std::path::{Component, Path, PathBuf};

use agentops_core::Finding;
use agentops_core::{
    Context, FlagKind, Flags, HookEvent, HookInput, Outcome, Policy, Rule, Severity, Tool,
    ToolKind, ToolMatch, World,
};
use serde_json::Value;

use crate::security::protected::{self, Protected};

const POLICY: &str = "validate-path";

/// PATH001: a file tool path that is not absolute.
pub static RELATIVE_PATH: Rule = Rule {
    id: "PATH001",
    name: "relative-path",
    policy: POLICY,
    severity: Severity::Hard,
    reason: "file tool paths must be absolute",
    why: "A relative path is resolved against whatever directory the tool runs in, so the same call can touch another file than the one the user reviewed, and the protected-path and credential checks cannot judge it. The file tools take absolute paths.",
    fires: "PreToolUse Read: src/main.rs",
    instead: "give the absolute path (`$PWD/src/main.rs`)",
    passes: "PreToolUse Read: /p/src/main.rs",
};

/// PATH002: a `..` component in a path or Glob pattern.
pub static TRAVERSAL: Rule = Rule {
    id: "PATH002",
    name: "path-traversal",
    policy: POLICY,
    severity: Severity::Hard,
    reason: "path traversal (`..`) is not allowed in file tool paths",
    why: "`..` lets a path that starts inside the project climb out of it (`/p/docs/../../etc/shadow`), and a Glob pattern with `..` searches above its base; refusing it keeps what a path names visible in its text.",
    fires: "PreToolUse Read: /p/docs/../../etc/shadow",
    instead: "give the absolute path, without `..`",
    passes: "PreToolUse Read: /p/docs/release..notes.md",
};

/// PATH003: a path longer than 1024 characters.
pub static TOO_LONG: Rule = Rule {
    id: "PATH003",
    name: "path-too-long",
    policy: POLICY,
    severity: Severity::Hard,
    reason: "path exceeds the 1024 character limit",
    why: "No project file needs a path of more than 1024 characters; such paths pad a request so that the part that matters scrolls out of view or gets cut by tools that truncate. They are refused rather than judged.",
    fires: "a Read of `/p/` followed by 1100 more characters (a trigger case runs it)",
    instead: "use a shorter path (under 1024 characters)",
    passes: "PreToolUse Read: /p/src/components/settings/notifications/email/templates/weekly-digest.html",
};

/// PATH004: a write into agentops state.
pub static STATE_WRITE: Rule = Rule {
    id: "PATH004",
    name: "protected-state-write",
    policy: POLICY,
    severity: Severity::Hard,
    reason: "agentops state is protected from agent writes",
    why: "`.agentops/` holds the audit log, budgets, integrity baselines and session markers the guards rely on; an agent able to rewrite them could erase its own audit trail or reset a budget. Reading stays allowed, and the files agentops' own commands manage (flags.json, build state, tasks/lessons.md) stay writable.",
    fires: "PreToolUse Write: /p/.agentops/audit.jsonl <- {}",
    instead: "read .agentops/ freely; ask the user to change its state themselves",
    passes: "PreToolUse Read: /p/.agentops/audit.jsonl",
};

/// PATH005: a write to the hook wiring that runs agentops.
pub static WIRING_WRITE: Rule = Rule {
    id: "PATH005",
    name: "hook-wiring-write",
    policy: POLICY,
    severity: Severity::Hard,
    reason: "the hook wiring that runs agentops is protected from agent writes",
    why: "`.claude/settings*.json` and the plugin's `hooks.json` decide whether agentops runs at all: one edit there can unregister every guard for the rest of the session.",
    fires: r#"PreToolUse Edit: /p/.claude/settings.json <- {"hooks": {}}"#,
    instead: "ask the user to change the hook wiring themselves",
    passes: "PreToolUse Write: /p/.claude/commands/review.md <- # Review the diff",
};

/// PATH006: a write to the agentops binary.
pub static BINARY_WRITE: Rule = Rule {
    id: "PATH006",
    name: "binary-write",
    policy: POLICY,
    severity: Severity::Hard,
    reason: "the agentops binary is protected from agent writes",
    why: "Replacing the agentops binary (in a `bin/` directory, the plugin's `bin/` or a cargo `target/`) would let the agent swap its guard for one that allows everything.",
    fires: "PreToolUse Write: /usr/local/bin/agentops <- exit 0",
    instead: "ask the user to reinstall or update agentops themselves",
    passes: "PreToolUse Write: /p/src/agentops/mod.rs <- pub mod cli;",
};

/// PATH007: a path in an operating-system directory.
pub static SYSTEM_DIRECTORY: Rule = Rule {
    id: "PATH007",
    name: "system-directory",
    policy: POLICY,
    severity: Severity::Soft,
    reason: "access to a system directory",
    why: "/etc, /proc, /sys, /dev, /boot, /root, /sbin and C:\\Windows belong to the operating system: reading them leaks accounts and process environments (`/proc/*/environ`), writing them changes the machine rather than the project.",
    fires: "PreToolUse Read: /etc/passwd",
    instead: "work on a copy inside the project, or ask the user to make the change",
    passes: "PreToolUse Read: /p/etc/config.toml",
};

/// PATH008: a credential dotfile or store.
pub static SENSITIVE_DOTFILE: Rule = Rule {
    id: "PATH008",
    name: "sensitive-dotfile",
    policy: POLICY,
    severity: Severity::Soft,
    reason: "access to a sensitive dotfile or credential store",
    why: "~/.ssh, ~/.aws, ~/.gnupg, .netrc, .npmrc, .pypirc, .docker/config.json and .kube/config hold keys and tokens for other systems: reading one puts the secret into the conversation (and the provider's logs), writing one (authorized_keys) grants access.",
    fires: "PreToolUse Read: /home/u/.aws/credentials",
    instead: "ask the user for the one value you need from it",
    passes: "PreToolUse Read: /home/u/.docker/daemon.json",
};

/// PATH010: reading a credential or key file with a file tool.
pub static CREDENTIAL_READ: Rule = Rule {
    id: "PATH010",
    name: "credential-file-read",
    policy: POLICY,
    severity: Severity::Soft,
    reason: "reads a credential or key file (.env, private keys, token files)",
    why: "Reading a .env or key file with the Read tool copies its secrets into the conversation and the provider's logs exactly as `cat .env` does, so it is judged the same way (CMD013). Templates such as .env.example hold no secrets and pass.",
    fires: "PreToolUse Read: /p/.env",
    instead: "ask the user for the value you need; a template such as `.env.example` holds no secrets",
    passes: "PreToolUse Read: /p/.env.example",
};

/// PATH009: a flags-file write that switches a security flag off.
pub static SECURITY_FLAG_OFF: Rule = Rule {
    id: "PATH009",
    name: "security-flag-disabled",
    policy: POLICY,
    severity: Severity::Confirm,
    reason: "this write switches off an agentops security flag; the user must confirm",
    why: "flags.json stays writable so `/agentops:flags` works, but a write that turns a security guard off (injection scan, path validation, …) would remove a protection without the user noticing; it is put to the user in every mode, bypass included.",
    fires: r#"PreToolUse Write: /p/.agentops/flags.json <- {"injection_scan_enabled": false}"#,
    instead: "ask the user to change the flag themselves (`agentops flags set`)",
    passes: r#"PreToolUse Write: /p/.agentops/flags.json <- {"auto_test_enabled": false}"#,
};

static RULES: &[&Rule] = &[
    &RELATIVE_PATH,
    &TRAVERSAL,
    &TOO_LONG,
    &STATE_WRITE,
    &WIRING_WRITE,
    &BINARY_WRITE,
    &SYSTEM_DIRECTORY,
    &SENSITIVE_DOTFILE,
    &CREDENTIAL_READ,
    &SECURITY_FLAG_OFF,
];

/// Longest path accepted, in characters.
const MAX_PATH_CHARS: usize = 1024;

/// Top-level directories of the operating system itself.
const SYSTEM_DIRS: &[&str] = &["etc", "proc", "sys", "dev", "boot", "root", "sbin"];

/// Directories whose every file is a credential store.
const SENSITIVE_DIRS: &[&str] = &[".ssh", ".gnupg", ".aws"];

/// Credential files, by the trailing components of their path.
const SENSITIVE_FILES: &[&str] = &[
    ".docker/config.json",
    ".kube/config",
    ".netrc",
    "_netrc",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
];

/// Upstream's security flags; flags of registered security policies are
/// added at run time so a new guard is covered without editing this list.
const KNOWN_SECURITY_FLAGS: &[&str] = &[
    "command_validation_enabled",
    "path_validation_enabled",
    "env_validation_enabled",
    "injection_scan_enabled",
    "exfiltration_detection_enabled",
    "credential_redaction_enabled",
    "content_trust_enabled",
    "unicode_firewall_enabled",
    "integrity_verification_enabled",
    "lockfile_audit_enabled",
];

/// The validate-path policy.
pub static VALIDATE_PATH: Policy = Policy {
    name: POLICY,
    summary: "Keeps file tools on absolute, traversal-free paths away from agentops state, system directories and credential files",
    events: &[HookEvent::PreToolUse],
    tools: ToolMatch::Only(&[ToolKind::Write, ToolKind::Edit, ToolKind::MultiEdit, ToolKind::NotebookEdit, ToolKind::Read, ToolKind::Glob, ToolKind::Grep]),
    flag: Some(("path_validation_enabled", FlagKind::Security)),
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    let Some(tool) = input.tool() else {
        return Outcome::none();
    };
    let canonical = input
        .target_path()
        .filter(|p| is_absolute(p) && !has_traversal(p) && p.chars().count() <= MAX_PATH_CHARS)
        .and_then(|p| resolve_existing_prefix(ctx.world.as_ref(), Path::new(p)))
        .and_then(|p| p.to_str().map(str::to_string));
    Outcome {
        findings: decide(&tool, input, canonical.as_deref(), ctx),
        ..Outcome::default()
    }
}

/// The path with the symlinks of its longest existing prefix resolved (by
/// the world) and the rest appended; `None` when nothing of it exists or it
/// cannot be read.
pub fn resolve_existing_prefix(world: &dyn World, path: &Path) -> Option<PathBuf> {
    let mut existing = path;
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    loop {
        if let Ok(real) = world.canonicalize(existing) {
            let mut out = real;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return Some(out);
        }
        let name = match existing.components().next_back() {
            Some(Component::Normal(name)) => name,
            _ => return None,
        };
        rest.push(name);
        existing = existing.parent()?;
    }
}

/// Decide from the payload and, when known, the symlink-resolved path.
pub fn decide(
    tool: &Tool,
    input: &HookInput,
    canonical: Option<&str>,
    ctx: &Context,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(pattern) = glob_pattern(tool, input) {
        if has_traversal(pattern) {
            findings.push(Finding::with_subject(&TRAVERSAL, shorten(pattern)));
            return findings;
        }
    }
    let Some(raw) = input.target_path().filter(|p| !p.is_empty()) else {
        return findings;
    };
    if !is_absolute(raw) {
        findings.push(Finding::with_subject(&RELATIVE_PATH, shorten(raw)));
        return findings;
    }
    if has_traversal(raw) {
        findings.push(Finding::with_subject(&TRAVERSAL, shorten(raw)));
        return findings;
    }
    if raw.chars().count() > MAX_PATH_CHARS {
        findings.push(Finding::with_subject(
            &TOO_LONG,
            format!("{} characters", raw.chars().count()),
        ));
        return findings;
    }

    let normal = protected::normalise(raw);
    let canonical = canonical.map(protected::normalise);
    let forms: Vec<&str> = std::iter::once(normal.as_str())
        .chain(canonical.as_deref().filter(|c| *c != normal))
        .collect();

    if tool.writes_files() {
        let plugin_root = ctx.plugin_root.as_deref();
        if let Some((kind, path)) = forms
            .iter()
            .find_map(|p| protected::classify(p, plugin_root).map(|k| (k, *p)))
        {
            let rule = match kind {
                Protected::AgentopsState => &STATE_WRITE,
                Protected::HookWiring => &WIRING_WRITE,
                Protected::Binary => &BINARY_WRITE,
            };
            findings.push(Finding::with_subject(rule, shorten(path)));
            return findings;
        }
        if forms.iter().any(|p| is_flags_file(p)) {
            for flag in disabled_security_flags(tool, input, ctx) {
                findings.push(Finding::with_subject(&SECURITY_FLAG_OFF, flag));
            }
        }
    }

    if let Some(path) = forms.iter().find(|p| in_system_dir(p)) {
        findings.push(Finding::with_subject(&SYSTEM_DIRECTORY, shorten(path)));
    } else if let Some(path) = forms.iter().find(|p| is_sensitive_dotfile(p)) {
        findings.push(Finding::with_subject(&SENSITIVE_DOTFILE, shorten(path)));
    } else if *tool == Tool::Read {
        if let Some(path) = forms.iter().find(|p| credential_file(p)) {
            findings.push(Finding::with_subject(&CREDENTIAL_READ, shorten(path)));
        }
    }
    findings
}

/// The Glob pattern, which can climb out of `path` on its own.
fn glob_pattern<'a>(tool: &Tool, input: &'a HookInput) -> Option<&'a str> {
    (*tool == Tool::Glob)
        .then(|| input.input_str("pattern"))
        .flatten()
}

/// POSIX absolute, Windows drive-absolute (`C:\`, `C:/`) or UNC (`\\host`).
pub fn is_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with('/')
        || path.starts_with("\\\\")
        || (b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && (b[2] == b'\\' || b[2] == b'/'))
}

/// A `..` component under either separator.
pub fn has_traversal(path: &str) -> bool {
    path.split(['/', '\\']).any(|c| c == "..")
}

fn components(path: &str) -> Vec<&str> {
    path.split('/').filter(|c| !c.is_empty()).collect()
}

fn in_system_dir(path: &str) -> bool {
    let parts = components(path);
    match parts.as_slice() {
        [first, ..] if path.starts_with('/') => SYSTEM_DIRS.contains(first),
        // Windows: C:/Windows/...
        [drive, dir, ..] if drive.len() == 2 && drive.ends_with(':') => {
            dir.eq_ignore_ascii_case("windows")
        }
        _ => false,
    }
}

fn is_sensitive_dotfile(path: &str) -> bool {
    let parts = components(path);
    if parts.iter().any(|c| SENSITIVE_DIRS.contains(c)) {
        return true;
    }
    SENSITIVE_FILES.iter().any(|suffix| {
        let want = components(suffix);
        parts.len() >= want.len() && parts[parts.len() - want.len()..] == want[..]
    })
}

fn is_flags_file(path: &str) -> bool {
    components(path).ends_with(&[".agentops", "flags.json"])
}

/// Security flags the new flags-file text turns off. A Write is parsed as
/// the whole file; an edit is searched for `"<flag>": false`.
fn disabled_security_flags(tool: &Tool, input: &HookInput, ctx: &Context) -> Vec<String> {
    let names = security_flag_names(ctx);
    let mut off = Vec::new();
    let mut note = |name: &str| {
        if !off.iter().any(|o: &String| o == name) {
            off.push(name.to_string());
        }
    };
    if *tool == Tool::Write {
        let content = input.input_str("content").unwrap_or("");
        let flags = Flags::parse(content.as_bytes());
        for name in &names {
            if !flags.enabled(name, FlagKind::Security) {
                note(name);
            }
        }
        return off;
    }
    for text in new_texts(input) {
        for name in &names {
            if sets_false(text, name) {
                note(name);
            }
        }
    }
    off
}

/// The text an Edit, MultiEdit or NotebookEdit puts into the file.
fn new_texts(input: &HookInput) -> Vec<&str> {
    let Some(tool_input) = input.tool_input.as_ref() else {
        return Vec::new();
    };
    let mut texts: Vec<&str> = ["new_string", "new_source", "content"]
        .iter()
        .filter_map(|k| tool_input.get(*k).and_then(Value::as_str))
        .collect();
    if let Some(edits) = tool_input.get("edits").and_then(Value::as_array) {
        texts.extend(
            edits
                .iter()
                .filter_map(|e| e.get("new_string").and_then(Value::as_str)),
        );
    }
    texts
}

/// `"name"` followed by a colon and `false` or `"false"`.
fn sets_false(text: &str, name: &str) -> bool {
    let quoted = format!("\"{name}\"");
    text.match_indices(&quoted).any(|(at, _)| {
        let rest = text[at + quoted.len()..].trim_start();
        rest.strip_prefix(':').is_some_and(|v| {
            let v = v.trim_start();
            v.starts_with("false") || v.starts_with("\"false\"")
        })
    })
}

/// The security flags: the well-known ones plus every security flag a
/// registered policy reads (listed by the engine in the context).
fn security_flag_names(ctx: &Context) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = KNOWN_SECURITY_FLAGS.to_vec();
    for (name, kind) in ctx.policy_flags {
        if *kind == FlagKind::Security && !names.contains(name) {
            names.push(name);
        }
    }
    names
}

fn shorten(path: &str) -> String {
    const KEEP: usize = 200;
    if path.chars().count() <= KEEP {
        path.to_string()
    } else {
        let head: String = path.chars().take(KEEP).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use agentops_core::MemoryWorld;
    use agentops_state::HostWorld;
    use serde_json::json;
    use std::sync::Arc;

    fn input(tool: &str, tool_input: Value) -> HookInput {
        serde_json::from_value(json!({"tool_name": tool, "tool_input": tool_input}))
            .expect("test payload")
    }

    fn ids_with(
        tool: &str,
        tool_input: Value,
        canonical: Option<&str>,
        ctx: &Context,
    ) -> Vec<&'static str> {
        let i = input(tool, tool_input);
        decide(&Tool::from_name(tool), &i, canonical, ctx)
            .iter()
            .map(|f| f.rule.id)
            .collect()
    }

    fn ids(tool: &str, path: &str) -> Vec<&'static str> {
        let key = match tool {
            "Glob" | "Grep" => "path",
            "NotebookEdit" => "notebook_path",
            _ => "file_path",
        };
        ids_with(tool, json!({ key: path }), None, &Context::default())
    }

    #[test]
    fn path_table() {
        let long = format!("/{}", "a".repeat(1100));
        let cases: &[(&str, &str, &[&str])] = &[
            // shape
            ("Read", "relative/path.txt", &["PATH001"]),
            ("Read", "~/.ssh/id_rsa", &["PATH001"]),
            ("Write", "src\\main.rs", &["PATH001"]),
            ("Read", "/home/u/p/../../etc/passwd", &["PATH002"]),
            ("Read", "C:\\p\\..\\secret", &["PATH002"]),
            ("Read", &long, &["PATH003"]),
            ("Read", "/home/u/p/file..name", &[]),
            ("Read", "/home/u/p/..hidden", &[]),
            // protected state, writes only
            ("Write", "/p/.agentops/audit.jsonl", &["PATH004"]),
            ("Edit", "/p/.agentops/budget.json", &["PATH004"]),
            ("MultiEdit", "/p/.agentops/integrity.jsonl", &["PATH004"]),
            ("NotebookEdit", "/p/.agentops/x.ipynb", &["PATH004"]),
            ("Write", "C:\\p\\.agentops\\audit.jsonl", &["PATH004"]),
            ("Read", "/p/.agentops/audit.jsonl", &[]),
            ("Grep", "/p/.agentops", &[]),
            ("Write", "/p/.agentops/flags.json", &[]),
            ("Write", "/p/.agentops/build-state.json", &[]),
            ("Edit", "/p/tasks/lessons.md", &[]),
            ("Write", "/p/.claude/settings.json", &["PATH005"]),
            ("Edit", "/p/.claude/settings.local.json", &["PATH005"]),
            ("Write", "/p/hooks/hooks.json", &["PATH005"]),
            ("Write", "/usr/local/bin/agentops", &["PATH006"]),
            ("Read", "/p/.claude/settings.json", &[]),
            // system directories
            ("Read", "/etc/passwd", &["PATH007"]),
            ("Read", "/proc/1/status", &["PATH007"]),
            ("Glob", "/sys", &["PATH007"]),
            ("Write", "/boot/grub/grub.cfg", &["PATH007"]),
            ("Read", "C:\\Windows\\System32\\config\\SAM", &["PATH007"]),
            ("Read", "/home/u/p/etc/config.toml", &[]),
            ("Read", "/etcetera/x", &[]),
            ("Read", "/devices/x", &[]),
            // credential dotfiles
            ("Read", "/home/u/.ssh/id_rsa", &["PATH008"]),
            ("Write", "/home/u/.ssh/authorized_keys", &["PATH008"]),
            ("Read", "/home/u/.aws/credentials", &["PATH008"]),
            ("Read", "/home/u/.gnupg", &["PATH008"]),
            ("Read", "/home/u/.docker/config.json", &["PATH008"]),
            ("Read", "/home/u/.kube/config", &["PATH008"]),
            ("Read", "/home/u/.netrc", &["PATH008"]),
            ("Read", "/home/u/p/.npmrc", &["PATH008"]),
            ("Read", "/home/u/.pypirc", &["PATH008"]),
            ("Read", "/home/u/.git-credentials", &["PATH008"]),
            ("Read", "C:\\Users\\u\\.ssh\\id_ed25519", &["PATH008"]),
            ("Read", "/home/u/p/docs/ssh.md", &[]),
            ("Read", "/home/u/p/.sshrc-notes", &[]),
            ("Read", "/home/u/p/.docker/daemon.json", &[]),
            ("Read", "/home/u/p/k8s/.kube-config.md", &[]),
            // ordinary files
            ("Read", "/home/u/p/src/index.ts", &[]),
            ("Write", "/home/u/p/src/index.ts", &[]),
            ("Glob", "/home/u/p/src", &[]),
            ("Read", "C:\\Users\\u\\p\\src\\main.rs", &[]),
            ("Read", "\\\\server\\share\\doc.txt", &[]),
            ("Read", "", &[]),
        ];
        for (tool, path, want) in cases {
            assert_eq!(ids(tool, path), *want, "{tool} {path}");
        }
    }

    #[test]
    fn symlinked_prefix_is_judged_by_its_target() {
        let ctx = Context::default();
        let write = |canonical| {
            ids_with(
                "Write",
                json!({"file_path": "/p/link/audit.jsonl"}),
                Some(canonical),
                &ctx,
            )
        };
        assert_eq!(write("/p/.agentops/audit.jsonl"), ["PATH004"]);
        assert_eq!(write("/p/real/audit.jsonl"), Vec::<&str>::new());
        let read = ids_with(
            "Read",
            json!({"file_path": "/p/notes"}),
            Some("/etc/shadow"),
            &ctx,
        );
        assert_eq!(read, ["PATH007"]);
        let key = ids_with(
            "Read",
            json!({"file_path": "/p/k"}),
            Some("/home/u/.ssh/id_rsa"),
            &ctx,
        );
        assert_eq!(key, ["PATH008"]);
    }

    #[test]
    fn plugin_hooks_and_binary_are_protected_when_the_root_is_known() {
        let ctx = Context {
            plugin_root: Some("/opt/plugins/agentops".into()),
            ..Context::default()
        };
        let w = |p: &str| ids_with("Edit", json!({"file_path": p}), None, &ctx);
        assert_eq!(w("/opt/plugins/agentops/hooks/hooks.json"), ["PATH005"]);
        assert_eq!(w("/opt/plugins/agentops/bin/agentops"), ["PATH006"]);
        assert_eq!(w("/opt/plugins/other/README.md"), Vec::<&str>::new());
    }

    #[test]
    fn glob_patterns_cannot_climb_out() {
        let ctx = Context::default();
        let g = |v| ids_with("Glob", v, None, &ctx);
        assert_eq!(g(json!({"pattern": "../../**/*.pem"})), ["PATH002"]);
        assert_eq!(
            g(json!({"pattern": "src/**/*.rs", "path": "/p"})),
            Vec::<&str>::new()
        );
        assert_eq!(g(json!({"pattern": "**/*.rs"})), Vec::<&str>::new());
    }

    #[test]
    fn switching_off_a_security_flag_asks() {
        let ctx = Context::default();
        let flags = "/p/.agentops/flags.json";
        let cases: &[(&str, Value, &[&str])] = &[
            (
                "Write",
                json!({"file_path": flags, "content": "{\"injection_scan_enabled\": false}"}),
                &["PATH009"],
            ),
            (
                "Write",
                json!({"file_path": flags, "content": "{\"path_validation_enabled\": \"false\", \"command_validation_enabled\": false}"}),
                &["PATH009", "PATH009"],
            ),
            (
                "Edit",
                json!({"file_path": flags, "old_string": "true", "new_string": "\"credential_redaction_enabled\" : false"}),
                &["PATH009"],
            ),
            (
                "MultiEdit",
                json!({"file_path": flags, "edits": [{"old_string": "a", "new_string": "\"content_trust_enabled\":\"false\""}]}),
                &["PATH009"],
            ),
            // allowed: automation flags, turning guards on, modes, other files
            (
                "Write",
                json!({"file_path": flags, "content": "{\"auto_test_enabled\": false, \"injection_scan_enabled\": true}"}),
                &[],
            ),
            (
                "Write",
                json!({"file_path": flags, "content": "{\"enforcement_mode\": \"blocking\"}"}),
                &[],
            ),
            (
                "Write",
                json!({"file_path": flags, "content": "not json"}),
                &[],
            ),
            (
                "Edit",
                json!({"file_path": flags, "old_string": "false", "new_string": "\"injection_scan_enabled\": true"}),
                &[],
            ),
            (
                "Write",
                json!({"file_path": "/p/docs/flags.json", "content": "{\"injection_scan_enabled\": false}"}),
                &[],
            ),
        ];
        for (tool, value, want) in cases {
            assert_eq!(
                ids_with(tool, value.clone(), None, &ctx),
                *want,
                "{tool} {value}"
            );
        }
    }

    #[test]
    fn resolves_symlinks_of_the_existing_prefix() {
        let world = MemoryWorld::new()
            .dir("/p/real/.agentops")
            .symlink("/p/link", "/p/real/.agentops")
            .symlink("/p/dangling", "/p/gone");
        let resolve = |p: &str| resolve_existing_prefix(&world, Path::new(p));
        assert_eq!(
            resolve("/p/link/new/audit.jsonl"),
            Some(PathBuf::from("/p/real/.agentops/new/audit.jsonl")),
            "the longest existing prefix is resolved, the rest appended"
        );
        assert_eq!(
            resolve("/p/src/new.rs"),
            Some(PathBuf::from("/p/src/new.rs"))
        );
        assert_eq!(
            resolve("/p/dangling/x"),
            Some(PathBuf::from("/p/dangling/x")),
            "a dangling link is kept as written"
        );
        assert_eq!(resolve("relative"), None);
        assert_eq!(
            resolve_existing_prefix(&MemoryWorld::new(), Path::new("/x")),
            None
        );
    }

    #[test]
    fn writes_through_a_symlink_are_judged_by_the_target() {
        let world = MemoryWorld::new()
            .dir("/p/.agentops")
            .dir("/p/notes")
            .file("/etc/shadow", "root:*:1::::::")
            .symlink("/p/logs", "/p/.agentops")
            .symlink("/p/notes/shadow", "/etc/shadow");
        let ctx = Context {
            project_dir: "/p".into(),
            world: Arc::new(world),
            ..Context::default()
        };
        let run = |tool: &str, path: &str| -> Vec<&'static str> {
            let i = input(tool, json!({"file_path": path, "content": "x"}));
            VALIDATE_PATH
                .evaluate(HookEvent::PreToolUse, &i, &ctx)
                .findings
                .iter()
                .map(|f| f.rule.id)
                .collect()
        };
        assert_eq!(run("Write", "/p/logs/audit.jsonl"), ["PATH004"]);
        assert_eq!(run("Read", "/p/logs/audit.jsonl"), Vec::<&str>::new());
        assert_eq!(run("Read", "/p/notes/shadow"), ["PATH007"]);
        assert_eq!(run("Write", "/p/notes/todo.md"), Vec::<&str>::new());
    }

    #[cfg(unix)]
    #[test]
    fn resolves_symlinks_on_disk() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = dir.path().join("real").join(".agentops");
        std::fs::create_dir_all(&state).expect("state dir");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&state, &link).expect("symlink");
        let resolved = resolve_existing_prefix(&HostWorld, &link.join("new").join("audit.jsonl"))
            .expect("prefix exists");
        assert!(
            resolved.ends_with(".agentops/new/audit.jsonl"),
            "{}",
            resolved.display()
        );
        assert_eq!(
            resolve_existing_prefix(&HostWorld, Path::new("relative")),
            None
        );
    }
}
