//! Fuzz target `lockfile_parsers`: see [`agentops_fuzz::targets::lockfile_parsers`] for what it
//! checks. Under `cargo fuzz` this is a libFuzzer target; in a plain build
//! it is a corpus runner (`--help` for its options).
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| agentops_fuzz::targets::lockfile_parsers(data));

#[cfg(not(fuzzing))]
fn main() {
    agentops_fuzz::runner::main(
        "lockfile_parsers",
        agentops_fuzz::targets::lockfile_parsers,
        include_str!("../dict/lockfile_parsers.dict"),
    );
}
