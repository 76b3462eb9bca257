//! Redaction before anything is written: every record is redacted with
//! `agentops-redact` first and long text is cut to a bound after
//! redaction, so a secret is never cut in half and left recognisable.

use std::borrow::Cow;

use serde_json::Value;

/// Redact `text`, then cut it to at most `max_chars` characters. Returns
/// the text and whether it was cut.
pub fn redact_bounded(text: &str, max_chars: usize) -> (String, bool) {
    let redacted: Cow<str> = agentops_redact::redact(text);
    match redacted.char_indices().nth(max_chars) {
        Some((cut, _)) => (redacted[..cut].to_string(), true),
        None => (redacted.into_owned(), false),
    }
}

/// A JSON value as one redacted, bounded string: secret-named fields are
/// masked whole before the text is flattened.
pub fn redact_value_bounded(value: &Value, max_chars: usize) -> (String, bool) {
    let masked = agentops_redact::redact_json(value);
    let text = match &masked {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    redact_bounded(&text, max_chars)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
    fn cuts_on_character_boundaries() {
        let (out, cut) = redact_bounded("ééééé", 3);
        assert_eq!((out.as_str(), cut), ("ééé", true));
    }
}
