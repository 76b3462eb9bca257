//! Print the analysis of each argument: `cargo run -p agentops-shell --example dump -- 'cmd'`.

fn main() {
    for src in std::env::args().skip(1) {
        let a = agentops_shell::analyse(&src);
        println!("# {src:?}  status={:?} capped={}", a.status, a.depth_capped);
        for c in &a.commands {
            println!(
                "  [{}] {}  via={:?} depth={} parent={:?} indirect={} wrappers={:?} stdin_from={:?} exec_from={:?} chain={} pipe={:?} approx={} synth={} inline={:?}",
                c.id, c, c.origin.via, c.origin.depth, c.origin.parent, c.origin.indirect, c.wrappers,
                c.stdin_from, c.exec_from, c.conditional_chain, c.pipe, c.approximate, c.synthetic,
                c.inline_code.as_ref().map(|i| (i.lang, i.code.chars().take(40).collect::<String>()))
            );
            for asg in &c.assignments {
                println!(
                    "      assign {:?} {}={:?}",
                    asg.kind, asg.name, asg.value.text
                );
            }
        }
        for w in &a.writes {
            println!(
                "  write {} by {} content={:?} from={:?}",
                w.path, w.by, w.content, w.from
            );
        }
        for f in &a.functions {
            println!("  function {} body={:?}", f.name, f.body);
        }
    }
}
