//! Every seed and every saved crash input, run through its target: a crash
//! found by fuzzing stays fixed once its input is in `regressions/<target>/`.

use std::path::PathBuf;

use agentops_fuzz::runner::load_corpus;
use agentops_fuzz::targets::ALL;

#[test]
fn seeds_and_regressions_pass_every_target() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for (name, target) in ALL {
        let corpus = load_corpus(&[
            root.join("seeds").join(name),
            root.join("regressions").join(name),
        ])
        .expect("corpus readable");
        let inputs: Vec<_> = corpus
            .iter()
            .filter(|(p, _)| p.file_name().is_some_and(|n| n != ".keep"))
            .collect();
        assert!(
            inputs.len() >= 5,
            "{name}: only {} seed inputs",
            inputs.len()
        );
        for (path, data) in inputs {
            let outcome = std::panic::catch_unwind(|| target(data));
            assert!(outcome.is_ok(), "{name} failed on {}", path.display());
        }
    }
}
