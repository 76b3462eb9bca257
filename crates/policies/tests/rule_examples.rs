//! Every rule is documented, its examples run, and every rule can become a
//! finding.
//!
//! Each rule's `fires` and `passes` examples (see `agentops_core::example`)
//! are replayed through every registered policy in an in-memory world
//! (project `/p`, home `/home/u`): `fires` must produce the rule as a
//! finding, `passes` must not. Rules whose situation cannot be written as
//! one example (state built over several calls, file ages, programs) have
//! trigger cases in `triggers/`. Together they must produce every rule id
//! `agentops rules` lists, and no answer may cite a rule id (`[ID]`) that
//! is not among its findings, so the audit log, `audit query --rule`,
//! replay and the dashboard see every rule that speaks.

mod support;
mod triggers;

use std::collections::BTreeSet;
use std::sync::Arc;

use agentops_core::example::{self, Example};
use agentops_core::{Context, Flags, MemoryWorld, Rule, RuntimeMode};
use regex::Regex;
use serde_json::Value;

pub use triggers::Trigger;

/// Changes to an example's world.
type Shape = fn(MemoryWorld) -> MemoryWorld;

/// The world an example runs in: its files and variables, a project and a
/// home directory.
fn world_for(ex: &Example, shape: fn(MemoryWorld) -> MemoryWorld) -> MemoryWorld {
    let mut world = MemoryWorld::new()
        .dir(example::PROJECT)
        .dir(example::HOME)
        .env("HOME", example::HOME);
    for (path, contents) in &ex.files {
        world = world.file(path, contents);
    }
    for (name, value) in &ex.env {
        world = world.env(name, value);
    }
    shape(world)
}

/// What the engine would put in the context, from the world.
fn context_for(ex: &Example, world: MemoryWorld) -> Context {
    use agentops_core::World;
    let flags = world
        .read(std::path::Path::new("/p/.agentops/flags.json"), 1 << 20)
        .map(|b| Flags::parse(&b))
        .unwrap_or_default();
    let mode = ex
        .env
        .iter()
        .find(|(k, _)| k == "AGENTOPS_MODE")
        .map(|(_, v)| v.as_str());
    Context {
        flags,
        runtime_mode: RuntimeMode::parse(mode).0,
        project_dir: example::PROJECT.into(),
        home: Some(example::HOME.into()),
        plugin_root: None,
        world: Arc::new(world),
        policy_flags: agentops_policies::policy_flags(),
    }
}

/// One run: every applicable, enabled policy, merged as the engine does.
struct Run {
    fired: BTreeSet<&'static str>,
    cited: BTreeSet<String>,
    output: Option<Value>,
}

fn run(text: &str, shape: fn(MemoryWorld) -> MemoryWorld) -> Option<Run> {
    let ex = example::parse(text)?;
    let ctx = context_for(&ex, world_for(&ex, shape));
    let answer = support::answer(ex.event, &ex.input, &ctx);
    let output = answer.to_json(ex.event, false);
    let fired = answer.verdicts.iter().map(|v| v.finding.rule.id).collect();
    let cite = Regex::new(r"\[([A-Z]+[0-9]{3})\]").expect("pattern");
    let text = output.as_ref().map(Value::to_string).unwrap_or_default();
    let cited = cite
        .captures_iter(&text)
        .map(|c| c[1].to_string())
        .collect();
    Some(Run {
        fired,
        cited,
        output,
    })
}

fn rules() -> Vec<&'static Rule> {
    agentops_policies::all()
        .iter()
        .flat_map(|p| p.rules.iter().copied())
        .collect()
}

fn same(w: MemoryWorld) -> MemoryWorld {
    w
}

#[test]
fn every_rule_is_documented() {
    let undocumented: Vec<&str> = rules()
        .into_iter()
        .filter(|r| {
            r.why.trim().is_empty() || r.fires.trim().is_empty() || r.passes.trim().is_empty()
        })
        .map(|r| r.id)
        .collect();
    assert!(
        undocumented.is_empty(),
        "{} rules lack why/fires/passes: {undocumented:?}",
        undocumented.len()
    );
}

