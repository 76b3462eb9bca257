//! Inline interpreter code: which argument of `python -c`, `node -e`,
//! `perl -e`, `ruby -e`, `php -r`, `deno eval`, `lua -e`, an awk program,
//! `pwsh -Command`/`-EncodedCommand`, `Rscript -e`, `julia -e`,
//! `osascript -e`, sqlite3's SQL and dot-commands, `vim -c`/`+cmd`,
//! `emacs --eval` or `gdb -ex` holds a program, or whether it is read from
//! standard input. What the program does is read by `agentops-code`.

use crate::model::Lang;

/// What an interpreter invocation runs.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Program {
    /// Not an interpreter we know.
    NotInterpreter,
    /// Inline code in these argument indices (joined with newlines).
    Inline(Lang, Vec<usize>),
    /// A program read from standard input (no script operand).
    Stdin(Lang),
    /// A script file or module: nothing inline.
    Script,
    /// Program texts taken from these arguments (index, text): attached
    /// option values split off, `-EncodedCommand` decoded.
    Code(Lang, Vec<(usize, String)>),
}

pub(crate) fn language(name: &str) -> Option<Lang> {
    if name.starts_with("python") || name.starts_with("pypy") {
        return Some(Lang::Python);
    }
    Some(match name {
        "node" | "nodejs" => Lang::Node,
        "bun" => Lang::Bun,
        "deno" => Lang::Deno,
        "perl" => Lang::Perl,
        "ruby" => Lang::Ruby,
        "php" => Lang::Php,
        "lua" | "luajit" => Lang::Lua,
        "awk" | "gawk" | "mawk" | "nawk" | "original-awk" => Lang::Awk,
        "pwsh" | "powershell" | "pwsh.exe" | "powershell.exe" | "pwsh-preview" => Lang::PowerShell,
        "rscript" | "r" => Lang::R,
        "julia" => Lang::Julia,
        "tclsh" | "wish" | "expect" | "jimsh" => Lang::Tcl,
        "osascript" => Lang::AppleScript,
        "sqlite3" | "sqlite" => Lang::Sqlite,
        "vim" | "nvim" | "vi" | "ex" | "gvim" | "vimdiff" | "view" => Lang::Vim,
        "emacs" | "emacsclient" => Lang::Emacs,
        "gdb" | "gdb-multiarch" => Lang::Gdb,
        _ if name.starts_with("lua5") => Lang::Lua,
        _ if name.starts_with("tclsh") => Lang::Tcl,
        _ if name.starts_with("perl5") => Lang::Perl,
        _ if name.starts_with("ruby") => Lang::Ruby,
        _ if name.starts_with("php") => Lang::Php,
        _ => return None,
    })
}

