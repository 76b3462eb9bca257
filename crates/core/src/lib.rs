//! Shared vocabulary of agentops: the Claude Code hook protocol, rules and
//! findings, flags and modes, and how findings become one hook answer.
//!
//! Everything here is pure: no file system, no environment, no clock. The
//! engine crate reads those at the edges and hands policies a [`Context`],
//! whose [`World`] is the only way a policy sees files, the environment,
//! the clock or other programs.

#![warn(missing_docs)]

pub mod catalogue;
pub mod context;
pub mod event;
pub mod example;
pub mod flags;
pub mod input;
pub mod outcome;
pub mod output;
pub mod policy;
pub mod rule;
pub mod tool;
pub mod world;

pub use context::{Context, RuntimeMode};
pub use event::HookEvent;
pub use flags::{EnforcementMode, FlagKind, Flags};
pub use input::HookInput;
pub use outcome::{Effect, Finding, Outcome, INSTEAD_SEPARATOR};
pub use output::{Decision, HookAnswer};
pub use policy::{Evaluate, Policy, ToolKind, ToolMatch};
pub use rule::{Rule, Severity, CUSTOM_RULES_POLICY};
pub use tool::Tool;
pub use world::{FileKind, FileMeta, MemoryWorld, ProcessOutput, WalkEntry, World};
