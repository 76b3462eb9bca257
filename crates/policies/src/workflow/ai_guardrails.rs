//! ai-guardrails: after a write, point out the usual pitfalls of generated
//! code: a new source file without a test, leftover placeholders, a
//! package.json whose dependencies may not exist, and oversized files.
//! Guidance for the agent only; nothing is blocked.

use std::path::Path;

use agentops_core::{
    Context, FileKind, Finding, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity,
    Tool, ToolKind, ToolMatch,
};

use agentops_workflow::session::{dir_name, file_name};

/// Lines in one write above which the file is called oversized.
pub const LARGE_FILE_LINES: usize = 300;
/// Kinds of placeholder that must co-occur before the agent is told.
pub const PLACEHOLDER_KINDS: usize = 2;

macro_rules! guidance {
    ($name:ident, $id:literal, $slug:literal, $reason:literal,
     why: $why:literal, fires: $fires:literal, passes: $passes:literal $(,)?) => {
        #[doc = concat!($id, ": ", $reason, ".")]
        pub static $name: Rule = Rule {
            id: $id,
            name: $slug,
            policy: "ai-guardrails",
            severity: Severity::Guide,
            reason: $reason,
            why: $why,
            fires: $fires,
            instead: "",
            passes: $passes,
        };
    };
}

guidance!(
    UNTESTED_SOURCE,
    "AIG001",
    "untested-new-source",
    "new source file has no test beside it",
    why: "Generated modules tend to arrive without tests, and untested code written by an \
          agent is code nobody has checked runs. Asking for the test while the file is new \
          is cheaper than finding the gap in review.",
    fires: "PostToolUse Write: /p/src/user.ts <- export const user = () => 1",
    passes: "PostToolUse Write: /p/src/user.ts <- export const user = () => 1 | given /p/src/user.test.ts = test('user', () => {})",
);
guidance!(
    PLACEHOLDERS,
    "AIG002",
    "generic-placeholders",
    "file holds generic placeholders; make every value project-specific before committing",
    why: "Several kinds of placeholder in one file (TODO and FIXME notes, lorem ipsum, \
          example.com or changeme values) mean generated scaffolding that was never finished; \
          committed, it ships fake values and silent gaps. A single TODO is normal and \
          does not count.",
    fires: r"PostToolUse Write: /p/src/main.rs <- // TODO: load the config\n// FIXME: handle errors",
    passes: "PostToolUse Write: /p/src/main.rs <- // TODO: load the config",
);
guidance!(
    PACKAGE_MANIFEST,
    "AIG003",
    "verify-dependencies",
    "package.json written: check every dependency exists on npm before installing",
    why: "Models invent plausible package names, and attackers register such names on npm \
          (slopsquatting); installing one runs its install scripts. Checking each unfamiliar \
          dependency with `npm view` before installing catches a name that does not exist or \
          is not the intended package.",
    fires: r#"PostToolUse Write: /p/package.json <- {"dependencies": {"left-pad": "1.3.0"}}"#,
    passes: r#"PostToolUse Edit: /p/package.json <- "left-pad": "1.3.0""#,
);
guidance!(
    LARGE_FILE,
    "AIG004",
    "oversized-write",
    "unusually large single write; consider smaller, focused modules",
    why: "A file of more than 300 lines written in one go is hard to review and usually \
          mixes several concerns; generated code grows this way. Splitting it into focused \
          modules keeps each piece reviewable and testable.",
    fires: "A single Write of a 301-line file",
    passes: "A Write of a 300-line file, or a file that grows past 300 lines through Edits",
);

static RULES: &[&Rule] = &[
    &UNTESTED_SOURCE,
    &PLACEHOLDERS,
    &PACKAGE_MANIFEST,
    &LARGE_FILE,
];

const TEST_SUFFIXES: &[&str] = &[
    ".test.ts",
    ".test.tsx",
    ".spec.ts",
    ".spec.tsx",
    ".test.js",
    ".test.jsx",
];

fn split_name(name: &str) -> (&str, &str) {
    name.rsplit_once('.').unwrap_or((name, ""))
}

