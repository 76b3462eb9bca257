//! Every rule both ways: text it must redact (and the value that must be
//! gone afterwards), and look-alike text it must leave alone.

use super::*;
use serde_json::json;
use SecretKind::*;

/// Text holding one secret of `kind`; `secret` must not survive redaction,
/// and `kept` (context that is not secret) must.
struct Hit {
    text: &'static str,
    kind: SecretKind,
    secret: &'static str,
    kept: &'static str,
}

const HITS: &[Hit] = &[
    Hit { text: "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAx7\nabc==\n-----END RSA PRIVATE KEY-----\nafter", kind: PrivateKey, secret: "MIIEpAIBAAKCAQEAx7", kept: "after" },
    Hit { text: "key: -----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjE\\n-----END OPENSSH PRIVATE KEY-----", kind: PrivateKey, secret: "b3BlbnNzaC1rZXktdjE", kept: "key:" },
    Hit { text: "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF truncated without end", kind: PrivateKey, secret: "lQOYBF", kept: "" },
    Hit { text: "DATABASE_URL=postgres://app:s3cretPw@db.internal:5432/app", kind: DatabaseUrl, secret: "s3cretPw", kept: "db.internal:5432/app" },
    Hit { text: "mongodb+srv://admin:Zx9%40pw@cluster0.mongodb.net/test", kind: DatabaseUrl, secret: "Zx9%40pw", kept: "cluster0.mongodb.net" },
    Hit { text: "redis://:hunter22@cache:6379/0", kind: DatabaseUrl, secret: "hunter22", kept: "cache:6379" },
    Hit { text: "git clone https://deploy:Tk3nValue9@git.example.com/repo.git", kind: UrlCredentials, secret: "Tk3nValue9", kept: "git.example.com/repo.git" },
    Hit { text: "curl https://hooks.slack.com/services/T0000/B0000/XXXXabcd1234 -d x", kind: SlackWebhook, secret: "T0000/B0000/XXXXabcd1234", kept: "hooks.slack.com" },
    Hit { text: "https://discord.com/api/webhooks/123456789/AbCdEf-123_xyz", kind: DiscordWebhook, secret: "AbCdEf-123_xyz", kept: "discord.com" },
    Hit { text: "ANTHROPIC_KEY sk-ant-api03-AbC123dEf456GhI789jKl012MnO345", kind: AnthropicKey, secret: "AbC123dEf456GhI789jKl012MnO345", kept: "ANTHROPIC_KEY" },
    Hit { text: "export OPENAI key sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56", kind: OpenAiKey, secret: "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56", kept: "export" },
    Hit { text: "client = OpenAI(api_key_arg sk-T3BlbkFJabc123DEF456ghi789JKL)", kind: OpenAiKey, secret: "T3BlbkFJabc123DEF456ghi789JKL", kept: "client" },
    Hit { text: "stripe.api_key_set sk_live_4eC39HqLyjWDarjtT1zdp7dc", kind: StripeKey, secret: "4eC39HqLyjWDarjtT1zdp7dc", kept: "stripe" },
    Hit { text: "webhook whsec_1234567890abcdefABCDEFghij", kind: StripeKey, secret: "whsec_1234567890abcdefABCDEFghij", kept: "webhook" },
    Hit { text: "token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 ok", kind: GitHubToken, secret: "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", kept: " ok" },
    Hit { text: "ghs_16C7e42F292c6912E7710c838347Ae178B4a", kind: GitHubToken, secret: "16C7e42F292c6912E7710c838347Ae178B4a", kept: "" },
    Hit { text: "gh auth with github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", kind: GitHubToken, secret: "11ABCDEFG0123456789", kept: "gh auth" },
    Hit { text: "CI uses glpat-xYz123AbC456dEf789GhI0 now", kind: GitLabToken, secret: "xYz123AbC456dEf789GhI0", kept: "now" },
    Hit { text: "SLACK xoxb-123456789012-1234567890123-AbCdEfGhIjKl", kind: SlackToken, secret: "1234567890123-AbCdEfGhIjKl", kept: "SLACK" },
    Hit { text: "aws configure set id AKIAIOSFODNN7EXAMPLE", kind: AwsAccessKey, secret: "AKIAIOSFODNN7EXAMPLE", kept: "aws configure" },
    Hit { text: "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", kind: AwsSecretKey, secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", kept: "aws_secret_access_key" },
    Hit { text: r#"{"SecretAccessKey": "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"}"#, kind: AwsSecretKey, secret: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", kept: "SecretAccessKey" },
    Hit { text: "maps?key=AIzaSyA-1234567890abcdefghijklmnopqrstu&x=1", kind: GoogleApiKey, secret: "AIzaSyA-1234567890abcdefghijklmnopqrstu", kept: "&x=1" },
    Hit { text: "client secret GOCSPX-abcdefghijklmnopqrstuvwxyz12", kind: GoogleApiKey, secret: "abcdefghijklmnopqrstuvwxyz12", kept: "client secret" },
    Hit { text: "NPM npm_abcdefghijklmnopqrstuvwxyz0123456789", kind: NpmToken, secret: "abcdefghijklmnopqrstuvwxyz0123456789", kept: "NPM" },
    Hit { text: "//registry.npmjs.org/:_authToken=00000000-aaaa-bbbb-cccc-111111111111", kind: NpmToken, secret: "00000000-aaaa-bbbb-cccc-111111111111", kept: "registry.npmjs.org" },
    Hit { text: "password = pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoLTEyMzQtNTY3OC05MGFiLWNkZWYxMjM0NTY3OAACKlsz", kind: PyPiToken, secret: "AgEIcHlwaS5vcmcCJGFiY2RlZmdo", kept: "password" },
    Hit { text: "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==;EndpointSuffix=core.windows.net", kind: AzureConnectionString, secret: "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==", kept: "AccountName=acct" },
    Hit { text: "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=abcDEF123456ghiJKL789mnoPQR=", kind: AzureConnectionString, secret: "abcDEF123456ghiJKL789mnoPQR=", kept: "SharedAccessKeyName=Root" },
    Hit { text: "twilio api key SK0123456789abcdef0123456789abcdef", kind: TwilioKey, secret: "0123456789abcdef0123456789abcdef", kept: "twilio" },
    Hit { text: "TWILIO_AUTH_TOKEN: 0123456789abcdef0123456789abcdef", kind: TwilioKey, secret: "0123456789abcdef0123456789abcdef", kept: "TWILIO_AUTH_TOKEN" },
    Hit { text: "SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", kind: SendGridKey, secret: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", kept: "" },
    Hit { text: "cookie: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U;", kind: Jwt, secret: "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", kept: "cookie:" },
    Hit { text: "curl -H 'Authorization: Bearer abc123def456ghi789jkl' https://api", kind: BearerToken, secret: "abc123def456ghi789jkl", kept: "https://api" },
    Hit { text: "Authorization: token 0123456789abcdef0123456789abcdef01234567", kind: BearerToken, secret: "0123456789abcdef0123456789abcdef01234567", kept: "Authorization" },
    Hit { text: "Authorization: Basic dXNlcjpodW50ZXIyMjI=", kind: BasicAuth, secret: "dXNlcjpodW50ZXIyMjI=", kept: "Authorization" },
    Hit { text: "curl -u admin:Sup3rS3cret https://x", kind: BasicAuth, secret: "Sup3rS3cret", kept: "admin" },
    Hit { text: "DB_PASSWORD=hunter2 npm start", kind: KeyValue, secret: "hunter2", kept: "npm start" },
    Hit { text: "export API_KEY=\"abc def 123\"", kind: KeyValue, secret: "abc def 123", kept: "export API_KEY=\"" },
    Hit { text: "mysql --password=Pa55word -u root", kind: KeyValue, secret: "Pa55word", kept: "-u root" },
    Hit { text: "https://api.example.com/v1?access_token=9f8e7d6c5b4a&page=2", kind: KeyValue, secret: "9f8e7d6c5b4a", kept: "page=2" },
    Hit { text: "{\"client_secret\": \"s.0m3-v4lue\", \"name\": \"app\"}", kind: KeyValue, secret: "s.0m3-v4lue", kept: "\"name\": \"app\"" },
    Hit { text: "db:\n  password: Corr3ct-Horse\n  host: localhost", kind: KeyValue, secret: "Corr3ct-Horse", kept: "host: localhost" },
    Hit { text: "Server=db;Database=app;User Id=sa;Password=Str0ng!Pass;", kind: KeyValue, secret: "Str0ng!Pass", kept: "User Id=sa" },
];

/// Look-alikes that are not secrets and must come out unchanged.
const MISSES: &[&str] = &[
    // private keys: public material and prose
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----",
    "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----",
    "Store the private key in a vault, never in the repository.",
    // URLs without passwords, placeholders, ports
    "postgres://localhost:5432/app",
    "postgres://app@localhost/app",
    "DATABASE_URL=postgres://${DB_USER}:${DB_PASSWORD}@db/app",
    "https://user@example.com/path",
    "git@github.com:org/repo.git",
    "http://localhost:8080/api/v1/items",
    "https://hooks.slack.com/",
    // vendor prefixes without a token behind them
    "use sk-learn style names like sk-some-long-hyphenated-css-class",
    "the ghp_ prefix marks a personal token; gh_pages is a branch",
    "stripe publishable pk_live_51Habcdefghijklmnop is public",
    "glpat- tokens expire; see the docs",
    "xoxb tokens are for bots",
    "AKIA is the prefix of an access key id; AKIAFOO is too short",
    "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}",
    "npm_config_cache=/tmp/npm",
    "pypi-upload is a job name",
    "AccountName=devstoreaccount1;",
    "SKU-1234 is a product code",
    "SG.config is a file",
    "eyJ is how base64 JSON starts",
    // context rules: words, variables, code
    "Bearer token authentication is described in RFC 6750",
    "Authorization: Bearer $TOKEN",
    "curl -H \"Authorization: Bearer ${{ secrets.GH_TOKEN }}\"",
    "A basic understanding of Rust is assumed",
    "docker run -u 1000:1000 image",
    "git push -u origin main",
    "MAX_TOKENS=4096",
    "TOKEN_FILE=/run/secrets/token",
    "GIT_AUTHOR_NAME=Jane",
    "password = getPassword()",
    "token = config.auth.token",
    "password: string;",
    "function login(password: string, token: Token) {}",
    "export DB_PASSWORD=$DB_PASSWORD",
    "API_KEY=\"\"",
    "auth_enabled=true",
    "Set PASSWORD to a value of your choice",
    "const primary_key = 1;",
];

#[test]
fn every_hit_is_found_and_removed() {
    for hit in HITS {
        let kinds = find_secrets(hit.text);
        assert!(
            kinds.contains(&hit.kind),
            "{:?} not found in {:?} (found {:?})",
            hit.kind,
            hit.text,
            kinds
        );
        let out = redact(hit.text);
        assert!(
            !out.contains(hit.secret),
            "{:?} survived in {out:?}",
            hit.secret
        );
        assert!(
            out.contains(&marker(hit.kind)),
            "no marker for {:?} in {out:?}",
            hit.kind
        );
        assert!(out.contains(hit.kept), "{:?} lost from {out:?}", hit.kept);
    }
}

#[test]
fn every_miss_is_left_alone() {
    for text in MISSES {
        assert_eq!(find_secrets(text), [], "false positive in {text:?}");
        assert_eq!(redact(text), *text, "{text:?} was changed");
    }
}

#[test]
fn every_kind_has_a_hit_case() {
    for rule in RULES {
        assert!(
            HITS.iter().any(|h| h.kind == rule.kind),
            "{:?} has no test",
            rule.kind
        );
    }
}

#[test]
fn rules_fit_the_candidate_bit_set_and_all_compile() {
    assert!(RULES.len() <= RuleSet::BITS as usize);
    for (i, rule) in RULES.iter().enumerate() {
        let _ = regex(i);
        assert!(!rule.needles.is_empty(), "rule {i} has no prefilter anchor");
    }
}

#[test]
fn clean_text_is_borrowed() {
    let text = "cargo build --release && ls target";
    assert!(matches!(redact(text), Cow::Borrowed(_)));
}

#[test]
fn several_secrets_in_one_text_are_all_removed_and_named_once() {
    let text = "A=1 GITHUB_TOKEN=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 \
                B=ghp_zzzzzFgHiJkLmNoPqRsTuVwXyZ0123456789 postgres://u:pw9@h/db";
    let out = redact(text);
    assert!(
        !out.contains("aBcDeF") && !out.contains("zzzz") && !out.contains("pw9"),
        "{out}"
    );
    assert!(out.starts_with("A=1 GITHUB_TOKEN="), "{out}");
    assert_eq!(find_secrets(text), [DatabaseUrl, GitHubToken]);
}

#[test]
fn redaction_is_idempotent() {
    for hit in HITS {
        let once = redact(hit.text).into_owned();
        assert_eq!(redact(&once), once, "{:?}", hit.text);
    }
}

#[test]
fn json_records_are_redacted_by_value_and_by_field_name() {
    let record = json!({
        "command": "curl -H 'Authorization: Bearer abc123def456ghi789jkl' x",
        "env": {"DB_PASSWORD": "plainword", "PORT": 8080, "pin_code": 1234, "api_key": 987654},
        "args": ["--token", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"],
        "password": "${FROM_ENV}",
    });
    let out = redact_json(&record).to_string();
    for secret in ["abc123def456", "plainword", "987654", "aBcDeFgHiJ"] {
        assert!(!out.contains(secret), "{secret} in {out}");
    }
    assert!(out.contains("8080") && out.contains("${FROM_ENV}"), "{out}");
    assert_eq!(
        find_secrets_json(&record),
        [GitHubToken, BearerToken, KeyValue]
    );
    assert_eq!(find_secrets_json(&json!({"name": "x", "n": [1, "ok"]})), []);
}

#[test]
fn hostile_input_does_not_panic() {
    let long = "a".repeat(100_000);
    for text in [
        "",
        "-----BEGIN PRIVATE KEY-----",
        "://:@",
        "Basic ====",
        "é=ü secret=🔑🔑🔑 token=\u{0}",
        &long,
        "password=\"unterminated",
    ] {
        let _ = redact(text);
        let _ = find_secrets(text);
    }
}

/// Texts over 64 KiB are searched with an automaton instead of the
/// compile-time index: both must select the same rules.
#[test]
fn long_and_short_texts_find_the_same_secrets() {
    let filler = "let total = items.iter().map(|i| i.price).sum::<u64>();\n";
    for secret in [
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234567890abcdefgh\n-----END RSA PRIVATE KEY-----",
        "token: ghp_1234567890abcdefghijklmnopqrstuvwxyzAB",
        "DATABASE_URL=postgres://app:s3cretPassw0rd@db.internal:5432/app",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl",
    ] {
        let short = format!("{filler}{secret}\n");
        let long = format!("{}{secret}\n", filler.repeat(70 * 1024 / filler.len()));
        assert!(long.len() > 64 * 1024);
        let expected = find_secrets(&short);
        assert!(!expected.is_empty(), "the short text holds a secret: {secret}");
        assert_eq!(find_secrets(&long), expected, "{secret}");
        let redacted_short = redact(&short);
        let redacted_long = redact(&long);
        let tail = redacted_short.strip_prefix(filler).expect("the filler holds no secret");
        assert_ne!(tail, format!("{secret}\n"), "the short text is redacted");
        assert!(redacted_long.ends_with(tail), "{secret}: {tail}");
    }
    // Exact needles stay exact on the automaton path: the lowercase spelling
    // of a private-key header is not a private key.
    let lower = format!("{}-----begin private key-----\n", filler.repeat(1300));
    assert_eq!(find_secrets(&lower), []);
}
