//! Documentation generated from the rule registry: the rule reference in
//! `docs/SECURITY.md` (between [`BEGIN`] and [`END`]) and the words for
//! what each severity does, shared with `agentops rules <ID>`.

use agentops_core::{HookEvent, Policy, Rule, Severity};

/// Marker opening the generated rule reference in a Markdown file.
pub const BEGIN: &str = "<!-- rules:begin -->";
/// Marker closing the generated rule reference.
pub const END: &str = "<!-- rules:end -->";
/// The file holding the generated rule reference, from the repository root.
pub const DOC_PATH: &str = "docs/SECURITY.md";
/// The one command that regenerates it, from the repository root.
pub const REGENERATE: &str = "cargo run -q -- rules --markdown --write docs/SECURITY.md";

/// Summary shown for the engine's own rules, which no policy owns.
const ENGINE_SUMMARY: &str = "Rules the engine itself reports when it cannot run the policies: \
     the payload is unusable or a policy crashed. On gate events they deny.";

/// What a rule of this severity does when it fires, in a few words.
pub fn severity_meaning(severity: Severity) -> &'static str {
    match severity {
        Severity::Hard => "denies in every mode, bypass and unrestricted included",
        Severity::Deny => "denies; only an advisory note in bypass and unrestricted mode",
        Severity::Soft => {
            "asks in advisory mode, denies in blocking mode; \
             only a note in bypass and unrestricted mode"
        }
        Severity::Confirm => "asks the user in every mode, bypass and unrestricted included",
        Severity::Ask => "asks the user; only an advisory note in bypass and unrestricted mode",
        Severity::Warn => "tells the user; never gates",
        Severity::Guide => "guidance for the model; never gates",
        Severity::Approve => {
            "answers allow (skips the permission prompt); anything that asks or denies wins"
        }
    }
}

/// The generated rule reference for the registry: the engine's rules, then
/// every policy with rules, in registry order.
pub fn rules_reference() -> String {
    rules_markdown(agentops_engine::ENGINE_RULES, agentops_policies::all())
}

/// The generated rule reference (without the markers): one table per
/// policy (id, name, level, what it detects, why it matters), each followed
/// by the examples of its rules that have them.
pub fn rules_markdown(engine: &[&Rule], policies: &[&Policy]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "<!-- Generated from the rule registry; do not edit by hand. \
         Regenerate with: {REGENERATE} -->\n"
    ));
    push_group(&mut out, "engine", ENGINE_SUMMARY, engine);
    for policy in policies.iter().filter(|p| !p.rules.is_empty()) {
        push_group(&mut out, policy.name, policy.summary, policy.rules);
    }
    push_verdict_table(&mut out);
    out
}

/// What a rule of this severity answers in each mode: advisory,
/// blocking, bypass or unrestricted.
fn per_mode(severity: Severity) -> [&'static str; 3] {
    match severity {
        Severity::Hard => ["deny", "deny", "deny"],
        Severity::Deny => ["deny", "deny", "note"],
        Severity::Soft => ["ask", "deny", "note"],
        Severity::Confirm => ["ask", "ask", "ask"],
        Severity::Ask => ["ask", "ask", "note"],
        Severity::Approve => ["allow", "allow", "allow"],
        Severity::Warn | Severity::Guide => ["no answer", "no answer", "no answer"],
    }
}

/// The verdict table: effect × place → rule → answer per mode, from the
/// same table validate-command decides with.
fn push_verdict_table(out: &mut String) {
    use agentops_policies::security::validate_command::effects::VERDICTS;
    out.push_str(
        "\n### Verdict table\n\n\
         What the command knowledge base says a command does (its effects, \
         `agentops check --explain`) and where (for writes) decides the rule \
         that answers, and the rule's level decides the answer in each mode. \
         Effects not listed (reads, project writes and deletes, network reads, \
         network sends, registry installs, running code) get no answer from the \
         table; the spelling rules above still judge them (recursive deletes, \
         credential files, system directories, exfiltration), and the \
         permission autopilot (`AUTO001`/`AUTO002`, opt-in) answers allow for \
         commands whose every effect is known and stays in the project, and \
         ask for commands the knowledge base does not know.\n\n\
         | effect | where | rule | level | advisory | blocking | bypass / unrestricted |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for (effect, place, rule) in VERDICTS {
        let [advisory, blocking, relaxed] = per_mode(rule.severity);
        out.push_str(&format!(
            "| {} | {} | `{}` {} | {} | {advisory} | {blocking} | {relaxed} |\n",
            effect.name(),
            place.map_or("anywhere", |p| p.name()),
            rule.id,
            cell(rule.name),
            rule.severity.as_str(),
        ));
    }
}

