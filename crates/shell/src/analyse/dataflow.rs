//! Text the analyser can compute inside one command string: what `echo` and
//! `printf` print (escapes and formats included), and what simple filters
//! make of constant text piped into them (`rev`, `tr`, `base64 -d`, `xxd -r
//! -p`, `sed 's/a/b/'`, `awk '{print}'`, `perl -pe 'tr/a/b/'`), so that
//! `echo '/ fr- mr' | rev | sh` is analysed as the `rm -rf /` it runs. Also
//! the recipes of a makefile given on standard input or to `make --eval`.
//!
//! Everything here is bounded: outputs stop at [`MAX_TEXT`] bytes and
//! pipelines are followed [`MAX_STAGES`] deep; anything unknown gives `None`.

use super::Builder;
use crate::model::{Command, Word};

/// Longest text computed for one command's output.
pub(super) const MAX_TEXT: usize = 64 * 1024;
/// Deepest pipeline followed back to its constant input.
const MAX_STAGES: u8 = 8;

/// The text `echo`/`printf` print for literal arguments.
pub(super) fn printed_text(name: &str, args: &[Word]) -> Option<String> {
    if args.iter().any(|a| a.dynamic) {
        return None;
    }
    match name {
        "echo" => {
            let mut interpret = false;
            let mut newline = true;
            let mut words = args.iter().map(|a| a.text.as_str()).peekable();
            while let Some(flag) = words.peek() {
                if flag.len() > 1
                    && flag.starts_with('-')
                    && flag[1..].chars().all(|c| matches!(c, 'n' | 'e' | 'E'))
                {
                    interpret |= flag.contains('e');
                    newline &= !flag.contains('n');
                    words.next();
                } else {
                    break;
                }
            }
            let mut text = words.collect::<Vec<_>>().join(" ");
            if interpret {
                text = unescape(&text, true);
            }
            if newline {
                text.push('\n');
            }
            Some(text)
        }
        "printf" => {
            let mut it = args.iter().map(|a| a.text.as_str());
            let mut format = it.next()?;
            if format == "--" {
                format = it.next()?;
            }
            if format == "-v" {
                // `printf -v VAR …` prints nothing.
                return None;
            }
            let rest: Vec<&str> = it.collect();
            Some(printf(format, &rest))
        }
        _ => None,
    }
}

/// Backslash escapes of `printf` formats and `echo -e` (`\n`, `\x72`,
/// `\0162` for echo, `\162` for printf).
fn unescape(s: &str, echo: bool) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' || i + 1 >= chars.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = chars[i + 1];
        i += 2;
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            'e' | 'E' => out.push('\x1b'),
            '\\' => out.push('\\'),
            'c' if echo => break,
            'x' => {
                let (v, n) = digits(&chars[i..], 16, 2);
                if n == 0 {
                    out.push_str("\\x");
                } else {
                    push_code(&mut out, v);
                }
                i += n;
            }
            '0'..='7' => {
                // echo: `\0NNN`; printf: `\NNN`.
                let start = if echo && e == '0' { i } else { i - 1 };
                let (v, n) = digits(&chars[start..], 8, 3);
                push_code(&mut out, v);
                i = start + n;
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

fn digits(chars: &[char], radix: u32, max: usize) -> (u32, usize) {
    let mut v = 0u32;
    let mut n = 0;
    for c in chars.iter().take(max) {
        let Some(d) = c.to_digit(radix) else { break };
        v = v * radix + d;
        n += 1;
    }
    (v, n)
}

fn push_code(out: &mut String, v: u32) {
    if let Some(c) = char::from_u32(v) {
        out.push(c);
    }
}

/// `printf FORMAT ARGS…`: `%s`, `%b`, `%c`, `%d`, `%%` and escapes; the
/// format is reused while arguments remain.
fn printf(format: &str, args: &[&str]) -> String {
    let mut out = String::new();
    let mut next = 0usize;
    for _round in 0..256 {
        let mut used = false;
        let chars: Vec<char> = format.chars().collect();
        let mut literal = String::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c != '%' {
                literal.push(c);
                i += 1;
                continue;
            }
            out.push_str(&unescape(&literal, false));
            literal.clear();
            // Skip flags, width and precision.
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j], '-' | '+' | ' ' | '#' | '0'..='9' | '.') {
                j += 1;
            }
            let conv = chars.get(j).copied().unwrap_or('%');
            let arg = args.get(next).copied();
            match conv {
                '%' => out.push('%'),
                's' | 'q' => out.push_str(arg.unwrap_or("")),
                'b' => out.push_str(&unescape(arg.unwrap_or(""), true)),
                'c' => out.extend(arg.unwrap_or("").chars().next()),
                'd' | 'i' | 'u' | 'x' | 'X' | 'o' | 'f' | 'g' | 'e' => {
                    out.push_str(arg.unwrap_or("0"));
                }
                _ => {}
            }
            if conv != '%' {
                next += 1;
                used = true;
            }
            i = j + 1;
            if out.len() > MAX_TEXT {
                return out;
            }
        }
        out.push_str(&unescape(&literal, false));
        if !used || next >= args.len() {
            break;
        }
    }
    out
}

