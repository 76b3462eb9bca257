//! The policy trait. A policy is named after the upstream hook it replaces,
//! listens to some events and tools, and owns a set of rules.

use crate::context::Context;
use crate::event::HookEvent;
use crate::flags::{FlagKind, Flags};
use crate::input::HookInput;
use crate::outcome::Outcome;
use crate::rule::Rule;
use crate::tool::Tool;

pub trait Policy: Sync {
    /// The upstream hook name, e.g. `validate-command`; `--only` uses it.
    fn name(&self) -> &'static str;

    /// One line on what the policy guards.
    fn summary(&self) -> &'static str;

    /// Events the policy answers.
    fn events(&self) -> &'static [HookEvent];

    /// Whether the policy cares about this tool (the hook matcher). Events
    /// without a tool always match.
    fn matches_tool(&self, _tool: &Tool) -> bool {
        true
    }

    /// The flag that switches the policy, and how its value is read.
    fn flag(&self) -> Option<(&'static str, FlagKind)> {
        None
    }

    /// Every rule the policy can report, for `agentops rules`.
    fn rules(&self) -> &'static [&'static Rule] {
        &[]
    }

    /// Decide. Pure: input and context in, outcome out.
    fn evaluate(&self, event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome;

    fn enabled(&self, flags: &Flags) -> bool {
        self.flag()
            .is_none_or(|(name, kind)| flags.enabled(name, kind))
    }

    /// Whether this policy should run for the event and payload.
    fn applies(&self, event: HookEvent, input: &HookInput) -> bool {
        self.events().contains(&event) && input.tool().is_none_or(|t| self.matches_tool(&t))
    }
}
