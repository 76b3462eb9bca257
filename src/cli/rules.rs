//! `agentops rules [ID] [--json]`: every rule of every policy, or one rule
//! in full; `agentops rules --markdown [--write FILE]`: the generated rule
//! reference of `docs/SECURITY.md`; `agentops rules check [FILE]`: the
//! custom rule files (see `custom_rules`).

use std::path::PathBuf;
use std::process::ExitCode;

use agentops_core::Rule;

use crate::docs;

use super::custom_rules;

use super::output::{Style, Table};

#[derive(clap::Args)]
pub struct Args {
    /// Show one rule in full: what it does, why it matters, what to do
    /// instead, examples (case-insensitive id such as CMD001 or a custom
    /// XDEPLOY1, or the rule's name); `check` validates the custom rule
    /// files instead.
    pub id: Option<String>,
    /// With `check`: the rule file to validate (default: the project's
    /// .agentops/rules.toml and the user's ~/.agentops/rules.toml).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Print the generated rule reference (Markdown) for docs/SECURITY.md.
    #[arg(long, conflicts_with = "id")]
    pub markdown: bool,
    /// With --markdown: replace the generated section of FILE (between
    /// `<!-- rules:begin -->` and `<!-- rules:end -->`) instead of printing it.
    #[arg(long, value_name = "FILE", requires = "markdown")]
    pub write: Option<PathBuf>,
}

/// Every rule, engine rules first, then policies in registry order.
pub fn all_rules() -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = agentops_engine::ENGINE_RULES.to_vec();
    for policy in agentops_policies::all() {
        rules.extend(policy.rules.iter().copied());
    }
    rules
}

/// The rule with this id (case-insensitive) or name.
pub fn find(id: &str) -> Option<&'static Rule> {
    all_rules()
        .into_iter()
        .find(|r| r.id.eq_ignore_ascii_case(id) || r.name == id)
}

/// Up to five ids with the same letter prefix as `id`, nearest number first.
pub fn suggestions(id: &str) -> Vec<&'static str> {
    let upper = id.to_ascii_uppercase();
    let prefix: String = upper
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    if prefix.is_empty() {
        return Vec::new();
    }
    let number = |s: &str| s[prefix.len()..].parse::<i64>().ok();
    let wanted = number(&upper);
    let mut close: Vec<&'static str> = all_rules()
        .into_iter()
        .map(|r| r.id)
        .filter(|rid| {
            rid.starts_with(&prefix)
                && rid[prefix.len()..].starts_with(|c: char| c.is_ascii_digit())
        })
        .collect();
    if let Some(n) = wanted {
        close.sort_by_key(|rid| number(rid).map_or(i64::MAX, |m| (m - n).abs()));
    }
    close.truncate(5);
    close.sort_unstable();
    close
}

/// A rule as JSON: the fields in the order `agentops rules --json` has
/// always printed them (id, name, policy, reason, severity), then why and
/// the examples.
#[derive(serde::Serialize)]
pub struct RuleJson<'a> {
    id: &'a str,
    name: &'a str,
    policy: &'a str,
    reason: &'a str,
    severity: &'a str,
    why: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    instead: &'a str,
    example: Example<'a>,
    /// Where a custom rule comes from (`project /p/.agentops/rules.toml`);
    /// absent for built-in rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<String>,
}

#[derive(serde::Serialize)]
pub struct Example<'a> {
    fires: &'a str,
    passes: &'a str,
}

/// A rule as JSON: id, name, policy, reason, severity, why, instead (when
/// there is one) and `example: {fires, passes}`, in that order.
pub fn rule_json(r: &Rule) -> RuleJson<'_> {
    RuleJson {
        id: r.id,
        name: r.name,
        policy: r.policy,
        reason: r.reason,
        severity: r.severity.as_str(),
        why: r.why,
        instead: r.instead,
        example: Example {
            fires: r.fires,
            passes: r.passes,
        },
        origin: None,
    }
}

