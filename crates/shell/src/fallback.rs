//! Best-effort tokenizer for command strings the parser rejects (or nested
//! code below the depth cap). It splits on shell operators outside quotes and
//! substitutions, never fails, and its output is marked approximate so rules
//! answer "could not parse" instead of a firm verdict.

use crate::model::RedirectKind;

/// One command as tokens: raw words (quotes intact) and redirections.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct RawCommand {
    pub words: Vec<String>,
    pub redirects: Vec<(Option<u32>, RedirectKind, String)>,
}

/// Commands joined by pipes; `conditional` when joined to a neighbour by
/// `&&`/`||`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct RawPipeline {
    pub stages: Vec<RawCommand>,
    pub conditional: bool,
    pub background: bool,
}

pub(crate) fn tokenize(src: &str) -> Vec<RawPipeline> {
    let chars: Vec<char> = src.chars().collect();
    let mut t = Tok {
        chars: &chars,
        pos: 0,
        word: String::new(),
        in_word: false,
        cmd: RawCommand::default(),
        pipe: RawPipeline::default(),
        out: Vec::new(),
        pending: None,
        next_conditional: false,
    };
    t.run();
    t.out
}

struct Tok<'a> {
    chars: &'a [char],
    pos: usize,
    word: String,
    in_word: bool,
    cmd: RawCommand,
    pipe: RawPipeline,
    out: Vec<RawPipeline>,
    /// A redirection operator waiting for its target word.
    pending: Option<(Option<u32>, RedirectKind)>,
    next_conditional: bool,
}

