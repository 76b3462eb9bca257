//! Secret detection and redaction for everything agentops writes to disk or
//! shows back to the agent.
//!
//! - [`redact`] replaces each secret with `[REDACTED:<kind>]`, keeping the
//!   surrounding text (the `PASSWORD=` of an assignment, the user of a URL)
//!   so logs stay readable.
//! - [`find_secrets`] names the kinds present, never the values.
//! - [`redact_json`] does both for a JSON record: string values are redacted
//!   and fields whose name says they hold a secret are masked whole.
//!
//! The hook path stays cheap: one pass over the text with an index of the
//! rules' literal anchors that the compiler built (`agentops-literals`;
//! an Aho-Corasick automaton for texts over 64 KiB) selects the rules whose
//! anchors occur, and only those rules' regexes are compiled (once per
//! process) and run. Text with no anchor is returned borrowed, without
//! allocation.

#![warn(missing_docs)]

mod keys;
mod kind;
mod rules;

use std::borrow::Cow;
use std::sync::{LazyLock, OnceLock};

use agentops_literals::{Index, Literal};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind};
use regex::Regex;
use serde_json::Value;

pub use keys::{is_placeholder, is_secret_key_name};
pub use kind::SecretKind;
pub use rules::decode_base64;
use rules::{Rule, RULES};

/// Replace every secret in `text` with `[REDACTED:<kind>]`.
pub fn redact(text: &str) -> Cow<'_, str> {
    scan(text, &mut |_| {})
}

/// The kinds of secret present in `text`, in rule order, without duplicates.
pub fn find_secrets(text: &str) -> Vec<SecretKind> {
    let mut kinds = Vec::new();
    scan(text, &mut |k| {
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    });
    kinds
}

/// Whether `text` holds any secret the rules recognise.
pub fn contains_secret(text: &str) -> bool {
    !find_secrets(text).is_empty()
}

