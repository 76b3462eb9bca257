//! Security policies: command, path and environment validation, prompt-injection scan, exfiltration check, credential redaction, content trust.

pub mod protected;
