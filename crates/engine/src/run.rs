//! One hook run: payload in, answer out.

use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};

use agentops_core::output::Verdict;
use agentops_core::{
    Context, Decision, Effect, Finding, HookAnswer, HookEvent, HookInput, Outcome, Policy,
};
use agentops_state::{replace_atomically, StateDir};
use serde_json::Value;

use crate::environment::Environment;
use crate::failure::{InputProblem, MAX_INPUT_BYTES, POLICY_PANIC};

/// Which policies a run uses.
#[derive(Clone, Copy)]
pub enum Selection {
    /// Every registered policy that applies to the event and is enabled.
    All,
    /// Only this one (`--only <name>`), still subject to its flag.
    Only(&'static Policy),
}

/// Everything a run produced, for printing, replay and tests.
pub struct HookRun {
    /// The event that was answered.
    pub event: HookEvent,
    /// The payload, when it could be parsed.
    pub input: Option<HookInput>,
    /// The merged answer, with every verdict and effect.
    pub answer: HookAnswer,
    /// The JSON object to print, if any.
    pub output: Option<Value>,
}

/// Read stdin up to the size limit. Reading one byte past the limit tells
/// an oversized payload from one that is exactly at it.
pub fn read_input(reader: impl Read) -> Result<Vec<u8>, InputProblem> {
    let mut buf = Vec::new();
    reader
        .take(MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| InputProblem::ReadFailed(e.to_string()))?;
    if buf.len() > MAX_INPUT_BYTES {
        return Err(InputProblem::TooLarge);
    }
    Ok(buf)
}

fn parse_input(event: HookEvent, bytes: &[u8]) -> Result<HookInput, InputProblem> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(InputProblem::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| InputProblem::NotUtf8 {
        valid_up_to: e.valid_up_to(),
    })?;
    if text.trim().is_empty() {
        // Only lifecycle events may arrive without a payload.
        return if event.is_gate() {
            Err(InputProblem::Empty)
        } else {
            Ok(HookInput::default())
        };
    }
    let input: HookInput =
        serde_json::from_str(text).map_err(|e| InputProblem::NotJson(e.to_string()))?;
    match input.missing_required(event) {
        Some(field) => Err(InputProblem::MissingField(field)),
        None => Ok(input),
    }
}

