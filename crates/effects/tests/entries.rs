//! Every knowledge-base entry applies to each of its `fires` examples and to
//! none of its `passes` examples (its read-only neighbours): the per-entry
//! tests the knowledge base's data carries.

use agentops_effects::kb;

/// Ids of the entries that apply to some command of `src`.
fn applying(src: &str) -> Vec<&'static str> {
    let analysis = agentops_shell::analyse(src);
    let mut out = Vec::new();
    for c in &analysis.commands {
        if let Some(tool) = kb::tool(&c.name) {
            out.extend(tool.applying(c).into_iter().map(|a| a.entry.id()));
        }
    }
    out
}

#[test]
fn every_entry_fires_on_its_examples_and_not_on_its_neighbours() {
    let mut failures = Vec::new();
    let mut entries = 0;
    let mut examples = 0;
    for tool in kb::tools() {
        assert!(tool.entries().next().is_some(), "{tool:?} has no entries");
        for e in tool.entries() {
            entries += 1;
            for ex in e.fires().iter() {
                examples += 1;
                if !applying(ex).contains(&e.id()) {
                    failures.push(format!(
                        "{} ({}): does not fire on `{ex}`",
                        e.id(),
                        e.family()
                    ));
                }
            }
            for ex in e.passes().iter() {
                examples += 1;
                if applying(ex).contains(&e.id()) {
                    failures.push(format!(
                        "{} ({}): fires on its neighbour `{ex}`",
                        e.id(),
                        e.family()
                    ));
                }
            }
        }
    }
    println!("{entries} entries, {examples} examples");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn tool_names_are_lowercase_command_names() {
    for tool in kb::tools() {
        for n in tool.names().iter() {
            assert!(
                !n.is_empty() && !n.contains(['/', ' ']) && n.to_lowercase() == n,
                "{n}: the analyser lowercases names and strips directories"
            );
            assert!(kb::tool(n) == Some(tool));
        }
    }
}
