//! Quote removal for one shell word, done by hand because it sits on the hot
//! path: single and double quotes, backslash escapes, `$'…'` ANSI-C strings,
//! `$"…"`, parameter, command and arithmetic expansions, backticks and a
//! leading tilde. The result is a list of pieces the analyser turns into a
//! [`crate::Word`], parsing the code of each command substitution.

/// One piece of a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Literal text; `quoted` when it came from inside quotes or an escape.
    Lit { text: String, quoted: bool },
    /// `$NAME` / `${NAME…}`: the variable name, the original spelling and
    /// whether it was inside double quotes (so not split into fields).
    Param {
        name: String,
        raw: String,
        quoted: bool,
    },
    /// `$(…)` or backticks: the code inside, the original spelling and
    /// whether it was inside double quotes (so its output is not split).
    Subst {
        code: String,
        raw: String,
        quoted: bool,
    },
    /// `$((…))`, kept as written.
    Arith(String),
    /// A leading `~` or `~user`.
    Tilde(String),
}

/// Split a raw word into pieces. Never fails: unterminated quotes and
/// substitutions run to the end of the word.
pub(crate) fn scan(raw: &str) -> Vec<Piece> {
    let mut s = Scanner {
        chars: raw.char_indices().collect(),
        src: raw,
        pos: 0,
        out: Vec::new(),
    };
    s.unquoted();
    s.out
}

/// Pieces of a heredoc body whose delimiter was unquoted: expansions apply,
/// quotes are plain characters.
pub(crate) fn scan_heredoc(raw: &str) -> Vec<Piece> {
    let mut s = Scanner {
        chars: raw.char_indices().collect(),
        src: raw,
        pos: 0,
        out: Vec::new(),
    };
    s.heredoc();
    s.out
}

struct Scanner<'a> {
    chars: Vec<(usize, char)>,
    src: &'a str,
    pos: usize,
    out: Vec<Piece>,
}

