//! The non-hook subcommands: replay of the bundled example, check, rules.

mod common;

use common::{project, run};
use serde_json::Value;

#[test]
fn replay_runs_the_bundled_example_session() {
    let dir = project();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/session.jsonl");
    let out = run(&["replay", "--json", example], b"", dir.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let steps: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let lines = std::fs::read_to_string(example).expect("example");
    assert_eq!(
        steps.len(),
        lines.lines().filter(|l| !l.trim().is_empty()).count()
    );
    let fetch = steps
        .iter()
        .find(|s| s["event"] == "PreToolUse" && s["tool"] == "WebFetch")
        .expect("the example fetches a page");
    assert_eq!(fetch["result"], "ask");
    assert!(fetch["rules"]
        .as_array()
        .is_some_and(|r| r.iter().any(|id| id == "MODE002")));
}

#[test]
fn replay_reports_a_bad_line_with_its_number() {
    let dir = project();
    let file = dir.path().join("bad.jsonl");
    std::fs::write(&file, "{\"hook_event_name\":\"Stop\"}\n{nope\n").expect("write");
    let out = run(
        &["replay", file.to_str().expect("utf8")],
        b"",
        dir.path(),
        &[],
    );
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains(":2:"), "{}", out.stderr);
    let missing = run(&["replay", "no-such-file.jsonl"], b"", dir.path(), &[]);
    assert_eq!(missing.code, 64, "{}", missing.stderr);
    assert!(missing.stderr.contains("cannot open"), "{}", missing.stderr);
}

#[test]
fn check_explains_the_verdict_and_exits_by_decision() {
    let dir = project();
    let allowed = run(
        &["check", "--json", "--", "git", "status"],
        b"",
        dir.path(),
        &[],
    );
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    let v: Value = serde_json::from_str(allowed.stdout.trim()).expect("json");
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["command"], "git status");

    let asked = run(
        &["check", "--json", "--", "ls"],
        b"",
        dir.path(),
        &[("AGENTOPS_MODE", "full")],
    );
    assert_eq!(asked.code, 1);
    let v: Value = serde_json::from_str(asked.stdout.trim()).expect("json");
    assert_eq!(v["findings"][0]["id"], "MODE003");
    assert_eq!(v["findings"][0]["severity"], "ask");
}

#[test]
fn rules_lists_every_rule_once_with_a_reason() {
    let dir = project();
    let out = run(&["rules", "--json"], b"", dir.path(), &[]);
    assert_eq!(out.code, 0);
    let rules: Vec<Value> = serde_json::from_str(out.stdout.trim()).expect("json array");
    let mut ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    assert!(ids.contains(&"INPUT001") && ids.contains(&"MODE001"));
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "rule ids are unique");
    assert!(rules
        .iter()
        .all(|r| r["reason"].as_str().is_some_and(|s| !s.is_empty())));
}

