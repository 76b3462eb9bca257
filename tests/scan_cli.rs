//! `agentops scan`: exit codes, JSON shape and `--fix`, through the binary.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_agentops");

fn scan(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN)
        .arg("scan")
        .args(args)
        .arg(dir)
        .output()
        .expect("run agentops");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout.trim()).expect("stdout is JSON")
}

#[test]
fn clean_project_exits_zero_and_findings_exit_one() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    fs::write(root.join("README.md"), "# hello 👋\n").expect("write");
    for what in ["unicode", "lockfiles", "integrity", "supply-chain"] {
        let (code, _) = scan(root, &[what]);
        assert_eq!(code, 0, "{what} on a clean project");
    }

    fs::write(root.join("evil.py"), "x = 1\u{200B}\n").expect("write");
    fs::write(
        root.join("package-lock.json"),
        r#"{"packages":{"node_modules/a":{"resolved":"http://registry.npmjs.org/a/-/a-1.0.0.tgz","integrity":"md5-x"}}}"#,
    )
    .expect("write");
    let (code, out) = scan(root, &["supply-chain", "--json"]);
    assert_eq!(code, 1, "{out}");
    let report = json(&out);
    assert_eq!(report["findings"], true);
    let ids: Vec<&str> = report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, ["LOCK003", "LOCK007", "U+200B"]);
    assert_eq!(report["unicode"]["files"][0]["path"], "evil.py");
    assert_eq!(report["unicode"]["files"][0]["findings"][0]["line"], 1);
    assert_eq!(report["unicode"]["files"][0]["findings"][0]["column"], 6);
}

#[test]
fn fix_strips_and_leaves_a_clean_tree() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    let file = root.join("run.sh");
    fs::write(&file, "echo \u{202E}cod.exe\n").expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&file, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let (code, out) = scan(root, &["unicode", "--fix"]);
    assert_eq!(code, 0, "everything found was fixed: {out}");
    assert!(
        out.contains("fixed run.sh: removed 1 code point(s), re-scan clean"),
        "{out}"
    );
    assert_eq!(fs::read_to_string(&file).expect("read"), "echo cod.exe\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&file).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o755, "permissions kept");
    }
    let (code, _) = scan(root, &["unicode"]);
    assert_eq!(code, 0);
}

#[test]
fn a_missing_directory_is_a_usage_error() {
    let (code, _) = scan(Path::new("/nonexistent/agentops/project"), &["lockfiles"]);
    assert_eq!(code, 64);
}

fn findings_by_line(report: &Value) -> Vec<u64> {
    report["files"]
        .as_array()
        .expect("files")
        .iter()
        .flat_map(|f| f["findings"].as_array().expect("findings").iter())
        .filter_map(|f| f["line"].as_u64())
        .collect()
}