/// A new file the untested-source check applies to.
pub fn wants_test(path: &str) -> bool {
    let name = file_name(path);
    let (stem, ext) = split_name(name);
    if !matches!(ext, "ts" | "tsx" | "js" | "jsx") {
        return false;
    }
    let helper = [".test", ".spec", ".stories", ".config", ".d"]
        .iter()
        .any(|m| stem.ends_with(m));
    let tooling = [
        "index",
        "env",
        "next-env",
        "jest",
        "vitest",
        "playwright",
        "eslint",
        "prettier",
    ]
    .iter()
    .any(|p| name.starts_with(p));
    !helper && !tooling
}

/// Where a test for `path` may live.
pub fn test_candidates(path: &str) -> Vec<String> {
    let dir = dir_name(path);
    let (stem, _) = split_name(file_name(path));
    TEST_SUFFIXES
        .iter()
        .flat_map(|suffix| {
            [
                format!("{dir}/{stem}{suffix}"),
                format!("{dir}/__tests__/{stem}{suffix}"),
            ]
        })
        .collect()
}

fn has_word(text: &str, word: &str) -> bool {
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    text.match_indices(word).any(|(i, _)| {
        !is_word(text[..i].chars().next_back()) && !is_word(text[i + word.len()..].chars().next())
    })
}

/// How many kinds of placeholder the text holds.
pub fn placeholder_kinds(text: &str) -> usize {
    let lower = text.to_lowercase();
    [
        has_word(text, "TODO"),
        has_word(text, "FIXME"),
        lower.contains("lorem ipsum"),
        [
            "example.com",
            "your-api-key",
            "changeme",
            "password123",
            "REPLACE_ME",
        ]
        .iter()
        .any(|p| text.contains(p)),
    ]
    .into_iter()
    .filter(|hit| *hit)
    .count()
}

/// Pure: the pitfalls in one write. `test_exists` says whether a test for
/// a new source file was found.
pub fn decide(input: &HookInput, test_exists: bool) -> Outcome {
    let Some(path) = input.input_str("file_path").filter(|p| !p.is_empty()) else {
        return Outcome::none();
    };
    let is_write = input.tool() == Some(Tool::Write);
    let content = if is_write {
        input.input_str("content").unwrap_or_default()
    } else {
        ""
    };
    let name = file_name(path);
    let mut notes: Vec<(&Rule, String)> = Vec::new();
    if is_write && wants_test(path) && !test_exists {
        let (stem, ext) = split_name(name);
        notes.push((&UNTESTED_SOURCE, format!("add {stem}.test.{ext}")));
    }
    let kinds = placeholder_kinds(content);
    if kinds >= PLACEHOLDER_KINDS {
        notes.push((
            &PLACEHOLDERS,
            format!("{kinds} kinds (TODO, FIXME, lorem ipsum, example values)"),
        ));
    }
    if is_write && name == "package.json" {
        notes.push((
            &PACKAGE_MANIFEST,
            "`npm view <package>` confirms an unfamiliar one".into(),
        ));
    }
    let lines = content.lines().count();
    if lines > LARGE_FILE_LINES {
        notes.push((&LARGE_FILE, format!("{lines} lines")));
    }
    let findings = notes
        .into_iter()
        .map(|(rule, detail)| {
            Finding::with_text(
                rule,
                format!("AI guardrail for {name}: {}: {detail}", rule.reason),
            )
        })
        .collect();
    Outcome {
        findings,
        ..Outcome::default()
    }
}

