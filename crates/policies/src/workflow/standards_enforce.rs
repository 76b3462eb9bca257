//! standards-enforce: after a write, give the agent the enterprise naming
//! and placement conventions the file breaks (component names in
//! PascalCase, other source files in kebab-case, test placement, import
//! order and export style). Guidance only; it never blocks a write.

use agentops_core::{
    Context, FileKind, Finding, FlagKind, HookEvent, HookInput, Outcome, Policy, Rule, Severity,
    Tool, ToolKind, ToolMatch,
};

use std::path::Path;

use agentops_workflow::session::{dir_name, file_name};

macro_rules! guidance {
    ($name:ident, $id:literal, $slug:literal, $reason:literal,
     why: $why:literal, fires: $fires:literal, passes: $passes:literal $(,)?) => {
        #[doc = concat!($id, ": ", $reason, ".")]
        pub static $name: Rule = Rule {
            id: $id,
            name: $slug,
            policy: "standards-enforce",
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
    COMPONENT_CASE,
    "STD001",
    "component-pascal-case",
    "component files in component folders use PascalCase names",
    why: "Component files named like the component they export (UserCard.tsx for UserCard) \
          are what the enterprise scaffold's imports, generators and reviewers expect; a \
          kebab-case component file is hard to find and drifts from its export's name.",
    fires: "PostToolUse Edit: /p/src/components/user-card.tsx <- export function UserCard() {}",
    passes: "PostToolUse Edit: /p/src/components/UserCard.tsx <- export function UserCard() {}",
);
guidance!(
    SOURCE_CASE,
    "STD002",
    "source-kebab-case",
    "non-component source files use kebab-case names",
    why: "Mixed-case module names break on case-insensitive file systems (macOS, Windows) \
          when an import's case differs from the file's, and make the same module look \
          different across the project; the enterprise scaffold names plain modules in \
          kebab-case.",
    fires: "PostToolUse Edit: /p/src/lib/userService.ts <- export const load = () => 1",
    passes: "PostToolUse Edit: /p/src/lib/user-service.ts <- export const load = () => 1",
);
guidance!(
    TEST_PLACEMENT,
    "STD003",
    "test-placement",
    "test files sit next to their source or in a __tests__ folder",
    why: "A test file with no source beside it and outside a test folder is usually in the \
          wrong place or tests a file that was renamed; runners and reviewers then miss it, \
          and the code it should cover looks untested.",
    fires: "PostToolUse Edit: /p/src/lib/parse.test.ts <- test('parses', () => {})",
    passes: "PostToolUse Edit: /p/src/lib/parse.test.ts <- test('parses', () => {}) | given /p/src/lib/parse.ts = export const parse = () => 1",
);
guidance!(
    IMPORT_ORDER,
    "STD004",
    "import-order",
    "imports are ordered: packages, then internal aliases (@/), then relative paths",
    why: "A fixed import order (packages, then @/ aliases, then relative paths) keeps \
          diffs small and makes a file's dependencies readable at a glance; a freshly written \
          file is the moment to get it right.",
    fires: "PostToolUse Write: /p/src/lib/util.ts <- import { a } from './a'",
    passes: "PostToolUse Edit: /p/src/lib/util.ts <- import { a } from './a'",
);
guidance!(
    NAMED_EXPORTS,
    "STD005",
    "named-component-exports",
    "components use named exports; default exports are for page and route components",
    why: "Named exports keep a component's name the same at every import, so renames and \
          searches find every use; default exports let each importer pick its own name. \
          Frameworks need default exports only for pages and routes.",
    fires: "PostToolUse Write: /p/src/components/Card.tsx <- export default function Card() {}",
    passes: "PostToolUse Write: /p/src/pages/About.tsx <- export default function About() {}",
);

static RULES: &[&Rule] = &[
    &COMPONENT_CASE,
    &SOURCE_CASE,
    &TEST_PLACEMENT,
    &IMPORT_ORDER,
    &NAMED_EXPORTS,
];

fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

fn extension(name: &str) -> &str {
    name.rsplit_once('.').map_or("", |(_, ext)| ext)
}

fn has_lower_then_upper(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

fn to_pascal(stem: &str) -> String {
    stem.split(['-', '_'])
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn to_kebab(stem: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in stem.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            out.push('-');
        }
        previous_lower = c.is_ascii_lowercase();
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Whether a folder of `dir` contains one of `words` (case-insensitive).
fn dir_mentions(dir: &str, words: &[&str]) -> bool {
    dir.split(['/', '\\']).any(|part| {
        let part = part.to_ascii_lowercase();
        words.iter().any(|w| part.contains(w))
    })
}

/// Whether a folder of `dir` is exactly one of `names`.
fn dir_is(dir: &str, names: &[&str]) -> bool {
    dir.split(['/', '\\']).any(|part| names.contains(&part))
}

/// The path relative to the project, so folder names above the project
/// (`/home/me/latest-app/...`) never count.
fn project_relative<'a>(path: &'a str, project: &Path) -> &'a str {
    let root = project.to_string_lossy();
    path.strip_prefix(root.as_ref())
        .filter(|rest| rest.starts_with(['/', '\\']))
        .map_or(path, |rest| &rest[1..])
}

/// The co-located source of a test file (`a.test.ts` -> `a.ts`).
pub fn colocated_source(path: &str) -> Option<String> {
    let name = file_name(path);
    for marker in [".test.", ".spec."] {
        if let Some(i) = name.find(marker) {
            let source = format!("{}.{}", &name[..i], &name[i + marker.len()..]);
            return Some(format!("{}/{source}", dir_name(path)));
        }
    }
    None
}

fn is_test_file(name: &str) -> bool {
    [".test.", ".spec."].iter().any(|m| name.contains(m))
        && matches!(extension(name), "ts" | "tsx" | "js" | "jsx")
}

/// Pure: the conventions a write breaks. `source_exists` says whether a
/// test file's co-located source exists.
pub fn decide(input: &HookInput, project: &Path, source_exists: bool) -> Outcome {
    let Some(path) = input.input_str("file_path").filter(|p| !p.is_empty()) else {
        return Outcome::none();
    };
    let path = project_relative(path, project);
    let is_write = input.tool() == Some(Tool::Write);
    let name = file_name(path);
    let dir = dir_name(path);
    let ext = extension(name);
    let base = stem(name);
    let mut notes: Vec<(&Rule, String)> = Vec::new();

    let special = name.starts_with("index.")
        || [".test.", ".spec.", ".stories.", ".config."]
            .iter()
            .any(|m| name.contains(m))
        || name.ends_with(".d.ts");
    if matches!(ext, "tsx" | "jsx" | "vue" | "svelte")
        && !special
        && base.starts_with(|c: char| c.is_ascii_lowercase())
        && !(base.starts_with("use-")
            || base
                .strip_prefix("use")
                .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_uppercase())))
        && dir_mentions(dir, &["component", "page", "layout", "view", "screen"])
    {
        notes.push((
            &COMPONENT_CASE,
            format!("rename '{base}' to '{}'", to_pascal(base)),
        ));
    }

    let plain_module = !(base == "index"
        || base == "env"
        || base == "next-env"
        || base.ends_with(".config")
        || base.ends_with(".d"));
    if matches!(ext, "ts" | "js" | "mjs" | "cjs") && plain_module && has_lower_then_upper(base) {
        notes.push((
            &SOURCE_CASE,
            format!("rename '{base}' to '{}'", to_kebab(base)),
        ));
    }

    if is_test_file(name)
        && !dir_is(dir, &["__tests__", "test", "tests", "spec", "specs"])
        && !source_exists
    {
        notes.push((&TEST_PLACEMENT, "no source file beside it".to_string()));
    }

    if is_write && matches!(ext, "ts" | "tsx" | "js" | "jsx" | "mjs") {
        notes.push((&IMPORT_ORDER, String::new()));
    }

    if is_write && matches!(ext, "tsx" | "jsx") && dir_mentions(dir, &["component", "ui", "widget"])
    {
        notes.push((&NAMED_EXPORTS, String::new()));
    }

    let findings = notes
        .into_iter()
        .map(|(rule, detail)| {
            let text = match detail.is_empty() {
                true => format!("enterprise standard for {name}: {}", rule.reason),
                false => format!("enterprise standard for {name}: {}: {detail}", rule.reason),
            };
            Finding::with_text(rule, text)
        })
        .collect();
    Outcome {
        findings,
        ..Outcome::default()
    }
}

