//! Redaction cost on the hook path: clean text (the common case, prefilter
//! only), a shell command with one token, and a 64 KiB tool output.

use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn bench(c: &mut Criterion) {
    let clean = "cargo test -p agentops-redact -- --nocapture && git status --short";
    let command = "curl -H 'Authorization: Bearer abc123def456ghi789jkl' https://api.example.com/v1/items?page=2";
    let mut output = String::new();
    while output.len() < 64 * 1024 {
        output
            .push_str("src/main.rs:12: let total = items.iter().map(|i| i.price).sum::<u64>();\n");
        output.push_str("INFO connecting to database host=db port=5432 user=app\n");
    }
    output.push_str("DB_PASSWORD=hunter2 ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789\n");

    c.bench_function("redact/clean-command", |b| {
        b.iter(|| agentops_redact::redact(black_box(clean)))
    });
    c.bench_function("redact/command-with-token", |b| {
        b.iter(|| agentops_redact::redact(black_box(command)))
    });
    c.bench_function("redact/64KiB-output", |b| {
        b.iter(|| agentops_redact::redact(black_box(&output)))
    });
    c.bench_function("find_secrets/64KiB-output", |b| {
        b.iter(|| agentops_redact::find_secrets(black_box(&output)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
