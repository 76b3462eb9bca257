//! `find`'s actions as commands: each `-exec`/`-execdir`/`-ok`/`-okdir`
//! becomes a command of its own (with `{}` standing for the starting points),
//! and `-delete` becomes a synthetic `rm -r -f ROOT…`, so the rules for those
//! commands see what `find` would do.

use super::{Builder, Ctx, RWord};
use crate::model::{Via, Word};

/// One command `find` runs for the files it finds.
pub(super) struct FindAction {
    words: Vec<String>,
    /// Made up by the analyser (`-delete`), not written in the command.
    synthetic: bool,
}

/// The actions of a command named `name` with arguments `args`: none unless
/// it is `find`.
pub(super) fn actions(name: &str, args: &[RWord]) -> Vec<FindAction> {
    if name != "find" {
        return Vec::new();
    }
    let texts: Vec<&str> = args.iter().map(|a| a.word.text.as_str()).collect();
    find_actions(&texts)
}

/// The starting points of a `find` command (default `.`).
pub(super) fn find_roots(args: &[Word]) -> Vec<String> {
    let texts: Vec<&str> = args.iter().map(|a| a.text.as_str()).collect();
    roots_of(&texts)
}

fn roots_of(args: &[&str]) -> Vec<String> {
    let mut roots = Vec::new();
    let mut i = 0;
    // Leading -H/-L/-P/-O3/-D opts.
    while i < args.len() {
        let a = args[i];
        if matches!(a, "-H" | "-L" | "-P") || a.starts_with("-O") {
            i += 1;
        } else if a == "-D" {
            i += 2;
        } else {
            break;
        }
    }
    while i < args.len() {
        let a = args[i];
        if a.starts_with('-') || a == "(" || a == "!" || a == "\\(" {
            break;
        }
        roots.push(a.to_string());
        i += 1;
    }
    if roots.is_empty() {
        roots.push(".".into());
    }
    roots
}

/// Commands `find` runs: each `-exec`/`-execdir`/`-ok`/`-okdir` (with `{}`
/// standing for the starting points) and `-delete` as `rm -r -f ROOT`.
fn find_actions(args: &[&str]) -> Vec<FindAction> {
    let roots = roots_of(args);
    let root = roots.first().cloned().unwrap_or_else(|| ".".into());
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        if matches!(a, "-exec" | "-execdir" | "-ok" | "-okdir") {
            let mut words = Vec::new();
            i += 1;
            while i < args.len() && !matches!(args[i], ";" | "+" | "\\;") {
                words.push(args[i].replace("{}", &root));
                i += 1;
            }
            if !words.is_empty() {
                out.push(FindAction {
                    words,
                    synthetic: false,
                });
            }
        } else if a == "-delete" {
            let mut words = vec!["rm".to_string(), "-r".into(), "-f".into()];
            words.extend(roots.iter().cloned());
            out.push(FindAction {
                words,
                synthetic: true,
            });
        }
        i += 1;
    }
    out
}

impl Builder {
    /// Build the commands that `find` command `id` runs, as children of it
    /// (`Via::FindExec`, same depth, no standard input of their own).
    pub(super) fn run_find_actions(&mut self, id: usize, actions: Vec<FindAction>, ctx: &Ctx) {
        for action in actions {
            let mut c = ctx.clone();
            c.via = Via::FindExec;
            c.parent = Some(id);
            c.stdin_from = Vec::new();
            c.stdin_text = None;
            let synthetic = action.synthetic;
            let words = action
                .words
                .into_iter()
                .map(|t| RWord {
                    word: Word::literal(t),
                    code: None,
                })
                .collect();
            let start = self.commands.len();
            if self.nest < super::MAX_NEST {
                self.nest += 1;
                self.finish(words, Vec::new(), Vec::new(), None, Vec::new(), &c);
                self.nest -= 1;
            }
            for cmd in &mut self.commands[start..] {
                cmd.synthetic |= synthetic;
            }
        }
    }
}
