//! The link-time choices that keep a hook process cheap to start (see
//! build.rs and docs/PERFORMANCE.md), checked on the built binary so a
//! dependency or toolchain change cannot undo them silently.

#![cfg(all(target_os = "linux", target_env = "gnu"))]

use std::process::Command;

fn readelf(flag: &str) -> Option<String> {
    let out = Command::new("readelf")
        .args([flag, "--wide", env!("CARGO_BIN_EXE_agentops")])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_binary_is_not_position_independent_and_needs_no_libm() {
    let (Some(header), Some(dynamic)) = (readelf("-h"), readelf("-d")) else {
        eprintln!("SKIPPED: readelf (binutils) is not installed");
        assert!(std::env::var_os("CI").is_none(), "CI must have readelf");
        return;
    };
    // EXEC, not DYN: the loader has no relative relocations to apply.
    assert!(
        header
            .lines()
            .any(|l| l.contains("Type:") && l.contains("EXEC")),
        "{header}"
    );
    assert!(!dynamic.contains("RELACOUNT"), "{dynamic}");
    // `log2`, the one libm function a dependency calls, is provided by the
    // binary itself.
    assert!(dynamic.contains("libc.so"), "{dynamic}");
    assert!(!dynamic.contains("libm.so"), "{dynamic}");
}
