//! Security policies: command, path and environment validation, prompt-injection scan, exfiltration check, credential redaction, content trust.

pub mod autopilot;
pub mod config_guard;
pub mod content_trust;
pub mod credential_redact;
pub mod custom_rules;
pub mod elicitation_check;
pub mod exfiltration_check;
pub mod injection_scan;
pub mod instructions_scan;
pub mod protected;
pub mod run_later;
pub mod validate_command;
pub mod validate_env;
pub mod validate_path;
