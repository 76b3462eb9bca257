//! detect-test-run: after a successful Bash call that ran a test suite,
//! stamp `.agentops/tests-ran`. auto-test, auto-verify and compliance-gate
//! read the stamp. (A failing run arrives as PostToolUseFailure and does
//! not count.)
//!
//! Recognition works on the command's words, not on substrings: each
//! simple command of a pipeline or list is split off, wrappers (`sudo`,
//! `env X=1`, `timeout 60`, `bash -c '...'`, `uv run`, `bundle exec`,
//! `npx`) are peeled, and the program and its sub-command are matched. So
//! `echo "cargo test"` or `git commit -m "fix pytest"` do not count, and
//! `cd api && go test ./...` does.

use agentops_core::{Context, Effect, HookEvent, HookInput, Outcome, Policy, ToolKind, ToolMatch};

use agentops_workflow::session::{self, TESTS_RAN};

/// Split a command line into simple commands (on `;`, `&`, `|`, newlines
/// and parentheses outside quotes), each as a list of words with quotes
/// removed.
fn simple_commands(command: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == '\\' => {
                if let Some(next) = chars.next() {
                    word.push(next);
                }
            }
            Some(_) => word.push(c),
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    in_word = true;
                }
                '\\' => {
                    if let Some(next) = chars.next() {
                        word.push(next);
                        in_word = true;
                    }
                }
                ';' | '&' | '|' | '\n' | '(' | ')' | '`' => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                    if !words.is_empty() {
                        commands.push(std::mem::take(&mut words));
                    }
                }
                c if c.is_whitespace() => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                }
                c => {
                    word.push(c);
                    in_word = true;
                }
            },
        }
    }
    if in_word {
        words.push(word);
    }
    if !words.is_empty() {
        commands.push(words);
    }
    commands
}

fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// Drop leading assignments and wrappers that run the rest as a command.
fn peel(mut words: &[String]) -> &[String] {
    loop {
        let Some(first) = words.first() else {
            return words;
        };
        if is_assignment(first) {
            words = &words[1..];
            continue;
        }
        let skip_flags = |rest: &[String]| -> usize {
            rest.iter()
                .take_while(|w| w.starts_with('-') || is_assignment(w))
                .count()
        };
        match base(first) {
            "sudo" | "env" | "nice" | "nohup" | "command" | "exec" | "time" | "xvfb-run"
            | "stdbuf" | "caffeinate" => {
                words = &words[1..];
                words = &words[skip_flags(words)..];
            }
            "timeout" => {
                words = &words[1..];
                words = &words[skip_flags(words)..];
                // The duration.
                if !words.is_empty() {
                    words = &words[1..];
                }
            }
            _ => return words,
        }
    }
}

/// Sub-command: the first argument that is not an option or a toolchain.
fn subcommand(args: &[String]) -> Option<&str> {
    args.iter()
        .map(String::as_str)
        .find(|a| !a.starts_with('-') && !a.starts_with('+'))
}

const JS_TEST_TOOLS: &[&str] = &[
    "jest", "vitest", "mocha", "ava", "jasmine", "karma", "tap", "tape", "uvu", "c8", "nyc",
];

fn js_script_is_test(script: &str) -> bool {
    script == "t" || script == "tst" || script.starts_with("test") || script.ends_with(":test")
}

fn python_module_is_test(args: &[String]) -> bool {
    args.windows(2).any(|w| {
        w[0] == "-m"
            && matches!(
                w[1].as_str(),
                "pytest" | "unittest" | "nose2" | "tox" | "nox"
            )
    })
}

fn is_test_script_path(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    lower.contains('/') && lower.contains("test") && !lower.ends_with(".md")
}

/// The test runner family a command runs, if any.
pub fn test_runner(command: &str) -> Option<&'static str> {
    simple_commands(command)
        .iter()
        .find_map(|words| runner_of(peel(words), 0))
}

