//! budget-check: at session start, make sure `.agentops/budget.json`
//! exists and warn when recorded spend has crossed the warning threshold.
//! The spend itself is recorded by the cost tracking of the observability
//! policies; this hook only reads it.
//!
//! The budget comes from `AGENTOPS_BUDGET_USD`, else the file's
//! `budget_usd`, else $5.00; the threshold from `AGENTOPS_BUDGET_WARN_PCT`,
//! else the file's `warn_pct`, else 80 %.

use agentops_core::{
    Context, Effect, Finding, HookEvent, HookInput, Outcome, Policy, Rule, Severity, ToolMatch,
};
use serde_json::{json, Value};

use super::session;

pub const BUDGET_FILE: &str = "budget.json";
pub const DEFAULT_BUDGET_USD: f64 = 5.0;
pub const DEFAULT_WARN_PCT: f64 = 80.0;

pub static BUDGET_WARNING: Rule = Rule {
    id: "BUDGET001",
    name: "budget-threshold-reached",
    policy: "budget-check",
    severity: Severity::Warn,
    reason: "recorded spend has reached the budget warning threshold",
    ..Rule::PENDING_DOCS
};

pub static BUDGET_UNREADABLE: Rule = Rule {
    id: "BUDGET002",
    name: "budget-file-unreadable",
    policy: "budget-check",
    severity: Severity::Warn,
    reason: ".agentops/budget.json is not a JSON object; spend cannot be checked",
    ..Rule::PENDING_DOCS
};

static RULES: &[&Rule] = &[&BUDGET_WARNING, &BUDGET_UNREADABLE];

/// What the edge read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// `AGENTOPS_BUDGET_USD`.
    pub env_budget: Option<String>,
    /// `AGENTOPS_BUDGET_WARN_PCT`.
    pub env_warn_pct: Option<String>,
    /// `.agentops/budget.json`.
    pub file: Option<String>,
    pub now: u64,
}

fn positive(text: Option<&str>) -> Option<f64> {
    text.and_then(|t| t.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v > 0.0)
}

fn number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Pure: create the budget file or warn on spend.
pub fn decide(snap: &Snapshot) -> Outcome {
    let mut messages = Vec::new();
    for (name, raw) in [
        ("AGENTOPS_BUDGET_USD", &snap.env_budget),
        ("AGENTOPS_BUDGET_WARN_PCT", &snap.env_warn_pct),
    ] {
        if raw.is_some() && positive(raw.as_deref()).is_none() {
            messages.push(format!(
                "agentops: {name}=`{}` is not a positive number; ignoring it",
                raw.as_deref().unwrap_or_default()
            ));
        }
    }
    let env_budget = positive(snap.env_budget.as_deref());
    let env_pct = positive(snap.env_warn_pct.as_deref());

    let Some(text) = &snap.file else {
        let budget = env_budget.unwrap_or(DEFAULT_BUDGET_USD);
        let pct = env_pct.unwrap_or(DEFAULT_WARN_PCT);
        let record = json!({
            "budget_usd": budget,
            "spent": 0,
            "warn_pct": pct,
            "started": session::iso_utc(snap.now),
        });
        messages.push(format!(
            "agentops budget: ${budget:.2} USD for this project, warning at {pct}%."
        ));
        return Outcome {
            messages,
            effects: vec![Effect::CreateState {
                name: BUDGET_FILE,
                contents: format!("{record}\n").into_bytes(),
            }],
            ..Outcome::default()
        };
    };
    let Ok(Value::Object(file)) = serde_json::from_str::<Value>(text) else {
        return Outcome {
            findings: vec![Finding::new(&BUDGET_UNREADABLE)],
            messages,
            ..Outcome::default()
        };
    };
    let budget = env_budget
        .or_else(|| number(file.get("budget_usd")).filter(|b| *b > 0.0))
        .unwrap_or(DEFAULT_BUDGET_USD);
    let pct = env_pct
        .or_else(|| number(file.get("warn_pct")).filter(|p| *p > 0.0))
        .unwrap_or(DEFAULT_WARN_PCT);
    let spent = number(file.get("spent")).unwrap_or(0.0);
    let mut findings = Vec::new();
    if spent >= budget * pct / 100.0 {
        findings.push(Finding::with_subject(
            &BUDGET_WARNING,
            format!(
                "{:.1}% used (${spent:.2} of ${budget:.2})",
                spent / budget * 100.0
            ),
        ));
    }
    Outcome {
        findings,
        messages,
        ..Outcome::default()
    }
}

