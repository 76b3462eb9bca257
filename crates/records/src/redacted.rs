//! Redaction before anything is written: every record is redacted with
//! `agentops-redact` first and long text is cut to a bound after
//! redaction, so a secret is never cut in half and left recognisable.

use std::borrow::Cow;

use serde_json::Value;

/// Redact `text`, then cut it to at most `max_chars` characters. Returns
/// the text and whether it was cut.
///
/// Only the first `max_chars` characters can remain, so the text is cut to
/// that plus [`REDACTION_MARGIN`] before it is redacted (see
/// [`redact_value_bounded`]).
pub fn redact_bounded(text: &str, max_chars: usize) -> (String, bool) {
    let window = match char_boundary_after(text, max_chars.saturating_add(REDACTION_MARGIN)) {
        Some(cut) => &text[..cut],
        None => text,
    };
    let redacted: Cow<str> = agentops_redact::redact(window);
    match char_boundary_after(&redacted, max_chars) {
        Some(cut) => (redacted[..cut].to_string(), true),
        None => (redacted.into_owned(), window.len() < text.len()),
    }
}

/// The byte offset where `text`'s character number `chars` (0-based)
/// starts, `None` when it has no more than `chars` characters. A text of no
/// more bytes than that cannot have more characters: no walk over it.
fn char_boundary_after(text: &str, chars: usize) -> Option<usize> {
    if text.len() <= chars {
        return None;
    }
    text.char_indices().nth(chars).map(|(at, _)| at)
}

/// A JSON value as one redacted, bounded string: secret-named fields are
/// masked whole before the text is flattened.
///
/// A string longer than the bound can only show its first `max_chars`
/// characters in the result, so each is cut to that plus
/// [`REDACTION_MARGIN`] before it is redacted: a multi-KB Write costs the
/// redactor what its recorded part costs, and a secret that starts inside
/// the recorded part still has the characters its rule needs to match.
pub fn redact_value_bounded(value: &Value, max_chars: usize) -> (String, bool) {
    let limit = max_chars.saturating_add(REDACTION_MARGIN);
    let shortened = cut_strings(value, limit);
    let value = shortened.as_ref().unwrap_or(value);
    let masked = agentops_redact::redact_json(value);
    let text = match &masked {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    redact_bounded(&text, max_chars)
}

/// Characters kept past the bound before redaction: more than any secret
/// rule needs to recognise a secret that starts before the bound (the
/// longest fixed-length tokens are under 300 characters; a private key
/// block matches from its header on).
pub const REDACTION_MARGIN: usize = 1024;

/// `value` with every string longer than `limit` characters cut to
/// `limit`, or `None` when no string is that long (the common case: no
/// copy).
fn cut_strings(value: &Value, limit: usize) -> Option<Value> {
    match value {
        Value::String(s) => {
            let cut = char_boundary_after(s, limit)?;
            Some(Value::String(s[..cut].to_string()))
        }
        Value::Array(items) => {
            let cut: Vec<Option<Value>> = items.iter().map(|v| cut_strings(v, limit)).collect();
            cut.iter().any(Option::is_some).then(|| {
                Value::Array(
                    items
                        .iter()
                        .zip(cut)
                        .map(|(v, c)| c.unwrap_or_else(|| v.clone()))
                        .collect(),
                )
            })
        }
        Value::Object(map) => {
            let cut: Vec<Option<Value>> = map.values().map(|v| cut_strings(v, limit)).collect();
            cut.iter().any(Option::is_some).then(|| {
                Value::Object(
                    map.iter()
                        .zip(cut)
                        .map(|((k, v), c)| (k.clone(), c.unwrap_or_else(|| v.clone())))
                        .collect(),
                )
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_cut_counts_characters_not_bytes() {
        assert_eq!(char_boundary_after("abc", 3), None);
        assert_eq!(char_boundary_after("abcd", 3), Some(3));
        // Four characters in eight bytes: longer than 3 bytes, not than 4
        // characters.
        assert_eq!(char_boundary_after("éééé", 4), None);
        assert_eq!(char_boundary_after("éééé", 3), Some(6));
        assert_eq!(char_boundary_after("", 0), None);
        assert_eq!(char_boundary_after("a", 0), Some(0));
    }

    #[test]
    fn redaction_happens_before_the_cut() {
        // The key sits across the bound: cut first, and its head would
        // survive unrecognised.
        let text = format!("{} ghp_{}", "x".repeat(10), "A".repeat(36));
        let (out, cut) = redact_bounded(&text, 20);
        assert!(cut);
        assert!(!out.contains("ghp_AAAA"), "{out}");
        let (whole, cut) = redact_bounded("short", 20);
        assert_eq!((whole.as_str(), cut), ("short", false));
    }

    #[test]
    fn secret_named_fields_are_masked_whole() {
        let (out, _) =
            redact_value_bounded(&json!({"password": "hunter2hunter2", "cmd": "ls"}), 500);
        assert!(!out.contains("hunter2"), "{out}");
        assert!(out.contains("\"cmd\":\"ls\""), "{out}");
    }

    #[test]
    fn long_strings_give_what_the_whole_text_gives() {
        // A key near the bound, in an 8 KB Write: redacted either way.
        let content = format!(
            "{}\nexport GITHUB_TOKEN=ghp_{}\n{}",
            "x".repeat(1900),
            "A".repeat(36),
            "fn f() {}\n".repeat(700)
        );
        let input = json!({"file_path": "/p/a.rs", "content": content});
        let (out, cut) = redact_value_bounded(&input, 2000);
        assert!(cut);
        assert_eq!(out.chars().count(), 2000);
        assert!(!out.contains("ghp_AAAA"), "{out}");
        // What the window keeps is what redacting the whole value keeps.
        let whole = agentops_redact::redact_json(&input).to_string();
        let (whole, _) = redact_bounded(&whole, 2000);
        assert_eq!(out, whole);
        // A private key block whose end lies far past the bound.
        let pem = format!(
            "{}-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
            "y".repeat(1990),
            "MIIEpAIBAAKCAQEAx7".repeat(400)
        );
        let (out, _) = redact_value_bounded(&json!({ "content": pem }), 2000);
        assert!(!out.contains("MIIEpAIBAAKCAQEAx7"), "{out}");
        // Short values are not copied and come out whole.
        let (out, cut) = redact_value_bounded(&json!({"command": "ls"}), 2000);
        assert_eq!((out.as_str(), cut), (r#"{"command":"ls"}"#, false));
    }

    #[test]
    fn a_long_text_is_redacted_through_its_window() {
        let text = format!(
            "{} ghp_{} {}",
            "x".repeat(190),
            "B".repeat(36),
            "y".repeat(5000)
        );
        let (out, cut) = redact_bounded(&text, 200);
        assert!(cut);
        assert!(!out.contains("ghp_BBBB"), "{out}");
        let whole = agentops_redact::redact(&text);
        assert_eq!(out, whole.chars().take(200).collect::<String>());
    }

    #[test]
    fn cuts_on_character_boundaries() {
        let (out, cut) = redact_bounded("ééééé", 3);
        assert_eq!((out.as_str(), cut), ("ééé", true));
    }
}
