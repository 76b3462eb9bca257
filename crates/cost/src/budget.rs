//! `.agentops/budget.json`: the budget, the warning threshold and what has
//! been spent. The SessionStart budget check creates the file; cost
//! accounting adds to `spent` under the file's lock and keeps every other
//! field as it is.

use std::io;

use agentops_state::StateDir;
use serde_json::{json, Map, Value};

pub const BUDGET_FILE: &str = "budget.json";

/// Budget used when the file has none (upstream's default).
pub const DEFAULT_BUDGET_USD: f64 = 5.0;

/// The parts of the budget file decisions use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    pub budget_usd: f64,
    pub spent: f64,
    pub warn_pct: f64,
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|x: &f64| x.is_finite())
}

impl Budget {
    /// Read the budget file's bytes; `None` when they are not a JSON object.
    pub fn parse(bytes: &[u8]) -> Option<Budget> {
        let v: Value = serde_json::from_slice(bytes).ok()?;
        v.as_object()?;
        Some(Budget {
            budget_usd: number(v.get("budget_usd")).unwrap_or(DEFAULT_BUDGET_USD),
            spent: number(v.get("spent")).unwrap_or(0.0),
            warn_pct: number(v.get("warn_pct")).unwrap_or(80.0),
        })
    }

    pub fn load(state: &StateDir) -> io::Result<Option<Budget>> {
        Ok(state
            .read(BUDGET_FILE, 1 << 20)?
            .and_then(|b| Budget::parse(&b)))
    }

    /// Whether everything budgeted has been spent.
    pub fn exhausted(&self) -> bool {
        self.budget_usd >= 0.0 && self.spent >= self.budget_usd
    }

    pub fn remaining(&self) -> f64 {
        self.budget_usd - self.spent
    }
}

/// Add `usd` to `spent`, creating the file when there is none. A file that
/// is not a JSON object is left alone and reported.
pub fn add_spend(state: &StateDir, usd: f64, now: &str) -> io::Result<f64> {
    state.update(BUDGET_FILE, 1 << 20, |current| {
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

    #[test]
    fn parses_numbers_and_numeric_strings_with_defaults() {
        let b = Budget::parse(br#"{"budget_usd":"2.50","spent":3,"warn_pct":50}"#).expect("object");
        assert_eq!((b.budget_usd, b.spent, b.warn_pct), (2.5, 3.0, 50.0));
        assert!(b.exhausted());
        let d = Budget::parse(b"{}").expect("object");
        assert_eq!((d.budget_usd, d.spent), (DEFAULT_BUDGET_USD, 0.0));
        assert!(!d.exhausted());
        assert_eq!(Budget::parse(b"[1]"), None);
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
        std::fs::write(state.path().join(BUDGET_FILE), "garbage").expect("write");
        assert!(add_spend(&state, 1.0, "t3").is_err());
        assert_eq!(
            std::fs::read_to_string(state.path().join(BUDGET_FILE)).expect("read"),
            "garbage"
        );
    }
}
