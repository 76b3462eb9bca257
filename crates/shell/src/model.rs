//! The normalised command model every Bash rule reads.
//!
//! One [`Analysis`] per command string: every simple command the shell could
//! run (including those inside substitutions, `sh -c` strings, `eval`,
//! heredocs fed to a shell, scripts written earlier in the same command and
//! shell-outs of inline interpreter code), in execution order, with the data
//! flow between them (pipes, substitutions, files written then read).

use std::fmt;

/// How the text of a command became code the shell runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Written directly in the command string.
    Top,
    /// Inside `$(…)` or backticks: runs first, its output becomes text.
    Substitution,
    /// Inside `<(…)` or `>(…)`.
    ProcessSubstitution,
    /// A string a shell was told to run: `sh -c`, `su -c`, `watch`, `flock -c`, `env -S`.
    ShellString,
    /// The arguments of `eval`.
    Eval,
    /// A heredoc or here-string fed to a shell.
    Heredoc,
    /// Literal text piped into a shell (`echo … | sh`).
    Piped,
    /// A script file written earlier in the same command and then run.
    ScriptFile,
    /// What inline interpreter code does: a shell-out (`os.system`,
    /// `execSync`, backticks) as written, or a synthetic command for a
    /// deletion, write, read or upload it makes (`shutil.rmtree(p)` is
    /// `rm -r -f p`).
    Interpreter,
    /// `find -exec`/`-execdir`/`-ok` and `-delete`.
    FindExec,
    /// The command a runner starts with its arguments (`npx rimraf`, `uv
    /// run`, `strace`, `systemd-run`); the runner is its parent.
    Runner,
}

impl Via {
    /// Code that a command string hands to another shell to run (the forms
    /// upstream calls "indirect execution").
    pub fn is_indirect(self) -> bool {
        matches!(
            self,
            Via::ShellString
                | Via::Eval
                | Via::Heredoc
                | Via::Piped
                | Via::ScriptFile
                | Via::Interpreter
        )
    }
}

/// Where a command came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// 0 for the command string itself, +1 per nested code string.
    pub depth: u8,
    /// How its text became code the shell runs.
    pub via: Via,
    /// The command whose argument, substitution or code this one is part of.
    pub parent: Option<usize>,
    /// Some ancestor ran this as indirect code (`sh -c`, `eval`, …).
    pub indirect: bool,
}

/// One word after quote removal. Expansions the analyser cannot know are kept
/// in their `$NAME` / `$(…)` spelling and mark the word dynamic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Word {
    /// The text after quote removal, with known variables substituted.
    pub text: String,
    /// Contains a parameter, command or arithmetic expansion that was not
    /// resolved to a literal.
    pub dynamic: bool,
    /// Some part was quoted (so it is not subject to globbing or splitting).
    pub quoted: bool,
    /// Ids of the commands run by substitutions inside the word.
    pub subst: Vec<usize>,
}

impl Word {
    /// A word that is plain text: not dynamic, not quoted, no substitutions.
    pub fn literal(text: impl Into<String>) -> Word {
        Word {
            text: text.into(),
            ..Word::default()
        }
    }
}

/// `NAME=value` as the shell sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The variable name (for `a[i]=v`, the array's name).
    pub name: String,
    /// The value; an array's items are joined with spaces.
    pub value: Word,
    /// `NAME+=value`.
    pub append: bool,
    /// Where the assignment was written, which decides what it affects.
    pub kind: AssignKind,
}

/// Where an assignment was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignKind {
    /// `NAME=v cmd`: only for that command's environment.
    Prefix,
    /// `NAME=v` on its own: a shell variable.
    Standalone,
    /// `export`, `declare`/`typeset`/`local`/`readonly` arguments.
    Declaration,
    /// `env NAME=v cmd` (and `sudo NAME=v cmd`).
    Env,
}

/// The operator of a redirection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectKind {
    /// `<file`
    Read,
    /// `>file`
    Write,
    /// `>>file`
    Append,
    /// `<>file`
    ReadWrite,
    /// `>|`
    Clobber,
    /// `>&N` / `<&N` / `&>`-style duplication to a file descriptor.
    Duplicate,
    /// `&>file` / `&>>file`.
    OutputAndError,
    /// `<<TAG` (the target holds the document's text).
    HereDoc,
    /// `<<<word` (the target holds the word).
    HereString,
}

