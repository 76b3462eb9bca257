//! Fuzz targets for agentops and the plain runner used where libFuzzer is
//! not available.
//!
//! Each target is a function from arbitrary bytes to nothing that panics
//! when the code under test breaks one of its promises: it panicked,
//! answered a gate event with anything but a deny for an unusable payload,
//! reported a finding outside its input, and so on. The same function is
//! driven by libFuzzer (`cargo fuzz run <target>`, see `fuzz/README.md`) or
//! by [`runner::main`], which replays a corpus and then mutates it for a
//! time budget without coverage feedback (what CI's smoke run uses).

pub mod runner;
pub mod targets;
