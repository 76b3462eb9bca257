//! The analyser: walks brush-parser's AST (or the fallback tokens) and builds
//! the normalised [`Analysis`].
//!
//! This module walks the syntax and resolves words; building one simple
//! command (`Builder::finish`) is shared with three focused steps:
//! - `unwrapping`: peel `sudo`, `env`, `timeout`, `xargs`, … off the
//!   command to reach the command they run;
//! - `indirect`: the code the command runs indirectly (`sh -c`, `eval`,
//!   heredocs and pipes into shells, scripts written earlier, interpreter
//!   programs and their shell-outs), analysed one level deeper;
//! - `find_exec`: the commands `find -exec`/`-ok`/`-delete` runs.

mod dataflow;
mod find_exec;
mod indirect;
mod unwrapping;

use dataflow::printed_text;

use std::panic::{catch_unwind, AssertUnwindSafe};

use brush_parser::ast;

use crate::fallback;
use crate::model::*;
use crate::paths;
use crate::words::{scan, scan_heredoc, Piece};
use crate::wrappers;

/// Nested code (`sh -c`, `eval`, heredocs to shells, scripts, shell-outs)
/// deeper than this is not analysed; the analysis says so.
pub const MAX_DEPTH: u8 = 5;
/// Recursion guard across substitutions and nested code together.
const MAX_NEST: u32 = 32;
/// Stop adding commands past this many (bounds time on hostile input).
const MAX_COMMANDS: usize = 4096;
/// Longer strings are not given to the parser.
const MAX_PARSE_LEN: usize = 128 * 1024;
/// Deeper bracket nesting is not given to the parser (its recursion is unbounded).
const MAX_SYNTAX_NESTING: usize = 64;
/// More unclosed brackets than this are not given to the parser (it
/// backtracks exponentially on them).
const MAX_UNCLOSED_GROUPS: usize = 10;
/// Variables every shell has: `${HOME:-x}` stays `$HOME`.
const ALWAYS_SET: &[&str] = &[
    "HOME",
    "PWD",
    "USER",
    "LOGNAME",
    "SHELL",
    "PATH",
    "CLAUDE_PROJECT_DIR",
];

/// What a parameter expansion gives.
enum Param {
    /// One known value (split into fields when unquoted).
    Known(String),
    /// Known items, one word each (`"${a[@]}"`, `"$@"`).
    Items(Vec<String>),
    /// Not known: kept as written.
    Dynamic(String),
}

/// Stands for a substitution's output when its word is re-read as code.
const SUBST_PLACEHOLDER: &str = "__agentops_substitution__";

/// Analyse a command string. Never panics; never fails.
pub fn analyse(src: &str) -> Analysis {
    let mut b = Builder::default();
    // Room for about one command per 16 bytes, capped: growing the vector
    // by doubling copies every command each time, and reserved room that
    // is never written costs no memory.
    b.commands.reserve((src.len() / 16).clamp(4, 1024));
    let parsed = b.parse_and_visit(src, &Ctx::top());
    Analysis {
        commands: b.commands,
        functions: b.functions,
        writes: b.writes,
        status: if parsed {
            ParseStatus::Parsed
        } else {
            ParseStatus::Fallback {
                error: b.error.unwrap_or_default(),
            }
        },
        depth_capped: b.capped,
    }
}

#[derive(Clone)]
struct Ctx {
    depth: u8,
    via: Via,
    parent: Option<usize>,
    indirect: bool,
    approximate: bool,
    redirects: Vec<Redirect>,
    stdin_from: Vec<usize>,
    stdin_text: Option<String>,
    conditional: bool,
    background: bool,
    pipe: (u16, u16),
}

impl Ctx {
    fn top() -> Ctx {
        Ctx {
            depth: 0,
            via: Via::Top,
            parent: None,
            indirect: false,
            approximate: false,
            redirects: Vec::new(),
            stdin_from: Vec::new(),
            stdin_text: None,
            conditional: false,
            background: false,
            pipe: (0, 1),
        }
    }

    /// A fresh context for code run on behalf of `parent`.
    fn child(&self, via: Via, parent: Option<usize>, depth: u8) -> Ctx {
        Ctx {
            depth,
            via,
            parent,
            indirect: self.indirect || via.is_indirect(),
            approximate: self.approximate,
            ..Ctx::top()
        }
    }
}

/// A resolved word plus the text to use when it is read again as code.
#[derive(Clone)]
struct RWord {
    word: Word,
    /// The text with substitutions replaced by a placeholder.
    code: Option<String>,
    /// The words it splits into (an unquoted expansion of a value with
    /// spaces, `"${arr[@]}"`, `"$@"`), when it splits.
    fields: Option<Vec<String>>,
}

impl RWord {
    fn plain(word: Word) -> RWord {
        RWord {
            word,
            code: None,
            fields: None,
        }
    }

    fn code_text(&self) -> &str {
        self.code.as_deref().unwrap_or(&self.word.text)
    }
}

#[derive(Default)]
struct Builder {
    commands: Vec<Command>,
    functions: Vec<Function>,
    writes: Vec<FileWrite>,
    vars: Vec<(String, String)>,
    /// Arrays assigned with constant items (`a=(rm -rf x)`).
    arrays: Vec<(String, Vec<String>)>,
    /// The positional parameters after `set -- …`.
    positional: Option<Vec<String>>,
    /// Aliases defined in the command (`alias x='rm -rf'`).
    aliases: Vec<(String, String)>,
    /// Aliases being expanded (an alias is not expanded inside itself).
    expanding: Vec<String>,
    /// The wrappers and runner of the runner's command being built next.
    runner_wrappers: Vec<String>,
    capped: bool,
    nest: u32,
    error: Option<String>,
}

