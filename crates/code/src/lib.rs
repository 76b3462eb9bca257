//! What a piece of inline program text does, as typed facts.
//!
//! [`analyse`] reads program text in one of the [`Language`]s that coding
//! agents hand to interpreters (`python -c`, `node -e`, `perl -e`, `awk`,
//! `pwsh -c`, `sqlite3 '.shell …'`, `vim -c ':!…'`, …) and lists what it
//! would do: the shell commands it runs (a string handed to a shell, or an
//! argument list joined with shell quoting), the paths it deletes (and
//! whether recursively), writes, appends and reads, whether it uses the
//! network, reads the environment, wires a socket to a shell, or evaluates
//! text it decoded or downloaded.
//!
//! Python is read with Ruff's parser and JavaScript/TypeScript with oxc's;
//! the other languages with a small tokenizer. Values are folded only when
//! they are known: string constants, their concatenation, f-strings and
//! template literals of constants, and the home directory in its many
//! spellings (`os.path.expanduser('~')`, `os.homedir()`, `$ENV{HOME}`,
//! `Dir.home`, `getenv("HOME")`, …), which becomes `~`. Anything else stays
//! unknown and produces no fact. A parse error falls back to the tokenizer;
//! nothing panics on input, and input past [`MAX_CODE`] bytes is cut.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod b64;
mod js;
mod python;
mod tokens;

pub use b64::decode_powershell;

/// Longest program text analysed, in bytes; the rest is ignored.
pub const MAX_CODE: usize = 64 * 1024;

/// How many levels of `eval`/`exec` of known text are followed.
const MAX_EVAL_DEPTH: u8 = 3;

/// Longest text handed to a parser, in bytes; longer text is tokenized.
const MAX_PARSE: usize = 16 * 1024;

/// Text this short is parsed on the calling thread (starting a thread
/// costs more than parsing it).
const SMALL_PARSE: usize = 256;

/// Stack for a parser's thread: operator chains (`1+1+…`, `- - -…`) nest
/// without brackets, and parsers and tree walks recurse on them.
const PARSER_STACK: usize = 256 * 1024 * 1024;

/// Run a parser on a thread of its own with a large stack; `None` when it
/// panicked or the thread could not be made.
fn with_big_stack<T: Send>(f: impl FnOnce() -> Option<T> + Send) -> Option<T> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("agentops-code-parser".into())
            .stack_size(PARSER_STACK)
            .spawn_scoped(scope, f)
            .ok()?
            .join()
            .ok()
            .flatten()
    })
}

/// Deepest bracket nesting handed to a parser; deeper text is tokenized.
const MAX_NESTING: usize = 100;

/// The language of a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Python 3.
    Python,
    /// JavaScript or TypeScript (Node, Deno, Bun).
    JavaScript,
    /// Perl 5.
    Perl,
    /// Ruby.
    Ruby,
    /// PHP.
    Php,
    /// Lua.
    Lua,
    /// awk, gawk, mawk, nawk.
    Awk,
    /// PowerShell.
    PowerShell,
    /// R (`Rscript -e`).
    R,
    /// Julia.
    Julia,
    /// Tcl (`tclsh`, `wish`, `expect`).
    Tcl,
    /// AppleScript (`osascript -e`).
    AppleScript,
    /// sqlite3 dot-commands and SQL.
    Sqlite,
    /// vim/nvim ex commands (`-c`, `+`).
    Vim,
    /// Emacs Lisp (`emacs --eval`).
    EmacsLisp,
    /// gdb commands (`-ex`).
    Gdb,
}

/// A path a program deletes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delete {
    /// The path (`~` for the home directory).
    pub path: String,
    /// The whole tree under it goes (`shutil.rmtree`, `rm_rf`, deleting
    /// every file a walk or glob of it finds).
    pub recursive: bool,
}

/// A path a program writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    /// The path (`~` for the home directory).
    pub path: String,
    /// Opened for appending rather than truncated.
    pub append: bool,
}

