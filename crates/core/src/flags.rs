//! `.agentops/flags.json`: feature flags, enforcement mode and autonomy level.
//!
//! Semantics follow upstream so existing flag files keep their meaning:
//! a security flag is on unless it is explicitly `false`; an automation flag
//! is on only when its value (or its default, `true`) is exactly `true`.
//! Values may be JSON booleans or the strings `"true"`/`"false"`.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// How a flag's value turns into on/off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagKind {
    /// Fail-safe: anything but `false` keeps the guard on (a typo never
    /// disables security).
    Security,
    /// Strict: only `true` turns the automation on.
    Automation,
}

/// `enforcement_mode`: what a soft rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EnforcementMode {
    /// Soft rules ask the user.
    #[default]
    Advisory,
    /// Soft rules deny.
    Blocking,
}

impl EnforcementMode {
    /// The value as written in flags.json.
    pub fn as_str(self) -> &'static str {
        match self {
            EnforcementMode::Advisory => "advisory",
            EnforcementMode::Blocking => "blocking",
        }
    }
}

/// `autonomy_level`: how much the workflow gates let the agent do alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AutonomyLevel {
    /// The default: workflow commands stop for plan approval and final review.
    #[default]
    Guided,
    /// As guided, and also after every step of a plan.
    Supervised,
    /// No routine checkpoints; still stops on failures and destructive actions.
    Autonomous,
}

impl AutonomyLevel {
    /// The value as written in flags.json.
    pub fn as_str(self) -> &'static str {
        match self {
            AutonomyLevel::Guided => "guided",
            AutonomyLevel::Supervised => "supervised",
            AutonomyLevel::Autonomous => "autonomous",
        }
    }
}

/// Why a flags file could not be used as written. Defaults apply for the
/// parts that failed; security stays on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagsProblem(pub String);

impl fmt::Display for FlagsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parsed flags. Missing file and empty file both mean "all defaults".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flags {
    values: BTreeMap<String, Value>,
    /// Set when the file existed but was not a JSON object.
    pub problem: Option<FlagsProblem>,
}

impl Flags {
    /// Parse the bytes of a flags file. Never fails: a corrupt file yields
    /// default flags plus a [`FlagsProblem`].
    pub fn parse(bytes: &[u8]) -> Flags {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Flags::default();
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Flags {
                values: map.into_iter().collect(),
                problem: None,
            },
            Ok(other) => Flags {
                values: BTreeMap::new(),
                problem: Some(FlagsProblem(format!(
                    "flags.json must hold a JSON object, found {}; using defaults",
                    json_kind(&other)
                ))),
            },
            Err(e) => Flags {
                values: BTreeMap::new(),
                problem: Some(FlagsProblem(format!(
                    "flags.json is not valid JSON ({e}); using defaults"
                ))),
            },
        }
    }

    /// Build flags from pairs, for tests and presets.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, Value)>) -> Flags {
        Flags {
            values: pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            problem: None,
        }
    }

    /// The raw value, if the file sets it.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name).filter(|v| !v.is_null())
    }

    /// The value as upstream's `tostring` sees it: strings as they are,
    /// everything else as compact JSON.
    pub fn get_string(&self, name: &str) -> Option<String> {
        self.get(name).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    /// Whether a switch is on, read with `kind`'s semantics. An unset flag is
    /// on for both kinds: the catalogue's defaults are not consulted here, so
    /// an opt-in flag must be read with
    /// [`FlagSpec::is_on`](crate::catalogue::FlagSpec::is_on).
    pub fn enabled(&self, name: &str, kind: FlagKind) -> bool {
        let value = self.get_string(name);
        match kind {
            FlagKind::Security => value.as_deref() != Some("false"),
            FlagKind::Automation => value.as_deref().unwrap_or("true") == "true",
        }
    }

    /// The `enforcement_mode` flag; anything but `blocking` reads as advisory.
    pub fn enforcement_mode(&self) -> EnforcementMode {
        match self.get_string("enforcement_mode").as_deref() {
            Some("blocking") => EnforcementMode::Blocking,
            _ => EnforcementMode::Advisory,
        }
    }

    /// The `autonomy_level` flag; unknown values read as guided.
    pub fn autonomy_level(&self) -> AutonomyLevel {
        match self.get_string("autonomy_level").as_deref() {
            Some("supervised") => AutonomyLevel::Supervised,
            Some("autonomous") => AutonomyLevel::Autonomous,
            _ => AutonomyLevel::Guided,
        }
    }

    /// Every key the file sets with its raw value, in name order (nulls
    /// included, unlike [`Flags::get`]).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_flags_use_defaults() {
        let f = Flags::parse(b"");
        assert!(f.enabled("command_validation_enabled", FlagKind::Security));
        assert!(f.enabled("auto_plan_enabled", FlagKind::Automation));
        assert_eq!(f.enforcement_mode(), EnforcementMode::Advisory);
        assert_eq!(f.autonomy_level(), AutonomyLevel::Guided);
        assert!(f.problem.is_none());
    }

    #[test]
    fn security_flags_are_off_only_on_false() {
        for (value, on) in [
            (json!(false), false),
            (json!("false"), false),
            (json!(true), true),
            (json!("tru"), true),
            (json!(0), true),
            (json!(null), true),
        ] {
            let f = Flags::from_pairs([("x", value.clone())]);
            assert_eq!(f.enabled("x", FlagKind::Security), on, "{value}");
        }
    }

    #[test]
    fn automation_flags_are_on_only_on_true() {
        for (value, on) in [
            (json!(true), true),
            (json!("true"), true),
            (json!("tru"), false),
            (json!("yes"), false),
            (json!(false), false),
            (json!(1), false),
        ] {
            let f = Flags::from_pairs([("x", value.clone())]);
            assert_eq!(f.enabled("x", FlagKind::Automation), on, "{value}");
        }
    }

    #[test]
    fn modes_accept_strings_only_from_their_set() {
        let f = Flags::from_pairs([
            ("enforcement_mode", json!("blocking")),
            ("autonomy_level", json!("autonomous")),
        ]);
        assert_eq!(f.enforcement_mode(), EnforcementMode::Blocking);
        assert_eq!(f.autonomy_level(), AutonomyLevel::Autonomous);
        let odd = Flags::from_pairs([("enforcement_mode", json!("strict"))]);
        assert_eq!(odd.enforcement_mode(), EnforcementMode::Advisory);
    }

    #[test]
    fn corrupt_file_keeps_security_on_and_reports_why() {
        for bytes in [&b"{not json"[..], b"[1,2]", b"\"false\""] {
            let f = Flags::parse(bytes);
            assert!(f.enabled("command_validation_enabled", FlagKind::Security));
            assert!(f.problem.is_some(), "{:?}", String::from_utf8_lossy(bytes));
        }
    }
}
