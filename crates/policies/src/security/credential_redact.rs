//! credential-redact: after a shell command or a Read touched a credential
//! file, record a redacted audit event and remind the agent not to repeat
//! secrets; when the tool output itself holds secrets, name their kinds
//! (never the values).
//!
//! Deciding is pure; the audit record's timestamp comes from the clock of
//! the context's world.

use agentops_core::{
    Context, Effect, Finding, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity,
    Tool, ToolKind, ToolMatch,
};
use agentops_literals::{Index, Literal};
use agentops_redact::{find_secrets_json, redact, redact_json, SecretKind};
use serde_json::json;

const POLICY: &str = "credential-redact";

/// The audit log the engine appends our records to.
pub const AUDIT_LOG: &str = "audit.jsonl";

/// Extensions of files that hold keys, certificates' private halves,
/// keystores or secrets.
const CREDENTIAL_EXTENSIONS: &[&str] = &[
    "pem",
    "key",
    "p12",
    "pfx",
    "jks",
    "keystore",
    "ppk",
    "kdbx",
    "secret",
    "secrets",
    "credential",
    "credentials",
    "token",
    "password",
    "tfstate",
];

/// File names that hold credentials whatever their extension.
const CREDENTIAL_NAMES: &[&str] = &[
    ".env",
    "credentials",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    ".netrc",
    "_netrc",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
    ".pgpass",
    ".htpasswd",
    "secrets.yml",
    "secrets.yaml",
    "secrets.json",
];

/// Directories whose files are credentials, except the public ones.
const CREDENTIAL_DIRS: &[&str] = &[".ssh", ".aws", ".gnupg"];

/// Variants of `.env` that hold placeholders, not values.
const TEMPLATE_SUFFIXES: &[&str] = &["example", "sample", "template", "dist", "defaults"];

/// Commands that print or load a file's contents.
const READERS: &[&str] = &[
    "cat",
    "less",
    "more",
    "head",
    "tail",
    "grep",
    "egrep",
    "rg",
    "ag",
    "jq",
    "yq",
    "python",
    "python3",
    "ruby",
    "node",
    "perl",
    "source",
    ".",
    "base64",
    "xxd",
    "od",
    "hexdump",
    "strings",
    "awk",
    "sed",
    "bat",
    "nl",
    "tac",
    "cut",
    "sort",
    "uniq",
    "diff",
    "openssl",
    "gpg",
    "ssh-keygen",
    "dotenv",
    "env-cmd",
    "xargs",
    "vim",
    "vi",
    "nano",
    "view",
    "bash",
    "sh",
    "zsh",
];

/// CRED001: a Read or a shell command touched a credential file.
pub static CREDENTIAL_ACCESS: Rule = Rule {
    id: "CRED001",
    name: "credential-file-access",
    policy: POLICY,
    severity: Severity::Warn,
    reason: "a tool read a file that may hold credentials",
    why: "Once a tool has read `.env`, a private key or a cloud credentials file, the values sit in the model's context and can resurface in replies, commits or commands. The access is recorded (redacted) in the audit log and the model is told not to repeat the values.",
    fires: "PostToolUse Read: /p/.env",
    passes: "PostToolUse Read: /p/.env.example",
    instead: "",
};

/// CRED002: the tool output holds secrets (named by kind, never repeated).
pub static SECRET_IN_OUTPUT: Rule = Rule {
    id: "CRED002",
    name: "secret-in-output",
    policy: POLICY,
    severity: Severity::Warn,
    reason: "the tool output contains secrets",
    why: "Output that holds an API key, token, private key or password assignment puts the value into the conversation even when the file was not a known credential file. Naming the kinds, never the values, tells the model what to leave out of its replies, and the audit log records the kinds.",
    fires: "PostToolUse Bash: cat config/app.conf => DB_PASSWORD=hunter2-staging",
    passes: "PostToolUse Bash: cat config/app.conf => DB_PASSWORD=${DB_PASSWORD}",
    instead: "",
};

static RULES: &[&Rule] = &[&CREDENTIAL_ACCESS, &SECRET_IN_OUTPUT];

/// The credential-redact policy.
pub static CREDENTIAL_REDACT: Policy = Policy {
    name: POLICY,
    summary: "Audits credential-file access and tells the agent which secrets its tool output holds, without repeating them",
    events: &[HookEvent::PreToolUse, HookEvent::PostToolUse],
    tools: ToolMatch::Only(&[ToolKind::Bash, ToolKind::Read]),
    flag: Some(("credential_redaction_enabled", FlagKind::Security)),
    rules: RULES,
    evaluate,
};

