//! Workflow policies: runtime modes, plan and test gates, lessons, compliance.

pub mod ai_guardrails;
pub mod auto_delegate;
pub mod auto_evolve;
pub mod auto_lesson;
pub mod auto_plan;
pub mod auto_test;
pub mod auto_verify;
pub mod budget_check;
pub mod code_field_preamble;
pub mod compliance_gate;
pub mod detect_test_run;
pub mod evolve;
pub mod evolve_gate;
pub mod lessons;
pub mod lessons_check;
pub mod plan_gate;
pub mod runtime_mode;
pub mod session;
pub mod session_cleanup;
pub mod skill_validator;
pub mod standards_enforce;
pub mod star_gate;
pub mod star_preamble;
pub mod todo;
pub mod todo_prune;

#[cfg(test)]
mod tests {
    use agentops_core::catalogue::{lookup, FlagType};

    /// `agentops flags set` only accepts catalogued flags, so every flag a
    /// policy reads must be in the catalogue with the same semantics.
    #[test]
    fn every_policy_flag_is_catalogued_with_its_kind() {
        for policy in crate::all() {
            if let Some((name, kind)) = policy.flag() {
                let spec = lookup(name).unwrap_or_else(|| {
                    panic!("{}: flag {name} is not in the catalogue", policy.name())
                });
                assert_eq!(spec.ty, FlagType::Switch(kind), "{}: {name}", policy.name());
            }
        }
    }
}