/// Everything [`analyse`] found in a program.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Shell command lines the program runs, in order.
    pub commands: Vec<String>,
    /// Paths it deletes.
    pub deletes: Vec<Delete>,
    /// Paths it writes or appends to.
    pub writes: Vec<Write>,
    /// Paths it reads.
    pub reads: Vec<String>,
    /// URLs (or hosts) it talks to, when known.
    pub urls: Vec<String>,
    /// It uses the network (a request, a socket, a mail or FTP client).
    pub network: bool,
    /// It sends data over the network (a POST/PUT, a socket send, an upload).
    pub network_send: bool,
    /// It reads environment variables.
    pub reads_env: bool,
    /// It connects a socket to a shell's standard streams (a reverse shell).
    pub socket_shell: bool,
    /// It evaluates text it decoded (base64, hex, …).
    pub evals_decoded: bool,
    /// It evaluates text it downloaded.
    pub evals_downloaded: bool,
    /// It runs each line of its input as a shell command (`awk '{system($0)}'`).
    pub runs_input: bool,
    /// The text was cut at [`MAX_CODE`] bytes.
    pub truncated: bool,
    /// A real parser read the text (not the tokenizer fallback).
    pub parsed: bool,
}

impl Facts {
    /// Nothing of interest was found.
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
            && self.deletes.is_empty()
            && self.writes.is_empty()
            && self.reads.is_empty()
            && !self.network
            && !self.socket_shell
            && !self.evals_decoded
            && !self.evals_downloaded
            && !self.runs_input
    }

    fn merge(&mut self, other: Facts) {
        self.commands.extend(other.commands);
        self.deletes.extend(other.deletes);
        self.writes.extend(other.writes);
        self.reads.extend(other.reads);
        self.urls.extend(other.urls);
        self.network |= other.network;
        self.network_send |= other.network_send;
        self.reads_env |= other.reads_env;
        self.socket_shell |= other.socket_shell;
        self.evals_decoded |= other.evals_decoded;
        self.evals_downloaded |= other.evals_downloaded;
        self.runs_input |= other.runs_input;
    }
}

/// Analyse program text written in `lang`.
pub fn analyse(lang: Language, code: &str) -> Facts {
    analyse_at(lang, code, 0)
}

fn analyse_at(lang: Language, code: &str, depth: u8) -> Facts {
    let (code, truncated) = bounded(code);
    let parser: Option<fn(&str, u8) -> Option<Facts>> = match lang {
        Language::Python => Some(python::analyse),
        Language::JavaScript => Some(js::analyse),
        _ => None,
    };
    let parsed = match parser {
        // Short text cannot nest deeply enough to exhaust a normal stack;
        // longer text is parsed on a thread of its own.
        Some(parse) if code.len() <= SMALL_PARSE && nesting_ok(code) => parse(code, depth),
        Some(parse) if code.len() <= MAX_PARSE && nesting_ok(code) => {
            with_big_stack(|| parse(code, depth))
        }
        _ => None,
    };
    let mut facts = parsed.unwrap_or_else(|| tokens::analyse(lang, code, depth));
    facts.truncated |= truncated;
    dedup(&mut facts.commands);
    dedup(&mut facts.reads);
    dedup(&mut facts.urls);
    dedup(&mut facts.deletes);
    dedup(&mut facts.writes);
    facts
}

/// Code given to `exec`/`eval`: analysed one level deeper when known.
pub(crate) fn nested(lang: Language, code: &str, depth: u8, facts: &mut Facts) {
    if depth >= MAX_EVAL_DEPTH {
        return;
    }
    let inner = analyse_at(lang, code, depth + 1);
    facts.merge(inner);
}

fn dedup<T: PartialEq>(v: &mut Vec<T>) {
    let mut i = 0;
    while i < v.len() {
        if v[..i].contains(&v[i]) {
            v.remove(i);
        } else {
            i += 1;
        }
    }
}

/// The first [`MAX_CODE`] bytes of `code`, cut at a character boundary.
fn bounded(code: &str) -> (&str, bool) {
    if code.len() <= MAX_CODE {
        return (code, false);
    }
    let mut end = MAX_CODE;
    while !code.is_char_boundary(end) {
        end -= 1;
    }
    (&code[..end], true)
}