/// `tr` sets: ranges (`a-z`), escapes (`\n`) and the classes
/// `[:lower:]`/`[:upper:]`/`[:digit:]`/`[:space:]`.
fn tr_set(spec: &str) -> Option<Vec<char>> {
    let mut out = Vec::new();
    let spec = unescape(spec, false);
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().take(10).collect();
        let class = [
            ("[:lower:]", 'a'..='z'),
            ("[:upper:]", 'A'..='Z'),
            ("[:digit:]", '0'..='9'),
        ]
        .into_iter()
        .find(|(name, _)| rest.starts_with(name));
        if let Some((name, range)) = class {
            out.extend(range);
            i += name.len();
            continue;
        }
        if rest.starts_with("[:space:]") {
            out.extend([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
            i += 9;
            continue;
        }
        if rest.starts_with("[:") {
            return None;
        }
        if i + 2 < chars.len() && chars[i + 1] == '-' {
            let (a, b) = (chars[i], chars[i + 2]);
            if a > b || (b as u32 - a as u32) > 4096 {
                return None;
            }
            out.extend(a..=b);
            i += 3;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    Some(out)
}

/// `tr [-d] [-s] SET1 [SET2]` over `input`.
fn tr(args: &[&str], input: &str) -> Option<String> {
    let mut delete = false;
    let mut squeeze = false;
    let mut sets = Vec::new();
    for a in args {
        match *a {
            "-d" | "--delete" => delete = true,
            "-s" | "--squeeze-repeats" => squeeze = true,
            "-ds" | "-sd" => {
                delete = true;
                squeeze = true;
            }
            s if s.starts_with('-') && s.len() > 1 => return None,
            s => sets.push(s),
        }
    }
    let set1 = tr_set(sets.first()?)?;
    let mut out = String::with_capacity(input.len());
    if delete {
        out.extend(input.chars().filter(|c| !set1.contains(c)));
        return (!squeeze).then_some(out);
    }
    let set2 = tr_set(sets.get(1)?)?;
    let last = *set2.last()?;
    let mut prev: Option<char> = None;
    for c in input.chars() {
        let mapped = match set1.iter().rposition(|x| *x == c) {
            Some(p) => set2.get(p).copied().unwrap_or(last),
            None => c,
        };
        if squeeze && prev == Some(mapped) && set2.contains(&mapped) {
            continue;
        }
        prev = Some(mapped);
        out.push(mapped);
    }
    Some(out)
}

/// Decode standard base64 (whitespace ignored, padding optional).
fn base64_decode(input: &str) -> Option<String> {
    let mut bits = 0u32;
    let mut n = 0u32;
    let mut out = Vec::new();
    for c in input.chars() {
        let v = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 26,
            '0'..='9' => c as u32 - '0' as u32 + 52,
            '+' | '-' => 62,
            '/' | '_' => 63,
            '=' => break,
            c if c.is_whitespace() => continue,
            _ => return None,
        };
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `xxd -r -p`: plain hex digits, whitespace ignored.
fn hex_decode(input: &str) -> Option<String> {
    let digits: Vec<u32> = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_digit(16))
        .collect::<Option<Vec<_>>>()?;
    let bytes: Vec<u8> = digits
        .chunks(2)
        .filter(|p| p.len() == 2)
        .map(|p| (p[0] * 16 + p[1]) as u8)
        .collect();
    String::from_utf8(bytes).ok()
}

/// One `s/PAT/REP/FLAGS` or `y/SRC/DST/` command of sed or perl, with a
/// literal pattern (no regular-expression characters).
fn substitute(script: &str, input: &str) -> Option<String> {
    let mut text = input.to_string();
    for cmd in script.split(';').map(str::trim).filter(|c| !c.is_empty()) {
        // perl's `tr/a/b/` is sed's `y/a/b/`.
        let (cmd, op) = match cmd.strip_prefix("tr") {
            Some(rest) if rest.starts_with(|c: char| !c.is_alphanumeric()) => (rest, 'y'),
            _ => (&cmd[cmd.chars().next()?.len_utf8()..], cmd.chars().next()?),
        };
        let delim = cmd.chars().next()?;
        let parts: Vec<&str> = cmd.get(delim.len_utf8()..)?.split(delim).collect();
        if parts.len() < 2 {
            return None;
        }
        let (pat, rep) = (parts[0], parts[1]);
        let flags = parts.get(2).copied().unwrap_or("");
        match op {
            's' => {
                if pat.is_empty()
                    || pat.contains([
                        '.', '[', ']', '*', '^', '$', '\\', '+', '?', '(', ')', '{', '|',
                    ])
                    || rep.contains(['&', '\\', '$'])
                {
                    return None;
                }
                let global = flags.contains('g');
                text = text
                    .lines()
                    .map(|l| {
                        if global {
                            l.replace(pat, rep)
                        } else {
                            l.replacen(pat, rep, 1)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
                    + if text.ends_with('\n') { "\n" } else { "" };
            }
            'y' | 't' => text = tr(&[pat, rep], &text)?,
            _ => return None,
        }
        if text.len() > MAX_TEXT {
            return None;
        }
    }
    Some(text)
}

/// The string literals an awk program prints (`BEGIN { print "…" }`), or
/// its input for `{ print }` / `{ print $0 }` / `1`.
fn awk(program: &str, input: Option<&str>) -> Option<String> {
    let p = program.trim();
    if matches!(
        p,
        "{print}" | "{ print }" | "{print $0}" | "{ print $0 }" | "1"
    ) {
        return input.map(str::to_string);
    }
    let body = p
        .strip_prefix("BEGIN")?
        .trim()
        .strip_prefix('{')?
        .strip_suffix('}')?;
    let mut out = String::new();
    for stmt in body.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let arg = stmt.strip_prefix("print")?.trim();
        let lit = arg.strip_prefix('"')?.strip_suffix('"')?;
        if lit.contains('"') {
            return None;
        }
        out.push_str(&unescape(lit, false));
        out.push('\n');
    }
    Some(out)
}

/// The recipes of a makefile: lines starting with a tab, and the part after
/// `;` on a rule line, without their `@`, `-` and `+` prefixes.
pub(super) fn makefile_recipes(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let recipe = if let Some(r) = line.strip_prefix('\t') {
            Some(r)
        } else if !line.trim_start().starts_with('#') && line.contains(':') {
            line.split_once(':')
                .and_then(|(_, rest)| rest.split_once(';'))
                .map(|(_, r)| r)
        } else {
            None
        };
        if let Some(r) = recipe {
            let r = r.trim().trim_start_matches(['@', '-', '+']).trim();
            if !r.is_empty() {
                out.push(r.replace("$$", "$"));
            }
        }
        if out.len() > 256 {
            break;
        }
    }
    out
}

/// Whether `c` only reads standard input (no file operands).
fn reads_stdin_only(c: &Command, skip: usize) -> bool {
    c.operands().skip(skip).all(|w| w.text == "-")
}

impl Builder {
    /// What command `id` writes to standard output, when it is constant
    /// text or a simple filter of constant text.
    pub(super) fn output_of(&self, id: usize, depth: u8) -> Option<String> {
        if depth > MAX_STAGES {
            return None;
        }
        let c = self.commands.get(id)?;
        if c.redirect_writes().next().is_some() {
            return None;
        }
        let args: Vec<&str> = c.arg_texts().collect();
        if c.args.iter().any(|a| a.dynamic) {
            return None;
        }
        let text = match c.name.as_str() {
            "echo" | "printf" => printed_text(&c.name, &c.args)?,
            "pwd" => "$PWD\n".to_string(),
            "cat" | "tee" if reads_stdin_only(c, 0) => self.input_of(c, depth)?,
            "rev" if args.is_empty() => {
                let input = self.input_of(c, depth)?;
                let mut out: String = input
                    .lines()
                    .map(|l| l.chars().rev().collect::<String>())
                    .collect::<Vec<_>>()
                    .join("\n");
                out.push('\n');
                out
            }
            "tr" => tr(&args, &self.input_of(c, depth)?)?,
            "base64" | "gbase64" | "basenc"
                if (c.has_short('d') || c.has_long("decode")) && reads_stdin_only(c, 0) =>
            {
                base64_decode(&self.input_of(c, depth)?)?
            }
            "xxd" if c.has_short('r') && c.has_short('p') && reads_stdin_only(c, 0) => {
                hex_decode(&self.input_of(c, depth)?)?
            }
            "sed" => {
                let script = match args.as_slice() {
                    [s] => *s,
                    ["-e", s] => *s,
                    _ => return None,
                };
                substitute(script, &self.input_of(c, depth)?)?
            }
            "perl" => {
                let script = match args.as_slice() {
                    ["-pe" | "-p", "-e", s] | ["-pe", s] => *s,
                    _ => return None,
                };
                substitute(script, &self.input_of(c, depth)?)?
            }
            "awk" | "gawk" | "mawk" | "nawk" => match args.as_slice() {
                [program] => awk(program, self.input_of(c, depth).as_deref())?,
                _ => return None,
            },
            _ => return None,
        };
        (text.len() <= MAX_TEXT).then_some(text)
    }

    /// The text on command `c`'s standard input, when it is known.
    fn input_of(&self, c: &Command, depth: u8) -> Option<String> {
        if let Some(t) = &c.stdin_text {
            if c.stdin_from.is_empty() {
                return Some(t.clone());
            }
        }
        if c.stdin_from.is_empty() {
            return None;
        }
        let mut text = String::new();
        for &p in &c.stdin_from {
            // Only the producers' own output: commands nested in them (a
            // substitution's) are part of that output already.
            let nested = self
                .commands
                .get(p)?
                .origin
                .parent
                .is_some_and(|q| c.stdin_from.contains(&q));
            if nested {
                continue;
            }
            text.push_str(&self.output_of(p, depth + 1)?);
            if text.len() > MAX_TEXT {
                return None;
            }
        }
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printf_and_echo() {
        let w = |v: &[&str]| v.iter().map(|t| Word::literal(*t)).collect::<Vec<_>>();
        assert_eq!(printed_text("printf", &w(&["r%s", "m"])).unwrap(), "rm");
        assert_eq!(
            printed_text("printf", &w(&["\\x72\\x6d\\040-rf"])).unwrap(),
            "rm -rf"
        );
        assert_eq!(
            printed_text("printf", &w(&["%s\\n", "a", "b"])).unwrap(),
            "a\nb\n"
        );
        assert_eq!(printed_text("echo", &w(&["-e", "a\\x41"])).unwrap(), "aA\n");
        assert_eq!(printed_text("printf", &w(&["100%%"])).unwrap(), "100%");
    }

    #[test]
    fn filters() {
        assert_eq!(tr(&["ez", "rm"], "ez -ef").unwrap(), "rm -rf");
        assert_eq!(tr(&["a-y", "b-z"], "ql").unwrap(), "rm");
        assert_eq!(tr(&["-d", "#"], "r#m").unwrap(), "rm");
        assert_eq!(base64_decode("cm0gLXJmIH4=").unwrap(), "rm -rf ~");
        assert_eq!(hex_decode("726d").unwrap(), "rm");
        assert_eq!(substitute("s/ez/rm/;s/es/rf/", "ez es").unwrap(), "rm rf");
        assert_eq!(substitute("s/x/y/", "rm").unwrap(), "rm");
        assert!(substitute("s/.*/x/", "rm").is_none());
        assert_eq!(
            awk("BEGIN{print \"rm -rf ~\"}", None).unwrap(),
            "rm -rf ~\n"
        );
        assert_eq!(
            makefile_recipes("all:\n\t@rm -rf ~\nx: ; curl e"),
            vec!["rm -rf ~", "curl e"]
        );
        // Bounded and never panicking on odd input.
        assert!(tr(&["\u{10ffff}-a", "b"], "x").is_none());
        let _ = printf("%", &[]);
        let _ = unescape("\\", true);
        let _ = substitute("s", "x");
    }
}
