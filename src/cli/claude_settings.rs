//! agentops in a Claude Code settings file (`install --settings`,
//! `uninstall --settings`): what install adds, recorded next to the file so
//! that uninstall removes exactly that, and a timestamped backup per
//! actual change. The document edits are pure functions; [`install`] and
//! [`uninstall`] do the file I/O.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use agentops_engine::wiring::{is_agentops_handler, DENY_RULES, LLM_FIREWALL_PROMPT};
use serde_json::{json, Map, Value};

/// What install added to one settings file, beyond its hook handlers
/// (which are recognisable by themselves).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Record {
    /// `permissions.deny` rules that were not there before.
    #[serde(default)]
    pub deny_added: Vec<String>,
    /// What install created (`file`, `hooks`, `permissions`,
    /// `permissions.deny`), removed again when uninstall leaves it empty.
    #[serde(default)]
    pub created: Vec<String>,
    /// The prompt of the LLM firewall hook as installed (its text may
    /// change between versions; the recorded one is still ours).
    #[serde(default)]
    pub prompts: Vec<String>,
}

/// Whether a hook handler is one agentops installed: a command running
/// `agentops hook …`, or the LLM content firewall's prompt.
pub fn is_ours(handler: &Value, record: &Record) -> bool {
    if is_agentops_handler(handler) {
        return true;
    }
    let prompt = handler.get("prompt").and_then(Value::as_str);
    handler.get("type").and_then(Value::as_str) == Some("prompt")
        && prompt.is_some_and(|p| p == LLM_FIREWALL_PROMPT || record.prompts.iter().any(|r| r == p))
}

/// Remove agentops' handlers from `settings.hooks`, then the groups and
/// events they leave empty. Returns how many handlers were removed.
pub fn remove_handlers(settings: &mut Map<String, Value>, record: &Record) -> usize {
    let Some(hooks) = settings.get_mut("hooks").and_then(Value::as_object_mut) else {
        return 0;
    };
    let mut removed = 0;
    for groups in hooks.values_mut() {
        let Some(list) = groups.as_array_mut() else {
            continue;
        };
        for group in list.iter_mut() {
            if let Some(handlers) = group.get_mut("hooks").and_then(Value::as_array_mut) {
                let before = handlers.len();
                handlers.retain(|h| !is_ours(h, record));
                removed += before - handlers.len();
            }
        }
        list.retain(|g| {
            g.get("hooks")
                .and_then(Value::as_array)
                .is_none_or(|h| !h.is_empty())
        });
    }
    hooks.retain(|_, groups| groups.as_array().is_none_or(|g| !g.is_empty()));
    removed
}

/// `settings` with agentops' hooks (`ours`, a `hooks` object) and deny
/// rules, replacing what an earlier install added; everything else kept.
/// Returns the new document and the updated record.
pub fn with_agentops(settings: &Value, ours: &Value, record: &Record) -> (Value, Record) {
    let mut doc = settings.as_object().cloned().unwrap_or_default();
    let mut record = record.clone();
    let note_created = |name: &str, record: &mut Record| {
        if !record.created.iter().any(|c| c == name) {
            record.created.push(name.to_string());
        }
    };
    remove_handlers(&mut doc, &record);
    if !doc.get("hooks").is_some_and(Value::is_object) {
        doc.insert("hooks".into(), json!({}));
        note_created("hooks", &mut record);
    }
    if let (Some(hooks), Some(ours)) = (
        doc.get_mut("hooks").and_then(Value::as_object_mut),
        ours.as_object(),
    ) {
        for (event, groups) in ours {
            let slot = hooks.entry(event.clone()).or_insert_with(|| json!([]));
            if let (Some(slot), Some(groups)) = (slot.as_array_mut(), groups.as_array()) {
                slot.extend(groups.iter().cloned());
            }
        }
    }
    record.prompts.retain(|p| p != LLM_FIREWALL_PROMPT);
    if ours.to_string().contains("\"type\":\"prompt\"") {
        record.prompts.push(LLM_FIREWALL_PROMPT.to_string());
    }
    if !doc.get("permissions").is_some_and(Value::is_object) {
        doc.insert("permissions".into(), json!({}));
        note_created("permissions", &mut record);
    }
    if let Some(permissions) = doc.get_mut("permissions").and_then(Value::as_object_mut) {
        if !permissions.get("deny").is_some_and(Value::is_array) {
            permissions.insert("deny".into(), json!([]));
            note_created("permissions.deny", &mut record);
        }
        if let Some(deny) = permissions.get_mut("deny").and_then(Value::as_array_mut) {
            for rule in DENY_RULES {
                if !deny.iter().any(|r| r.as_str() == Some(rule)) {
                    deny.push(json!(rule));
                    if !record.deny_added.iter().any(|r| r == rule) {
                        record.deny_added.push((*rule).to_string());
                    }
                }
            }
        }
    }
    (Value::Object(doc), record)
}

