//! Uncached parse + analysis of single commands of different sizes.
//!
//! Each iteration calls [`agentops_shell::analyse`], which parses the string
//! and builds the analysis from scratch every time. The policies call
//! [`agentops_shell::analyse_cached`] instead, which remembers only the last
//! string analysed on the thread, so one hook run pays this cost once and
//! its other Bash policies share the result; `cached_hit/git_status` shows
//! what such a repeat costs for comparison.
//!
//! Run: `cargo bench -p agentops-shell --bench uncached`.

use std::hint::black_box;

use criterion::{Criterion, Throughput};

/// A short, very common command.
const SHORT: &str = "git status";

/// A four-stage pipeline with a wrapper (`xargs`) and quoting.
const PIPELINE: &str = "find . -name '*.rs' | xargs grep -n foo | sort | uniq -c";

/// About 2 KB: a release script as an agent writes it in one command, with
/// `&&` chains, a loop, substitutions, a heredoc, `find -exec`, pipes and
/// remote commands.
const LONG: &str = r#"set -euo pipefail && cd "$(git rev-parse --show-toplevel)" && export RUSTFLAGS='-D warnings' CARGO_TERM_COLOR=never && cargo fmt --all -- --check && cargo clippy --workspace --all-targets -- -D warnings && cargo test --workspace --no-fail-fast 2>&1 | tee /tmp/test.log && VERSION=$(grep -m1 '^version' Cargo.toml | cut -d'"' -f2) && echo "releasing $VERSION" && for crate in core shell policies engine state redact unicode cost lockfile dashboard; do cargo package -p "agentops-$crate" --allow-dirty --no-verify > "/tmp/package-$crate.log" 2>&1 || { echo "package $crate failed"; tail -n 20 "/tmp/package-$crate.log"; exit 1; }; done && mkdir -p dist && cargo build --release --locked && cp target/release/agentops dist/ && strip dist/agentops && tar -C dist -czf "dist/agentops-$VERSION-$(uname -m).tar.gz" agentops && sha256sum dist/*.tar.gz | tee dist/SHA256SUMS && cat > dist/RELEASE_NOTES.md <<'EOF'
# Release notes

- Bash commands are analysed once per hook run and shared by every policy.
- Wrappers (sudo, env, timeout, nice, xargs) are unwrapped before the rules run.
- Nested code (sh -c, eval, heredocs into shells) is analysed up to five levels deep.
EOF
git add -A dist && git commit -m "release: agentops $VERSION" -m "Built on $(hostname) at $(date -u +%Y-%m-%dT%H:%M:%SZ)" && git tag -a "v$VERSION" -m "agentops $VERSION" && find dist -type f -name '*.log' -mtime +7 -exec rm -f {} \; && ls -la dist | awk '{print $5, $9}' | sort -n | tail -n 5 && curl -fsS -X POST -H 'Content-Type: application/json' --data "{\"text\": \"agentops $VERSION released\"}" https://hooks.example.com/release && docker build --pull -t "registry.example.com/agentops:$VERSION" -f docker/Dockerfile . && docker push "registry.example.com/agentops:$VERSION" && ssh deploy@staging.example.com "sudo systemctl restart agentops && journalctl -u agentops -n 20 --no-pager" && rsync -az --delete dist/ "deploy@staging.example.com:/srv/agentops/releases/$VERSION/" && echo done"#;

fn main() {
    assert!(
        (1900..=2300).contains(&LONG.len()),
        "the long command should be about 2 KB, is {} bytes",
        LONG.len()
    );
    for cmd in [SHORT, PIPELINE, LONG] {
        // Measure the parser's path, not the tokenizer fallback.
        assert!(
            agentops_shell::analyse(cmd).parsed(),
            "does not parse: {cmd}"
        );
    }
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("uncached");
    for (name, cmd) in [
        ("git_status", SHORT),
        ("pipeline_4_stages", PIPELINE),
        ("script_2kb", LONG),
    ] {
        group.throughput(Throughput::Bytes(cmd.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| black_box(agentops_shell::analyse(black_box(cmd))))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("cached_hit");
    group.bench_function("git_status", |b| {
        b.iter(|| black_box(agentops_shell::analyse_cached(black_box(SHORT))))
    });
    group.finish();
    c.final_summary();
}
