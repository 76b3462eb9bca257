//! auto-test: after three or more source files change without a test run,
//! tell the agent (once) to run the project's test suite. A test run seen
//! by detect-test-run after the last tracked change starts the count over.

use std::collections::BTreeSet;

use agentops_core::{
    Context, Effect, Finding, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity,
    ToolKind, ToolMatch,
};

use agentops_workflow::session::{self, CODE_FILES_SINCE_TEST, TESTS_RAN, TEST_NUDGE_SENT};

/// Distinct source files changed before the agent is told to test.
pub const TEST_THRESHOLD: usize = 3;

/// TEST001: guidance to run the tests once enough source files changed.
pub static RUN_TESTS: Rule = Rule {
    id: "TEST001",
    name: "tests-not-run",
    policy: "auto-test",
    severity: Severity::Guide,
    reason: "several source files changed since the tests last ran; run the test suite now",
    why: "The longer an agent edits without running the tests, the more changes a failure \
          could come from, and the likelier it is to report work as done that does not pass. \
          Asking for a run after three changed source files keeps breakages small and close \
          to the edit that caused them. Said once, until a test run starts the count over.",
    fires: r"PostToolUse Write: /p/src/c.rs <- pub fn c() {} | given /p/.agentops/code-files-since-test.txt = /p/src/a.rs\n/p/src/b.rs",
    instead: "",
    passes: r"PostToolUse Write: /p/docs/notes.md <- # Notes | given /p/.agentops/code-files-since-test.txt = /p/src/a.rs\n/p/src/b.rs",
};

static RULES: &[&Rule] = &[&RUN_TESTS];

/// What auto-test reads before deciding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Source files changed since the last test run.
    pub tracked: BTreeSet<String>,
    /// The agent was already told to test.
    pub nudged: bool,
    /// Tests ran after the last tracked change or after the nudge.
    pub tested_since: bool,
    /// Seconds since the Unix epoch, for the nudge marker.
    pub now: u64,
}

/// Pure: track one write and maybe ask for a test run.
pub fn decide(input: &HookInput, snap: &Snapshot) -> Outcome {
    let Some(file) = input
        .target_path()
        .filter(|f| !f.is_empty() && !f.contains('\n'))
    else {
        return Outcome::none();
    };
    if !session::is_source_file(file) {
        return Outcome::none();
    }
    let mut effects = Vec::new();
    let reset = snap.tested_since;
    if reset {
        effects.push(Effect::RemoveState {
            name: CODE_FILES_SINCE_TEST,
        });
        effects.push(Effect::RemoveState {
            name: TEST_NUDGE_SENT,
        });
    }
    effects.push(Effect::InsertStateLine {
        name: CODE_FILES_SINCE_TEST,
        line: file.to_string(),
    });
    let mut count = usize::from(reset || !snap.tracked.contains(file));
    if !reset {
        count += snap.tracked.len();
    }
    let nudged = snap.nudged && !reset;
    let mut findings = Vec::new();
    let mut once = None;
    if count >= TEST_THRESHOLD && !nudged {
        // The marker is created by the engine, and the nudge said only by
        // the process that creates it (parallel writes nudge once).
        once = Some((
            TEST_NUDGE_SENT,
            format!("{}\n", session::iso_utc(snap.now)).into_bytes(),
        ));
        findings.push(Finding::with_text(
            &RUN_TESTS,
            format!("{count} source files have changed since the tests last ran. Run the project's test suite now, before changing anything else; find the runner from the project's configuration (cargo test, npm test, pytest, go test, mvn test, dotnet test, rspec, phpunit, mix test, ...)."),
        ));
    }
    Outcome {
        findings,
        effects,
        once,
        ..Outcome::default()
    }
}

