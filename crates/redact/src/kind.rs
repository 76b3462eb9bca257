//! The kinds of secret the library recognises. A kind names what was found,
//! never the value, so it is safe to show to the agent and to log.

use std::fmt;

/// What sort of secret a rule found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretKind {
    /// `-----BEGIN ... PRIVATE KEY-----` blocks (PEM, OpenSSH, PGP).
    PrivateKey,
    /// A database URL with a password (`postgres://user:pw@host`).
    DatabaseUrl,
    /// Any other URL with `user:password@`.
    UrlCredentials,
    /// Slack incoming-webhook and workflow URLs.
    SlackWebhook,
    /// Discord webhook URLs.
    DiscordWebhook,
    /// Anthropic API keys (`sk-ant-`).
    AnthropicKey,
    /// OpenAI API keys (`sk-`, `sk-proj-`, `sk-svcacct-`, `sk-admin-`).
    OpenAiKey,
    /// Stripe secret, restricted and webhook-signing keys.
    StripeKey,
    /// `ghp_`, `gho_`, `ghs_`, `ghu_`, `ghr_` and `github_pat_` tokens.
    GitHubToken,
    /// `glpat-` and the other GitLab token prefixes.
    GitLabToken,
    /// `xox?-` bot, user and app tokens.
    SlackToken,
    /// `AKIA`/`ASIA` access key ids.
    AwsAccessKey,
    /// The 40-character secret that goes with an access key id.
    AwsSecretKey,
    /// `AIza` API keys, OAuth client secrets and access tokens.
    GoogleApiKey,
    /// `npm_` tokens and `.npmrc` `_authToken` lines.
    NpmToken,
    /// `pypi-` upload tokens.
    PyPiToken,
    /// Azure storage/service-bus keys and SAS signatures.
    AzureConnectionString,
    /// Twilio API key SIDs and auth tokens.
    TwilioKey,
    /// SendGrid API keys (`SG.` and two dot-separated parts).
    SendGridKey,
    /// JSON Web Tokens.
    Jwt,
    /// `Authorization: Bearer ...` and other token schemes.
    BearerToken,
    /// `Authorization: Basic ...` and `curl -u user:password`.
    BasicAuth,
    /// `PASSWORD=...`, `api_key: "..."` and similar assignments.
    KeyValue,
}

impl SecretKind {
    /// Stable kebab-case id, used in `[REDACTED:<id>]` markers and logs.
    pub fn id(self) -> &'static str {
        match self {
            SecretKind::PrivateKey => "private-key",
            SecretKind::DatabaseUrl => "database-url",
            SecretKind::UrlCredentials => "url-credentials",
            SecretKind::SlackWebhook => "slack-webhook",
            SecretKind::DiscordWebhook => "discord-webhook",
            SecretKind::AnthropicKey => "anthropic-key",
            SecretKind::OpenAiKey => "openai-key",
            SecretKind::StripeKey => "stripe-key",
            SecretKind::GitHubToken => "github-token",
            SecretKind::GitLabToken => "gitlab-token",
            SecretKind::SlackToken => "slack-token",
            SecretKind::AwsAccessKey => "aws-access-key",
            SecretKind::AwsSecretKey => "aws-secret-key",
            SecretKind::GoogleApiKey => "google-api-key",
            SecretKind::NpmToken => "npm-token",
            SecretKind::PyPiToken => "pypi-token",
            SecretKind::AzureConnectionString => "azure-connection-string",
            SecretKind::TwilioKey => "twilio-key",
            SecretKind::SendGridKey => "sendgrid-key",
            SecretKind::Jwt => "jwt",
            SecretKind::BearerToken => "bearer-token",
            SecretKind::BasicAuth => "basic-auth",
            SecretKind::KeyValue => "secret-assignment",
        }
    }

    /// A phrase for messages to the agent or the user.
    pub fn describe(self) -> &'static str {
        match self {
            SecretKind::PrivateKey => "a private key",
            SecretKind::DatabaseUrl => "a database URL with a password",
            SecretKind::UrlCredentials => "a URL with embedded credentials",
            SecretKind::SlackWebhook => "a Slack webhook URL",
            SecretKind::DiscordWebhook => "a Discord webhook URL",
            SecretKind::AnthropicKey => "an Anthropic API key",
            SecretKind::OpenAiKey => "an OpenAI API key",
            SecretKind::StripeKey => "a Stripe secret key",
            SecretKind::GitHubToken => "a GitHub token",
            SecretKind::GitLabToken => "a GitLab token",
            SecretKind::SlackToken => "a Slack token",
            SecretKind::AwsAccessKey => "an AWS access key id",
            SecretKind::AwsSecretKey => "an AWS secret access key",
            SecretKind::GoogleApiKey => "a Google API key or OAuth secret",
            SecretKind::NpmToken => "an npm token",
            SecretKind::PyPiToken => "a PyPI token",
            SecretKind::AzureConnectionString => "an Azure key or SAS signature",
            SecretKind::TwilioKey => "a Twilio key",
            SecretKind::SendGridKey => "a SendGrid API key",
            SecretKind::Jwt => "a JSON Web Token",
            SecretKind::BearerToken => "a bearer token",
            SecretKind::BasicAuth => "basic-auth credentials",
            SecretKind::KeyValue => "a password or secret assignment",
        }
    }
}

impl fmt::Display for SecretKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}
