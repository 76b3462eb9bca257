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

/// What the entries `find` acts on look like: each starting point, or,
/// when the expression tests names (`-name '*.pyc'`, `-path './build/*'`),
/// the matching entries below it (`ROOT/**/*.pyc`). A negated test
/// (`! -name x`, `-not -name x`) narrows nothing.
fn targets_of(args: &[&str], roots: &[String]) -> (Vec<String>, bool) {
    let mut names = Vec::new();
    let mut paths = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let negated = i > 0 && matches!(args[i - 1], "!" | "-not");
        let Some(pattern) = args.get(i + 1) else {
            continue;
        };
        if negated {
            continue;
        }
        match *a {
            "-name" | "-iname" => names.push((*pattern).to_string()),
            "-path" | "-ipath" | "-wholename" | "-iwholename" => paths.push((*pattern).to_string()),
            _ => {}
        }
    }
    // Only a relative start (`.`, `src`) is narrowed: from `/`, `~` or an
    // absolute directory the matches can be anywhere in the system or the
    // home directory, and the delete rules judge that as the root itself.
    let relative = roots
        .iter()
        .all(|r| !r.starts_with(['/', '~', '$']) && !r.contains(".."));
    if (names.is_empty() && paths.is_empty()) || !relative {
        return (roots.to_vec(), false);
    }
    let mut out = paths;
    for root in roots {
        for n in &names {
            out.push(format!("{}/**/{n}", root.trim_end_matches('/')));
        }
    }
    (out, true)
}

/// Commands `find` runs: each `-exec`/`-execdir`/`-ok`/`-okdir` (with `{}`
/// standing for the entries found) and `-delete` as `rm -r -f ROOT`, or as
/// `rm -f ROOT/**/NAME` when names are tested (`-delete` removes a
/// directory only when it is empty, so a name test is not recursive).
fn find_actions(args: &[&str]) -> Vec<FindAction> {
    let roots = roots_of(args);
    let (targets, narrowed) = targets_of(args, &roots);
    let root = targets.first().cloned().unwrap_or_else(|| ".".into());
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
            let mut words = if narrowed {
                vec!["rm".to_string(), "-f".into()]
            } else {
                vec!["rm".to_string(), "-r".into(), "-f".into()]
            };
            words.extend(targets.iter().cloned());
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
                .map(|t| RWord::plain(Word::literal(t)))
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
