//! Files a command runs: a shell script (`bash x.sh`, `./x.sh`, `source
//! x.sh`), a program file (`python x.py`, `node x.js`), a Makefile recipe
//! (`make test`), a package script (`npm run build`, `npm install`'s
//! lifecycle scripts) or test configuration (`pytest` loads conftest.py).
//! The file is read at decision time (bounded) and its code is checked by
//! the same rules as the command itself, one level deep; findings name the
//! file they come from.

use std::cell::Cell;
use std::path::Path;

use agentops_core::outcome::Finding;
use agentops_shell::Command;
use serde_json::Value;

use super::scan::Scan;

/// Largest file read.
const MAX_FILE: u64 = 256 * 1024;

thread_local! {
    /// How many files deep the check is (a script run by a script is not
    /// followed further).
    static DEPTH: Cell<u8> = const { Cell::new(0) };
}

/// Code run from a file: where it comes from and the code as a shell
/// command string.
struct Run {
    label: String,
    code: String,
}

/// The findings of the code command `c` runs from files, with subjects
/// naming the file.
pub(super) fn check(scan: &Scan, c: &Command, relaxed: bool) -> Vec<Finding> {
    if DEPTH.with(Cell::get) >= 1 {
        return Vec::new();
    }
    let runs = runs_of(scan, c);
    if runs.is_empty() {
        return Vec::new();
    }
    DEPTH.with(|d| d.set(d.get() + 1));
    let mut out = Vec::new();
    for run in runs {
        let analysis = agentops_shell::analyse(&run.code);
        let outcome = super::check_analysis(&analysis, &run.code, scan.ctx, relaxed);
        for mut f in outcome.findings {
            let inner = f.subject.take().unwrap_or_default();
            f.subject = Some(format!("{} (run by `{}`): {inner}", run.label, c.name));
            out.push(f);
        }
    }
    DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    out
}

fn read(scan: &Scan, c: &Command, path: &str) -> Option<String> {
    // A file written earlier in this same command is the analyser's job
    // (it knows the text written); the disk holds the old one.
    if scan.analysis.last_write_before(path, c.id).is_some() {
        return None;
    }
    let abs = scan.abs(c.id, path);
    scan.ctx.world.read_text(Path::new(&abs), MAX_FILE)
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn runs_of(scan: &Scan, c: &Command) -> Vec<Run> {
    let mut runs = Vec::new();
    let operands: Vec<&str> = c.operands().map(|w| w.text.as_str()).collect();
    let first = operands.first().copied();
    let name = c.name.as_str();
    let has_code_flag = c.args.iter().any(|a| {
        matches!(
            a.text.as_str(),
            "-c" | "-e" | "-E" | "-r" | "-m" | "--eval" | "-p" | "--print"
        )
    });
    let mut file = |label: &str, path: &str, wrap: Option<&str>| {
        if let Some(text) = read(scan, c, path) {
            let code = match wrap {
                Some(interp) => format!("{interp} {}", quote(&text)),
                None => text,
            };
            runs.push(Run {
                label: format!("{label} {path}"),
                code,
            });
        }
    };
    match name {
        "bash" | "sh" | "zsh" | "dash" | "ksh" | "source" | "." if !has_code_flag => {
            if let Some(path) = first {
                file("script", path, None);
            }
        }
        _ if c.written_name.contains('/') && !c.written_name.starts_with('/') => {
            // `./deploy.sh`, `scripts/x`: a file of the project.
            file("script", &c.written_name, None);
        }
        _ if !has_code_flag && (name.starts_with("python") || name == "pypy3") => {
            if let Some(path) = first.filter(|p| p.ends_with(".py")) {
                file("program", path, Some("python3 -c"));
            }
        }
        "node" | "bun" | "deno" | "tsx" | "ts-node" if !has_code_flag => {
            if let Some(path) = first.filter(|p| {
                [".js", ".mjs", ".cjs", ".ts", ".mts"]
                    .iter()
                    .any(|e| p.ends_with(e))
            }) {
                file("program", path, Some("node -e"));
            }
        }
        "ruby" if !has_code_flag => {
            if let Some(path) = first.filter(|p| p.ends_with(".rb")) {
                file("program", path, Some("ruby -e"));
            }
        }
        "perl" if !has_code_flag => {
            if let Some(path) = first.filter(|p| p.ends_with(".pl")) {
                file("program", path, Some("perl -e"));
            }
        }
        _ => {}
    }
    match name {
        "make" | "gmake" => make_recipes(scan, c, &mut runs),
        "npm" | "pnpm" | "yarn" | "bun" => package_scripts(scan, c, &mut runs),
        "pytest" | "py.test" => conftest(scan, c, &mut runs),
        _ if name.starts_with("python")
            && c.args
                .windows(2)
                .any(|w| w[0].text == "-m" && w[1].text == "pytest") =>
        {
            conftest(scan, c, &mut runs)
        }
        _ => {}
    }
    runs
}

/// `make [-f FILE] [TARGET…]`: the recipes of the targets (the first
/// target when none is named) and of their prerequisites, one level.
fn make_recipes(scan: &Scan, c: &Command, runs: &mut Vec<Run>) {
    let args: Vec<&str> = c.arg_texts().collect();
    let mut makefile = None;
    let mut targets = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        if matches!(a, "-f" | "--file" | "--makefile") {
            makefile = args.get(i + 1).copied();
            i += 2;
            continue;
        }
        if matches!(a, "-C" | "--directory" | "-j" | "-l" | "-o" | "-W") {
            i += 2;
            continue;
        }
        if !a.starts_with('-') && !a.contains('=') {
            targets.push(a);
        }
        i += 1;
    }
    let candidates = match makefile {
        Some(f) => vec![f],
        None => vec!["GNUmakefile", "makefile", "Makefile"],
    };
    let Some((path, text)) = candidates
        .into_iter()
        .find_map(|p| read(scan, c, p).map(|t| (p, t)))
    else {
        return;
    };
    let rules = parse_makefile(&text);
    if targets.is_empty() {
        if let Some((first, _, _)) = rules.iter().find(|(t, _, _)| !t.starts_with('.')) {
            targets.push(first);
        }
    }
    let mut wanted: Vec<&str> = targets.clone();
    for t in &targets {
        if let Some((_, prereqs, _)) = rules.iter().find(|(name, _, _)| name == t) {
            wanted.extend(prereqs.iter().map(String::as_str));
        }
    }
    for t in wanted {
        if let Some((_, _, recipe)) = rules.iter().find(|(name, _, _)| name == t) {
            if !recipe.is_empty() {
                runs.push(Run {
                    label: format!("recipe of `{t}` in {path}"),
                    code: recipe.join("\n").replace("$$", "$"),
                });
            }
        }
    }
}

