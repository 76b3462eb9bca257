//! A whole recorded session with planted secrets goes through the built
//! binary, one `agentops hook <Event>` per payload, with every policy
//! enabled. Afterwards no secret value may appear in any file under
//! `.agentops/`: every log writer must redact.

mod common;

use std::path::Path;

use serde_json::{json, Value};

/// Planted secrets: (value that must never be written, where it is used).
const SECRETS: &[&str] = &[
    "ghp_R3dact10nT3stT0ken0000000000000000ab",
    "sk-proj-Pl4ntedOpenAiKey9876543210AbCdEf",
    "sk-ant-api03-Pl4ntedAnthropicKey0123456789-xyzAB",
    "AKIAPLANTED7TEST0KEY",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiPLANTEDSECRT",
    "xoxb-1111111111-2222222222-PlantedSlackTok",
    "sk_live_PlantedStripe0123456789abcd",
    "Pl4ntedDbPassw0rd",
    "hunter2-planted-pw",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.c2lnbmF0dXJlUGxhbnRlZDEyMw",
    "npm_PlantedNpmToken0123456789abcdefghijk",
    "MIIEplantedPRIVATEkeyBODY0123456789",
    "Bearer0Planted0Token0123456789xyz",
    "glpat-Pl4ntedGitLabT0ken01234",
    "AIzaSyPlantedGoogleKey0123456789abcdefg",
];

