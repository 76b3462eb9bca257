//! `agentops hook [--agent <agent>] <Event> [--only <policy>]`.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use agentops_agents::{self as agents, Agent, AskFallback, Reply, Translation};
use agentops_core::HookEvent;
use agentops_engine::{read_input, run_hook, Environment, Selection};
use serde_json::Value;

#[derive(clap::Args)]
pub struct Args {
    /// The hook event, as Claude Code names it (PreToolUse, Stop, ...).
    /// Without it, the payload's `hook_event_name` decides.
    pub event: Option<String>,
    /// Run only this policy, named as the upstream hook (validate-command, ...).
    #[arg(long)]
    pub only: Option<String>,
    /// Whose hook protocol the payload and the answer use: claude (the
    /// default), codex, gemini, copilot, cursor, or auto (detected from the
    /// payload and the environment).
    #[arg(long)]
    pub agent: Option<String>,
}

/// Fast path used by `main` before the full parser is built.
pub fn main(rest: &[OsString]) -> ExitCode {
    let mut event = None;
    let mut only = None;
    let mut agent = None;
    let mut iter = rest.iter();
    while let Some(arg) = iter.next() {
        let Some(arg) = arg.to_str() else {
            return usage("arguments must be valid UTF-8");
        };
        if arg == "--only" {
            match iter.next().and_then(|v| v.to_str()) {
                Some(v) => only = Some(v.to_string()),
                None => return usage("--only needs a policy name"),
            }
        } else if let Some(v) = arg.strip_prefix("--only=") {
            only = Some(v.to_string());
        } else if arg == "--agent" {
            match iter.next().and_then(|v| v.to_str()) {
                Some(v) => agent = Some(v.to_string()),
                None => return usage("--agent needs an agent name"),
            }
        } else if let Some(v) = arg.strip_prefix("--agent=") {
            agent = Some(v.to_string());
        } else if event.is_none() && !arg.starts_with('-') {
            event = Some(arg.to_string());
        } else {
            return usage(&format!("unexpected argument `{arg}`"));
        }
    }
    run(&Args { event, only, agent })
}

/// Run bare, with a payload piped in: a hook runner that dropped the
/// arguments (Codex and Copilot run a Claude plugin's `command` without
/// its `args`). Whose payload it is, is detected.
pub fn bare() -> ExitCode {
    run(&Args {
        event: None,
        only: None,
        agent: Some("auto".into()),
    })
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("agentops hook: {problem}\nusage: agentops hook [--agent <agent>] <Event> [--only <policy>]");
    ExitCode::from(2)
}

/// The event a payload names, for runs without an explicit event: `Err`
/// with the name when agentops does not know it. A payload that names
/// none is treated as a gate so it fails closed.
fn event_from_payload(
    raw: &Result<Vec<u8>, agentops_engine::InputProblem>,
) -> Result<HookEvent, String> {
    let named = raw
        .as_ref()
        .ok()
        .and_then(|bytes| serde_json::from_slice::<agentops_core::HookInput>(bytes).ok())
        .and_then(|input| input.event_name().map(str::to_string));
    match named {
        Some(name) => name.parse().map_err(|_| name),
        None => Ok(HookEvent::PreToolUse),
    }
}

/// An event from a newer client that agentops does not know: nothing to
/// answer. Exit 0 without output, so the client goes on as if agentops had
/// no hook there (exit 2 would block whatever the event guards).
fn unknown_event(name: &str) -> ExitCode {
    // A typo in hand-written wiring looks the same; point at the event
    // that differs by at most two letters.
    let close = HookEvent::ALL.iter().find(|e| {
        agentops_core::catalogue::edit_distance(
            &e.as_str().to_ascii_lowercase(),
            &name.to_ascii_lowercase(),
        ) <= 2
    });
    let hint = close.map_or(String::new(), |e| format!(" (did you mean `{e}`?)"));
    eprintln!("agentops hook: `{name}` is not an event this version knows; nothing to do{hint}");
    ExitCode::SUCCESS
}

pub fn run(args: &Args) -> ExitCode {
    let agent = match args.agent.as_deref() {
        None | Some("claude") => None,
        Some("auto") => Some(None),
        Some(name) => match name.parse::<Agent>() {
            Ok(a) => Some(Some(a)),
            Err(e) => return usage(&e),
        },
    };
    let Some(agent) = agent else {
        return run_claude(args, read_input(std::io::stdin().lock()));
    };
    let raw = read_input(std::io::stdin().lock());
    let payload: Option<Value> = raw
        .as_ref()
        .ok()
        .and_then(|bytes| serde_json::from_slice(bytes).ok());
    let agent = agent.unwrap_or_else(|| {
        let var = |name: &str| std::env::var(name).ok();
        payload
            .as_ref()
            .map_or(Agent::Claude, |p| agentops_agents::detect(p, &var))
    });
    if agent == Agent::Claude {
        return run_claude(args, raw);
    }
    run_agent(agent, args, raw, payload)
}