/// Whether brackets nest shallowly enough for a recursive parser.
fn nesting_ok(code: &str) -> bool {
    let mut depth = 0usize;
    for b in code.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return false;
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    true
}

/// A value as far as the analysis can know it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    /// A known string (paths keep `~` for the home directory).
    Str(String),
    /// Known text produced by decoding (base64, hex, …).
    Decoded(String),
    /// Some path somewhere inside this directory (a walk, a glob).
    Under(String),
    /// A list or tuple.
    List(Vec<Val>),
    /// A module, class or function, by qualified name.
    Name(String),
    /// Data that came from the network.
    Downloaded,
    /// Data read from a socket the program opened (`gets $sock`).
    FromSocket,
    /// A boolean constant.
    Bool(bool),
    /// An object literal / keyword arguments: `{recursive: true}`.
    Obj(Vec<(String, Val)>),
    /// Not known.
    Unknown,
}

impl Val {
    pub(crate) fn str(&self) -> Option<&str> {
        match self {
            Val::Str(s) | Val::Decoded(s) => Some(s),
            _ => None,
        }
    }

    /// The path this value names and whether it stands for everything
    /// under a directory.
    pub(crate) fn path(&self) -> Option<(&str, bool)> {
        match self {
            Val::Str(s) | Val::Decoded(s) if !s.is_empty() => Some((s, false)),
            Val::Under(s) => Some((s, true)),
            _ => None,
        }
    }

    pub(crate) fn field(&self, name: &str) -> Option<&Val> {
        match self {
            Val::Obj(fields) => fields.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn truthy(&self) -> bool {
        match self {
            Val::Bool(b) => *b,
            Val::Str(s) => !s.is_empty(),
            _ => false,
        }
    }

    /// Concatenation: known only when both sides are.
    pub(crate) fn concat(&self, other: &Val) -> Val {
        match (self, other) {
            (Val::Str(a) | Val::Decoded(a), Val::Str(b) | Val::Decoded(b)) => {
                Val::Str(format!("{a}{b}"))
            }
            (Val::Under(a), _) => Val::Under(a.clone()),
            // Text that holds downloaded or received text is still that.
            (Val::Downloaded, _) | (_, Val::Downloaded) => Val::Downloaded,
            (Val::FromSocket, _) | (_, Val::FromSocket) => Val::FromSocket,
            _ => Val::Unknown,
        }
    }

    /// The items of a list value (or the value itself).
    pub(crate) fn items(&self) -> Vec<Val> {
        match self {
            Val::List(v) => v.clone(),
            other => vec![other.clone()],
        }
    }
}

/// `~`, the home directory, and paths under it: the value a home lookup gives.
pub(crate) fn home() -> Val {
    Val::Str("~".into())
}

/// Join path parts the way `os.path.join` / `path.join` do.
pub(crate) fn join_paths(parts: &[Val]) -> Val {
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        match p {
            Val::Under(dir) => {
                // Anything under a directory stays under it.
                return if i == 0 {
                    Val::Under(dir.clone())
                } else {
                    Val::Unknown
                };
            }
            Val::Str(s) | Val::Decoded(s) => {
                if s.starts_with('/') || out.is_empty() {
                    out = s.clone();
                } else {
                    if !out.ends_with('/') {
                        out.push('/');
                    }
                    out.push_str(s);
                }
            }
            Val::Unknown if i > 0 => {
                // `join(known_dir, unknown)`: some path inside the directory.
                return if out.is_empty() {
                    Val::Unknown
                } else {
                    Val::Under(out)
                };
            }
            _ => return Val::Unknown,
        }
    }
    Val::Str(out)
}

/// What a glob pattern may match: the pattern itself when it has no
/// wildcard, else everything under its fixed leading directory.
pub(crate) fn glob(pattern: &Val) -> Val {
    let Some(p) = pattern.str() else {
        return match pattern {
            Val::Under(d) => Val::Under(d.clone()),
            _ => Val::Unknown,
        };
    };
    let Some(star) = p.find(['*', '?', '[', '{']) else {
        return Val::Str(p.to_string());
    };
    let fixed = &p[..star];
    let dir = match fixed.rfind('/') {
        Some(0) => "/",
        Some(i) => &fixed[..i],
        None => ".",
    };
    Val::Under(dir.to_string())
}

/// Quote words for a shell the way `shlex.join` does.
pub fn shell_join<S: AsRef<str>>(words: &[S]) -> String {
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&shell_quote(w.as_ref()));
    }
    out
}

