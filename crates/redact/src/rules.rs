//! The rule table: one entry per secret shape, in the order they are applied.
//!
//! Order matters: whole blocks and URLs go first, then vendor tokens with
//! distinctive prefixes, then the context rules (`Bearer`, `KEY=value`) that
//! would otherwise claim a token a more specific rule names better.

use regex::Captures;

use crate::keys::{is_placeholder, is_secret_key_name, looks_like_code};
use crate::SecretKind;

/// One way a secret can appear in text.
pub(crate) struct Rule {
    pub kind: SecretKind,
    /// Literals of which at least one occurs in any match; text holding none
    /// of them skips the rule without compiling or running its regex.
    pub needles: &'static [&'static str],
    /// Whether the needles are matched case-sensitively.
    pub case_sensitive: bool,
    pub pattern: &'static str,
    /// Capture groups that may hold the secret, first participating wins;
    /// empty means the whole match.
    pub groups: &'static [&'static str],
    /// Extra check on a match (placeholders, code, random-looking tokens).
    pub accept: fn(&Captures<'_>) -> bool,
}

fn always(_: &Captures<'_>) -> bool {
    true
}

fn named<'t>(caps: &Captures<'t>, name: &str) -> &'t str {
    caps.name(name).map_or("", |m| m.as_str())
}

fn secret_value<'t>(caps: &Captures<'t>) -> &'t str {
    caps.name("dq")
        .or_else(|| caps.name("sq"))
        .or_else(|| caps.name("bare"))
        .or_else(|| caps.name("secret"))
        .map_or("", |m| m.as_str())
}

fn not_placeholder(caps: &Captures<'_>) -> bool {
    !is_placeholder(secret_value(caps))
}

/// Random tokens mix letters and digits; identifiers and prose rarely do
/// both in upper and lower case.
fn looks_random(s: &str) -> bool {
    let digits = s.chars().any(|c| c.is_ascii_digit());
    let upper = s.chars().any(|c| c.is_ascii_uppercase());
    let lower = s.chars().any(|c| c.is_ascii_lowercase());
    digits && upper && lower
}

fn openai_like(caps: &Captures<'_>) -> bool {
    looks_random(named(caps, "secret"))
}

fn token_like(caps: &Captures<'_>) -> bool {
    let v = secret_value(caps);
    !is_placeholder(v) && (v.chars().any(|c| c.is_ascii_digit()) || v.len() >= 40)
}

fn basic_credentials(caps: &Captures<'_>) -> bool {
    decode_base64(secret_value(caps)).is_some_and(|bytes| {
        bytes.contains(&b':') && bytes.iter().all(|b| (0x20..0x7f).contains(b))
    })
}

fn user_password(caps: &Captures<'_>) -> bool {
    let v = secret_value(caps);
    !is_placeholder(v) && !v.chars().all(|c| c.is_ascii_digit())
}

fn secret_assignment(caps: &Captures<'_>) -> bool {
    if !is_secret_key_name(named(caps, "key")) {
        return false;
    }
    let value = secret_value(caps);
    if is_placeholder(value) {
        return false;
    }
    match caps.name("bare") {
        Some(bare) => !looks_like_code(bare.as_str()),
        None => true,
    }
}

/// `key: value` is also how code declares types and passes arguments, so an
/// unquoted value must look like a literal secret, not a word.
fn secret_field(caps: &Captures<'_>) -> bool {
    if !secret_assignment(caps) {
        return false;
    }
    match caps.name("bare") {
        Some(bare) => {
            let v = bare.as_str();
            v.len() >= 16
                || (v.len() >= 6
                    && v.chars()
                        .any(|c| c.is_ascii_digit() || c.is_ascii_punctuation()))
        }
        None => true,
    }
}

/// Decode standard or URL-safe base64 (padding optional); `None` on any
/// other character. Shared with the injection scorer's decoders.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Value of an assignment: double-quoted, single-quoted, or bare up to a
/// separator.
macro_rules! value {
    () => {
        r#"(?:"(?P<dq>[^"\n]*)"|'(?P<sq>[^'\n]*)'|(?P<bare>[^\s"'&;,)}\]]+))"#
    };
}

