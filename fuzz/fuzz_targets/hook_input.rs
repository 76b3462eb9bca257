//! Fuzz target `hook_input`: see [`agentops_fuzz::targets::hook_input`] for what it
//! checks. Under `cargo fuzz` this is a libFuzzer target; in a plain build
//! it is a corpus runner (`--help` for its options).
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| agentops_fuzz::targets::hook_input(data));

#[cfg(not(fuzzing))]
fn main() {
    agentops_fuzz::runner::main(
        "hook_input",
        agentops_fuzz::targets::hook_input,
        include_str!("../dict/hook_input.dict"),
    );
}
