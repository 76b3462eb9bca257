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
pub mod evolve_gate;
pub mod lessons_check;
pub mod plan_gate;
pub mod runtime_mode;
pub mod session_cleanup;
pub mod skill_validator;
pub mod standards_enforce;
pub mod star_gate;
pub mod star_preamble;
pub mod todo_prune;

/// The policies of this layer, by upstream hook name.
pub const WORKFLOW_POLICIES: &[&str] = &[
    "session-cleanup",
    "todo-prune",
    "star-preamble",
    "code-field-preamble",
    "lessons-check",
    "budget-check",
    "runtime-mode",
    "star-gate",
    "auto-plan",
    "plan-gate",
    "detect-test-run",
    "auto-test",
    "auto-delegate",
    "standards-enforce",
    "ai-guardrails",
    "skill-validator",
    "auto-lesson",
    "evolve-gate",
    "auto-verify",
    "auto-evolve",
    "compliance-gate",
];

#[cfg(test)]
mod tests {
    use agentops_core::catalogue::{lookup, FlagType};

    /// Every workflow policy with a flag goes quiet when the flag is off:
    /// fail-safe flags on an explicit `false`, strict ones on anything but
    /// `true` (including typos).
    #[test]
    fn every_workflow_flag_switches_its_policy_off() {
        use agentops_core::{FlagKind, Flags};
        use serde_json::json;
        let workflow: Vec<_> = crate::all()
            .iter()
            .filter(|p| super::WORKFLOW_POLICIES.contains(&p.name))
            .collect();
        assert_eq!(
            workflow.len(),
            super::WORKFLOW_POLICIES.len(),
            "all registered"
        );
        for policy in workflow {
            let Some((name, kind)) = policy.flag else {
                continue;
            };
            assert!(
                policy.enabled(&Flags::default()),
                "{} on by default",
                policy.name
            );
            let offs = match kind {
                FlagKind::Security => vec![json!(false), json!("false")],
                FlagKind::Automation => vec![json!(false), json!("false"), json!("tru"), json!(1)],
            };
            for off in offs {
                let flags = Flags::from_pairs([(name, off.clone())]);
                assert!(!policy.enabled(&flags), "{} with {name}={off}", policy.name);
            }
        }
    }

    /// `agentops flags set` only accepts catalogued flags, so every flag a
    /// policy reads must be in the catalogue with the same semantics.
    #[test]
    fn every_policy_flag_is_catalogued_with_its_kind() {
        for policy in crate::all() {
            if let Some((name, kind)) = policy.flag {
                let spec = lookup(name).unwrap_or_else(|| {
                    panic!("{}: flag {name} is not in the catalogue", policy.name)
                });
                assert_eq!(spec.ty, FlagType::Switch(kind), "{}: {name}", policy.name);
            }
        }
    }
}
