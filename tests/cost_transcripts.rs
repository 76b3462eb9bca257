//! `agentops cost daily|session|model`: past sessions read from Claude
//! Code's transcript directory, through the binary, against totals worked
//! out by hand below.
//!
//! The fixture (one project, prices per million tokens from the built-in
//! table: sonnet 3 / 15 / 3.75 (5-minute write) / 6 (1-hour write) / 0.30
//! (read); opus-4.5 5 / 25 / - / - / 0.50; haiku-4.5 1 / 5):
//!
//! - `s1.jsonl` (main transcript):
//!   - `msg_a`/`req_a`, sonnet, 2025-06-01, written three times while it
//!     streamed (output 10, then 500, then 500 again): input 1000, output
//!     500, cache writes 1000 (5m) + 1000 (1h), cache reads 10000. Cost
//!     3000 + 7500 + 3750 + 6000 + 3000 = 23250 µ$.
//!   - `msg_b`/`req_b`, opus-4.5, 2025-06-02: input 100, output 1000,
//!     reads 50000. Cost 500 + 25000 + 25000 = 50500 µ$.
//!   - an API-error line (`<synthetic>`) and a line without a timestamp:
//!     not counted.
//! - `s1/subagents/agent-1.jsonl`: `msg_c`/`req_c`, haiku-4.5, 2025-06-01,
//!   written twice: input 2000, output 300. Cost 2000 + 1500 = 3500 µ$.
//! - `s2.jsonl` (a resumed session):
//!   - `msg_b`/`req_b` copied from s1: already counted for s1.
//!   - `msg_d` without a request id, sonnet, 2025-06-02, twice: input 10,
//!     output 20, counted once. Cost 30 + 300 = 330 µ$.
//!   - a sonnet response without a message id, 2025-06-02, on two lines:
//!     ccusage counts each such line, so input 2 x 7, output 2 x 3. Cost
//!     2 x (21 + 45) = 132 µ$.
//!
//! Per day: 2025-06-01 = msg_a + msg_c = 26750 µ$ (2 responses);
//! 2025-06-02 = msg_b + msg_d + 2 x no-id = 50962 µ$ (4 responses).
//! Per session: s1 = 23250 + 50500 + 3500 = 77250 µ$; s2 = 462 µ$.
//! Per model: opus 50500, sonnet 23250 + 330 + 132 = 23712, haiku 3500.
//! Total 77712 µ$, tokens 3124 input + 1826 output + 2000 cache writes +
//! 60000 cache reads = 66950.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{run, Output};
use serde_json::{json, Value};

const SONNET: &str = "claude-sonnet-4-5-20250929";
const OPUS: &str = "claude-opus-4-5-20251101";
const HAIKU: &str = "claude-haiku-4-5-20251001";

#[allow(clippy::too_many_arguments)]
fn assistant(
    id: Option<&str>,
    request: Option<&str>,
    model: &str,
    ts: Option<&str>,
    input: u64,
    output: u64,
    cache: (u64, u64),
    read: u64,
) -> String {
    let mut message = json!({"role": "assistant", "model": model,
        "content": [{"type": "text", "text": "ok"}],
        "usage": {"input_tokens": input, "output_tokens": output,
                  "cache_creation_input_tokens": cache.0 + cache.1,
                  "cache_read_input_tokens": read,
                  "cache_creation": {"ephemeral_5m_input_tokens": cache.0,
                                     "ephemeral_1h_input_tokens": cache.1}}});
    if let Some(id) = id {
        message["id"] = json!(id);
    }
    let mut line = json!({"type": "assistant", "sessionId": "x", "message": message});
    if let Some(r) = request {
        line["requestId"] = json!(r);
    }
    if let Some(ts) = ts {
        line["timestamp"] = json!(ts);
    }
    line.to_string()
}

fn write(path: &Path, lines: &[String]) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, lines.join("\n") + "\n").expect("write");
}

