//! Every flag `.agentops/flags.json` understands: name, how its value is
//! read, default, allowed values and what it does. Policies, the `agentops
//! flags` and `agentops config` commands and the docs all read this one
//! list, so a flag cannot exist in one place and be missing in another.

use serde_json::Value;

use crate::flags::{FlagKind, Flags};

/// What kind of value a flag holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagType {
    /// On or off, read with the given semantics (see [`FlagKind`]).
    Switch(FlagKind),
    /// One string out of a fixed set.
    Choice(&'static [&'static str]),
    /// A list of strings (stored as a JSON array; typed comma-separated).
    List,
}

/// Which part of agentops a flag belongs to, for listings and presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagGroup {
    /// Enforcement mode and autonomy level.
    Mode,
    /// Guards on commands, paths, content; fail-safe.
    Security,
    /// Supply-chain guards; fail-safe.
    SupplyChain,
    /// Preambles, plan/test/verification gates, lessons.
    Workflow,
    /// `auto_*` nudges that act on the agent's behalf.
    Automation,
    /// Enterprise delivery features (commands and standards guidance).
    Enterprise,
    /// Audit, telemetry, provenance and cost records.
    Observability,
}

impl FlagGroup {
    /// Kebab-case name (`supply-chain`), as listings and `--json` show it.
    pub fn as_str(self) -> &'static str {
        match self {
            FlagGroup::Mode => "mode",
            FlagGroup::Security => "security",
            FlagGroup::SupplyChain => "supply-chain",
            FlagGroup::Workflow => "workflow",
            FlagGroup::Automation => "automation",
            FlagGroup::Enterprise => "enterprise",
            FlagGroup::Observability => "observability",
        }
    }
}

/// One flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlagSpec {
    /// The key in flags.json, e.g. `star_gate_enabled`.
    pub name: &'static str,
    /// Which values it takes and, for a switch, how they read as on or off.
    pub ty: FlagType,
    /// The section it is listed under; presets also pick flags by group.
    pub group: FlagGroup,
    /// The value used when flags.json does not set the flag, as written to
    /// the file (`true`, `advisory`, ...).
    pub default: &'static str,
    /// One line saying what the flag does, for `agentops flags` and the docs.
    pub description: &'static str,
}

const SECURITY: FlagType = FlagType::Switch(FlagKind::Security);
const AUTOMATION: FlagType = FlagType::Switch(FlagKind::Automation);

macro_rules! flag {
    ($name:literal, $ty:expr, $group:ident, $default:literal, $desc:literal) => {
        FlagSpec {
            name: $name,
            ty: $ty,
            group: FlagGroup::$group,
            default: $default,
            description: $desc,
        }
    };
}

