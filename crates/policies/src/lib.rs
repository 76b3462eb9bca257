//! Every agentops policy, one module per upstream hook, grouped by layer:
//!
//! - [`security`]: gates on what the agent runs, reads and writes;
//! - [`supply_chain`]: invisible Unicode, lockfiles, integrity;
//! - [`workflow`]: runtime modes, plans, tests, lessons, compliance;
//! - [`observability`]: provenance, delegation, failures, budget.
//!
//! Decisions only: every policy is a `static` [`Policy`](agentops_core::Policy)
//! descriptor whose `evaluate` function reads the payload and the
//! [`Context`](agentops_core::Context) (its world for files, environment,
//! clock and programs) and returns findings and effects for the engine.
//!
//! [`registry::all`] is the single list the engine dispatches from; its
//! order is the order reasons and contexts appear in a merged answer.

#![warn(missing_docs)]

pub mod exceptions;
pub mod observability;
pub mod registry;
pub mod security;
pub mod supply_chain;
pub mod workflow;

pub use registry::{all, by_name, policy_flags, skill_command_guards};
