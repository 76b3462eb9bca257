//! The YAML documents of pnpm, Yarn 2+ and pub lockfiles, read with
//! `serde-saphyr` into a small tree of their own.
//!
//! The parsers only ever read strings, mappings and sequences, so that is
//! all the tree keeps: numbers, booleans and nulls are [`Yaml::Other`].
//! Mappings keep their entries in document order, and a key written twice
//! is an error (two entries for one package must not let a parser pick
//! one).
//!
//! A lockfile is attacker-controlled input, so parsing runs under a budget
//! ([`Limits`]): a bounded nesting depth, a bounded number of nodes, and a
//! small allowance for alias replay (no lockfile writer emits anchors, so
//! a "billion laughs" document fails after a few thousand replayed events
//! instead of expanding). Every breach is an ordinary parse error.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::options::NonFiniteFloatPolicy;
use serde_saphyr::{Budget, Options};

use super::ParseError;
use crate::MAX_LOCKFILE_BYTES;

/// One YAML value, as far as the lockfile parsers care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Yaml {
    Str(String),
    Seq(Vec<Yaml>),
    /// Entries in document order.
    Map(Vec<(Yaml, Yaml)>),
    /// A number, a boolean or null.
    Other,
}

impl Yaml {
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Yaml::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_mapping(&self) -> Option<&[(Yaml, Yaml)]> {
        match self {
            Yaml::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value under the string key `key` of a mapping.
    pub(crate) fn get(&self, key: &str) -> Option<&Yaml> {
        self.as_mapping()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }
}

impl<'de> Deserialize<'de> for Yaml {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Yaml, D::Error> {
        d.deserialize_any(YamlVisitor)
    }
}

struct YamlVisitor;

impl<'de> Visitor<'de> for YamlVisitor {
    type Value = Yaml;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Yaml, E> {
        Ok(Yaml::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Yaml, E> {
        Ok(Yaml::Other)
    }

    fn visit_i128<E>(self, _: i128) -> Result<Yaml, E> {
        Ok(Yaml::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Yaml, E> {
        Ok(Yaml::Other)
    }

    fn visit_u128<E>(self, _: u128) -> Result<Yaml, E> {
        Ok(Yaml::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Yaml, E> {
        Ok(Yaml::Other)
    }

    fn visit_str<E>(self, v: &str) -> Result<Yaml, E> {
        Ok(Yaml::Str(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Yaml, E> {
        Ok(Yaml::Str(v))
    }

    fn visit_bytes<E>(self, v: &[u8]) -> Result<Yaml, E> {
        Ok(Yaml::Str(String::from_utf8_lossy(v).into_owned()))
    }

    fn visit_unit<E>(self) -> Result<Yaml, E> {
        Ok(Yaml::Other)
    }

    fn visit_none<E>(self) -> Result<Yaml, E> {
        Ok(Yaml::Other)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Yaml, D::Error> {
        Yaml::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Yaml, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Yaml::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Yaml, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Yaml::Map(entries))
    }
}

/// What one YAML document may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Nested sequences and mappings (lockfiles need fewer than ten).
    pub depth: usize,
    /// Sequences, mappings and scalars, aliases counted as expanded.
    pub nodes: usize,
    /// Parser events replayed for aliases over the whole document.
    pub alias_events: usize,
}

impl Limits {
    /// The limits for a lockfile. Real lockfiles spend 10 to 25 bytes per
    /// node, so one node per 8 bytes of the largest lockfile read
    /// ([`MAX_LOCKFILE_BYTES`]) leaves room for every real one while
    /// keeping the tree of a hostile one to a few hundred MiB.
    pub(crate) const LOCKFILE: Limits = Limits {
        depth: 64,
        nodes: MAX_LOCKFILE_BYTES as usize / 8,
        alias_events: 10_000,
    };

    fn options(self) -> Options {
        let mut budget = Budget::default();
        budget.max_depth = self.depth;
        budget.max_nodes = self.nodes;
        // Every node is at most two events (start and end), plus the
        // stream and document markers.
        budget.max_events = self.nodes.saturating_mul(2).saturating_add(4);
        budget.max_total_scalar_bytes = MAX_LOCKFILE_BYTES as usize;
        let mut options = Options::default();
        options.budget = Some(budget);
        options.alias_limits.max_total_replayed_events = self.alias_events;
        // Single-line messages: the error ends up in a finding's detail.
        options.with_snippet = false;
        // YAML 1.2 scalars, as the lockfile writers mean them: `yes`, `n`
        // and `on` are strings (package names), and so are `012` and
        // `1_000`.
        options.strict_booleans = true;
        options.leading_zero_numbers_as_strings = true;
        options.underscored_numbers_as_strings = true;
        options.ignore_binary_tag_for_string = true;
        options.non_finite_float_policy = NonFiniteFloatPolicy::PassThrough;
        options
    }
}

/// Parse one YAML document within `limits`.
pub(crate) fn parse(bytes: &[u8], limits: Limits) -> Result<Yaml, ParseError> {
    serde_saphyr::from_slice_with_options(bytes, limits.options())
        .map_err(|e| ParseError(format!("invalid YAML: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lockfile(text: &str) -> Result<Yaml, ParseError> {
        parse(text.as_bytes(), Limits::LOCKFILE)
    }

    fn s(v: &str) -> Yaml {
        Yaml::Str(v.to_string())
    }

    #[test]
    fn scalars_keep_their_yaml_1_2_meaning() {
        let doc = lockfile(
            "n: yes\non: off\nversion: 012\nsize: 1_000\nint: 12\nfloat: 1.0\nnothing: ~\n\
             nan: .nan\nbool: true\nquoted: \"1.0\"\nescaped: \"a\\u200bb\"\n",
        )
        .expect("parses");
        let want = Yaml::Map(vec![
            (s("n"), s("yes")),
            (s("on"), s("off")),
            (s("version"), s("012")),
            (s("size"), s("1_000")),
            (s("int"), Yaml::Other),
            (s("float"), Yaml::Other),
            (s("nothing"), Yaml::Other),
            (s("nan"), Yaml::Other),
            (s("bool"), Yaml::Other),
            (s("quoted"), s("1.0")),
            (s("escaped"), s("a\u{200B}b")),
        ]);
        assert_eq!(doc, want);
    }

    #[test]
    fn mappings_keep_document_order_and_any_key() {
        let doc = lockfile("z: 1\na: {x: y}\n1: one\n? [k]\n: v\n").expect("parses");
        let keys: Vec<Option<&str>> = doc
            .as_mapping()
            .expect("a mapping")
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, [Some("z"), Some("a"), None, None]);
        assert_eq!(
            doc.get("a").and_then(|a| a.get("x")).and_then(Yaml::as_str),
            Some("y")
        );
        assert_eq!(doc.get("missing"), None);
        assert_eq!(s("x").get("x"), None, "a scalar has no keys");
    }

    #[test]
    fn a_key_written_twice_is_an_error() {
        let err = lockfile("packages:\n  a@1.0.0: {}\n  a@1.0.0: {}\n").expect_err("duplicate");
        assert!(err.0.contains("duplicate"), "{err}");
    }

    #[test]
    fn more_than_one_document_is_an_error() {
        assert!(lockfile("a: 1\n---\nb: 2\n").is_err());
    }

    #[test]
    fn a_billion_laughs_fails_fast_instead_of_expanding() {
        // Nine levels of nine aliases each: 9^9 (387 million) strings once
        // expanded.
        let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
            let refs = vec![format!("*{prev}"); 9].join(", ");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let started = std::time::Instant::now();
        let err = lockfile(&text).expect_err("the bomb must not parse");
        assert!(err.0.contains("alias"), "{err}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_few_aliases_still_parse() {
        let doc =
            lockfile("base: &b {url: https://registry.npmjs.org}\ncopy: *b\n").expect("parses");
        assert_eq!(
            doc.get("copy")
                .and_then(|c| c.get("url"))
                .and_then(Yaml::as_str),
            Some("https://registry.npmjs.org")
        );
    }

    #[test]
    fn deep_nesting_fails_cleanly() {
        let n = 100_000;
        for text in [
            format!("{}{}", "[".repeat(n), "]".repeat(n)),
            format!("{}x{}", "{a: ".repeat(n), "}".repeat(n)),
            (0..2_000)
                .map(|i| format!("{}a:\n", " ".repeat(i)))
                .collect(),
            (0..2_000)
                .map(|i| format!("{}-\n", " ".repeat(i)))
                .collect(),
        ] {
            let err = lockfile(&text).expect_err("too deep");
            assert!(err.0.starts_with("invalid YAML"), "{err}");
        }
        // Depth within the limit is fine.
        let ok = format!("{}{}", "[".repeat(60), "]".repeat(60));
        assert!(lockfile(&ok).is_ok());
    }

    #[test]
    fn documents_over_the_node_budget_fail_cleanly() {
        let limits = Limits {
            nodes: 1_000,
            ..Limits::LOCKFILE
        };
        let under = format!("[{}x]", "x, ".repeat(900));
        assert!(parse(under.as_bytes(), limits).is_ok());
        let over = format!("[{}x]", "x, ".repeat(1_000));
        let err = parse(over.as_bytes(), limits).expect_err("over budget");
        assert!(err.0.contains("budget"), "{err}");
        // Aliases count as what they expand to.
        let expanded = format!("a: &a [{}x]\nb: [*a, *a]\n", "x, ".repeat(400));
        assert!(parse(expanded.as_bytes(), limits).is_err());
    }

    #[test]
    fn the_lockfile_budget_fits_the_largest_lockfile_read() {
        // Real lockfiles: 10 to 25 bytes per node.
        assert!(Limits::LOCKFILE.nodes >= MAX_LOCKFILE_BYTES as usize / 10);
    }

    #[test]
    fn bad_yaml_and_bad_utf8_are_errors() {
        for bytes in [
            &b"packages: [unclosed\n"[..],
            b"a: \xff\xfe\n",
            b"a: b: c\n",
        ] {
            assert!(parse(bytes, Limits::LOCKFILE).is_err(), "{bytes:?}");
        }
    }
}
