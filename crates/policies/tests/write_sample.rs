//! Writing ordinary files must not prompt. The sample is real text nobody
//! wrote for this test: the sources, docs and configuration files of the
//! crates this workspace depends on, as cargo unpacked them into its
//! registry cache to build the tests (so the sample is fixed by
//! Cargo.lock). Each file is written with the Write tool into a project
//! at the same relative path, through every policy, and the share that
//! asks or denies must stay near zero.

use std::fs;
use std::path::{Path, PathBuf};

mod support;

use agentops_core::{Decision, HookEvent};
use serde_json::json;

/// Where cargo unpacks crate sources.
fn registry_src() -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    let src = home.join("registry/src");
    let first = fs::read_dir(&src).ok()?.flatten().next()?;
    Some(first.path())
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The crates of this workspace's lock file, as `name-version` directories.
fn locked_crates() -> Vec<String> {
    let lock = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock"))
        .expect("Cargo.lock");
    let mut out = Vec::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take()) {
            out.push(format!("{n}-{}", v.trim_matches('"')));
        }
    }
    out
}

fn decide(rel: &str, content: &str) -> (Decision, Vec<&'static str>) {
    let path = format!("/p/{rel}");
    let input = support::pre_tool_use(
        "sample",
        "Write",
        json!({ "file_path": path, "content": content }),
    );
    let ctx = support::in_project(support::project(), agentops_core::Flags::default());
    let answer = support::answer(HookEvent::PreToolUse, &input, &ctx);
    let rules = answer
        .verdicts
        .iter()
        .filter(|v| v.decision.is_some_and(|d| d >= Decision::Ask))
        .map(|v| v.finding.rule.id)
        .collect();
    (answer.decision, rules)
}

#[test]
fn writing_ordinary_files_does_not_prompt() {
    let Some(src) = registry_src() else {
        println!("SKIPPED: no cargo registry cache (CARGO_HOME/registry/src) to sample from");
        return;
    };
    let mut files = Vec::new();
    for krate in locked_crates() {
        collect(&src.join(&krate), &mut files);
    }
    // Text files a project holds, up to 256 KB each.
    files.retain(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        !name.starts_with(".cargo")
            && !name.ends_with(".orig")
            && fs::metadata(p).is_ok_and(|m| m.len() <= 256 * 1024)
    });
    // Every third file keeps the test quick and the sample in the
    // thousands, spread over every crate.
    let files: Vec<PathBuf> = files.into_iter().step_by(3).collect();
    let mut written = 0usize;
    let mut prompted = Vec::new();
    let mut carrying: Vec<String> = Vec::new();
    for p in &files {
        let Ok(content) = fs::read_to_string(p) else {
            continue; // not UTF-8 text: not the kind of file an agent writes
        };
        let rel = p
            .strip_prefix(&src)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned();
        written += 1;
        let (decision, rules) = decide(&rel, &content);
        // A file that really carries invisible or bidi characters (Unicode
        // tables, test data for them) is what UNI001 exists to stop: an ask
        // there is no false positive. Which files those are is for the
        // detector to say, not the policy under test.
        let hidden = agentops_unicode::contains_flagged(
            content.as_bytes(),
            agentops_unicode::tree::options_for(Path::new(&rel)),
        );
        if decision >= Decision::Ask {
            if hidden && rules == ["UNI001"] {
                carrying.push(rel);
            } else {
                prompted.push(format!("{rel}: {} {rules:?}", decision.as_str()));
            }
        }
    }
    println!(
        "{} file(s) carry invisible or bidi characters and were asked about (UNI001): {carrying:?}",
        carrying.len()
    );
    let rate = prompted.len() as f64 / written.max(1) as f64;
    println!(
        "{written} files written, {} prompted ({:.3}%):\n{}",
        prompted.len(),
        rate * 100.0,
        prompted.join("\n")
    );
    assert!(written >= 2000, "the sample has only {written} files");
    assert!(
        rate <= 0.0015,
        "{} of {written} ordinary files prompted ({:.3}%), more than 0.15%:\n{}",
        prompted.len(),
        rate * 100.0,
        prompted.join("\n")
    );
}