/// Every flag, grouped as listings show them.
pub static CATALOGUE: &[FlagSpec] = &[
    flag!(
        "enforcement_mode",
        FlagType::Choice(&["advisory", "blocking"]),
        Mode,
        "advisory",
        "What soft gates do: advisory asks the user (or only notes, on Stop), blocking denies"
    ),
    flag!(
        "agent_ask_fallback",
        FlagType::Choice(&["deny", "allow"]),
        Mode,
        "deny",
        "What an ask becomes on agents that cannot ask the user (Codex, Gemini, Cursor's file hooks): deny refuses with the reason, allow lets the call through with a note"
    ),
    flag!(
        "autonomy_level",
        FlagType::Choice(&["guided", "supervised", "autonomous"]),
        Mode,
        "guided",
        "How much the workflow commands let the agent do without a human checkpoint"
    ),
    flag!(
        "command_validation_enabled",
        SECURITY,
        Security,
        "true",
        "Check Bash commands for destructive and dangerous operations"
    ),
    flag!(
        "config_guard_enabled",
        SECURITY,
        Security,
        "true",
        "Block mid-session settings changes that would switch agentops' hooks off, and have the user approve the next tool call"
    ),
    flag!(
        "elicitation_check_enabled",
        SECURITY,
        Security,
        "true",
        "Decline MCP servers' requests to the user that read like a prompt injection or send the user to a suspicious page"
    ),
    flag!(
        "instructions_scan_enabled",
        SECURITY,
        Security,
        "true",
        "Scan memory and rule files (CLAUDE.md, .claude/rules) as they enter the context, for prompt injection and invisible Unicode"
    ),
    flag!(
        "run_later_check_enabled",
        SECURITY,
        Security,
        "true",
        "Judge code written into files that run by themselves later (package scripts, conftest.py, Makefiles, CI steps, hooks, editor tasks)"
    ),
    flag!(
        "permission_autopilot_enabled",
        AUTOMATION,
        Security,
        "false",
        "Permission autopilot: allow Bash commands whose every effect is known and stays in the project, ask for commands the knowledge base does not know"
    ),
    flag!(
        "path_validation_enabled",
        SECURITY,
        Security,
        "true",
        "Check file paths against protected locations"
    ),
    flag!(
        "env_validation_enabled",
        SECURITY,
        Security,
        "true",
        "Check environment variable assignments in commands"
    ),
    flag!(
        "injection_scan_enabled",
        SECURITY,
        Security,
        "true",
        "Scan tool input for prompt-injection patterns"
    ),
    flag!(
        "content_trust_enabled",
        SECURITY,
        Security,
        "true",
        "Mark content from web and MCP tools as untrusted"
    ),
    flag!(
        "exfiltration_detection_enabled",
        SECURITY,
        Security,
        "true",
        "Detect commands that send data out of the machine"
    ),
    flag!(
        "credential_redaction_enabled",
        SECURITY,
        Security,
        "true",
        "Warn when tool output exposes credentials"
    ),
    flag!(
        "llm_content_firewall_enabled",
        SECURITY,
        Security,
        "true",
        "Model-based injection check on external content"
    ),
    flag!(
        "unicode_firewall_enabled",
        SECURITY,
        SupplyChain,
        "true",
        "Strip invisible Unicode on writes, warn on reads, scan the project at session start"
    ),
    flag!(
        "integrity_verification_enabled",
        SECURITY,
        SupplyChain,
        "true",
        "Record hashes of agent-written files and verify them at session start"
    ),
    flag!(
        "lockfile_audit_enabled",
        SECURITY,
        SupplyChain,
        "true",
        "Audit dependency lockfiles at session start"
    ),
    flag!(
        "lockfile_allowed_hosts",
        FlagType::List,
        SupplyChain,
        "",
        "Extra registry hosts lockfiles may download from (comma-separated)"
    ),
    flag!(
        "audit_log_enabled",
        SECURITY,
        Observability,
        "true",
        "Keep the tamper-evident audit log .agentops/audit.jsonl"
    ),
    flag!(
        "telemetry_enabled",
        AUTOMATION,
        Observability,
        "true",
        "Spool telemetry records for `agentops telemetry export`"
    ),
    flag!(
        "cost_tracking_enabled",
        AUTOMATION,
        Observability,
        "true",
        "Record token spend from transcripts in .agentops/budget.json"
    ),
    flag!(
        "budget_enforcement_enabled",
        AUTOMATION,
        Observability,
        "false",
        "Deny non-reading tools once the budget in .agentops/budget.json is spent (opt-in)"
    ),
    flag!(
        "failure_log_enabled",
        SECURITY,
        Observability,
        "true",
        "Record tool failures in .agentops/failures.jsonl for the evolve loop"
    ),
    flag!(
        "delegation_log_enabled",
        SECURITY,
        Observability,
        "true",
        "Record sub-agent starts in .agentops/delegation.jsonl"
    ),
    flag!(
        "file_provenance_enabled",
        SECURITY,
        Observability,
        "true",
        "Record where written and fetched files came from"
    ),
    flag!(
        "star_preamble_enabled",
        SECURITY,
        Workflow,
        "true",
        "Remind the agent of the STAR planning protocol at session start"
    ),
    flag!(
        "star_gate_enabled",
        SECURITY,
        Workflow,
        "true",
        "Ask the agent for a STAR plan in tasks/todo.md once its observation grace is used"
    ),
    flag!(
        "code_field_rules_enabled",
        SECURITY,
        Workflow,
        "true",
        "Remind the agent of the Code Field method (confidence, verification) at session start"
    ),
    flag!(
        "lessons_enabled",
        SECURITY,
        Workflow,
        "true",
        "Load recent lessons from tasks/lessons.md at session start"
    ),
    flag!(
        "auto_prune_enabled",
        SECURITY,
        Workflow,
        "true",
        "Prune completed items from tasks/todo.md at session start"
    ),
    flag!(
        "plan_gate_enabled",
        AUTOMATION,
        Workflow,
        "true",
        "Require a plan in tasks/todo.md once several files are modified"
    ),
    flag!(
        "verification_gate_enabled",
        AUTOMATION,
        Workflow,
        "true",
        "At stop, report unchecked items in tasks/todo.md"
    ),
    flag!(
        "test_gate_enabled",
        AUTOMATION,
        Workflow,
        "true",
        "At stop, report modified files without a test run"
    ),
    flag!(
        "auto_plan_enabled",
        AUTOMATION,
        Automation,
        "true",
        "Gate further writes once 3+ files are modified without a current plan"
    ),
    flag!(
        "auto_test_enabled",
        AUTOMATION,
        Automation,
        "true",
        "Tell the agent to run tests after 3+ source files change without a test run"
    ),
    flag!(
        "auto_lesson_enabled",
        AUTOMATION,
        Automation,
        "true",
        "Ask the agent to capture a lesson after a tool failure"
    ),
    flag!(
        "auto_verify_enabled",
        AUTOMATION,
        Automation,
        "true",
        "At stop, check that every item in tasks/todo.md is done"
    ),
    flag!(
        "auto_evolve_enabled",
        AUTOMATION,
        Automation,
        "true",
        "Nudge the agent to run /agentops:evolve when failures accumulate"
    ),
    flag!(
        "auto_delegate_enabled",
        AUTOMATION,
        Automation,
        "true",
        "Ask for code-critic and security-reviewer agents after 5+ source files change"
    ),
    flag!(
        "enterprise_scaffold",
        AUTOMATION,
        Enterprise,
        "true",
        "Project scaffolding commands and file naming/placement guidance"
    ),
    flag!(
        "ai_workflows",
        AUTOMATION,
        Enterprise,
        "true",
        "AI-first workflow commands and AI-pitfall guidance on writes"
    ),
    flag!(
        "unified_review",
        AUTOMATION,
        Enterprise,
        "true",
        "Unified code review commands"
    ),
    flag!(
        "architecture_guardrails",
        AUTOMATION,
        Enterprise,
        "true",
        "Architecture pattern commands"
    ),
    flag!(
        "delivery_lifecycle",
        AUTOMATION,
        Enterprise,
        "true",
        "Delivery phase commands"
    ),
    flag!(
        "team_governance",
        AUTOMATION,
        Enterprise,
        "true",
        "Team onboarding and knowledge commands"
    ),
    flag!(
        "client_comms",
        AUTOMATION,
        Enterprise,
        "true",
        "Client communication templates"
    ),
];

