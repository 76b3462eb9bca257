//! Hash-chained logs: every kind of tampering is reported at the right
//! line, and concurrent writers keep the chain valid.

use std::fs;
use std::path::Path;

use agentops_records::chain::{verify, Head, Problem, Verification};
use agentops_state::StateDir;
use serde_json::json;

const LOG: &str = "audit.jsonl";

fn log_with(n: usize) -> (tempfile::TempDir, StateDir) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = StateDir::new(tmp.path());
    for i in 0..n {
        state
            .append_chained(LOG, &json!({"event": "PreToolUse", "n": i}))
            .expect("append");
    }
    (tmp, state)
}

fn check(state: &StateDir) -> Verification {
    let log = fs::read_to_string(state.path().join(LOG)).unwrap_or_default();
    let head = fs::read(state.path().join(format!("{LOG}.head")))
        .ok()
        .and_then(|b| Head::parse(&b));
    verify(&log, head.as_ref())
}

fn rewrite(path: &Path, edit: impl FnOnce(&mut Vec<String>)) {
    let text = fs::read_to_string(path).expect("read");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    edit(&mut lines);
    let mut out = lines.join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    fs::write(path, out).expect("write");
}

#[test]
fn an_untouched_log_verifies() {
    let (_tmp, state) = log_with(5);
    let report = check(&state);
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.records, 5);
}

#[test]
fn each_kind_of_tampering_is_reported_where_it_happened() {
    type Edit = fn(&mut Vec<String>);
    let cases: &[(&str, Edit, &str, usize)] = &[
        (
            "edited field",
            |l| l[2] = l[2].replace("\"n\":2", "\"n\":9"),
            "edited",
            3,
        ),
        (
            "edited and rehashed is still a break",
            |l| {
                // Re-seal line 3 with its old prev: self-consistent, but line 4
                // no longer follows it.
                let v: serde_json::Value = serde_json::from_str(&l[2]).expect("json");
                let prev = v["prev"].as_str().expect("prev").to_string();
                let mut forged = v.clone();
                forged["n"] = json!(42);
                l[2] = agentops_records::chain::seal(&forged, &prev).0;
            },
            "deleted",
            4,
        ),
        (
            "deleted middle",
            |l| {
                l.remove(2);
            },
            "deleted",
            3,
        ),
        (
            "deleted first",
            |l| {
                l.remove(0);
            },
            "deleted",
            1,
        ),
        ("swapped", |l| l.swap(1, 2), "reordered", 2),
        (
            "truncated tail",
            |l| {
                l.truncate(3);
            },
            "truncated",
            3,
        ),
        ("emptied", |l| l.clear(), "truncated", 0),
        (
            "garbage line inserted",
            |l| l.insert(1, "{\"event\":\"forged\"}".into()),
            "unchained",
            2,
        ),
    ];
    for (what, edit, kind, line) in cases {
        let (_tmp, state) = log_with(5);
        rewrite(&state.path().join(LOG), edit);
        let report = check(&state);
        let found = report
            .problems
            .iter()
            .find(|p| p.kind() == *kind)
            .unwrap_or_else(|| panic!("{what}: no `{kind}` in {:?}", report.problems));
        assert_eq!(found.line(), *line, "{what}: {found}");
    }
}

#[test]
fn a_deleted_head_is_reported_and_rebuilt_with_a_warning() {
    let (_tmp, state) = log_with(3);
    fs::remove_file(state.path().join(format!("{LOG}.head"))).expect("rm head");
    assert_eq!(check(&state).problems, [Problem::NoHead]);
    state
        .append_chained(LOG, &json!({"event": "x"}))
        .expect("append");
    let report = check(&state);
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.records, 4);
    assert!(
        report.warnings[0].contains("rebuilt after 3"),
        "{:?}",
        report.warnings
    );
}

#[test]
fn a_tampered_tail_stays_visible_after_later_appends() {
    let (_tmp, state) = log_with(4);
    rewrite(&state.path().join(LOG), |l| {
        l.pop();
    });
    state
        .append_chained(LOG, &json!({"event": "after"}))
        .expect("append");
    let report = check(&state);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.kind() == "deleted" && p.line() == 4),
        "{:?}",
        report.problems
    );
}

#[test]
fn an_unchained_legacy_log_is_kept_and_the_chain_starts_after_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = StateDir::new(tmp.path());
    state
        .append_line(LOG, r#"{"ts":"old","event":"legacy"}"#)
        .expect("legacy");
    state
        .append_line(LOG, r#"{"ts":"old","event":"legacy"}"#)
        .expect("legacy");
    state
        .append_chained(LOG, &json!({"event": "new"}))
        .expect("append");
    let report = check(&state);
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!((report.legacy_lines, report.records), (2, 1));
}

#[test]
fn a_record_appended_around_the_lock_is_reported() {
    let (_tmp, state) = log_with(2);
    state
        .append_line(LOG, r#"{"event":"sneaky"}"#)
        .expect("append");
    let kinds: Vec<_> = check(&state).problems.iter().map(Problem::kind).collect();
    assert!(kinds.contains(&"unchained"), "{kinds:?}");
}

#[test]
fn a_writer_that_died_before_updating_the_head_is_adopted() {
    let (_tmp, state) = log_with(2);
    let head_path = state.path().join(format!("{LOG}.head"));
    let stale = fs::read(&head_path).expect("head");
    state
        .append_chained(LOG, &json!({"event": "third"}))
        .expect("append");
    fs::write(&head_path, stale).expect("roll back head");
    state
        .append_chained(LOG, &json!({"event": "fourth"}))
        .expect("append");
    let report = check(&state);
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.records, 4);
}

#[test]
fn parallel_writers_keep_the_chain_valid() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = StateDir::new(tmp.path());
    std::thread::scope(|s| {
        for t in 0..8 {
            let state = &state;
            s.spawn(move || {
                for i in 0..25 {
                    state
                        .append_chained(LOG, &json!({"event": "PostToolUse", "t": t, "i": i}))
                        .expect("append");
                }
            });
        }
    });
    let report = check(&state);
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.records, 200);
}
