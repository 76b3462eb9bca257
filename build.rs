//! Link options for the `agentops` binary.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // A position-independent executable makes the loader patch every
    // pointer in the binary's static tables (tens of thousands: the parsers'
    // keyword and Unicode tables, the policies' rule tables) in every
    // process, before `main`, and copies each page it patches. A hook
    // process lives a few milliseconds, so a fixed load address is worth
    // more to it than address randomisation of the executable itself
    // (libraries, heap and stack stay randomised). docs/PERFORMANCE.md has
    // the measurements.
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