/// The spec of a flag, by exact name.
pub fn lookup(name: &str) -> Option<&'static FlagSpec> {
    CATALOGUE.iter().find(|f| f.name == name)
}

/// The known flag closest to a misspelt name, if any is close enough to be
/// a plausible typo.
pub fn suggest(name: &str) -> Option<&'static str> {
    let name = name.to_ascii_lowercase();
    // `star_gate` for `star_gate_enabled`: the usual omission.
    if let Some(spec) = CATALOGUE
        .iter()
        .find(|f| f.name.strip_suffix("_enabled") == Some(name.as_str()))
    {
        return Some(spec.name);
    }
    CATALOGUE
        .iter()
        .map(|f| (edit_distance(&name, f.name), f.name))
        .filter(|(d, flag)| *d <= 3.max(flag.len() / 5))
        .min_by_key(|(d, _)| *d)
        .map(|(_, flag)| flag)
}

/// Levenshtein distance between two names, for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Why a value cannot be stored for a flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagError {
    /// No flag has this name.
    Unknown {
        /// The name as typed.
        name: String,
        /// The closest known flag, when it is near enough to be a likely typo
        /// (see [`suggest`]).
        suggestion: Option<&'static str>,
    },
    /// The flag exists but does not accept the value.
    BadValue {
        /// The flag's name.
        name: &'static str,
        /// The rejected value, as typed.
        value: String,
        /// What the flag accepts, as [`FlagSpec::allowed`] lists it.
        allowed: Vec<&'static str>,
    },
}

impl std::fmt::Display for FlagError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FlagError::Unknown { name, suggestion } => {
                write!(f, "unknown flag `{name}`")?;
                if let Some(s) = suggestion {
                    write!(f, " (did you mean `{s}`?)")?;
                }
                f.write_str("; `agentops flags list` shows every flag")
            }
            FlagError::BadValue {
                name,
                value,
                allowed,
            } => write!(
                f,
                "`{value}` is not a valid value for {name} (allowed: {})",
                allowed.join(", ")
            ),
        }
    }
}

