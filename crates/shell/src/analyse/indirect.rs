//! Code a command runs indirectly, analysed as commands one level deeper:
//! the string of `sh -c`, the arguments of `eval`, a heredoc, here-string or
//! literal text fed to a shell's standard input, a script written earlier in
//! the same command and then run (`bash x.sh`, `source x`, `./x.sh`), inline
//! interpreter code (`python -c`, `node -e`, a program piped into
//! `python3`) and the shell commands that code hands to a shell.

use super::{Builder, Ctx, RWord, MAX_DEPTH, MAX_NEST};
use crate::interp::{self, Program};
use crate::model::{InlineCode, Via, Word};

/// Shells whose `-c` string, script operand or standard input is code.
const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "rbash", "fish", "csh", "tcsh",
];

/// What one command runs besides itself.
#[derive(Default)]
pub(super) struct IndirectCode {
    /// Commands whose output this command runs as code.
    pub exec_from: Vec<usize>,
    /// Code strings to analyse one level deeper, in order.
    pub nested: Vec<(String, Via)>,
    /// The program given to an interpreter, when it can be known.
    pub inline_code: Option<InlineCode>,
    /// Commands made up for what that program does (`rm -r -f PATH` for
    /// `shutil.rmtree(PATH)`), run as children of the interpreter.
    pub synthetic: Vec<Synthetic>,
}

/// A command made up for what inline code does.
pub(super) struct Synthetic {
    /// Its words.
    pub words: Vec<String>,
    /// The program runs what this command outputs (downloaded code).
    pub runs_output: bool,
}

/// Where a shell or `source` reads code from besides its arguments.
enum CodeSource {
    /// Nowhere (or only from a `-c` string).
    Nothing,
    /// The script file in this argument.
    Script(usize),
    /// Standard input.
    Stdin,
}

impl Builder {
    /// The indirect code of a command named `name` (written `written_name`)
    /// with arguments `args`, reading `stdin_text` or the output of
    /// `stdin_from` on its standard input.
    pub(super) fn indirect_code(
        &self,
        name: &str,
        written_name: &str,
        args: &[RWord],
        stdin_text: Option<&str>,
        stdin_from: &[usize],
    ) -> IndirectCode {
        let mut out = IndirectCode::default();
        let texts: Vec<&str> = args.iter().map(|a| a.word.text.as_str()).collect();
        let source = if SHELLS.contains(&name) {
            shell_code(args, &texts, &mut out)
        } else if name == "source" || name == "." {
            if args.is_empty() {
                CodeSource::Nothing
            } else {
                CodeSource::Script(0)
            }
        } else if let Some(source) = stdin_shell(name, &texts) {
            source
        } else if name == "eval" {
            let code: Vec<&str> = args.iter().map(RWord::code_text).collect();
            for a in args {
                out.exec_from.extend(a.word.subst.iter().copied());
            }
            out.nested.push((code.join(" "), Via::Eval));
            CodeSource::Nothing
        } else {
            self.interpreter_code(name, args, &texts, stdin_text, stdin_from, &mut out);
            CodeSource::Nothing
        };
        if let Some(code) = &out.inline_code {
            let facts = agentops_code::analyse(interp::code_language(code.lang), &code.code);
            if facts.runs_input {
                out.exec_from.extend(stdin_from.iter().copied());
            }
            let input = if facts.runs_input {
                stdin_text
                    .map(str::to_string)
                    .or_else(|| self.piped_text(stdin_from))
            } else {
                None
            };
            effects_of(facts, input, &mut out);
        }
        self.code_options(name, args, &texts, stdin_text, stdin_from, &mut out);
        // Running a script by path (`./x.sh`) that was written earlier.
        if written_name.contains('/') {
            if let Some(content) = self.run_written_file(written_name, &mut out.exec_from) {
                out.nested.push((content, Via::ScriptFile));
            }
        }
        let run_stdin_as_code = match source {
            CodeSource::Nothing => false,
            CodeSource::Stdin => true,
            CodeSource::Script(i) => {
                let file = &args[i].word;
                out.exec_from.extend(file.subst.iter().copied());
                if file.text == "/dev/stdin" || file.text == "-" {
                    true
                } else {
                    if let Some(content) = self.run_written_file(&file.text, &mut out.exec_from) {
                        out.nested.push((content, Via::ScriptFile));
                    }
                    false
                }
            }
        };
        if run_stdin_as_code {
            out.exec_from.extend(stdin_from.iter().copied());
            if let Some(text) = stdin_text {
                out.nested.push((text.to_string(), Via::Heredoc));
            } else if let Some(text) = self.piped_text(stdin_from) {
                out.nested.push((text, Via::Piped));
            }
        }
        out
    }