#[test]
fn rules_json_carries_why_and_examples() {
    let dir = project();
    let out = run(&["rules", "--json"], b"", dir.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rules: Vec<Value> = serde_json::from_str(out.stdout.trim()).expect("json array");
    assert_eq!(rules[0]["id"], "INPUT001", "engine rules come first");
    for r in &rules {
        assert!(r["why"].is_string(), "{r}");
        assert!(r["example"]["fires"].is_string(), "{r}");
        assert!(r["example"]["passes"].is_string(), "{r}");
    }
}

#[test]
fn rules_id_explains_one_rule() {
    let dir = project();
    let out = run(&["rules", "INPUT001"], b"", dir.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for section in [
        "INPUT001",
        "empty-input",
        "Policy: engine",
        "Severity: hard (denies in every mode",
        "What it does",
        "hook input is empty",
        "Why it matters",
        "Example that fires",
        "Example that does not",
    ] {
        assert!(out.stdout.contains(section), "{section}:\n{}", out.stdout);
    }
    // Every section, in order.
    let at = |s: &str| out.stdout.find(s).expect(s);
    assert!(at("What it does") < at("Why it matters"));
    assert!(at("Why it matters") < at("Example that fires"));
    assert!(at("Example that fires") < at("Example that does not"));
}

#[test]
fn rules_id_is_case_insensitive() {
    let dir = project();
    let upper = run(&["rules", "CMD001"], b"", dir.path(), &[]);
    let lower = run(&["rules", "cmd001"], b"", dir.path(), &[]);
    assert_eq!(lower.code, 0, "{}", lower.stderr);
    assert!(lower.stdout.contains("CMD001"), "{}", lower.stdout);
    assert_eq!(lower.stdout, upper.stdout);
}

#[test]
fn rules_id_json_is_that_rule() {
    let dir = project();
    let out = run(&["rules", "--json", "mode001"], b"", dir.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v = out.json().expect("one JSON object");
    assert_eq!(v["id"], "MODE001");
    assert_eq!(v["policy"], "runtime-mode");
    assert!(v["reason"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(v["why"].is_string());
    assert!(v["example"]["fires"].is_string() && v["example"]["passes"].is_string());

    let engine = run(&["rules", "--json", "ENGINE001"], b"", dir.path(), &[]);
    let v = engine.json().expect("one JSON object");
    assert!(v["why"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(v["example"]["fires"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
    assert!(v["example"]["passes"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
}

#[test]
fn rules_unknown_id_is_a_usage_error_with_close_ids() {
    let dir = project();
    let out = run(&["rules", "CMD999"], b"", dir.path(), &[]);
    assert_eq!(out.code, 64);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(out.stderr.contains("no rule `CMD999`"), "{}", out.stderr);
    assert!(out.stderr.contains("did you mean CMD"), "{}", out.stderr);

    let out = run(&["rules", "NOPE001"], b"", dir.path(), &[]);
    assert_eq!(out.code, 64);
    assert!(out.stderr.contains("no rule `NOPE001`"), "{}", out.stderr);
}

/// An audit log of two unchained records (legacy lines read like any other).
fn audit_log(dir: &std::path::Path) {
    let state = dir.join(".agentops");
    std::fs::create_dir_all(&state).expect("mkdir");
    let lines = [
        r#"{"ts":"2025-05-31T23:00:00Z","event":"PreToolUse","session":"s1","tool":"Bash","decision":"deny","rules":["CMD001"],"input":"rm -rf /"}"#,
        r#"{"ts":"2025-06-01T10:00:00Z","event":"PostToolUse","session":"s1","tool":"Read","rules":[]}"#,
    ];
    std::fs::write(state.join("audit.jsonl"), lines.join("\n") + "\n").expect("write log");
}

#[test]
fn audit_since_takes_dates_times_and_ages() {
    let dir = project();
    audit_log(dir.path());
    let count = |since: &str| {
        let out = run(
            &["audit", "query", "--json", "--since", since],
            b"",
            dir.path(),
            &[],
        );
        assert_eq!(out.code, 0, "{since}: {}", out.stderr);
        out.stdout.lines().count()
    };
    assert_eq!(count("2025-05-31"), 2);
    assert_eq!(count("2025-06-01"), 1);
    assert_eq!(count("2025-06-01T11:00:00+02:00"), 1);
    assert_eq!(count("2025-06-01T10:00:01Z"), 0);
    assert_eq!(count("7d"), 0, "both records are older than a week");
    assert_eq!(count("100000d"), 2);
}

#[test]
fn audit_since_rejects_impossible_dates_as_usage_errors() {
    let dir = project();
    audit_log(dir.path());
    for (since, says) in [
        ("2025-02-30", "February 2025 has days 01 to 28, not 30"),
        (
            "2025-02-29T10:00:00Z",
            "February 2025 has days 01 to 28, not 29",
        ),
        ("2025-13-01", "there is no month 13"),
        ("last tuesday", "expected RFC 3339, YYYY-MM-DD or an age"),
        ("-2h", "cannot be negative"),
    ] {
        let arg = format!("--since={since}");
        let out = run(&["audit", "tail", &arg], b"", dir.path(), &[]);
        assert_eq!(out.code, 64, "{since}: {}", out.stdout);
        assert!(out.stdout.is_empty(), "{since}: {}", out.stdout);
        assert!(out.stderr.contains("--since"), "{since}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{since}: {}", out.stderr);
    }
}

#[test]
fn audit_tail_stats_and_verify_print_for_people() {
    let dir = project();
    audit_log(dir.path());
    let tail = run(&["audit", "tail", "-n", "1"], b"", dir.path(), &[]);
    assert_eq!(tail.code, 0, "{}", tail.stderr);
    let lines: Vec<&str> = tail.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", tail.stdout);
    assert!(lines[0].starts_with("TIME") && lines[0].ends_with("DETAIL"));
    assert!(lines[1].contains("PostToolUse") && lines[1].contains("Read"));

    let stats = run(&["audit", "stats", "--tool", "Bash"], b"", dir.path(), &[]);
    assert_eq!(stats.code, 0, "{}", stats.stderr);
    assert!(stats.stdout.starts_with("records: 1\n"), "{}", stats.stdout);
    assert!(
        stats.stdout.contains("by rule:\n        1  CMD001"),
        "{}",
        stats.stdout
    );

    // Unchained lines with no head: reported, not verified.
    let verify = run(&["audit", "verify"], b"", dir.path(), &[]);
    assert_eq!(verify.code, 0, "{}", verify.stdout);
    assert!(
        verify.stdout.contains("note: 2 unchained line(s)"),
        "{}",
        verify.stdout
    );
    let empty = project();
    let verify = run(&["audit", "verify", "--json"], b"", empty.path(), &[]);
    let v = verify.json().expect("json");
    assert_eq!(
        (v["intact"].clone(), v["records"].clone()),
        (true.into(), 0.into())
    );
}
