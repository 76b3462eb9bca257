//! Helpers shared by the integration tests: run the built binary the way
//! Claude Code does, in a throwaway project.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_agentops");

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// The single JSON object on stdout, if any. Fails the test when stdout
    /// holds anything but one JSON object on one line.
    pub fn json(&self) -> Option<Value> {
        let text = self.stdout.trim_end_matches('\n');
        if text.is_empty() {
            return None;
        }
        assert!(!text.contains('\n'), "more than one line on stdout: {text}");
        let v: Value = serde_json::from_str(text).expect("stdout is JSON");
        assert!(v.is_object(), "stdout is not an object: {text}");
        Some(v)
    }
}

/// Run `agentops <args>` with `stdin`, in `project`, with a clean agentops
/// environment plus `env`.
pub fn run(args: &[&str], stdin: &[u8], project: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(project)
        .env_remove("AGENTOPS_MODE")
        .env_remove("AGENTOPS_FAULT")
        .env_remove("CLAUDE_PLUGIN_ROOT")
        .env("CLAUDE_PROJECT_DIR", project)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn agentops");
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.to_vec();
    // Write on a thread: a large payload must not deadlock on a full pipe.
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn hook(event: &str, payload: &Value, project: &Path, env: &[(&str, &str)]) -> Output {
    run(
        &["hook", event],
        payload.to_string().as_bytes(),
        project,
        env,
    )
}

pub fn project() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("agentops-test-")
        .tempdir()
        .expect("tempdir")
}
