//! Cost accounting on small transcripts written for these tests: repeated
//! lines, streamed responses, subagent files, incremental reads, price
//! overrides and the budget file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use agentops_cost::{account, load_ledger, load_prices, report, Budget, Grouping, PriceTable};
use agentops_state::StateDir;
use serde_json::json;

fn assistant(id: &str, request: &str, model: &str, ts: &str, usage: serde_json::Value) -> String {
    json!({"type": "assistant", "requestId": request, "timestamp": ts, "sessionId": "s1",
           "message": {"id": id, "model": model, "role": "assistant", "usage": usage,
                       "content": [{"type": "text", "text": "ok"}]}})
    .to_string()
}

fn usage(input: u64, output: u64, write: u64, read: u64) -> serde_json::Value {
    json!({"input_tokens": input, "output_tokens": output,
           "cache_creation_input_tokens": write, "cache_read_input_tokens": read})
}

fn append(path: &Path, lines: &[String]) {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).expect("mkdir");
    }
    let mut f = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open");
    for l in lines {
        writeln!(f, "{l}").expect("write");
    }
}

struct Setup {
    _tmp: tempfile::TempDir,
    state: StateDir,
    transcript: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = StateDir::new(&tmp.path().join("project"));
    let transcript = tmp.path().join("claude/projects/p/s1.jsonl");
    Setup {
        _tmp: tmp,
        state,
        transcript,
    }
}

fn run(s: &Setup, prices: &PriceTable) -> agentops_cost::Pass {
    account(
        &s.state,
        "s1",
        &s.transcript,
        prices,
        "2025-06-09",
        "2025-06-09T12:00:00Z",
    )
    .expect("account")
}

const SONNET: &str = "claude-sonnet-4-5-20250929";
const HAIKU: &str = "claude-haiku-4-5-20251001";

#[test]
fn repeated_lines_count_once_and_subagents_count_for_the_session() {
    let s = setup();
    let t1 = "2025-06-08T10:00:00Z";
    append(&s.transcript, &[
        json!({"type": "user", "message": {"role": "user", "content": "hi"}}).to_string(),
        // One response written as three content-block lines.
        assistant("msg_1", "req_1", SONNET, t1, usage(1000, 100, 0, 0)),
        assistant("msg_1", "req_1", SONNET, t1, usage(1000, 100, 0, 0)),
        assistant("msg_1", "req_1", SONNET, t1, usage(1000, 100, 0, 0)),
        // Same request id, no message id: still the same response.
        json!({"type": "assistant", "requestId": "req_1", "message": {"model": SONNET, "usage": usage(1000, 100, 0, 0)}}).to_string(),
        // An API error line never reached the API.
        json!({"type": "assistant", "isApiErrorMessage": true, "message": {"model": "<synthetic>", "usage": usage(0, 0, 0, 0)}}).to_string(),
        assistant("msg_2", "req_2", SONNET, "2025-06-09T09:00:00Z", usage(2000, 200, 1000, 5000)),
    ]);
    append(
        &s.transcript
            .with_extension("")
            .join("subagents/agent-a1.jsonl"),
        &[
            assistant("msg_s1", "req_s1", HAIKU, t1, usage(500, 50, 0, 0)),
            assistant("msg_s1", "req_s1", HAIKU, t1, usage(500, 50, 0, 0)),
        ],
    );
    let prices = PriceTable::builtin();
    let pass = run(&s, &prices);
    assert_eq!(pass.responses, 3);
    assert_eq!(pass.usage.input, 3500);
    assert_eq!(pass.usage.output, 350);
    // sonnet: 3000*3 + 300*15 + 1000*3.75 + 5000*0.3 = 18750 µ$; haiku: 500*1 + 50*5 = 750 µ$
    assert!((pass.usd - 0.0195).abs() < 1e-9, "{}", pass.usd);
    let budget = Budget::load(&s.state)
        .expect("read")
        .expect("budget created");
    assert!((budget.spent - 0.0195).abs() < 1e-9);

    // Nothing new: nothing added.
    assert_eq!(run(&s, &prices).responses, 0);

    let ledger = load_ledger(&s.state).expect("ledger");
    let by_model = report(&ledger.rows, Grouping::Model, &prices);
    assert_eq!(
        by_model.iter().map(|l| l.key.as_str()).collect::<Vec<_>>(),
        [SONNET, HAIKU]
    );
    let by_day = report(&ledger.rows, Grouping::Day, &prices);
    assert_eq!(by_day.len(), 2);
    assert!(by_day
        .iter()
        .any(|l| l.key == "2025-06-08" && l.responses == 2));
    let by_session = report(&ledger.rows, Grouping::Session, &prices);
    assert_eq!(by_session.len(), 1);
    assert!((by_session[0].usd - 0.0195).abs() < 1e-9);
}