fn runner_of(words: &[String], depth: usize) -> Option<&'static str> {
    if depth > 4 {
        return None;
    }
    let (first, args) = words.split_first()?;
    let prog = base(first);
    let sub = subcommand(args);
    let has = |name: &str| args.iter().any(|a| a == name);
    let rerun = |rest: &[String]| runner_of(peel(rest), depth + 1);
    match prog {
        "cargo" => match sub? {
            "test" | "t" | "nextest" | "llvm-cov" | "tarpaulin" => Some("rust"),
            "insta" if has("test") => Some("rust"),
            _ => None,
        },
        "npm" | "pnpm" | "yarn" | "bun" => {
            let sub = sub?;
            let position = args.iter().position(|a| a == sub).unwrap_or(0);
            let rest = &args[position + 1..];
            match sub {
                "test" | "t" | "tst" => Some("javascript"),
                "run" | "run-script" => subcommand(rest)
                    .filter(|s| js_script_is_test(s))
                    .map(|_| "javascript"),
                "exec" | "dlx" | "x" => rerun(rest),
                s if prog != "npm" && (JS_TEST_TOOLS.contains(&s) || js_script_is_test(s)) => {
                    Some("javascript")
                }
                _ => None,
            }
        }
        "npx" | "pnpx" | "bunx" => {
            let rest: Vec<String> = args
                .iter()
                .skip_while(|a| a.starts_with('-'))
                .cloned()
                .collect();
            rerun(&rest)
        }
        p if JS_TEST_TOOLS.contains(&p) => Some("javascript"),
        "playwright" if sub == Some("test") => Some("javascript"),
        "cypress" if sub == Some("run") => Some("javascript"),
        "node" | "tsx" if has("--test") => Some("javascript"),
        "deno" if sub == Some("test") => Some("javascript"),
        "nx" | "turbo" | "lerna" if args.iter().any(|a| js_script_is_test(a)) => Some("javascript"),
        "pytest" | "py.test" | "tox" | "nox" | "nose2" => Some("python"),
        p if p.starts_with("python") && python_module_is_test(args) => Some("python"),
        "coverage"
            if sub == Some("run")
                && (python_module_is_test(args) || args.iter().any(|a| base(a) == "pytest")) =>
        {
            Some("python")
        }
        "hatch" if sub == Some("test") => Some("python"),
        "uv" | "poetry" | "pipenv" | "pdm" | "hatch" | "rye" if sub == Some("run") => {
            let position = args.iter().position(|a| a == "run").unwrap_or(0);
            rerun(&args[position + 1..])
        }
        "go" if sub == Some("test") => Some("go"),
        "gotestsum" | "ginkgo" => Some("go"),
        "mvn" | "mvnw" => args
            .iter()
            .any(|a| {
                matches!(
                    a.as_str(),
                    "test" | "verify" | "integration-test" | "surefire:test"
                )
            })
            .then_some("jvm"),
        "gradle" | "gradlew" => args
            .iter()
            .any(|a| {
                let task = a.rsplit(':').next().unwrap_or(a);
                matches!(task, "test" | "check" | "connectedCheck")
                    || (task.starts_with("test") && task.ends_with("Test"))
            })
            .then_some("jvm"),
        "sbt" => args
            .iter()
            .any(|a| a == "test" || a.starts_with("testOnly") || a.starts_with("testQuick"))
            .then_some("jvm"),
        "lein" | "bazel" | "bazelisk" | "buck2" if sub == Some("test") => Some("jvm"),
        "dotnet" if matches!(sub, Some("test" | "vstest")) => Some("dotnet"),
        "rspec" | "cucumber" => Some("ruby"),
        "bundle" if sub == Some("exec") => {
            let position = args.iter().position(|a| a == "exec").unwrap_or(0);
            rerun(&args[position + 1..])
        }
        "rake"
            if matches!(sub, Some("test" | "spec"))
                || args
                    .iter()
                    .any(|a| a.starts_with("test:") || a.starts_with("spec:")) =>
        {
            Some("ruby")
        }
        "rails" if sub == Some("test") => Some("ruby"),
        "phpunit" | "pest" | "paratest" => Some("php"),
        "artisan" if sub == Some("test") => Some("php"),
        "php" => {
            let script = sub?;
            match base(script) {
                "artisan" if args.iter().any(|a| a == "test") => Some("php"),
                "phpunit" | "pest" | "paratest" => Some("php"),
                _ => None,
            }
        }
        "composer" if matches!(sub, Some("test" | "tests")) => Some("php"),
        "codecept" | "codeception" if sub == Some("run") => Some("php"),
        "mix" if sub == Some("test") => Some("elixir"),
        "bats" | "shellspec" | "shunit2" => Some("shell"),
        "bash" | "sh" | "zsh" | "dash" | "ksh" => {
            if let Some(i) = args.iter().position(|a| a == "-c") {
                let script = args.get(i + 1)?;
                return simple_commands(script)
                    .iter()
                    .find_map(|w| runner_of(peel(w), depth + 1));
            }
            args.iter()
                .find(|a| !a.starts_with('-'))
                .filter(|script| script.to_ascii_lowercase().contains("test"))
                .map(|_| "shell")
        }
        "make" | "gmake" | "just" | "task" => args
            .iter()
            .any(|a| {
                matches!(
                    a.as_str(),
                    "test" | "tests" | "check" | "unit-test" | "unittest"
                ) || a.starts_with("test-")
            })
            .then_some("make"),
        "ctest" => Some("c"),
        "meson" | "ninja" if sub == Some("test") => Some("c"),
        "swift" if sub == Some("test") => Some("swift"),
        "zig" if sub == Some("build") && has("test") => Some("zig"),
        "flutter" | "dart" if sub == Some("test") => Some("dart"),
        "stack" | "cabal" if sub == Some("test") => Some("haskell"),
        "dune" if matches!(sub, Some("test" | "runtest")) => Some("ocaml"),
        _ if first.contains('/') && is_test_script_path(first) => Some("shell"),
        _ => None,
    }
}