/// One word quoted for a shell; `~` and `~/…` stay unquoted so that the
/// shell (and the analyser) expands them the way the program would have.
pub fn shell_quote(w: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./-_~".contains(c);
    if !w.is_empty() && w.chars().all(safe) {
        if w.starts_with('~') && !(w == "~" || w.starts_with("~/")) {
            return format!("'{w}'");
        }
        return w.to_string();
    }
    if let Some(rest) = w.strip_prefix("~/") {
        return format!("~/'{}'", rest.replace('\'', "'\\''"));
    }
    format!("'{}'", w.replace('\'', "'\\''"))
}

/// Collects facts while a language's walker meets calls.
#[derive(Default)]
pub(crate) struct Sink {
    pub facts: Facts,
    pub depth: u8,
    /// A socket was made.
    pub socket: bool,
    /// Standard streams were redirected (`os.dup2`, `fdopen`).
    pub dup: bool,
}

impl Sink {
    pub(crate) fn new(depth: u8) -> Sink {
        Sink {
            depth,
            ..Sink::default()
        }
    }

    /// A string handed to a shell.
    pub(crate) fn shell(&mut self, v: &Val) {
        if *v == Val::FromSocket {
            // Commands received over a socket: a network shell.
            self.facts.socket_shell = true;
            self.facts.network = true;
        }
        if let Some(s) = v.str() {
            let s = s.trim();
            if !s.is_empty() {
                if is_interactive_shell(&[s]) {
                    self.facts.socket_shell |= self.socket && self.dup;
                }
                self.facts.commands.push(s.to_string());
            }
        }
    }

    /// An argument vector run without a shell.
    pub(crate) fn argv(&mut self, v: &[Val]) {
        if v.iter().flat_map(Val::items).any(|w| w == Val::FromSocket) {
            // `exec sh -c [gets $sock]`: commands received over a socket.
            self.facts.socket_shell = true;
            self.facts.network = true;
        }
        let mut words = Vec::new();
        for w in v {
            match w {
                Val::List(inner) => {
                    for i in inner {
                        match i.str() {
                            Some(s) => words.push(s.to_string()),
                            None => words.push(unknown_word(i)),
                        }
                    }
                }
                other => match other.str() {
                    Some(s) => words.push(s.to_string()),
                    None => words.push(unknown_word(other)),
                },
            }
        }
        // The program name must be known; unknown later words keep a
        // placeholder so the rest of the command still reads right.
        if words.first().is_none_or(|w| w.starts_with('$')) {
            return;
        }
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        if is_interactive_shell(&refs) {
            self.facts.socket_shell |= self.socket && self.dup;
        }
        self.facts.commands.push(shell_join(&words));
    }

    pub(crate) fn delete(&mut self, v: &Val, recursive: bool) {
        if let Some((p, under)) = v.path() {
            self.facts.deletes.push(Delete {
                path: p.to_string(),
                recursive: recursive || under,
            });
        }
    }

    pub(crate) fn write(&mut self, v: &Val, append: bool) {
        if let Some((p, _)) = v.path() {
            self.facts.writes.push(Write {
                path: p.to_string(),
                append,
            });
        }
    }

    pub(crate) fn read(&mut self, v: &Val) {
        if let Some((p, _)) = v.path() {
            if p.contains("://") {
                self.url(v);
            } else {
                self.facts.reads.push(p.to_string());
            }
        }
    }

    pub(crate) fn url(&mut self, v: &Val) {
        self.facts.network = true;
        if let Some(s) = v.str() {
            self.facts.urls.push(s.to_string());
        }
    }

