//! Fuzz target `unicode_scanner`: see [`agentops_fuzz::targets::unicode_scanner`] for what it
//! checks. Under `cargo fuzz` this is a libFuzzer target; in a plain build
//! it is a corpus runner (`--help` for its options).
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| agentops_fuzz::targets::unicode_scanner(data));

#[cfg(not(fuzzing))]
fn main() {
    agentops_fuzz::runner::main(
        "unicode_scanner",
        agentops_fuzz::targets::unicode_scanner,
        include_str!("../dict/unicode_scanner.dict"),
    );
}
