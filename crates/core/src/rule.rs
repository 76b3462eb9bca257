//! Rules: the unit of policy. Every rule has a stable id users can grep for,
//! a severity that decides how it is enforced, and a one-line reason.

use std::fmt;

/// How a rule is enforced when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Guidance for the model (a nudge, a preamble, a reminder): the
    /// finding's text goes into the model's context; never gates anything.
    Guide,
    /// Tell the user; never gates anything.
    Warn,
    /// Answer `allow`, so the client skips its permission prompt; any rule
    /// that asks or denies wins over it. Only the permission autopilot
    /// uses it, for commands whose every effect is known to be harmless.
    Approve,
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
    /// Lowercase name (`soft`), as listings and records show it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Guide => "guide",
            Severity::Warn => "warn",
            Severity::Approve => "approve",
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

/// The policy name of custom rules (`.agentops/rules.toml`): their
/// findings carry it, and audit records add the rule's origin for it.
pub const CUSTOM_RULES_POLICY: &str = "custom-rules";

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
    /// How the rule is enforced when it fires.
    pub severity: Severity,
    /// One line a user understands, shown in every verdict.
    pub reason: &'static str,
    /// Why it matters: the risk or the habit the rule is about, a few
    /// sentences for `agentops rules <ID>` and the generated docs.
    pub why: &'static str,
    /// An example that fires the rule. Executable examples use the form
    /// `Event Tool: payload` (see `agentops_core::example`); others describe
    /// the situation in prose.
    pub fires: &'static str,
    /// A close example that does not fire (false positives are bugs).
    pub passes: &'static str,
    /// What the agent can do instead when the rule gates a call, one short
    /// line (`git push --force-with-lease`, `ask the user to run it
    /// themselves`); empty when there is no safe way. Ends the reason of
    /// every ask and deny (` — instead: …`) so the agent can continue.
    pub instead: &'static str,
}

impl Rule {
    /// The same rule with what to do instead (for `static` rules built by
    /// a helper function: `rule(...).with_instead("...")`).
    pub const fn with_instead(self, instead: &'static str) -> Rule {
        Rule { instead, ..self }
    }

    /// Whether the rule gates a tool call when it fires (ask or deny in
    /// some mode), as opposed to guidance, notes and approvals.
    pub fn gates(&self) -> bool {
        matches!(
            self.severity,
            Severity::Ask | Severity::Soft | Severity::Confirm | Severity::Deny | Severity::Hard
        )
    }

    /// Whether the rule only informs (never gates a tool call).
    pub fn is_guidance(&self) -> bool {
        matches!(self.severity, Severity::Guide | Severity::Warn)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.id, self.reason)
    }
}