impl Snapshot {
    /// Read the tracker, the nudge marker and the test stamp through the
    /// context's world.
    pub fn read(ctx: &Context) -> Snapshot {
        let tracker = session::state_path(ctx, CODE_FILES_SINCE_TEST);
        let nudge = session::state_path(ctx, TEST_NUDGE_SENT);
        let tests = session::state_path(ctx, TESTS_RAN);
        Snapshot {
            tracked: session::read_state(ctx, CODE_FILES_SINCE_TEST)
                .map(|t| {
                    session::distinct_lines(&t)
                        .into_iter()
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
            nudged: session::has_state(ctx, TEST_NUDGE_SENT),
            tested_since: session::newer_than(ctx, &tests, &tracker)
                || session::newer_than(ctx, &tests, &nudge),
            now: session::now_secs(ctx),
        }
    }
}

/// The auto-test policy.
pub static AUTO_TEST: Policy = Policy {
    name: "auto-test",
    summary: "Tells the agent to run tests after 3+ source files change without a test run",
    events: &[HookEvent::PostToolUse],
    tools: ToolMatch::Only(ToolKind::FILE_WRITERS),
    flag: Some(("auto_test_enabled", FlagKind::Automation)),
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    decide(input, &Snapshot::read(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn edit(path: &str) -> HookInput {
        HookInput {
            tool_name: Some("Edit".into()),
            tool_input: Some(json!({"file_path": path, "old_string": "a", "new_string": "b"})),
            ..HookInput::default()
        }
    }

    fn snap(tracked: &[&str], nudged: bool, tested_since: bool) -> Snapshot {
        Snapshot {
            tracked: tracked.iter().map(|s| s.to_string()).collect(),
            nudged,
            tested_since,
            now: 0,
        }
    }

    #[test]
    fn table() {
        let two = &["/p/a.rs", "/p/b.py"][..];
        let cases: &[(&str, Snapshot, bool)] = &[
            ("/p/c.go", snap(&[], false, false), false),
            ("/p/c.go", snap(&["/p/a.rs"], false, false), false),
            ("/p/c.go", snap(two, false, false), true),
            ("/p/a.rs", snap(two, false, false), false),
            ("/p/c.go", snap(two, true, false), false),
            ("/p/README.md", snap(two, false, false), false),
            ("/p/config.toml", snap(two, false, false), false),
            // Tests ran since: the count starts over.
            ("/p/c.go", snap(two, false, true), false),
            ("/p/c.go", snap(two, true, true), false),
        ];
        for (path, snapshot, speaks) in cases {
            let out = decide(&edit(path), snapshot);
            assert_eq!(!out.findings.is_empty(), *speaks, "{path} {snapshot:?}");
            assert!(out.context.is_empty(), "guidance is a finding");
            if *speaks {
                let text = out.findings[0].describe();
                assert_eq!(out.findings[0].rule.severity, Severity::Guide);
                assert!(text.contains("[TEST001]") && text.contains("3 source files"));
            }
        }
    }

    #[test]
    fn effects_track_reset_and_mark_the_nudge() {
        let out = decide(
            &edit("/p/c.go"),
            &snap(&["/p/a.rs", "/p/b.rs"], false, false),
        );
        assert_eq!(
            out.effects,
            [Effect::InsertStateLine {
                name: CODE_FILES_SINCE_TEST,
                line: "/p/c.go".into()
            }]
        );
        // The nudge is said once: the engine creates its marker first.
        assert!(matches!(out.once, Some((TEST_NUDGE_SENT, _))));
        let out = decide(&edit("/p/c.go"), &snap(&["/p/a.rs", "/p/b.rs"], true, true));
        assert_eq!(
            out.effects,
            [
                Effect::RemoveState {
                    name: CODE_FILES_SINCE_TEST
                },
                Effect::RemoveState {
                    name: TEST_NUDGE_SENT
                },
                Effect::InsertStateLine {
                    name: CODE_FILES_SINCE_TEST,
                    line: "/p/c.go".into()
                },
            ]
        );
        assert!(decide(&edit("/p/notes.md"), &snap(&[], false, false)).is_empty());
    }

    #[test]
    fn snapshot_reads_the_markers_through_the_world() {
        use agentops_core::MemoryWorld;
        use std::sync::Arc;
        use std::time::{Duration, SystemTime};
        let at = |s| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
        let ctx = |world: MemoryWorld| Context {
            project_dir: "/p".into(),
            world: Arc::new(world.at_secs(500)),
            ..Context::default()
        };
        let tracked = MemoryWorld::new().file_at(
            "/p/.agentops/code-files-since-test.txt",
            "/p/a.rs\n/p/b.rs\n/p/a.rs\n",
            at(100),
        );
        let snap = Snapshot::read(&ctx(tracked));
        assert_eq!(snap.tracked.len(), 2);
        assert!(!snap.nudged && !snap.tested_since);
        assert_eq!(snap.now, 500);

        let nudged = MemoryWorld::new()
            .file_at(
                "/p/.agentops/code-files-since-test.txt",
                "/p/a.rs\n",
                at(100),
            )
            .file_at("/p/.agentops/test-nudge-sent", "x\n", at(200));
        let snap = Snapshot::read(&ctx(nudged));
        assert!(snap.nudged && !snap.tested_since);

        let tested = MemoryWorld::new()
            .file_at(
                "/p/.agentops/code-files-since-test.txt",
                "/p/a.rs\n",
                at(100),
            )
            .file_at("/p/.agentops/tests-ran", "t\n", at(150));
        assert!(Snapshot::read(&ctx(tested)).tested_since);
        let stale = MemoryWorld::new()
            .file_at(
                "/p/.agentops/code-files-since-test.txt",
                "/p/a.rs\n",
                at(100),
            )
            .file_at("/p/.agentops/tests-ran", "t\n", at(50));
        assert!(!Snapshot::read(&ctx(stale)).tested_since);
    }
}
