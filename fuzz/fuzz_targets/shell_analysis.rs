//! Fuzz target `shell_analysis`: see [`agentops_fuzz::targets::shell_analysis`] for what it
//! checks. Under `cargo fuzz` this is a libFuzzer target; in a plain build
//! it is a corpus runner (`--help` for its options).
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| agentops_fuzz::targets::shell_analysis(data));

#[cfg(not(fuzzing))]
fn main() {
    agentops_fuzz::runner::main(
        "shell_analysis",
        agentops_fuzz::targets::shell_analysis,
        include_str!("../dict/shell_analysis.dict"),
    );
}