/// `settings` without what install added: agentops' handlers, the deny
/// rules the record says it added, and containers it created that are now
/// empty. Returns the document and how many handlers were removed.
pub fn without_agentops(settings: &Value, record: &Record) -> (Value, usize) {
    let mut doc = settings.as_object().cloned().unwrap_or_default();
    let removed = remove_handlers(&mut doc, record);
    let created = |name: &str| record.created.iter().any(|c| c == name);
    let empty = |v: Option<&Value>| {
        v.is_some_and(|v| {
            v.as_object().is_some_and(Map::is_empty) || v.as_array().is_some_and(Vec::is_empty)
        })
    };
    if created("hooks") && empty(doc.get("hooks")) {
        doc.remove("hooks");
    }
    if let Some(permissions) = doc.get_mut("permissions").and_then(Value::as_object_mut) {
        if let Some(deny) = permissions.get_mut("deny").and_then(Value::as_array_mut) {
            deny.retain(|r| {
                !r.as_str()
                    .is_some_and(|r| record.deny_added.iter().any(|a| a == r))
            });
        }
        if created("permissions.deny") && empty(permissions.get("deny")) {
            permissions.remove("deny");
        }
    }
    if created("permissions") && empty(doc.get("permissions")) {
        doc.remove("permissions");
    }
    (Value::Object(doc), removed)
}

/// Where install keeps its record for a settings file.
pub fn record_path(settings: &Path) -> PathBuf {
    settings.with_extension("agentops-install.json")
}