/// Locate the program an interpreter runs.
pub(crate) fn program(name: &str, args: &[&str]) -> Program {
    let Some(lang) = language(name) else {
        return Program::NotInterpreter;
    };
    if let Some(p) = other_program(name, lang, args) {
        return p;
    }
    let mut code = Vec::new();
    let mut i = 0;
    if lang == Lang::Deno {
        // `deno eval [opts] CODE`; anything else runs a file.
        let Some(sub) = args.iter().position(|a| !a.starts_with('-')) else {
            return Program::Script;
        };
        if args[sub] != "eval" {
            return Program::Script;
        }
        return match args.iter().skip(sub + 1).position(|a| !a.starts_with('-')) {
            Some(p) => Program::Inline(lang, vec![sub + 1 + p]),
            None => Program::Script,
        };
    }
    let (short_code, long_code): (&str, &[&str]) = match lang {
        Lang::Python => ("c", &[]),
        Lang::Node | Lang::Bun => ("ep", &["eval", "print"]),
        Lang::Perl => ("eE", &[]),
        Lang::Ruby => ("e", &[]),
        Lang::Php => ("r", &[]),
        _ => ("", &[]),
    };
    // Options of each interpreter that take a separate value.
    let short_value: &str = match lang {
        Lang::Python => "mWXQ",
        Lang::Node | Lang::Bun => "r",
        Lang::Perl => "IMmx",
        Lang::Ruby => "CIErx",
        Lang::Php => "cdfzt",
        _ => "",
    };
    while i < args.len() {
        let a = args[i];
        if a == "--" || a == "-" {
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (opt, value) = match long.split_once('=') {
                Some((o, v)) => (o, Some(v)),
                None => (long, None),
            };
            if long_code.contains(&opt) {
                if value.is_some() {
                    code.push(i);
                    i += 1;
                } else {
                    code.push(i + 1);
                    i += 2;
                }
                continue;
            }
            i += 1;
            continue;
        }
        let Some(cluster) = a.strip_prefix('-') else {
            break;
        };
        let mut advance = 1;
        for (k, c) in cluster.char_indices() {
            let rest = &cluster[k + c.len_utf8()..];
            if short_code.contains(c) {
                if rest.is_empty() {
                    code.push(i + 1);
                    advance = 2;
                } else {
                    code.push(i);
                }
                break;
            }
            if c == 'm' && lang == Lang::Python {
                // `python -m module`: runs a module, not inline code.
                return if code.is_empty() {
                    Program::Script
                } else {
                    Program::Inline(lang, code)
                };
            }
            if short_value.contains(c) {
                if rest.is_empty() {
                    advance = 2;
                }
                break;
            }
        }
        i += advance;
        // Python stops reading options after `-c CODE`.
        if lang == Lang::Python && !code.is_empty() {
            break;
        }
    }
    code.retain(|&c| c < args.len());
    if !code.is_empty() {
        return Program::Inline(lang, code);
    }
    let script = args.get(i).copied();
    match script {
        None | Some("-") => Program::Stdin(lang),
        Some(_) => Program::Script,
    }
}