impl RedirectKind {
    /// Whether the target is a file the command writes.
    pub fn writes(self) -> bool {
        matches!(
            self,
            RedirectKind::Write
                | RedirectKind::Append
                | RedirectKind::ReadWrite
                | RedirectKind::Clobber
                | RedirectKind::OutputAndError
        )
    }
}

/// One redirection of a command (its own or an enclosing compound command's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The file descriptor written before the operator (`2>`), if any.
    pub fd: Option<u32>,
    /// The operator.
    pub kind: RedirectKind,
    /// The file (or heredoc/here-string text).
    pub target: Word,
}

/// The language of inline program text given to an interpreter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// `python`, `python3`, `pypy`, … (`-c`).
    Python,
    /// `node`, `nodejs` (`-e`, `-p`, `--eval`, `--print`).
    Node,
    /// `perl` (`-e`, `-E`).
    Perl,
    /// `ruby` (`-e`).
    Ruby,
    /// `php` (`-r`).
    Php,
    /// `deno eval`.
    Deno,
    /// `bun` (`-e`, `--eval`, `-p`, `--print`).
    Bun,
    /// `lua`, `luajit` (`-e`).
    Lua,
    /// `awk`, `gawk`, `mawk`, `nawk` (the program operand, `-e`/`--source`).
    Awk,
    /// `pwsh`, `powershell` (`-Command`, `-EncodedCommand`, decoded).
    PowerShell,
    /// `Rscript`, `R` (`-e`).
    R,
    /// `julia` (`-e`, `-E`).
    Julia,
    /// `tclsh`, `wish`, `expect` (script on standard input, `expect -c`).
    Tcl,
    /// `osascript` (`-e`).
    AppleScript,
    /// `sqlite3` (SQL and dot-commands after the database, `-cmd`).
    Sqlite,
    /// `vim`, `nvim`, `vi`, `ex` (`-c`, `+cmd`, `--cmd`).
    Vim,
    /// `emacs`, `emacsclient` (`--eval`).
    Emacs,
    /// `gdb` (`-ex`, `-iex`, `--eval-command`).
    Gdb,
}

/// Inline program text given to an interpreter, as a string or on standard
/// input, or a script written earlier in the same command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineCode {
    /// The interpreter's language.
    pub lang: Lang,
    /// The program text (several `-e` programs joined with newlines).
    pub code: String,
}

/// One simple command, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// Index in [`Analysis::commands`].
    pub id: usize,
    /// The command name with directories and leading backslashes stripped,
    /// lowercased (macOS file systems ignore case), wrappers removed.
    pub name: String,
    /// The name as resolved before normalisation, e.g. `/bin/rm`.
    pub written_name: String,
    /// The arguments after the name: quotes removed, unquoted `{a,b}`
    /// groups expanded, plus the `xargs` items and `parallel` inputs the
    /// analyser can know.
    pub args: Vec<Word>,
    /// Prefix, standalone, declaration and `env` assignments.
    pub assignments: Vec<Assignment>,
    /// Own redirections plus those of enclosing compound commands.
    pub redirects: Vec<Redirect>,
    /// Wrappers removed to reach the command, outermost first (`sudo`, `env`, …).
    pub wrappers: Vec<String>,
    /// Where the command came from (top level, substitution, nested code, …).
    pub origin: Origin,
    /// Commands whose standard output reaches this command's standard input.
    pub stdin_from: Vec<usize>,
    /// Heredoc or here-string text given as standard input.
    pub stdin_text: Option<String>,
    /// Commands whose output this command runs as code (`curl … | sh`,
    /// `bash <(curl …)`, `eval "$(…)"`, a script written by `curl -o`).
    pub exec_from: Vec<usize>,
    /// Part of an `&&`/`||` list with at least two pipelines.
    pub conditional_chain: bool,
    /// Run in the background (`&`).
    pub background: bool,
    /// Position in its pipeline (index, length).
    pub pipe: (u16, u16),
    /// The program given to the command when it is an interpreter.
    pub inline_code: Option<InlineCode>,
    /// Built by the tokenizer fallback or from code that did not parse: the
    /// structure is a best guess.
    pub approximate: bool,
    /// Made up by the analyser (e.g. `rm -r -f ROOT` for `find ROOT -delete`).
    pub synthetic: bool,
}

