//! Rules: the unit of policy. Every rule has a stable id users can grep for,
//! a severity that decides how it is enforced, and a one-line reason.

use std::fmt;

/// How a rule is enforced when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Tell the user or the agent; never gates anything.
    Warn,
    /// Ask the user, whatever the enforcement mode; an advisory note only in
    /// unrestricted or bypass mode.
    Ask,
    /// Gate the action according to the enforcement mode: `ask` in advisory
    /// mode, `deny` in blocking mode, an advisory note only in unrestricted or
    /// bypass mode.
    Soft,
    /// Ask the user in every mode, bypass and unrestricted included: for
    /// actions that would switch agentops' own guards off, where an
    /// advisory note would let the agent disable them silently.
    Confirm,
    /// Deny, whatever the enforcement mode; an advisory note only in
    /// unrestricted or bypass mode.
    Deny,
    /// Deny, in every mode. Reserved for actions nobody should take through an
    /// agent (wiping a disk, disabling the guards).
    Hard,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warn => "warn",
            Severity::Ask => "ask",
            Severity::Soft => "soft",
            Severity::Confirm => "confirm",
            Severity::Deny => "deny",
            Severity::Hard => "hard",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's static description. Rules are `static` items so findings can
/// point at them without allocating.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable identifier, e.g. `CMD001`. Never reused for another meaning.
    pub id: &'static str,
    /// Short kebab-case name, e.g. `recursive-delete-root`.
    pub name: &'static str,
    /// The policy (upstream hook name) that owns the rule.
    pub policy: &'static str,
    pub severity: Severity,
    /// One line a user understands, shown in every verdict.
    pub reason: &'static str,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.id, self.reason)
    }
}