pub(crate) static RULES: &[Rule] = &[
    Rule {
        kind: SecretKind::PrivateKey,
        needles: &["PRIVATE KEY"],
        case_sensitive: true,
        pattern: r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----(?s:.*?)(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|\z)",
        groups: &[],
        accept: always,
    },
    Rule {
        kind: SecretKind::DatabaseUrl,
        needles: &[
            "postgres",
            "mysql",
            "mariadb",
            "mongodb",
            "redis",
            "amqp",
            "mssql",
            "sqlserver",
            "cockroach",
            "clickhouse",
            "couchdb",
            "neo4j",
            "bolt",
            "oracle",
            "db2",
            "snowflake",
            "jdbc",
        ],
        case_sensitive: false,
        pattern: r#"(?i)\b(?:postgres|postgresql|mysql|mariadb|mongodb|mongodb\+srv|redis|rediss|amqp|amqps|mssql|sqlserver|cockroachdb|clickhouse|couchdb|neo4j|neo4j\+s|bolt|oracle|db2|snowflake|jdbc:[a-z0-9]+)://[^\s:@/'"<>]*:(?P<secret>[^\s@/'"<>]+)@"#,
        groups: &["secret"],
        accept: not_placeholder,
    },
    Rule {
        kind: SecretKind::UrlCredentials,
        needles: &["://"],
        case_sensitive: true,
        pattern: r#"(?i)\b[a-z][a-z0-9+.-]{1,30}://[^\s:@/'"<>]*:(?P<secret>[^\s@/'"<>]+)@"#,
        groups: &["secret"],
        accept: not_placeholder,
    },
    Rule {
        kind: SecretKind::SlackWebhook,
        needles: &["hooks.slack.com"],
        case_sensitive: false,
        pattern: r"(?i)hooks\.slack\.com/(?:services|workflows|triggers)/(?P<secret>[A-Za-z0-9/_-]{8,})",
        groups: &["secret"],
        accept: always,
    },
    Rule {
        kind: SecretKind::DiscordWebhook,
        needles: &["/api/webhooks/"],
        case_sensitive: false,
        pattern: r"(?i)discord(?:app)?\.com/api/webhooks/(?P<secret>[0-9]+/[A-Za-z0-9_-]+)",
        groups: &["secret"],
        accept: always,
    },
    Rule {
        kind: SecretKind::AnthropicKey,
        needles: &["sk-ant-"],
        case_sensitive: true,
        pattern: r"\bsk-ant-[A-Za-z0-9_-]{20,}",
        groups: &[],
        accept: always,
    },
    Rule {
        kind: SecretKind::OpenAiKey,
        needles: &["sk-"],
        case_sensitive: true,
        pattern: r"\bsk-(?:proj-|svcacct-|admin-|None-)?(?P<secret>[A-Za-z0-9_-]{20,})",
        groups: &[],
        accept: openai_like,
    },
    Rule {
        kind: SecretKind::StripeKey,
        needles: &["_live_", "_test_", "whsec_"],
        case_sensitive: true,
        pattern: r"\b(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{20,})",
        groups: &[],
        accept: always,
    },
    Rule {
        kind: SecretKind::GitHubToken,
        needles: &["ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_"],
        case_sensitive: true,
        pattern: r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})",
        groups: &[],
        accept: always,
    },
    Rule {
        kind: SecretKind::GitLabToken,
        needles: &["gl", "GR1348941"],
        case_sensitive: true,
        pattern: r"\b(?:gl(?:pat|dt|ptt|rt|cbt|oat|ft|imt|soat|agent)-[A-Za-z0-9_-]{20,}|GR1348941[A-Za-z0-9_-]{20,})",
        groups: &[],
        accept: always,
    },
    Rule {
        kind: SecretKind::SlackToken,
        needles: &["xox", "xapp-"],
        case_sensitive: true,
        pattern: r"\b(?:xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,})",
        groups: &[],
        accept: always,
    },
    Rule {
        kind: SecretKind::AwsAccessKey,
        needles: &["AKIA", "ASIA", "ABIA", "ACCA"],
        case_sensitive: true,
        pattern: r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b",
        groups: &[],
        accept: always,
    },
    Rule {
        kind: SecretKind::AwsSecretKey,
        needles: &["secret"],
        case_sensitive: false,
        pattern: r#"(?i)(?:aws)?_?secret_?(?:access)?_?key["']?\s*[:=]\s*["']?(?P<secret>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        groups: &["secret"],
        accept: always,
    },
    Rule {
        kind: SecretKind::GoogleApiKey,
        needles: &["AIza", "GOCSPX-", "ya29."],
        case_sensitive: true,
        pattern: r"\b(?:AIza[0-9A-Za-z_-]{35}|GOCSPX-[0-9A-Za-z_-]{28}|ya29\.[0-9A-Za-z_-]{30,})",
        groups: &[],
        accept: always,
    },
    Rule {
        kind: SecretKind::NpmToken,
        needles: &["npm_"],
        case_sensitive: true,
        pattern: r"\bnpm_[A-Za-z0-9]{36}\b",
        groups: &[],
        accept: always,
    },
    Rule {
        kind: SecretKind::NpmToken,
        needles: &["_auth", "_password"],
        case_sensitive: false,
        pattern: concat!(
            r"(?im)(?:^|[:\s])(?:_authToken|_auth|_password)\s*=\s*",
            value!()
        ),
        groups: &["dq", "sq", "bare"],
        accept: not_placeholder,
    },
    Rule {
        kind: SecretKind::PyPiToken,
        needles: &["pypi-Ag"],
        case_sensitive: true,
        pattern: r"\bpypi-Ag[A-Za-z0-9_-]{50,}",
        groups: &[],
        accept: always,
    },
    Rule {
        kind: SecretKind::AzureConnectionString,
        needles: &[
            "AccountKey=",
            "SharedAccessKey=",
            "SharedAccessSignature=",
            "sig=",
        ],
        case_sensitive: false,
        pattern: r"(?i)\b(?:AccountKey|SharedAccessKey|SharedAccessSignature|sig)=(?P<secret>[A-Za-z0-9+/%=]{20,})",
        groups: &["secret"],
        accept: always,
    },
    Rule {
        kind: SecretKind::TwilioKey,
        needles: &["SK"],
        case_sensitive: true,
        pattern: r"\bSK[0-9a-fA-F]{32}\b",
        groups: &[],
        accept: always,
    },
    Rule {
        kind: SecretKind::TwilioKey,
        needles: &["twilio"],
        case_sensitive: false,
        pattern: r#"(?i)twilio[A-Za-z0-9_]*?(?:token|secret|key)["']?\s*[:=]\s*["']?(?P<secret>[0-9a-f]{32})\b"#,
        groups: &["secret"],
        accept: always,
    },
    Rule {
        kind: SecretKind::SendGridKey,
        needles: &["SG."],
        case_sensitive: true,
        pattern: r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b",
        groups: &[],
        accept: always,
    },
    Rule {
        kind: SecretKind::Jwt,
        needles: &["eyJ"],
        case_sensitive: true,
        pattern: r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
        groups: &[],
        accept: always,
    },
    Rule {
        kind: SecretKind::BearerToken,
        needles: &["bearer"],
        case_sensitive: false,
        pattern: r"(?i)\bbearer\s+(?P<secret>[A-Za-z0-9._~+/-]{16,}=*)",
        groups: &["secret"],
        accept: token_like,
    },
    Rule {
        kind: SecretKind::BearerToken,
        needles: &["authorization"],
        case_sensitive: false,
        pattern: r#"(?i)\bauthorization["']?\s*[:=]\s*["']?(?:token|bot|apikey|api-key|key)\s+(?P<secret>[A-Za-z0-9._~+/-]{16,}=*)"#,
        groups: &["secret"],
        accept: token_like,
    },
    Rule {
        kind: SecretKind::BasicAuth,
        needles: &["basic"],
        case_sensitive: false,
        pattern: r"(?i)\bbasic\s+(?P<secret>[A-Za-z0-9+/]{8,}={0,2})",
        groups: &["secret"],
        accept: basic_credentials,
    },
    Rule {
        kind: SecretKind::BasicAuth,
        needles: &["-u", "--user"],
        case_sensitive: true,
        pattern: r#"(?:^|\s)(?:-u|--user)(?:\s+|=)["']?[^\s:"'@]+:(?P<secret>[^\s"']+)"#,
        groups: &["secret"],
        accept: user_password,
    },
    Rule {
        kind: SecretKind::KeyValue,
        needles: &[
            "pass",
            "pwd",
            "secret",
            "token",
            "key",
            "auth",
            "credential",
        ],
        case_sensitive: false,
        pattern: concat!(
            r#"(?:^|[^A-Za-z0-9_.-])-{0,2}(?P<key>[A-Za-z_][A-Za-z0-9_.-]{0,80})[ \t]*=[ \t]*"#,
            value!()
        ),
        groups: &["dq", "sq", "bare"],
        accept: secret_assignment,
    },
    Rule {
        kind: SecretKind::KeyValue,
        needles: &[
            "pass",
            "pwd",
            "secret",
            "token",
            "key",
            "auth",
            "credential",
        ],
        case_sensitive: false,
        pattern: concat!(
            r#"(?m)(?:^|[\s{,\[(])["']?(?P<key>[A-Za-z_][A-Za-z0-9_.-]{0,80})["']?[ \t]*:[ \t]*"#,
            value!()
        ),
        groups: &["dq", "sq", "bare"],
        accept: secret_field,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decoder_handles_padding_and_rejects_junk() {
        assert_eq!(
            decode_base64("dXNlcjpwYXNz").as_deref(),
            Some(&b"user:pass"[..])
        );
        assert_eq!(decode_base64("YWJjZA==").as_deref(), Some(&b"abcd"[..]));
        assert_eq!(decode_base64("not base64!"), None);
    }
}