/// The ai-guardrails policy.
pub static AI_GUARDRAILS: Policy = Policy {
    name: "ai-guardrails",
    summary: "Flags untested new files, placeholders, unverified dependencies and oversized writes (never blocks)",
    events: &[HookEvent::PostToolUse],
    tools: ToolMatch::Only(&[ToolKind::Write, ToolKind::Edit, ToolKind::MultiEdit]),
    flag: Some(("ai_workflows", FlagKind::Automation)),
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    let is_file = |path: &String| {
        ctx.world
            .metadata(Path::new(path))
            .is_ok_and(|m| m.kind == FileKind::File)
    };
    let test_exists = input.tool() == Some(Tool::Write)
        && input
            .input_str("file_path")
            .filter(|p| wants_test(p))
            .is_some_and(|p| test_candidates(p).iter().any(is_file));
    decide(input, test_exists)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(tool: &str, path: &str, content: &str) -> HookInput {
        HookInput {
            tool_name: Some(tool.into()),
            tool_input: Some(json!({"file_path": path, "content": content})),
            ..HookInput::default()
        }
    }

    fn ids(out: &Outcome) -> Vec<&'static str> {
        assert!(out.context.is_empty(), "guidance is findings");
        out.findings.iter().map(|f| f.rule.id).collect()
    }

    #[test]
    fn table() {
        let big = "x\n".repeat(301);
        let fine = "x\n".repeat(300);
        let cases: &[(&str, &str, &str, bool, &[&str])] = &[
            ("Write", "/p/src/user.ts", "", false, &["AIG001"]),
            ("Write", "/p/src/user.ts", "", true, &[]),
            ("Edit", "/p/src/user.ts", "", false, &[]),
            ("Write", "/p/src/user.test.ts", "", false, &[]),
            ("Write", "/p/src/index.ts", "", false, &[]),
            ("Write", "/p/vitest.config.ts", "", false, &[]),
            (
                "Write",
                "/p/src/main.rs",
                "// TODO: x\n// FIXME y\n",
                false,
                &["AIG002"],
            ),
            ("Write", "/p/src/main.rs", "// TODO: x\n", false, &[]),
            (
                "Write",
                "/p/src/main.rs",
                "todo app; fixme later",
                false,
                &[],
            ),
            ("Write", "/p/src/main.rs", "TODOS and FIXMEs", false, &[]),
            (
                "Write",
                "/p/a.md",
                "Lorem ipsum dolor. Mail admin@example.com",
                false,
                &["AIG002"],
            ),
            ("Write", "/p/package.json", "{}", false, &["AIG003"]),
            ("Edit", "/p/package.json", "{}", false, &[]),
            ("Write", "/p/a.md", &big, false, &["AIG004"]),
            ("Write", "/p/a.md", &fine, false, &[]),
        ];
        for (tool, path, content, test_exists, want) in cases {
            let out = decide(&call(tool, path, content), *test_exists);
            assert_eq!(ids(&out), *want, "{tool} {path} {content:.30}");
            assert!(out.findings.iter().all(|f| f.rule.is_guidance()));
        }
    }

    #[test]
    fn test_candidates_cover_colocated_and_dunder_tests() {
        let c = test_candidates("/p/src/user.ts");
        assert!(c.contains(&"/p/src/user.test.ts".to_string()));
        assert!(c.contains(&"/p/src/__tests__/user.spec.tsx".to_string()));
        assert_eq!(c.len(), 12);
    }

    #[test]
    fn findings_say_what_to_do_for_the_file() {
        let out = decide(&call("Write", "/p/src/user.ts", ""), false);
        assert_eq!(
            out.findings[0].describe(),
            "[AIG001] AI guardrail for user.ts: new source file has no test beside it: \
             add user.test.ts"
        );
    }

    #[test]
    fn tests_are_looked_up_in_the_world() {
        use agentops_core::MemoryWorld;
        use std::sync::Arc;
        let ctx = |world: MemoryWorld| Context {
            project_dir: "/p".into(),
            world: Arc::new(world),
            ..Context::default()
        };
        let write = call("Write", "/p/src/user.ts", "");
        let run = |world| AI_GUARDRAILS.evaluate(HookEvent::PostToolUse, &write, &ctx(world));
        assert_eq!(ids(&run(MemoryWorld::new())), ["AIG001"]);
        for test in ["/p/src/user.test.ts", "/p/src/__tests__/user.spec.tsx"] {
            assert!(
                ids(&run(MemoryWorld::new().file(test, "test()"))).is_empty(),
                "{test}"
            );
        }
        assert_eq!(
            ids(&run(MemoryWorld::new().dir("/p/src/user.test.ts"))),
            ["AIG001"],
            "a directory is not a test"
        );
    }

    #[test]
    fn enterprise_flag_switches_it() {
        use agentops_core::Flags;
        let off = Flags::from_pairs([("ai_workflows", json!(false))]);
        assert!(!AI_GUARDRAILS.enabled(&off));
        assert!(AI_GUARDRAILS.enabled(&Flags::default()));
    }
}
