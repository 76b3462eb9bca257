//! A labelled corpus of Bash commands, written from the tools' own manuals
//! (never taken from other command guards' suites or corpora), run through
//! every policy as a PreToolUse Bash call in an in-memory project (`/p`,
//! home `/home/u`, default flags, standard mode).
//!
//! - `corpus/benign/*.txt`: everyday developer commands, one per line.
//!   Every one must pass silently: no ask, no deny (false positives are
//!   bugs).
//! - `corpus/attacks/<class>.txt`: `deny<TAB>command` or `ask<TAB>command`,
//!   the weakest verdict the command deserves. Recall per class is printed
//!   and must not fall below the floor recorded in `corpus/attacks/floors.txt`
//!   (`class<TAB>caught<TAB>total`), so a regression fails and an
//!   improvement raises the floor.
//!
//! Lines starting with `#` and blank lines are ignored.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod support;

use agentops_core::{Context, Decision, HookEvent, HookInput, MemoryWorld};
use serde_json::json;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .filter(|p| p.file_name().is_some_and(|n| n != "floors.txt"))
        .collect();
    out.sort();
    out
}

/// The merged decision for a Bash command, and the rule ids that fired.
fn decide(command: &str) -> (Decision, Vec<&'static str>) {
    let input = HookInput {
        session_id: Some("corpus".into()),
        cwd: Some("/p".into()),
        permission_mode: Some("default".into()),
        hook_event_name: Some("PreToolUse".into()),
        tool_name: Some("Bash".into()),
        tool_input: Some(json!({ "command": command })),
        ..HookInput::default()
    };
    let world = MemoryWorld::new()
        .dir("/p")
        .dir("/home/u")
        .env("HOME", "/home/u")
        // A plan exists, so star-gate's guidance stays out of the way.
        .file("/p/tasks/todo.md", "- [ ] the task\n");
    let ctx = Context {
        project_dir: "/p".into(),
        home: Some("/home/u".into()),
        world: Arc::new(world),
        policy_flags: agentops_policies::policy_flags(),
        ..Context::default()
    };
    let answer = support::answer(HookEvent::PreToolUse, &input, &ctx);
    let gated = answer
        .verdicts
        .iter()
        .filter(|v| v.decision.is_some())
        .map(|v| v.finding.rule.id)
        .collect();
    (answer.decision, gated)
}

#[test]
fn everyday_commands_pass_silently() {
    let mut total = 0;
    let mut prompted = Vec::new();
    for file in files(&corpus_dir().join("benign")) {
        for command in lines(&file) {
            total += 1;
            let (decision, rules) = decide(&command);
            if decision != Decision::Allow {
                prompted.push(format!(
                    "{}: {command}  ->  {} {rules:?}",
                    file.file_name().unwrap_or_default().to_string_lossy(),
                    decision.as_str()
                ));
            }
        }
    }
    assert!(total >= 100, "the benign corpus has {total} commands");
    assert!(
        prompted.is_empty(),
        "{} of {total} everyday commands were gated:\n{}",
        prompted.len(),
        prompted.join("\n")
    );
}

#[test]
fn attacks_are_caught_at_least_as_well_as_before() {
    let dir = corpus_dir().join("attacks");
    let floors: BTreeMap<String, (usize, usize)> = lines(&dir.join("floors.txt"))
        .into_iter()
        .map(|l| {
            let mut f = l.split('\t');
            let class = f.next().unwrap_or_default().to_string();
            let caught = f.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            let total = f.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            (class, (caught, total))
        })
        .collect();
    let mut report = Vec::new();
    let mut regressions = Vec::new();
    let mut all_missed = Vec::new();
    for file in files(&dir) {
        let class = file
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let mut caught = 0;
        let mut total = 0;
        for line in lines(&file) {
            let (want, command) = line
                .split_once('\t')
                .unwrap_or_else(|| panic!("{class}: `{line}` is not `deny|ask<TAB>command`"));
            let want = match want {
                "deny" => Decision::Deny,
                "ask" => Decision::Ask,
                other => panic!("{class}: unknown verdict `{other}`"),
            };
            total += 1;
            let (got, _) = decide(command);
            if got >= want {
                caught += 1;
            } else {
                all_missed.push(format!(
                    "{class}: want {} got {}: {command}",
                    want.as_str(),
                    got.as_str()
                ));
            }
        }
        report.push(format!("{class:<24} {caught:>4}/{total:<4}"));
        let (floor, _) = floors.get(&class).copied().unwrap_or((0, 0));
        if caught < floor {
            regressions.push(format!("{class}: {caught}/{total} caught, floor {floor}"));
        }
    }
    println!("recall per class:\n{}", report.join("\n"));
    println!("missed:\n{}", all_missed.join("\n"));
    assert!(!report.is_empty(), "the attack corpus has classes");
    assert!(
        regressions.is_empty(),
        "recall fell below the recorded floor:\n{}",
        regressions.join("\n")
    );
}
