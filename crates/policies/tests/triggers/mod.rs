//! Trigger cases for rules whose documented examples are prose: one
//! executable example each (see `agentops_core::example`), with a function
//! that shapes the in-memory world further where the short form cannot
//! (file ages, scripted programs). One file per policy layer.

// Helpers used as the layers fill in their cases.
#![allow(dead_code)]

use agentops_core::MemoryWorld;

mod observability;
mod security;
mod supply_chain;
mod workflow;

/// One case that must produce `rule` as a finding.
pub struct Trigger {
    /// The rule id.
    pub rule: &'static str,
    /// The example to run.
    pub example: &'static str,
    /// Changes to the world beyond the example's `given` files.
    pub world: fn(MemoryWorld) -> MemoryWorld,
}

/// A trigger in a world with just the example's files.
pub const fn t(rule: &'static str, example: &'static str) -> Trigger {
    Trigger {
        rule,
        example,
        world: same,
    }
}

fn same(w: MemoryWorld) -> MemoryWorld {
    w
}

/// Every trigger case.
pub fn all() -> Vec<Trigger> {
    let mut all = Vec::new();
    all.extend(security::cases());
    all.extend(supply_chain::cases());
    all.extend(workflow::cases());
    all.extend(observability::cases());
    all
}
