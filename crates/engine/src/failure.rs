//! Rules the engine itself reports when it cannot run the policies: the
//! payload is unusable or a policy crashed. On gate events they deny.

use std::fmt;

use agentops_core::{Rule, Severity};

/// Largest payload read from stdin (16 MiB). Claude Code payloads are far
/// smaller; anything bigger is refused rather than half-read.
pub const MAX_INPUT_BYTES: usize = 16 << 20;

macro_rules! engine_rule {
    (
        $name:ident, $id:literal, $slug:literal, $reason:literal,
        why: $why:literal,fires: $fires:literal,passes: $passes:literal $(,)?
    ) => {
        #[doc = concat!("`", $id, "` (`", $slug, "`): ", $reason, ".")]
        pub static $name: Rule = Rule {
            id: $id,
            name: $slug,
            policy: "engine",
            severity: Severity::Hard,
            reason: $reason,
            why: $why,
            fires: $fires,
            instead: "",
            passes: $passes,
        };
    };
}

engine_rule!(
    EMPTY_INPUT,
    "INPUT001",
    "empty-input",
    "hook input is empty",
    why: "A gate event must be answered allow or deny, and with nothing to read agentops cannot tell what it would let through. Claude Code runs a tool call unless the hook blocks it, so an empty payload is refused (fail closed) rather than waved on.",
    fires: "a PreToolUse event with nothing but whitespace on stdin",
    passes: "a SessionStart event with nothing on stdin (lifecycle events may arrive without a payload)",
);
engine_rule!(
    NOT_UTF8,
    "INPUT002",
    "non-utf8-input",
    "hook input is not valid UTF-8",
    why: "Claude Code sends JSON, which is UTF-8. Invalid bytes mean a corrupted or forged payload, and guessing at its meaning could let a command through that the policies never saw as written.",
    fires: "a PreToolUse payload holding the byte 0xFF",
    passes: "a PreToolUse payload with non-ASCII text correctly encoded as UTF-8, such as a file name in Greek",
);
engine_rule!(
    TOO_LARGE,
    "INPUT003",
    "oversized-input",
    "hook input exceeds the 16 MiB limit",
    why: "Real payloads are far smaller. A huge input is either an accident or an attempt to hide a command past what a checker reads, or to exhaust memory and time; it is refused rather than half-read.",
    fires: "a PreToolUse payload of 16 MiB plus one byte",
    passes: "a PreToolUse payload of exactly 16 MiB",
);
engine_rule!(
    NOT_JSON,
    "INPUT004",
    "malformed-input",
    "hook input is not a valid JSON object",
    why: "The policies decide on the fields of the payload; if it does not parse as a JSON object (or nests too deeply to parse safely) there is nothing to decide on, and allowing the call unseen would defeat every guard.",
    fires: "a PreToolUse payload `{\"tool_name\": \"Bash\",` cut off mid-object",
    passes: "the same payload closed: `{\"tool_name\": \"Bash\", \"tool_input\": {\"command\": \"ls\"}}`",
);
engine_rule!(
    MISSING_FIELD,
    "INPUT005",
    "missing-field",
    "hook input lacks a required field",
    why: "Without `tool_name` agentops cannot know which policies apply, and on a gate event without a `tool_input` object it cannot see what the tool would do; either way it cannot vouch for the call.",
    fires: "a PreToolUse payload `{\"tool_name\": \"Bash\"}` with no `tool_input`",
    passes: "a PostToolUse payload with `tool_name` but no `tool_input` (only gate events need the input)",
);
engine_rule!(
    READ_FAILED,
    "INPUT006",
    "unreadable-input",
    "hook input could not be read",
    why: "If stdin fails mid-read, agentops holds at best part of the payload; deciding on part of a command could allow what the whole would not.",
    fires: "a PreToolUse event whose stdin returns an I/O error while being read",
    passes: "a PreToolUse event whose stdin is read to the end",
);
engine_rule!(
    POLICY_PANIC,
    "ENGINE001",
    "policy-crashed",
    "a policy failed while deciding, so the call is refused",
    why: "A crashed hook would let the call through, since Claude Code only blocks on exit status 2. The engine contains the crash, keeps the other policies' answers and denies the call, so a bug in one policy, or an input crafted to trigger it, cannot switch the guards off.",
    fires: "a policy that panics while judging a PreToolUse call (`AGENTOPS_FAULT=panic:<policy>` injects one for tests)",
    passes: "the same call when every policy returns an outcome, whatever it is",
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
    /// Nothing but whitespace, on a gate event (lifecycle events may arrive
    /// empty).
    Empty,
    /// Not UTF-8; `valid_up_to` is the offset of the first invalid byte.
    #[allow(missing_docs)] // the field is described above
    NotUtf8 { valid_up_to: usize },
    /// Larger than [`MAX_INPUT_BYTES`] (16 MiB).
    TooLarge,
    /// Not a JSON object, or nested too deeply to parse; holds the parser's
    /// message.
    NotJson(String),
    /// A field the event requires is absent (see
    /// [`HookInput::missing_required`](agentops_core::HookInput::missing_required)).
    MissingField(&'static str),
    /// Reading stdin failed; holds the I/O error.
    ReadFailed(String),
}

impl InputProblem {
    /// The engine rule that reports this problem.
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
