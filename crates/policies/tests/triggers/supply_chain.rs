//! Trigger cases for the supply_chain policies. Every rule has executable
//! `fires` and `passes` examples; these cover the other paths that reach
//! the same rules (other tools, other lockfile formats, the state a
//! previous session left).

#[allow(unused_imports)]
use super::{t, Trigger};
use agentops_core::MemoryWorld;

pub fn cases() -> Vec<Trigger> {
    vec![
        // A shell command with a right-to-left override (`exe.jpg` shown
        // as `gpj.exe`).
        t("UNI001", "PreToolUse Bash: cp payload \u{202E}gpj.exe"),
        t(
            "UNI001",
            "PreToolUse Edit: /p/lib/util.py <- if user.is_admin\u{2066}:",
        ),
        // An MCP tool's result with a zero-width space.
        t(
            "UNI003",
            "PostToolUse mcp__slack__read_channel: deploy key is in the\u{200B} pinned post",
        ),
        t(
            "UNI002",
            "PostToolUse Edit: /p/src/tags.ts <- x | given /p/src/tags.ts = const t = '\u{E0041}\u{E0042}'",
        ),
        // The background session scan's report reaches the agent through
        // the next tool result as well as the next prompt.
        t(
            "UNI004",
            "PostToolUse Edit: /p/src/lib.rs <- x | given /p/.agentops/unicode-scan-report.json = {\"scanned\":3,\"files\":[\"src/deep/mod.rs\"],\"lines\":[\"src/deep/mod.rs:1:4 U+200B (invisible characters)\"]}",
        ),
        // Lockfiles of other formats and in workspace folders.
        t(
            "LOCK003",
            "SessionStart | given /p/web/yarn.lock = # yarn lockfile v1\\n\\nleft-pad@^1.3.0:\\n  version \"1.3.0\"\\n  resolved \"http://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz\"\\n  integrity sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg==\\n",
        ),
        t(
            "LOCK004",
            "SessionStart | given /p/Cargo.lock = version = 3\\n\\n[[package]]\\nname = \"mylib\"\\nversion = \"0.1.0\"\\nsource = \"git+https://github.com/acme/mylib?branch=main#main\"\\n",
        ),
        // A file recorded in an earlier session and changed since, with
        // the manifest left in the state directory.
        Trigger {
            rule: "INTEG001",
            example: "SessionStart",
            world: tampered,
        },
    ]
}

fn tampered(w: MemoryWorld) -> MemoryWorld {
    w.file(
        "/p/.agentops/integrity.jsonl",
        "{\"path\":\"src/a.rs\",\"abs_path\":\"/p/src/a.rs\",\"sha256\":\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\",\"session\":\"s1\"}\n\
         {\"path\":\"src/b.rs\",\"abs_path\":\"/p/src/b.rs\",\"sha256\":\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\",\"session\":\"s1\"}\n",
    )
    .file("/p/src/a.rs", "hello")
    .file("/p/src/b.rs", "hello, but edited")
}
