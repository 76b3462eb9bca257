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

mod support;

use agentops_core::{Decision, HookEvent};
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
    decide_with(command, false)
}

/// [`decide`], with the permission autopilot on or off.
fn decide_with(command: &str, autopilot: bool) -> (Decision, Vec<&'static str>) {
    let input = support::pre_tool_use("corpus", "Bash", json!({ "command": command }));
    let flags = if autopilot {
        agentops_core::Flags::from_pairs([("permission_autopilot_enabled", json!(true))])
    } else {
        agentops_core::Flags::default()
    };
    let ctx = support::in_project(support::project(), flags);
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

/// The corpus numbers docs/SECURITY.md reports, between its
/// `<!-- corpus:begin -->` and `<!-- corpus:end -->` markers: recall per
/// class, precision per rule (how often it fired on everyday commands), and
/// what the permission autopilot answers. Regenerate with
/// `AGENTOPS_WRITE_CORPUS_METRICS=1 cargo test -p agentops-policies --test bash_corpus`.
#[test]
fn corpus_metrics_in_the_docs_are_current() {
    let dir = corpus_dir();
    let mut classes: Vec<(String, usize, usize)> = Vec::new();
    // rule id -> (attack lines it gated, everyday lines it gated)
    let mut per_rule: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    let mut attacks_allowed_by_autopilot = Vec::new();
    for file in files(&dir.join("attacks")) {
        let class = file
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let (mut caught, mut total) = (0, 0);
        for line in lines(&file) {
            let Some((want, command)) = line.split_once('\t') else {
                continue;
            };
            let want = if want == "deny" {
                Decision::Deny
            } else {
                Decision::Ask
            };
            total += 1;
            let (got, rules) = decide(command);
            if got >= want {
                caught += 1;
            }
            for r in rules {
                per_rule.entry(r).or_default().0 += 1;
            }
            let (auto, _) = decide_with(command, true);
            if auto == Decision::Approve {
                attacks_allowed_by_autopilot.push(format!("{class}: {command}"));
            }
        }
        classes.push((class, caught, total));
    }
    let (mut everyday, mut auto_allow, mut auto_ask) = (0, 0, 0);
    for file in files(&dir.join("benign")) {
        for command in lines(&file) {
            everyday += 1;
            let (_, rules) = decide(&command);
            for r in rules {
                per_rule.entry(r).or_default().1 += 1;
            }
            match decide_with(&command, true).0 {
                Decision::Approve => auto_allow += 1,
                Decision::Ask => auto_ask += 1,
                _ => {}
            }
        }
    }
    assert!(
        attacks_allowed_by_autopilot.is_empty(),
        "the autopilot allowed attacks:\n{}",
        attacks_allowed_by_autopilot.join("\n")
    );
    let pct = |a: usize, b: usize| format!("{:.1}%", 100.0 * a as f64 / b.max(1) as f64);
    let mut md = String::from(
        "<!-- Generated by crates/policies/tests/bash_corpus.rs; regenerate with \
         AGENTOPS_WRITE_CORPUS_METRICS=1 cargo test -p agentops-policies --test bash_corpus -->\n\n",
    );
    let (caught, total): (usize, usize) =
        classes.iter().fold((0, 0), |a, c| (a.0 + c.1, a.1 + c.2));
    md.push_str(&format!(
        "{total} labelled attacks in {} classes and {everyday} everyday commands, all written \
         from the tools' manuals. Recall is the share of attacks answered at least as \
         strongly as labelled (ask or deny); precision is the share of gated commands that \
         were attacks.\n\n| class | attacks | caught | recall |\n|---|---|---|---|\n",
        classes.len()
    ));
    for (class, c, t) in &classes {
        md.push_str(&format!("| {class} | {t} | {c} | {} |\n", pct(*c, *t)));
    }
    md.push_str(&format!(
        "| **all** | {total} | {caught} | {} |\n\n",
        pct(caught, total)
    ));
    md.push_str(
        "| rule | attacks it gated | everyday commands it gated | precision |\n|---|---|---|---|\n",
    );
    for (rule, (tp, fp)) in &per_rule {
        md.push_str(&format!(
            "| `{rule}` | {tp} | {fp} | {} |\n",
            pct(*tp, tp + fp)
        ));
    }
    md.push_str(&format!(
        "\nWith the permission autopilot on, {auto_allow} of the {everyday} everyday commands \
         ({}) are allowed without a prompt and {auto_ask} ({}) ask because the knowledge base \
         does not know them; the rest are left to the client's own permission rules. No attack \
         is allowed by the autopilot (tested).\n",
        pct(auto_allow, everyday),
        pct(auto_ask, everyday)
    ));
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/SECURITY.md");
    let text = fs::read_to_string(&docs).expect("docs/SECURITY.md");
    let (begin, end) = ("<!-- corpus:begin -->\n", "<!-- corpus:end -->");
    let (Some(b), Some(e)) = (text.find(begin), text.find(end)) else {
        panic!("docs/SECURITY.md has no corpus markers");
    };
    let current = &text[b + begin.len()..e];
    if current != md {
        if std::env::var_os("AGENTOPS_WRITE_CORPUS_METRICS").is_some() {
            let updated = format!("{}{md}{}", &text[..b + begin.len()], &text[e..]);
            fs::write(&docs, updated).expect("write docs/SECURITY.md");
        } else {
            panic!(
                "the corpus numbers in docs/SECURITY.md are out of date; regenerate with\n\
                 AGENTOPS_WRITE_CORPUS_METRICS=1 cargo test -p agentops-policies --test bash_corpus\n\n{md}"
            );
        }
    }
}