fn push_group(out: &mut String, name: &str, summary: &str, rules: &[&Rule]) {
    out.push_str(&format!("\n### {name}\n\n"));
    if !summary.is_empty() {
        let summary = one_line(summary);
        let stop = if summary.ends_with(['.', '!', '?']) {
            ""
        } else {
            "."
        };
        out.push_str(&format!("{summary}{stop}\n\n"));
    }
    out.push_str("| id | name | level | what it detects | why it matters |\n");
    out.push_str("|---|---|---|---|---|\n");
    for r in rules {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.id,
            cell(r.name),
            r.severity.as_str(),
            cell(r.reason),
            cell(or_pending(r.why)),
        ));
    }
    let documented: Vec<&&Rule> = rules
        .iter()
        .filter(|r| !r.fires.is_empty() || !r.passes.is_empty())
        .collect();
    if !documented.is_empty() {
        out.push_str("\nExamples:\n\n");
        for r in documented {
            out.push_str(&format!(
                "- `{}` fires on {}; does not fire on {}.\n",
                r.id,
                example(r.fires),
                example(r.passes),
            ));
        }
    }
    let with_instead: Vec<&&Rule> = rules.iter().filter(|r| !r.instead.is_empty()).collect();
    if !with_instead.is_empty() {
        out.push_str("\nWhat to do instead (ends the reason of every ask and deny):\n\n");
        for r in with_instead {
            out.push_str(&format!("- `{}`: {}\n", r.id, one_line(r.instead)));
        }
    }
}

fn or_pending(text: &str) -> &str {
    if text.is_empty() {
        "_not documented yet_"
    } else {
        text
    }
}

/// `text` with every character the Unicode firewall would flag (invisible,
/// bidirectional, tag, private-use) written as `<U+XXXX>`, so examples of
/// the Unicode rules can be read, and the docs themselves stay clean for
/// `agentops scan unicode`.
pub fn visible(text: &str) -> String {
    let opts = agentops_unicode::Options { private_use: true };
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let mut buf = [0u8; 4];
        if agentops_unicode::contains_flagged(c.encode_utf8(&mut buf).as_bytes(), opts) {
            out.push_str(&format!("<U+{:04X}>", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Text on one line (Markdown table cells and list items cannot break).
fn one_line(text: &str) -> String {
    visible(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

/// An example: executable ones (`Event Tool: payload`) in a code span,
/// prose as written.
fn example(text: &str) -> String {
    if text.is_empty() {
        return "_not documented yet_".to_string();
    }
    let first = text.split([' ', ':']).next().unwrap_or_default();
    if first.parse::<HookEvent>().is_ok() {
        code_span(&one_line(text))
    } else {
        one_line(text)
    }
}

/// `text` as a Markdown code span, fenced with more backticks than it holds.
fn code_span(text: &str) -> String {
    let longest = text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat(longest + 1);
    if text.starts_with('`') || text.ends_with('`') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// The generated section of `doc`: the text between the markers.
pub fn generated_section(doc: &str) -> Option<&str> {
    let start = doc.find(BEGIN)? + BEGIN.len();
    let end = start + doc[start..].find(END)?;
    Some(doc[start..end].trim_matches('\n'))
}

/// `doc` with the text between the markers replaced by `section`.
pub fn splice(doc: &str, section: &str) -> Result<String, String> {
    let missing = || format!("no `{BEGIN}` … `{END}` section");
    let start = doc.find(BEGIN).ok_or_else(missing)? + BEGIN.len();
    let end = start + doc[start..].find(END).ok_or_else(missing)?;
    Ok(format!(
        "{}\n{}\n{}",
        &doc[..start],
        section.trim_matches('\n'),
        &doc[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code_span("ls"), "`ls`");
        assert_eq!(code_span("echo `id`"), "`` echo `id` ``");
        assert_eq!(code_span("a``b"), "```a``b```");
    }

    #[test]
    fn splice_replaces_only_between_the_markers() {
        let doc = format!("intro\n{BEGIN}\nold\n{END}\noutro\n");
        let new = splice(&doc, "new\n").expect("markers");
        assert_eq!(new, format!("intro\n{BEGIN}\nnew\n{END}\noutro\n"));
        assert_eq!(generated_section(&new), Some("new"));
        assert!(splice("no markers", "x").is_err());
    }

    #[test]
    fn invisible_characters_are_spelled_out() {
        assert_eq!(visible("a\u{202E}b\u{200B}c"), "a<U+202E>b<U+200B>c");
        assert_eq!(visible("plain ✅ é"), "plain ✅ é");
    }

    #[test]
    fn every_severity_has_a_meaning() {
        for s in [
            Severity::Guide,
            Severity::Warn,
            Severity::Approve,
            Severity::Ask,
            Severity::Soft,
            Severity::Confirm,
            Severity::Deny,
            Severity::Hard,
        ] {
            assert!(!severity_meaning(s).is_empty());
        }
    }
}
