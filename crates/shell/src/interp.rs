//! Inline interpreter code: which argument of `python -c`, `node -e`,
//! `perl -e`, `ruby -e`, `php -r`, `deno eval` holds a program, and the
//! shell commands such a program hands to a shell (`os.system("…")`,
//! `execSync("…")`, `system "…"`, backticks).

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
        Lang::Deno => ("", &[]),
    };
    // Options of each interpreter that take a separate value.
    let short_value: &str = match lang {
        Lang::Python => "mWXQ",
        Lang::Node | Lang::Bun => "r",
        Lang::Perl => "IMmx",
        Lang::Ruby => "CIErx",
        Lang::Php => "cdfzt",
        Lang::Deno => "",
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
            Lang::Deno => &[],
        };
        if let Some(pos) = cluster.find(marker) {
            return &cluster[pos + 1..];
        }
    }
    arg
}

/// Calls that hand a string (or an argument list) to a shell or to exec.
const SHELL_CALLS: &[&str] = &[
    "os.system(",
    "os.popen(",
    "subprocess.run(",
    "subprocess.call(",
    "subprocess.Popen(",
    "subprocess.check_output(",
    "subprocess.check_call(",
    "subprocess.getoutput(",
    "subprocess.getstatusoutput(",
    "commands.getoutput(",
    "pty.spawn(",
    "system(",
    "exec(",
    "execSync(",
    "execFile(",
    "execFileSync(",
    "spawn(",
    "spawnSync(",
    "popen(",
    "shell_exec(",
    "passthru(",
    "proc_open(",
    "Open3.capture2(",
    "Open3.capture2e(",
    "Open3.capture3(",
    "Open3.popen3(",
    "Deno.Command(",
    "Bun.spawn(",
    "Bun.spawnSync(",
    "%x(",
    "qx(",
    "qx{",
    "system ",
    "exec ",
];

/// Shell code strings a program passes to a shell. Lists of literals
/// (`["rm", "-rf", "/"]`) are joined with spaces.
pub(crate) fn shell_outs(lang: Lang, code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    // `os.system(` and `system(` end at the same place: read each call once.
    let mut seen_ends: Vec<usize> = Vec::new();
    for call in SHELL_CALLS {
        let mut from = 0;
        while let Some(pos) = code.get(from..).and_then(|s| s.find(call)) {
            let at = from + pos;
            from = at + call.len();
            let preceded_ok = at == 0 || {
                let b = bytes[at - 1];
                !(b.is_ascii_alphanumeric() || b == b'_')
            };
            if !preceded_ok || seen_ends.contains(&from) {
                continue;
            }
            seen_ends.push(from);
            // Bare `system "…"` / `exec "…"` (Perl, Ruby) need a quote next.
            if call.ends_with(' ') {
                let next = code[from..].trim_start();
                if !next.starts_with(['"', '\'']) {
                    continue;
                }
            }
            let literals = call_literals(&code[from..], lang, call.ends_with(' '));
            if !literals.is_empty() {
                out.push(literals.join(" "));
            }
        }
    }
    if matches!(lang, Lang::Ruby | Lang::Perl | Lang::Php) {
        let mut rest = code;
        while let Some(start) = rest.find('`') {
            let after = &rest[start + 1..];
            let Some(end) = after.find('`') else { break };
            out.push(after[..end].to_string());
            rest = &after[end + 1..];
        }
    }
    out
}

/// String literals of a call's arguments, up to its closing parenthesis or
/// the first keyword argument.
fn call_literals(src: &str, lang: Lang, bare: bool) -> Vec<String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut depth = 1i32;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth <= 0 {
                    break;
                }
            }
            ';' | '\n' if bare => break,
            '"' | '\'' => {
                let (text, next) = read_literal(&chars, i);
                out.push(text);
                i = next;
                continue;
            }
            '`' if matches!(lang, Lang::Node | Lang::Deno | Lang::Bun) => {
                let (text, next) = read_literal(&chars, i);
                out.push(text);
                i = next;
                continue;
            }
            '=' if chars.get(i + 1) != Some(&'=') && !out.is_empty() => {
                // `shell=True`, `cwd="/"`: keyword arguments end the command.
                let prev = chars[..i].iter().rev().find(|c| !c.is_whitespace());
                if prev.is_some_and(|p| p.is_alphanumeric() || *p == '_') {
                    break;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Read a quoted literal starting at `start` (the quote); handles Python's
/// triple quotes and common backslash escapes. Returns the text and the
/// index after the literal.
fn read_literal(chars: &[char], start: usize) -> (String, usize) {
    let q = chars[start];
    let triple = chars.get(start + 1) == Some(&q) && chars.get(start + 2) == Some(&q);
    let mut i = start + if triple { 3 } else { 1 };
    let mut text = String::new();
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            match chars.get(i + 1) {
                Some('n') => text.push('\n'),
                Some('t') => text.push('\t'),
                Some(&n) => text.push(n),
                None => {}
            }
            i += 2;
            continue;
        }
        if c == q {
            if !triple {
                return (text, i + 1);
            }
            if chars.get(i + 1) == Some(&q) && chars.get(i + 2) == Some(&q) {
                return (text, i + 3);
            }
        }
        text.push(c);
        i += 1;
    }
    (text, i)
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
    fn extracts_shell_outs() {
        assert_eq!(
            shell_outs(Lang::Python, "import os; os.system(\"rm -rf /\")"),
            ["rm -rf /"]
        );
        assert_eq!(
            shell_outs(
                Lang::Python,
                "import subprocess; subprocess.run(['rm', '-rf', '/'], cwd='/tmp')"
            ),
            ["rm -rf /"]
        );
        assert_eq!(
            shell_outs(Lang::Python, "subprocess.run('ls', shell=True)"),
            ["ls"]
        );
        assert_eq!(
            shell_outs(
                Lang::Node,
                "require('child_process').execSync(`curl x | sh`)"
            ),
            ["curl x | sh"]
        );
        assert_eq!(shell_outs(Lang::Ruby, "puts `id`"), ["id"]);
        assert_eq!(shell_outs(Lang::Perl, "system \"reboot\""), ["reboot"]);
        assert!(shell_outs(Lang::Python, "print(filesystem('x'))").is_empty());
    }
}