fn read_record(settings: &Path) -> io::Result<Option<Record>> {
    match fs::read(record_path(settings)) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            io::Error::other(format!(
                "{} is not readable ({e}); move it away to start afresh",
                record_path(settings).display()
            ))
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The settings document, `{}` when the file does not exist; an error when
/// it is not a JSON object (nothing is written over a file agentops cannot
/// read).
fn read_settings(path: &Path) -> io::Result<(Value, bool)> {
    match fs::read(path) {
        Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
            Ok(v @ Value::Object(_)) => Ok((v, true)),
            _ => Err(io::Error::other(format!(
                "{} is not a JSON object; fix it or move it away first",
                path.display()
            ))),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok((json!({}), false)),
        Err(e) => Err(e),
    }
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let mut text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    text.push('\n');
    agentops_state::replace_atomically(path, text.as_bytes())
}

/// Copy `path` to `<path>.agentops-backup-<UTC time>` (with `-2`, `-3`, …
/// when that name is taken: a backup is never overwritten).
fn backup(path: &Path) -> io::Result<PathBuf> {
    let stamp = agentops_records::clock::Instant::now()
        .iso()
        .replace([':', '-'], "");
    let stamp: String = stamp.chars().take_while(|c| *c != '.').collect();
    let stamp = stamp.trim_end_matches('Z').to_string() + "Z";
    let bytes = fs::read(path)?;
    for n in 1.. {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        let name = format!(
            "{}.agentops-backup-{stamp}{suffix}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        let candidate = path.with_file_name(name);
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(mut file) => {
                io::Write::write_all(&mut file, &bytes)?;
                return Ok(candidate);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("no free backup name"))
}

/// Write `after` over `path` when it differs from `before`, backing the
/// old file up first. Returns whether anything changed.
fn replace_if_changed(
    path: &Path,
    before: &Value,
    after: &Value,
    existed: bool,
) -> io::Result<bool> {
    if before == after {
        return Ok(false);
    }
    if existed {
        let copy = backup(path)?;
        println!("backed up {} to {}", path.display(), copy.display());
    }
    write_json(path, after)?;
    Ok(true)
}

/// Register agentops' hooks (`ours`) and deny rules in the settings file.
pub fn install(path: &Path, ours: &Value) -> io::Result<()> {
    let (before, existed) = read_settings(path)?;
    let record = read_record(path)?.unwrap_or_default();
    let (after, mut record) = with_agentops(&before, ours, &record);
    if !existed && !record.created.iter().any(|c| c == "file") {
        record.created.push("file".to_string());
    }
    if replace_if_changed(path, &before, &after, existed)? {
        write_json(&record_path(path), &record)?;
        println!("registered agentops hooks in {}", path.display());
    } else {
        println!(
            "agentops is already registered in {}; nothing changed",
            path.display()
        );
    }
    Ok(())
}

/// Remove what install added to the settings file.
pub fn uninstall(path: &Path) -> io::Result<()> {
    let (before, existed) = read_settings(path)?;
    let record = read_record(path)?;
    let known = record.clone().unwrap_or_default();
    let (after, removed) = without_agentops(&before, &known);
    let created_file = known.created.iter().any(|c| c == "file");
    if created_file && after == json!({}) && existed {
        // Install made the file; nothing else is in it.
        fs::remove_file(path)?;
        println!("removed {} (agentops had created it)", path.display());
    } else if replace_if_changed(path, &before, &after, existed)? {
        println!(
            "removed {removed} agentops hook handler(s){} from {}",
            if known.deny_added.is_empty() {
                String::new()
            } else {
                format!(" and {} deny rule(s)", known.deny_added.len())
            },
            path.display()
        );
    } else {
        println!(
            "agentops is not registered in {}; nothing changed",
            path.display()
        );
    }
    if record.is_none() && removed > 0 {
        println!(
            "note: no install record next to {}, so the permissions.deny rules were left as they are",
            path.display()
        );
    }
    match fs::remove_file(record_path(path)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(prompt: bool) -> Value {
        let mut post = vec![
            json!({"matcher": "Bash", "hooks": [{"type": "command", "command": "/bin/agentops", "args": ["hook", "PostToolUse"]}]}),
        ];
        if prompt {
            post.push(json!({"matcher": "WebFetch", "hooks": [{"type": "prompt", "prompt": LLM_FIREWALL_PROMPT}]}));
        }
        json!({"PostToolUse": post})
    }

    #[test]
    fn installing_twice_is_the_same_as_once_and_uninstall_restores_the_file() {
        let theirs = json!({"model": "opus", "permissions": {"deny": ["Bash(rm -rf /)", "Read(.env)"]},
            "hooks": {"PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "prettier"}]}]}});
        let (once, record) = with_agentops(&theirs, &ours(true), &Record::default());
        let (twice, record2) = with_agentops(&once, &ours(true), &record);
        assert_eq!(once, twice);
        assert_eq!(record, record2);
        assert!(
            !record.deny_added.contains(&"Bash(rm -rf /)".to_string()),
            "it was there before"
        );
        let (back, removed) = without_agentops(&twice, &record2);
        assert_eq!(removed, 2);
        assert_eq!(back, theirs);
    }

    #[test]
    fn uninstall_from_an_empty_file_removes_the_containers_it_created() {
        let (installed, record) = with_agentops(&json!({}), &ours(false), &Record::default());
        assert!(installed["permissions"]["deny"]
            .as_array()
            .is_some_and(|d| !d.is_empty()));
        assert_eq!(without_agentops(&installed, &record).0, json!({}));
    }

    #[test]
    fn a_duplicated_prompt_hook_from_an_old_install_is_collapsed() {
        let mut doc = json!({});
        let (once, record) = with_agentops(&doc, &ours(true), &Record::default());
        doc = once.clone();
        // The old bug: a second prompt group appended by hand or by an old version.
        doc["hooks"]["PostToolUse"]
            .as_array_mut()
            .expect("array")
            .push(json!({"matcher": "WebFetch", "hooks": [{"type": "prompt", "prompt": LLM_FIREWALL_PROMPT}]}));
        let (fixed, _) = with_agentops(&doc, &ours(true), &record);
        assert_eq!(fixed, once);
    }
}
