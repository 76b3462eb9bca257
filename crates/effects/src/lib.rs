//! What a shell command does.
//!
//! The command knowledge base in `kb/*.toml` (one file per tool family,
//! written from each tool's manual and `--help`) describes, for each tool,
//! the subcommands and flags that change what it does and the typed
//! [`Effect`]s that follow. `build.rs` compiles it into `static` tables, so
//! a hook call parses no data: [`derive`] walks an analysed command
//! ([`agentops_shell::Analysis`]) and returns the effects of every simple
//! command in it, each with the knowledge-base entry that produced it.
//!
//! Rules (in agentops-policies) are predicates over these effects and their
//! targets, never over spellings.

#![warn(missing_docs)]

pub mod custom;
mod derive;
mod effect;
mod glob;
pub mod kb;
mod schema;

pub use derive::{derive, effects_of, CommandEffects, Derived};
pub use effect::Effect;
pub use glob::glob_match;
pub use kb::{Entry, Tool};
