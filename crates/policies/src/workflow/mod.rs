//! Workflow policies: runtime modes, plan and test gates, lessons, compliance.

pub mod runtime_mode;
