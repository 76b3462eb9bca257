//! The policy registry: which policies exist, in answer order.

use agentops_core::Policy;

use crate::{observability, security, supply_chain, workflow};

/// Every policy, in the order their reasons are merged. Security policies
/// come first so their reasons lead a combined answer.
pub fn all() -> &'static [&'static dyn Policy] {
    static ALL: &[&dyn Policy] = &[
        // security
        &security::validate_command::ValidateCommandPolicy,
        &security::validate_env::ValidateEnvPolicy,
        &security::exfiltration_check::ExfiltrationCheckPolicy,
        &security::validate_path::ValidatePathPolicy,
        &security::injection_scan::InjectionScanPolicy,
        &security::credential_redact::CredentialRedactPolicy,
        &security::content_trust::ContentTrustPolicy,
        // supply chain
        &supply_chain::unicode_firewall::UnicodeFirewallPolicy,
        &supply_chain::unicode_scan_session::UnicodeScanSessionPolicy,
        &supply_chain::lockfile_audit::LockfileAuditPolicy,
        &supply_chain::integrity_verify::IntegrityVerifyPolicy,
        // workflow (session-cleanup first: its reset precedes the others' effects)
        &workflow::session_cleanup::SessionCleanupPolicy,
        &workflow::todo_prune::TodoPrunePolicy,
        &workflow::star_preamble::StarPreamblePolicy,
        &workflow::code_field_preamble::CodeFieldPreamblePolicy,
        &workflow::lessons_check::LessonsCheckPolicy,
        &workflow::budget_check::BudgetCheckPolicy,
        &workflow::runtime_mode::RuntimeModePolicy,
        &workflow::star_gate::StarGatePolicy,
        &workflow::auto_plan::AutoPlanPolicy,
        &workflow::plan_gate::PlanGatePolicy,
        &workflow::detect_test_run::DetectTestRunPolicy,
        &workflow::auto_test::AutoTestPolicy,
        &workflow::auto_delegate::AutoDelegatePolicy,
        &workflow::standards_enforce::StandardsEnforcePolicy,
        &workflow::ai_guardrails::AiGuardrailsPolicy,
        &workflow::skill_validator::SkillValidatorPolicy,
        &workflow::auto_lesson::AutoLessonPolicy,
        &workflow::evolve_gate::EvolveGatePolicy,
        &workflow::auto_verify::AutoVerifyPolicy,
        &workflow::auto_evolve::AutoEvolvePolicy,
        &workflow::compliance_gate::ComplianceGatePolicy,
        // observability
        &observability::budget_gate::BudgetEnforcementPolicy,
        &observability::provenance::FileProvenancePolicy,
        &observability::delegation::DelegationTrustPolicy,
        &observability::failures::FailureCollectorPolicy,
    ];
    ALL
}

/// Look a policy up by its upstream hook name.
pub fn by_name(name: &str) -> Option<&'static dyn Policy> {
    all().iter().copied().find(|p| p.name() == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for p in all() {
            assert!(seen.insert(p.name()), "duplicate policy {}", p.name());
            assert!(
                p.name().chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                p.name()
            );
        }
    }

    #[test]
    fn rule_ids_are_unique_and_owned_by_their_policy() {
        let mut seen = HashSet::new();
        for p in all() {
            for r in p.rules() {
                assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
                assert_eq!(
                    r.policy,
                    p.name(),
                    "rule {} listed by the wrong policy",
                    r.id
                );
                assert!(!r.reason.is_empty() && !r.reason.contains('\n'), "{}", r.id);
            }
        }
    }

    #[test]
    fn lookup_by_name() {
        assert!(by_name("runtime-mode").is_some());
        assert!(by_name("no-such-hook").is_none());
    }
}