#[test]
fn reads_are_incremental_and_wait_for_complete_lines() {
    let s = setup();
    let prices = PriceTable::builtin();
    append(
        &s.transcript,
        &[assistant(
            "m1",
            "r1",
            SONNET,
            "2025-06-09T01:00:00Z",
            usage(1_000_000, 0, 0, 0),
        )],
    );
    assert!((run(&s, &prices).usd - 3.0).abs() < 1e-9);
    // A line still being written is not read yet.
    let partial = assistant(
        "m2",
        "r2",
        SONNET,
        "2025-06-09T01:00:01Z",
        usage(0, 1_000_000, 0, 0),
    );
    let (head, tail) = partial.split_at(40);
    let mut f = fs::OpenOptions::new()
        .append(true)
        .open(&s.transcript)
        .expect("open");
    write!(f, "{head}").expect("write");
    assert_eq!(run(&s, &prices).responses, 0);
    writeln!(f, "{tail}").expect("write");
    let pass = run(&s, &prices);
    assert_eq!(pass.responses, 1);
    assert!((pass.usd - 15.0).abs() < 1e-9);
    // A repeat split across two reads still counts once; a streamed repeat
    // with a larger count adds only the difference.
    append(
        &s.transcript,
        &[
            assistant(
                "m2",
                "r2",
                SONNET,
                "2025-06-09T01:00:01Z",
                usage(0, 1_000_000, 0, 0),
            ),
            assistant(
                "m2",
                "r2",
                SONNET,
                "2025-06-09T01:00:01Z",
                usage(0, 1_200_000, 0, 0),
            ),
        ],
    );
    let pass = run(&s, &prices);
    assert_eq!(pass.responses, 0);
    assert_eq!(pass.usage.output, 200_000);
    let spent = Budget::load(&s.state).expect("read").expect("budget").spent;
    assert!((spent - 21.0).abs() < 1e-9, "{spent}");
}

#[test]
fn a_subagent_file_that_appears_later_is_picked_up() {
    let s = setup();
    let prices = PriceTable::builtin();
    append(
        &s.transcript,
        &[assistant(
            "m1",
            "r1",
            SONNET,
            "2025-06-09T01:00:00Z",
            usage(10, 10, 0, 0),
        )],
    );
    assert_eq!(run(&s, &prices).responses, 1);
    append(
        &s.transcript
            .with_extension("")
            .join("subagents/agent-b.jsonl"),
        &[assistant(
            "mb",
            "rb",
            HAIKU,
            "2025-06-09T01:00:00Z",
            usage(10, 10, 0, 0),
        )],
    );
    assert_eq!(run(&s, &prices).responses, 1);
}

#[test]
fn price_overrides_apply_and_unknown_models_are_reported() {
    let s = setup();
    fs::create_dir_all(s.state.path()).expect("mkdir");
    fs::write(
        s.state.path().join("prices.json"),
        r#"{"version":"t","models":{"house-model":{"input":10,"output":20}}}"#,
    )
    .expect("write");
    let (prices, problem) = load_prices(&s.state);
    assert_eq!(problem, None);
    append(
        &s.transcript,
        &[
            assistant(
                "m1",
                "r1",
                "house-model-v2",
                "2025-06-09T01:00:00Z",
                usage(1_000_000, 0, 0, 0),
            ),
            assistant(
                "m2",
                "r2",
                "mystery-1",
                "2025-06-09T01:00:00Z",
                usage(1_000_000, 0, 0, 0),
            ),
        ],
    );
    let pass = run(&s, &prices);
    assert!((pass.usd - 10.0).abs() < 1e-9);
    assert_eq!(pass.unpriced, ["mystery-1"]);
    fs::write(s.state.path().join("prices.json"), "{broken").expect("write");
    let (table, problem) = load_prices(&s.state);
    assert_eq!(table, PriceTable::builtin());
    assert!(problem.is_some_and(|p| p.contains("prices.json")));
}

#[test]
fn parallel_passes_count_each_response_once() {
    let s = setup();
    let lines: Vec<String> = (0..200)
        .map(|i| {
            assistant(
                &format!("m{i}"),
                &format!("r{i}"),
                SONNET,
                "2025-06-09T01:00:00Z",
                usage(1000, 0, 0, 0),
            )
        })
        .collect();
    append(&s.transcript, &lines);
    let prices = PriceTable::builtin();
    let total: u64 = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6)
            .map(|_| scope.spawn(|| run(&s, &prices).responses))
            .collect();
        handles.into_iter().map(|h| h.join().expect("join")).sum()
    });
    assert_eq!(total, 200);
    let spent = Budget::load(&s.state).expect("read").expect("budget").spent;
    assert!((spent - 0.6).abs() < 1e-9, "{spent}");
}