fn evaluate(event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    if event == HookEvent::PreToolUse {
        return warn_ahead(input);
    }
    decide(input, &utc_timestamp(ctx.world.now_secs()))
}

/// What touched a credential file, if anything.
#[derive(Debug, PartialEq)]
enum Access<'a> {
    Command {
        files: Vec<String>,
        command: &'a str,
    },
    Read {
        file: &'a str,
    },
}

/// Before the call: only the reminder, no audit (nothing was read yet).
pub fn warn_ahead(input: &HookInput) -> Outcome {
    let Some(access) = access(input) else {
        return Outcome::none();
    };
    let what = match access {
        Access::Command { files, .. } => format!(
            "This command reads {} that may contain credentials",
            files.join(", ")
        ),
        Access::Read { .. } => "This file may contain credentials".to_string(),
    };
    Outcome {
        context: vec![format!("WARNING: {what}. {DO_NOT_REPEAT}")],
        ..Outcome::default()
    }
}

const DO_NOT_REPEAT: &str = "Do not repeat any secret, API key, token or password from it in your reply, in files or in commands; write [REDACTED] in its place.";

/// The credential file a Read or a shell command touches, if any.
fn access(input: &HookInput) -> Option<Access<'_>> {
    match input.tool()? {
        Tool::Read => input
            .input_str("file_path")
            .filter(|p| is_credential_file(p))
            .map(|file| Access::Read { file }),
        Tool::Bash => input.command().and_then(|command| {
            let files = credential_files_read(command);
            (!files.is_empty()).then_some(Access::Command { files, command })
        }),
        _ => None,
    }
}

/// Decide for one PostToolUse payload; `ts` stamps the audit record.
pub fn decide(input: &HookInput, ts: &str) -> Outcome {
    let access = access(input);
    let kinds = input.response().map(find_secrets_json).unwrap_or_default();
    if access.is_none() && kinds.is_empty() {
        return Outcome::none();
    }

    let mut context = Vec::new();
    if let Some(access) = &access {
        let what = match access {
            Access::Command { files, .. } => format!(
                "This command read {} that may contain credentials",
                files.join(", ")
            ),
            Access::Read { .. } => "This file may contain credentials".to_string(),
        };
        context.push(format!("WARNING: {what}. {DO_NOT_REPEAT}"));
    }
    if !kinds.is_empty() {
        context.push(format!(
            "WARNING: the tool output contains {}. Do not repeat these values; refer to them by name and write [REDACTED] where a value would go.",
            describe_kinds(&kinds)
        ));
    }

    let event = if access.is_some() {
        "CREDENTIAL_ACCESS"
    } else {
        "SECRET_IN_OUTPUT"
    };
    let mut record = json!({
        "ts": ts,
        "event": event,
        "session": input.session_id.as_deref().unwrap_or(""),
        "tool": input.tool_name.as_deref().unwrap_or(""),
    });
    let summary = match &access {
        Some(Access::Command { command, .. }) => {
            record["command"] = json!(redact(command));
            format!(
                "command read credential files: {}",
                shorten(&redact(command))
            )
        }
        Some(Access::Read { file }) => {
            record["file"] = json!(file);
            format!("read credential file {file}")
        }
        None => "tool output contained secrets".to_string(),
    };
    record["summary"] = json!(summary);
    if !kinds.is_empty() {
        record["secret_kinds"] = json!(kinds.iter().map(|k| k.id()).collect::<Vec<_>>());
    }

    let mut findings = Vec::new();
    if access.is_some() {
        findings.push(Finding::new(&CREDENTIAL_ACCESS));
    }
    if !kinds.is_empty() {
        let ids: Vec<&str> = kinds.iter().map(|k| k.id()).collect();
        findings.push(Finding::with_subject(&SECRET_IN_OUTPUT, ids.join(", ")));
    }
    record["rules"] = json!(findings.iter().map(|f| f.rule.id).collect::<Vec<_>>());
    Outcome {
        findings,
        context,
        messages: Vec::new(),
        effects: vec![Effect::AppendRecord {
            log: AUDIT_LOG,
            record: redact_json(&record),
        }],
        once: None,
    }
}

fn describe_kinds(kinds: &[SecretKind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|k| k.describe()).collect();
    match names.as_slice() {
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
        [] => String::new(),
    }
}

fn shorten(text: &str) -> String {
    const KEEP: usize = 200;
    if text.chars().count() <= KEEP {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(KEEP).collect::<String>())
    }
}

