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
}

impl Builder {
    /// Remove the wrappers in front of the command named by `first`, adding
    /// their `NAME=value` words to `assigns` as [`AssignKind::Env`].
    pub(super) fn unwrap_wrappers(
        &self,
        first: RWord,
        args: Vec<RWord>,
        stdin_from: &[usize],
        assigns: &mut Vec<Assignment>,
    ) -> Unwrapped {
        let mut exec_from: Vec<usize> = first.word.subst.clone();
        let mut written_name = first.word.text.clone();
        let mut name = normalise_name(&written_name);
        let mut args = args;
        let mut wrappers_used: Vec<String> = Vec::new();
        let mut code: Vec<(String, Via)> = Vec::new();
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
            let mut rest = args.split_off(at);
            let head = rest.remove(0);
            args = rest;
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
        Unwrapped {
            name,
            written_name,
            args,
            wrappers: wrappers_used,
            exec_from,
            code,
        }
    }

    /// The items `xargs` reads become arguments: add those we can know
    /// (literal `echo`/`printf` output, `find` starting points).
    fn add_xargs_items(&self, stdin_from: &[usize], args: &mut Vec<RWord>) {
        let mut items: Vec<Word> = Vec::new();
        for &p in stdin_from {
            let Some(producer) = self.commands.get(p) else {
                continue;
            };
            match producer.name.as_str() {
                "echo" | "printf" => {
                    if let Some(text) = printed_text(&producer.name, &producer.args) {
                        items.extend(text.split_whitespace().map(Word::literal));
                    }
                }
                "find" => items.extend(find_roots(&producer.args).into_iter().map(Word::literal)),
                _ => {}
            }
        }
        for item in items {
            match args.iter().position(|a| a.word.text == "{}") {
                Some(i) => args[i].word = item,
                None => args.push(RWord {
                    word: item,
                    code: None,
                }),
            }
        }
    }
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
