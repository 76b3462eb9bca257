//! Peeling wrappers (`sudo`, `env`, `timeout`, `nice`, `xargs`, `parallel`,
//! …) off a command to reach the command they run. Where a wrapper's
//! command starts in its arguments is `crate::wrappers`' business; this
//! step applies it repeatedly, keeps the wrappers' `NAME=value` environment
//! assignments, gives `xargs` the items it can know, fills in `parallel`'s
//! `:::` inputs, and collects the shell code that wrappers such as `su -c`,
//! `flock -c`, `env -S` and `watch` run.

use super::find_exec::find_roots;
use super::{normalise_name, printed_text, Builder, RWord};
use crate::model::{AssignKind, Assignment, Via, Word};
use crate::wrappers::{self, Unwrap};

/// Most wrappers peeled off one command (`sudo timeout 5 nice env rm`).
const MAX_WRAPPERS: usize = 8;

/// A command with its wrappers removed.
pub(super) struct Unwrapped {
    /// The normalised name of the command finally run.
    pub name: String,
    /// That name as written.
    pub written_name: String,
    /// Its arguments (with `xargs` items and `parallel` inputs added).
    pub args: Vec<RWord>,
    /// The wrappers removed, outermost first.
    pub wrappers: Vec<String>,
    /// Substitutions in the words that name the command and in the code
    /// strings given to wrappers: their output is run.
    pub exec_from: Vec<usize>,
    /// Shell code a wrapper runs (`su -c`, `flock -c`, `env -S`, `watch`, a
    /// `parallel` command string), to analyse one level deeper.
    pub code: Vec<(String, Via)>,
    /// The command was rewritten as the one it behaves as (`npx rimraf P`
    /// is `rm -r -f P`).
    pub synthetic: bool,
    /// A runner's command (`npx rimraf P`: `rimraf P`), built as a child of
    /// the runner, which stays the command.
    pub runs: Option<Vec<RWord>>,
}

/// npm command-line tools that delete their operands, run by name or
/// through a package runner (`npx rimraf dist`), and whether they are only
/// recognised through a runner (`del`, `trash` are common names).
const NPM_DELETERS: &[(&str, bool)] = &[
    ("rimraf", false),
    ("del-cli", false),
    ("del", true),
    ("delete", true),
    ("trash", true),
    ("trash-cli", true),
];

/// Package runners that fetch and run an npm package's command.
const NPM_RUNNERS: &[&str] = &["npx", "bunx", "npm", "pnpm", "yarn"];

impl Builder {
    /// Remove the wrappers in front of the command named by `first`, adding
    /// their `NAME=value` words to `assigns` as [`AssignKind::Env`].
    pub(super) fn unwrap_wrappers(
        &self,
        first: RWord,
        args: Vec<RWord>,
        stdin_from: &[usize],
        assigns: &mut Vec<Assignment>,
        outer: Vec<String>,
    ) -> Unwrapped {
        let mut exec_from: Vec<usize> = first.word.subst.clone();
        let mut written_name = first.word.text.clone();
        let mut name = normalise_name(&written_name);
        let mut args = args;
        let mut wrappers_used: Vec<String> = outer;
        let mut code: Vec<(String, Via)> = Vec::new();
        let mut runs: Option<Vec<RWord>> = None;
        let mut via_parallel = false;
        for _ in 0..MAX_WRAPPERS {
            let texts: Vec<&str> = args.iter().map(|a| a.word.text.as_str()).collect();
            let (at, assign_from) = match wrappers::unwrap(&name, &texts) {
                Unwrap::None => break,
                Unwrap::At(at) => (at, at),
                Unwrap::AtWithEnv { at, assign_from } => (at, assign_from),
                Unwrap::Code { at, text } => {
                    exec_from.extend(
                        args.get(at)
                            .map(|a| a.word.subst.clone())
                            .unwrap_or_default(),
                    );
                    let text = match args.get(at) {
                        Some(a) if a.code.is_some() => text.replace(&a.word.text, a.code_text()),
                        _ => text,
                    };
                    code.push((text, Via::ShellString));
                    break;
                }
                Unwrap::JoinedCode(from) => {
                    let joined: Vec<&str> = args[from..].iter().map(RWord::code_text).collect();
                    code.push((joined.join(" "), Via::ShellString));
                    break;
                }
            };
            if wrappers::is_runner(&name) {
                // The runner stays; what it runs becomes its child.
                runs = Some(args.get(at..).unwrap_or_default().to_vec());
                break;
            }
            for a in args.iter().take(at).skip(assign_from) {
                if let Some((n, v)) = a.word.text.split_once('=') {
                    let mut value = a.word.clone();
                    value.text = v.to_string();
                    assigns.push(Assignment {
                        name: n.trim_end_matches('+').to_string(),
                        value,
                        append: n.ends_with('+'),
                        kind: AssignKind::Env,
                    });
                }
            }
            let is_xargs = name == "xargs";
            via_parallel |= name == "parallel";
            wrappers_used.push(std::mem::take(&mut name));
            // In place: the wrapper's own words go, its command's stay.
            args.drain(..at);
            let head = args.remove(0);
            exec_from.extend(head.word.subst.iter().copied());
            written_name = head.word.text;
            name = normalise_name(&written_name);
            if is_xargs {
                self.add_xargs_items(stdin_from, &mut args);
            }
        }
        if via_parallel {
            add_parallel_inputs(&mut args);
            if written_name.contains(' ') {
                code.push((written_name.clone(), Via::ShellString));
            }
        }
        let mut synthetic = false;
        if runs.is_none() && is_npm_deleter(&name, &wrappers_used) {
            // `rimraf P…` / `npx del-cli P…` remove their operands recursively.
            let mut operands: Vec<RWord> = args
                .into_iter()
                .filter(|a| !a.word.text.starts_with('-'))
                .collect();
            let mut rewritten = vec![plain("-r"), plain("-f")];
            rewritten.append(&mut operands);
            args = rewritten;
            name = "rm".to_string();
            synthetic = true;
        }
        Unwrapped {
            name,
            written_name,
            args,
            wrappers: wrappers_used,
            exec_from,
            code,
            synthetic,
            runs,
        }
    }