fn parse(src: &str) -> Result<ast::Program, String> {
    if src.len() > MAX_PARSE_LEN {
        return Err("command too long to parse".into());
    }
    if syntax_nesting(src) > MAX_SYNTAX_NESTING {
        return Err("brackets nested too deeply to parse".into());
    }
    if keyword_nesting(src) > MAX_SYNTAX_NESTING {
        // brush-parser and the visitor recurse once per compound command:
        // thousands of nested `if … then`/`do … done` overflow the stack,
        // and a crashed hook lets the command through.
        return Err("compound commands nested too deeply to parse".into());
    }
    if unclosed_groups(src) > MAX_UNCLOSED_GROUPS {
        // brush-parser backtracks exponentially on unclosed `(`/`{`: with
        // 24 of them a parse takes a second. The shell rejects such text
        // anyway; the tokenizer reads it in linear time.
        return Err("too many unclosed brackets to parse".into());
    }
    if src
        .bytes()
        .any(|b| b.is_ascii_control() && b != b'\n' && b != b'\t')
    {
        // brush-parser 0.4 can loop forever on a carriage return in a
        // heredoc delimiter (found by fuzzing); raw control characters have
        // no place in a command line, so such text is tokenized instead.
        return Err("control characters in the command".into());
    }
    let options = brush_parser::ParserOptions::default();
    let result = catch_unwind(AssertUnwindSafe(|| {
        brush_parser::Parser::new(src.as_bytes(), &options).parse_program()
    }));
    match result {
        Ok(Ok(program)) => Ok(program),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the parser failed on this input".into()),
    }
}