/// A redacted copy of a JSON value: every string is passed through
/// [`redact`], and a string or number under a secret-named key
/// (`"password"`, `"apiKey"`) is replaced whole.
pub fn redact_json(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(redact(s).into_owned()),
        Value::Array(items) => Value::Array(items.iter().map(redact_json).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let masked = match v {
                        Value::String(s) if is_secret_key_name(k) && !is_placeholder(s) => {
                            Some(Value::String(marker(SecretKind::KeyValue)))
                        }
                        Value::Number(_) if is_secret_key_name(k) => {
                            Some(Value::String(marker(SecretKind::KeyValue)))
                        }
                        _ => None,
                    };
                    (k.clone(), masked.unwrap_or_else(|| redact_json(v)))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Secret kinds found anywhere in a JSON value (strings and secret-named
/// fields), without duplicates.
pub fn find_secrets_json(value: &Value) -> Vec<SecretKind> {
    let mut kinds = Vec::new();
    collect_json(value, &mut kinds);
    kinds
}

fn collect_json(value: &Value, kinds: &mut Vec<SecretKind>) {
    let add = |k: SecretKind, kinds: &mut Vec<SecretKind>| {
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    };
    match value {
        Value::String(s) => {
            for k in find_secrets(s) {
                add(k, kinds);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_json(v, kinds)),
        Value::Object(map) => {
            for (k, v) in map {
                let named_secret = match v {
                    Value::String(s) => is_secret_key_name(k) && !is_placeholder(s),
                    Value::Number(_) => is_secret_key_name(k),
                    _ => false,
                };
                if named_secret {
                    add(SecretKind::KeyValue, kinds);
                } else {
                    collect_json(v, kinds);
                }
            }
        }
        _ => {}
    }
}

fn marker(kind: SecretKind) -> String {
    format!("[REDACTED:{}]", kind.id())
}

/// Rule indices whose anchors occur in the text, as a bit set.
type RuleSet = u64;

/// Every rule's needles, indexed by the compiler: what a text of up to
/// [`LONG_TEXT`] bytes is searched with, at no start-up cost.
static NEEDLES: Index<NEEDLE_COUNT> = Index::new(needle_literals());

const NEEDLE_COUNT: usize = {
    let mut count = 0;
    let mut rule = 0;
    while rule < RULES.len() {
        count += RULES[rule].needles.len();
        rule += 1;
    }
    count
};

const fn needle_literals() -> [Literal; NEEDLE_COUNT] {
    assert!(RULES.len() <= RuleSet::BITS as usize, "one bit per rule");
    let mut literals = [Literal::exact("", 0); NEEDLE_COUNT];
    let mut at = 0;
    let mut rule = 0;
    while rule < RULES.len() {
        let mut n = 0;
        while n < RULES[rule].needles.len() {
            let text = RULES[rule].needles[n];
            literals[at] = if RULES[rule].case_sensitive {
                Literal::exact(text, rule as u32)
            } else {
                Literal::ascii_case_insensitive(text, rule as u32)
            };
            at += 1;
            n += 1;
        }
        rule += 1;
    }
    literals
}

/// Texts longer than this are searched with an Aho-Corasick automaton,
/// whose cost per byte does not depend on how the needles share their
/// first bytes; building it is worth it only for long texts.
const LONG_TEXT: usize = 64 * 1024;

/// Rules whose needles occur in `text`.
fn candidates(text: &str) -> RuleSet {
    let mut set: RuleSet = 0;
    if text.len() <= LONG_TEXT {
        NEEDLES.find(text.as_bytes(), |needle| set |= 1 << needle.owner);
    } else {
        for m in AUTOMATON.find_overlapping_iter(text) {
            set |= 1 << NEEDLES.literals()[m.pattern().as_usize()].owner;
        }
    }
    set
}

/// The same needles as one automaton, for long texts. An automaton has one
/// case mode, so this one ignores ASCII case for every needle: an exact
/// needle may then select its rule in vain, never miss it, and the rule's
/// regex (exact) decides.
static AUTOMATON: LazyLock<AhoCorasick> = LazyLock::new(|| {
    // A non-contiguous NFA is the cheapest automaton to build.
    AhoCorasickBuilder::new()
        .kind(Some(AhoCorasickKind::NoncontiguousNFA))
        .ascii_case_insensitive(true)
        .build(NEEDLES.literals().iter().map(|l| l.text))
        .expect("the needle table is a fixed list of short literals")
});

static COMPILED: [OnceLock<Regex>; RuleSet::BITS as usize] =
    [const { OnceLock::new() }; RuleSet::BITS as usize];

fn regex(index: usize) -> &'static Regex {
    COMPILED[index].get_or_init(|| {
        Regex::new(RULES[index].pattern).expect("rule patterns are fixed and tested to compile")
    })
}

/// Apply every candidate rule in order, reporting each kind found, and
/// return the redacted text (borrowed when nothing matched).
fn scan<'t>(text: &'t str, found: &mut dyn FnMut(SecretKind)) -> Cow<'t, str> {
    let candidates = candidates(text);
    if candidates == 0 {
        return Cow::Borrowed(text);
    }
    let mut current = Cow::Borrowed(text);
    for (index, rule) in RULES.iter().enumerate() {
        if candidates & (1 << index) == 0 {
            continue;
        }
        if let Some(replaced) = apply(rule, regex(index), &current) {
            found(rule.kind);
            current = Cow::Owned(replaced);
        }
    }
    current
}

fn apply(rule: &Rule, re: &Regex, text: &str) -> Option<String> {
    // A rejected match (a placeholder, a code expression) may overlap a real
    // secret, so the search resumes just after its start; past a budget of
    // rejections it resumes after its end, which keeps the scan linear.
    const RETRY_BUDGET: usize = 4096;
    let mut out = String::new();
    let mut last = 0;
    let mut pos = 0;
    let mut retries = 0;
    let mut hit = false;
    while pos <= text.len() {
        let Some(caps) = re.captures_at(text, pos) else {
            break;
        };
        let Some(whole) = caps.get(0) else { break };
        let span = if !(rule.accept)(&caps) {
            None
        } else if rule.groups.is_empty() {
            Some(whole)
        } else {
            rule.groups.iter().find_map(|g| caps.name(g))
        };
        match span {
            Some(span) if span.start() >= last => {
                hit = true;
                out.push_str(&text[last..span.start()]);
                out.push_str(&marker(rule.kind));
                last = span.end();
                pos = whole.end().max(span.end());
                if whole.end() == whole.start() {
                    pos = next_char(text, pos);
                }
            }
            _ => {
                retries += 1;
                pos = if retries <= RETRY_BUDGET {
                    next_char(text, whole.start())
                } else {
                    next_char(text, whole.end().max(whole.start()))
                };
            }
        }
    }
    if !hit {
        return None;
    }
    out.push_str(&text[last..]);
    Some(out)
}

/// The byte offset just after the character starting at or after `at`.
fn next_char(text: &str, at: usize) -> usize {
    let mut next = at + 1;
    while next < text.len() && !text.is_char_boundary(next) {
        next += 1;
    }
    next
}

#[cfg(test)]
mod tests;
