//! A log whose last line was torn (a writer killed mid-write, a disk that
//! filled up) must not swallow the next record: every append starts on a
//! line of its own, for plain and hash-chained logs alike.

use agentops_records::chain;
use agentops_state::StateDir;
use serde_json::{json, Value};

fn lines(state: &StateDir, log: &str) -> Vec<String> {
    std::fs::read_to_string(state.path().join(log))
        .expect("log")
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn a_plain_log_with_a_torn_tail_keeps_the_next_record_whole() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = StateDir::new(tmp.path());
    state
        .append_line("events.jsonl", r#"{"n":1}"#)
        .expect("append");
    let path = state.path().join("events.jsonl");
    let mut text = std::fs::read_to_string(&path).expect("read");
    text.push_str(r#"{"n":2,"tor"#);
    std::fs::write(&path, text).expect("tear");

    state
        .append_line("events.jsonl", r#"{"n":3}"#)
        .expect("append");
    let got = lines(&state, "events.jsonl");
    assert_eq!(got, [r#"{"n":1}"#, r#"{"n":2,"tor"#, r#"{"n":3}"#]);
}

#[test]
fn a_whole_log_gets_no_blank_lines() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = StateDir::new(tmp.path());
    for n in 0..3 {
        state
            .append_line("events.jsonl", &json!({ "n": n }).to_string())
            .expect("append");
    }
    let text = std::fs::read_to_string(state.path().join("events.jsonl")).expect("read");
    assert_eq!(text, "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n");
}

#[test]
fn a_chained_log_with_a_torn_tail_keeps_chaining_and_shows_the_damage() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = StateDir::new(tmp.path());
    for n in 0..2 {
        state
            .append_chained("audit.jsonl", &json!({ "n": n }))
            .expect("append");
    }
    let path = state.path().join("audit.jsonl");
    let mut text = std::fs::read_to_string(&path).expect("read");
    text.push_str(r#"{"n":2,"prev":"ab"#);
    std::fs::write(&path, text).expect("tear");

    state
        .append_chained("audit.jsonl", &json!({"n": 3}))
        .expect("append");
    let got = lines(&state, "audit.jsonl");
    assert_eq!(got.len(), 4, "{got:?}");
    let last: Value = serde_json::from_str(&got[3]).expect("the new record is whole");
    assert_eq!(last["n"], 3);

    let head = std::fs::read(state.path().join("audit.jsonl.head")).expect("head");
    let report = chain::verify(
        &std::fs::read_to_string(&path).expect("read"),
        chain::Head::parse(&head).as_ref(),
    );
    assert!(!report.is_intact(), "the torn line went unreported");
}