/// Another agent's hook: its payload into engine calls, the merged answer
/// into its own shape.
fn run_agent(
    agent: Agent,
    args: &Args,
    raw: Result<Vec<u8>, agentops_engine::InputProblem>,
    payload: Option<Value>,
) -> ExitCode {
    let native = args
        .event
        .clone()
        .or_else(|| {
            payload
                .as_ref()
                .and_then(|p| p.get("hook_event_name"))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .or_else(|| payload.as_ref().and_then(copilot_event_from_fields));
    let Some(native) = native else {
        // Nothing names the event: judged as a tool call, so a payload
        // nobody can read is refused rather than let through.
        return answer_agent(
            agent,
            agents::gate_event(agent),
            args,
            vec![(HookEvent::PreToolUse, raw)],
            false,
        );
    };
    let Some(event) = agents::event(agent, &native) else {
        return unknown_event(&native);
    };
    let calls: Vec<(HookEvent, Result<Vec<u8>, agentops_engine::InputProblem>)> = match &payload {
        // Unreadable bytes go to the engine as they are: a gate refuses
        // them with the engine's own reason.
        None => vec![(event, raw)],
        Some(p) => match agents::translate(agent, &native, p) {
            Translation::Nothing => return ExitCode::SUCCESS,
            Translation::Calls(calls) if calls.is_empty() => vec![(event, raw)],
            Translation::Calls(calls) => calls
                .into_iter()
                .map(|c| {
                    (
                        c.event,
                        serde_json::to_vec(&c.payload)
                            .map_err(|e| agentops_engine::InputProblem::ReadFailed(e.to_string())),
                    )
                })
                .collect(),
        },
    };
    let stop_hook_active = payload.as_ref().is_some_and(|p| {
        p.get("stop_hook_active").and_then(Value::as_bool) == Some(true)
            || p.get("loop_count").and_then(Value::as_u64).unwrap_or(0) > 0
    });
    answer_agent(agent, &native, args, calls, stop_hook_active)
}

fn answer_agent(
    agent: Agent,
    native: &str,
    args: &Args,
    calls: Vec<(HookEvent, Result<Vec<u8>, agentops_engine::InputProblem>)>,
    stop_hook_active: bool,
) -> ExitCode {
    let selection = match selection(args.only.as_deref(), true) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let env = Environment::from_process();
    let mut answers = Vec::new();
    let mut project = None;
    let mut last_event = None;
    for (event, bytes) in calls {
        last_event = Some(event);
        let run = run_hook(event, selection, bytes, &env);
        project.get_or_insert_with(|| env.project_dir(run.input.as_ref()));
        answers.push(run.answer);
    }
    if let (Some(event), Some(dir)) = (last_event, &project) {
        super::telemetry::after_hook(event, || dir.clone());
    }
    let reply = Reply::merge(&answers);
    // The flags file is read only when an ask needs resolving.
    let fallback = if reply.decision == agentops_core::Decision::Ask {
        let (flags, _) = agentops_engine::load_flags(&project.unwrap_or_default());
        AskFallback::parse(flags.get_string("agent_ask_fallback").as_deref())
    } else {
        AskFallback::Deny
    };
    let rendered = agents::render(agent, native, &reply, stop_hook_active, fallback);
    if let Some(out) = rendered.stdout {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{out}");
        let _ = stdout.flush();
    }
    ExitCode::from(rendered.exit)
}

/// Copilot's camelCase payloads do not name their event; what they carry
/// does.
fn copilot_event_from_fields(p: &Value) -> Option<String> {
    let has = |k: &str| p.get(k).is_some();
    let name = if has("toolResult") {
        "postToolUse"
    } else if has("error") && has("toolName") {
        "postToolUseFailure"
    } else if has("toolName") {
        "preToolUse"
    } else if has("prompt") {
        "userPromptSubmitted"
    } else if has("stopReason") {
        "agentStop"
    } else {
        return None;
    };
    Some(name.to_string())
}

/// `--only`'s policy, or the exit for an unknown one.
fn selection(only: Option<&str>, gate: bool) -> Result<Selection, ExitCode> {
    match only {
        None => Ok(Selection::All),
        Some(name) => match agentops_policies::by_name(name) {
            Some(p) => Ok(Selection::Only(p)),
            None => {
                let known: Vec<_> = agentops_policies::all().iter().map(|p| p.name).collect();
                eprintln!(
                    "agentops hook: unknown policy `{name}` (known: {})",
                    known.join(", ")
                );
                // Exit 2 blocks a gate; elsewhere a plain error is enough.
                Err(ExitCode::from(if gate { 2 } else { 1 }))
            }
        },
    }
}

fn run_claude(args: &Args, raw: Result<Vec<u8>, agentops_engine::InputProblem>) -> ExitCode {
    let explicit = match args
        .event
        .as_deref()
        .map(|name| (name, name.parse::<HookEvent>()))
    {
        None => None,
        Some((_, Ok(e))) => Some(e),
        Some((name, Err(_))) => return unknown_event(name),
    };
    let event = match explicit.map_or_else(|| event_from_payload(&raw), Ok) {
        Ok(event) => event,
        Err(name) => return unknown_event(&name),
    };
    let selection = match selection(args.only.as_deref(), event.is_gate()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let env = Environment::from_process();
    let run = run_hook(event, selection, raw, &env);
    // Starts a detached OTLP export when one is configured and due.
    super::telemetry::after_hook(event, || env.project_dir(run.input.as_ref()));
    if let Some(output) = run.output {
        let mut stdout = std::io::stdout().lock();
        // A closed stdout leaves nothing to tell; the exit code stays 0.
        let _ = writeln!(stdout, "{output}");
        let _ = stdout.flush();
    }
    ExitCode::SUCCESS
}
