//! The policy registry: which policies exist, in answer order.

use std::sync::OnceLock;

use agentops_core::{FlagKind, Policy};

use crate::{observability, security, supply_chain, workflow};

/// Every policy, in the order their reasons are merged. Security policies
/// come first so their reasons lead a combined answer.
pub fn all() -> &'static [&'static Policy] {
    static ALL: &[&Policy] = &[
        // security
        &security::validate_command::VALIDATE_COMMAND,
        &security::validate_env::VALIDATE_ENV,
        &security::autopilot::PERMISSION_AUTOPILOT,
        &security::run_later::RUN_LATER_CHECK,
        &security::exfiltration_check::EXFILTRATION_CHECK,
        &security::validate_path::VALIDATE_PATH,
        &security::custom_rules::CUSTOM_RULES,
        &security::injection_scan::INJECTION_SCAN,
        &security::credential_redact::CREDENTIAL_REDACT,
        &security::content_trust::CONTENT_TRUST,
        &security::instructions_scan::INSTRUCTIONS_SCAN,
        &security::elicitation_check::ELICITATION_CHECK,
        &security::config_guard::CONFIG_GUARD,
        // supply chain
        &supply_chain::unicode_firewall::UNICODE_FIREWALL,
        &supply_chain::unicode_scan_session::UNICODE_SCAN_SESSION,
        &supply_chain::lockfile_audit::LOCKFILE_AUDIT,
        &supply_chain::integrity_verify::INTEGRITY_VERIFY,
        // workflow (session-cleanup first: its reset precedes the others' effects)
        &workflow::session_cleanup::SESSION_CLEANUP,
        &workflow::todo_prune::TODO_PRUNE,
        &workflow::star_preamble::STAR_PREAMBLE,
        &workflow::code_field_preamble::CODE_FIELD_PREAMBLE,
        &workflow::lessons_check::LESSONS_CHECK,
        &workflow::budget_check::BUDGET_CHECK,
        &workflow::runtime_mode::RUNTIME_MODE,
        &workflow::star_gate::STAR_GATE,
        &workflow::auto_plan::AUTO_PLAN,
        &workflow::plan_gate::PLAN_GATE,
        &workflow::detect_test_run::DETECT_TEST_RUN,
        &workflow::auto_test::AUTO_TEST,
        &workflow::auto_delegate::AUTO_DELEGATE,
        &workflow::standards_enforce::STANDARDS_ENFORCE,
        &workflow::ai_guardrails::AI_GUARDRAILS,
        &workflow::skill_validator::SKILL_VALIDATOR,
        &workflow::auto_lesson::AUTO_LESSON,
        &workflow::evolve_gate::EVOLVE_GATE,
        &workflow::auto_verify::AUTO_VERIFY,
        &workflow::auto_evolve::AUTO_EVOLVE,
        &workflow::compliance_gate::COMPLIANCE_GATE,
        // observability
        &observability::budget_gate::BUDGET_ENFORCEMENT,
        &observability::provenance::FILE_PROVENANCE,
        &observability::delegation::DELEGATION_TRUST,
        &observability::failures::FAILURE_COLLECTOR,
    ];
    ALL
}

/// The policies that judge a shell command a skill or slash command runs
/// (PreSkillShellCommand, judged as a Bash call): the command guards of
/// the security layer. Workflow nudges (plans, tests, delegation) are about
/// the agent's own tool calls and stay out.
pub fn skill_command_guards() -> &'static [&'static Policy] {
    static GUARDS: &[&Policy] = &[
        &security::validate_command::VALIDATE_COMMAND,
        &security::validate_env::VALIDATE_ENV,
        &security::autopilot::PERMISSION_AUTOPILOT,
        &security::run_later::RUN_LATER_CHECK,
        &security::exfiltration_check::EXFILTRATION_CHECK,
        &security::custom_rules::CUSTOM_RULES,
        &security::injection_scan::INJECTION_SCAN,
        &security::credential_redact::CREDENTIAL_REDACT,
    ];
    GUARDS
}

/// Every flag the registered policies read, with its kind, once each; the
/// engine hands it to policies in the [`Context`](agentops_core::Context).
pub fn policy_flags() -> &'static [(&'static str, FlagKind)] {
    static FLAGS: OnceLock<Vec<(&'static str, FlagKind)>> = OnceLock::new();
    FLAGS.get_or_init(|| {
        let mut flags: Vec<(&'static str, FlagKind)> = Vec::new();
        for flag in all().iter().filter_map(|p| p.flag) {
            if !flags.contains(&flag) {
                flags.push(flag);
            }
        }
        flags
    })
}

/// Look a policy up by its upstream hook name.
pub fn by_name(name: &str) -> Option<&'static Policy> {
    all().iter().copied().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        for p in all() {
            assert!(seen.insert(p.name), "duplicate policy {}", p.name);
            assert!(
                p.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                p.name
            );
        }
    }

    #[test]
    fn rule_ids_are_unique_and_owned_by_their_policy() {
        let mut seen = HashSet::new();
        for p in all() {
            for r in p.rules {
                assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
                assert_eq!(r.policy, p.name, "rule {} listed by the wrong policy", r.id);
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
