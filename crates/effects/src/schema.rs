//! The TOML schema of a command knowledge-base file, shared by `build.rs`
//! (which compiles `kb/*.toml` into static tables) and the runtime loader of
//! custom rule files ([`crate::custom`]), so both read the same format.
//!
//! A few fields belong to one side only: `doc` and `target` to the
//! knowledge base, `verdict`, `reason`, `instead` and `paths` to custom
//! rules; each side rejects the other's.

// build.rs includes this file too, and uses only part of it.
#![allow(dead_code)]

use serde::Deserialize;
use toml::Spanned;

/// One file: its tools.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    /// `[[tool]]` tables.
    #[serde(default)]
    pub tool: Vec<Spanned<Tool>>,
}

/// `[[tool]]`: the command names it describes and their entries.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    /// Command names (lowercase, no directories); in custom rule files
    /// also file tools (`Write`, `Edit`, `Read`) or `*` for every command.
    pub names: Vec<String>,
    /// Global options whose value is not a subcommand.
    #[serde(default)]
    pub options_with_value: Vec<String>,
    /// Where the entries come from (the knowledge base requires it).
    #[serde(default)]
    pub doc: Option<String>,
    /// `[[tool.rule]]` tables.
    #[serde(default)]
    pub rule: Vec<Spanned<Entry>>,
}

/// `[[tool.rule]]`: when an entry applies, and what follows.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Leading positional words; `""` (the default) is any.
    #[serde(default)]
    pub cmd: String,
    /// Entry id (knowledge base: optional suffix; custom rules: required).
    #[serde(default)]
    pub id: Option<String>,
    /// At least one of these options is given.
    #[serde(default)]
    pub flags: Vec<String>,
    /// None of these options is given.
    #[serde(default)]
    pub no_flags: Vec<String>,
    /// Options whose value is tested against `values`.
    #[serde(default)]
    pub flag_value: Vec<String>,
    /// Globs for the value of a `flag_value` option.
    #[serde(default)]
    pub values: Vec<String>,
    /// Globs, one of which some argument after the `cmd` words matches.
    #[serde(default)]
    pub args: Vec<String>,
    /// Globs no argument after the `cmd` words matches.
    #[serde(default)]
    pub no_args: Vec<String>,
    /// `NAME=glob`, one of which the command's environment sets.
    #[serde(default)]
    pub env: Vec<String>,
    /// `NAME=glob` the command's environment does not set.
    #[serde(default)]
    pub no_env: Vec<String>,
    /// Knowledge base: the effects the entry gives the command. Custom
    /// rules: the command must have one of these effects.
    #[serde(default)]
    pub effects: Vec<String>,
    /// Knowledge base: which words the effects act on.
    #[serde(default)]
    pub target: Option<String>,
    /// Custom rules: globs for the path a file tool acts on, or for the
    /// local targets of a command's effects.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Custom rules: `deny`, `ask` or `warn`.
    #[serde(default)]
    pub verdict: Option<String>,
    /// Custom rules: the one line shown when the rule fires.
    #[serde(default)]
    pub reason: Option<String>,
    /// Custom rules: what to do instead.
    #[serde(default)]
    pub instead: Option<String>,
    /// Commands (or paths, for file tools) the entry applies to (tested).
    #[serde(default)]
    pub fires: Vec<String>,
    /// Close ones it does not apply to (tested).
    #[serde(default)]
    pub passes: Vec<String>,
    /// Why, when the manual alone does not make it obvious.
    #[serde(default)]
    pub note: Option<String>,
}
