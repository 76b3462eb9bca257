//! One parser per lockfile format, all producing [`Parsed`].
//!
//! Structured formats go through real parsers (serde_json, toml, and
//! serde-saphyr for YAML, under a budget that hostile documents cannot
//! outgrow); Yarn 1, go.sum and Gemfile.lock have line grammars of their
//! own and get small hand-written parsers. A file that does not parse is an
//! error, never an empty result, so a mangled lockfile cannot hide packages.

pub mod js;
pub mod other;
pub mod python;
mod yaml;

use std::fmt;

use crate::model::{Format, Parsed};

/// Why a lockfile could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl ParseError {
    fn at(line: usize, what: &str) -> ParseError {
        ParseError(format!("line {line}: {what}"))
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

fn utf8(bytes: &[u8]) -> Result<&str, ParseError> {
    std::str::from_utf8(bytes).map_err(|e| ParseError(format!("not UTF-8: {e}")))
}

fn json(bytes: &[u8]) -> Result<serde_json::Value, ParseError> {
    serde_json::from_slice(bytes).map_err(|e| ParseError(format!("invalid JSON: {e}")))
}

fn toml(bytes: &[u8]) -> Result<toml::Value, ParseError> {
    let text = utf8(bytes)?;
    text.parse::<toml::Table>()
        .map(toml::Value::Table)
        .map_err(|e| ParseError(format!("invalid TOML: {}", e.message())))
}

fn yaml(bytes: &[u8]) -> Result<yaml::Yaml, ParseError> {
    yaml::parse(bytes, yaml::Limits::LOCKFILE)
}

fn str_field<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    v.get(key)?.as_str()
}

fn toml_str<'a>(v: &'a toml::Value, key: &str) -> Option<&'a str> {
    v.get(key)?.as_str()
}

fn yaml_str<'a>(v: &'a yaml::Yaml, key: &str) -> Option<&'a str> {
    v.get(key)?.as_str()
}

/// Yarn 2+ lockfiles are YAML with a `__metadata` entry; Yarn 1 files are not.
pub fn refine_format(format: Format, bytes: &[u8]) -> Format {
    if format == Format::YarnClassic
        && bytes
            .split(|&b| b == b'\n')
            .any(|l| l.starts_with(b"__metadata:"))
    {
        Format::YarnBerry
    } else {
        format
    }
}

/// Parse a lockfile of `format`. A file holding only whitespace has no
/// packages.
pub fn parse(format: Format, bytes: &[u8]) -> Result<Parsed, ParseError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Parsed::default());
    }
    match refine_format(format, bytes) {
        Format::Npm => js::parse_npm(bytes),
        Format::YarnClassic => js::parse_yarn_classic(bytes),
        Format::YarnBerry => js::parse_yarn_berry(bytes),
        Format::Pnpm => js::parse_pnpm(bytes),
        Format::Cargo => other::parse_cargo(bytes),
        Format::Poetry => python::parse_poetry(bytes),
        Format::Pipfile => python::parse_pipfile(bytes),
        Format::Uv => python::parse_uv(bytes),
        Format::Composer => other::parse_composer(bytes),
        Format::Gemfile => other::parse_gemfile(bytes),
        Format::GoSum => other::parse_go_sum(bytes),
        Format::Pubspec => other::parse_pubspec(bytes),
        Format::NuGet => other::parse_nuget(bytes),
    }
}