impl std::error::Error for FlagError {}

impl FlagSpec {
    /// The values `flags set` accepts for this flag.
    pub fn allowed(&self) -> Vec<&'static str> {
        match self.ty {
            FlagType::Switch(_) => vec!["true", "false", "on", "off"],
            FlagType::Choice(values) => values.to_vec(),
            FlagType::List => vec!["a comma-separated list"],
        }
    }

    /// Turn what a user typed into the JSON value stored in flags.json:
    /// switches become booleans, choices stay strings.
    pub fn parse_value(&self, value: &str) -> Result<Value, FlagError> {
        let typed = value.trim();
        let parsed = match self.ty {
            FlagType::Switch(_) => match typed.to_ascii_lowercase().as_str() {
                "true" | "on" => Some(Value::Bool(true)),
                "false" | "off" => Some(Value::Bool(false)),
                _ => None,
            },
            FlagType::Choice(values) => values
                .iter()
                .find(|v| **v == typed)
                .map(|v| Value::String((*v).to_string())),
            FlagType::List => Some(list_value(typed)),
        };
        parsed.ok_or_else(|| FlagError::BadValue {
            name: self.name,
            value: value.to_string(),
            allowed: self.allowed(),
        })
    }

    /// The default as the JSON value flags.json would hold.
    pub fn default_value(&self) -> Value {
        match self.ty {
            FlagType::Switch(_) => Value::Bool(self.default == "true"),
            FlagType::Choice(_) => Value::String(self.default.to_string()),
            FlagType::List => list_value(self.default),
        }
    }

    /// The value in effect, as a string: an unset flag has its default; a
    /// set switch reads `true`/`false` with its semantics (fail-safe or
    /// strict); a choice outside its set falls back to the default.
    pub fn effective(&self, flags: &Flags) -> String {
        let set = flags.get_string(self.name);
        match self.ty {
            FlagType::Switch(_) if set.is_none() => self.default.to_string(),
            FlagType::Switch(kind) => flags.enabled(self.name, kind).to_string(),
            FlagType::Choice(values) => set
                .filter(|v| values.contains(&v.as_str()))
                .unwrap_or_else(|| self.default.to_string()),
            FlagType::List => match flags.get(self.name) {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
                _ => set.unwrap_or_else(|| self.default.to_string()),
            },
        }
    }

    /// Whether a switch is on (choices and lists: never).
    pub fn is_on(&self, flags: &Flags) -> bool {
        matches!(self.ty, FlagType::Switch(_)) && self.effective(flags) == "true"
    }
}

fn list_value(typed: &str) -> Value {
    Value::Array(
        typed
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_string()))
            .collect(),
    )
}

/// Validate a name and a typed value together, for `flags set`.
pub fn parse_setting(name: &str, value: &str) -> Result<(&'static FlagSpec, Value), FlagError> {
    let spec = lookup(name).ok_or_else(|| FlagError::Unknown {
        name: name.to_string(),
        suggestion: suggest(name),
    })?;
    Ok((spec, spec.parse_value(value)?))
}

/// Named bundles of settings for `agentops config preset`.
pub const PRESETS: [&str; 4] = ["minimal", "standard", "enterprise", "autonomous"];

