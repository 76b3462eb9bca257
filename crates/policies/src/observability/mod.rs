//! Observability policies: provenance, delegation, failures, budget.
//!
//! The audit and telemetry record builders the engine calls after merging
//! live in `agentops-records`; the policies here are ordinary ones:
//! [`provenance`] (file-provenance), [`delegation`] (delegation-trust),
//! [`failures`] (failure-collector) and [`budget_gate`]
//! (budget-enforcement). What they write is redacted and bounded with
//! `agentops_records::redacted`.

pub mod budget_gate;
pub mod delegation;
pub mod failures;
pub mod provenance;
