//! compliance-gate: at stop, check the delivery gates: a plan once several
//! files changed (plan gate), no open items left (verification gate) and
//! a test run once several files changed (test gate). Each gate has its
//! own flag. Advisory mode tells the user; blocking mode blocks the stop
//! once. `agentops compliance` prints the same table on demand.

use agentops_core::{
    Context, Finding, FlagKind, Flags, HookEvent, HookInput, Outcome, Policy, Rule, Severity,
    ToolMatch,
};

use agentops_workflow::lessons;
use agentops_workflow::session::{self, LESSONS_FILE, MODIFIED_FILES, TESTS_RAN, TODO_FILE};
use agentops_workflow::todo::Counts;

/// Distinct modified files from which a plan and a test run are expected.
pub const COMPLIANCE_THRESHOLD: usize = 3;

/// COMPL001: several files modified without a plan.
pub static PLAN_MISSING: Rule = Rule {
    id: "COMPL001",
    name: "plan-gate",
    policy: "compliance-gate",
    severity: Severity::Soft,
    reason: "several files modified but tasks/todo.md holds no plan",
    why: "Work that touches three or more files without a written plan cannot be checked \
          against what was intended, and the user has nothing to review but the diff. The \
          plan gate asks for tasks/todo.md before the agent reports the work as done.",
    fires: r"Stop | given /p/.agentops/modified-files.txt = /p/src/a.rs\n/p/src/b.rs\n/p/src/c.rs",
    instead: "write the plan to tasks/todo.md first",
    passes: r"Stop | given /p/.agentops/modified-files.txt = /p/src/a.rs\n/p/src/b.rs\n/p/src/c.rs ;; /p/tasks/todo.md = - [x] split the parser into modules",
};

/// COMPL002: the plan still has unchecked items.
pub static ITEMS_OPEN: Rule = Rule {
    id: "COMPL002",
    name: "verification-gate",
    policy: "compliance-gate",
    severity: Severity::Soft,
    reason: "tasks/todo.md still has unchecked items",
    why: "Unchecked items at the end of a session are either unfinished work or finished \
          work nobody verified; either way the agent's \"done\" is not yet true. The \
          verification gate names the open items before the stop.",
    fires: r"Stop | given /p/tasks/todo.md = - [x] write the parser\n- [ ] add tests",
    instead: "finish or check off the open items in tasks/todo.md",
    passes: r"Stop | given /p/tasks/todo.md = - [x] write the parser\n- [x] add tests",
};

/// COMPL003: several files modified without a test run.
pub static TESTS_MISSING: Rule = Rule {
    id: "COMPL003",
    name: "test-gate",
    policy: "compliance-gate",
    severity: Severity::Soft,
    reason: "several files modified but no tests were run",
    why: "Changes to three or more files that were never tested are reported as done on \
          trust alone; a broken build or a regression then surfaces later, away from the \
          change. The test gate wants a test run recorded (by detect-test-run) before the stop.",
    fires: r"Stop | given /p/.agentops/modified-files.txt = /p/src/a.rs\n/p/src/b.rs\n/p/src/c.rs ;; /p/tasks/todo.md = - [x] split the parser",
    instead: "run the test suite first",
    passes: r"Stop | given /p/.agentops/modified-files.txt = /p/src/a.rs\n/p/src/b.rs\n/p/src/c.rs ;; /p/tasks/todo.md = - [x] split the parser ;; /p/.agentops/tests-ran = 2025-01-01T10:00:00Z",
};

static RULES: &[&Rule] = &[&PLAN_MISSING, &ITEMS_OPEN, &TESTS_MISSING];

/// What the gates look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Distinct files in the modified-files tracker; `None` without one.
    pub modified: Option<usize>,
    /// tasks/todo.md, when it exists.
    pub plan: Option<String>,
    /// The test stamp's contents, when tests ran.
    pub tests_ran: Option<String>,
    /// Lessons in tasks/lessons.md, when it exists.
    pub lessons: Option<usize>,
}

