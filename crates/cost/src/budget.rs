//! The budget model: how much may be spent, what has been spent, and when
//! to warn, from `.agentops/budget.json` and the environment.
//!
//! Every budget reader (the budget-check and budget-enforcement policies,
//! `agentops cost`) reads its inputs at its own edge and hands them to
//! [`Budget::resolve`], which does no I/O, so they all agree.
//!
//! # Where the numbers come from
//!
//! * The limit: `AGENTOPS_BUDGET_USD` if it holds a valid amount, else the
//!   file's `budget_usd` if valid, else [`DEFAULT_BUDGET_USD`] ($5, as
//!   upstream's `budget-check.sh`).
//! * The warning threshold (percent of the limit): `AGENTOPS_BUDGET_WARN_PCT`,
//!   else the file's `warn_pct`, else [`DEFAULT_WARN_PCT`] (80 %).
//! * The spend: the file's `spent`, else 0. A missing or unreadable file
//!   means nothing has been recorded as spent.
//!
//! Numbers may be JSON numbers or numeric strings (`"2.50"`). An empty or
//! blank environment variable counts as unset. A value that is not a
//! finite number, or is out of range, is ignored (the next source is used)
//! and reported in [`Budget::problems`].
//!
//! # `budget_usd: 0`
//!
//! A budget of zero is a real budget of $0.00: nothing may be spent. It is
//! reached at once, so budget-check warns at every session start and, when
//! enforcement is opted in, budget-enforcement denies every tool but the
//! reading ones. It is neither "no limit" nor "use the default": a user who
//! writes 0 (in the file or in `AGENTOPS_BUDGET_USD`) is asking for no
//! spend, and silently allowing $5 or unlimited spend would be the
//! surprising, unsafe reading. Upstream's hook also took 0 literally (its
//! threshold became $0 and it warned on every session). To allow spending,
//! set a positive budget; to stop enforcing, leave
//! `budget_enforcement_enabled` off.
//!
//! Negative amounts are invalid. A warning threshold must be above 0
//! (`warn_pct: 0` is ignored, as before); above 100 warns only once the
//! budget is overspent.

use std::io;

use agentops_state::StateDir;
use serde_json::{json, Map, Value};

/// The budget file's name under `.agentops/`.
pub const BUDGET_FILE: &str = "budget.json";

/// Environment variable that overrides the file's `budget_usd`.
pub const ENV_BUDGET_USD: &str = "AGENTOPS_BUDGET_USD";

/// Environment variable that overrides the file's `warn_pct`.
pub const ENV_WARN_PCT: &str = "AGENTOPS_BUDGET_WARN_PCT";

/// Budget used when neither the environment nor the file sets a valid one
/// (upstream's default).
pub const DEFAULT_BUDGET_USD: f64 = 5.0;

/// Warning threshold, in percent of the budget, when none is set.
pub const DEFAULT_WARN_PCT: f64 = 80.0;

/// Largest budget file read.
const MAX_BUDGET_BYTES: u64 = 1 << 20;

/// Where the budget's limit came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `AGENTOPS_BUDGET_USD`.
    Env,
    /// The file's `budget_usd`.
    File,
    /// [`DEFAULT_BUDGET_USD`].
    Default,
}

/// What the budget file looked like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// There is no budget file (budget-check creates it at session start).
    Missing,
    /// The file is not a JSON object; its contents were not used.
    Unreadable,
    /// The file is a JSON object.
    Read,
}

/// The environment's overrides, as read at the call site (the raw values
/// of [`ENV_BUDGET_USD`] and [`ENV_WARN_PCT`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides<'a> {
    /// The value of `AGENTOPS_BUDGET_USD`, if set.
    pub budget_usd: Option<&'a str>,
    /// The value of `AGENTOPS_BUDGET_WARN_PCT`, if set.
    pub warn_pct: Option<&'a str>,
}

/// The budget in effect: see the [module documentation](self) for how
/// each number is chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// The limit in USD, 0 or more. 0 means nothing may be spent.
    pub budget_usd: f64,
    /// Recorded spend in USD.
    pub spent: f64,
    /// Warning threshold in percent of `budget_usd`, above 0.
    pub warn_pct: f64,
    /// Where `budget_usd` came from.
    pub source: Source,
    /// Whether the budget file existed and could be used.
    pub file: FileState,
    /// Values that were ignored, as messages for the user.
    pub problems: Vec<String>,
}

/// A finite number from a JSON number or numeric string.
fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|x: &f64| x.is_finite())
}

/// A usable budget amount: finite and not negative.
fn valid_budget(x: f64) -> bool {
    x >= 0.0
}