    /// The items `xargs` reads become arguments: add those we can know
    /// (`echo`/`printf` output, even of `$HOME`; `find` starting points;
    /// `ls -d` operands; `pwd`, the working directory as `$PWD`; the output
    /// of constant text transformed).
    fn add_xargs_items(&self, stdin_from: &[usize], args: &mut Vec<RWord>) {
        let mut items: Vec<Word> = Vec::new();
        for &p in stdin_from {
            let Some(producer) = self.commands.get(p) else {
                continue;
            };
            match producer.name.as_str() {
                "echo" | "printf" => {
                    let lenient: Vec<Word> = producer
                        .args
                        .iter()
                        .map(|a| Word {
                            dynamic: a.dynamic && !a.subst.is_empty(),
                            ..a.clone()
                        })
                        .collect();
                    if let Some(text) = printed_text(&producer.name, &lenient) {
                        items.extend(text.split_whitespace().map(Word::literal));
                    }
                }
                "find" => items.extend(find_roots(&producer.args).into_iter().map(Word::literal)),
                "pwd" => items.push(Word::literal("$PWD")),
                "ls" if producer.has_short('d') || producer.has_long("directory") => {
                    items.extend(producer.operands().map(|w| Word::literal(w.text.clone())));
                }
                "realpath" | "readlink" => {
                    items.extend(producer.operands().map(|w| Word::literal(w.text.clone())));
                }
                _ => {
                    if let Some(text) = self.output_of(p, 0) {
                        items.extend(text.split_whitespace().map(Word::literal));
                    }
                }
            }
        }
        for item in items {
            match args.iter().position(|a| a.word.text == "{}") {
                Some(i) => args[i].word = item,
                None => args.push(RWord {
                    word: item,
                    code: None,
                    fields: None,
                }),
            }
        }
    }
}

fn plain(text: &str) -> RWord {
    RWord {
        word: Word::literal(text),
        code: None,
        fields: None,
    }
}

/// `rimraf`, `del-cli` by name, or a deleter run through a package runner.
fn is_npm_deleter(name: &str, wrappers_used: &[String]) -> bool {
    // `rimraf@5` names a version of the package.
    let package = match name.char_indices().skip(1).find(|(_, c)| *c == '@') {
        Some((i, _)) => &name[..i],
        None => name,
    };
    let via_runner = wrappers_used
        .last()
        .is_some_and(|w| NPM_RUNNERS.contains(&w.as_str()));
    NPM_DELETERS
        .iter()
        .any(|(n, runner_only)| *n == package && (via_runner || !runner_only))
}

/// `parallel CMD ::: INPUT…`: the first input replaces `{}` in the command's
/// arguments; without a `{}` the inputs are appended.
fn add_parallel_inputs(args: &mut Vec<RWord>) {
    let Some(sep) = args.iter().position(|a| a.word.text.starts_with(":::")) else {
        return;
    };
    let inputs: Vec<RWord> = args.split_off(sep).into_iter().skip(1).collect();
    let first_input = inputs.first().map(|i| i.word.text.clone());
    let mut replaced = false;
    for a in args.iter_mut() {
        if let Some(input) = &first_input {
            if a.word.text.contains("{}") {
                a.word.text = a.word.text.replace("{}", input);
                replaced = true;
            }
        }
    }
    if !replaced {
        args.extend(inputs);
    }
}
