//! `Command::has_short` and `has_long` answer without building the flag
//! list; they must answer what `Command::flags` lists.

use agentops_shell::{analyse, Flag};
use proptest::prelude::*;

const ARGS: &[&str] = &[
    "-a", "-rf", "-Rf9", "--long", "--long=v", "--a=b=c", "--", "-", "x", "-1", "--r", "-é",
    "-x-y", "--force", "-force", "file",
];
const SHORTS: &[char] = &['a', 'r', 'f', 'R', '9', '1', 'x', 'y', 'l', 'é', '-', 'z'];
const LONGS: &[&str] = &["long", "a", "r", "force", "v", "long=v", ""];

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn flag_queries_agree_with_the_flag_list(idx in proptest::collection::vec(0..ARGS.len(), 0..8)) {
        let args: Vec<&str> = idx.iter().map(|&i| ARGS[i]).collect();
        let src = format!("tool {}", args.join(" "));
        let analysis = analyse(&src);
        let c = analysis.commands.first().expect("one command");
        let flags = c.flags();
        for &s in SHORTS {
            prop_assert_eq!(c.has_short(s), flags.contains(&Flag::Short(s)), "{} -{}", src, s);
        }
        for &l in LONGS {
            prop_assert_eq!(c.has_long(l), flags.contains(&Flag::Long(l)), "{} --{}", src, l);
        }
    }
}

#[test]
fn bundles_and_values_are_read_as_flags() {
    let analysis = analyse("rm -rf --no-preserve-root=yes -- -x");
    let c = analysis.commands.first().expect("one command");
    assert!(c.has_short('r') && c.has_short('f'));
    assert!(c.has_long("no-preserve-root"));
    // After `--`, words are operands.
    assert!(!c.has_short('x'));
}
