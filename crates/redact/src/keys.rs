//! Deciding from a name alone whether a field holds a secret
//! (`DB_PASSWORD`, `apiKey`, `client-secret`) and from a value whether it is
//! a placeholder rather than a real secret (`$TOKEN`, `<your key>`).

/// Name segments that make a field secret on their own.
const SECRET_SEGMENTS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "apikey",
    "auth",
    "credential",
    "credentials",
    "privatekey",
    "accesskey",
    "sessionkey",
    "authtoken",
];

/// Segments that make `<segment>_key` a secret (`API_KEY`, `SIGNING_KEY`).
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "private",
    "signing",
    "encryption",
    "master",
    "account",
    "session",
    "auth",
    "client",
    "shared",
    "license",
    "secret",
];

/// A last segment that says the field describes a secret rather than holds
/// it (`TOKEN_FILE`, `PASSWORD_MIN_LENGTH`, `auth_enabled`).
const DESCRIPTIVE_SUFFIXES: &[&str] = &[
    "name",
    "names",
    "file",
    "path",
    "dir",
    "url",
    "uri",
    "type",
    "id",
    "ids",
    "length",
    "len",
    "size",
    "limit",
    "limits",
    "count",
    "ttl",
    "expiry",
    "expires",
    "expiration",
    "timeout",
    "header",
    "endpoint",
    "mode",
    "method",
    "env",
    "var",
    "field",
    "policy",
    "rotation",
    "hint",
    "prompt",
    "label",
    "required",
    "enabled",
    "disabled",
    "format",
    "regex",
    "pattern",
    "min",
    "max",
    "chars",
    "strength",
    "provider",
    "service",
    "class",
    "kind",
    "version",
    "usage",
    "flow",
    "scheme",
    "scope",
    "scopes",
    "state",
    "store",
    "reset",
    "changed",
    "set",
    "valid",
    "ok",
    "input",
];

/// Split `DB_PASSWORD`, `apiKey`, `client-secret.value` into lowercase
/// segments.
fn segments(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || c == '.' || c == ' ' {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether a field or variable with this name holds a secret value.
pub fn is_secret_key_name(name: &str) -> bool {
    let segs = segments(name);
    let Some(last) = segs.last() else {
        return false;
    };
    if DESCRIPTIVE_SUFFIXES.contains(&last.as_str()) {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    if lower.contains("password") || lower.contains("passwd") {
        return true;
    }
    segs.iter().enumerate().any(|(i, s)| {
        SECRET_SEGMENTS.contains(&s.as_str())
            || (s == "key" && i > 0 && KEY_QUALIFIERS.contains(&segs[i - 1].as_str()))
    })
}

/// Values that stand for a secret without being one: variable references,
/// templates, masks, and our own redaction markers.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim_matches(|c| c == '"' || c == '\'' || c == '`');
    if v.is_empty() {
        return true;
    }
    if v.starts_with('$') || v.starts_with('<') || v.starts_with("{{") || v.starts_with("%(") {
        return true;
    }
    if v.starts_with("[REDACTED") {
        return true;
    }
    if v.chars()
        .all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '-' | '_' | '•'))
    {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "true" | "false" | "null" | "none" | "nil" | "undefined" | "redacted" | "..."
    )
}

/// Unquoted values that are code, not literals: calls, indexing, attribute
/// paths (`config.db.password`), type names in annotations.
pub fn looks_like_code(value: &str) -> bool {
    if value.contains('(') || value.contains('[') || value.contains('{') {
        return true;
    }
    if value.ends_with(';') {
        return true;
    }
    let is_ident = |s: &str| {
        let mut chars = s.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let parts: Vec<&str> = value.split('.').collect();
    if parts.len() > 1
        && parts.iter().all(|p| is_ident(p))
        && !value.chars().any(|c| c.is_ascii_digit())
    {
        return true;
    }
    matches!(
        value,
        "string"
            | "str"
            | "String"
            | "number"
            | "int"
            | "bool"
            | "boolean"
            | "bytes"
            | "any"
            | "unknown"
            | "Optional"
            | "object"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for name in [
            "PASSWORD",
            "DB_PASSWORD",
            "mysqlPassword",
            "POSTGRES_PASSWD",
            "api_key",
            "apiKey",
            "API-KEY",
            "apikey",
            "GITHUB_TOKEN",
            "authToken",
            "auth",
            "client_secret",
            "SECRET_KEY_BASE",
            "AWS_SECRET_ACCESS_KEY",
            "private_key",
            "signingKey",
            "passphrase",
            "credentials",
        ] {
            assert!(is_secret_key_name(name), "{name}");
        }
    }

    #[test]
    fn descriptive_or_unrelated_names() {
        for name in [
            "",
            "MAX_TOKENS",
            "max_tokens",
            "TOKEN_FILE",
            "PASSWORD_MIN_LENGTH",
            "auth_enabled",
            "AUTH_TYPE",
            "GIT_AUTHOR_NAME",
            "author",
            "AWS_ACCESS_KEY_ID",
            "key",
            "primary_key",
            "sort_key",
            "tokenizer",
            "passenger",
            "compass",
            "SECRET_NAME",
            "TOKEN_URL",
        ] {
            assert!(!is_secret_key_name(name), "{name}");
        }
    }

    #[test]
    fn placeholders() {
        for v in [
            "",
            "$TOKEN",
            "${DB_PASSWORD}",
            "<your key>",
            "{{ secrets.X }}",
            "****",
            "xxxx",
            "\"\"",
            "[REDACTED:jwt]",
            "null",
        ] {
            assert!(is_placeholder(v), "{v}");
        }
        for v in ["hunter2", "s3cr3t!", "changeme-2024"] {
            assert!(!is_placeholder(v), "{v}");
        }
    }

    #[test]
    fn code_values() {
        for v in [
            "getPassword()",
            "config.db.password",
            "string",
            "os.environ[\"X\"]",
            "string;",
        ] {
            assert!(looks_like_code(v), "{v}");
        }
        for v in ["hunter2", "p4ss.w0rd", "abc123"] {
            assert!(!looks_like_code(v), "{v}");
        }
    }
}