#[test]
fn executable_examples_fire_and_pass_as_documented() {
    let mut wrong = Vec::new();
    for rule in rules() {
        if let Some(r) = run(rule.fires, same) {
            if !r.fired.contains(rule.id) {
                wrong.push(format!(
                    "{}: fires example did not fire ({}), got {:?} {:?}",
                    rule.id, rule.fires, r.fired, r.output
                ));
            }
        }
        if let Some(r) = run(rule.passes, same) {
            if r.fired.contains(rule.id) {
                wrong.push(format!(
                    "{}: passes example fired ({})",
                    rule.id, rule.passes
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn trigger_cases_fire_their_rule() {
    let mut wrong = Vec::new();
    for t in triggers::all() {
        match run(t.example, t.world) {
            None => wrong.push(format!(
                "{}: not an executable example: {}",
                t.rule, t.example
            )),
            Some(r) if !r.fired.contains(t.rule) => wrong.push(format!(
                "{}: trigger did not fire ({}), got {:?} {:?}",
                t.rule, t.example, r.fired, r.output
            )),
            Some(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_rule_can_become_a_finding() {
    let mut produced = BTreeSet::new();
    for rule in rules() {
        for text in [rule.fires, rule.passes] {
            if let Some(r) = run(text, same) {
                produced.extend(r.fired);
            }
        }
    }
    for t in triggers::all() {
        if let Some(r) = run(t.example, t.world) {
            produced.extend(r.fired);
        }
    }
    let missing: Vec<&str> = rules()
        .into_iter()
        .map(|r| r.id)
        .filter(|id| !produced.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} rules are never produced as findings: {missing:?}",
        missing.len()
    );
}

#[test]
fn answers_cite_only_rules_among_their_findings() {
    let mut texts: Vec<(&str, Shape)> = Vec::new();
    for rule in rules() {
        texts.push((rule.fires, same));
        texts.push((rule.passes, same));
    }
    for t in triggers::all() {
        texts.push((t.example, t.world));
    }
    let mut wrong = Vec::new();
    for (text, shape) in texts {
        if let Some(r) = run(text, shape) {
            let stray: Vec<&String> = r
                .cited
                .iter()
                .filter(|id| !r.fired.contains(id.as_str()))
                .collect();
            if !stray.is_empty() {
                wrong.push(format!("{text}: cites {stray:?} but found {:?}", r.fired));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Gating rules reviewed to have no safe alternative to offer: the action
/// itself is the problem (a fork bomb, a reverse shell, an injection), the
/// decision is the user's alone, or the rule already names the fix.
const REVIEWED_WITHOUT_INSTEAD: &[&str] = &[
    "CMD003",  // fork bomb: no version of it is safe
    "CMD021",  // reverse or bind shell: no version of it is safe
    "EXF011",  // DNS lookup carrying command output: no version of it is safe
    "INJ001",  // injected instructions: the input itself is the problem
    "INJ002",  // injected instructions: the input itself is the problem
    "ELIC001", // an MCP server's injected request, declined for the user
    "ELIC002", // an MCP server's suspicious link, declined for the user
    "AUTO002", // the ask is the review of a command nobody described
    "MODE002", // the runtime mode asks on purpose; the user answers
    "MODE003", // the runtime mode asks on purpose; the user answers
];

#[test]
fn every_gating_rule_says_what_to_do_instead_or_is_reviewed() {
    let missing: Vec<&str> = rules()
        .into_iter()
        .filter(|r| r.gates() && r.instead.trim().is_empty())
        .map(|r| r.id)
        .filter(|id| !REVIEWED_WITHOUT_INSTEAD.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "gating rules without `instead` and not on the reviewed list: {missing:?}"
    );
    let stale: Vec<&str> = REVIEWED_WITHOUT_INSTEAD
        .iter()
        .copied()
        .filter(|id| {
            !rules()
                .iter()
                .any(|r| r.id == *id && r.gates() && r.instead.trim().is_empty())
        })
        .collect();
    assert!(
        stale.is_empty(),
        "on the reviewed list but not a gating rule without `instead`: {stale:?}"
    );
    let multi_line: Vec<&str> = rules()
        .into_iter()
        .filter(|r| r.instead.contains('\n'))
        .map(|r| r.id)
        .collect();
    assert!(
        multi_line.is_empty(),
        "`instead` must be one line: {multi_line:?}"
    );
}
