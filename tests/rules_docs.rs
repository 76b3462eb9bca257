//! The rule reference in docs/SECURITY.md is generated from the registry;
//! this fails when the committed section has drifted from it.

use agentops::docs;

fn security_md() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/SECURITY.md");
    std::fs::read_to_string(path).expect("docs/SECURITY.md")
}

#[test]
fn security_md_rule_reference_is_up_to_date() {
    let doc = security_md();
    let committed = docs::generated_section(&doc).unwrap_or_else(|| {
        panic!(
            "{} has no `{}` … `{}` section",
            docs::DOC_PATH,
            docs::BEGIN,
            docs::END
        )
    });
    let generated = docs::rules_reference();
    if committed != generated.trim_matches('\n') {
        let first_diff = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "the rule reference in {} is out of date with the rule registry \
             (first difference at line {} of the section).\n\
             Regenerate it from the repository root with:\n\n    {}\n",
            docs::DOC_PATH,
            first_diff + 1,
            docs::REGENERATE
        );
    }
}

#[test]
fn every_rule_id_named_in_security_md_exists() {
    let doc = security_md();
    let known: Vec<&str> = agentops::cli::rules::all_rules()
        .iter()
        .map(|r| r.id)
        .collect();
    let mut unknown = Vec::new();
    for word in doc.split(|c: char| !c.is_ascii_alphanumeric()) {
        let letters = word.trim_end_matches(|c: char| c.is_ascii_digit());
        let digits = &word[letters.len()..];
        let looks_like_id = digits.len() == 3
            && letters.len() >= 3
            && letters.chars().all(|c| c.is_ascii_uppercase());
        if looks_like_id && !known.contains(&word) && !unknown.contains(&word) {
            unknown.push(word);
        }
    }
    assert!(
        unknown.is_empty(),
        "docs/SECURITY.md names rules the registry does not have: {unknown:?}"
    );
}

#[test]
fn every_rule_is_in_the_reference() {
    let generated = docs::rules_reference();
    for r in agentops::cli::rules::all_rules() {
        assert!(
            generated.contains(&format!("| `{}` | {} |", r.id, r.name)),
            "{} missing from the generated reference",
            r.id
        );
    }
}
