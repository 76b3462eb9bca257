//! Trigger cases for the workflow policies.

use std::time::{Duration, SystemTime};

use agentops_core::MemoryWorld;

#[allow(unused_imports)]
use super::{t, Trigger};

/// A plan written a day before this session's start marker.
fn stale_plan(w: MemoryWorld) -> MemoryWorld {
    let yesterday = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000 - 86_400);
    w.file_at(
        "/p/tasks/todo.md",
        "## Yesterday\n- [ ] rename the config keys\n",
        yesterday,
    )
    .file("/p/.agentops/session-start", "2001-09-09T01:46:40Z\n")
}

pub fn cases() -> Vec<Trigger> {
    vec![
        // part A: session-cleanup, todo-prune, star-preamble,
        // code-field-preamble, lessons-check, budget-check, runtime-mode,
        // star-gate, auto-plan, plan-gate.
        Trigger {
            rule: "PLAN002",
            example: "PreToolUse Write: /p/src/c.rs <- fn c() {} | given /p/.agentops/flags.json = {\"auto_plan_enabled\": true} ;; /p/.agentops/modified-files.txt = /p/src/a.rs\\n/p/src/b.rs",
            world: stale_plan,
        },
        // A plan from an earlier session does not count for star-gate either.
        Trigger {
            rule: "STAR002",
            example: "PreToolUse Bash: cargo build",
            world: stale_plan,
        },
        // end of part A
        // part B: auto-test, auto-delegate, standards-enforce, ai-guardrails,
        // skill-validator, auto-lesson, evolve-gate, auto-verify, auto-evolve,
        // compliance-gate.
        t("AIG004", oversized_write()),
        // end of part B
    ]
}

/// A Write of a 301-line file (AIG004's prose example), too long to spell
/// out in a rule's documentation.
fn oversized_write() -> &'static str {
    let lines = "let x = 1;\\n".repeat(301);
    Box::leak(format!("PostToolUse Write: /p/src/big.rs <- {lines}").into_boxed_str())
}