/// `(` and `{` outside quotes that are never closed.
fn unclosed_groups(src: &str) -> usize {
    let mut depth = 0usize;
    let mut bytes = src.bytes();
    let mut quote: Option<u8> = None;
    while let Some(b) = bytes.next() {
        match (quote, b) {
            (Some(b'\''), b'\'') => quote = None,
            (Some(b'\''), _) => {}
            (_, b'\\') => {
                bytes.next();
            }
            (Some(b'"'), b'"') => quote = None,
            (Some(b'"'), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            (None, b'(' | b'{') => depth += 1,
            (None, b')' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth
}

fn syntax_nesting(src: &str) -> usize {
    let mut depth = 0usize;
    let mut max = 0usize;
    for b in src.bytes() {
        match b {
            b'(' | b'{' | b'[' | b'`' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// The deepest nesting of compound-command keywords (`if`, `while`,
/// `until`, `for`, `select`, `case` … `fi`, `done`, `esac`), counted on
/// words, quotes ignored: an over-estimate is harmless (the tokenizer reads
/// the text instead), an under-estimate is not.
fn keyword_nesting(src: &str) -> usize {
    let mut depth = 0usize;
    let mut max = 0usize;
    for word in src.split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')')) {
        match word {
            "if" | "while" | "until" | "for" | "select" | "case" => {
                depth += 1;
                max = max.max(depth);
            }
            "fi" | "done" | "esac" => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn normalise_name(text: &str) -> String {
    let t = text.trim_start_matches('\\');
    paths::basename(t).to_ascii_lowercase()
}

/// A word written back as shell code (for an alias call's arguments).
fn quote_word(w: &RWord) -> String {
    let t = w.code_text();
    let plain = !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%~".contains(c));
    if plain {
        t.to_string()
    } else if w.word.dynamic {
        format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        format!("'{}'", t.replace('\'', "'\\''"))
    }
}

/// Expand one unquoted `{a,b}` group (recursively, capped).
fn brace_expand(text: &str, out: &mut Vec<String>) {
    if out.len() > 32 {
        out.push(text.to_string());
        return;
    }
    let Some(open) = text.find('{') else {
        out.push(text.to_string());
        return;
    };
    let mut depth = 0;
    let mut close = None;
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let Some(close) = close else {
        out.push(text.to_string());
        return;
    };
    let inner = &text[open + 1..close];
    if !inner.contains(',') || inner.contains('{') {
        out.push(text.to_string());
        return;
    }
    for alt in inner.split(',') {
        let candidate = format!("{}{}{}", &text[..open], alt, &text[close + 1..]);
        brace_expand(&candidate, out);
    }
}

impl Builder {
    /// Parse `src` and visit it; on a parse failure, tokenize it instead.
    /// Returns whether it parsed.
    fn parse_and_visit(&mut self, src: &str, ctx: &Ctx) -> bool {
        if self.nest >= MAX_NEST || self.commands.len() >= MAX_COMMANDS {
            self.capped = true;
            return true;
        }
        self.nest += 1;
        let parsed = match parse(src) {
            Ok(program) => {
                self.visit_program(&program, ctx);
                true
            }
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(e);
                }
                let mut approx = ctx.clone();
                approx.approximate = true;
                self.visit_fallback(src, &approx);
                false
            }
        };
        self.nest -= 1;
        parsed
    }

    // ---- words ----

    fn resolve(&mut self, raw: &str, ctx: &Ctx) -> RWord {
        // Most words are plain text: skip the scanner for them.
        if !raw
            .bytes()
            .any(|b| matches!(b, b'\\' | b'\'' | b'"' | b'$' | b'`' | b'~'))
        {
            return RWord::plain(Word::literal(raw));
        }
        let pieces = scan(raw);
        self.word_of_pieces(pieces, ctx)
    }

    fn word_of_pieces(&mut self, pieces: Vec<Piece>, ctx: &Ctx) -> RWord {
        let mut word = Word::default();
        let mut code: Option<String> = None;
        // The word's fields, when an expansion splits it.
        let mut fields: Vec<String> = vec![String::new()];
        let mut split = false;
        for p in pieces {
            // Text added to the word and to its fields, and the extra fields
            // an expansion starts.
            let (piece, more): (String, Vec<String>) = match p {
                Piece::Lit { text, quoted } => {
                    word.quoted |= quoted;
                    (text, Vec::new())
                }
                Piece::Tilde(t) => (t, Vec::new()),
                Piece::Param { name, raw, quoted } => {
                    word.quoted |= quoted;
                    match self.param(&name, &raw, ctx) {
                        Param::Known(v) if !quoted => {
                            let mut parts = self.split_fields(&v);
                            if parts.len() > 1 {
                                split = true;
                                let first = parts.remove(0);
                                (first, parts)
                            } else {
                                (v, Vec::new())
                            }
                        }
                        Param::Known(v) => (v, Vec::new()),
                        Param::Items(mut items) => {
                            if items.len() > 1 {
                                split = true;
                            }
                            let first = if items.is_empty() {
                                String::new()
                            } else {
                                items.remove(0)
                            };
                            (first, items)
                        }
                        Param::Dynamic(v) => {
                            word.dynamic = true;
                            (v, Vec::new())
                        }
                    }
                }
                Piece::Arith(raw) => {
                    word.dynamic = true;
                    // `$(( $(cmd) + 1 ))` still runs cmd.
                    let inner = raw.get(3..raw.len().saturating_sub(2)).unwrap_or("");
                    if inner.contains("$(") || inner.contains('`') {
                        for p in scan_heredoc(inner) {
                            if let Piece::Subst { code: c, .. } = p {
                                let ids = self.substitution(&c, Via::Substitution, ctx);
                                word.subst.extend(ids);
                            }
                        }
                    }
                    (raw, Vec::new())
                }
                Piece::Subst {
                    code: inner,
                    raw,
                    quoted,
                } => {
                    let ids = self.substitution(&inner, Via::Substitution, ctx);
                    let constant = self.constant_output(&ids);
                    word.subst.extend(ids);
                    match constant {
                        // `$(echo rm)`: the output is known text.
                        Some(out) => {
                            word.quoted |= quoted;
                            let mut parts = if quoted {
                                Vec::new()
                            } else {
                                self.split_fields(&out)
                            };
                            if parts.len() > 1 {
                                split = true;
                                let first = parts.remove(0);
                                (first, parts)
                            } else {
                                (out, Vec::new())
                            }
                        }
                        None => {
                            word.dynamic = true;
                            let c = code.get_or_insert_with(|| word.text.clone());
                            c.push_str(SUBST_PLACEHOLDER);
                            word.text.push_str(&raw);
                            if let Some(f) = fields.last_mut() {
                                f.push_str(&raw);
                            }
                            continue;
                        }
                    }
                }
            };
            if let Some(c) = code.as_mut() {
                c.push_str(&piece);
            }
            word.text.push_str(&piece);
            if let Some(f) = fields.last_mut() {
                f.push_str(&piece);
            }
            for m in more {
                if let Some(c) = code.as_mut() {
                    c.push(' ');
                    c.push_str(&m);
                }
                word.text.push(' ');
                word.text.push_str(&m);
                fields.push(m);
            }
        }
        let fields = (split && fields.len() <= 256).then_some(fields);
        RWord { word, code, fields }
    }

    /// The separators of word splitting (`$IFS`, default blank, tab, newline).
    fn split_fields(&self, value: &str) -> Vec<String> {
        let ifs = self
            .vars
            .iter()
            .rev()
            .find(|(n, _)| n == "IFS")
            .map_or(" \t\n", |(_, v)| v.as_str());
        if ifs.is_empty() || !value.contains(|c| ifs.contains(c)) {
            return vec![value.to_string()];
        }
        value
            .split(|c| ifs.contains(c))
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// A parameter expansion: its value when the command string set it
    /// (`x=v`, `a=(…)`, `set -- …`) or gave a default (`${X:-v}`).
    fn param(&mut self, name: &str, raw: &str, ctx: &Ctx) -> Param {
        let unknown = || Param::Dynamic(raw.to_string());
        let braced = raw.starts_with("${");
        let inner = if braced {
            raw.get(2..raw.len().saturating_sub(1)).unwrap_or("")
        } else {
            raw.get(1..).unwrap_or("")
        };
        let name = if name.is_empty() && (inner.starts_with('@') || inner.starts_with('*')) {
            &inner[..1]
        } else {
            name
        };
        if name.is_empty() || (braced && !inner.starts_with(name)) {
            // `${#x}`, `${!x}`: lengths and indirection are not followed.
            return unknown();
        }
        let mut rest = &inner[name.len()..];
        let mut index: Option<&str> = None;
        if let Some(r) = rest.strip_prefix('[') {
            let Some((i, after)) = r.split_once(']') else {
                return unknown();
            };
            index = Some(i);
            rest = after;
        }
        let items: Option<Vec<String>> = if name.chars().all(|c| c.is_ascii_digit()) {
            let n: usize = name.parse().unwrap_or(0);
            match (n, &self.positional) {
                (0, _) | (_, None) => None,
                (n, Some(p)) => Some(p.get(n - 1).cloned().into_iter().collect()),
            }
        } else if name == "@" || name == "*" {
            self.positional.clone()
        } else {
            let scalar = self.vars.iter().rev().find(|(n, _)| n == name);
            let array = self.arrays.iter().rev().find(|(n, _)| n == name);
            match (array, scalar) {
                (Some((_, a)), _) => Some(a.clone()),
                (None, Some((_, v))) => Some(vec![v.clone()]),
                (None, None) => None,
            }
        };
        let all = name == "@" || name == "*" || matches!(index, Some("@" | "*"));
        let value: Option<Param> = match (&items, index) {
            (Some(items), _) if all => Some(Param::Items(items.clone())),
            (Some(items), None) => Some(Param::Known(items.first().cloned().unwrap_or_default())),
            (Some(items), Some(i)) => match i.parse::<usize>() {
                Ok(i) => Some(Param::Known(items.get(i).cloned().unwrap_or_default())),
                Err(_) => return unknown(),
            },
            (None, _) => None,
        };
        if rest.is_empty() {
            return value.unwrap_or_else(unknown);
        }
        let ops = [":-", ":=", ":+", ":?", "-", "=", "+", "?"];
        let Some(op) = ops.iter().find(|op| rest.starts_with(**op)) else {
            // Other operators (`${x%.txt}`, `${x/a/b}`): the variable's value
            // stands for the result when known.
            return value.unwrap_or_else(unknown);
        };
        let default = &rest[op.len()..];
        let set = value.is_some();
        let empty = match &value {
            Some(Param::Known(v)) => v.is_empty(),
            Some(Param::Items(i)) => i.is_empty(),
            _ => true,
        };
        let use_default = match *op {
            ":-" | ":=" => empty,
            "-" | "=" => !set,
            ":+" => !empty,
            "+" => set,
            _ => false,
        };
        if !use_default {
            return match *op {
                ":+" | "+" => Param::Known(String::new()),
                _ => value.unwrap_or_else(unknown),
            };
        }
        if !set && ALWAYS_SET.contains(&name) {
            // `${HOME:-/tmp}` is `$HOME`.
            return Param::Dynamic(format!("${name}"));
        }
        if !set && matches!(*op, ":+" | "+") {
            return unknown();
        }
        if default.contains("$(") || default.contains('`') || self.nest >= MAX_NEST {
            // Its substitutions were visited with the word already.
            return unknown();
        }
        self.nest += 1;
        let w = self.resolve(default, ctx).word;
        self.nest -= 1;
        if w.dynamic {
            return Param::Dynamic(w.text);
        }
        if matches!(*op, ":=" | "=") {
            self.vars.push((name.to_string(), w.text.clone()));
        }
        Param::Known(w.text)
    }

    /// The output of a substitution whose code is one pipeline of constant
    /// text (`$(echo rm)`, `$(printf 'r%s' m)`), without trailing newlines.
    fn constant_output(&self, ids: &[usize]) -> Option<String> {
        let top: Vec<usize> = ids
            .iter()
            .copied()
            .filter(|&i| {
                self.commands
                    .get(i)
                    .is_some_and(|c| c.origin.parent.is_none_or(|p| !ids.contains(&p)))
            })
            .collect();
        let last = *top.last()?;
        let c = self.commands.get(last)?;
        if usize::from(c.pipe.1) != top.len() || c.pipe.0 + 1 != c.pipe.1 {
            return None;
        }
        let out = self.output_of(last, 0)?;
        Some(out.trim_end_matches('\n').to_string())
    }

    /// Visit the code of a substitution; returns the ids of its commands.
    fn substitution(&mut self, code: &str, via: Via, ctx: &Ctx) -> Vec<usize> {
        let start = self.commands.len();
        let child = Ctx {
            via,
            depth: ctx.depth,
            ..ctx.child(via, None, ctx.depth)
        };
        self.parse_and_visit(code, &child);
        (start..self.commands.len()).collect()
    }

    fn subshell_substitution(
        &mut self,
        kind: &ast::ProcessSubstitutionKind,
        sub: &ast::SubshellCommand,
        ctx: &Ctx,
    ) -> Word {
        let start = self.commands.len();
        if self.nest < MAX_NEST {
            self.nest += 1;
            let child = ctx.child(Via::ProcessSubstitution, None, ctx.depth);
            self.visit_list(&sub.list, &child);
            self.nest -= 1;
        } else {
            self.capped = true;
        }
        let text = match kind {
            ast::ProcessSubstitutionKind::Read => "<(…)",
            ast::ProcessSubstitutionKind::Write => ">(…)",
        };
        Word {
            text: text.to_string(),
            dynamic: true,
            quoted: false,
            subst: (start..self.commands.len()).collect(),
        }
    }

    // ---- AST ----

    fn visit_program(&mut self, program: &ast::Program, ctx: &Ctx) {
        for list in &program.complete_commands {
            self.visit_list(list, ctx);
        }
    }

    fn visit_list(&mut self, list: &ast::CompoundList, ctx: &Ctx) {
        for item in &list.0 {
            let mut c = ctx.clone();
            c.background |= matches!(item.1, ast::SeparatorOperator::Async);
            self.visit_and_or(&item.0, &c);
        }
    }

    fn visit_and_or(&mut self, list: &ast::AndOrList, ctx: &Ctx) {
        let mut c = ctx.clone();
        c.conditional |= !list.additional.is_empty();
        self.visit_pipeline(&list.first, &c);
        for next in &list.additional {
            match next {
                ast::AndOr::And(p) | ast::AndOr::Or(p) => self.visit_pipeline(p, &c),
            }
        }
    }

    fn visit_pipeline(&mut self, pipeline: &ast::Pipeline, ctx: &Ctx) {
        let len = u16::try_from(pipeline.seq.len()).unwrap_or(u16::MAX);
        let mut previous: Vec<usize> = Vec::new();
        for (i, command) in pipeline.seq.iter().enumerate() {
            let mut c = ctx.clone();
            c.pipe = (u16::try_from(i).unwrap_or(u16::MAX), len);
            if i > 0 {
                c.stdin_from = std::mem::take(&mut previous);
                c.stdin_text = None;
            }
            let start = self.commands.len();
            self.visit_command(command, &c);
            previous = (start..self.commands.len()).collect();
        }
    }

    fn visit_command(&mut self, command: &ast::Command, ctx: &Ctx) {
        if self.commands.len() >= MAX_COMMANDS {
            self.capped = true;
            return;
        }
        match command {
            ast::Command::Simple(simple) => self.visit_simple(simple, ctx),
            ast::Command::Compound(compound, redirects) => {
                let c = self.with_redirects(redirects.as_ref(), ctx);
                self.visit_compound(compound, &c);
            }
            ast::Command::Function(def) => {
                let name = self.resolve(&def.fname.value, ctx).word.text;
                let c = self.with_redirects(def.body.1.as_ref(), ctx);
                let start = self.commands.len();
                self.visit_compound(&def.body.0, &c);
                self.functions.push(Function {
                    name,
                    body: start..self.commands.len(),
                });
            }
            ast::Command::ExtendedTest(test, redirects) => {
                let c = self.with_redirects(redirects.as_ref(), ctx);
                self.visit_test(&test.expr, &c);
            }
        }
    }

    fn visit_test(&mut self, expr: &ast::ExtendedTestExpr, ctx: &Ctx) {
        match expr {
            ast::ExtendedTestExpr::And(a, b) | ast::ExtendedTestExpr::Or(a, b) => {
                self.visit_test(a, ctx);
                self.visit_test(b, ctx);
            }
            ast::ExtendedTestExpr::Not(a) | ast::ExtendedTestExpr::Parenthesized(a) => {
                self.visit_test(a, ctx);
            }
            ast::ExtendedTestExpr::UnaryTest(_, w) => {
                self.resolve(&w.value, ctx);
            }
            ast::ExtendedTestExpr::BinaryTest(_, a, b) => {
                self.resolve(&a.value, ctx);
                self.resolve(&b.value, ctx);
            }
        }
    }

    fn visit_compound(&mut self, compound: &ast::CompoundCommand, ctx: &Ctx) {
        use ast::CompoundCommand as C;
        match compound {
            C::BraceGroup(g) => self.visit_list(&g.list, ctx),
            C::Subshell(s) => self.visit_list(&s.list, ctx),
            C::ForClause(f) => {
                for w in f.values.iter().flatten() {
                    self.resolve(&w.value, ctx);
                }
                self.visit_list(&f.body.list, ctx);
            }
            C::ArithmeticForClause(f) => self.visit_list(&f.body.list, ctx),
            C::CaseClause(c) => {
                self.resolve(&c.value.value, ctx);
                for item in &c.cases {
                    if let Some(list) = &item.cmd {
                        self.visit_list(list, ctx);
                    }
                }
            }
            C::IfClause(i) => {
                self.visit_list(&i.condition, ctx);
                self.visit_list(&i.then, ctx);
                for e in i.elses.iter().flatten() {
                    if let Some(cond) = &e.condition {
                        self.visit_list(cond, ctx);
                    }
                    self.visit_list(&e.body, ctx);
                }
            }
            C::WhileClause(w) | C::UntilClause(w) => {
                self.visit_list(&w.0, ctx);
                self.visit_list(&w.1.list, ctx);
            }
            C::Coprocess(c) => self.visit_command(&c.body, ctx),
            C::Arithmetic(a) => {
                self.resolve(&a.expr.value, ctx);
            }
        }
    }

    fn with_redirects(&mut self, list: Option<&ast::RedirectList>, ctx: &Ctx) -> Ctx {
        let mut c = ctx.clone();
        if let Some(list) = list {
            for r in &list.0 {
                let mut text = None;
                let mut from = Vec::new();
                let red = self.redirect(r, ctx, &mut text, &mut from);
                c.redirects.push(red);
                if text.is_some() {
                    c.stdin_text = text;
                }
                c.stdin_from.extend(from);
            }
        }
        c
    }

    fn redirect(
        &mut self,
        r: &ast::IoRedirect,
        ctx: &Ctx,
        stdin_text: &mut Option<String>,
        stdin_from: &mut Vec<usize>,
    ) -> Redirect {
        let fd = |f: &Option<ast::IoFd>| f.and_then(|n| u32::try_from(n).ok());
        match r {
            ast::IoRedirect::File(f, kind, target) => {
                use ast::IoFileRedirectKind as K;
                let mut kind = match kind {
                    K::Read => RedirectKind::Read,
                    K::Write => RedirectKind::Write,
                    K::Append => RedirectKind::Append,
                    K::ReadAndWrite => RedirectKind::ReadWrite,
                    K::Clobber => RedirectKind::Clobber,
                    K::DuplicateInput | K::DuplicateOutput => RedirectKind::Duplicate,
                };
                let target = match target {
                    ast::IoFileRedirectTarget::Filename(w) => self.resolve(&w.value, ctx).word,
                    ast::IoFileRedirectTarget::Fd(n) => Word::literal(n.to_string()),
                    ast::IoFileRedirectTarget::ProcessSubstitution(k, sub) => {
                        self.subshell_substitution(k, sub, ctx)
                    }
                    ast::IoFileRedirectTarget::Duplicate(w) => {
                        let word = self.resolve(&w.value, ctx).word;
                        // `>&file` with a file name writes stdout and stderr there.
                        let t = word.text.trim_end_matches('-');
                        if !t.is_empty() && !t.chars().all(|c| c.is_ascii_digit()) {
                            kind = RedirectKind::OutputAndError;
                        }
                        word
                    }
                };
                if kind == RedirectKind::Read {
                    // `< <(cmd)` feeds cmd's output to stdin.
                    stdin_from.extend(target.subst.iter().copied());
                }
                Redirect {
                    fd: fd(f),
                    kind,
                    target,
                }
            }
            ast::IoRedirect::HereDocument(f, doc) => {
                let (text, subst) = if doc.requires_expansion {
                    let w = self.word_of_pieces(scan_heredoc(&doc.doc.value), ctx).word;
                    (w.text, w.subst)
                } else {
                    (doc.doc.value.clone(), Vec::new())
                };
                if fd(f).is_none_or(|n| n == 0) {
                    *stdin_text = Some(text.clone());
                    stdin_from.extend(subst.iter().copied());
                }
                Redirect {
                    fd: fd(f),
                    kind: RedirectKind::HereDoc,
                    target: Word {
                        text,
                        dynamic: !subst.is_empty(),
                        quoted: true,
                        subst,
                    },
                }
            }
            ast::IoRedirect::HereString(f, w) => {
                let word = self.resolve(&w.value, ctx).word;
                if fd(f).is_none_or(|n| n == 0) {
                    *stdin_text = Some(format!("{}\n", word.text));
                    stdin_from.extend(word.subst.iter().copied());
                }
                Redirect {
                    fd: fd(f),
                    kind: RedirectKind::HereString,
                    target: word,
                }
            }
            ast::IoRedirect::OutputAndError(w, _append) => Redirect {
                fd: None,
                kind: RedirectKind::OutputAndError,
                target: self.resolve(&w.value, ctx).word,
            },
        }
    }

    fn assignment(&mut self, a: &ast::Assignment, kind: AssignKind, ctx: &Ctx) -> Assignment {
        let name = match &a.name {
            ast::AssignmentName::VariableName(n) => n.clone(),
            ast::AssignmentName::ArrayElementName(n, _) => n.clone(),
        };
        let value = match &a.value {
            ast::AssignmentValue::Scalar(w) => self.resolve(&w.value, ctx).word,
            ast::AssignmentValue::Array(items) => {
                let mut joined = Word::default();
                let mut elements: Option<Vec<String>> = Some(Vec::new());
                for (_, w) in items {
                    let rw = self.resolve(&w.value, ctx);
                    let mut one = Vec::new();
                    self.push_expanded(rw, &mut one);
                    for v in one.into_iter().map(|r| r.word) {
                        if !joined.text.is_empty() {
                            joined.text.push(' ');
                        }
                        joined.text.push_str(&v.text);
                        joined.dynamic |= v.dynamic;
                        if !v.subst.is_empty() {
                            elements = None;
                        }
                        if let Some(e) = elements.as_mut() {
                            e.push(v.text);
                        }
                        joined.subst.extend(v.subst);
                    }
                }
                let whole = matches!(a.name, ast::AssignmentName::VariableName(_));
                if let (true, Some(mut e), AssignKind::Standalone | AssignKind::Declaration) =
                    (whole, elements, kind)
                {
                    // `a=(rm -rf "$HOME")`: each item is one word of "${a[@]}".
                    if a.append {
                        let mut old = self
                            .arrays
                            .iter()
                            .rev()
                            .find(|(n, _)| *n == name)
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default();
                        old.append(&mut e);
                        e = old;
                    }
                    e.truncate(256);
                    self.arrays.push((name.clone(), e));
                }
                joined
            }
        };
        Assignment {
            name,
            value,
            append: a.append,
            kind,
        }
    }

    fn visit_simple(&mut self, simple: &ast::SimpleCommand, ctx: &Ctx) {
        // One word per item is the usual case: sized once, the vector is
        // not copied as it doubles (a brace or field expansion still grows
        // it).
        let items = simple.prefix.as_ref().map_or(0, |p| p.0.len())
            + simple.suffix.as_ref().map_or(0, |s| s.0.len())
            + 1;
        let mut words: Vec<RWord> = Vec::with_capacity(items);
        let mut assigns = Vec::new();
        let mut redirects = Vec::new();
        let mut stdin_text = None;
        let mut stdin_from = Vec::new();
        let has_name = simple.word_or_name.is_some();
        let prefix_kind = if has_name {
            AssignKind::Prefix
        } else {
            AssignKind::Standalone
        };
        for item in simple.prefix.iter().flat_map(|p| p.0.iter()) {
            self.simple_item(
                item,
                prefix_kind,
                ctx,
                &mut words,
                &mut assigns,
                &mut redirects,
                &mut stdin_text,
                &mut stdin_from,
            );
        }
        let mut declaration = false;
        if let Some(name) = &simple.word_or_name {
            let w = self.resolve(&name.value, ctx);
            declaration = w.fields.is_none()
                && matches!(
                    normalise_name(&w.word.text).as_str(),
                    "export" | "declare" | "typeset" | "local" | "readonly"
                );
            self.push_expanded(w, &mut words);
        }
        if let Some(suffix) = &simple.suffix {
            for item in &suffix.0 {
                self.simple_item(
                    item,
                    if declaration {
                        AssignKind::Declaration
                    } else {
                        AssignKind::Env
                    },
                    ctx,
                    &mut words,
                    &mut assigns,
                    &mut redirects,
                    &mut stdin_text,
                    &mut stdin_from,
                );
            }
        }
        redirects.extend(ctx.redirects.iter().cloned());
        if stdin_text.is_none() && stdin_from.is_empty() {
            stdin_text = ctx.stdin_text.clone();
        }
        stdin_from.extend(ctx.stdin_from.iter().copied());
        self.finish(words, assigns, redirects, stdin_text, stdin_from, ctx);
    }

    #[allow(clippy::too_many_arguments)]
    fn simple_item(
        &mut self,
        item: &ast::CommandPrefixOrSuffixItem,
        assign_kind: AssignKind,
        ctx: &Ctx,
        words: &mut Vec<RWord>,
        assigns: &mut Vec<Assignment>,
        redirects: &mut Vec<Redirect>,
        stdin_text: &mut Option<String>,
        stdin_from: &mut Vec<usize>,
    ) {
        use ast::CommandPrefixOrSuffixItem as I;
        match item {
            I::IoRedirect(r) => {
                let red = self.redirect(r, ctx, stdin_text, stdin_from);
                redirects.push(red);
            }
            I::Word(w) => {
                let rw = self.resolve(&w.value, ctx);
                self.push_expanded(rw, words);
            }
            I::AssignmentWord(_, w) if assign_kind == AssignKind::Env => {
                // `NAME=v` after an ordinary command name is just an argument.
                let rw = self.resolve(&w.value, ctx);
                words.push(rw);
            }
            I::AssignmentWord(a, _) => {
                let assignment = self.assignment(a, assign_kind, ctx);
                if assign_kind == AssignKind::Declaration {
                    // Also an argument of the declaration builtin.
                    let mut word = assignment.value.clone();
                    word.text = format!(
                        "{}{}={}",
                        assignment.name,
                        if assignment.append { "+" } else { "" },
                        assignment.value.text
                    );
                    words.push(RWord::plain(word));
                }
                assigns.push(assignment);
            }
            I::ProcessSubstitution(kind, sub) => {
                let word = self.subshell_substitution(kind, sub, ctx);
                words.push(RWord::plain(word));
            }
        }
    }

    fn push_expanded(&mut self, rw: RWord, words: &mut Vec<RWord>) {
        if let Some(fields) = &rw.fields {
            for (i, f) in fields.iter().enumerate() {
                words.push(RWord::plain(Word {
                    text: f.clone(),
                    dynamic: false,
                    quoted: rw.word.quoted,
                    subst: if i == 0 {
                        rw.word.subst.clone()
                    } else {
                        Vec::new()
                    },
                }));
            }
            return;
        }
        let t = &rw.word.text;
        if !rw.word.quoted && !rw.word.dynamic && t.contains('{') && t.contains(',') {
            let mut out = Vec::new();
            brace_expand(t, &mut out);
            if out.len() > 1 {
                for text in out {
                    words.push(RWord::plain(Word::literal(text)));
                }
                return;
            }
        }
        words.push(rw);
    }

    fn visit_fallback(&mut self, src: &str, ctx: &Ctx) {
        for pipeline in fallback::tokenize(src) {
            let mut c = ctx.clone();
            c.conditional |= pipeline.conditional;
            c.background |= pipeline.background;
            let len = u16::try_from(pipeline.stages.len()).unwrap_or(u16::MAX);
            let mut previous: Vec<usize> = Vec::new();
            for (i, stage) in pipeline.stages.into_iter().enumerate() {
                if self.commands.len() >= MAX_COMMANDS {
                    self.capped = true;
                    return;
                }
                let mut sc = c.clone();
                sc.pipe = (u16::try_from(i).unwrap_or(u16::MAX), len);
                let mut stdin_from = if i > 0 {
                    std::mem::take(&mut previous)
                } else {
                    c.stdin_from.clone()
                };
                let start = self.commands.len();
                let mut words = Vec::new();
                let mut assigns = Vec::new();
                let mut in_prefix = true;
                for raw in &stage.words {
                    let rw = self.resolve(raw, &sc);
                    if in_prefix && wrappers::is_assignment(&rw.word.text) {
                        if let Some((n, v)) = rw.word.text.split_once('=') {
                            let append = n.ends_with('+');
                            let mut value = rw.word.clone();
                            value.text = v.to_string();
                            assigns.push(Assignment {
                                name: n.trim_end_matches('+').to_string(),
                                value,
                                append,
                                kind: AssignKind::Prefix,
                            });
                        }
                        continue;
                    }
                    in_prefix = false;
                    self.push_expanded(rw, &mut words);
                }
                if words.is_empty() {
                    for a in &mut assigns {
                        a.kind = AssignKind::Standalone;
                    }
                }
                let declaration = words.first().is_some_and(|w| {
                    matches!(
                        normalise_name(&w.word.text).as_str(),
                        "export" | "declare" | "typeset" | "local" | "readonly"
                    )
                });
                if declaration {
                    for w in words.iter().skip(1) {
                        if let Some((n, v)) = w.word.text.split_once('=') {
                            if wrappers::is_assignment(&w.word.text) {
                                let mut value = w.word.clone();
                                value.text = v.to_string();
                                assigns.push(Assignment {
                                    name: n.trim_end_matches('+').to_string(),
                                    value,
                                    append: n.ends_with('+'),
                                    kind: AssignKind::Declaration,
                                });
                            }
                        }
                    }
                }
                let mut redirects = Vec::new();
                let mut stdin_text = None;
                for (fd, kind, raw) in &stage.redirects {
                    let target = self.resolve(raw, &sc).word;
                    if *kind == RedirectKind::HereString {
                        stdin_text = Some(target.text.clone());
                        stdin_from.extend(target.subst.iter().copied());
                    }
                    redirects.push(Redirect {
                        fd: *fd,
                        kind: *kind,
                        target,
                    });
                }
                redirects.extend(c.redirects.iter().cloned());
                self.finish(words, assigns, redirects, stdin_text, stdin_from, &sc);
                previous = (start..self.commands.len()).collect();
            }
        }
    }

    // ---- building one command ----

    /// Build one simple command from its words: peel off wrappers, find the
    /// code it runs indirectly and `find`'s actions, then add it and analyse
    /// that code.
    fn finish(
        &mut self,
        mut words: Vec<RWord>,
        mut assigns: Vec<Assignment>,
        redirects: Vec<Redirect>,
        stdin_text: Option<String>,
        stdin_from: Vec<usize>,
        ctx: &Ctx,
    ) {
        if words.is_empty() {
            for a in &assigns {
                if a.kind == AssignKind::Standalone && !a.value.dynamic {
                    self.vars.push((a.name.clone(), a.value.text.clone()));
                }
            }
            let id = self.push(Command {
                name: String::new(),
                written_name: String::new(),
                args: Vec::new(),
                assignments: assigns,
                redirects,
                stdin_text,
                stdin_from,
                ..self.blank(ctx)
            });
            self.record_writes(id);
            return;
        }
        if let Some(code) = self.alias_code(&words) {
            // An alias defined earlier: its text replaces the name.
            let mut c = ctx.clone();
            c.redirects = redirects;
            c.stdin_from = stdin_from;
            c.stdin_text = stdin_text;
            let name = words[0].word.text.clone();
            self.expanding.push(name);
            self.parse_and_visit(&code, &c);
            self.expanding.pop();
            return;
        }
        let outer = std::mem::take(&mut self.runner_wrappers);
        let first = words.remove(0);
        let mut unwrapped = self.unwrap_wrappers(first, words, &stdin_from, &mut assigns, outer);
        let runs = unwrapped.runs.take();
        let runner_wrappers = {
            let mut w = unwrapped.wrappers.clone();
            w.push(unwrapped.name.clone());
            w
        };
        let indirect = self.indirect_code(
            &unwrapped.name,
            &unwrapped.written_name,
            &unwrapped.args,
            stdin_text.as_deref(),
            &stdin_from,
        );
        let find_actions = find_exec::actions(&unwrapped.name, &unwrapped.args);
        let child_stdin = (stdin_text.clone(), stdin_from.clone());

        let mut exec_from = unwrapped.exec_from;
        exec_from.extend(indirect.exec_from);
        let command = Command {
            name: unwrapped.name,
            written_name: unwrapped.written_name,
            args: unwrapped.args.into_iter().map(|a| a.word).collect(),
            assignments: assigns,
            redirects,
            wrappers: unwrapped.wrappers,
            stdin_from,
            stdin_text,
            exec_from,
            inline_code: indirect.inline_code,
            synthetic: unwrapped.synthetic,
            ..self.blank(ctx)
        };
        let id = self.push(command);
        self.record_writes(id);
        self.record_state(id);
        for (code, via) in unwrapped.code.into_iter().chain(indirect.nested) {
            self.nested_code(&code, via, id, ctx);
        }
        self.run_synthetic(id, indirect.synthetic, ctx);
        self.run_find_actions(id, find_actions, ctx);
        if let Some(words) = runs.filter(|w| !w.is_empty()) {
            if self.nest < MAX_NEST {
                let mut child = ctx.child(Via::Runner, Some(id), ctx.depth);
                child.conditional = ctx.conditional;
                child.background = ctx.background;
                self.nest += 1;
                self.runner_wrappers = runner_wrappers;
                let redirects = self
                    .commands
                    .get(id)
                    .map(|c| c.redirects.clone())
                    .unwrap_or_default();
                self.finish(
                    words,
                    Vec::new(),
                    redirects,
                    child_stdin.0,
                    child_stdin.1,
                    &child,
                );
                self.runner_wrappers.clear();
                self.nest -= 1;
            }
        }
    }

    /// The code an alias call stands for: the alias's text followed by the
    /// call's other words.
    fn alias_code(&self, words: &[RWord]) -> Option<String> {
        if self.aliases.is_empty() {
            return None;
        }
        let first = words.first()?;
        if first.word.quoted || first.word.dynamic || first.fields.is_some() {
            return None;
        }
        let name = first.word.text.as_str();
        if self.expanding.iter().any(|e| e == name) || self.nest >= MAX_NEST {
            return None;
        }
        let (_, value) = self.aliases.iter().rev().find(|(n, _)| n == name)?;
        let mut code = value.clone();
        for w in &words[1..] {
            code.push(' ');
            code.push_str(&quote_word(w));
        }
        Some(code)
    }

    /// Shell state command `id` sets for the commands after it: aliases,
    /// positional parameters, declared variables.
    fn record_state(&mut self, id: usize) {
        let Some(c) = self.commands.get(id) else {
            return;
        };
        match c.name.as_str() {
            "alias" => {
                let defs: Vec<(String, String)> = c
                    .args
                    .iter()
                    .filter(|a| !a.dynamic)
                    .filter_map(|a| a.text.split_once('='))
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect();
                self.aliases.extend(defs);
                self.aliases.truncate(256);
            }
            "set" => {
                let texts: Vec<&Word> = c.args.iter().collect();
                let from = texts
                    .iter()
                    .position(|a| a.text == "--")
                    .map(|i| i + 1)
                    .or_else(|| texts.iter().position(|a| !a.text.starts_with(['-', '+'])));
                if let Some(from) = from {
                    let items: Vec<String> = texts[from..].iter().map(|a| a.text.clone()).collect();
                    self.positional = if texts[from..].iter().any(|a| !a.subst.is_empty()) {
                        None
                    } else {
                        Some(items)
                    };
                }
            }
            "export" | "declare" | "typeset" | "local" | "readonly" => {
                let vars: Vec<(String, String)> = c
                    .assignments
                    .iter()
                    .filter(|a| a.kind == AssignKind::Declaration && !a.value.dynamic)
                    .map(|a| (a.name.clone(), a.value.text.clone()))
                    .collect();
                self.vars.extend(vars);
            }
            _ => {}
        }
    }

    fn blank(&self, ctx: &Ctx) -> Command {
        Command {
            id: 0,
            name: String::new(),
            written_name: String::new(),
            args: Vec::new(),
            assignments: Vec::new(),
            redirects: Vec::new(),
            wrappers: Vec::new(),
            origin: Origin {
                depth: ctx.depth,
                via: ctx.via,
                parent: ctx.parent,
                indirect: ctx.indirect,
            },
            stdin_from: Vec::new(),
            stdin_text: None,
            exec_from: Vec::new(),
            conditional_chain: ctx.conditional,
            background: ctx.background,
            pipe: ctx.pipe,
            inline_code: None,
            approximate: ctx.approximate,
            synthetic: false,
        }
    }

    fn push(&mut self, mut command: Command) -> usize {
        let id = self.commands.len();
        command.id = id;
        // Substitution commands run on behalf of this one.
        let children: Vec<usize> = command
            .args
            .iter()
            .chain(command.redirects.iter().map(|r| &r.target))
            .chain(command.assignments.iter().map(|a| &a.value))
            .flat_map(|w| w.subst.iter().copied())
            .collect();
        self.commands.push(command);
        for child in children {
            if let Some(c) = self.commands.get_mut(child) {
                if c.origin.parent.is_none() && child != id {
                    c.origin.parent = Some(id);
                }
            }
        }
        id
    }

    fn last_write(&self, path: &str) -> Option<&FileWrite> {
        let p = paths::tidy(path);
        self.writes.iter().rev().find(|w| w.path == p)
    }

    /// Files command `id` writes, with their content when it is literal.
    fn record_writes(&mut self, id: usize) {
        let Some(c) = self.commands.get(id) else {
            return;
        };
        let literal = printed_text(&c.name, &c.args).or_else(|| {
            matches!(c.name.as_str(), "cat" | "tee" | "")
                .then(|| c.stdin_text.clone())
                .flatten()
                .filter(|_| {
                    c.args
                        .iter()
                        .all(|a| a.text.starts_with('-') || c.name == "tee")
                })
        });
        let mut new: Vec<FileWrite> = Vec::new();
        let mut add = |path: &str, content: Option<String>, from: Vec<usize>| {
            if path.is_empty() || path.starts_with("/dev/") {
                return;
            }
            new.push(FileWrite {
                path: paths::tidy(path),
                by: id,
                content,
                from,
            });
        };
        for r in c.redirects.iter().filter(|r| r.kind.writes()) {
            let content = if c.name.is_empty() {
                Some(String::new())
            } else {
                literal.clone()
            };
            add(&r.target.text, content, c.stdin_from.clone());
        }
        let operands: Vec<&str> = c.operands().map(|w| w.text.as_str()).collect();
        match c.name.as_str() {
            "tee" => {
                for o in &operands {
                    add(o, c.stdin_text.clone(), c.stdin_from.clone());
                }
            }
            "cp" | "mv" | "install" | "rsync" | "scp" if operands.len() >= 2 => {
                let src = operands[0];
                let dst = operands[operands.len() - 1];
                let copied = self.last_write(src).cloned();
                let (content, mut from) = match copied {
                    Some(w) if operands.len() == 2 => (w.content, w.from),
                    _ => (None, Vec::new()),
                };
                from.push(id);
                add(dst, content, from);
            }
            _ => {}
        }
        // Output-file options: curl -o, wget -O, tar -f, zip, gpg -o, sort -o.
        let args: Vec<&str> = c.args.iter().map(|a| a.text.as_str()).collect();
        let output_opts: &[&str] = match c.name.as_str() {
            "curl" => &["-o", "--output"],
            "wget" => &["-O", "--output-document"],
            "tar" | "bsdtar" | "gtar" => &["-f", "--file"],
            "gpg" | "sort" | "openssl" | "base64" | "age" => &["-o", "--output", "-out"],
            _ => &[],
        };
        for (i, a) in args.iter().enumerate() {
            for opt in output_opts {
                if a == opt {
                    if let Some(v) = args.get(i + 1) {
                        add(v, None, c.stdin_from.clone());
                    }
                } else if let Some(v) = a.strip_prefix(&format!("{opt}=")) {
                    add(v, None, c.stdin_from.clone());
                } else if opt.len() == 2
                    && !opt.starts_with("--")
                    && a.starts_with(opt)
                    && a.len() > 2
                {
                    // Bundled short flags ending in the option (`-czf out.tgz`, `-sSLo f`).
                    if a.ends_with(&opt[1..]) && !a.starts_with("--") {
                        if let Some(v) = args.get(i + 1) {
                            add(v, None, c.stdin_from.clone());
                        }
                    }
                }
            }
            if matches!(c.name.as_str(), "tar" | "bsdtar" | "gtar")
                && i == 0
                && !a.starts_with('-')
                && a.contains('f')
            {
                // Old-style `tar czf out.tgz …`.
                if let Some(v) = args.get(1) {
                    add(v, None, c.stdin_from.clone());
                }
            }
        }
        if c.name == "curl" && (c.has_short('O') || c.has_long("remote-name")) {
            // `curl -O URL` saves to the URL's last path segment.
            for o in &operands {
                if let Some((_, rest)) = o.split_once("://") {
                    let path = rest.split(['?', '#']).next().unwrap_or("");
                    let name = path.rsplit('/').next().unwrap_or("");
                    if path.contains('/') && !name.is_empty() {
                        add(name, None, c.stdin_from.clone());
                    }
                }
            }
        }
        if matches!(c.name.as_str(), "zip" | "7z" | "7za" | "rar") {
            let archive = operands.iter().find(|o| !matches!(**o, "a" | "u")).copied();
            if let Some(archive) = archive {
                add(archive, None, c.stdin_from.clone());
            }
        }
        self.writes.extend(new);
    }
}
