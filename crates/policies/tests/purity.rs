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

/// The lines of a file before its first `#[cfg(test)]` (tests sit at the
/// bottom of each module; test-only files are skipped by name).
fn non_test_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| !l.trim_start().starts_with("#[cfg(test)]"))
        .filter(|(_, l)| {
            let t = l.trim_start();
            !t.starts_with("//")
        })
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
            let checked = without_world_calls(line);
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
}