impl Command {
    /// Arguments as text.
    pub fn arg_texts(&self) -> impl Iterator<Item = &str> {
        self.args.iter().map(|a| a.text.as_str())
    }

    /// Arguments that do not start with `-` (everything after `--`).
    pub fn operands(&self) -> impl Iterator<Item = &Word> {
        let mut after_dashdash = false;
        self.args.iter().filter(move |a| {
            if after_dashdash {
                return true;
            }
            if a.text == "--" {
                after_dashdash = true;
                return false;
            }
            !(a.text.starts_with('-') && a.text.len() > 1)
        })
    }

    /// Short flags with bundles split (`-rf` gives `r`, `f`) and long flags
    /// without their `=value`, up to `--`.
    pub fn flags(&self) -> Vec<Flag<'_>> {
        let mut out = Vec::new();
        for a in &self.args {
            let t = a.text.as_str();
            if t == "--" {
                break;
            }
            if let Some(long) = t.strip_prefix("--") {
                let name = long.split('=').next().unwrap_or(long);
                out.push(Flag::Long(name));
            } else if let Some(short) = t.strip_prefix('-') {
                out.extend(
                    short
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric())
                        .map(Flag::Short),
                );
            }
        }
        out
    }

    /// Whether short flag `c` is given, alone or in a bundle (`-rf`).
    pub fn has_short(&self, c: char) -> bool {
        // What `flags()` would list, without building the list: rules ask
        // this of every command many times.
        c.is_ascii_alphanumeric()
            && self
                .option_words()
                .any(|t| !t.starts_with("--") && t.strip_prefix('-').is_some_and(|s| s.contains(c)))
    }

    /// Whether long flag `--name` is given (with or without `=value`).
    pub fn has_long(&self, name: &str) -> bool {
        self.option_words().any(|t| {
            t.strip_prefix("--")
                .is_some_and(|long| long.split('=').next().unwrap_or(long) == name)
        })
    }

    /// The argument texts before `--`, where [`Command::flags`] looks.
    fn option_words(&self) -> impl Iterator<Item = &str> {
        self.args
            .iter()
            .map(|a| a.text.as_str())
            .take_while(|t| *t != "--")
    }

    /// Whether any word of the command (name, args, redirects) reads a
    /// substitution.
    pub fn all_subst(&self) -> impl Iterator<Item = usize> + '_ {
        self.args
            .iter()
            .chain(self.redirects.iter().map(|r| &r.target))
            .chain(self.assignments.iter().map(|a| &a.value))
            .flat_map(|w| w.subst.iter().copied())
    }

    /// Files the command writes through redirections.
    pub fn redirect_writes(&self) -> impl Iterator<Item = &Word> {
        self.redirects
            .iter()
            .filter(|r| r.kind.writes())
            .map(|r| &r.target)
    }

    /// Files the command reads through `<`.
    pub fn redirect_reads(&self) -> impl Iterator<Item = &Word> {
        self.redirects
            .iter()
            .filter(|r| matches!(r.kind, RedirectKind::Read | RedirectKind::ReadWrite))
            .map(|r| &r.target)
    }
}

impl fmt::Display for Command {
    /// The normalised command, as shown in a finding's subject.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for a in &self.assignments {
            if a.kind == AssignKind::Prefix || a.kind == AssignKind::Env {
                write!(f, "{}={} ", a.name, shown(&a.value.text))?;
            }
        }
        f.write_str(&self.name)?;
        for a in &self.args {
            write!(f, " {}", shown(&a.text))?;
        }
        for r in &self.redirects {
            let op = match r.kind {
                RedirectKind::Read => "<",
                RedirectKind::Write => ">",
                RedirectKind::Append => ">>",
                RedirectKind::ReadWrite => "<>",
                RedirectKind::Clobber => ">|",
                RedirectKind::Duplicate => ">&",
                RedirectKind::OutputAndError => "&>",
                RedirectKind::HereDoc => "<<",
                RedirectKind::HereString => "<<<",
            };
            if matches!(r.kind, RedirectKind::HereDoc) {
                f.write_str(" <<heredoc")?;
                continue;
            }
            let fd = r.fd.map(|n| n.to_string()).unwrap_or_default();
            write!(f, " {fd}{op}{}", shown(&r.target.text))?;
        }
        Ok(())
    }
}