/// Whether a path names a credential file. Called for every word of a
/// command, so it compares in place instead of building lowercase copies.
pub fn is_credential_file(path: &str) -> bool {
    let unified: std::borrow::Cow<str> = if path.contains('\\') {
        path.replace('\\', "/").into()
    } else {
        path.into()
    };
    let mut parts = unified.split('/').filter(|p| !p.is_empty());
    let Some(name) = parts.next_back() else {
        return false;
    };
    let is = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let bytes = name.as_bytes();
    let public_key = bytes.len() >= 4 && bytes[bytes.len() - 4..].eq_ignore_ascii_case(b".pub");
    if public_key || is(name, "known_hosts") || is(name, "authorized_keys") {
        return false;
    }
    // What is left of `parts` are the directories.
    if parts.any(|d| CREDENTIAL_DIRS.contains(&d)) {
        return true;
    }
    if bytes.len() >= 4 && bytes[..4].eq_ignore_ascii_case(b".env") {
        // `.env` is ASCII, so byte 4 is a character boundary.
        let variant = &name[4..];
        return match variant.strip_prefix('.') {
            None => variant.is_empty(),
            Some(suffix) => !TEMPLATE_SUFFIXES.iter().any(|t| is(t, suffix)),
        };
    }
    if CREDENTIAL_NAMES.iter().any(|n| is(n, name)) {
        return true;
    }
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && CREDENTIAL_EXTENSIONS.iter().any(|e| is(e, ext))
    })
}

/// Every text a credential file's path must contain (a directory of
/// [`CREDENTIAL_DIRS`], a name of [`CREDENTIAL_NAMES`] or an extension of
/// [`CREDENTIAL_EXTENSIONS`]), built from those lists by the compiler: a
/// command without any of them reads no credential file, which one pass
/// over it tells.
static CREDENTIAL_HINTS: Index<HINTS> = Index::new(hints());

const HINTS: usize = CREDENTIAL_DIRS.len() + CREDENTIAL_NAMES.len() + CREDENTIAL_EXTENSIONS.len();

const fn hints() -> [Literal; HINTS] {
    let mut out = [Literal::exact("", 0); HINTS];
    let lists: [&[&str]; 3] = [CREDENTIAL_DIRS, CREDENTIAL_NAMES, CREDENTIAL_EXTENSIONS];
    let (mut at, mut l) = (0, 0);
    while l < lists.len() {
        let mut i = 0;
        while i < lists[l].len() {
            out[at] = Literal::ascii_case_insensitive(lists[l][i], 0);
            at += 1;
            i += 1;
        }
        l += 1;
    }
    out
}

/// Credential files a shell command reads: arguments of a reading command
/// and `<` redirections. Output redirections (`> .env`) are writes.
pub fn credential_files_read(command: &str) -> Vec<String> {
    let mut files: Vec<String> = Vec::new();
    let mut hinted = false;
    CREDENTIAL_HINTS.find(command.as_bytes(), |_| hinted = true);
    if !hinted {
        return files;
    }
    let spaced = spaced_segments(command);
    for segment in spaced.split(" ; ") {
        let words: Vec<&str> = segment.split_whitespace().collect();
        let program = words
            .iter()
            .copied()
            .find(|w| {
                !w.contains('=')
                    && !matches!(*w, "sudo" | "command" | "env" | "exec" | "time" | "nohup")
            })
            .map(|w| w.rsplit('/').next().unwrap_or(w));
        let reads = program.is_some_and(|p| READERS.contains(&p));
        let mut previous = "";
        for word in &words {
            let arg = word.trim_matches(|c| c == '"' || c == '\'');
            let arg = arg.trim_start_matches('>').trim_start_matches('<');
            let redirected_in = previous == "<";
            let redirected_out = previous == ">" || word.starts_with('>');
            if (reads || redirected_in) && !redirected_out && is_credential_file(arg) {
                let arg = arg.to_string();
                if !files.contains(&arg) {
                    files.push(arg);
                }
            }
            previous = word;
        }
    }
    files
}