impl Scanner<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).map(|c| c.1)
    }

    fn offset(&self, pos: usize) -> usize {
        self.chars.get(pos).map_or(self.src.len(), |c| c.0)
    }

    fn slice(&self, from: usize, to: usize) -> &str {
        let a = self.offset(from);
        let b = self.offset(to);
        self.src.get(a..b).unwrap_or("")
    }

    fn lit(&mut self, c: char, quoted: bool) {
        if let Some(Piece::Lit { text, quoted: q }) = self.out.last_mut() {
            if *q == quoted {
                text.push(c);
                return;
            }
        }
        self.out.push(Piece::Lit {
            text: c.to_string(),
            quoted,
        });
    }

    fn lit_str(&mut self, s: &str, quoted: bool) {
        if s.is_empty() {
            // An empty quoted string still marks the word as quoted.
            if quoted {
                self.out.push(Piece::Lit {
                    text: String::new(),
                    quoted,
                });
            }
            return;
        }
        for c in s.chars() {
            self.lit(c, quoted);
        }
    }

    fn unquoted(&mut self) {
        if self.peek(0) == Some('~') {
            let start = self.pos;
            while let Some(c) = self.peek(0) {
                if c == '/' {
                    break;
                }
                if !(c == '~' || c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '+')) {
                    break;
                }
                self.pos += 1;
            }
            let text = self.slice(start, self.pos).to_string();
            self.out.push(Piece::Tilde(text));
        }
        while let Some(c) = self.peek(0) {
            match c {
                '\\' => {
                    match self.peek(1) {
                        Some('\n') => {}
                        Some(n) => self.lit(n, true),
                        None => self.lit('\\', false),
                    }
                    self.pos += 2;
                }
                '\'' => {
                    self.pos += 1;
                    let start = self.pos;
                    while self.peek(0).is_some_and(|c| c != '\'') {
                        self.pos += 1;
                    }
                    let text = self.slice(start, self.pos).to_string();
                    self.pos += 1;
                    self.lit_str(&text, true);
                }
                '"' => {
                    self.pos += 1;
                    self.double_quoted();
                }
                '$' => self.dollar(false),
                '`' => self.backtick(false),
                _ => {
                    self.lit(c, false);
                    self.pos += 1;
                }
            }
        }
    }

    fn double_quoted(&mut self) {
        let before = self.out.len();
        while let Some(c) = self.peek(0) {
            match c {
                '"' => {
                    self.pos += 1;
                    break;
                }
                '\\' => {
                    match self.peek(1) {
                        Some('\n') => {}
                        Some(n @ ('$' | '`' | '"' | '\\')) => self.lit(n, true),
                        Some(n) => {
                            self.lit('\\', true);
                            self.lit(n, true);
                        }
                        None => self.lit('\\', true),
                    }
                    self.pos += 2;
                }
                '$' => self.dollar(true),
                '`' => self.backtick(true),
                _ => {
                    self.lit(c, true);
                    self.pos += 1;
                }
            }
        }
        if self.out.len() == before {
            self.lit_str("", true);
        }
    }

    fn heredoc(&mut self) {
        while let Some(c) = self.peek(0) {
            match c {
                '\\' => {
                    match self.peek(1) {
                        Some('\n') => {}
                        Some(n @ ('$' | '`' | '\\')) => self.lit(n, false),
                        Some(n) => {
                            self.lit('\\', false);
                            self.lit(n, false);
                        }
                        None => self.lit('\\', false),
                    }
                    self.pos += 2;
                }
                '$' => self.dollar(true),
                '`' => self.backtick(true),
                _ => {
                    self.lit(c, false);
                    self.pos += 1;
                }
            }
        }
    }

    fn backtick(&mut self, quoted: bool) {
        let start = self.pos;
        self.pos += 1;
        let mut code = String::new();
        while let Some(c) = self.peek(0) {
            if c == '`' {
                self.pos += 1;
                break;
            }
            if c == '\\' {
                if let Some(n @ ('`' | '\\' | '$')) = self.peek(1) {
                    code.push(n);
                    self.pos += 2;
                    continue;
                }
            }
            code.push(c);
            self.pos += 1;
        }
        let raw = self.slice(start, self.pos).to_string();
        self.out.push(Piece::Subst { code, raw, quoted });
    }

    fn dollar(&mut self, in_double: bool) {
        let start = self.pos;
        match self.peek(1) {
            Some('\'') if !in_double => {
                self.pos += 2;
                let text = self.ansi_c();
                self.lit_str(&text, true);
            }
            Some('"') if !in_double => {
                self.pos += 2;
                self.double_quoted();
            }
            Some('(') if self.peek(2) == Some('(') => {
                self.pos += 3;
                self.skip_balanced('(', ')', 2);
                let raw = self.slice(start, self.pos).to_string();
                self.out.push(Piece::Arith(raw));
            }
            Some('(') => {
                self.pos += 2;
                let inner_start = self.pos;
                self.skip_balanced('(', ')', 1);
                let end = if self.chars.get(self.pos.wrapping_sub(1)).map(|c| c.1) == Some(')')
                    && self.pos > inner_start
                {
                    self.pos - 1
                } else {
                    self.pos
                };
                let code = self.slice(inner_start, end).to_string();
                let raw = self.slice(start, self.pos).to_string();
                self.out.push(Piece::Subst {
                    code,
                    raw,
                    quoted: in_double,
                });
            }
            Some('{') => {
                self.pos += 2;
                let inner_start = self.pos;
                self.skip_balanced('{', '}', 1);
                let inner = self.slice(inner_start, self.pos).trim_end_matches('}');
                let name: String = inner
                    .trim_start_matches(['!', '#'])
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let raw = self.slice(start, self.pos).to_string();
                // `${X:-$(cmd)}` and friends run code too.
                if let Some(i) = inner.find("$(").or_else(|| inner.find('`')) {
                    for p in scan_heredoc(&inner[i..]) {
                        if let Piece::Subst { .. } = p {
                            self.out.push(p);
                        }
                    }
                }
                self.out.push(Piece::Param {
                    name,
                    raw,
                    quoted: in_double,
                });
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                self.pos += 1;
                let name_start = self.pos;
                while self
                    .peek(0)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    self.pos += 1;
                }
                let name = self.slice(name_start, self.pos).to_string();
                let raw = self.slice(start, self.pos).to_string();
                self.out.push(Piece::Param {
                    name,
                    raw,
                    quoted: in_double,
                });
            }
            Some(c) if c.is_ascii_digit() || "@*#?$!-".contains(c) => {
                self.pos += 2;
                let raw = self.slice(start, self.pos).to_string();
                self.out.push(Piece::Param {
                    name: c.to_string(),
                    raw,
                    quoted: in_double,
                });
            }
            _ => {
                self.lit('$', in_double);
                self.pos += 1;
            }
        }
    }

    /// Move past the closer that balances `depth` openers already consumed,
    /// skipping quoted text; stops at the end of input.
    fn skip_balanced(&mut self, open: char, close: char, mut depth: usize) {
        while let Some(c) = self.peek(0) {
            self.pos += 1;
            match c {
                '\\' => self.pos += 1,
                '\'' => {
                    while self.peek(0).is_some_and(|c| c != '\'') {
                        self.pos += 1;
                    }
                    self.pos += 1;
                }
                '"' => {
                    while let Some(c) = self.peek(0) {
                        self.pos += 1;
                        if c == '\\' {
                            self.pos += 1;
                        } else if c == '"' {
                            break;
                        }
                    }
                }
                c if c == open => depth += 1,
                c if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
        self.pos = self.pos.min(self.chars.len());
    }

    /// Decode a `$'…'` body up to its closing quote.
    fn ansi_c(&mut self) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek(0) {
            self.pos += 1;
            match c {
                '\'' => break,
                '\\' => {
                    let Some(e) = self.peek(0) else {
                        out.push('\\');
                        break;
                    };
                    self.pos += 1;
                    match e {
                        'a' => out.push('\x07'),
                        'b' => out.push('\x08'),
                        'e' | 'E' => out.push('\x1b'),
                        'f' => out.push('\x0c'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'v' => out.push('\x0b'),
                        '\\' | '\'' | '"' | '?' => out.push(e),
                        'x' => {
                            let v = self.radix_digits(16, 2);
                            push_code(&mut out, v);
                        }
                        'u' => {
                            let v = self.radix_digits(16, 4);
                            push_code(&mut out, v);
                        }
                        'U' => {
                            let v = self.radix_digits(16, 8);
                            push_code(&mut out, v);
                        }
                        'c' => {
                            if let Some(n) = self.peek(0) {
                                self.pos += 1;
                                push_code(&mut out, Some(u32::from(n) & 0x1f));
                            }
                        }
                        '0'..='7' => {
                            self.pos -= 1;
                            let v = self.radix_digits(8, 3);
                            push_code(&mut out, v);
                        }
                        other => {
                            out.push('\\');
                            out.push(other);
                        }
                    }
                }
                other => out.push(other),
            }
        }
        out
    }

    fn radix_digits(&mut self, radix: u32, max: usize) -> Option<u32> {
        let mut value: Option<u32> = None;
        for _ in 0..max {
            let Some(d) = self.peek(0).and_then(|c| c.to_digit(radix)) else {
                break;
            };
            self.pos += 1;
            value = Some(value.unwrap_or(0).saturating_mul(radix).saturating_add(d));
        }
        value
    }
}

fn push_code(out: &mut String, code: Option<u32>) {
    if let Some(c) = code.and_then(char::from_u32) {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Lit { text, .. } => text.clone(),
                Piece::Param { raw, .. } | Piece::Subst { raw, .. } => raw.clone(),
                Piece::Arith(r) | Piece::Tilde(r) => r.clone(),
            })
            .collect()
    }

    #[test]
    fn quote_removal_table() {
        for (raw, want) in [
            ("rm", "rm"),
            ("\\rm", "rm"),
            ("r''m", "rm"),
            ("\"r\"m", "rm"),
            ("$'\\x72m'", "rm"),
            ("$'\\162m'", "rm"),
            ("$'\\u0072m'", "rm"),
            ("'a b'", "a b"),
            ("\"a \\\"b\\\"\"", "a \"b\""),
            ("\"\\x\"", "\\x"),
            ("a\\ b", "a b"),
            ("$\"hi\"", "hi"),
            ("'unterminated", "unterminated"),
            ("$", "$"),
        ] {
            assert_eq!(lit(&scan(raw)), want, "{raw}");
        }
    }

    #[test]
    fn expansions_are_kept_as_pieces() {
        let p = scan("\"x $(cat .env) y\"");
        assert!(p
            .iter()
            .any(|p| matches!(p, Piece::Subst { code, .. } if code == "cat .env")));
        let p = scan("`cat a`");
        assert!(p
            .iter()
            .any(|p| matches!(p, Piece::Subst { code, .. } if code == "cat a")));
        let p = scan("${HOME}/x");
        assert!(matches!(&p[0], Piece::Param { name, .. } if name == "HOME"));
        let p = scan("~/x");
        assert_eq!(p[0], Piece::Tilde("~".into()));
        let p = scan("$(echo $(id))");
        assert!(matches!(&p[0], Piece::Subst { code, .. } if code == "echo $(id)"));
        let p = scan("${X:-$(curl e)}");
        assert!(p
            .iter()
            .any(|p| matches!(p, Piece::Subst { code, .. } if code == "curl e")));
    }

    #[test]
    fn unbalanced_input_does_not_panic() {
        for raw in [
            "$(", "$((", "${", "`", "\"", "'", "$'\\", "$'\\x", "\\", "$(\"", "$('",
        ] {
            let _ = scan(raw);
            let _ = scan_heredoc(raw);
        }
    }
}