/// Programs of the languages whose options differ from `python`'s.
fn other_program(name: &str, lang: Lang, args: &[&str]) -> Option<Program> {
    let code = |i: usize, text: &str| (i, text.to_string());
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut i = 0;
    let p = match lang {
        Lang::Lua | Lang::Julia | Lang::R | Lang::AppleScript | Lang::Tcl => {
            // `-e CODE` (several allowed); other options take no value
            // except these.
            let (code_opts, value_opts): (&[&str], &[&str]) = match lang {
                Lang::Lua => (&["-e"], &["-l"]),
                Lang::Julia => (
                    &["-e", "--eval", "-E", "--print"],
                    &[
                        "-L",
                        "--load",
                        "-J",
                        "--sysimage",
                        "-p",
                        "--procs",
                        "-t",
                        "--threads",
                        "--project",
                    ],
                ),
                Lang::R => (&["-e"], &["--default-packages", "-f", "--file"]),
                Lang::AppleScript => (&["-e"], &["-l", "-s"]),
                _ => (&["-c"], &["-f"]),
            };
            let mut script = false;
            while i < args.len() {
                let a = args[i];
                if a == "--" || a == "-" {
                    break;
                }
                let (opt, attached) = match a.split_once('=') {
                    Some((o, v)) if a.starts_with("--") => (o, Some(v)),
                    _ => (a, None),
                };
                if code_opts.contains(&opt) {
                    match attached {
                        Some(v) => out.push(code(i, v)),
                        None => {
                            if let Some(v) = args.get(i + 1) {
                                out.push(code(i + 1, v));
                            }
                            i += 1;
                        }
                    }
                } else if lang == Lang::Lua && a.starts_with("-e") && a.len() > 2 {
                    out.push(code(i, &a[2..]));
                } else if matches!(opt, "-f" | "--file") && lang == Lang::R {
                    script = true;
                    if attached.is_none() {
                        i += 1;
                    }
                } else if value_opts.contains(&opt) && attached.is_none() {
                    i += 1;
                } else if !a.starts_with('-') {
                    script = true;
                    break;
                }
                i += 1;
            }
            if !out.is_empty() {
                Program::Code(lang, out)
            } else if script || (lang == Lang::R && name == "rscript" && args.last() != Some(&"-"))
            {
                Program::Script
            } else {
                Program::Stdin(lang)
            }
        }
        Lang::Awk => {
            // The first operand is the program unless `-f FILE` gives it.
            let mut from_file = false;
            while i < args.len() {
                let a = args[i];
                if a == "--" {
                    i += 1;
                    break;
                }
                if let Some(long) = a.strip_prefix("--") {
                    let (opt, v) = long
                        .split_once('=')
                        .map_or((long, None), |(o, v)| (o, Some(v)));
                    match opt {
                        "source" => match v {
                            Some(v) => out.push(code(i, v)),
                            None => {
                                if let Some(v) = args.get(i + 1) {
                                    out.push(code(i + 1, v));
                                }
                                i += 1;
                            }
                        },
                        "file" | "include" | "load" => {
                            from_file = true;
                            if v.is_none() {
                                i += 1;
                            }
                        }
                        "field-separator" | "assign" | "exec" if v.is_none() => i += 1,
                        _ => {}
                    }
                    i += 1;
                    continue;
                }
                if a.len() < 2 || !a.starts_with('-') {
                    break;
                }
                let flag = a.as_bytes()[1];
                let attached = a.len() > 2;
                match flag {
                    b'e' => {
                        if attached {
                            out.push(code(i, &a[2..]));
                        } else {
                            if let Some(v) = args.get(i + 1) {
                                out.push(code(i + 1, v));
                            }
                            i += 1;
                        }
                    }
                    b'f' | b'E' => {
                        from_file = true;
                        if !attached {
                            i += 1;
                        }
                    }
                    b'F' | b'v' | b'i' | b'l' | b'W' if !attached => i += 1,
                    _ => {}
                }
                i += 1;
            }
            if out.is_empty() && !from_file {
                if let Some(p) = args.get(i) {
                    out.push(code(i, p));
                }
            }
            if out.is_empty() {
                Program::Script
            } else {
                Program::Code(lang, out)
            }
        }
        Lang::PowerShell => {
            while i < args.len() {
                let a = args[i];
                let lower = a.to_ascii_lowercase();
                let opt = lower.trim_start_matches('-');
                if !a.starts_with('-') || a == "-" {
                    // powershell.exe's default is -Command, pwsh's -File.
                    if name.starts_with("powershell") {
                        let text = args[i..].join(" ");
                        out.push(code(i, &text));
                    }
                    break;
                }
                let is = |full: &str, min: usize| opt.len() >= min && full.starts_with(opt);
                if is("encodedcommand", 1)
                    && (opt.starts_with('e') && !is("executionpolicy", 2) && opt != "ex")
                {
                    if let Some(v) = args.get(i + 1) {
                        if let Some(text) = agentops_code::decode_powershell(v) {
                            out.push(code(i + 1, &text));
                        }
                    }
                    break;
                }
                if is("command", 1) {
                    match args.get(i + 1) {
                        Some(&"-") => return Some(Program::Stdin(lang)),
                        Some(_) => {
                            let text = args[i + 1..].join(" ");
                            out.push(code(i + 1, &text));
                        }
                        None => {}
                    }
                    break;
                }
                if is("file", 1) {
                    return Some(Program::Script);
                }
                if is("executionpolicy", 2)
                    || opt == "ep"
                    || is("workingdirectory", 2)
                    || opt == "wd"
                    || is("configurationname", 4)
                    || is("outputformat", 2)
                    || opt == "of"
                    || is("inputformat", 2)
                    || is("windowstyle", 1)
                    || is("version", 1)
                    || is("settingsfile", 2)
                    || is("custompipename", 2)
                    || is("encodedarguments", 8)
                {
                    i += 1;
                }
                i += 1;
            }
            if out.is_empty() {
                Program::Script
            } else {
                Program::Code(lang, out)
            }
        }
        Lang::Sqlite => {
            // `sqlite3 [OPTIONS] [FILENAME [SQL…]]`
            let mut operand = 0;
            while i < args.len() {
                let a = args[i];
                if a.starts_with('-') && operand == 0 {
                    let opt = a.trim_start_matches('-');
                    match opt {
                        "cmd" => {
                            if let Some(v) = args.get(i + 1) {
                                out.push(code(i + 1, v));
                            }
                            i += 1;
                        }
                        "init" | "separator" | "newline" | "nullvalue" | "vfs" | "maxsize"
                        | "mmap" | "pagecache" | "lookaside" | "heap" | "escape" => i += 1,
                        _ => {}
                    }
                } else {
                    operand += 1;
                    if operand > 1 {
                        out.push(code(i, a));
                    }
                }
                i += 1;
            }
            match (operand > 1, out.is_empty()) {
                (false, true) => Program::Stdin(lang),
                (false, false) => {
                    // `-cmd` only: stdin is code as well, but the inline part is known.
                    Program::Code(lang, out)
                }
                _ => Program::Code(lang, out),
            }
        }
        Lang::Vim => {
            let mut ex_mode = name == "ex";
            while i < args.len() {
                let a = args[i];
                if a == "--" {
                    break;
                }
                if let Some(cmd) = a.strip_prefix('+') {
                    if !cmd.is_empty()
                        && !cmd.bytes().all(|b| b.is_ascii_digit())
                        && !cmd.starts_with('/')
                    {
                        out.push(code(i, cmd));
                    }
                } else if matches!(a, "-c" | "--cmd") {
                    if let Some(v) = args.get(i + 1) {
                        out.push(code(i + 1, v));
                    }
                    i += 1;
                } else if matches!(
                    a,
                    "-S" | "-s"
                        | "-w"
                        | "-W"
                        | "-T"
                        | "-u"
                        | "-U"
                        | "-i"
                        | "-r"
                        | "-t"
                        | "-q"
                        | "--listen"
                        | "--server"
                        | "--remote-send"
                ) {
                    i += 1;
                } else if a.starts_with('-')
                    && (a.contains('e') || a.contains('E'))
                    && !a.starts_with("--")
                {
                    ex_mode = true;
                }
                i += 1;
            }
            if !out.is_empty() {
                Program::Code(lang, out)
            } else if ex_mode {
                Program::Stdin(lang)
            } else {
                Program::Script
            }
        }
        Lang::Emacs => {
            let client = name == "emacsclient";
            while i < args.len() {
                let a = args[i];
                let (opt, v) = match a.split_once('=') {
                    Some((o, v)) if a.starts_with("--") => (o, Some(v)),
                    _ => (a, None),
                };
                if matches!(opt, "--eval" | "-eval" | "--execute" | "-execute")
                    || (client && opt == "-e")
                {
                    match v {
                        Some(v) => out.push(code(i, v)),
                        None => {
                            if let Some(v) = args.get(i + 1) {
                                out.push(code(i + 1, v));
                            }
                            i += 1;
                        }
                    }
                    if client {
                        // emacsclient -e: every operand is an expression.
                        for (k, rest) in args.iter().enumerate().skip(i + 1) {
                            if !rest.starts_with('-') {
                                out.push(code(k, rest));
                            }
                        }
                        break;
                    }
                } else if matches!(
                    opt,
                    "-l" | "--load"
                        | "-f"
                        | "--funcall"
                        | "--script"
                        | "-L"
                        | "--directory"
                        | "--chdir"
                        | "-s"
                        | "--socket-name"
                ) && v.is_none()
                {
                    i += 1;
                }
                i += 1;
            }
            if out.is_empty() {
                Program::Script
            } else {
                Program::Code(lang, out)
            }
        }
        Lang::Gdb => {
            while i < args.len() {
                let a = args[i];
                let (opt, v) = match a.split_once('=') {
                    Some((o, v)) if a.starts_with("--") => (o, Some(v)),
                    _ => (a, None),
                };
                let opt = opt.trim_start_matches('-');
                if matches!(opt, "ex" | "iex" | "eval-command" | "init-eval-command") {
                    match v {
                        Some(v) => out.push(code(i, v)),
                        None => {
                            if let Some(v) = args.get(i + 1) {
                                out.push(code(i + 1, v));
                            }
                            i += 1;
                        }
                    }
                } else if matches!(
                    opt,
                    "x" | "ix"
                        | "command"
                        | "init-command"
                        | "p"
                        | "pid"
                        | "cd"
                        | "d"
                        | "directory"
                        | "core"
                        | "c"
                        | "s"
                        | "symbols"
                        | "e"
                        | "exec"
                        | "se"
                        | "b"
                        | "l"
                        | "D"
                        | "data-directory"
                ) && v.is_none()
                {
                    i += 1;
                }
                i += 1;
            }
            if out.is_empty() {
                Program::Script
            } else {
                Program::Code(lang, out)
            }
        }
        _ => return None,
    };
    Some(p)
}

