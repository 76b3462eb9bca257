//! budget-check: at session start, make sure `.agentops/budget.json`
//! exists and warn when recorded spend has crossed the warning threshold.
//! The spend itself is recorded by the cost tracking of the observability
//! policies; this hook only reads it.
//!
//! The numbers come from the one [`agentops_cost::Budget`] model that
//! budget-enforcement also uses: the budget is `AGENTOPS_BUDGET_USD`, else
//! the file's `budget_usd`, else $5.00; the threshold
//! `AGENTOPS_BUDGET_WARN_PCT`, else the file's `warn_pct`, else 80 %.
//! Invalid values are reported and skipped. A budget of 0 allows no spend,
//! so it warns at every session start.

use agentops_core::{
    Context, Effect, Finding, HookEvent, HookInput, Outcome, Policy, Rule, Severity, ToolMatch,
};
use agentops_cost::{Budget, FileState, Overrides, ENV_BUDGET_USD, ENV_WARN_PCT};
use serde_json::json;

use agentops_workflow::session;

pub use agentops_cost::{BUDGET_FILE, DEFAULT_BUDGET_USD, DEFAULT_WARN_PCT};

/// Spend has reached the warning threshold (a note for the user).
pub static BUDGET_WARNING: Rule = Rule {
    id: "BUDGET001",
    name: "budget-threshold-reached",
    policy: "budget-check",
    severity: Severity::Warn,
    reason: "recorded spend has reached the budget warning threshold",
    why: "Agent sessions cost money by the token, and a long session can spend a project's budget before anyone looks. At session start the user sees how much of the budget is used (by default 80 % of $5.00), while there is still room to decide; budget-gate enforces the budget itself.",
    fires: "SessionStart: startup | given /p/.agentops/budget.json = {\"budget_usd\": 10, \"spent\": 8.5, \"warn_pct\": 80}",
    instead: "",
    passes: "SessionStart: startup | given /p/.agentops/budget.json = {\"budget_usd\": 10, \"spent\": 7.9, \"warn_pct\": 80}",
};

/// The budget file is not a JSON object (a note for the user).
pub static BUDGET_UNREADABLE: Rule = Rule {
    id: "BUDGET002",
    name: "budget-file-unreadable",
    policy: "budget-check",
    severity: Severity::Warn,
    reason: ".agentops/budget.json is not a JSON object; spend cannot be checked",
    why: "A budget file that does not parse (a hand edit with a trailing comma, a truncated write) silently turns the budget warning off. The user is told at session start, and the file is left as it is rather than overwritten, so the recorded spend is not lost.",
    fires: "SessionStart: startup | given /p/.agentops/budget.json = {\"budget_usd\": 10, \"spent\": 2.5,}",
    instead: "",
    passes: "SessionStart: startup | given /p/.agentops/budget.json = {\"budget_usd\": 10, \"spent\": 2.5}",
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
    /// Seconds since the Unix epoch.
    pub now: u64,
}

/// The budget the snapshot describes.
pub fn budget(snap: &Snapshot) -> Budget {
    Budget::resolve(
        snap.file.as_deref(),
        Overrides {
            budget_usd: snap.env_budget.as_deref(),
            warn_pct: snap.env_warn_pct.as_deref(),
        },
    )
}

/// Pure: create the budget file or warn on spend.
pub fn decide(snap: &Snapshot) -> Outcome {
    let budget = budget(snap);
    let mut messages = budget.problems.clone();
    let mut effects = Vec::new();
    match budget.file {
        FileState::Unreadable => {
            return Outcome {
                findings: vec![Finding::new(&BUDGET_UNREADABLE)],
                messages,
                ..Outcome::default()
            };
        }
        FileState::Missing => {
            let record = json!({
                "budget_usd": budget.budget_usd,
                "spent": 0,
                "warn_pct": budget.warn_pct,
                "started": session::iso_utc(snap.now),
            });
            messages.push(format!(
                "agentops budget: ${:.2} USD for this project, warning at {}%.",
                budget.budget_usd, budget.warn_pct
            ));
            effects.push(Effect::CreateState {
                name: BUDGET_FILE,
                contents: format!("{record}\n").into_bytes(),
            });
        }
        FileState::Read => {}
    }
    let mut findings = Vec::new();
    if budget.warn_reached() {
        findings.push(Finding::with_subject(
            &BUDGET_WARNING,
            budget.usage_summary(),
        ));
    }
    Outcome {
        findings,
        messages,
        effects,
        ..Outcome::default()
    }
}

/// The budget-check policy.
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
    decide(&Snapshot {
        env_budget: ctx.world.var(ENV_BUDGET_USD),
        env_warn_pct: ctx.world.var(ENV_WARN_PCT),
        file: session::read_state(ctx, BUDGET_FILE),
        now: ctx.world.now_secs(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

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

    #[test]
    fn a_zero_budget_warns_at_every_start() {
        let out = decide(&snap(None, None, Some(r#"{"budget_usd": 0}"#)));
        assert_eq!(ids(&out), ["BUDGET001"]);
        assert_eq!(
            out.findings[0].subject.as_deref(),
            Some("$0.00 spent of a $0.00 budget")
        );
        assert!(out.messages.is_empty(), "{:?}", out.messages);
        // From the environment, when the file is created.
        let out = decide(&snap(Some("0"), None, None));
        assert_eq!(ids(&out), ["BUDGET001"]);
        let Some(Effect::CreateState { contents, .. }) = out.effects.first() else {
            panic!("{out:?}")
        };
        let record: Value = serde_json::from_slice(contents).expect("json");
        assert_eq!(record["budget_usd"], 0.0);
        // A positive override lifts it.
        let out = decide(&snap(Some("10"), None, Some(r#"{"budget_usd": 0}"#)));
        assert_eq!(ids(&out), [] as [&str; 0]);
    }

    #[test]
    fn invalid_file_values_are_reported_and_the_defaults_used() {
        let out = decide(&snap(
            None,
            None,
            Some(r#"{"budget_usd": -2, "warn_pct": "lots", "spent": 4.5}"#),
        ));
        assert_eq!(ids(&out), ["BUDGET001"]);
        assert_eq!(
            out.findings[0].subject.as_deref(),
            Some("90.0% used ($4.50 of $5.00)")
        );
        assert_eq!(out.messages.len(), 2, "{:?}", out.messages);
        assert!(
            out.messages[0].contains("budget_usd -2"),
            "{:?}",
            out.messages
        );
        assert!(
            out.messages[1].contains("warn_pct \"lots\""),
            "{:?}",
            out.messages
        );
        // A blank environment variable is unset, silently.
        let out = decide(&snap(Some(""), Some(" "), Some(r#"{"spent": 1}"#)));
        assert!(out.is_empty(), "{out:?}");
    }
}
