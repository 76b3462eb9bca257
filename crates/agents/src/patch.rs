//! The `apply_patch` envelope Codex (and Copilot with GPT models) edit
//! files with:
//!
//! ```text
//! *** Begin Patch
//! *** Add File: src/new.rs
//! +fn new() {}
//! *** Update File: src/lib.rs
//! *** Move to: src/core.rs
//! @@ fn old
//! -fn old() {}
//! +fn renamed() {}
//! *** Delete File: src/gone.rs
//! *** End Patch
//! ```
//!
//! Each file operation becomes the Claude Code tool call with the same
//! effect, so the file guards judge it: an added file is a `Write` of its
//! lines, an update an `Edit` of the removed lines into the added ones, a
//! move or a deletion the `mv` or `rm` a shell would run.

use serde_json::{json, Value};

/// One file operation of a patch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOp {
    /// `*** Add File:` with the file's lines.
    Add {
        /// The path as the patch names it.
        path: String,
        /// The new file's text.
        content: String,
    },
    /// `*** Update File:`, possibly `*** Move to:`.
    Update {
        /// The path as the patch names it.
        path: String,
        /// Where it moves, if it does.
        move_to: Option<String>,
        /// Removed lines (`-`), joined.
        removed: String,
        /// Added lines (`+`), joined.
        added: String,
    },
    /// `*** Delete File:`.
    Delete {
        /// The path as the patch names it.
        path: String,
    },
}

/// Parse a patch; `None` when the text is not a patch envelope.
pub fn parse(text: &str) -> Option<Vec<FileOp>> {
    let mut lines = text.lines().map(|l| l.strip_suffix('\r').unwrap_or(l));
    if lines.next()?.trim() != "*** Begin Patch" {
        return None;
    }
    let mut ops: Vec<FileOp> = Vec::new();
    for line in lines {
        if let Some(path) = line.strip_prefix("*** Add File: ") {
            ops.push(FileOp::Add {
                path: path.trim().to_string(),
                content: String::new(),
            });
        } else if let Some(path) = line.strip_prefix("*** Update File: ") {
            ops.push(FileOp::Update {
                path: path.trim().to_string(),
                move_to: None,
                removed: String::new(),
                added: String::new(),
            });
        } else if let Some(path) = line.strip_prefix("*** Delete File: ") {
            ops.push(FileOp::Delete {
                path: path.trim().to_string(),
            });
        } else if let Some(to) = line.strip_prefix("*** Move to: ") {
            if let Some(FileOp::Update { move_to, .. }) = ops.last_mut() {
                *move_to = Some(to.trim().to_string());
            }
        } else if line.starts_with("*** End Patch") || line.starts_with("*** End of File") {
            continue;
        } else {
            match ops.last_mut() {
                Some(FileOp::Add { content, .. }) => {
                    if let Some(l) = line.strip_prefix('+') {
                        content.push_str(l);
                        content.push('\n');
                    }
                }
                Some(FileOp::Update { removed, added, .. }) => {
                    if let Some(l) = line.strip_prefix('+') {
                        added.push_str(l);
                        added.push('\n');
                    } else if let Some(l) = line.strip_prefix('-') {
                        removed.push_str(l);
                        removed.push('\n');
                    }
                }
                _ => {}
            }
        }
    }
    Some(ops)
}

/// The Claude Code tool calls (name, input) with the same effect as the
/// patch's operations; paths are made absolute against `cwd`.
pub fn tool_calls(ops: &[FileOp], cwd: Option<&str>) -> Vec<(&'static str, Value)> {
    let abs = |p: &str| crate::absolute(p, cwd);
    let quote = |p: &str| format!("'{}'", abs(p).replace('\'', r"'\''"));
    let mut calls = Vec::new();
    for op in ops {
        match op {
            FileOp::Add { path, content } => {
                calls.push(("Write", json!({"file_path": abs(path), "content": content})))
            }
            FileOp::Update {
                path,
                move_to,
                removed,
                added,
            } => {
                calls.push((
                    "Edit",
                    json!({"file_path": abs(path), "old_string": removed, "new_string": added}),
                ));
                if let Some(to) = move_to {
                    calls.push((
                        "Bash",
                        json!({"command": format!("mv -- {} {}", quote(path), quote(to))}),
                    ));
                }
            }
            FileOp::Delete { path } => {
                calls.push(("Bash", json!({"command": format!("rm -- {}", quote(path))})))
            }
        }
    }
    calls
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATCH: &str = "*** Begin Patch\n*** Add File: src/new.rs\n+fn new() {}\n+\n*** Update File: src/lib.rs\n*** Move to: src/core.rs\n@@ fn old\n fn keep() {}\n-fn old() {}\n+fn renamed() {}\n*** Delete File: src/gone.rs\n*** End Patch\n";

    #[test]
    fn every_operation_is_read() {
        let ops = parse(PATCH).expect("a patch");
        assert_eq!(
            ops,
            [
                FileOp::Add {
                    path: "src/new.rs".into(),
                    content: "fn new() {}\n\n".into()
                },
                FileOp::Update {
                    path: "src/lib.rs".into(),
                    move_to: Some("src/core.rs".into()),
                    removed: "fn old() {}\n".into(),
                    added: "fn renamed() {}\n".into()
                },
                FileOp::Delete {
                    path: "src/gone.rs".into()
                },
            ]
        );
        assert_eq!(parse("echo hi"), None);
    }

    #[test]
    fn operations_become_the_calls_with_the_same_effect() {
        let calls = tool_calls(&parse(PATCH).expect("a patch"), Some("/w"));
        let names: Vec<&str> = calls.iter().map(|c| c.0).collect();
        assert_eq!(names, ["Write", "Edit", "Bash", "Bash"]);
        assert_eq!(calls[0].1["file_path"], "/w/src/new.rs");
        assert_eq!(calls[1].1["new_string"], "fn renamed() {}\n");
        assert_eq!(
            calls[2].1["command"],
            "mv -- '/w/src/lib.rs' '/w/src/core.rs'"
        );
        assert_eq!(calls[3].1["command"], "rm -- '/w/src/gone.rs'");
    }
}
