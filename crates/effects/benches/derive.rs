//! The whole uncached analysis of typical commands: parse, normalise, and
//! derive every simple command's effects from the knowledge base (criterion
//! reports the median, the p50 the performance budget is about: 10 µs for
//! a typical command), plus the knowledge-base step alone.
//!
//! Run: `cargo bench -p agentops-effects --bench derive`.

use std::hint::black_box;

use criterion::Criterion;

/// Commands an agent runs all day.
const TYPICAL: &[(&str, &str)] = &[
    ("git_status", "git status --short"),
    (
        "cargo_test_tail",
        "cargo test --workspace 2>&1 | tail -n 20",
    ),
    ("kubectl_get", "kubectl get pods -n staging -o wide"),
    ("npm_install", "npm install --save-dev typescript@5"),
    (
        "grep_pipeline",
        "find . -name '*.rs' | xargs grep -n foo | sort | uniq -c",
    ),
    (
        "gh_pr",
        "gh pr create --title 'fix: typo' --body 'One word.'",
    ),
];

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("analyse_and_derive");
    for (name, cmd) in TYPICAL {
        group.bench_function(*name, |b| {
            b.iter(|| {
                let analysis = agentops_shell::analyse(black_box(cmd));
                black_box(agentops_effects::derive(&analysis))
            })
        });
    }
    group.finish();
    let mut group = c.benchmark_group("derive_only");
    for (name, cmd) in TYPICAL {
        let analysis = agentops_shell::analyse(cmd);
        group.bench_function(*name, |b| {
            b.iter(|| black_box(agentops_effects::derive(black_box(&analysis))))
        });
    }
    group.finish();
    c.final_summary();
}
