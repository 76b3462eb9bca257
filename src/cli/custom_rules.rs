//! Custom rules at the command line: `agentops rules check [FILE]`, and
//! what `agentops rules`, `agentops rules <XID>` and `agentops doctor`
//! show of the project's and the user's rule files.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use agentops_core::{Context, Rule};
use agentops_effects::custom::{self, CustomRule, Problem};
use agentops_engine::Environment;
use agentops_policies::security::custom_rules::{
    self as policy, describe_problem, Origin, RuleFile,
};

/// The rule files of the current project and user, loaded (missing ones
/// left out).
pub fn load() -> Vec<RuleFile> {
    policy::load(&context())
}

fn context() -> Context {
    Environment::from_process().context(None).0
}

/// Every custom rule with its origin label (`project /p/.agentops/rules.toml`).
pub fn listed() -> Vec<(&'static Rule, String)> {
    let mut out = Vec::new();
    for file in load() {
        if let Ok(rules) = &file.rules {
            for r in rules {
                out.push((policy::as_static_rule(r, &file), origin_label(&file)));
            }
        }
    }
    out
}

/// `project /p/.agentops/rules.toml`.
pub fn origin_label(file: &RuleFile) -> String {
    format!("{} {}", file.origin.as_str(), file.path.display())
}

/// One line per rule file that does not load, for stderr.
pub fn load_warnings(files: &[RuleFile]) -> Vec<String> {
    files
        .iter()
        .filter_map(|f| {
            let problems = f.rules.as_ref().err()?;
            Some(format!(
                "agentops: {} has {} problem(s) and its rules are not applied; every Bash and file-tool call is denied until `agentops rules check` passes",
                f.path.display(),
                problems.len()
            ))
        })
        .collect()
}

/// The custom rule with this id (exact, case-insensitive) and its origin.
pub fn find(id: &str) -> Option<(&'static Rule, String)> {
    listed()
        .into_iter()
        .find(|(r, _)| r.id.eq_ignore_ascii_case(id))
}

/// A rule file's rules, or every problem with its line.
type Loaded = Result<Vec<CustomRule>, Vec<Problem>>;

/// `agentops rules check [FILE]`: every problem of the rule files (or of
/// FILE) with its line, and every example that does not behave; exit 1
/// when there is any, 0 when all is well.
pub fn check(file: Option<&Path>) -> ExitCode {
    let files: Vec<(String, PathBuf, Loaded)> = match file {
        Some(path) => vec![("file".to_string(), path.to_path_buf(), read_one(path))],
        None => load()
            .into_iter()
            .map(|f| (f.origin.as_str().to_string(), f.path, f.rules))
            .collect(),
    };
    if files.is_empty() {
        let ctx = context();
        let paths: Vec<String> = policy::rule_file_paths(&ctx)
            .iter()
            .map(|(_, p)| p.display().to_string())
            .collect();
        println!("no custom rule files ({})", paths.join(", "));
        return ExitCode::SUCCESS;
    }
    let mut failed = false;
    for (origin, path, rules) in files {
        match rules {
            Err(problems) => {
                failed = true;
                for p in &problems {
                    println!("{}", describe_problem(&path, p));
                }
            }
            Ok(rules) => {
                let mut failures = 0;
                for r in &rules {
                    for f in r.check_examples() {
                        failures += 1;
                        println!("{}:{}: {f}", path.display(), r.line);
                    }
                }
                if failures == 0 {
                    println!(
                        "{} ({origin}): {} rule(s), every example fires and passes as written",
                        path.display(),
                        rules.len()
                    );
                } else {
                    failed = true;
                }
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn read_one(path: &Path) -> Loaded {
    let problem = |message: String| vec![Problem { line: 1, message }];
    let bytes = std::fs::read(path).map_err(|e| problem(format!("cannot be read: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| problem(format!("not UTF-8 (byte {})", e.utf8_error().valid_up_to())))?;
    custom::parse(&text)
}

/// The context for `project` (rather than the current one).
fn context_for(project: &Path) -> Context {
    Environment {
        project_dir: Some(project.to_path_buf()),
        ..Environment::from_process()
    }
    .context(None)
    .0
}

/// The dashboard's custom-rules data for `project`: every rule with its
/// origin, file and verdict, and the files that do not load.
pub fn dashboard_panel(project: &Path) -> serde_json::Value {
    let mut rules = Vec::new();
    let mut invalid = Vec::new();
    for file in policy::load(&context_for(project)) {
        let path = file.path.display().to_string();
        match &file.rules {
            Ok(list) => rules.extend(list.iter().map(|r| {
                serde_json::json!({"id": r.id, "origin": file.origin.as_str(),
                                   "path": path, "verdict": r.verdict.as_str()})
            })),
            Err(problems) => invalid.push(serde_json::json!({
                "path": path, "origin": file.origin.as_str(),
                "problem": problems.first().map(|p| format!("line {}: {}", p.line, p.message)),
            })),
        }
    }
    serde_json::json!({"rules": rules, "invalid": invalid})
}

/// What `agentops doctor` says about the rule files of `project` and the
/// user: `(valid, line)` for each file that exists.
pub fn doctor_lines(project: &Path) -> Vec<(bool, String)> {
    let ctx = context_for(project);
    let files = policy::load(&ctx);
    let mut out = Vec::new();
    for (origin, path) in policy::rule_file_paths(&ctx) {
        let Some(file) = files.iter().find(|f| f.path == path) else {
            continue;
        };
        let who = match origin {
            Origin::Project => "project",
            Origin::User => "user",
        };
        out.push(match &file.rules {
            Ok(rules) => (
                true,
                format!(
                    "custom rules ({who}): {} rule(s) in {}",
                    rules.len(),
                    path.display()
                ),
            ),
            Err(problems) => (
                false,
                format!(
                    "custom rules ({who}): {} is invalid ({}); every Bash and file-tool call is denied until `agentops rules check` passes",
                    path.display(),
                    problems
                        .first()
                        .map(|p| format!("line {}: {}", p.line, p.message))
                        .unwrap_or_default()
                ),
            ),
        });
    }
    out
}
