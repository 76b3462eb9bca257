//! Reading the plan in `tasks/todo.md`: checkbox counts for the gates, and
//! the pruning todo-prune and `agentops todo prune` perform.
//!
//! A checkbox item is a list line (`-`, `*` or `+`, optionally indented)
//! starting with `[ ]` (open) or `[x]`/`[X]` (done).

/// Checkbox state of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// `[ ]`: still to do.
    Open,
    /// `[x]` or `[X]`: done.
    Done,
}

/// Classify a line as an open item, a done item or neither.
pub fn item(line: &str) -> Option<Item> {
    let rest = line.trim_start();
    let rest = rest
        .strip_prefix("- ")
        .or_else(|| rest.strip_prefix("* "))
        .or_else(|| rest.strip_prefix("+ "))?;
    if rest.starts_with("[ ]") {
        Some(Item::Open)
    } else if rest.starts_with("[x]") || rest.starts_with("[X]") {
        Some(Item::Done)
    } else {
        None
    }
}

/// How many items a plan has, by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Open items (`[ ]`).
    pub open: usize,
    /// Done items (`[x]`).
    pub done: usize,
}

impl Counts {
    /// Count the checkbox items of a plan's text.
    pub fn of(text: &str) -> Counts {
        let mut counts = Counts::default();
        for line in text.lines() {
            match item(line) {
                Some(Item::Open) => counts.open += 1,
                Some(Item::Done) => counts.done += 1,
                None => {}
            }
        }
        counts
    }

    /// Every checkbox item, open or done.
    pub fn total(self) -> usize {
        self.open + self.done
    }
}

/// What pruning a plan leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pruned {
    /// No done item: nothing to prune. Carries the open count.
    Unchanged {
        /// Open items in the plan.
        open: usize,
    },
    /// Done items removed; `text` keeps the sections that still have open
    /// items.
    Rewritten {
        /// The plan without its done items and finished sections.
        text: String,
        /// Open items kept.
        open: usize,
        /// Done items removed.
        removed: usize,
    },
    /// Every item is done: the plan should be archived.
    Completed {
        /// Done items in the finished plan.
        done: usize,
    },
}

fn is_heading(line: &str) -> bool {
    let hashes = line.bytes().take_while(|b| *b == b'#').count();
    (1..=6).contains(&hashes) && line[hashes..].starts_with(' ')
}

/// Keep a finished section only if it holds an open item.
fn flush<'a>(lines: &mut Vec<&'a str>, has_open: bool, into: &mut Vec<Vec<&'a str>>) {
    if has_open {
        into.push(std::mem::take(lines));
    } else {
        lines.clear();
    }
}

/// Prune done items. Sections (a heading and what follows it) survive only
/// if they still hold an open item; within them, done items and blank
/// lines are dropped and notes are kept. A file without any checkbox is
/// left alone: it is not a plan this hook understands.
pub fn prune(text: &str) -> Pruned {
    let counts = Counts::of(text);
    if counts.done == 0 {
        return Pruned::Unchanged { open: counts.open };
    }
    if counts.open == 0 {
        return Pruned::Completed { done: counts.done };
    }
    let mut sections: Vec<Vec<&str>> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut current_has_open = false;
    for line in text.lines() {
        if is_heading(line) {
            flush(&mut current, current_has_open, &mut sections);
            current.push(line);
            current_has_open = false;
            continue;
        }
        match item(line) {
            Some(Item::Done) => {}
            Some(Item::Open) => {
                current_has_open = true;
                current.push(line);
            }
            None if line.trim().is_empty() => {}
            None => current.push(line),
        }
    }
    flush(&mut current, current_has_open, &mut sections);
    let mut out = String::new();
    for (i, section) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for line in section {
            out.push_str(line);
            out.push('\n');
        }
    }
    Pruned::Rewritten {
        text: out,
        open: counts.open,
        removed: counts.done,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_recognised_in_every_list_style() {
        let cases = [
            ("- [ ] a", Some(Item::Open)),
            ("  - [ ] nested", Some(Item::Open)),
            ("* [ ] star", Some(Item::Open)),
            ("+ [x] plus", Some(Item::Done)),
            ("- [X] upper", Some(Item::Done)),
            ("-[ ] no space", None),
            ("- [] empty", None),
            ("text - [ ] inline", None),
            ("## - [ ] heading", None),
        ];
        for (line, want) in cases {
            assert_eq!(item(line), want, "{line}");
        }
        assert_eq!(
            Counts::of("- [ ] a\n- [x] b\n- [ ] c\nnote\n"),
            Counts { open: 2, done: 1 }
        );
    }

    #[test]
    fn prune_keeps_open_sections_and_their_notes() {
        let plan = "# Plan\n\n## Situation\nthe state\n\n## Action\n- [x] one\n- [ ] two\n  detail of two\n\n## Done part\n- [x] three\n";
        assert_eq!(
            prune(plan),
            Pruned::Rewritten {
                text: "## Action\n- [ ] two\n  detail of two\n".into(),
                open: 1,
                removed: 2
            }
        );
        let two = "## A\n- [ ] a\n- [x] b\n## B\n- [ ] c\n";
        match prune(two) {
            Pruned::Rewritten { text, .. } => assert_eq!(text, "## A\n- [ ] a\n\n## B\n- [ ] c\n"),
            other => panic!("{other:?}"),
        }
        // Items before any heading form their own section.
        match prune("- [ ] loose\n- [x] gone\n") {
            Pruned::Rewritten { text, .. } => assert_eq!(text, "- [ ] loose\n"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn prune_leaves_plans_without_done_items_and_archives_finished_ones() {
        assert_eq!(prune("- [ ] a\n"), Pruned::Unchanged { open: 1 });
        assert_eq!(prune("just notes\n"), Pruned::Unchanged { open: 0 });
        assert_eq!(prune(""), Pruned::Unchanged { open: 0 });
        assert_eq!(
            prune("## A\n- [x] a\n- [X] b\n"),
            Pruned::Completed { done: 2 }
        );
    }
}