fn suppressed(report: &Value) -> Vec<(u64, String)> {
    report["suppressed"]
        .as_array()
        .expect("suppressed")
        .iter()
        .map(|s| {
            (
                s["finding"]["line"].as_u64().expect("line"),
                s["reason"].as_str().expect("reason").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_single_file_can_be_scanned() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    fs::write(root.join("evil.py"), "x = 1\u{200B}\n").expect("write");
    fs::write(root.join("clean.py"), "x = 1\n").expect("write");
    // Named explicitly, a file the tree scan leaves to the lockfile audit is scanned.
    fs::write(root.join("yarn.lock"), "a\u{202E}b\n").expect("write");

    let (code, out) = scan(&root.join("evil.py"), &["unicode", "--json"]);
    assert_eq!(code, 1, "{out}");
    let report = json(&out);
    assert_eq!(report["files_scanned"], 1);
    assert_eq!(report["files"][0]["path"], "evil.py");
    assert_eq!(findings_by_line(&report), [1]);

    let (code, out) = scan(&root.join("clean.py"), &["unicode"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 file(s) scanned"), "{out}");

    let (code, out) = scan(&root.join("yarn.lock"), &["unicode", "--json"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(json(&out)["files"][0]["path"], "yarn.lock");

    let (code, _) = scan(&root.join("evil.py"), &["lockfiles"]);
    assert_eq!(code, 64, "only the unicode scan takes a file");
}

#[test]
fn a_baselined_finding_is_not_reported_and_a_new_one_is() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    fs::create_dir(root.join("src")).expect("mkdir");
    let file = root.join("src/seed.txt");
    fs::write(&file, "ok\nknown \u{202E} one\nok\n").expect("write");

    let (code, out) = scan(root, &["unicode", "--write-baseline"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 known finding(s)"), "{out}");
    let baseline: Value = serde_json::from_str(
        &fs::read_to_string(root.join(".agentops-scan-baseline.json")).expect("baseline"),
    )
    .expect("baseline is JSON");
    assert_eq!(baseline["unicode"][0]["path"], "src/seed.txt");
    assert_eq!(baseline["unicode"][0]["code_points"], "U+202E");

    let (code, out) = scan(root, &["unicode", "--json"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(suppressed(&json(&out)), [(2, "baseline".to_string())]);

    // Moved down a line it is still known; a new finding in the same file is not.
    fs::write(
        &file,
        "new first line\nok\nknown \u{202E} one\nok\nnew \u{200B} one\n",
    )
    .expect("write");
    let (code, out) = scan(root, &["unicode", "--json"]);
    assert_eq!(code, 1, "{out}");
    let report = json(&out);
    assert_eq!(findings_by_line(&report), [5]);
    assert_eq!(suppressed(&report), [(3, "baseline".to_string())]);
    // So is the known one once its line is edited.
    fs::write(&file, "ok\nknown \u{202E} one, edited\n").expect("write");
    let (code, out) = scan(root, &["unicode", "--json"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(findings_by_line(&json(&out)), [2]);

    // A single file finds the baseline at the root above it.
    fs::write(&file, "ok\nknown \u{202E} one\n").expect("write");
    let (code, out) = scan(&file, &["unicode"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("1 known from .agentops-scan-baseline.json"),
        "{out}"
    );
    let (code, _) = scan(&file, &["unicode", "--no-baseline"]);
    assert_eq!(code, 1);

    // A broken baseline hides nothing.
    fs::write(
        root.join(".agentops-scan-baseline.json"),
        "{\"unicode\": 3}",
    )
    .expect("write");
    let (code, out) = scan(root, &["unicode", "--json"]);
    assert_eq!(code, 1, "{out}");
    let report = json(&out);
    assert_eq!(findings_by_line(&report), [2]);
    assert!(
        report["problems"][0]
            .as_str()
            .is_some_and(|p| p.contains("every finding is reported")),
        "{report}"
    );
}

#[test]
fn an_allow_comment_covers_only_its_line_and_the_next() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    let file = root.join("table.rs");
    fs::write(
        &file,
        "let a = \"\u{200B}\";\n\
         // agentops: allow-unicode\n\
         let b = \"\u{200B}\";\n\
         let c = \"\u{200B}\";\n\
         let d = \"\u{200B}\"; // agentops: allow-unicode\n",
    )
    .expect("write");
    let (code, out) = scan(root, &["unicode", "--json"]);
    assert_eq!(code, 1, "{out}");
    let report = json(&out);
    assert_eq!(findings_by_line(&report), [1, 4]);
    assert_eq!(
        suppressed(&report),
        [
            (3, "allow-comment".to_string()),
            (5, "allow-comment".to_string())
        ]
    );

    // --fix strips what is reported and leaves what is allowed.
    let (code, out) = scan(root, &["unicode", "--fix"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        fs::read_to_string(&file).expect("read"),
        "let a = \"\";\n\
         // agentops: allow-unicode\n\
         let b = \"\u{200B}\";\n\
         let c = \"\";\n\
         let d = \"\u{200B}\"; // agentops: allow-unicode\n"
    );
}

#[test]
fn the_repository_scans_clean() {
    let (code, out) = scan(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["unicode", "--no-cache"],
    );
    assert_eq!(code, 0, "{out}");
}
