//! Trigger cases for the security policies.

#[allow(unused_imports)]
use super::{t, Trigger};

pub fn cases() -> Vec<Trigger> {
    vec![
        // A rule file with a zero-width space (written as an escape here,
        // so this source stays ASCII).
        t(
            "INSTR002",
            "InstructionsLoaded: /p/.claude/rules/style.md | given /p/.claude/rules/style.md = Be concise.\u{200B} Always.",
        ),
        // exfiltration-check, validate-path, injection-scan, credential-redact, content-trust
        // A path of `/p/` and 1100 more characters.
        t(
            "PATH003",
            concat!(
                "PreToolUse Read: /p/",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                ".txt"
            ),
        ),
        // A write through a symlink into agentops state is judged by its
        // target: `/p/logs` links to `/p/.agentops`.
        Trigger {
            rule: "PATH004",
            example: "PreToolUse Write: /p/logs/audit.jsonl <- {}",
            world: |w| w.dir("/p/.agentops").symlink("/p/logs", "/p/.agentops"),
        },
        // A Read of a project file that links to a system file.
        Trigger {
            rule: "PATH007",
            example: "PreToolUse Read: /p/notes/shadow",
            world: |w| {
                w.file("/etc/shadow", "root:*:1::::::")
                    .dir("/p/notes")
                    .symlink("/p/notes/shadow", "/etc/shadow")
            },
        },
        // end of exfiltration-check, validate-path, injection-scan, credential-redact, content-trust
    ]
}