/// Quote a word for display when it holds spaces or is empty; long words are
/// shortened so a subject stays one readable line.
fn shown(text: &str) -> String {
    let mut t: String = text.chars().take(120).collect();
    if t.len() < text.len() {
        t.push('…');
    }
    let t = t.replace('\n', "\\n");
    if t.is_empty() || t.contains([' ', '\t', ';', '|', '&']) {
        format!("'{}'", t.replace('\'', "'\\''"))
    } else {
        t
    }
}

/// One flag of a command, as listed by [`Command::flags`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag<'a> {
    /// A short flag (`-r`, or one letter of a bundle like `-rf`).
    Short(char),
    /// A long flag without the dashes and without its `=value`.
    Long(&'a str),
}

/// A function defined in the command (kept for fork-bomb detection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// The function's name.
    pub name: String,
    /// Ids of the commands in its body.
    pub body: std::ops::Range<usize>,
}

/// A file the command writes, in execution order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileWrite {
    /// Normalised path as written (`./a.sh` → `a.sh`).
    pub path: String,
    /// The id of the command that writes it.
    pub by: usize,
    /// The literal text written, when the analyser can know it.
    pub content: Option<String>,
    /// Commands whose output ends up in the file.
    pub from: Vec<usize>,
}

/// Whether the command string parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseStatus {
    /// The parser accepted the string.
    Parsed,
    /// The parser rejected the string; commands come from the tokenizer
    /// fallback and are approximate.
    Fallback {
        /// The parser's error message (or why the string was not parsed).
        error: String,
    },
}

/// Everything the analyser found in one command string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// Every simple command, in the order the analyser met them; a
    /// command's id is its index.
    pub commands: Vec<Command>,
    /// Functions defined in the command string.
    pub functions: Vec<Function>,
    /// Files written, in execution order.
    pub writes: Vec<FileWrite>,
    /// Whether the string parsed or was tokenized instead.
    pub status: ParseStatus,
    /// Nested code deeper than the cap was met; it was tokenized, not parsed.
    pub depth_capped: bool,
}

impl Analysis {
    /// Whether the string parsed ([`ParseStatus::Parsed`]).
    pub fn parsed(&self) -> bool {
        self.status == ParseStatus::Parsed
    }

    /// The command with this id.
    pub fn get(&self, id: usize) -> Option<&Command> {
        self.commands.get(id)
    }

    /// `id` and every command that feeds it through stdin, substitutions or
    /// executed code, transitively (fail-closed data lineage).
    pub fn lineage(&self, id: usize) -> Vec<usize> {
        let mut seen = vec![false; self.commands.len()];
        let mut stack = vec![id];
        let mut out = Vec::new();
        while let Some(i) = stack.pop() {
            if i >= seen.len() || seen[i] {
                continue;
            }
            seen[i] = true;
            out.push(i);
            let c = &self.commands[i];
            stack.extend(c.stdin_from.iter().copied());
            stack.extend(c.all_subst());
            stack.extend(c.exec_from.iter().copied());
            for r in c.redirect_reads() {
                if let Some(w) = self.last_write_before(&r.text, i) {
                    stack.push(w.by);
                    stack.extend(w.from.iter().copied());
                }
            }
        }
        out
    }

    /// The latest write to `path` made before command `before`.
    pub fn last_write_before(&self, path: &str, before: usize) -> Option<&FileWrite> {
        let p = crate::paths::tidy(path);
        self.writes
            .iter()
            .rev()
            .find(|w| w.by < before && w.path == p)
    }
}
