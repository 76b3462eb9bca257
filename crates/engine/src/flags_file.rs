//! Reading and changing a project's `.agentops/flags.json`, for the
//! `agentops flags` and `agentops config` commands: strict reading (a
//! broken file is an error, not the defaults the hook path falls back to)
//! and a locked read-modify-write that reports what changed.

use std::path::Path;

use agentops_core::Flags;
use agentops_state::StateDir;
use serde_json::{Map, Value};

/// The flags file's name under `.agentops/`.
pub const FLAGS_FILE: &str = "flags.json";
/// Largest flags file read.
const MAX_FLAGS_BYTES: u64 = 1 << 20;

/// The flags file as parsed, or why it cannot be used.
pub fn load(project: &Path) -> Result<Flags, String> {
    match StateDir::new(project).read(FLAGS_FILE, MAX_FLAGS_BYTES) {
        Ok(Some(bytes)) => {
            let flags = Flags::parse(&bytes);
            match flags.problem {
                Some(p) => Err(p.to_string()),
                None => Ok(flags),
            }
        }
        Ok(None) => Ok(Flags::default()),
        Err(e) => Err(format!("cannot read .agentops/flags.json: {e}")),
    }
}

/// One change made to flags.json.
pub struct Change {
    /// The flag.
    pub name: &'static str,
    /// Its value in the file before, if it was set.
    pub before: Option<Value>,
    /// Its value now.
    pub after: Value,
}

/// Merge `settings` into flags.json under its lock and atomically; keys
/// not named keep their values. Refuses to overwrite a file that is not a
/// JSON object.
pub fn write_settings(
    project: &Path,
    settings: &[(&'static str, Value)],
) -> Result<Vec<Change>, String> {
    let state = StateDir::new(project);
    let outcome = state.update(FLAGS_FILE, MAX_FLAGS_BYTES, |current| {
        let mut map = match current {
            None => Map::new(),
            Some(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => Map::new(),
            Some(bytes) => match serde_json::from_slice::<Value>(bytes) {
                Ok(Value::Object(map)) => map,
                _ => {
                    return (
                        None,
                        Err(
                            ".agentops/flags.json is not a JSON object; fix or remove it first"
                                .to_string(),
                        ),
                    )
                }
            },
        };
        let mut changes = Vec::new();
        for (name, value) in settings {
            let before = map.insert((*name).to_string(), value.clone());
            if before.as_ref() != Some(value) {
                changes.push(Change {
                    name,
                    before,
                    after: value.clone(),
                });
            }
        }
        let mut text = serde_json::to_string_pretty(&Value::Object(map)).unwrap_or_default();
        text.push('\n');
        (Some(text.into_bytes()), Ok(changes))
    });
    outcome.map_err(|e| format!("cannot write .agentops/flags.json: {e}"))?
}
