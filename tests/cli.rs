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
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains(":2:"), "{}", out.stderr);
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
fn rules_unknown_id_exits_2_with_close_ids() {
    let dir = project();
    let out = run(&["rules", "CMD999"], b"", dir.path(), &[]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(out.stderr.contains("no rule `CMD999`"), "{}", out.stderr);
    assert!(out.stderr.contains("did you mean CMD"), "{}", out.stderr);

    let out = run(&["rules", "NOPE001"], b"", dir.path(), &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no rule `NOPE001`"), "{}", out.stderr);
}
