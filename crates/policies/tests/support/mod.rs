//! What the integration tests of the policies share: every registered
//! policy run on one payload and merged, as the engine does (without its
//! panic containment, effects and records, which the engine's own tests
//! cover).

use agentops_core::{Context, HookAnswer, HookEvent, HookInput};

/// The merged answer of every applicable, enabled policy.
pub fn answer(event: HookEvent, input: &HookInput, ctx: &Context) -> HookAnswer {
    let outcomes = agentops_policies::all()
        .iter()
        .filter(|p| p.applies(event, input) && p.enabled(&ctx.flags))
        .map(|p| (p.name, p.evaluate(event, input, ctx)))
        .collect();
    HookAnswer::merge(outcomes, input, ctx)
}
