//! Search cost of an index of a few hundred literals on texts of the sizes
//! a hook sees (a command, a Write's content).

use agentops_literals::{Index, Literal};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

const WORDS: &[&str] = &[
    "ignore",
    "previous",
    "instructions",
    "system",
    "prompt",
    "password",
    "secret",
    "token",
    "api_key",
    "private",
    "forget",
    "override",
    "bypass",
    "disregard",
    "jailbreak",
    "developer",
    "mode",
    "assistant",
    "pretend",
    "you are",
    "act as",
    "new rules",
    "admin",
    "sudo",
    "aws_",
    "ghp_",
    "sk-",
    "xox",
    "bearer",
    "authorization",
];

const fn literals<const N: usize>() -> [Literal; N] {
    let mut out = [Literal::exact("", 0); N];
    let mut i = 0;
    while i < N {
        out[i] = Literal::ascii_case_insensitive(WORDS[i % WORDS.len()], i as u32);
        i += 1;
    }
    out
}

static INDEX: Index<30> = Index::new(literals::<30>());

fn bench(c: &mut Criterion) {
    let command = "cargo test --workspace 2>&1 | tail -n 20 && git status --short";
    let content = "pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n".repeat(40);
    for (name, text) in [("command", command.to_string()), ("2 KB of Rust", content)] {
        c.bench_function(&format!("find/{name}"), |b| {
            b.iter(|| {
                let mut hits = 0u32;
                INDEX.find(black_box(text.as_bytes()), |_| hits += 1);
                hits
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