/// The standards-enforce policy.
pub static STANDARDS_ENFORCE: Policy = Policy {
    name: "standards-enforce",
    summary:
        "Guides file naming, test placement, import order and exports after writes (never blocks)",
    events: &[HookEvent::PostToolUse],
    tools: ToolMatch::Only(&[ToolKind::Write, ToolKind::Edit, ToolKind::MultiEdit]),
    flag: Some(("enterprise_scaffold", FlagKind::Automation)),
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    let source_exists = input
        .input_str("file_path")
        .and_then(colocated_source)
        .is_some_and(|source| {
            ctx.world
                .metadata(Path::new(&source))
                .is_ok_and(|m| m.kind == FileKind::File)
        });
    decide(input, &ctx.project_dir, source_exists)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(tool: &str, path: &str) -> HookInput {
        HookInput {
            tool_name: Some(tool.into()),
            tool_input: Some(json!({"file_path": path, "content": ""})),
            ..HookInput::default()
        }
    }

    fn ids(out: &Outcome) -> Vec<&'static str> {
        assert!(out.context.is_empty(), "guidance is findings");
        out.findings.iter().map(|f| f.rule.id).collect()
    }

    fn text(out: &Outcome) -> String {
        out.findings
            .iter()
            .map(|f| f.describe())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn table() {
        let cases: &[(&str, &str, bool, &[&str])] = &[
            (
                "Edit",
                "/p/src/components/user-card.tsx",
                false,
                &["STD001"],
            ),
            ("Edit", "/p/src/components/UserCard.tsx", false, &[]),
            ("Edit", "/p/src/components/useThing.tsx", false, &[]),
            ("Edit", "/p/src/components/index.tsx", false, &[]),
            ("Edit", "/p/src/lib/user-card.tsx", false, &[]),
            ("Edit", "/p/src/pages/about.vue", false, &["STD001"]),
            ("Edit", "/p/src/lib/userService.ts", false, &["STD002"]),
            ("Edit", "/p/src/lib/user-service.ts", false, &[]),
            ("Edit", "/p/src/lib/API_KEYS.ts", false, &[]),
            ("Edit", "/p/vite.config.ts", false, &[]),
            ("Edit", "/p/src/lib/a.test.ts", false, &["STD003"]),
            ("Edit", "/p/src/lib/a.test.ts", true, &[]),
            ("Edit", "/p/src/__tests__/a.test.ts", false, &[]),
            ("Write", "/p/src/lib/util.ts", false, &["STD004"]),
            (
                "Write",
                "/p/src/components/Card.tsx",
                false,
                &["STD004", "STD005"],
            ),
            ("Write", "/p/src/lib/main.rs", false, &[]),
            ("Write", "/p/README.md", false, &[]),
            // Folder names above the project do not count.
            ("Edit", "/p/src/a.test.ts", false, &["STD003"]),
            ("Edit", "/p/latest/a.test.ts", false, &["STD003"]),
            ("Edit", "/p/tests/a.test.ts", false, &[]),
        ];
        for (tool, path, source_exists, want) in cases {
            let out = decide(&call(tool, path), Path::new("/p"), *source_exists);
            assert_eq!(ids(&out), *want, "{tool} {path}");
            assert!(
                out.findings.iter().all(|f| f.rule.is_guidance()),
                "guidance never gates"
            );
        }
    }

    #[test]
    fn suggestions_name_the_fixed_file() {
        let said = text(&decide(
            &call("Edit", "/p/components/user_card-item.jsx"),
            Path::new("/p"),
            false,
        ));
        assert_eq!(
            said,
            "[STD001] enterprise standard for user_card-item.jsx: component files in component \
             folders use PascalCase names: rename 'user_card-item' to 'UserCardItem'"
        );
        let said = text(&decide(
            &call("Edit", "/p/lib/fetchUserData.js"),
            Path::new("/p"),
            false,
        ));
        assert!(said.contains("'fetch-user-data'"), "{said}");
        assert_eq!(
            colocated_source("/p/a/b.spec.tsx").as_deref(),
            Some("/p/a/b.tsx")
        );
        assert_eq!(colocated_source("/p/a/b.tsx"), None);
    }

    #[test]
    fn a_source_beside_the_test_is_looked_up_in_the_world() {
        use agentops_core::MemoryWorld;
        use std::sync::Arc;
        let ctx = |world: MemoryWorld| Context {
            project_dir: "/p".into(),
            world: Arc::new(world),
            ..Context::default()
        };
        let test = call("Edit", "/p/src/lib/parse.test.ts");
        let run = |world| STANDARDS_ENFORCE.evaluate(HookEvent::PostToolUse, &test, &ctx(world));
        assert_eq!(ids(&run(MemoryWorld::new())), ["STD003"]);
        assert_eq!(
            ids(&run(MemoryWorld::new().file("/p/src/lib/parse.ts", "x"))),
            Vec::<&str>::new()
        );
        assert_eq!(
            ids(&run(MemoryWorld::new().dir("/p/src/lib/parse.ts"))),
            ["STD003"],
            "a directory is not a source file"
        );
    }

    #[test]
    fn enterprise_flag_switches_it() {
        use agentops_core::Flags;
        assert!(STANDARDS_ENFORCE.enabled(&Flags::default()));
        let off = Flags::from_pairs([("enterprise_scaffold", json!("false"))]);
        assert!(!STANDARDS_ENFORCE.enabled(&off));
    }
}