/// A usable warning threshold: finite and above 0.
fn valid_pct(x: f64) -> bool {
    x > 0.0
}

/// An environment value: `None` when unset or blank, else `Ok` when valid.
fn env_number(raw: Option<&str>, valid: fn(f64) -> bool) -> Option<Result<f64, &str>> {
    let raw = raw.filter(|r| !r.trim().is_empty())?;
    Some(
        raw.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && valid(*x))
            .ok_or(raw),
    )
}

/// A file field: `None` when absent or `null`, else `Ok` when valid.
fn file_number(
    file: Option<&Map<String, Value>>,
    key: &str,
    valid: fn(f64) -> bool,
) -> Option<Result<f64, String>> {
    let v = file?.get(key).filter(|v| !v.is_null())?;
    Some(
        number(Some(v))
            .filter(|x| valid(*x))
            .ok_or_else(|| v.to_string()),
    )
}

impl Budget {
    /// The budget from the budget file's text (`None` when there is no
    /// file) and the environment's overrides. Pure: the caller reads both.
    pub fn resolve(file_text: Option<&str>, env: Overrides<'_>) -> Budget {
        let parsed = file_text.map(serde_json::from_str::<Value>);
        let (file_state, obj) = match &parsed {
            None => (FileState::Missing, None),
            Some(Ok(Value::Object(m))) => (FileState::Read, Some(m)),
            Some(_) => (FileState::Unreadable, None),
        };
        let mut problems = Vec::new();

        let env_usd = env_number(env.budget_usd, valid_budget);
        if let Some(Err(raw)) = env_usd {
            problems.push(format!(
                "agentops: {ENV_BUDGET_USD}=`{raw}` is not an amount of 0 or more; ignoring it"
            ));
        }
        let (budget_usd, source) = match env_usd {
            Some(Ok(v)) => (v, Source::Env),
            _ => match file_number(obj, "budget_usd", valid_budget) {
                Some(Ok(v)) => (v, Source::File),
                Some(Err(raw)) => {
                    problems.push(format!(
                        "agentops: budget_usd {raw} in .agentops/{BUDGET_FILE} is not an amount of 0 or more; using ${DEFAULT_BUDGET_USD:.2}"
                    ));
                    (DEFAULT_BUDGET_USD, Source::Default)
                }
                None => (DEFAULT_BUDGET_USD, Source::Default),
            },
        };

        let env_pct = env_number(env.warn_pct, valid_pct);
        if let Some(Err(raw)) = env_pct {
            problems.push(format!(
                "agentops: {ENV_WARN_PCT}=`{raw}` is not a positive number; ignoring it"
            ));
        }
        let warn_pct = match env_pct {
            Some(Ok(v)) => v,
            _ => match file_number(obj, "warn_pct", valid_pct) {
                Some(Ok(v)) => v,
                Some(Err(raw)) => {
                    problems.push(format!(
                        "agentops: warn_pct {raw} in .agentops/{BUDGET_FILE} is not a positive number; using {DEFAULT_WARN_PCT}%"
                    ));
                    DEFAULT_WARN_PCT
                }
                None => DEFAULT_WARN_PCT,
            },
        };

        let spent = match file_number(obj, "spent", |_| true) {
            Some(Ok(v)) => v,
            Some(Err(raw)) => {
                problems.push(format!(
                    "agentops: spent {raw} in .agentops/{BUDGET_FILE} is not a number; counting it as 0"
                ));
                0.0
            }
            None => 0.0,
        };

        Budget {
            budget_usd,
            spent,
            warn_pct,
            source,
            file: file_state,
            problems,
        }
    }