fn session(project: &Path) -> Vec<(&'static str, Value)> {
    let p = project.display().to_string();
    let base = |event: &str| {
        json!({
            "session_id": "sess-redaction",
            "transcript_path": format!("{p}/transcript.jsonl"),
            "cwd": p,
            "permission_mode": "default",
            "hook_event_name": event,
        })
    };
    let with = |event: &'static str, extra: Value| {
        let mut v = base(event);
        if let (Some(obj), Value::Object(more)) = (v.as_object_mut(), extra) {
            obj.extend(more);
        }
        (event, v)
    };
    let key_block = format!(
        "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
        SECRETS[11]
    );
    vec![
        with("SessionStart", json!({"source": "startup"})),
        with(
            "UserPromptSubmit",
            json!({"prompt": format!("deploy with GITHUB_TOKEN={} please", SECRETS[0])}),
        ),
        with(
            "PreToolUse",
            json!({"tool_name": "Bash", "tool_input": {
                "command": format!("OPENAI_API_KEY={} curl -H 'Authorization: Bearer {}' https://api.example.test/v1", SECRETS[1], SECRETS[12]),
                "description": "call the API"}}),
        ),
        with(
            "PostToolUse",
            json!({"tool_name": "Bash",
                "tool_input": {"command": format!("OPENAI_API_KEY={} curl -H 'Authorization: Bearer {}' https://api.example.test/v1", SECRETS[1], SECRETS[12])},
                "tool_response": {"stdout": format!("aws_access_key_id = {}\naws_secret_access_key = {}\n", SECRETS[3], SECRETS[4]), "stderr": "", "interrupted": false}}),
        ),
        with(
            "PreToolUse",
            json!({"tool_name": "Read", "tool_input": {"file_path": format!("{p}/.env")}}),
        ),
        with(
            "PostToolUse",
            json!({"tool_name": "Read", "tool_input": {"file_path": format!("{p}/.env")},
                "tool_response": {"type": "text", "file": {"filePath": format!("{p}/.env"),
                    "content": format!("DATABASE_URL=postgres://app:{}@db:5432/app\nADMIN_PASSWORD={}\nANTHROPIC_API_KEY={}\n", SECRETS[7], SECRETS[8], SECRETS[2])}}}),
        ),
        with(
            "PreToolUse",
            json!({"tool_name": "Write", "tool_input": {"file_path": format!("{p}/config/app.yml"),
                "content": format!("slack:\n  token: {}\nstripe:\n  key: {}\n", SECRETS[5], SECRETS[6])}}),
        ),
        with(
            "PostToolUse",
            json!({"tool_name": "Write", "tool_input": {"file_path": format!("{p}/config/app.yml"),
                "content": format!("slack:\n  token: {}\nstripe:\n  key: {}\n", SECRETS[5], SECRETS[6])},
                "tool_response": {"type": "create", "filePath": format!("{p}/config/app.yml")}}),
        ),
        with(
            "PreToolUse",
            json!({"tool_name": "Bash", "tool_input": {"command": "cat ~/.ssh/id_ed25519"}}),
        ),
        with(
            "PostToolUse",
            json!({"tool_name": "Bash", "tool_input": {"command": "cat ~/.ssh/id_ed25519"},
                "tool_response": {"stdout": key_block, "stderr": ""}}),
        ),
        with(
            "PostToolUse",
            json!({"tool_name": "WebFetch", "tool_input": {"url": "https://docs.example.test", "prompt": "summarise"},
                "tool_response": format!("session cookie {} and key {}", SECRETS[9], SECRETS[14])}),
        ),
        with(
            "PostToolUseFailure",
            json!({"tool_name": "Bash", "tool_input": {"command": format!("npm publish --//registry.npmjs.org/:_authToken={}", SECRETS[10])},
                "error": format!("npm ERR! 403 token {} rejected; gitlab {}", SECRETS[10], SECRETS[13])}),
        ),
        with("Stop", json!({"stop_hook_active": false})),
        with("SessionEnd", json!({"reason": "exit"})),
    ]
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn no_planted_secret_reaches_agentops_state() {
    let project = tempfile::tempdir().expect("tempdir");
    let state = project.path().join(".agentops");
    std::fs::create_dir_all(&state).expect("state dir");
    // Every automation on too, so every writer gets its chance to leak.
    std::fs::write(
        state.join("flags.json"),
        r#"{"auto_test_enabled": true, "auto_lesson_enabled": true, "auto_evolve_enabled": true}"#,
    )
    .expect("flags");

    for (event, payload) in session(project.path()) {
        let out = common::run(
            &["hook", event],
            payload.to_string().as_bytes(),
            project.path(),
            &[],
        );
        assert_eq!(out.code, 0, "{event}: {}", out.stderr);
    }

    let mut files = Vec::new();
    files_under(&state, &mut files);
    let audit = state.join("audit.jsonl");
    assert!(
        files.contains(&audit),
        "credential-redact should have written {}; files: {files:?}",
        audit.display()
    );
    let audit_text = std::fs::read_to_string(&audit).expect("audit log");
    assert!(audit_text.contains("CREDENTIAL_ACCESS"), "{audit_text}");
    // The secrets did reach the writers and were replaced, not dropped.
    assert!(audit_text.contains("[REDACTED:"), "{audit_text}");

    assert_no_leaks(&files);
}

fn assert_no_leaks(files: &[std::path::PathBuf]) {
    let mut leaks = Vec::new();
    for file in files {
        let Ok(bytes) = std::fs::read(file) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        for secret in SECRETS {
            if text.contains(secret) {
                leaks.push(format!("{} holds {secret}", file.display()));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "secrets written to .agentops/:\n{}",
        leaks.join("\n")
    );
}

#[test]
fn replaying_the_session_leaks_nothing_either() {
    let project = tempfile::tempdir().expect("tempdir");
    let recording = project.path().join("session.jsonl");
    let lines: Vec<String> = session(project.path())
        .into_iter()
        .map(|(_, payload)| payload.to_string())
        .collect();
    std::fs::write(&recording, lines.join("\n") + "\n").expect("recording");
    let out = common::run(
        &[
            "replay",
            recording.to_str().expect("utf-8 path"),
            "--project",
            project.path().to_str().expect("utf-8 path"),
        ],
        b"",
        project.path(),
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut files = Vec::new();
    files_under(&project.path().join(".agentops"), &mut files);
    assert!(!files.is_empty(), "replay wrote no state");
    assert_no_leaks(&files);
}