pub static BUDGET_CHECK: Policy = Policy {
    name: "budget-check",
    summary: "Creates .agentops/budget.json and warns at session start when spend nears the budget",
    events: &[HookEvent::SessionStart],
    tools: ToolMatch::Any,
    flag: None,
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, _input: &HookInput, ctx: &Context) -> Outcome {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    decide(&Snapshot {
        env_budget: var("AGENTOPS_BUDGET_USD"),
        env_warn_pct: var("AGENTOPS_BUDGET_WARN_PCT"),
        file: session::read_state(ctx, BUDGET_FILE),
        now: session::now_secs(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(env: Option<&str>, pct: Option<&str>, file: Option<&str>) -> Snapshot {
        Snapshot {
            env_budget: env.map(String::from),
            env_warn_pct: pct.map(String::from),
            file: file.map(String::from),
            now: 0,
        }
    }

    fn ids(out: &Outcome) -> Vec<&'static str> {
        out.findings.iter().map(|f| f.rule.id).collect()
    }

    /// (AGENTOPS_BUDGET_USD, AGENTOPS_BUDGET_WARN_PCT, budget.json, rule ids)
    type Case<'a> = (Option<&'a str>, Option<&'a str>, &'a str, &'a [&'a str]);

    #[test]
    fn thresholds() {
        let cases: &[Case] = &[
            (None, None, r#"{"spent": 3.99}"#, &[]),
            (None, None, r#"{"spent": 4.0}"#, &["BUDGET001"]),
            (None, None, r#"{"spent": 9}"#, &["BUDGET001"]),
            (Some("10"), None, r#"{"spent": 4.0}"#, &[]),
            (Some("10"), Some("40"), r#"{"spent": 4.0}"#, &["BUDGET001"]),
            (
                None,
                None,
                r#"{"budget_usd": 100, "warn_pct": 50, "spent": 49}"#,
                &[],
            ),
            (
                None,
                None,
                r#"{"budget_usd": 100, "warn_pct": 50, "spent": 50}"#,
                &["BUDGET001"],
            ),
            (None, None, r#"{"spent": "4.5"}"#, &["BUDGET001"]),
            (None, None, r#"{}"#, &[]),
            (Some("abc"), None, r#"{"spent": 4.5}"#, &["BUDGET001"]),
            (None, None, "[1]", &["BUDGET002"]),
            (None, None, "{oops", &["BUDGET002"]),
        ];
        for (env, pct, file, want) in cases {
            let out = decide(&snap(*env, *pct, Some(file)));
            assert_eq!(ids(&out), *want, "{env:?} {pct:?} {file}");
            assert!(out.effects.is_empty());
        }
        let out = decide(&snap(None, None, Some(r#"{"spent": 4.5}"#)));
        assert_eq!(
            out.findings[0].subject.as_deref(),
            Some("90.0% used ($4.50 of $5.00)")
        );
    }

    #[test]
    fn a_missing_file_is_created_once_with_the_configured_budget() {
        let out = decide(&snap(Some("12.5"), Some("90"), None));
        let Some(Effect::CreateState { name, contents }) = out.effects.first() else {
            panic!("{out:?}")
        };
        assert_eq!(*name, BUDGET_FILE);
        let record: Value = serde_json::from_slice(contents).expect("json");
        assert_eq!(record["budget_usd"], 12.5);
        assert_eq!(record["warn_pct"], 90.0);
        assert_eq!(record["spent"], 0);
        assert_eq!(record["started"], "1970-01-01T00:00:00Z");
        assert_eq!(
            out.messages,
            ["agentops budget: $12.50 USD for this project, warning at 90%."]
        );
    }

    #[test]
    fn bad_environment_values_are_reported_and_ignored() {
        let out = decide(&snap(Some("-3"), Some("lots"), None));
        assert_eq!(out.messages.len(), 3, "{:?}", out.messages);
        assert!(out.messages[2].contains("$5.00") && out.messages[2].contains("80%"));
    }
}