    /// The program an interpreter (`python`, `node`, `perl`, …) runs: inline
    /// code in its arguments, its standard input, or a script written
    /// earlier in the command.
    fn interpreter_code(
        &self,
        name: &str,
        args: &[RWord],
        texts: &[&str],
        stdin_text: Option<&str>,
        stdin_from: &[usize],
        out: &mut IndirectCode,
    ) {
        match interp::program(name, texts) {
            Program::Inline(lang, idx) => {
                let code: Vec<&str> = idx
                    .iter()
                    .filter_map(|&i| args.get(i))
                    .map(|a| interp::code_text(&a.word.text, lang))
                    .collect();
                for &i in &idx {
                    if let Some(a) = args.get(i) {
                        out.exec_from.extend(a.word.subst.iter().copied());
                    }
                }
                out.inline_code = Some(InlineCode {
                    lang,
                    code: code.join("\n"),
                });
            }
            Program::Code(lang, parts) => {
                let mut code = Vec::new();
                for (i, text) in parts {
                    if let Some(a) = args.get(i) {
                        out.exec_from.extend(a.word.subst.iter().copied());
                    }
                    code.push(text);
                }
                out.inline_code = Some(InlineCode {
                    lang,
                    code: code.join("\n"),
                });
            }
            Program::Stdin(lang) => {
                out.exec_from.extend(stdin_from.iter().copied());
                let text = stdin_text
                    .map(str::to_string)
                    .or_else(|| self.piped_text(stdin_from));
                out.inline_code = text.map(|code| InlineCode { lang, code });
            }
            Program::Script => {
                if let Some(lang) = interp::language(name) {
                    let file = args.iter().find(|a| !a.word.text.starts_with('-'));
                    if let Some(file) = file {
                        out.exec_from.extend(file.word.subst.iter().copied());
                        if let Some(code) =
                            self.run_written_file(&file.word.text, &mut out.exec_from)
                        {
                            out.inline_code = Some(InlineCode { lang, code });
                        }
                    }
                }
            }
            Program::NotInterpreter => {}
        }
    }

    /// A file run as code: when it was written earlier in the command, its
    /// writer and what fed the writer go to `exec_from`, and its content is
    /// returned when the analyser knows it.
    fn run_written_file(&self, path: &str, exec_from: &mut Vec<usize>) -> Option<String> {
        let w = self.last_write(path)?;
        exec_from.push(w.by);
        exec_from.extend(w.from.iter().copied());
        w.content.clone()
    }

    /// Text piped into a command, when it is constant text or a simple
    /// filter of it (`echo`, `printf`, `cat <<EOF`, `rev`, `tr`, `base64
    /// -d`, …).
    fn piped_text(&self, producers: &[usize]) -> Option<String> {
        let mut text = String::new();
        for &p in producers {
            let nested = self
                .commands
                .get(p)?
                .origin
                .parent
                .is_some_and(|q| producers.contains(&q));
            if nested {
                continue;
            }
            text.push_str(&self.output_of(p, 0)?);
            if text.len() > super::dataflow::MAX_TEXT {
                return None;
            }
        }
        (!text.is_empty()).then_some(text)
    }