/// The settings a preset writes. Flags it does not name keep their current
/// value. `None` for an unknown preset.
pub fn preset(name: &str) -> Option<Vec<(&'static str, Value)>> {
    // Every switch on (opt-in ones too), advisory enforcement.
    let all_on_with = |autonomy: &'static str| -> Vec<(&'static str, Value)> {
        CATALOGUE
            .iter()
            .filter_map(|s| match (s.name, s.ty) {
                ("enforcement_mode", _) => Some((s.name, Value::from("advisory"))),
                ("autonomy_level", _) => Some((s.name, Value::from(autonomy))),
                (_, FlagType::Switch(_)) => Some((s.name, Value::Bool(true))),
                _ => None,
            })
            .collect()
    };
    match name {
        // Security stays on; every nudge, gate and preamble is switched off.
        "minimal" => Some(
            CATALOGUE
                .iter()
                .filter(|s| {
                    matches!(s.group, FlagGroup::Automation)
                        || (s.group == FlagGroup::Workflow
                            && !matches!(s.name, "lessons_enabled" | "auto_prune_enabled"))
                })
                .map(|s| (s.name, Value::Bool(false)))
                .collect(),
        ),
        // Every flag back to its default, except lists the user configured.
        "standard" => Some(
            CATALOGUE
                .iter()
                .filter(|s| s.ty != FlagType::List)
                .map(|s| (s.name, s.default_value()))
                .collect(),
        ),
        "enterprise" => Some(all_on_with("guided")),
        "autonomous" => Some(all_on_with("autonomous")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_snake_case_and_defaults_are_allowed() {
        let mut seen = HashSet::new();
        for spec in CATALOGUE {
            assert!(seen.insert(spec.name), "duplicate {}", spec.name);
            assert!(
                spec.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                spec.name
            );
            assert!(spec.parse_value(spec.default).is_ok(), "{}", spec.name);
            assert!(!spec.description.is_empty());
        }
    }

    #[test]
    fn settings_are_validated() {
        let cases: &[(&str, &str, Result<Value, &str>)] = &[
            ("auto_plan_enabled", "true", Ok(json!(true))),
            ("auto_plan_enabled", "OFF", Ok(json!(false))),
            ("enforcement_mode", "blocking", Ok(json!("blocking"))),
            ("autonomy_level", "supervised", Ok(json!("supervised"))),
            ("enforcement_mode", "strict", Err("not a valid value")),
            ("auto_plan_enabled", "yes", Err("not a valid value")),
            (
                "auto_plan_enabeld",
                "true",
                Err("did you mean `auto_plan_enabled`"),
            ),
            ("no_such_flag_at_all", "true", Err("unknown flag")),
            (
                "star_gate",
                "false",
                Err("did you mean `star_gate_enabled`"),
            ),
        ];
        for (name, value, want) in cases {
            let got = parse_setting(name, value).map(|(_, v)| v);
            match (got, want) {
                (Ok(v), Ok(w)) => assert_eq!(&v, w, "{name}={value}"),
                (Err(e), Err(w)) => assert!(e.to_string().contains(w), "{name}={value}: {e}"),
                (got, want) => panic!("{name}={value}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn effective_values_follow_flag_semantics() {
        let flags = Flags::from_pairs([
            ("star_gate_enabled", json!("tru")),
            ("auto_test_enabled", json!("tru")),
            ("enforcement_mode", json!("strict")),
        ]);
        let get = |n: &str| lookup(n).expect("known").effective(&flags);
        assert_eq!(get("star_gate_enabled"), "true", "security flags fail safe");
        assert_eq!(get("auto_test_enabled"), "false", "automation is strict");
        assert_eq!(get("enforcement_mode"), "advisory");
        assert_eq!(get("auto_plan_enabled"), "true", "default");
        assert_eq!(get("budget_enforcement_enabled"), "false", "opt-in default");
        let hosts =
            Flags::from_pairs([("lockfile_allowed_hosts", json!(["a.example", "b.example"]))]);
        assert_eq!(
            lookup("lockfile_allowed_hosts")
                .expect("known")
                .effective(&hosts),
            "a.example,b.example"
        );
    }

    #[test]
    fn lists_are_typed_comma_separated() {
        let (_, v) =
            parse_setting("lockfile_allowed_hosts", " a.example, b.example ,").expect("list");
        assert_eq!(v, json!(["a.example", "b.example"]));
    }

    #[test]
    fn presets_name_only_known_flags_with_valid_values() {
        for name in PRESETS {
            let settings = preset(name).expect("preset exists");
            assert!(!settings.is_empty());
            for (flag, value) in settings {
                let spec = lookup(flag).expect("known flag");
                let text = match &value {
                    Value::String(s) => s.clone(),
                    Value::Array(items) => items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(","),
                    other => other.to_string(),
                };
                assert!(spec.parse_value(&text).is_ok(), "{name}: {flag}={value}");
            }
        }
        assert!(preset("security-maximal").is_none());
        let minimal = preset("minimal").expect("minimal");
        assert!(minimal.iter().all(|(_, v)| v == &json!(false)));
        assert!(minimal.iter().any(|(n, _)| *n == "auto_plan_enabled"));
        assert!(!minimal
            .iter()
            .any(|(n, _)| *n == "command_validation_enabled"));
        let autonomous = preset("autonomous").expect("autonomous");
        assert!(autonomous.contains(&("autonomy_level", json!("autonomous"))));
    }
}
