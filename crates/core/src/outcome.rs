//! What a policy returns: findings, notes, and side effects for the engine
//! to carry out. Policies never write files themselves.

use std::path::PathBuf;

use serde_json::Value;

use crate::rule::Rule;

/// What joins a gating finding's description and its alternative.
pub const INSTEAD_SEPARATOR: &str = " — instead: ";

/// One rule that fired, with what made it fire.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The rule that fired; its severity decides how the finding is enforced.
    pub rule: &'static Rule,
    /// The part of the input that triggered the rule, e.g. the normalised
    /// sub-command `rm -r -f /`. Shown after the reason.
    pub subject: Option<String>,
    /// The full text shown instead of the rule's one-line reason, for
    /// guidance and notes whose wording depends on the situation (a nudge
    /// naming the files written, a lockfile summary).
    pub text: Option<String>,
    /// What to do instead for this very call (`git push --force-with-lease
    /// origin main` for the command seen), in place of the rule's general
    /// [`Rule::instead`].
    pub instead: Option<String>,
}

impl Finding {
    /// A finding with neither subject nor text: the rule's reason says it all.
    pub fn new(rule: &'static Rule) -> Finding {
        Finding {
            rule,
            subject: None,
            text: None,
            instead: None,
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
            instead: None,
        }
    }

    /// A finding that names what triggered it: `[ID] reason: subject`.
    pub fn with_subject(rule: &'static Rule, subject: impl Into<String>) -> Finding {
        Finding {
            rule,
            subject: Some(subject.into()),
            text: None,
            instead: None,
        }
    }

    /// The same finding with a situation-specific alternative.
    pub fn instead(mut self, instead: impl Into<String>) -> Finding {
        self.instead = Some(instead.into());
        self
    }

    /// What to do instead: the finding's own alternative, else the rule's;
    /// `None` when neither says.
    pub fn alternative(&self) -> Option<&str> {
        match self.instead.as_deref() {
            Some(s) if !s.is_empty() => Some(s),
            _ => Some(self.rule.instead).filter(|s| !s.is_empty()),
        }
    }

    /// [`Finding::describe`] for a finding that gates the call: the
    /// alternative, when there is one, ends the line (`[CMD029] … —
    /// instead: git push --force-with-lease origin main`).
    pub fn describe_gating(&self) -> String {
        match self.alternative() {
            Some(alt) => format!("{}{INSTEAD_SEPARATOR}{alt}", self.describe()),
            None => self.describe(),
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
    /// Append one JSON record as a line to a log under `.agentops/`: `log`
    /// is the file name (`audit.jsonl`), `record` the JSON object. Records
    /// for the hash-chained audit log are redacted and linked on the way in.
    #[allow(missing_docs)] // the fields are described above
    AppendRecord { log: &'static str, record: Value },
    /// [`Effect::AppendRecord`] for a record whose maker redacted every
    /// field it put in (the engine's own audit record): a chained log takes
    /// it without the second redaction pass, which on a multi-KB tool input
    /// costs as much as the first.
    #[allow(missing_docs)] // the fields are those of `AppendRecord`
    AppendRedactedRecord { log: &'static str, record: Value },
    /// Replace the file at `path` with `contents` atomically, keeping its
    /// permissions. `path` is used as given, not joined to the project, so
    /// it should be absolute.
    #[allow(missing_docs)] // the fields are described above
    ReplaceFile { path: PathBuf, contents: Vec<u8> },
    /// Add `delta` to the integer counter file `name` under `.agentops/`
    /// (locked read-modify-write, so parallel hooks never lose a count). A
    /// missing or unreadable counter counts from zero.
    #[allow(missing_docs)] // the fields are described above
    AddToCounter { name: &'static str, delta: i64 },
    /// Replace a state file under `.agentops/` atomically, under its lock.
    WriteState {
        /// Plain file name under `.agentops/`; a name with a path separator is
        /// refused, so the effect fails.
        name: &'static str,
        /// The new contents, whole.
        contents: Vec<u8>,
    },
    /// Create a state file under `.agentops/` unless it already exists.
    CreateState {
        /// Plain file name under `.agentops/`, as for `WriteState`.
        name: &'static str,
        /// The contents, written only when the file is new.
        contents: Vec<u8>,
    },
    /// Remove the state file `name` under `.agentops/`; a missing file is
    /// fine.
    #[allow(missing_docs)] // the fields are described above
    RemoveState { name: &'static str },
    /// Add `line` to the line-set file `name` under `.agentops/` unless the
    /// file already holds that exact line.
    #[allow(missing_docs)] // the fields are described above
    InsertStateLine { name: &'static str, line: String },
    /// Create the file at `path` (outside `.agentops/`) with `contents`
    /// unless it exists (never overwrites). `path` is used as given.
    #[allow(missing_docs)] // the fields are described above
    CreateFile { path: PathBuf, contents: Vec<u8> },
    /// Move the file `from` to `to`, creating `to`'s directory; never
    /// overwrites an existing destination.
    #[allow(missing_docs)] // the fields are described above
    MoveFile { from: PathBuf, to: PathBuf },
    /// Have the client watch this absolute path for the rest of the
    /// session (`watchPaths` on SessionStart, CwdChanged and FileChanged):
    /// FileChanged then fires when it changes. Part of the answer, not
    /// performed by the engine.
    #[allow(missing_docs)] // the field is described above
    WatchPath { path: PathBuf },
    /// Start `agentops <args>` in the background: its own process group,
    /// standard streams on `/dev/null`, not waited for. Work that would
    /// make the hook wait (a scan of the whole project) runs there, and a
    /// later hook reports what it found. Skipped on a dry run.
    #[allow(missing_docs)] // the field is described above
    RunInBackground { args: Vec<std::ffi::OsString> },
}

/// A policy's answer to one hook event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Rules that fired; the merge turns them into the decision, reasons,
    /// guidance and notes.
    pub findings: Vec<Finding>,
    /// Text for the model (`additionalContext`).
    pub context: Vec<String>,
    /// Text for the user (`systemMessage`).
    pub messages: Vec<String>,
    /// Side effects for the engine to perform after the merge; skipped on a
    /// dry run (`agentops check`).
    pub effects: Vec<Effect>,
    /// Say this outcome's findings, context and messages only once: the
    /// engine creates this marker under `.agentops/` (with these contents)
    /// before the merge, and drops what the outcome says when another hook
    /// process created it first. Parallel hooks that all saw no marker then
    /// still give one nudge, not one each.
    pub once: Option<(&'static str, Vec<u8>)>,
}

impl Outcome {
    /// Nothing to say or do.
    pub fn none() -> Outcome {
        Outcome::default()
    }

    /// An outcome with one bare finding (see [`Finding::new`]).
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

    /// Whether the outcome has no finding, text or effect.
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
            && self.context.is_empty()
            && self.messages.is_empty()
            && self.effects.is_empty()
    }
}