    /// The budget file's text under `.agentops/`, `None` when there is
    /// none. Bytes that are not UTF-8 are replaced (and then fail to parse).
    pub fn read_file(state: &StateDir) -> io::Result<Option<String>> {
        Ok(state
            .read(BUDGET_FILE, MAX_BUDGET_BYTES)?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    /// The file alone, without the environment's overrides: `None` when
    /// there is no file or it is not a JSON object. For readers that only
    /// show the recorded numbers; decisions use [`Budget::resolve`] with
    /// the environment.
    pub fn load(state: &StateDir) -> io::Result<Option<Budget>> {
        Ok(Budget::read_file(state)?
            .map(|text| Budget::resolve(Some(&text), Overrides::default()))
            .filter(|b| b.file == FileState::Read))
    }

    /// Whether everything budgeted has been spent. Always true for a
    /// budget of 0.
    pub fn exhausted(&self) -> bool {
        self.spent >= self.budget_usd
    }

    /// Whether spend has reached the warning threshold. Always true for a
    /// budget of 0.
    pub fn warn_reached(&self) -> bool {
        self.spent >= self.budget_usd * self.warn_pct / 100.0
    }

    /// What is left to spend; negative once overspent.
    pub fn remaining(&self) -> f64 {
        self.budget_usd - self.spent
    }

    /// Spend in percent of the budget; `None` for a budget of 0.
    pub fn used_pct(&self) -> Option<f64> {
        (self.budget_usd > 0.0).then(|| self.spent / self.budget_usd * 100.0)
    }

    /// A short description of the spend against the budget, for messages:
    /// `"90.0% used ($4.50 of $5.00)"`, or `"$0.00 spent of a $0.00
    /// budget"` for a budget of 0.
    pub fn usage_summary(&self) -> String {
        match self.used_pct() {
            Some(pct) => format!(
                "{pct:.1}% used (${:.2} of ${:.2})",
                self.spent, self.budget_usd
            ),
            None => format!(
                "${:.2} spent of a ${:.2} budget",
                self.spent, self.budget_usd
            ),
        }
    }
}

/// Add `usd` to `spent`, creating the file when there is none. A file that
/// is not a JSON object is left alone and reported.
pub fn add_spend(state: &StateDir, usd: f64, now: &str) -> io::Result<f64> {
    state.update(BUDGET_FILE, MAX_BUDGET_BYTES, |current| {
        let mut obj = match current.map(serde_json::from_slice::<Value>) {
            None => {
                let mut m = Map::new();
                m.insert("started".into(), json!(now));
                m
            }
            Some(Ok(Value::Object(m))) => m,
            Some(_) => {
                return (
                    None,
                    Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "budget.json is not a JSON object; spend not recorded",
                    )),
                )
            }
        };
        let spent = number(obj.get("spent")).unwrap_or(0.0) + usd;
        // Micro-dollars: enough precision, no float noise in the file.
        let spent = (spent * 1e6).round() / 1e6;
        obj.insert("spent".into(), json!(spent));
        obj.insert("spent_updated".into(), json!(now));
        let mut bytes = serde_json::to_vec_pretty(&Value::Object(obj)).unwrap_or_default();
        bytes.push(b'\n');
        (Some(bytes), Ok(spent))
    })?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(usd: Option<&'a str>, pct: Option<&'a str>) -> Overrides<'a> {
        Overrides {
            budget_usd: usd,
            warn_pct: pct,
        }
    }

    fn file(text: &str) -> Budget {
        Budget::resolve(Some(text), Overrides::default())
    }

    #[test]
    fn parses_numbers_and_numeric_strings_with_defaults() {
        let b = file(r#"{"budget_usd":"2.50","spent":3,"warn_pct":50}"#);
        assert_eq!((b.budget_usd, b.spent, b.warn_pct), (2.5, 3.0, 50.0));
        assert_eq!((b.source, b.file), (Source::File, FileState::Read));
        assert!(b.exhausted() && b.problems.is_empty());
        let d = file("{}");
        assert_eq!(
            (d.budget_usd, d.spent, d.warn_pct, d.source),
            (DEFAULT_BUDGET_USD, 0.0, DEFAULT_WARN_PCT, Source::Default)
        );
        assert!(!d.exhausted() && !d.warn_reached() && d.problems.is_empty());
        assert_eq!(file("[1]").file, FileState::Unreadable);
        assert_eq!(file("{oops").file, FileState::Unreadable);
        let null = file(r#"{"budget_usd":null,"warn_pct":null,"spent":null}"#);
        assert!(null.problems.is_empty(), "{:?}", null.problems);
    }

    #[test]
    fn a_zero_budget_is_a_real_budget_of_nothing() {
        for b in [
            file(r#"{"budget_usd":0}"#),
            file(r#"{"budget_usd":"0","spent":0}"#),
            Budget::resolve(None, env(Some("0"), None)),
            Budget::resolve(Some(r#"{"budget_usd":5}"#), env(Some(" 0 "), None)),
        ] {
            assert_eq!(b.budget_usd, 0.0, "{b:?}");
            assert!(b.exhausted() && b.warn_reached(), "{b:?}");
            assert!(b.problems.is_empty(), "{b:?}");
            assert_eq!(b.used_pct(), None);
            assert_eq!(b.usage_summary(), "$0.00 spent of a $0.00 budget");
        }
    }

    #[test]
    fn the_environment_overrides_the_file_and_bad_values_fall_through() {
        let f = Some(r#"{"budget_usd":2,"warn_pct":50,"spent":1.5}"#);
        let b = Budget::resolve(f, env(Some("10"), Some("90")));
        assert_eq!(
            (b.budget_usd, b.warn_pct, b.source),
            (10.0, 90.0, Source::Env)
        );
        assert!(!b.exhausted() && !b.warn_reached());
        // Blank is unset, silently.
        let b = Budget::resolve(f, env(Some(""), Some("  ")));
        assert_eq!(
            (b.budget_usd, b.warn_pct, b.source),
            (2.0, 50.0, Source::File)
        );
        assert!(b.problems.is_empty());
        // Invalid values are reported and the file is used.
        for (usd, pct) in [("lots", "x"), ("-3", "0"), ("NaN", "-5"), ("inf", "inf")] {
            let b = Budget::resolve(f, env(Some(usd), Some(pct)));
            assert_eq!((b.budget_usd, b.warn_pct), (2.0, 50.0), "{usd} {pct}");
            assert_eq!(b.problems.len(), 2, "{:?}", b.problems);
            assert!(b.problems[0].contains(ENV_BUDGET_USD) && b.problems[0].contains(usd));
            assert!(b.problems[1].contains(ENV_WARN_PCT));
        }
    }

    #[test]
    fn invalid_file_values_fall_back_to_the_defaults_and_are_reported() {
        for text in [
            r#"{"budget_usd":-1,"warn_pct":0,"spent":"x"}"#,
            r#"{"budget_usd":"five","warn_pct":-10,"spent":[1]}"#,
            r#"{"budget_usd":true,"warn_pct":"lots","spent":{}}"#,
        ] {
            let b = file(text);
            assert_eq!(
                (b.budget_usd, b.warn_pct, b.spent, b.source),
                (DEFAULT_BUDGET_USD, DEFAULT_WARN_PCT, 0.0, Source::Default),
                "{text}"
            );
            assert_eq!(b.problems.len(), 3, "{text}: {:?}", b.problems);
            assert!(!b.exhausted());
        }
        // A valid override hides an invalid file budget.
        let b = Budget::resolve(Some(r#"{"budget_usd":-1}"#), env(Some("3"), None));
        assert_eq!((b.budget_usd, b.source), (3.0, Source::Env));
        assert!(b.problems.is_empty());
    }

    #[test]
    fn a_missing_or_unreadable_file_means_nothing_spent() {
        for text in [None, Some("garbage"), Some("[1,2]")] {
            let b = Budget::resolve(text, Overrides::default());
            assert_eq!((b.budget_usd, b.spent), (DEFAULT_BUDGET_USD, 0.0));
            assert!(!b.exhausted() && !b.warn_reached());
            let b = Budget::resolve(text, env(Some("7"), Some("40")));
            assert_eq!((b.budget_usd, b.warn_pct, b.spent), (7.0, 40.0, 0.0));
        }
        assert_eq!(
            Budget::resolve(None, Overrides::default()).file,
            FileState::Missing
        );
    }

    #[test]
    fn thresholds_and_summaries() {
        let b = file(r#"{"budget_usd":5,"spent":4.5}"#);
        assert!(b.warn_reached() && !b.exhausted());
        assert_eq!(b.usage_summary(), "90.0% used ($4.50 of $5.00)");
        assert_eq!(b.remaining(), 0.5);
        let b = file(r#"{"budget_usd":5,"spent":5}"#);
        assert!(b.exhausted());
        let b = file(r#"{"budget_usd":10,"warn_pct":150,"spent":12}"#);
        assert!(b.exhausted() && !b.warn_reached());
    }

    #[test]
    fn spend_accumulates_and_keeps_other_fields() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = StateDir::new(tmp.path());
        std::fs::create_dir_all(state.path()).expect("mkdir");
        std::fs::write(
            state.path().join(BUDGET_FILE),
            r#"{"budget_usd":5,"spent":0,"warn_pct":80,"started":"x"}"#,
        )
        .expect("write");
        assert_eq!(add_spend(&state, 0.25, "t1").expect("add"), 0.25);
        assert_eq!(add_spend(&state, 0.5, "t2").expect("add"), 0.75);
        let v: Value =
            serde_json::from_slice(&std::fs::read(state.path().join(BUDGET_FILE)).expect("read"))
                .expect("json");
        assert_eq!(v["budget_usd"], 5);
        assert_eq!(v["started"], "x");
        assert_eq!(v["spent_updated"], "t2");
        let loaded = Budget::load(&state).expect("read").expect("budget");
        assert_eq!((loaded.budget_usd, loaded.spent), (5.0, 0.75));
        std::fs::write(state.path().join(BUDGET_FILE), "garbage").expect("write");
        assert!(add_spend(&state, 1.0, "t3").is_err());
        assert_eq!(
            std::fs::read_to_string(state.path().join(BUDGET_FILE)).expect("read"),
            "garbage"
        );
        assert_eq!(Budget::load(&state).expect("read"), None);
    }
}