/// Run one hook event on a raw payload (or the error reading it).
pub fn run_hook(
    event: HookEvent,
    selection: Selection,
    raw: Result<Vec<u8>, InputProblem>,
    env: &Environment,
) -> HookRun {
    let input = match raw.and_then(|bytes| parse_input(event, &bytes)) {
        Ok(input) => input,
        Err(problem) => {
            let mut run = refuse(event, problem);
            if !env.dry_run && matches!(selection, Selection::All) {
                let (ctx, _) = env.context(None);
                let failures = crate::observe::after_refusal(event, &run.answer, &ctx);
                run.answer.messages.extend(failures);
            }
            return run;
        }
    };
    let (ctx, notes) = env.context(Some(&input));

    let mut outcomes: Vec<(&'static str, Outcome)> = Vec::new();
    let mut crashed: Vec<(&'static str, String)> = Vec::new();
    let candidates: &[&'static Policy] = match &selection {
        Selection::All => agentops_policies::all(),
        Selection::Only(p) => std::slice::from_ref(p),
    };
    // A skill's shell command is judged as a Bash call, by the command
    // guards only: workflow nudges are about the agent's own tool calls.
    let judged_as = event.judged_as();
    let guards_only = judged_as != event;
    for policy in candidates {
        if !policy.applies(judged_as, &input) || !policy.enabled(&ctx.flags) {
            continue;
        }
        if guards_only
            && !agentops_policies::skill_command_guards()
                .iter()
                .any(|g| g.name == policy.name)
        {
            continue;
        }
        let inject_panic = env.fault_panic_policy.as_deref() == Some(policy.name);
        let evaluate = || {
            if inject_panic {
                panic!("fault injected by AGENTOPS_FAULT");
            }
            policy.evaluate(judged_as, &input, &ctx)
        };
        match catch_unwind(AssertUnwindSafe(evaluate)) {
            Ok(outcome) => outcomes.push((policy.name, outcome)),
            Err(payload) => crashed.push((policy.name, panic_message(payload.as_ref()))),
        }
    }

    if !env.dry_run {
        claim_once(&mut outcomes, &ctx);
    }
    // Recorded runs (not `agentops check`, not `--only`) may claim an
    // allow-once grant and get a decision id.
    let recorded = !env.dry_run && matches!(selection, Selection::All);
    let now = agentops_records::clock::Instant::now();
    let overrides = if event.is_gate() {
        let secs = u64::try_from(now.secs()).unwrap_or(0);
        crate::overrides::apply(&mut outcomes, &input, &ctx, recorded, secs)
    } else {
        crate::overrides::Overrides::default()
    };
    let allowed_once_by = overrides.allowed_once_by.clone();
    let mut answer = HookAnswer::merge(outcomes, &input, &ctx);
    let exception_checks = overrides.into_answer(&mut answer);
    for (policy, message) in crashed {
        let subject = format!("{policy}: {message}");
        if event.is_gate() {
            answer.decision = Decision::HardDeny;
            answer.reasons.insert(
                0,
                Finding::with_subject(&POLICY_PANIC, subject.clone()).describe(),
            );
        } else {
            answer
                .messages
                .push(format!("agentops: policy {subject} failed and was skipped"));
        }
        answer.verdicts.push(Verdict {
            policy,
            finding: Finding::with_subject(&POLICY_PANIC, subject),
            decision: event.is_gate().then_some(Decision::HardDeny),
        });
    }
    for note in notes.into_iter().rev() {
        answer.messages.insert(0, format!("agentops: {note}"));
    }
    let mut audit_extra = serde_json::Map::new();
    if recorded && event.is_gate() {
        let gated = answer.decision >= Decision::Ask;
        if gated || allowed_once_by.is_some() {
            let hash = crate::overrides::input_hash(&input, &ctx.project_dir);
            if gated && agentops_records::audit::enabled(&ctx) {
                let id = crate::overrides::decision_id(&input, &hash, now.nanos());
                let line = crate::overrides::decision_line(&id, answer.decision);
                if let Some(last) = answer.reasons.last_mut() {
                    last.push('\n');
                    last.push_str(&line);
                }
                audit_extra.insert("decision_id".into(), Value::String(id));
            }
            audit_extra.insert("input_hash".into(), Value::String(hash));
        }
        if let Some(id) = allowed_once_by {
            audit_extra.insert("allowed_once_by".into(), Value::String(id));
        }
        if !exception_checks.is_empty() {
            audit_extra.insert("exceptions".into(), Value::Array(exception_checks));
        }
    }
    if recorded {
        let before = answer.effects.len();
        crate::observe::after_merge(event, &input, &mut answer, &ctx);
        crate::observe::annotate_audit(&mut answer.effects[before..], audit_extra);
    }
    crate::observe::stamp_session(&mut answer.effects, input.session_id.as_deref());
    let failures = if env.dry_run {
        Vec::new()
    } else {
        perform_effects(&answer.effects, &ctx)
    };
    answer
        .messages
        .extend(failures.into_iter().map(|f| format!("agentops: {f}")));

    let output = answer.to_json(event, input.stop_hook_active.unwrap_or(false));
    HookRun {
        event,
        input: Some(input),
        answer,
        output,
    }
}

/// Create each "once" marker (create-new, under the state file's lock) and
/// silence the outcomes whose marker another process created first. A
/// marker that cannot be written leaves the outcome as it is: a nudge too
/// many is better than none.
fn claim_once(outcomes: &mut [(&'static str, Outcome)], ctx: &Context) {
    let state = StateDir::new(&ctx.project_dir);
    for (_, outcome) in outcomes.iter_mut() {
        let Some((marker, contents)) = outcome.once.take() else {
            continue;
        };
        if let Ok(false) = state.create(marker, &contents) {
            outcome.findings.clear();
            outcome.context.clear();
            outcome.messages.clear();
        }
    }
}

/// The answer when the payload itself is unusable.
fn refuse(event: HookEvent, problem: InputProblem) -> HookRun {
    let finding = match problem.detail() {
        Some(d) => Finding::with_subject(problem.rule(), d),
        None => Finding::new(problem.rule()),
    };
    let mut answer = if event.is_gate() {
        HookAnswer::fail_closed(problem.to_string())
    } else {
        HookAnswer {
            messages: vec![format!("agentops: {problem}; no policy ran")],
            ..HookAnswer::default()
        }
    };
    answer.verdicts.push(Verdict {
        policy: "engine",
        finding,
        decision: event.is_gate().then_some(Decision::HardDeny),
    });
    let output = answer.to_json(event, false);
    HookRun {
        event,
        input: None,
        answer,
        output,
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}

/// Largest line-set state file (e.g. the modified-files tracker) updated.
const MAX_STATE_SET_BYTES: u64 = 4 << 20;

/// Carry out policy effects; return one line per failure. A failed effect
/// never changes the decision already taken. The CLI uses it too, for
/// commands that apply a policy's effects by hand (`agentops todo prune`).
pub fn perform_effects(effects: &[Effect], ctx: &Context) -> Vec<String> {
    let state = StateDir::new(&ctx.project_dir);
    let mut failures = Vec::new();
    for effect in effects {
        let result = match effect {
            Effect::AppendRecord { log, record } => crate::observe::append(&state, log, record)
                .map_err(|e| format!("could not append to .agentops/{log}: {e}")),
            Effect::AppendRedactedRecord { log, record } => {
                crate::observe::append_redacted(&state, log, record)
                    .map_err(|e| format!("could not append to .agentops/{log}: {e}"))
            }
            Effect::ReplaceFile { path, contents } => replace_atomically(path, contents)
                .map_err(|e| format!("could not rewrite {}: {e}", path.display())),
            Effect::AddToCounter { name, delta } => state
                .add_to_counter(name, *delta)
                .map(drop)
                .map_err(|e| format!("could not update .agentops/{name}: {e}")),
            Effect::WriteState { name, contents } => state
                .write(name, contents)
                .map_err(|e| format!("could not write .agentops/{name}: {e}")),
            Effect::CreateState { name, contents } => state
                .create(name, contents)
                .map(drop)
                .map_err(|e| format!("could not create .agentops/{name}: {e}")),
            Effect::RemoveState { name } => state
                .remove(name)
                .map(drop)
                .map_err(|e| format!("could not remove .agentops/{name}: {e}")),
            Effect::InsertStateLine { name, line } => state
                .insert_line(name, line, MAX_STATE_SET_BYTES)
                .map(drop)
                .map_err(|e| format!("could not update .agentops/{name}: {e}")),
            Effect::CreateFile { path, contents } => agentops_state::create_file(path, contents)
                .map(drop)
                .map_err(|e| format!("could not create {}: {e}", path.display())),
            Effect::MoveFile { from, to } => agentops_state::move_file(from, to)
                .map_err(|e| format!("could not move {}: {e}", from.display())),
            // Rendered into the answer (`watchPaths`); nothing to do here.
            Effect::WatchPath { .. } => Ok(()),
            Effect::RunInBackground { args } => agentops_state::spawn_detached(args).map_err(|e| {
                let args: Vec<_> = args.iter().map(|a| a.to_string_lossy()).collect();
                format!("could not start agentops {}: {e}", args.join(" "))
            }),
        };
        if let Err(e) = result {
            failures.push(e);
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(event: HookEvent, bytes: &[u8]) -> HookRun {
        let tmp = tempfile::tempdir().expect("tempdir");
        let env = Environment {
            project_dir: Some(tmp.path().to_path_buf()),
            ..Environment::default()
        };
        run_hook(event, Selection::All, Ok(bytes.to_vec()), &env)
    }

    fn reason(run: &HookRun) -> String {
        run.output.as_ref().expect("output")["hookSpecificOutput"]["permissionDecisionReason"]
            .as_str()
            .expect("reason")
            .to_string()
    }

    #[test]
    fn gate_events_refuse_unusable_payloads() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "INPUT001"),
            (b"  \n", "INPUT001"),
            (
                b"{\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"\xff\"}}",
                "INPUT002",
            ),
            (b"{not json", "INPUT004"),
            (b"[1,2,3]", "INPUT004"),
            (b"null", "INPUT004"),
            (b"{\"tool_input\":{}}", "INPUT005"),
            (b"{\"tool_name\":\"Bash\"}", "INPUT005"),
            (
                b"{\"tool_name\":\"Bash\",\"tool_input\":\"rm -rf /\"}",
                "INPUT005",
            ),
        ];
        for event in [HookEvent::PreToolUse, HookEvent::PermissionRequest] {
            for (bytes, id) in cases {
                let r = run(event, bytes);
                assert_eq!(r.answer.decision, Decision::HardDeny, "{event} {bytes:?}");
                let out = r.output.as_ref().expect("output").to_string();
                assert!(out.contains(id), "{event} {bytes:?}: {out}");
                assert!(out.contains("deny"), "{out}");
            }
        }
    }

    #[test]
    fn an_unreadable_stdin_is_refused_with_its_rule() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let env = Environment {
            project_dir: Some(tmp.path().to_path_buf()),
            ..Environment::default()
        };
        let r = run_hook(
            HookEvent::PreToolUse,
            Selection::All,
            Err(InputProblem::ReadFailed("broken pipe".into())),
            &env,
        );
        assert_eq!(r.answer.decision, Decision::HardDeny);
        assert!(reason(&r).contains("INPUT006"), "{}", reason(&r));
        assert!(r
            .answer
            .verdicts
            .iter()
            .any(|v| v.finding.rule.id == "INPUT006"));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!(
            "{{\"tool_name\":\"Bash\",\"tool_input\":{}1{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let r = run(HookEvent::PreToolUse, deep.as_bytes());
        assert!(reason(&r).contains("INPUT004"));
    }

    #[test]
    fn oversized_input_is_refused_when_read() {
        let big = vec![b' '; MAX_INPUT_BYTES + 1];
        assert_eq!(read_input(&big[..]), Err(InputProblem::TooLarge));
        let at_limit = vec![b' '; MAX_INPUT_BYTES];
        assert!(read_input(&at_limit[..]).is_ok());
    }

    #[test]
    fn lifecycle_events_tolerate_empty_input_but_report_garbage() {
        // No payload is no error (the workflow preambles may still speak).
        let empty = run(HookEvent::SessionStart, b"");
        assert!(
            !empty
                .output
                .as_ref()
                .is_some_and(|o| o.to_string().contains("INPUT0")),
            "{:?}",
            empty.output
        );
        let r = run(HookEvent::Stop, b"{oops");
        let out = r.output.expect("message");
        assert!(
            out.get("decision").is_none(),
            "a broken payload must not block a stop"
        );
        assert!(out["systemMessage"]
            .as_str()
            .is_some_and(|m| m.contains("INPUT004")));
    }

    fn panics(_: HookEvent, _: &HookInput, _: &Context) -> Outcome {
        panic!("boom")
    }

    static PANICKER: Policy = Policy {
        name: "panicker",
        summary: "always panics",
        events: &HookEvent::ALL,
        tools: agentops_core::ToolMatch::Any,
        flag: None,
        rules: &[],
        evaluate: panics,
    };

    #[test]
    fn a_panicking_policy_denies_gates_and_is_skipped_elsewhere() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let env = Environment {
            project_dir: Some(tmp.path().to_path_buf()),
            ..Environment::default()
        };
        let payload = br#"{"tool_name":"Bash","tool_input":{"command":"ls"}}"#.to_vec();
        let gate = run_hook(
            HookEvent::PreToolUse,
            Selection::Only(&PANICKER),
            Ok(payload.clone()),
            &env,
        );
        assert_eq!(gate.answer.decision, Decision::HardDeny);
        assert!(reason(&gate).contains("[ENGINE001]") && reason(&gate).contains("boom"));
        let post = run_hook(
            HookEvent::PostToolUse,
            Selection::Only(&PANICKER),
            Ok(payload),
            &env,
        );
        let msg = post.output.expect("note")["systemMessage"]
            .as_str()
            .expect("msg")
            .to_string();
        assert!(msg.contains("panicker") && msg.contains("skipped"), "{msg}");
    }
}