/// One rule in full, as `agentops rules <ID>` prints it.
pub fn explain(r: &Rule) -> String {
    let text = |s: &str| {
        if s.is_empty() {
            "(not documented yet)".to_string()
        } else {
            docs::visible(s)
        }
    };
    format!(
        "# {id}: {name}\n\n\
         Policy: {policy}\n\
         Severity: {severity} ({meaning})\n\n\
         ## What it does\n\n{reason}\n\n\
         ## Why it matters\n\n{why}\n\n\
         {instead}\
         ## Example that fires\n\n    {fires}\n\n\
         ## Example that does not\n\n    {passes}\n",
        id = r.id,
        name = r.name,
        policy = r.policy,
        severity = r.severity.as_str(),
        meaning = docs::severity_meaning(r.severity),
        reason = text(r.reason),
        why = text(r.why),
        instead = if r.instead.is_empty() {
            String::new()
        } else {
            format!("## What to do instead\n\n{}\n\n", docs::visible(r.instead))
        },
        fires = text(r.fires),
        passes = text(r.passes),
    )
}

pub fn run(args: &Args) -> ExitCode {
    if args.markdown {
        return markdown(args.write.as_ref());
    }
    if args.id.as_deref() == Some("check") {
        return custom_rules::check(args.file.as_deref());
    }
    if args.file.is_some() {
        return super::usage_error("rules", "a FILE goes with `agentops rules check FILE`");
    }
    if let Some(id) = &args.id {
        return one(id, args.json);
    }
    let files = custom_rules::load();
    for warning in custom_rules::load_warnings(&files) {
        eprintln!("{warning}");
    }
    let mut rules: Vec<(&'static Rule, Option<String>)> =
        all_rules().into_iter().map(|r| (r, None)).collect();
    rules.extend(
        custom_rules::listed()
            .into_iter()
            .map(|(r, origin)| (r, Some(origin))),
    );
    if args.json {
        let list: Vec<RuleJson> = rules
            .iter()
            .map(|(r, origin)| RuleJson {
                origin: origin.clone(),
                ..rule_json(r)
            })
            .collect();
        println!("{}", to_json(&list));
    } else {
        let mut table = Table::new(&["ID", "LEVEL", "POLICY", "REASON", "ORIGIN"]);
        for (r, origin) in rules {
            let level = r.severity.as_str();
            table.styled_row(vec![
                (r.id.to_string(), None),
                (level.to_string(), Style::of_result(level)),
                (r.policy.to_string(), None),
                (r.reason.to_string(), None),
                (origin.unwrap_or_else(|| "builtin".to_string()), None),
            ]);
        }
        table.print();
    }
    ExitCode::SUCCESS
}

fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("rules serialize")
}

fn one(id: &str, as_json: bool) -> ExitCode {
    if let Some((rule, origin)) = find(id).is_none().then(|| custom_rules::find(id)).flatten() {
        if as_json {
            let json = RuleJson {
                origin: Some(origin),
                ..rule_json(rule)
            };
            println!("{}", to_json(&json));
        } else {
            println!("{}Origin: {origin}", explain(rule));
        }
        return ExitCode::SUCCESS;
    }
    let Some(rule) = find(id) else {
        let close = suggestions(id);
        return if close.is_empty() {
            super::usage_error(
                "rules",
                format!("no rule `{id}`; `agentops rules` lists every rule"),
            )
        } else {
            super::usage_error(
                "rules",
                format!(
                    "no rule `{id}`; did you mean {}? (`agentops rules` lists every rule)",
                    close.join(", ")
                ),
            )
        };
    };
    if as_json {
        println!("{}", to_json(&rule_json(rule)));
    } else {
        print!("{}", explain(rule));
    }
    ExitCode::SUCCESS
}

fn markdown(write: Option<&PathBuf>) -> ExitCode {
    let section = docs::rules_reference();
    let Some(path) = write else {
        print!("{section}");
        return ExitCode::SUCCESS;
    };
    let result = std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|doc| docs::splice(&doc, &section))
        .and_then(|doc| std::fs::write(path, doc).map_err(|e| e.to_string()));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("agentops: {}: {e}", path.display());
            ExitCode::FAILURE
        }
    }
}