/// A gate's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The gate holds.
    Pass,
    /// The gate fails; its rule is reported at stop.
    Fail,
    /// The gate's flag is off.
    Off,
    /// Information only (lessons).
    Info,
}

impl Status {
    /// The status as `agentops compliance` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Off => "OFF",
            Status::Info => "INFO",
        }
    }
}

/// One row of the gate table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Gate {
    /// The gate's name: plan, verification, test or lessons.
    pub gate: &'static str,
    /// The flag that switches it, if any.
    pub flag: Option<&'static str>,
    /// Whether it holds.
    pub status: Status,
    /// What was found, in a few words.
    pub detail: String,
    /// The rule reported when the gate fails.
    #[serde(skip)]
    pub rule: Option<&'static Rule>,
}

/// Pure: every gate's status.
pub fn gates(snap: &Snapshot, flags: &Flags) -> Vec<Gate> {
    let on = |flag| flags.enabled(flag, FlagKind::Automation);
    let modified = snap.modified.unwrap_or(0);
    let plan = snap.plan.as_deref().filter(|p| !p.is_empty());
    let open = plan.map_or(0, |p| Counts::of(p).open);

    let plan_gate = if !on("plan_gate_enabled") {
        (Status::Off, "plan_gate_enabled is off".to_string())
    } else if modified >= COMPLIANCE_THRESHOLD && plan.is_none() {
        (
            Status::Fail,
            format!("{modified} file(s) modified, no plan in tasks/todo.md"),
        )
    } else {
        (
            Status::Pass,
            format!(
                "{modified} file(s) modified, plan {}",
                if plan.is_some() {
                    "present"
                } else {
                    "not needed yet"
                }
            ),
        )
    };
    let verification_gate = if !on("verification_gate_enabled") {
        (Status::Off, "verification_gate_enabled is off".to_string())
    } else if open > 0 {
        (
            Status::Fail,
            format!("{open} unchecked item(s) in tasks/todo.md"),
        )
    } else {
        (Status::Pass, "no unchecked items".to_string())
    };
    let tests_ran = snap.tests_ran.as_deref().map(str::trim);
    let test_gate = if !on("test_gate_enabled") {
        (Status::Off, "test_gate_enabled is off".to_string())
    } else if snap.modified.is_some() && tests_ran.is_none() && modified >= COMPLIANCE_THRESHOLD {
        (
            Status::Fail,
            format!("{modified} file(s) modified, no test run recorded"),
        )
    } else {
        (
            Status::Pass,
            match tests_ran {
                Some(at) if !at.is_empty() => format!("tests ran at {at}"),
                Some(_) => "tests ran".to_string(),
                None => format!("{modified} file(s) modified, no test run needed yet"),
            },
        )
    };
    let lessons = match snap.lessons {
        Some(n) => format!("{n} lesson(s) in tasks/lessons.md"),
        None => "no tasks/lessons.md".to_string(),
    };
    vec![
        Gate {
            gate: "plan",
            flag: Some("plan_gate_enabled"),
            status: plan_gate.0,
            detail: plan_gate.1,
            rule: Some(&PLAN_MISSING),
        },
        Gate {
            gate: "verification",
            flag: Some("verification_gate_enabled"),
            status: verification_gate.0,
            detail: verification_gate.1,
            rule: Some(&ITEMS_OPEN),
        },
        Gate {
            gate: "test",
            flag: Some("test_gate_enabled"),
            status: test_gate.0,
            detail: test_gate.1,
            rule: Some(&TESTS_MISSING),
        },
        Gate {
            gate: "lessons",
            flag: None,
            status: Status::Info,
            detail: lessons,
            rule: None,
        },
    ]
}

