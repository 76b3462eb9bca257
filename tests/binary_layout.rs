//! The link-time choices that keep a hook process cheap to start (see
//! build.rs, link/cc-static and docs/PERFORMANCE.md), checked on the built
//! binary so a dependency or toolchain change cannot undo them silently.

#![cfg(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64"))]

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
fn the_binary_is_static_and_not_position_independent() {
    if std::env::var_os("AGENTOPS_DYNAMIC_LINK").is_some() {
        eprintln!("SKIPPED: AGENTOPS_DYNAMIC_LINK asks for a dynamic link");
        return;
    }
    let (Some(header), Some(segments), Some(dynamic)) =
        (readelf("-h"), readelf("-l"), readelf("-d"))
    else {
        eprintln!("SKIPPED: readelf (binutils) is not installed");
        assert!(std::env::var_os("CI").is_none(), "CI must have readelf");
        return;
    };
    // EXEC, not DYN: nothing to relocate before `main`.
    assert!(
        header
            .lines()
            .any(|l| l.contains("Type:") && l.contains("EXEC")),
        "{header}"
    );
    // No program interpreter and no shared libraries: the kernel jumps
    // straight into the binary, the dynamic loader never runs.
    assert!(!segments.contains("INTERP"), "{segments}");
    assert!(!dynamic.contains("NEEDED"), "{dynamic}");
}