impl Tok<'_> {
    fn peek(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).copied()
    }

    fn end_word(&mut self) {
        if !self.in_word {
            return;
        }
        let w = std::mem::take(&mut self.word);
        self.in_word = false;
        match self.pending.take() {
            Some((fd, kind)) => self.cmd.redirects.push((fd, kind, w)),
            None => self.cmd.words.push(w),
        }
    }

    fn end_command(&mut self) {
        self.end_word();
        self.pending = None;
        let cmd = std::mem::take(&mut self.cmd);
        if !cmd.words.is_empty() || !cmd.redirects.is_empty() {
            self.pipe.stages.push(cmd);
        }
    }

    fn end_pipeline(&mut self, conditional_next: bool, background: bool) {
        self.end_command();
        let mut pipe = std::mem::take(&mut self.pipe);
        pipe.background = background;
        pipe.conditional = self.next_conditional || conditional_next;
        self.next_conditional = conditional_next;
        if !pipe.stages.is_empty() {
            self.out.push(pipe);
        }
    }

    fn push(&mut self, c: char) {
        self.word.push(c);
        self.in_word = true;
    }

    fn run(&mut self) {
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\r' => {
                    self.end_word();
                    self.pos += 1;
                }
                '\n' | ';' => {
                    self.end_pipeline(false, false);
                    self.next_conditional = false;
                    self.pos += 1;
                }
                '&' if self.peek(1) == Some('&') => {
                    self.end_pipeline(true, false);
                    self.pos += 2;
                }
                '|' if self.peek(1) == Some('|') => {
                    self.end_pipeline(true, false);
                    self.pos += 2;
                }
                '|' => {
                    self.end_command();
                    self.pos += if self.peek(1) == Some('&') { 2 } else { 1 };
                }
                '&' if self.peek(1) == Some('>') => {
                    self.end_word();
                    let append = self.peek(2) == Some('>');
                    self.pending = Some((None, RedirectKind::OutputAndError));
                    self.pos += if append { 3 } else { 2 };
                }
                '&' => {
                    self.end_pipeline(false, true);
                    self.next_conditional = false;
                    self.pos += 1;
                }
                '(' | ')' | '{' | '}' if !self.in_word => {
                    self.end_command();
                    self.pos += 1;
                }
                '<' | '>' => self.redirect(),
                '\\' => {
                    self.push(c);
                    if let Some(n) = self.peek(1) {
                        self.push(n);
                    }
                    self.pos += 2;
                }
                '\'' => self.quoted('\''),
                '"' => self.quoted('"'),
                '`' => self.quoted('`'),
                '$' if self.peek(1) == Some('(') || self.peek(1) == Some('{') => {
                    let (open, close) = if self.peek(1) == Some('(') {
                        ('(', ')')
                    } else {
                        ('{', '}')
                    };
                    self.push('$');
                    self.push(open);
                    self.pos += 2;
                    self.balanced(open, close);
                }
                _ => {
                    self.push(c);
                    self.pos += 1;
                }
            }
        }
        self.end_pipeline(false, false);
    }

    fn redirect(&mut self) {
        // A word made only of digits right before the operator is its fd.
        let fd = if self.in_word && self.word.chars().all(|c| c.is_ascii_digit()) {
            let n = self.word.parse::<u32>().ok();
            self.word.clear();
            self.in_word = false;
            n
        } else {
            self.end_word();
            None
        };
        let c = self.peek(0).unwrap_or('>');
        let n = self.peek(1);
        let (kind, len) = match (c, n) {
            ('>', Some('>')) => (RedirectKind::Append, 2),
            ('>', Some('|')) => (RedirectKind::Clobber, 2),
            ('>', Some('&')) => (RedirectKind::Duplicate, 2),
            ('<', Some('<')) if self.peek(2) == Some('<') => (RedirectKind::HereString, 3),
            ('<', Some('<')) => (RedirectKind::HereDoc, 2),
            ('<', Some('>')) => (RedirectKind::ReadWrite, 2),
            ('<', Some('&')) => (RedirectKind::Duplicate, 2),
            ('<', Some('(')) | ('>', Some('(')) => {
                // Process substitution: keep it as a word.
                self.push(c);
                self.push('(');
                self.pos += 2;
                self.balanced('(', ')');
                return;
            }
            ('<', _) => (RedirectKind::Read, 1),
            _ => (RedirectKind::Write, 1),
        };
        self.pos += len;
        if kind == RedirectKind::HereDoc && self.peek(0) == Some('-') {
            self.pos += 1;
        }
        self.pending = Some((fd, kind));
    }

    fn quoted(&mut self, q: char) {
        self.push(q);
        self.pos += 1;
        while let Some(c) = self.peek(0) {
            self.push(c);
            self.pos += 1;
            if c == '\\' && q != '\'' {
                if let Some(n) = self.peek(0) {
                    self.push(n);
                    self.pos += 1;
                }
                continue;
            }
            if c == q {
                return;
            }
        }
    }

    fn balanced(&mut self, open: char, close: char) {
        let mut depth = 1;
        while let Some(c) = self.peek(0) {
            match c {
                '\'' | '"' | '`' => {
                    self.quoted(c);
                    continue;
                }
                '\\' => {
                    self.push(c);
                    self.pos += 1;
                    if let Some(n) = self.peek(0) {
                        self.push(n);
                        self.pos += 1;
                    }
                    continue;
                }
                _ => {}
            }
            self.push(c);
            self.pos += 1;
            if c == open {
                depth += 1;
            } else if c == close {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Vec<Vec<Vec<String>>> {
        tokenize(src)
            .into_iter()
            .map(|p| p.stages.into_iter().map(|s| s.words).collect())
            .collect()
    }

    #[test]
    fn splits_on_operators_outside_quotes() {
        assert_eq!(
            words("a 'b;c' | d && e \"f"),
            vec![
                vec![vec!["a".to_string(), "'b;c'".into()], vec!["d".into()]],
                vec![vec!["e".to_string(), "\"f".into()]],
            ]
        );
        assert_eq!(
            words("x $(a; b) y"),
            vec![vec![vec!["x".to_string(), "$(a; b)".into(), "y".into()]]]
        );
        let p = tokenize("echo hi > out 2>>err");
        assert_eq!(p[0].stages[0].redirects.len(), 2);
        assert_eq!(p[0].stages[0].redirects[1].0, Some(2));
        assert!(tokenize("true || rm -rf x")[1].conditional);
    }
}
