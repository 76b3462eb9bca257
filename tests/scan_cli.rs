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
    assert_eq!(code, 2);
}
