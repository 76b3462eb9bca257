//! Detector throughput on in-memory text: mostly-ASCII code, CJK prose, and
//! emoji-heavy chat, 8 MiB each. Run with `cargo bench -p agentops-unicode`.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

use agentops_unicode::{scan, Options};

fn corpus(unit: &str) -> Vec<u8> {
    let mut text = String::with_capacity(8 << 20);
    while text.len() < 8 << 20 {
        text.push_str(unit);
    }
    text.into_bytes()
}

fn bench(c: &mut Criterion) {
    let cases = [
        (
            "code",
            "    let value = request.handler(buffer, index)?; // parse the config\n",
        ),
        ("code-2pct-non-ascii", "    fn render(&self) -> Result<Café, Error> { todo!() }\n    let count = self.length + index; // ok\n    return parse(value);\n"),
        ("cjk", "这是一个用于测试的中文段落，包含标点符号和数字１２３。\n"),
        ("emoji", "ship it 🚀 ✅ 👩\u{200D}💻 ❤\u{FE0F} — “done” …\n"),
    ];
    let mut group = c.benchmark_group("scan");
    for (name, unit) in cases {
        let text = corpus(unit);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| b.iter(|| scan(black_box(&text), Options::SOURCE)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