/// The `agentops-code` language of an interpreter's programs.
pub(crate) fn code_language(lang: Lang) -> agentops_code::Language {
    use agentops_code::Language as L;
    match lang {
        Lang::Python => L::Python,
        Lang::Node | Lang::Deno | Lang::Bun => L::JavaScript,
        Lang::Perl => L::Perl,
        Lang::Ruby => L::Ruby,
        Lang::Php => L::Php,
        Lang::Lua => L::Lua,
        Lang::Awk => L::Awk,
        Lang::PowerShell => L::PowerShell,
        Lang::R => L::R,
        Lang::Julia => L::Julia,
        Lang::Tcl => L::Tcl,
        Lang::AppleScript => L::AppleScript,
        Lang::Sqlite => L::Sqlite,
        Lang::Vim => L::Vim,
        Lang::Emacs => L::EmacsLisp,
        Lang::Gdb => L::Gdb,
    }
}

/// The text of an inline-code argument: an attached `-e'code'` or
/// `--eval=code` has its option part removed.
pub(crate) fn code_text(arg: &str, lang: Lang) -> &str {
    if let Some(long) = arg.strip_prefix("--") {
        return long.split_once('=').map_or(arg, |(_, v)| v);
    }
    if let Some(cluster) = arg.strip_prefix('-') {
        let marker: &[char] = match lang {
            Lang::Python => &['c'],
            Lang::Node | Lang::Bun => &['e', 'p'],
            Lang::Perl => &['e', 'E'],
            Lang::Ruby => &['e'],
            Lang::Php => &['r'],
            _ => &[],
        };
        if let Some(pos) = cluster.find(marker) {
            return &cluster[pos + 1..];
        }
    }
    arg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args<'a>(line: &[&'a str]) -> Vec<&'a str> {
        line.to_vec()
    }

    #[test]
    fn finds_inline_programs() {
        use Program::*;
        assert_eq!(
            program("python3", &args(&["-c", "x"])),
            Inline(Lang::Python, vec![1])
        );
        assert_eq!(
            program("python3", &args(&["-Bc", "x"])),
            Inline(Lang::Python, vec![1])
        );
        assert_eq!(program("python3", &args(&["-m", "http.server"])), Script);
        assert_eq!(program("python3", &args(&["app.py", "-c", "x"])), Script);
        assert_eq!(program("python3", &args(&[])), Stdin(Lang::Python));
        assert_eq!(program("python3", &args(&["-"])), Stdin(Lang::Python));
        assert_eq!(
            program("node", &args(&["--eval=x"])),
            Inline(Lang::Node, vec![0])
        );
        assert_eq!(
            program("node", &args(&["-e", "x"])),
            Inline(Lang::Node, vec![1])
        );
        assert_eq!(
            program("node", &args(&["-r", "ts-node/register", "a.ts"])),
            Script
        );
        assert_eq!(
            program("perl", &args(&["-lne", "x", "f"])),
            Inline(Lang::Perl, vec![1])
        );
        assert_eq!(
            program("perl", &args(&["-e", "a", "-e", "b"])),
            Inline(Lang::Perl, vec![1, 3])
        );
        assert_eq!(
            program("ruby", &args(&["-e", "x"])),
            Inline(Lang::Ruby, vec![1])
        );
        assert_eq!(
            program("php", &args(&["-r", "x"])),
            Inline(Lang::Php, vec![1])
        );
        assert_eq!(
            program("deno", &args(&["eval", "x"])),
            Inline(Lang::Deno, vec![1])
        );
        assert_eq!(program("deno", &args(&["run", "x.ts"])), Script);
        assert_eq!(program("ls", &args(&[])), NotInterpreter);
        assert_eq!(code_text("-e'x'", Lang::Perl), "'x'");
        assert_eq!(code_text("--eval=1+1", Lang::Node), "1+1");
    }

    #[test]
    fn finds_programs_of_other_languages() {
        use Program::*;
        let code = |lang, parts: &[(usize, &str)]| {
            Code(
                lang,
                parts.iter().map(|(i, t)| (*i, t.to_string())).collect(),
            )
        };
        assert_eq!(
            program("awk", &args(&["-F:", "{print $1}", "/etc/passwd"])),
            code(Lang::Awk, &[(1, "{print $1}")])
        );
        assert_eq!(
            program("awk", &args(&["-F", ":", "-v", "x=1", "{print}", "f"])),
            code(Lang::Awk, &[(4, "{print}")])
        );
        assert_eq!(program("awk", &args(&["-f", "prog.awk", "f"])), Script);
        assert_eq!(
            program("lua", &args(&["-e", "x()"])),
            code(Lang::Lua, &[(1, "x()")])
        );
        assert_eq!(program("lua", &args(&["s.lua"])), Script);
        assert_eq!(
            program("pwsh", &args(&["-NoProfile", "-c", "Remove-Item", "x"])),
            code(Lang::PowerShell, &[(2, "Remove-Item x")])
        );
        assert_eq!(
            program("pwsh", &args(&["-enc", "ZABpAHIA"])),
            code(Lang::PowerShell, &[(1, "dir")])
        );
        assert_eq!(program("pwsh", &args(&["-File", "a.ps1"])), Script);
        assert_eq!(
            program("rscript", &args(&["-e", "1"])),
            code(Lang::R, &[(1, "1")])
        );
        assert_eq!(program("rscript", &args(&["a.R"])), Script);
        assert_eq!(program("tclsh", &args(&[])), Stdin(Lang::Tcl));
        assert_eq!(
            program("sqlite3", &args(&["x.db", ".tables"])),
            code(Lang::Sqlite, &[(1, ".tables")])
        );
        assert_eq!(program("sqlite3", &args(&["x.db"])), Stdin(Lang::Sqlite));
        assert_eq!(
            program("vim", &args(&["+set nu", "-c", "q", "f"])),
            code(Lang::Vim, &[(0, "set nu"), (2, "q")])
        );
        assert_eq!(program("vim", &args(&["+10", "f"])), Script);
        assert_eq!(
            program("emacs", &args(&["--batch", "--eval=(x)"])),
            code(Lang::Emacs, &[(1, "(x)")])
        );
        assert_eq!(
            program("gdb", &args(&["-batch", "-ex", "bt", "./a"])),
            code(Lang::Gdb, &[(2, "bt")])
        );
        assert_eq!(program("gdb", &args(&["./a"])), Script);
    }
}
