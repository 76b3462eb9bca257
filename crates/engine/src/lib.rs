//! Runs one Claude Code hook event end to end.
//!
//! The engine is the I/O edge around the pure policies: it validates the raw
//! payload (size, UTF-8, JSON, required fields), builds the
//! [`Context`](agentops_core::Context) from the environment and
//! `.agentops/flags.json`, runs every applicable policy with panics
//! contained, merges their outcomes, performs their effects and renders the
//! single JSON answer.
//!
//! Anything that goes wrong on a gate event (PreToolUse, PermissionRequest)
//! becomes a deny with a reason: a crash or a non-zero exit would let the
//! tool call through.

#![warn(missing_docs)]

pub mod environment;
pub mod failure;
pub mod flags_file;
pub mod observe;
pub mod overrides;
pub mod replay;
mod run;
pub mod wiring;

pub use environment::{load_flags, Environment};
pub use failure::{InputProblem, ENGINE_RULES, MAX_INPUT_BYTES};
pub use run::{perform_effects, read_input, run_hook, HookRun, Selection};