/// Pure: the stop findings, one per failing gate.
pub fn decide(snap: &Snapshot, flags: &Flags) -> Outcome {
    let findings = gates(snap, flags)
        .into_iter()
        .filter(|g| g.status == Status::Fail)
        .filter_map(|g| g.rule.map(|rule| Finding::with_subject(rule, g.detail)))
        .collect();
    Outcome {
        findings,
        ..Outcome::default()
    }
}

impl Snapshot {
    /// Read the tracker, the plan, the test stamp and the lessons through
    /// the context's world.
    pub fn read(ctx: &Context) -> Snapshot {
        let root = &ctx.project_dir;
        Snapshot {
            modified: session::read_state(ctx, MODIFIED_FILES)
                .map(|t| session::distinct_lines(&t).len()),
            plan: session::read_text(ctx, &root.join(TODO_FILE), session::DOC_READ_LIMIT),
            tests_ran: session::read_state(ctx, TESTS_RAN),
            lessons: session::read_text(ctx, &root.join(LESSONS_FILE), session::DOC_READ_LIMIT)
                .map(|t| lessons::count(&t)),
        }
    }
}

/// The compliance-gate policy.
pub static COMPLIANCE_GATE: Policy = Policy {
    name: "compliance-gate",
    summary: "At stop, checks the plan, verification and test gates (blocks only in blocking mode)",
    events: &[HookEvent::Stop],
    tools: ToolMatch::Any,
    flag: None,
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, _input: &HookInput, ctx: &Context) -> Outcome {
    decide(&Snapshot::read(ctx), &ctx.flags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn snap(modified: Option<usize>, plan: Option<&str>, tests: Option<&str>) -> Snapshot {
        Snapshot {
            modified,
            plan: plan.map(String::from),
            tests_ran: tests.map(String::from),
            lessons: None,
        }
    }

    fn ids(out: &Outcome) -> Vec<&'static str> {
        out.findings.iter().map(|f| f.rule.id).collect()
    }

    #[test]
    fn table() {
        let all = Flags::default();
        let cases: &[(Snapshot, &[&str])] = &[
            (snap(None, None, None), &[]),
            (snap(Some(2), None, None), &[]),
            (snap(Some(3), None, None), &["COMPL001", "COMPL003"]),
            (snap(Some(3), Some(""), Some("t")), &["COMPL001"]),
            (snap(Some(3), Some("- [x] a\n"), Some("t")), &[]),
            (snap(Some(3), Some("- [ ] a\n"), Some("t")), &["COMPL002"]),
            (snap(None, Some("- [ ] a\n- [ ] b\n"), None), &["COMPL002"]),
            (
                snap(Some(5), Some("- [ ] a\n"), None),
                &["COMPL002", "COMPL003"],
            ),
        ];
        for (s, want) in cases {
            assert_eq!(ids(&decide(s, &all)), *want, "{s:?}");
        }
    }

    #[test]
    fn each_gate_has_its_own_flag() {
        let failing = snap(Some(5), None, None);
        let plan_only = Flags::from_pairs([("test_gate_enabled", json!(false))]);
        assert_eq!(ids(&decide(&failing, &plan_only)), ["COMPL001"]);
        let none = Flags::from_pairs([
            ("plan_gate_enabled", json!(false)),
            ("test_gate_enabled", json!("no")),
        ]);
        assert!(decide(&failing, &none).is_empty());
        let rows = gates(&failing, &none);
        assert_eq!(rows[0].status, Status::Off);
        assert_eq!(rows[1].status, Status::Pass);
        assert_eq!(rows[2].status, Status::Off);
        assert_eq!(rows[3].status, Status::Info);
    }

    #[test]
    fn details_say_what_failed() {
        let out = decide(&snap(Some(4), Some("- [ ] a\n"), None), &Flags::default());
        let subjects: Vec<_> = out
            .findings
            .iter()
            .filter_map(|f| f.subject.clone())
            .collect();
        assert_eq!(
            subjects,
            [
                "1 unchecked item(s) in tasks/todo.md",
                "4 file(s) modified, no test run recorded"
            ]
        );
    }
}
