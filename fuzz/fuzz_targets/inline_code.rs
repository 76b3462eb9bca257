//! Fuzz target `inline_code`: see [`agentops_fuzz::targets::inline_code`] for what it
//! checks. Under `cargo fuzz` this is a libFuzzer target; in a plain build
//! it is a corpus runner (`--help` for its options).
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| agentops_fuzz::targets::inline_code(data));

#[cfg(not(fuzzing))]
fn main() {
    agentops_fuzz::runner::main(
        "inline_code",
        agentops_fuzz::targets::inline_code,
        include_str!("../dict/inline_code.dict"),
    );
}
