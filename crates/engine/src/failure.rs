//! Rules the engine itself reports when it cannot run the policies: the
//! payload is unusable or a policy crashed. On gate events they deny.

use std::fmt;

use agentops_core::{Rule, Severity};

/// Largest payload read from stdin (16 MiB). Claude Code payloads are far
/// smaller; anything bigger is refused rather than half-read.
pub const MAX_INPUT_BYTES: usize = 16 << 20;

macro_rules! engine_rule {
    ($name:ident, $id:literal, $slug:literal, $reason:literal) => {
        pub static $name: Rule = Rule {
            id: $id,
            name: $slug,
            policy: "engine",
            severity: Severity::Hard,
            reason: $reason,
            ..Rule::PENDING_DOCS
        };
    };
}

engine_rule!(
    EMPTY_INPUT,
    "INPUT001",
    "empty-input",
    "hook input is empty"
);
engine_rule!(
    NOT_UTF8,
    "INPUT002",
    "non-utf8-input",
    "hook input is not valid UTF-8"
);
engine_rule!(
    TOO_LARGE,
    "INPUT003",
    "oversized-input",
    "hook input exceeds the 16 MiB limit"
);
engine_rule!(
    NOT_JSON,
    "INPUT004",
    "malformed-input",
    "hook input is not a valid JSON object"
);
engine_rule!(
    MISSING_FIELD,
    "INPUT005",
    "missing-field",
    "hook input lacks a required field"
);
engine_rule!(
    READ_FAILED,
    "INPUT006",
    "unreadable-input",
    "hook input could not be read"
);
engine_rule!(
    POLICY_PANIC,
    "ENGINE001",
    "policy-crashed",
    "a policy failed while deciding, so the call is refused"
);

/// Every rule the engine can report, for `agentops rules`.
pub static ENGINE_RULES: &[&Rule] = &[
    &EMPTY_INPUT,
    &NOT_UTF8,
    &TOO_LARGE,
    &NOT_JSON,
    &MISSING_FIELD,
    &READ_FAILED,
    &POLICY_PANIC,
];

/// Why a payload could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputProblem {
    Empty,
    NotUtf8 { valid_up_to: usize },
    TooLarge,
    NotJson(String),
    MissingField(&'static str),
    ReadFailed(String),
}

impl InputProblem {
    pub fn rule(&self) -> &'static Rule {
        match self {
            InputProblem::Empty => &EMPTY_INPUT,
            InputProblem::NotUtf8 { .. } => &NOT_UTF8,
            InputProblem::TooLarge => &TOO_LARGE,
            InputProblem::NotJson(_) => &NOT_JSON,
            InputProblem::MissingField(_) => &MISSING_FIELD,
            InputProblem::ReadFailed(_) => &READ_FAILED,
        }
    }

    /// Detail shown after the rule's reason.
    pub fn detail(&self) -> Option<String> {
        match self {
            InputProblem::NotUtf8 { valid_up_to } => {
                Some(format!("invalid byte at offset {valid_up_to}"))
            }
            InputProblem::NotJson(e) => Some(e.clone()),
            InputProblem::MissingField(f) => Some(format!("`{f}`")),
            InputProblem::ReadFailed(e) => Some(e.clone()),
            InputProblem::Empty | InputProblem::TooLarge => None,
        }
    }
}

impl fmt::Display for InputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = self.rule();
        match self.detail() {
            Some(d) => write!(f, "[{}] {}: {d} (fail closed)", rule.id, rule.reason),
            None => write!(f, "[{}] {} (fail closed)", rule.id, rule.reason),
        }
    }
}