    /// Code evaluated in the same language.
    pub(crate) fn eval(&mut self, lang: Language, v: &Val) {
        match v {
            Val::Decoded(s) => {
                self.facts.evals_decoded = true;
                nested(lang, s, self.depth, &mut self.facts);
            }
            Val::Str(s) => nested(lang, s, self.depth, &mut self.facts),
            Val::Downloaded => {
                self.facts.evals_downloaded = true;
                self.facts.network = true;
            }
            Val::FromSocket => {
                // Code received over a socket: a network shell.
                self.facts.socket_shell = true;
                self.facts.network = true;
            }
            _ => {}
        }
    }

    pub(crate) fn finish(mut self) -> Facts {
        if self.socket && self.dup && !self.facts.commands.is_empty() {
            self.facts.socket_shell = true;
        }
        if self.socket {
            self.facts.network = true;
        }
        self.facts
    }
}

/// A placeholder word for an argument whose value is unknown.
fn unknown_word(_v: &Val) -> String {
    "$UNKNOWN".to_string()
}

/// `sh`, `bash -i`, `/bin/sh`: a shell reading commands from its input.
fn is_interactive_shell(words: &[&str]) -> bool {
    let Some(first) = words.first() else {
        return false;
    };
    let first = first.split_whitespace().next().unwrap_or("");
    let name = first.rsplit('/').next().unwrap_or(first);
    matches!(
        name,
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash" | "fish"
    ) && {
        let rest: Vec<&str> = words
            .iter()
            .flat_map(|w| w.split_whitespace())
            .skip(1)
            .collect();
        rest.is_empty()
            || rest
                .iter()
                .all(|w| matches!(*w, "-i" | "-l" | "-il" | "-li"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(shell_join(&["rm", "-rf", "~"]), "rm -rf ~");
        assert_eq!(shell_join(&["echo", "a b"]), "echo 'a b'");
        assert_eq!(shell_join(&["x", "it's"]), "x 'it'\\''s'");
        assert_eq!(shell_join(&["ls", "~/a b"]), "ls ~/'a b'");
    }

    #[test]
    fn paths_fold() {
        assert_eq!(
            join_paths(&[home(), Val::Str(".bashrc".into())]),
            Val::Str("~/.bashrc".into())
        );
        assert_eq!(glob(&Val::Str("~/*".into())), Val::Under("~".into()));
        assert_eq!(glob(&Val::Str("/*".into())), Val::Under("/".into()));
        assert_eq!(
            join_paths(&[Val::Under("/home/u".into()), Val::Unknown]),
            Val::Under("/home/u".into())
        );
    }

    #[test]
    fn bounded_input() {
        let big = "é".repeat(MAX_CODE);
        let (cut, t) = bounded(&big);
        assert!(t && cut.len() <= MAX_CODE);
        assert!(!nesting_ok(&"(".repeat(1000)));
    }
}

#[cfg(test)]
mod deep_tests {
    use super::*;

    #[test]
    fn long_operator_chains_do_not_overflow() {
        for n in [120usize, 250, 500, 1000, 8000] {
            let chain = format!("x = {}1", "1+".repeat(n));
            let _ = analyse(Language::Python, &chain);
            let _ = analyse(Language::JavaScript, &chain);
            let _ = analyse(Language::Perl, &chain);
            let calls = format!("{}1{}", "f(".repeat(n), ")".repeat(n));
            let _ = analyse(Language::Python, &calls);
            let attrs = format!("a{}", ".b".repeat(n));
            let _ = analyse(Language::Python, &attrs);
            let _ = analyse(Language::JavaScript, &attrs);
            let nots = format!("x = {}1", "not ".repeat(n));
            let _ = analyse(Language::Python, &nots);
            let neg = format!("x = {}1", "-".repeat(n));
            let _ = analyse(Language::Python, &neg);
            let _ = analyse(Language::JavaScript, &neg);
            let words = "system ".repeat(n);
            let _ = analyse(Language::Perl, &words);
            let _ = analyse(Language::Ruby, &"(".repeat(n));
        }
    }
}
