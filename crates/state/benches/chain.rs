//! Cost of a chained audit append (lock, tail read, hash, append, head
//! rewrite) against a plain locked append, on a log that already holds
//! records. Run: `cargo bench -p agentops-state`.

use agentops_state::StateDir;
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;

fn appends(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = StateDir::new(tmp.path());
    let record = json!({"ts": "2025-06-01T10:00:00Z", "event": "PreToolUse", "session": "s",
        "tool": "Bash", "decision": "allow", "rules": [], "input": "x".repeat(400)});
    for _ in 0..1000 {
        state
            .append_chained("audit.jsonl", &record)
            .expect("append");
    }
    let line = record.to_string();
    c.bench_function("append_chained (1000-record log)", |b| {
        b.iter(|| {
            state
                .append_chained("audit.jsonl", &record)
                .expect("append")
        })
    });
    c.bench_function("append_line (plain)", |b| {
        b.iter(|| state.append_line("plain.jsonl", &line).expect("append"))
    });
    let log = std::fs::read_to_string(state.path().join("audit.jsonl")).expect("log");
    let head = std::fs::read(state.path().join("audit.jsonl.head"))
        .ok()
        .and_then(|b| agentops_records::chain::Head::parse(&b));
    let records = log.lines().count();
    c.bench_function(&format!("verify ({records} records)"), |b| {
        b.iter(|| agentops_records::chain::verify(&log, head.as_ref()))
    });
}

criterion_group!(benches, appends);
criterion_main!(benches);