/// The fixture above under `root/<project>/`.
fn fixture(root: &Path, project: &str) {
    let dir = root.join(project);
    let a = |out| {
        assistant(
            Some("msg_a"),
            Some("req_a"),
            SONNET,
            Some("2025-06-01T10:00:00.000Z"),
            1000,
            out,
            (1000, 1000),
            10000,
        )
    };
    let b = assistant(
        Some("msg_b"),
        Some("req_b"),
        OPUS,
        Some("2025-06-02T09:00:00.000Z"),
        100,
        1000,
        (0, 0),
        50000,
    );
    write(
        &dir.join("s1.jsonl"),
        &[
            json!({"type": "user", "timestamp": "2025-06-01T09:59:00.000Z",
                   "message": {"role": "user", "content": "count the usage"}})
            .to_string(),
            a(10),
            a(500),
            a(500),
            b.clone(),
            json!({"type": "assistant", "isApiErrorMessage": true,
                   "timestamp": "2025-06-02T09:01:00.000Z",
                   "message": {"id": "msg_err", "model": "<synthetic>",
                               "usage": {"input_tokens": 0, "output_tokens": 0}}})
            .to_string(),
            assistant(
                Some("msg_nots"),
                Some("req_nots"),
                SONNET,
                None,
                999,
                999,
                (0, 0),
                0,
            ),
        ],
    );
    let c = assistant(
        Some("msg_c"),
        Some("req_c"),
        HAIKU,
        Some("2025-06-01T11:00:00.000Z"),
        2000,
        300,
        (0, 0),
        0,
    );
    write(&dir.join("s1/subagents/agent-1.jsonl"), &[c.clone(), c]);
    let d = assistant(
        Some("msg_d"),
        None,
        SONNET,
        Some("2025-06-02T12:00:00.000Z"),
        10,
        20,
        (0, 0),
        0,
    );
    let anonymous = assistant(
        None,
        None,
        SONNET,
        Some("2025-06-02T12:30:00.000Z"),
        7,
        3,
        (0, 0),
        0,
    );
    write(
        &dir.join("s2.jsonl"),
        &[b, d.clone(), d, anonymous.clone(), anonymous],
    );
}

fn cost(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut argv = vec!["cost"];
    argv.extend_from_slice(args);
    run(&argv, b"", cwd, env)
}

fn report(out: &Output) -> Value {
    assert_eq!(
        out.code, 0,
        "stdout: {}\nstderr: {}",
        out.stdout, out.stderr
    );
    out.json().expect("a JSON report")
}

fn keys(report: &Value) -> Vec<String> {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["key"].as_str().expect("key").to_string())
        .collect()
}

fn row<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key} in {report}"))
}

struct Setup {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    cwd: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("projects");
    fixture(&root, "-home-me-app");
    let cwd = tmp.path().join("cwd");
    fs::create_dir_all(&cwd).expect("mkdir");
    Setup {
        root,
        cwd,
        _tmp: tmp,
    }
}