/// `(target, prerequisites, recipe lines)` of a Makefile, roughly: rule
/// lines `a b: c d` and the tab-indented lines after them.
fn parse_makefile(text: &str) -> Vec<(String, Vec<String>, Vec<String>)> {
    let mut rules: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for line in text.lines() {
        if let Some(cmd) = line.strip_prefix('\t') {
            let cmd = cmd.trim_start_matches(['@', '-', '+']).trim();
            for &i in &current {
                if let Some(r) = rules.get_mut(i) {
                    r.2.push(cmd.to_string());
                }
            }
            continue;
        }
        current.clear();
        let Some((lhs, rhs)) = line.split_once(':') else {
            continue;
        };
        if lhs.trim_start().starts_with('#') || rhs.starts_with('=') || lhs.contains('=') {
            continue;
        }
        let prereqs: Vec<String> = rhs
            .split(';')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_string)
            .collect();
        for t in lhs.split_whitespace() {
            current.push(rules.len());
            rules.push((t.to_string(), prereqs.clone(), Vec::new()));
        }
    }
    rules
}

/// `npm run X`, `npm test`, `yarn X`, `npm install` …: the package
/// scripts of package.json that run (with their pre/post scripts).
fn package_scripts(scan: &Scan, c: &Command, runs: &mut Vec<Run>) {
    let ops: Vec<&str> = c.operands().map(|w| w.text.as_str()).collect();
    let names: Vec<String> = match ops.as_slice() {
        ["run" | "run-script" | "rum" | "urn", script, ..] => vec![(*script).to_string()],
        ["test" | "t" | "tst", ..] => vec!["test".into()],
        ["start", ..] => vec!["start".into()],
        ["stop", ..] => vec!["stop".into()],
        ["restart", ..] => vec!["restart".into()],
        [] | ["install" | "i" | "ci" | "add", ..] => {
            ["preinstall", "install", "postinstall", "prepare"]
                .iter()
                .map(|s| s.to_string())
                .collect()
        }
        [script, ..] if c.name == "yarn" || c.name == "pnpm" || c.name == "bun" => {
            vec![(*script).to_string()]
        }
        _ => return,
    };
    let Some(text) = read(scan, c, "package.json") else {
        return;
    };
    let Ok(json) = serde_json::from_str::<Value>(&text) else {
        return;
    };
    let Some(scripts) = json.get("scripts").and_then(Value::as_object) else {
        return;
    };
    let mut keys: Vec<String> = Vec::new();
    for name in names {
        for key in [format!("pre{name}"), name.clone(), format!("post{name}")] {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    for key in keys {
        {
            if let Some(code) = scripts.get(&key).and_then(Value::as_str) {
                runs.push(Run {
                    label: format!("package script `{key}` in package.json"),
                    code: code.to_string(),
                });
            }
        }
    }
}

/// `pytest`: the conftest.py files it loads first.
fn conftest(scan: &Scan, c: &Command, runs: &mut Vec<Run>) {
    for path in ["conftest.py", "tests/conftest.py", "test/conftest.py"] {
        if let Some(text) = read(scan, c, path) {
            runs.push(Run {
                label: format!("test configuration {path}"),
                code: format!("python3 -c {}", quote(&text)),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_makefile;

    #[test]
    fn makefile_rules_and_recipes() {
        let rules = parse_makefile("CC = gcc\nall: build test\nbuild:\n\t@cargo build\ntest: build\n\tcargo test\n\n# x: y\n");
        let names: Vec<&str> = rules.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(names, ["all", "build", "test"]);
        assert_eq!(rules[0].1, ["build", "test"]);
        assert_eq!(rules[1].2, ["cargo build"]);
        assert_eq!(rules[2].2, ["cargo test"]);
    }
}
