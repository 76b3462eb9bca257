//! Shell command analysis for agentops.
//!
//! [`analyse`] parses a Bash command string with brush-parser and lists every
//! simple command the shell could run, normalised the way rules need it:
//! quoting and `$'…'` escapes resolved, directories and backslashes stripped
//! from names, wrappers (`sudo`, `env`, `timeout`, `xargs`, `find -exec`, …)
//! unwrapped, and code run indirectly (`sh -c`, `eval`, heredocs and pipes
//! into shells, scripts written then run, interpreter shell-outs) analysed
//! too, down to [`MAX_DEPTH`] levels. Data flow between commands (pipes,
//! substitutions, files written then read) is kept for exfiltration rules.
//!
//! Strings the parser rejects are tokenized instead; those commands are
//! marked [`Command::approximate`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod analyse;
mod fallback;
mod interp;
mod model;
pub mod paths;
mod words;
mod wrappers;

use std::cell::RefCell;
use std::rc::Rc;

pub use analyse::{analyse, MAX_DEPTH};
pub use model::{
    Analysis, AssignKind, Assignment, Command, FileWrite, Flag, Function, InlineCode, Lang, Origin,
    ParseStatus, Redirect, RedirectKind, Via, Word,
};

thread_local! {
    static LAST: RefCell<Option<(String, Rc<Analysis>)>> = const { RefCell::new(None) };
}

/// [`analyse`], remembering the last result on this thread so that the
/// several Bash policies of one hook run share a single parse.
pub fn analyse_cached(src: &str) -> Rc<Analysis> {
    LAST.with(|cell| {
        if let Some((s, a)) = cell.borrow().as_ref() {
            if s == src {
                return Rc::clone(a);
            }
        }
        let a = Rc::new(analyse(src));
        *cell.borrow_mut() = Some((src.to_string(), Rc::clone(&a)));
        a
    })
}
