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

/// The project the corpus-style tests run in: `/p` with a plan (so
/// star-gate's guidance stays out of the way), home `/home/u`.
// Each test binary includes this module and uses only some of it.
#[allow(dead_code)]
pub fn project() -> agentops_core::MemoryWorld {
    agentops_core::MemoryWorld::new()
        .dir("/p")
        .dir("/home/u")
        .env("HOME", "/home/u")
        .file("/p/tasks/todo.md", "- [ ] the task\n")
}

/// A PreToolUse payload for `tool` with `tool_input`, in `/p`.
// Each test binary includes this module and uses only some of it.
#[allow(dead_code)]
pub fn pre_tool_use(session: &str, tool: &str, tool_input: serde_json::Value) -> HookInput {
    HookInput {
        session_id: Some(session.into()),
        cwd: Some("/p".into()),
        permission_mode: Some("default".into()),
        hook_event_name: Some("PreToolUse".into()),
        tool_name: Some(tool.into()),
        tool_input: Some(tool_input),
        ..HookInput::default()
    }
}

/// The context the engine would build for `world` as the project `/p`,
/// with `flags` and the registry's policy flags.
// Each test binary includes this module and uses only some of it.
#[allow(dead_code)]
pub fn in_project(world: agentops_core::MemoryWorld, flags: agentops_core::Flags) -> Context {
    Context {
        flags,
        project_dir: "/p".into(),
        home: Some("/home/u".into()),
        world: std::sync::Arc::new(world),
        policy_flags: agentops_policies::policy_flags(),
        ..Context::default()
    }
}