    /// Shell code in the options of commands that are not shells: `make`'s
    /// recipes from a makefile on standard input or `--eval`, git's
    /// `!`-aliases, `rebase -x` and `difftool -x`, tar's checkpoint actions
    /// and `--to-command`.
    fn code_options(
        &self,
        name: &str,
        args: &[RWord],
        texts: &[&str],
        stdin_text: Option<&str>,
        stdin_from: &[usize],
        out: &mut IndirectCode,
    ) {
        let code = |i: usize, text: &str, out: &mut IndirectCode| {
            if let Some(a) = args.get(i) {
                out.exec_from.extend(a.word.subst.iter().copied());
            }
            out.nested.push((text.to_string(), Via::ShellString));
        };
        match name {
            "make" | "gmake" | "bmake" => {
                let mut stdin_makefile = false;
                let mut i = 0;
                while i < texts.len() {
                    let t = texts[i];
                    let value = |i: usize| texts.get(i + 1).copied();
                    let file = match t {
                        "-f" | "--file" | "--makefile" => value(i),
                        _ => t
                            .strip_prefix("--file=")
                            .or_else(|| t.strip_prefix("--makefile="))
                            .or_else(|| t.strip_prefix("-f").filter(|v| !v.is_empty())),
                    };
                    stdin_makefile |= matches!(file, Some("-" | "/dev/stdin"));
                    let eval = match t {
                        "--eval" | "-E" => value(i).map(|v| (i + 1, v)),
                        _ => t.strip_prefix("--eval=").map(|v| (i, v)),
                    };
                    if let Some((at, text)) = eval {
                        for r in super::dataflow::makefile_recipes(text) {
                            code(at, &r, out);
                        }
                    }
                    i += 1;
                }
                if stdin_makefile {
                    out.exec_from.extend(stdin_from.iter().copied());
                    let (text, via) = match stdin_text {
                        Some(t) => (Some(t.to_string()), Via::Heredoc),
                        None => (self.piped_text(stdin_from), Via::Piped),
                    };
                    for r in super::dataflow::makefile_recipes(&text.unwrap_or_default()) {
                        out.nested.push((r, via));
                    }
                }
            }
            "git" => git_code(texts, &mut |i, t| code(i, t, out)),
            "tar" | "gtar" | "bsdtar" => {
                for (i, t) in texts.iter().enumerate() {
                    let value = |opt: &str| -> Option<(usize, &str)> {
                        if let Some(v) = t.strip_prefix(opt).and_then(|v| v.strip_prefix('=')) {
                            return Some((i, v));
                        }
                        (*t == opt).then(|| texts.get(i + 1).map(|v| (i + 1, *v)))?
                    };
                    if let Some((at, v)) = value("--checkpoint-action") {
                        if let Some(cmd) = v.strip_prefix("exec=") {
                            code(at, cmd, out);
                        }
                    }
                    for opt in ["--to-command", "--info-script", "--new-volume-script"] {
                        if let Some((at, v)) = value(opt) {
                            code(at, v, out);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Build the synthetic commands for what interpreter command `id`'s
    /// inline code does, as its children one level deeper.
    pub(super) fn run_synthetic(&mut self, id: usize, commands: Vec<Synthetic>, ctx: &Ctx) {
        let depth = ctx.depth.saturating_add(1);
        for s in commands {
            if self.nest >= MAX_NEST {
                break;
            }
            let child = ctx.child(Via::Interpreter, Some(id), depth);
            let words = s
                .words
                .into_iter()
                .map(|t| RWord::plain(Word::literal(t)))
                .collect();
            let start = self.commands.len();
            self.nest += 1;
            self.finish(words, Vec::new(), Vec::new(), None, Vec::new(), &child);
            self.nest -= 1;
            for cmd in &mut self.commands[start..] {
                cmd.synthetic = true;
            }
            if s.runs_output && start < self.commands.len() {
                if let Some(parent) = self.commands.get_mut(id) {
                    parent.exec_from.push(start);
                }
            }
        }
    }

    /// Code a command runs (`sh -c`, `eval`, heredoc to a shell, …), one level deeper.
    pub(super) fn nested_code(&mut self, code: &str, via: Via, parent: usize, ctx: &Ctx) {
        let depth = ctx.depth.saturating_add(1);
        let mut child = ctx.child(via, Some(parent), depth);
        if depth > MAX_DEPTH {
            self.capped = true;
            // One level past the cap is still tokenized (approximately), so a
            // hard-deny pattern hidden there is seen; deeper code is not.
            if depth == MAX_DEPTH + 1 && self.nest < MAX_NEST {
                child.approximate = true;
                self.nest += 1;
                self.visit_fallback(code, &child);
                self.nest -= 1;
            }
            return;
        }
        self.parse_and_visit(code, &child);
    }
}

/// What inline code does, as nested command strings (the commands it
/// hands to a shell) and synthetic commands (its deletions, writes, reads
/// and uploads), so the rules for those commands judge it.
fn effects_of(facts: agentops_code::Facts, input: Option<String>, out: &mut IndirectCode) {
    let synth = |words: Vec<String>| Synthetic {
        words,
        runs_output: false,
    };
    for c in facts.commands {
        out.nested.push((c, Via::Interpreter));
    }
    if let Some(text) = input {
        // `awk '{ system($0) }'`: each input line is a command.
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            out.nested.push((line.to_string(), Via::Interpreter));
        }
    }
    for d in facts.deletes {
        let mut words = vec!["rm".to_string()];
        if d.recursive {
            words.push("-r".into());
        }
        words.push("-f".into());
        words.push(d.path);
        out.synthetic.push(synth(words));
    }
    for w in facts.writes {
        let words = if is_device(&w.path) {
            vec!["dd".to_string(), format!("of={}", w.path)]
        } else if w.append {
            vec!["tee".to_string(), "-a".into(), w.path]
        } else {
            vec!["tee".to_string(), w.path]
        };
        out.synthetic.push(synth(words));
    }
    let url = facts
        .urls
        .iter()
        .find(|u| u.contains("://"))
        .cloned()
        .or_else(|| facts.urls.first().cloned());
    if facts.network_send {
        // An upload of what the program read.
        let target = url.clone().unwrap_or_else(|| "$URL".to_string());
        for r in &facts.reads {
            out.synthetic.push(synth(vec![
                "curl".into(),
                "--data-binary".into(),
                format!("@{r}"),
                target.clone(),
            ]));
        }
    }
    for r in facts.reads {
        out.synthetic.push(synth(vec!["cat".into(), r]));
    }
    if facts.evals_downloaded {
        let target = url.unwrap_or_else(|| "$URL".to_string());
        out.synthetic.push(Synthetic {
            words: vec!["curl".into(), "-fsSL".into(), target],
            runs_output: true,
        });
    }
    if facts.socket_shell {
        out.synthetic.push(synth(vec![
            "nc".into(),
            "-e".into(),
            "/bin/sh".into(),
            "$HOST".into(),
            "$PORT".into(),
        ]));
    }
}

/// Commands that read shell code on standard input besides the shells:
/// `at`/`batch` (the job's commands), `sudo -s`/`-i` and `su` without a
/// command (a shell reading the pipe).
fn stdin_shell(name: &str, texts: &[&str]) -> Option<CodeSource> {
    match name {
        "at" | "batch" => {
            if texts
                .iter()
                .any(|t| matches!(*t, "-l" | "-r" | "-d" | "-c" | "-V"))
            {
                return Some(CodeSource::Nothing);
            }
            Some(match texts.iter().position(|t| *t == "-f") {
                Some(i) if i + 1 < texts.len() => CodeSource::Script(i + 1),
                _ => CodeSource::Stdin,
            })
        }
        "sudo" | "doas" => texts
            .iter()
            .any(|t| {
                matches!(*t, "-s" | "-i" | "--shell" | "--login")
                    || (t.starts_with('-')
                        && !t.starts_with("--")
                        && t.contains(['s', 'i'])
                        && t.chars().skip(1).all(|c| c.is_ascii_alphabetic()))
            })
            .then_some(CodeSource::Stdin),
        "su" => Some(CodeSource::Stdin),
        _ => None,
    }
}

/// git's shell code: `!`-aliases given with `-c alias.x=!cmd` or `git
/// config alias.x '!cmd'` (run whenever the alias is), `rebase -x CMD`,
/// `difftool -x CMD`. `code` gets the argument index and the text.
fn git_code(texts: &[&str], code: &mut dyn FnMut(usize, &str)) {
    let alias_body = |key: &str, value: &str| -> Option<String> {
        let k = key.to_ascii_lowercase();
        (k.starts_with("alias.") && value.starts_with('!')).then(|| value[1..].to_string())
    };
    let mut i = 0;
    while i < texts.len() {
        let t = texts[i];
        match t {
            "-c" => {
                if let Some((k, v)) = texts.get(i + 1).and_then(|kv| kv.split_once('=')) {
                    if let Some(body) = alias_body(k, v) {
                        code(i + 1, &body);
                    }
                }
                i += 2;
            }
            "-C" | "--git-dir" | "--work-tree" | "--namespace" | "--config-env" => i += 2,
            _ if t.starts_with('-') => i += 1,
            _ => break,
        }
    }
    let Some(sub) = texts.get(i) else {
        return;
    };
    let rest = &texts[i + 1..];
    let at = |j: usize| i + 1 + j;
    match *sub {
        "config" => {
            for (j, w) in rest.iter().enumerate() {
                if let Some(v) = rest.get(j + 1) {
                    if let Some(body) = alias_body(w, v) {
                        code(at(j + 1), &body);
                    }
                }
            }
        }
        "rebase" | "difftool" | "mergetool" => {
            let long = if *sub == "rebase" {
                "--exec"
            } else {
                "--extcmd"
            };
            for (j, w) in rest.iter().enumerate() {
                if *w == "-x" || *w == long {
                    if let Some(v) = rest.get(j + 1) {
                        code(at(j + 1), v);
                    }
                } else if let Some(v) = w.strip_prefix(long).and_then(|v| v.strip_prefix('=')) {
                    code(at(j), v);
                } else if let Some(v) = w.strip_prefix("-x").filter(|v| !v.is_empty()) {
                    code(at(j), v);
                }
            }
        }
        _ => {}
    }
}

/// Block devices: writing one destroys a file system.
fn is_device(path: &str) -> bool {
    let Some(dev) = path.strip_prefix("/dev/") else {
        return false;
    };
    [
        "sd", "hd", "vd", "xvd", "nvme", "mmcblk", "disk", "rdisk", "md", "dm-", "mapper/", "loop",
    ]
    .iter()
    .any(|p| dev.starts_with(p))
}

/// A shell's `-c` string goes to `out`; otherwise say where it reads code.
fn shell_code(args: &[RWord], texts: &[&str], out: &mut IndirectCode) -> CodeSource {
    let (c_flag, s_flag, operand) = shell_options(texts);
    match (c_flag, operand) {
        (true, Some(i)) => {
            out.exec_from.extend(args[i].word.subst.iter().copied());
            out.nested
                .push((args[i].code_text().to_string(), Via::ShellString));
            CodeSource::Nothing
        }
        (true, None) => CodeSource::Nothing,
        (false, Some(i)) if !s_flag => CodeSource::Script(i),
        _ => CodeSource::Stdin,
    }
}

/// Parse `sh`-family options: (`-c` given, `-s` given, index of the first operand).
fn shell_options(args: &[&str]) -> (bool, bool, Option<usize>) {
    let mut c_flag = false;
    let mut s_flag = false;
    let mut i = 0;
    while i < args.len() {
        let t = args[i];
        if t == "--" || t == "-" {
            i += 1;
            break;
        }
        if t.len() > 1 && (t.starts_with('-') || t.starts_with('+')) {
            if t.starts_with("--") {
                if matches!(t, "--rcfile" | "--init-file") {
                    i += 1;
                }
                i += 1;
                continue;
            }
            let cluster = &t[1..];
            c_flag |= cluster.contains('c');
            s_flag |= cluster.contains('s');
            if cluster.contains('o') || cluster.contains('O') {
                i += 1;
            }
            i += 1;
            continue;
        }
        break;
    }
    (c_flag, s_flag, (i < args.len()).then_some(i))
}
