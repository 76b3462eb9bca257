//! `tasks/lessons.md`: lessons captured after mistakes, one `## Lesson:`
//! section each with Date, Trigger, Pattern, Rule and Applies-to fields.
//! Parsed for lessons-check and `agentops lessons`, rendered for
//! `agentops lessons add`.

/// The heading that starts a lesson.
pub const LESSON_HEADING: &str = "## Lesson:";
/// The first line of a new lessons file.
pub const FILE_HEADER: &str = "# Lessons Learned\n";

/// One lesson. Missing fields are empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Lesson {
    /// The text after `## Lesson:`.
    pub title: String,
    /// `**Date:**`, when the lesson was recorded.
    pub date: String,
    /// `**Trigger:**`, the mistake or event that taught it.
    pub trigger: String,
    /// `**Pattern:**`, the habit behind the mistake.
    pub pattern: String,
    /// `**Rule:**`, what to do from now on.
    pub rule: String,
    /// `**Applies to:**`, the files or situations it concerns.
    pub applies_to: String,
}

fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    line.trim()
        .strip_prefix("**")?
        .strip_prefix(name)?
        .strip_prefix(":**")
        .map(str::trim)
}

/// Every lesson in the file, in file order.
pub fn parse(text: &str) -> Vec<Lesson> {
    let mut lessons = Vec::new();
    let mut current: Option<Lesson> = None;
    for line in text.lines() {
        if let Some(title) = line.strip_prefix(LESSON_HEADING) {
            lessons.extend(current.take());
            current = Some(Lesson {
                title: title.trim().to_string(),
                ..Lesson::default()
            });
            continue;
        }
        let Some(lesson) = current.as_mut() else {
            continue;
        };
        if line.starts_with("# ") || line.starts_with("## ") {
            lessons.extend(current.take());
            continue;
        }
        let slots: [(&str, &mut String); 5] = [
            ("Date", &mut lesson.date),
            ("Trigger", &mut lesson.trigger),
            ("Pattern", &mut lesson.pattern),
            ("Rule", &mut lesson.rule),
            ("Applies to", &mut lesson.applies_to),
        ];
        for (name, slot) in slots {
            if let Some(value) = field(line, name) {
                *slot = value.to_string();
            }
        }
    }
    lessons.extend(current);
    lessons
}

/// Number of lessons, as lessons-check reports it.
pub fn count(text: &str) -> usize {
    text.lines()
        .filter(|l| l.starts_with(LESSON_HEADING))
        .count()
}

/// A lesson from one line of text, as `agentops lessons add "..."` takes
/// it: the text up to the first labelled part is the title, and
/// `Trigger:`, `Pattern:`, `Rule:` and `Applies to:` parts fill their
/// fields. Without a `Rule:` part, the whole title is the rule.
pub fn from_text(text: &str) -> Lesson {
    const LABELS: [&str; 4] = ["Trigger:", "Pattern:", "Rule:", "Applies to:"];
    let mut marks: Vec<(usize, &str)> = LABELS
        .iter()
        .filter_map(|label| text.find(label).map(|at| (at, *label)))
        .collect();
    marks.sort_unstable();
    let head_end = marks.first().map_or(text.len(), |(at, _)| *at);
    let mut lesson = Lesson {
        title: text[..head_end]
            .trim()
            .trim_end_matches('.')
            .trim()
            .to_string(),
        ..Lesson::default()
    };
    for (i, (at, label)) in marks.iter().enumerate() {
        let end = marks.get(i + 1).map_or(text.len(), |(next, _)| *next);
        let value = text[at + label.len()..end].trim().to_string();
        match *label {
            "Trigger:" => lesson.trigger = value,
            "Pattern:" => lesson.pattern = value,
            "Rule:" => lesson.rule = value,
            _ => lesson.applies_to = value,
        }
    }
    if lesson.rule.is_empty() {
        lesson.rule = lesson.title.clone();
    }
    lesson
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The Markdown for one lesson, starting with a blank line so it can be
/// appended to any file.
pub fn render(lesson: &Lesson) -> String {
    format!(
        "\n{LESSON_HEADING} {}\n**Date:** {}\n**Trigger:** {}\n**Pattern:** {}\n**Rule:** {}\n**Applies to:** {}\n",
        one_line(&lesson.title),
        one_line(&lesson.date),
        one_line(&lesson.trigger),
        one_line(&lesson.pattern),
        one_line(&lesson.rule),
        one_line(&lesson.applies_to),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Lesson {
        Lesson {
            title: "Quote paths".into(),
            date: "2025-01-02".into(),
            trigger: "rm failed on a path\nwith spaces".into(),
            pattern: "unquoted variables".into(),
            rule: "quote every path".into(),
            applies_to: "shell scripts".into(),
        }
    }

    #[test]
    fn rendered_lessons_parse_back() {
        let text = format!("{FILE_HEADER}{}{}", render(&sample()), render(&sample()));
        let parsed = parse(&text);
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].trigger, "rm failed on a path with spaces");
        assert_eq!(parsed[0].applies_to, "shell scripts");
        assert_eq!(count(&text), 2);
    }

    #[test]
    fn one_line_lessons_split_on_their_labels() {
        let l = from_text("Run migrations before seeding. Trigger: seed failed on a missing table. Pattern: assumed a migrated database. Rule: migrate before any seed. Applies to: scripts/seed.ts");
        assert_eq!(l.title, "Run migrations before seeding");
        assert_eq!(l.trigger, "seed failed on a missing table.");
        assert_eq!(l.pattern, "assumed a migrated database.");
        assert_eq!(l.rule, "migrate before any seed.");
        assert_eq!(l.applies_to, "scripts/seed.ts");
        let plain = from_text("Quote every path in shell scripts");
        assert_eq!(
            (plain.title.as_str(), plain.rule.as_str()),
            (
                "Quote every path in shell scripts",
                "Quote every path in shell scripts"
            )
        );
        assert!(plain.trigger.is_empty());
    }

    #[test]
    fn other_sections_end_a_lesson_and_loose_text_is_ignored() {
        let text =
            "intro\n## Lesson: A\n**Rule:** r\n## Notes\n**Rule:** not a lesson\n## Lesson: B\n";
        let parsed = parse(text);
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].rule, "r");
        assert_eq!(parsed[1].title, "B");
        assert_eq!(parsed[1].rule, "");
    }
}
