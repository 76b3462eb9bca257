//! Link options for the `agentops` binary.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // link/cc-static reads it: relink when it changes.
    println!("cargo:rerun-if-env-changed=AGENTOPS_DYNAMIC_LINK");
    // A position-independent executable makes the loader patch every
    // pointer in the binary's static tables (tens of thousands: the parsers'
    // keyword and Unicode tables, the policies' rule tables) in every
    // process, before `main`, and copies each page it patches. A hook
    // process lives a few milliseconds, so a fixed load address is worth
    // more to it than address randomisation of the executable itself
    // (heap, stack and mmap regions stay randomised; the executable is
    // linked statically by link/cc-static, so glibc is part of it and sits
    // at a fixed address too). docs/PERFORMANCE.md has the measurements.
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") == "linux" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    // The functions a hook runs, placed together (bench/symbol-order.sh
    // writes the list): fewer code pages to fault in per process. Only
    // where Rust links with LLD by default (x86_64 Linux); set
    // AGENTOPS_NO_SYMBOL_ORDER=1 when linking with another linker.
    println!("cargo:rerun-if-changed=link/hook-symbols.txt");
    println!("cargo:rerun-if-env-changed=AGENTOPS_NO_SYMBOL_ORDER");
    let order = std::path::Path::new(&var("CARGO_MANIFEST_DIR")).join("link/hook-symbols.txt");
    if var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ARCH") == "x86_64"
        && var("AGENTOPS_NO_SYMBOL_ORDER").is_empty()
        && order.is_file()
    {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        // Functions renamed since the list was made are skipped silently.
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}
