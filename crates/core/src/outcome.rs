//! What a policy returns: findings, notes, and side effects for the engine
//! to carry out. Policies never write files themselves.

use std::path::PathBuf;

use serde_json::Value;

use crate::rule::Rule;

/// One rule that fired, with what made it fire.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: &'static Rule,
    /// The part of the input that triggered the rule, e.g. the normalised
    /// sub-command `rm -r -f /`. Shown after the reason.
    pub subject: Option<String>,
    /// The full text shown instead of the rule's one-line reason, for
    /// guidance and notes whose wording depends on the situation (a nudge
    /// naming the files written, a lockfile summary).
    pub text: Option<String>,
}

impl Finding {
    pub fn new(rule: &'static Rule) -> Finding {
        Finding {
            rule,
            subject: None,
            text: None,
        }
    }

    /// A finding that speaks its own text: guidance for the model
    /// ([`Severity::Guide`](crate::Severity)) or a note for the user
    /// ([`Severity::Warn`](crate::Severity)).
    pub fn with_text(rule: &'static Rule, text: impl Into<String>) -> Finding {
        Finding {
            rule,
            subject: None,
            text: Some(text.into()),
        }
    }

    pub fn with_subject(rule: &'static Rule, subject: impl Into<String>) -> Finding {
        Finding {
            rule,
            subject: Some(subject.into()),
            text: None,
        }
    }

    /// `[ID] reason: subject` (or `[ID] text`), the form every answer and
    /// log uses.
    pub fn describe(&self) -> String {
        if let Some(text) = &self.text {
            return format!("[{}] {}", self.rule.id, text);
        }
        match &self.subject {
            Some(s) => format!("[{}] {}: {}", self.rule.id, self.rule.reason, s),
            None => format!("[{}] {}", self.rule.id, self.rule.reason),
        }
    }
}

/// A side effect a policy asks for. The engine performs effects after all
/// policies ran, under the state directory's locking rules.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Append one JSON record as a line to a log under `.agentops/`.
    AppendRecord { log: &'static str, record: Value },
    /// Replace a file's contents atomically, keeping its permissions.
    ReplaceFile { path: PathBuf, contents: Vec<u8> },
    /// Add `delta` to an integer counter file under `.agentops/` (locked
    /// read-modify-write, so parallel hooks never lose a count).
    AddToCounter { name: &'static str, delta: i64 },
    /// Replace a state file under `.agentops/` atomically, under its lock.
    WriteState {
        name: &'static str,
        contents: Vec<u8>,
    },
    /// Create a state file under `.agentops/` unless it already exists.
    CreateState {
        name: &'static str,
        contents: Vec<u8>,
    },
    /// Remove a state file under `.agentops/`; a missing file is fine.
    RemoveState { name: &'static str },
    /// Add one line to a line-set file under `.agentops/` unless the file
    /// already holds that exact line.
    InsertStateLine { name: &'static str, line: String },
    /// Create a file outside `.agentops/` unless it exists (never overwrites).
    CreateFile { path: PathBuf, contents: Vec<u8> },
    /// Move a file, creating the destination's directory; never overwrites
    /// an existing destination.
    MoveFile { from: PathBuf, to: PathBuf },
}

/// A policy's answer to one hook event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// Text for the model (`additionalContext`).
    pub context: Vec<String>,
    /// Text for the user (`systemMessage`).
    pub messages: Vec<String>,
    pub effects: Vec<Effect>,
}

impl Outcome {
    pub fn none() -> Outcome {
        Outcome::default()
    }

    pub fn finding(rule: &'static Rule) -> Outcome {
        Outcome {
            findings: vec![Finding::new(rule)],
            ..Outcome::default()
        }
    }

    /// An outcome with one finding that speaks its own text (guidance or a
    /// note, see [`Finding::with_text`]).
    pub fn says(rule: &'static Rule, text: impl Into<String>) -> Outcome {
        Outcome {
            findings: vec![Finding::with_text(rule, text)],
            ..Outcome::default()
        }
    }

    /// Add a finding that speaks its own text.
    pub fn say(&mut self, rule: &'static Rule, text: impl Into<String>) {
        self.findings.push(Finding::with_text(rule, text));
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
            && self.context.is_empty()
            && self.messages.is_empty()
            && self.effects.is_empty()
    }
}