#[test]
fn daily_totals_match_the_hand_computed_numbers() {
    let s = setup();
    let root = s.root.to_str().expect("utf8");
    let r = report(&cost(
        &["daily", "--json", "--transcripts", root],
        &s.cwd,
        &[],
    ));
    assert_eq!(r["source"], "transcripts");
    assert_eq!(r["files"], 3);
    assert_eq!(keys(&r), ["2025-06-01", "2025-06-02"]);
    let first = row(&r, "2025-06-01");
    assert_eq!(first["responses"], 2);
    assert_eq!(first["input_tokens"], 3000);
    assert_eq!(
        first["output_tokens"], 800,
        "the streamed response counts its final 500"
    );
    assert_eq!(first["cache_write_tokens"], 2000);
    assert_eq!(first["cache_write_1h_tokens"], 1000);
    assert_eq!(first["cache_read_tokens"], 10000);
    assert_eq!(first["total_tokens"], 15800);
    assert_eq!(first["usd"], "0.02675");
    let models: Vec<&str> = first["models"]
        .as_array()
        .expect("models")
        .iter()
        .filter_map(|m| m["key"].as_str())
        .collect();
    assert_eq!(models, [SONNET, HAIKU]);
    let second = row(&r, "2025-06-02");
    assert_eq!(second["responses"], 4);
    assert_eq!(second["input_tokens"], 124);
    assert_eq!(second["output_tokens"], 1026);
    assert_eq!(second["cache_read_tokens"], 50000);
    assert_eq!(second["usd"], "0.050962");
    let t = &r["totals"];
    assert_eq!(t["responses"], 6);
    assert_eq!(t["input_tokens"], 3124);
    assert_eq!(t["output_tokens"], 1826);
    assert_eq!(t["cache_write_tokens"], 2000);
    assert_eq!(t["cache_read_tokens"], 60000);
    assert_eq!(t["total_tokens"], 66950);
    assert_eq!(t["usd"], "0.077712");
    assert_eq!(r["unpriced_models"], json!([]));

    let table = cost(&["daily", "--transcripts", root], &s.cwd, &[]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(table.stdout.contains("2025-06-01"), "{}", table.stdout);
    let total = table
        .stdout
        .lines()
        .find(|l| l.starts_with("TOTAL"))
        .expect("a total line");
    assert!(
        total.contains("66950") || total.contains("0.0777"),
        "{total}"
    );
}

/// With `--first-line`, a response written several times counts its first
/// line, as ccusage counts it: `msg_a`'s output is 10, not 500, so 490
/// output tokens (7,350 µ$ at sonnet's 15 per million) fewer than the
/// default, and every other number the same.
#[test]
fn first_line_gives_ccusage_totals() {
    let s = setup();
    let root = s.root.to_str().expect("utf8");
    let r = report(&cost(
        &["daily", "--json", "--first-line", "--transcripts", root],
        &s.cwd,
        &[],
    ));
    let first = row(&r, "2025-06-01");
    assert_eq!(first["output_tokens"], 310);
    assert_eq!(first["usd"], "0.0194");
    let t = &r["totals"];
    assert_eq!(t["responses"], 6);
    assert_eq!(t["input_tokens"], 3124);
    assert_eq!(t["output_tokens"], 1336);
    assert_eq!(t["total_tokens"], 66460);
    assert_eq!(t["usd"], "0.070362");
}

#[test]
fn sessions_include_their_subagents_and_models_are_ranked_by_cost() {
    let s = setup();
    let root = s.root.to_str().expect("utf8");
    let r = report(&cost(
        &["session", "--json", "--transcripts", root],
        &s.cwd,
        &[],
    ));
    assert_eq!(keys(&r), ["s1", "s2"]);
    let s1 = row(&r, "s1");
    assert_eq!(s1["responses"], 3, "main transcript and its subagent");
    assert_eq!(s1["usd"], "0.07725");
    assert_eq!(s1["project"], "-home-me-app");
    assert_eq!(s1["last_day"], "2025-06-02");
    let s2 = row(&r, "s2");
    assert_eq!(s2["responses"], 3, "the copied msg_b is not counted again");
    assert_eq!(s2["usd"], "0.000462");
    assert_eq!(r["totals"]["usd"], "0.077712");

    let r = report(&cost(
        &["model", "--json", "--transcripts", root],
        &s.cwd,
        &[],
    ));
    assert_eq!(keys(&r), [OPUS, SONNET, HAIKU]);
    assert_eq!(row(&r, OPUS)["usd"], "0.0505");
    assert_eq!(row(&r, SONNET)["usd"], "0.023712");
    assert_eq!(row(&r, SONNET)["responses"], 4);
    assert_eq!(row(&r, HAIKU)["usd"], "0.0035");
}

#[test]
fn since_and_until_keep_whole_days() {
    let s = setup();
    let root = s.root.to_str().expect("utf8");
    let r = report(&cost(
        &[
            "daily",
            "--json",
            "--since",
            "2025-06-02",
            "--transcripts",
            root,
        ],
        &s.cwd,
        &[],
    ));
    assert_eq!(keys(&r), ["2025-06-02"]);
    assert_eq!(r["totals"]["usd"], "0.050962");
    let r = report(&cost(
        &[
            "session",
            "--json",
            "--until",
            "2025-06-01",
            "--transcripts",
            root,
        ],
        &s.cwd,
        &[],
    ));
    assert_eq!(keys(&r), ["s1"]);
    assert_eq!(r["totals"]["usd"], "0.02675");
    let r = report(&cost(
        &[
            "daily",
            "--json",
            "--since",
            "2025-07-01",
            "--transcripts",
            root,
        ],
        &s.cwd,
        &[],
    ));
    assert_eq!(r["rows"], json!([]));
    assert_eq!(r["totals"]["usd"], "0.00");

    for bad in [
        &["daily", "--since", "2025-6-1"][..],
        &["daily", "--until", "yesterday"],
        &["daily", "--since", "2025-13-01"],
        &["daily", "--since", "2025-06-03", "--until", "2025-06-01"],
    ] {
        let mut args = bad.to_vec();
        args.extend(["--transcripts", root]);
        let out = cost(&args, &s.cwd, &[]);
        assert_eq!(out.code, 64, "{bad:?}: {}", out.stdout);
        assert!(out.stdout.is_empty(), "{bad:?}: {}", out.stdout);
    }
}

#[test]
fn the_transcript_root_follows_claude_config_dir_then_home() {
    let tmp = tempfile::tempdir().expect("tmp");
    let config = tmp.path().join("config");
    let home = tmp.path().join("home");
    fixture(&config.join("projects"), "-a");
    // Only s9 under HOME, so which root was read shows in the keys.
    write(
        &home.join(".claude/projects/-b/s9.jsonl"),
        &[assistant(
            Some("m9"),
            Some("r9"),
            HAIKU,
            Some("2025-06-03T00:00:00Z"),
            1_000_000,
            0,
            (0, 0),
            0,
        )],
    );
    let cwd = tmp.path();
    let (config, home) = (config.to_str().expect("utf8"), home.to_str().expect("utf8"));
    let r = report(&cost(
        &["session", "--json"],
        cwd,
        &[("CLAUDE_CONFIG_DIR", config), ("HOME", home)],
    ));
    assert_eq!(keys(&r), ["s1", "s2"]);
    let r = report(&cost(
        &["session", "--json"],
        cwd,
        &[("CLAUDE_CONFIG_DIR", ""), ("HOME", home)],
    ));
    assert_eq!(keys(&r), ["s9"]);
    assert_eq!(r["totals"]["usd"], "1.00");

    let out = cost(
        &["daily", "--transcripts", "/nonexistent/agentops/projects"],
        cwd,
        &[],
    );
    assert_eq!(out.code, 64);
    assert!(
        out.stderr.contains("no Claude Code transcripts"),
        "{}",
        out.stderr
    );
}

#[test]
fn project_keeps_only_that_projects_sessions() {
    let tmp = tempfile::tempdir().expect("tmp");
    let app = tmp.path().join("my.app");
    fs::create_dir_all(&app).expect("mkdir");
    let folder: String = app
        .canonicalize()
        .expect("canonical")
        .to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let root = tmp.path().join("projects");
    fixture(&root, &folder);
    write(
        &root.join("-elsewhere/s9.jsonl"),
        &[assistant(
            Some("m9"),
            Some("r9"),
            HAIKU,
            Some("2025-06-03T00:00:00Z"),
            5,
            5,
            (0, 0),
            0,
        )],
    );
    let root = root.to_str().expect("utf8");
    let all = report(&cost(
        &["session", "--json", "--transcripts", root],
        tmp.path(),
        &[],
    ));
    assert_eq!(keys(&all), ["s1", "s2", "s9"]);
    let only = report(&cost(
        &[
            "session",
            "--json",
            "--transcripts",
            root,
            "--project",
            app.to_str().expect("utf8"),
        ],
        tmp.path(),
        &[],
    ));
    assert_eq!(keys(&only), ["s1", "s2"]);
    assert_eq!(only["totals"]["usd"], "0.077712");
}

#[test]
fn the_hook_ledger_report_prints_clean_money() {
    let tmp = tempfile::tempdir().expect("tmp");
    let state = tmp.path().join(".agentops");
    fs::create_dir_all(&state).expect("mkdir");
    // Three sonnet rows whose float sum is 0.41100000000000003.
    let row = |session: &str, output: u64| {
        json!({"session": session, "day": "2025-06-01", "model": SONNET,
               "tokens": [0, output, 0, 0, 0], "responses": 1})
    };
    fs::write(
        state.join("cost-ledger.json"),
        json!({"version": 1, "files": {}, "rows": [row("a", 7400), row("b", 7400), row("c", 12600)]})
            .to_string(),
    )
    .expect("write");
    fs::write(
        state.join("budget.json"),
        r#"{"budget_usd": 5, "spent": 0.411, "warn_pct": 80}"#,
    )
    .expect("write");
    let r = report(&cost(&["--by", "day", "--json"], tmp.path(), &[]));
    assert_eq!(r["source"], "ledger");
    assert_eq!(r["total_usd"], "0.411");
    assert_eq!(r["rows"][0]["usd"], "0.411");
    assert_eq!(r["budget"]["spent"], "0.411");
    assert_eq!(r["budget"]["remaining"], "4.589");
    assert!(!r.to_string().contains("00000"), "{r}");

    let out = cost(&["--project", "/nonexistent/agentops"], tmp.path(), &[]);
    assert_eq!(out.code, 64);
}