/// Pure: stamp the test run when the command ran tests.
pub fn decide(input: &HookInput, now: u64) -> Outcome {
    let Some(command) = input.command() else {
        return Outcome::none();
    };
    if test_runner(command).is_none() {
        return Outcome::none();
    }
    Outcome {
        effects: vec![Effect::WriteState {
            name: TESTS_RAN,
            contents: format!("{}\n", session::iso_utc(now)).into_bytes(),
        }],
        ..Outcome::default()
    }
}

/// The detect-test-run policy.
pub static DETECT_TEST_RUN: Policy = Policy {
    name: "detect-test-run",
    summary: "Records when a Bash call ran a test suite (Rust, JS/TS, Python, Go, JVM, .NET, Ruby, PHP, Elixir, shell, ...)",
    events: &[HookEvent::PostToolUse],
    tools: ToolMatch::Only(&[ToolKind::Bash]),
    flag: None,
    rules: &[],
    evaluate,
};

fn evaluate(_event: HookEvent, input: &HookInput, ctx: &Context) -> Outcome {
    decide(input, session::now_secs(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_test_runners() {
        let cases: &[(&str, &str)] = &[
            ("cargo test", "rust"),
            ("cargo test -p agentops-core -- --nocapture", "rust"),
            ("cargo +nightly test", "rust"),
            ("cargo nextest run", "rust"),
            ("cargo insta test --review", "rust"),
            ("RUST_BACKTRACE=1 cargo t", "rust"),
            ("npm test", "javascript"),
            ("npm run test:unit", "javascript"),
            ("npm run-script test", "javascript"),
            ("yarn test --watch=false", "javascript"),
            ("yarn jest src/", "javascript"),
            ("pnpm vitest run", "javascript"),
            ("pnpm exec playwright test", "javascript"),
            ("bun test", "javascript"),
            ("npx jest --coverage", "javascript"),
            ("npx --yes vitest run", "javascript"),
            ("npx playwright test", "javascript"),
            ("npx cypress run", "javascript"),
            ("node --test test/", "javascript"),
            ("deno test -A", "javascript"),
            ("./node_modules/.bin/mocha", "javascript"),
            ("nx run-many -t test", "javascript"),
            ("pytest -q tests/", "python"),
            ("python -m pytest", "python"),
            ("python3 -m unittest discover", "python"),
            ("python3.12 -m pytest -x", "python"),
            ("uv run pytest", "python"),
            ("poetry run python -m pytest", "python"),
            ("tox -e py311", "python"),
            ("coverage run -m pytest", "python"),
            ("hatch test", "python"),
            ("go test ./...", "go"),
            ("cd api && go test -race ./...", "go"),
            ("gotestsum -- ./...", "go"),
            ("mvn test", "jvm"),
            ("./mvnw -q verify", "jvm"),
            ("gradle test", "jvm"),
            ("./gradlew :app:test --info", "jvm"),
            ("./gradlew testDebugUnitTest", "jvm"),
            ("./gradlew check", "jvm"),
            ("sbt test", "jvm"),
            ("sbt \"testOnly *Spec\"", "jvm"),
            ("dotnet test MySolution.sln", "dotnet"),
            ("bundle exec rspec spec/models", "ruby"),
            ("rspec", "ruby"),
            ("bundle exec rake test", "ruby"),
            ("bin/rails test", "ruby"),
            ("vendor/bin/phpunit", "php"),
            ("./vendor/bin/pest --parallel", "php"),
            ("php artisan test", "php"),
            ("php vendor/bin/phpunit", "php"),
            ("composer test", "php"),
            ("mix test", "elixir"),
            ("MIX_ENV=test mix test --cover", "elixir"),
            ("bats tests/", "shell"),
            ("bash tests/run.sh", "shell"),
            ("./test.sh", "shell"),
            ("./scripts/run-tests.sh", "shell"),
            ("shellspec", "shell"),
            ("make test", "make"),
            ("make -j4 check", "make"),
            ("just test", "make"),
            ("ctest --output-on-failure", "c"),
            ("swift test", "swift"),
            ("zig build test", "zig"),
            ("flutter test", "dart"),
            ("sudo -E timeout 300 cargo test", "rust"),
            ("env CI=1 npm test", "javascript"),
            ("time go test ./...", "go"),
            ("bash -c 'cd x && pytest'", "python"),
            ("cargo build && cargo test", "rust"),
            ("cargo test 2>&1 | tail -20", "rust"),
            ("(cd web; npm test)", "javascript"),
        ];
        for (command, family) in cases {
            assert_eq!(test_runner(command), Some(*family), "{command}");
        }
    }

    #[test]
    fn ignores_commands_that_only_mention_tests() {
        for command in [
            "echo cargo test",
            "echo 'run pytest later'",
            "git commit -m \"fix: make cargo test pass\"",
            "cargo build --release",
            "cargo check",
            "npm install",
            "npm run build",
            "yarn add jest",
            "pip install pytest",
            "go build ./...",
            "go vet ./...",
            "mvn package -DskipTests",
            "gradle build",
            "dotnet build",
            "bundle install",
            "composer install",
            "vendor/bin/phpstan analyse",
            "vendor/bin/pint",
            "mix compile",
            "make",
            "make build",
            "cat tests/README.md",
            "grep -r test src/",
            "ls tests/",
            "python manage.py runserver",
            "bash deploy.sh",
            "",
        ] {
            assert_eq!(test_runner(command), None, "{command}");
        }
    }

    #[test]
    fn stamps_the_marker_only_for_test_runs() {
        let input = |command: &str| HookInput {
            tool_name: Some("Bash".into()),
            tool_input: Some(serde_json::json!({ "command": command })),
            ..HookInput::default()
        };
        assert_eq!(
            decide(&input("cargo test"), 0).effects,
            [Effect::WriteState {
                name: TESTS_RAN,
                contents: b"1970-01-01T00:00:00Z\n".to_vec()
            }]
        );
        assert!(decide(&input("cargo build"), 0).is_empty());
        assert!(decide(&HookInput::default(), 0).is_empty());
    }
}