/// The command with every segment boundary (`$(`, backquote, parentheses,
/// `|`, `&`, `;`, newline) spelled ` ; `, `>>` spelled ` > ` and `<`
/// spaced out, in one pass (a hook sees multi-KB pipelines).
fn spaced_segments(command: &str) -> String {
    let mut out = String::with_capacity(command.len() + command.len() / 4);
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' if chars.peek() == Some(&'(') => {
                chars.next();
                // Spelled as the successive replacements did (`$(` became
                // ` ; `, whose `;` became ` ; ` again); the words are the same.
                out.push_str("  ;  ");
            }
            '`' | '(' | ')' | '|' | '&' | ';' | '\n' => out.push_str(" ; "),
            '>' if chars.peek() == Some(&'>') => {
                chars.next();
                out.push_str(" > ");
            }
            '<' => out.push_str(" < "),
            c => out.push(c),
        }
    }
    out
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the Unix epoch.
pub fn utc_timestamp(secs: u64) -> String {
    agentops_records::clock::iso_from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn payload(tool: &str, tool_input: Value, response: Option<Value>) -> HookInput {
        let mut v = json!({"session_id": "s1", "tool_name": tool, "tool_input": tool_input});
        if let Some(r) = response {
            v["tool_response"] = r;
        }
        serde_json::from_value(v).expect("payload")
    }

    fn record(out: &Outcome) -> &Value {
        match out.effects.as_slice() {
            [Effect::AppendRecord { log, record }] => {
                assert_eq!(*log, AUDIT_LOG);
                record
            }
            other => panic!("expected one audit record, got {other:?}"),
        }
    }

    #[test]
    fn every_kind_of_credential_path_gets_past_the_hints() {
        let paths = CREDENTIAL_DIRS
            .iter()
            .map(|d| format!("~/{d}/config"))
            .chain(CREDENTIAL_NAMES.iter().map(|n| format!("deploy/{n}")))
            .chain(
                CREDENTIAL_EXTENSIONS
                    .iter()
                    .map(|e| format!("keys/prod.{e}")),
            );
        for path in paths {
            assert_eq!(
                credential_files_read(&format!("cat {path}")),
                [path.as_str()]
            );
        }
        assert!(credential_files_read("sort -rn | uniq -c | head -n 20").is_empty());
        assert_eq!(credential_files_read("less keys/ID_RSA"), ["keys/ID_RSA"]);
    }

    #[test]
    fn segments_are_spaced_as_by_successive_replacements() {
        for command in [
            "cat .env | grep x",
            "a$(cat .env)b",
            "x >>> y << z",
            "$((1+2)) && `cat id_rsa`; echo\nls (a)",
            "echo $HOME >.env",
        ] {
            let by_replacements = command
                .replace("$(", " ; ")
                .replace(['`', '(', ')', '|', '&', ';', '\n'], " ; ")
                .replace(">>", " > ")
                .replace('<', " < ");
            assert_eq!(spaced_segments(command), by_replacements, "{command}");
        }
    }

    #[test]
    fn credential_file_names() {
        for p in [
            "/p/.env",
            "/p/.env.local",
            "/p/.env.production",
            "server.pem",
            "/p/app.key",
            "/p/db.secret",
            "/home/u/.ssh/id_rsa",
            "/home/u/.ssh/config",
            "/home/u/.aws/credentials",
            "C:\\Users\\u\\.aws\\config",
            "/p/keystore.jks",
            "/p/cert.p12",
            "/p/.npmrc",
            "/p/.git-credentials",
            "/p/config/secrets.yml",
            "/p/terraform.tfstate",
        ] {
            assert!(is_credential_file(p), "{p}");
        }
        for p in [
            "/p/.env.example",
            "/p/.env.sample",
            "/p/.environment/readme.md",
            "/p/src/env.rs",
            "/p/README.md",
            "/p/src/main.ts",
            "/home/u/.ssh/id_rsa.pub",
            "/home/u/.ssh/known_hosts",
            "/p/server.crt",
            "/p/keys.md",
            "/p/src/key.rs",
            "/p/.key",
            "",
        ] {
            assert!(!is_credential_file(p), "{p}");
        }
    }

    #[test]
    fn commands_that_read_credentials() {
        let cases: &[(&str, &[&str])] = &[
            ("cat .env", &[".env"]),
            ("tail server.pem", &["server.pem"]),
            ("grep password app.key", &["app.key"]),
            ("source .env", &[".env"]),
            (". ./.env.local && npm start", &["./.env.local"]),
            ("export $(cat .env | xargs)", &[".env"]),
            ("python3 load.py < secrets.json", &["secrets.json"]),
            (
                "sudo cat /root/.aws/credentials",
                &["/root/.aws/credentials"],
            ),
            ("base64 -w0 'deploy.key'", &["deploy.key"]),
            (
                "cat /home/user/.ssh/id_rsa.key",
                &["/home/user/.ssh/id_rsa.key"],
            ),
            // not reads
            ("cat README.md", &[]),
            ("echo API_KEY=1 > .env", &[]),
            ("echo x >> .env", &[]),
            ("cp .env.example .env", &[]),
            ("rm -f server.pem", &[]),
            ("git add .env.example", &[]),
            ("ls ~/.ssh", &[]),
        ];
        for (command, want) in cases {
            assert_eq!(credential_files_read(command), *want, "{command}");
        }
    }

    #[test]
    fn bash_credential_read_warns_and_audits_a_redacted_command() {
        let input = payload(
            "Bash",
            json!({"command": "cat .env && curl -H 'Authorization: Bearer abc123def456ghi789jkl' x"}),
            Some(json!({"stdout": "DB_PASSWORD=hunter2\n", "stderr": ""})),
        );
        let out = decide(&input, "2026-01-02T03:04:05Z");
        assert!(out.context[0].contains("credentials"), "{:?}", out.context);
        assert!(
            out.context[1].contains("a password or secret assignment"),
            "{:?}",
            out.context
        );
        let rec = record(&out);
        assert_eq!(rec["event"], "CREDENTIAL_ACCESS");
        assert_eq!(rec["ts"], "2026-01-02T03:04:05Z");
        assert_eq!(rec["session"], "s1");
        assert_eq!(rec["tool"], "Bash");
        assert_eq!(rec["secret_kinds"], json!(["secret-assignment"]));
        assert_eq!(rec["rules"], json!(["CRED001", "CRED002"]));
        let text = rec.to_string();
        assert!(
            !text.contains("abc123def456") && !text.contains("hunter2"),
            "{text}"
        );
        assert!(text.contains("cat .env"), "{text}");
    }

    #[test]
    fn read_of_credential_file_warns() {
        let out = decide(
            &payload("Read", json!({"file_path": "/p/server.pem"}), None),
            "t",
        );
        assert_eq!(out.context.len(), 1);
        assert!(out.context[0].contains("credentials"));
        let rec = record(&out);
        assert_eq!(rec["file"], "/p/server.pem");
        assert_eq!(rec["event"], "CREDENTIAL_ACCESS");
    }

    #[test]
    fn secrets_in_ordinary_output_are_named_not_repeated() {
        let token = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";
        let out = decide(
            &payload(
                "Read",
                json!({"file_path": "/p/config/settings.toml"}),
                Some(json!({"file": {"content": format!("token = \"{token}\"")}})),
            ),
            "t",
        );
        assert_eq!(out.context.len(), 1);
        assert!(
            out.context[0].contains("a GitHub token"),
            "{:?}",
            out.context
        );
        assert!(!out.context[0].contains(token));
        let rec = record(&out);
        assert_eq!(rec["event"], "SECRET_IN_OUTPUT");
        assert!(!rec.to_string().contains("aBcDeF"));
    }

    #[test]
    fn quiet_for_ordinary_commands_and_files() {
        for input in [
            payload(
                "Bash",
                json!({"command": "cat README.md"}),
                Some(json!({"stdout": "# Title"})),
            ),
            payload(
                "Read",
                json!({"file_path": "/p/src/main.ts"}),
                Some(json!("export const x = 1;")),
            ),
            payload("Bash", json!({"command": "ls"}), None),
            payload("Write", json!({"file_path": "/p/.env"}), None),
        ] {
            assert!(decide(&input, "t").is_empty(), "{:?}", input.tool_input);
        }
    }

    #[test]
    fn pre_tool_use_warns_without_auditing() {
        let input = payload("Bash", json!({"command": "head -5 deploy.key"}), None);
        let out = CREDENTIAL_REDACT.evaluate(HookEvent::PreToolUse, &input, &Context::default());
        assert!(out.effects.is_empty() && out.findings.is_empty());
        assert!(out.context[0].contains("deploy.key") && out.context[0].contains("credentials"));
        let plain = payload("Bash", json!({"command": "head -5 notes.txt"}), None);
        assert!(CREDENTIAL_REDACT
            .evaluate(HookEvent::PreToolUse, &plain, &Context::default())
            .is_empty());
    }

    #[test]
    fn the_audit_record_is_stamped_with_the_world_clock() {
        let ctx = Context {
            world: std::sync::Arc::new(agentops_core::MemoryWorld::new().at_secs(1_767_323_045)),
            ..Context::default()
        };
        let input = payload("Read", json!({"file_path": "/p/.env"}), None);
        let out = CREDENTIAL_REDACT.evaluate(HookEvent::PostToolUse, &input, &ctx);
        assert_eq!(record(&out)["ts"], "2026-01-02T03:04:05Z");
    }

    #[test]
    fn timestamps_are_iso_8601_utc() {
        assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_timestamp(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_timestamp(1_767_323_045), "2026-01-02T03:04:05Z");
    }
}
