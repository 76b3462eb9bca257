//! Policies are pure: they see the world only through `Context` (its
//! `World`: clock, environment, files and state, programs), which the
//! engine fills and tests fake. This test reads the policies' source and
//! fails on any direct use of the file system, the environment, the clock
//! or process spawning outside `#[cfg(test)]` code.

use std::fs;
use std::path::{Path, PathBuf};

/// Direct reads of the outside world, as they appear in source.
const FORBIDDEN: &[&str] = &[
    "std::fs",
    "fs::",
    "File::open",
    "File::create",
    "std::env",
    "env::var",
    "SystemTime::now",
    "Instant::now()",
    "Command::new",
    "std::process",
    ".exists()",
    ".is_file()",
    ".is_dir()",
    ".metadata()",
    "canonicalize(",
    "read_dir(",
    "read_to_string(",
    "StateDir",
    "agentops_state::",
    // Other crates' entry points that read the disk themselves.
    "scan_tree(",
    "HostWorld",
    "audit_file(",
    "session_files(",
];

/// Calls on the context's world that share a name with a forbidden read.
const THROUGH_THE_WORLD: &[&str] = &["world.canonicalize(", "world.read_dir("];

/// A line without its calls through the world.
fn without_world_calls(line: &str) -> String {
    THROUGH_THE_WORLD
        .iter()
        .fold(line.to_string(), |l, call| l.replace(call, "world.<call>"))
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read src").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The statements of a file before its first `#[cfg(test)]` (tests sit at
/// the bottom of each module; test-only files are skipped by name), with
/// the line each starts on. A line that begins with `.` continues the
/// method chain above it, so `ctx.world` and a `.read_dir(…)` that
/// rustfmt put on the next line are checked together.
fn non_test_lines(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        match out.last_mut() {
            Some((_, prev)) if t.starts_with('.') => prev.push_str(t),
            _ => out.push((n, line.to_string())),
        }
    }
    out
}

#[test]
fn policies_read_the_world_only_through_the_context() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    files.sort();
    assert!(files.len() > 30, "found the policy sources");
    let mut hits = Vec::new();
    for file in files {
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = fs::read_to_string(&file).expect("read source");
        for (n, line) in non_test_lines(&text) {
            let checked = without_world_calls(&line);
            for needle in FORBIDDEN {
                if checked.contains(needle) {
                    hits.push(format!(
                        "{}:{}: `{needle}` in {}",
                        file.strip_prefix(&root).unwrap_or(&file).display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        hits.is_empty(),
        "policies must use ctx.world instead:\n{}",
        hits.join("\n")
    );
}

#[test]
fn the_check_finds_what_it_forbids() {
    let sample = "use std::fs;\nfn f() { let _ = std::env::var(\"X\"); }\n#[cfg(test)]\nmod tests { use std::fs; }\n";
    let found: Vec<usize> = non_test_lines(sample)
        .into_iter()
        .filter(|(_, l)| FORBIDDEN.iter().any(|n| l.contains(n)))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        found,
        [0, 1],
        "code before the tests is checked, tests are not"
    );
    let through_world = "let real = ctx.world.canonicalize(p); let d = world.read_dir(p);";
    assert!(!FORBIDDEN
        .iter()
        .any(|n| without_world_calls(through_world).contains(n)));
    assert!(FORBIDDEN
        .iter()
        .any(|n| without_world_calls("std::fs::canonicalize(p)").contains(n)));
    // A chain split over lines is one statement: the world call stays
    // allowed, a direct read split the same way is still caught.
    let chained = non_test_lines("let e = ctx\n    .world\n    .read_dir(p)\n    .ok();\n");
    assert_eq!(chained.len(), 1);
    assert!(!FORBIDDEN
        .iter()
        .any(|n| without_world_calls(&chained[0].1).contains(n)));
    let direct =
        non_test_lines("let e = std\n    ::fs::read_dir(p);\nlet m = path\n    .metadata();\n");
    assert!(direct
        .iter()
        .any(|(_, l)| FORBIDDEN.iter().any(|n| without_world_calls(l).contains(n))));
}
