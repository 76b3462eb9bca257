//! The checks run on every parsed lockfile: where each package comes from
//! (registry host, transport, git pinning, local paths), whether its
//! integrity hash is present and well formed for its ecosystem, and whether
//! an npm tarball URL belongs to the package that names it.

use std::fmt;

use serde::Serialize;

use crate::model::{Format, HashStyle, Package, Parsed, Source};

/// How much a finding matters. `Info` findings are reported but do not fail
/// a CI gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Each kind of finding, with a stable id. Serialises as its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    InvisibleUnicode,
    UnlistedHost,
    InsecureTransport,
    UnpinnedGit,
    LocalSource,
    MissingIntegrity,
    MalformedIntegrity,
    WeakIntegrity,
    NameMismatch,
    Unparseable,
    MalformedUrl,
}

impl Check {
    pub const ALL: [Check; 11] = [
        Check::InvisibleUnicode,
        Check::UnlistedHost,
        Check::InsecureTransport,
        Check::UnpinnedGit,
        Check::LocalSource,
        Check::MissingIntegrity,
        Check::MalformedIntegrity,
        Check::WeakIntegrity,
        Check::NameMismatch,
        Check::Unparseable,
        Check::MalformedUrl,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Check::InvisibleUnicode => "LOCK001",
            Check::UnlistedHost => "LOCK002",
            Check::InsecureTransport => "LOCK003",
            Check::UnpinnedGit => "LOCK004",
            Check::LocalSource => "LOCK005",
            Check::MissingIntegrity => "LOCK006",
            Check::MalformedIntegrity => "LOCK007",
            Check::WeakIntegrity => "LOCK008",
            Check::NameMismatch => "LOCK009",
            Check::Unparseable => "LOCK010",
            Check::MalformedUrl => "LOCK011",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Check::InvisibleUnicode => "invisible-unicode",
            Check::UnlistedHost => "non-allowlisted-registry",
            Check::InsecureTransport => "insecure-transport",
            Check::UnpinnedGit => "unpinned-git-source",
            Check::LocalSource => "local-source",
            Check::MissingIntegrity => "missing-integrity",
            Check::MalformedIntegrity => "malformed-integrity",
            Check::WeakIntegrity => "weak-integrity",
            Check::NameMismatch => "tarball-name-mismatch",
            Check::Unparseable => "unparseable-lockfile",
            Check::MalformedUrl => "malformed-url",
        }
    }

    /// One line on why the finding matters.
    pub fn reason(self) -> &'static str {
        match self {
            Check::InvisibleUnicode => {
                "lockfile contains invisible Unicode that can disguise package names or URLs"
            }
            Check::UnlistedHost => {
                "package comes from a non-standard registry host that is not on the allowlist"
            }
            Check::InsecureTransport => {
                "package is fetched over an unencrypted transport (http or git://)"
            }
            Check::UnpinnedGit => {
                "git dependency is not pinned to a commit, so its content can change"
            }
            Check::LocalSource => "package comes from a local path instead of a registry",
            Check::MissingIntegrity => {
                "package has no integrity hash, so a tampered download would go unnoticed"
            }
            Check::MalformedIntegrity => {
                "integrity hash is malformed (unknown algorithm or wrong length)"
            }
            Check::WeakIntegrity => {
                "integrity hash uses SHA-1 only, which no longer resists forgery"
            }
            Check::NameMismatch => "tarball URL belongs to a different package than the one locked",
            Check::Unparseable => "lockfile could not be parsed, so its packages were not checked",
            Check::MalformedUrl => {
                "URL is malformed or ambiguous, so which host it reaches is unclear"
            }
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Check::InvisibleUnicode => Severity::Critical,
            Check::UnlistedHost
            | Check::InsecureTransport
            | Check::MalformedIntegrity
            | Check::NameMismatch
            | Check::MalformedUrl => Severity::High,
            Check::UnpinnedGit | Check::MissingIntegrity | Check::Unparseable => Severity::Medium,
            Check::WeakIntegrity => Severity::Low,
            Check::LocalSource => Severity::Info,
        }
    }
}

impl Serialize for Check {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// One problem in one lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockFinding {
    /// The rule id, e.g. `LOCK002`.
    pub id: &'static str,
    pub check: Check,
    pub severity: Severity,
    /// `name@version`, when the finding is about a package.
    pub package: Option<String>,
    /// What exactly was found (the URL, the hash, the position).
    pub detail: String,
}

impl LockFinding {
    pub fn new(check: Check, package: Option<&Package>, detail: impl Into<String>) -> LockFinding {
        LockFinding {
            id: check.id(),
            check,
            severity: check.severity(),
            package: package.map(Package::label),
            detail: detail.into(),
        }
    }
}

/// Registry and code hosts packages may come from. Matching is exact on the
/// host name: `registry.npmjs.org.evil.example` is not `registry.npmjs.org`.
pub const DEFAULT_ALLOWED_HOSTS: &[&str] = &[
    // npm
    "registry.npmjs.org",
    "registry.yarnpkg.com",
    // Python
    "pypi.org",
    "files.pythonhosted.org",
    "pypi.python.org",
    // Rust
    "index.crates.io",
    "static.crates.io",
    "crates.io",
    // PHP
    "repo.packagist.org",
    "packagist.org",
    // Ruby
    "rubygems.org",
    "index.rubygems.org",
    // Dart
    "pub.dev",
    "pub.dartlang.org",
    // Go, Java, .NET
    "proxy.golang.org",
    "repo.maven.apache.org",
    "repo1.maven.org",
    "api.nuget.org",
    // code hosts (git sources, release archives, Composer dist zips)
    "github.com",
    "api.github.com",
    "codeload.github.com",
    "gitlab.com",
    "bitbucket.org",
];

/// The hosts a project accepts: the defaults plus its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowlist {
    hosts: Vec<String>,
}

impl Default for Allowlist {
    fn default() -> Self {
        Allowlist {
            hosts: DEFAULT_ALLOWED_HOSTS
                .iter()
                .map(|h| h.to_string())
                .collect(),
        }
    }
}

impl Allowlist {
    /// The defaults plus `extra` hosts (case-insensitive, a trailing dot
    /// ignored).
    pub fn with_extra<S: AsRef<str>>(extra: impl IntoIterator<Item = S>) -> Allowlist {
        let mut list = Allowlist::default();
        for h in extra {
            let h = normalize_host(h.as_ref());
            if !h.is_empty() && !list.hosts.contains(&h) {
                list.hosts.push(h);
            }
        }
        list
    }

    pub fn allows(&self, host: &str) -> bool {
        let host = normalize_host(host);
        self.hosts.contains(&host)
    }

    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }
}

fn normalize_host(h: &str) -> String {
    let h = h.trim().to_ascii_lowercase();
    h.strip_suffix('.').map(str::to_string).unwrap_or(h)
}

/// The parts of a URL the checks need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts {
    /// Lowercase scheme, e.g. `https`, `git+ssh`, `ssh` for scp-like git.
    pub scheme: String,
    /// Lowercase host, without user info or port.
    pub host: String,
    pub path: String,
}

/// Split a URL, or an scp-like git address (`git@host:owner/repo.git`), or
/// a `github:`-style shorthand. `None` when the host cannot be determined
/// unambiguously (backslashes, whitespace, empty host, bad characters).
pub fn parse_url(url: &str) -> Option<UrlParts> {
    if url
        .chars()
        .any(|c| c.is_whitespace() || c == '\\' || c.is_control())
    {
        return None;
    }
    for (prefix, host) in [
        ("github:", "github.com"),
        ("gitlab:", "gitlab.com"),
        ("bitbucket:", "bitbucket.org"),
        ("gist:", "gist.github.com"),
    ] {
        if let Some(rest) = url.strip_prefix(prefix) {
            return Some(UrlParts {
                scheme: "https".into(),
                host: host.into(),
                path: format!("/{rest}"),
            });
        }
    }
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => {
            // scp-like: user@host:path
            let (authority, path) = url.split_once(':')?;
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            if !authority.contains('@') || !valid_host(host) {
                return None;
            }
            return Some(UrlParts {
                scheme: "ssh".into(),
                host: normalize_host(host),
                path: format!("/{path}"),
            });
        }
    };
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let path = rest[end..]
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_string();
    // User info ends at the last '@' of the authority.
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    if !valid_host(host) && !host_port.starts_with('[') {
        return None;
    }
    Some(UrlParts {
        scheme,
        host: normalize_host(host),
        path,
    })
}

fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

/// Whether the transport is encrypted and authenticated.
fn secure_scheme(scheme: &str) -> bool {
    matches!(
        scheme,
        "https" | "ssh" | "git+https" | "git+ssh" | "ssh+git" | "sparse+https"
    )
}

/// Why an integrity value is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HashProblem {
    Malformed(String),
    Weak,
}

/// Check one integrity value against its ecosystem's format.
pub fn check_hash(value: &str, style: HashStyle) -> Result<(), HashProblem> {
    let malformed = |why: &str| Err(HashProblem::Malformed(why.to_string()));
    match style {
        HashStyle::Sri => {
            let mut weak_only = true;
            let mut any = false;
            for part in value.split_whitespace() {
                any = true;
                let part = part.split('?').next().unwrap_or(part);
                let Some((alg, b64)) = part.split_once('-') else {
                    return malformed("expected `<algorithm>-<base64>`");
                };
                let want = match alg {
                    "sha512" => 64,
                    "sha384" => 48,
                    "sha256" => 32,
                    "sha1" => 20,
                    _ => return malformed("unsupported algorithm"),
                };
                if base64_len(b64) != Some(want) {
                    return malformed("digest has the wrong length for its algorithm");
                }
                weak_only &= alg == "sha1";
            }
            if !any {
                return malformed("empty");
            }
            if weak_only {
                return Err(HashProblem::Weak);
            }
            Ok(())
        }
        HashStyle::YarnChecksum => {
            let hex = value.rsplit_once('/').map_or(value, |(_, h)| h);
            if is_hex(hex, 128) {
                Ok(())
            } else {
                malformed("expected 128 hex digits of SHA-512")
            }
        }
        HashStyle::Sha256Hex => {
            if is_hex(value, 64) {
                Ok(())
            } else {
                malformed("expected 64 hex digits of SHA-256")
            }
        }
        HashStyle::PrefixedSha256 | HashStyle::BundlerSha256 => {
            let sep = if style == HashStyle::PrefixedSha256 {
                ':'
            } else {
                '='
            };
            match value.split_once(sep) {
                Some(("sha256", hex)) if is_hex(hex, 64) => Ok(()),
                Some(("sha384", hex)) if is_hex(hex, 96) => Ok(()),
                Some(("sha512", hex)) if is_hex(hex, 128) => Ok(()),
                Some(("md5" | "sha1", _)) => Err(HashProblem::Weak),
                _ => malformed("expected `sha256:<64 hex digits>`"),
            }
        }
        HashStyle::GoH1 => match value.strip_prefix("h1:") {
            Some(b64) if base64_len(b64) == Some(32) => Ok(()),
            _ => malformed("expected `h1:` and the base64 of a SHA-256 digest"),
        },
        HashStyle::Base64Sha512 => {
            if base64_len(value) == Some(64) {
                Ok(())
            } else {
                malformed("expected the base64 of a SHA-512 digest")
            }
        }
        HashStyle::Sha1Hex => {
            if is_hex(value, 40) {
                Ok(())
            } else {
                malformed("expected 40 hex digits of SHA-1")
            }
        }
    }
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Decoded length of canonical padded base64, or `None` if it is not.
fn base64_len(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    if bytes.is_empty() || !bytes.len().is_multiple_of(4) {
        return None;
    }
    let pad = bytes.iter().rev().take_while(|&&b| b == b'=').count();
    if pad > 2 {
        return None;
    }
    let body = &bytes[..bytes.len() - pad];
    if !body
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
    {
        return None;
    }
    Some(bytes.len() / 4 * 3 - pad)
}

/// A commit id: 40 (SHA-1) or 64 (SHA-256) hex digits.
pub fn is_commit(rev: &str) -> bool {
    is_hex(rev, 40) || is_hex(rev, 64)
}

pub fn hash_style(format: Format) -> HashStyle {
    match format {
        Format::Npm | Format::YarnClassic | Format::Pnpm => HashStyle::Sri,
        Format::YarnBerry => HashStyle::YarnChecksum,
        Format::Cargo | Format::Pubspec => HashStyle::Sha256Hex,
        Format::Poetry | Format::Pipfile | Format::Uv => HashStyle::PrefixedSha256,
        Format::Gemfile => HashStyle::BundlerSha256,
        Format::GoSum => HashStyle::GoH1,
        Format::NuGet => HashStyle::Base64Sha512,
        Format::Composer => HashStyle::Sha1Hex,
    }
}

fn is_npm_family(format: Format) -> bool {
    matches!(
        format,
        Format::Npm | Format::YarnClassic | Format::YarnBerry | Format::Pnpm
    )
}

/// Check a URL's form, transport and host.
fn check_url(url: &str, pkg: Option<&Package>, allow: &Allowlist, out: &mut Vec<LockFinding>) {
    let Some(parts) = parse_url(url) else {
        out.push(LockFinding::new(Check::MalformedUrl, pkg, url));
        return;
    };
    if !secure_scheme(&parts.scheme) {
        out.push(LockFinding::new(Check::InsecureTransport, pkg, url));
    }
    if !allow.allows(&parts.host) {
        out.push(LockFinding::new(
            Check::UnlistedHost,
            pkg,
            format!("{} ({url})", parts.host),
        ));
    }
}

/// A local path that leaves the project (absolute, or `..` above the
/// lockfile's directory) is worth more attention than a workspace link.
fn escapes_project(path: &str) -> bool {
    let path = path.replace('\\', "/");
    if path.starts_with('/') || path.starts_with('~') || path.get(1..3) == Some(":/") {
        return true;
    }
    let mut depth: i32 = 0;
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

/// The npm registry layout `/<name>/-/<basename>-<version>.tgz` must name the
/// package it is locked for.
fn npm_tarball_matches(pkg: &Package, path: &str) -> bool {
    let expected = pkg.registry_name.as_deref().unwrap_or(&pkg.name);
    let Some((dir, file)) = path.split_once("/-/") else {
        return true;
    };
    let dir = dir
        .trim_start_matches('/')
        .replace("%2f", "/")
        .replace("%2F", "/");
    // Registries mounted under a path prefix keep the name at the end.
    let name_ok = dir == expected || dir.ends_with(&format!("/{expected}"));
    let base = expected.rsplit('/').next().unwrap_or(expected);
    let file_ok = match &pkg.version {
        // Yarn and pnpm aliases sometimes record the alias's range, so only
        // check the version when it looks like one.
        Some(v) if v.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
            file == format!("{base}-{v}.tgz")
        }
        _ => file.starts_with(&format!("{base}-")),
    };
    name_ok && file_ok
}

/// Run every package check on a parsed lockfile.
pub fn check_parsed(format: Format, parsed: &Parsed, allow: &Allowlist) -> Vec<LockFinding> {
    let mut out = Vec::new();
    let style = hash_style(format);
    for url in &parsed.registries {
        check_url(url, None, allow, &mut out);
    }
    for pkg in &parsed.packages {
        let p = Some(pkg);
        match &pkg.source {
            Source::Registry { url: Some(url) } | Source::Url { url } => {
                check_url(url, p, allow, &mut out);
                if is_npm_family(format) {
                    if let Some(parts) = parse_url(url) {
                        if !npm_tarball_matches(pkg, &parts.path) {
                            out.push(LockFinding::new(Check::NameMismatch, p, url.clone()));
                        }
                    }
                }
            }
            Source::Git { url, rev } => {
                if !url.is_empty() {
                    let transport = url.strip_prefix("git+").unwrap_or(url);
                    let plain_git = transport.starts_with("git://");
                    if plain_git {
                        out.push(LockFinding::new(Check::InsecureTransport, p, url.clone()));
                        if let Some(parts) = parse_url(transport) {
                            if !allow.allows(&parts.host) {
                                out.push(LockFinding::new(
                                    Check::UnlistedHost,
                                    p,
                                    format!("{} ({url})", parts.host),
                                ));
                            }
                        }
                    } else {
                        check_url(url, p, allow, &mut out);
                    }
                }
                if !rev.as_deref().is_some_and(is_commit) {
                    let detail = match rev {
                        Some(r) => format!("{url} at `{r}`"),
                        None => format!("{url} (no revision)"),
                    };
                    out.push(LockFinding::new(Check::UnpinnedGit, p, detail));
                }
            }
            Source::Path { path } => {
                let mut f = LockFinding::new(Check::LocalSource, p, path.clone());
                if escapes_project(path) {
                    f.severity = Severity::Medium;
                    f.detail = format!("{path} (outside the project)");
                }
                out.push(f);
            }
            Source::Registry { url: None } | Source::Unknown => {}
        }
        for url in &pkg.downloads {
            check_url(url, p, allow, &mut out);
        }
        if pkg.integrity.is_empty() {
            if pkg.integrity_expected {
                out.push(LockFinding::new(
                    Check::MissingIntegrity,
                    p,
                    "no hash recorded",
                ));
            }
        } else {
            let mut weak = false;
            for value in &pkg.integrity {
                match check_hash(value, style) {
                    Ok(()) => {}
                    Err(HashProblem::Malformed(why)) => {
                        out.push(LockFinding::new(
                            Check::MalformedIntegrity,
                            p,
                            format!("`{}`: {why}", shorten(value, 40)),
                        ));
                    }
                    Err(HashProblem::Weak) => weak = true,
                }
            }
            if weak {
                out.push(LockFinding::new(
                    Check::WeakIntegrity,
                    p,
                    shorten(&pkg.integrity[0], 40),
                ));
            }
        }
    }
    out
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let head: String = s.chars().take(max).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_match_exactly() {
        let allow = Allowlist::with_extra(["npm.example.com."]);
        let cases: &[(&str, Option<bool>)] = &[
            ("https://registry.npmjs.org/a/-/a-1.tgz", Some(true)),
            ("https://REGISTRY.npmjs.org./a", Some(true)),
            ("https://registry.npmjs.org.evil.example/a", Some(false)),
            ("https://evilregistry.npmjs.org/a", Some(false)),
            ("https://registry.npmjs.org@evil.example/a", Some(false)),
            ("https://user:pw@registry.npmjs.org:443/a", Some(true)),
            ("https://npm.example.com/x", Some(true)),
            ("git@github.com:user/repo.git", Some(true)),
            ("github:user/repo", Some(true)),
            ("https://[::1]/x", Some(false)),
            ("https://registry.npmjs.org\\@evil.example/a", None),
            ("https:///nohost", None),
            ("https://bad host/a", None),
        ];
        for (url, want) in cases {
            let got = parse_url(url).map(|p| allow.allows(&p.host));
            assert_eq!(got, *want, "{url}");
        }
    }

    #[test]
    fn hashes_per_style() {
        let sha512 = format!("sha512-{}==", "A".repeat(86));
        let sha1 = format!("sha1-{}=", "A".repeat(27));
        let ok: &[(&str, HashStyle)] = &[
            (&sha512, HashStyle::Sri),
            (&format!("{sha1} {sha512}"), HashStyle::Sri),
            (
                &format!("10c0/{}", "a".repeat(128)),
                HashStyle::YarnChecksum,
            ),
            (&"b".repeat(128), HashStyle::YarnChecksum),
            (&"0".repeat(64), HashStyle::Sha256Hex),
            (
                &format!("sha256:{}", "f".repeat(64)),
                HashStyle::PrefixedSha256,
            ),
            (
                &format!("sha256={}", "f".repeat(64)),
                HashStyle::BundlerSha256,
            ),
            (
                "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
                HashStyle::GoH1,
            ),
            (&format!("{}==", "A".repeat(86)), HashStyle::Base64Sha512),
            (&"a".repeat(40), HashStyle::Sha1Hex),
        ];
        for (v, style) in ok {
            assert_eq!(check_hash(v, *style), Ok(()), "{v} {style:?}");
        }
        let bad: &[(&str, HashStyle)] = &[
            ("md5-abc123def456", HashStyle::Sri),
            ("sha512-short==", HashStyle::Sri),
            (
                "sha256-abc123def456ghi789jkl012mno345pqr678stu901vwx234=",
                HashStyle::Sri,
            ),
            ("sha512", HashStyle::Sri),
            ("", HashStyle::Sri),
            (&"a".repeat(127), HashStyle::YarnChecksum),
            ("abc123", HashStyle::Sha256Hex),
            (&"g".repeat(64), HashStyle::Sha256Hex),
            ("sha256:abc123", HashStyle::PrefixedSha256),
            (
                &format!("sha256:{}", "f".repeat(64)),
                HashStyle::BundlerSha256,
            ),
            ("h1:abc==", HashStyle::GoH1),
            (
                "h2:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
                HashStyle::GoH1,
            ),
            ("abc=", HashStyle::Base64Sha512),
            ("xyz", HashStyle::Sha1Hex),
        ];
        for (v, style) in bad {
            assert!(
                matches!(check_hash(v, *style), Err(HashProblem::Malformed(_))),
                "{v} {style:?}"
            );
        }
        assert_eq!(check_hash(&sha1, HashStyle::Sri), Err(HashProblem::Weak));
        assert_eq!(
            check_hash(
                &format!("md5:{}", "a".repeat(32)),
                HashStyle::PrefixedSha256
            ),
            Err(HashProblem::Weak)
        );
    }

    #[test]
    fn paths_that_leave_the_project() {
        for (p, out) in [
            ("packages/a", false),
            ("./a/../b", false),
            ("../sibling", true),
            ("a/../../x", true),
            ("/etc", true),
            ("~/code", true),
            ("C:/x", true),
        ] {
            assert_eq!(escapes_project(p), out, "{p}");
        }
    }

    #[test]
    fn npm_tarball_names() {
        let pkg = |name: &str, version: &str| {
            let mut p = Package::new(name, Source::Unknown).version(Some(version));
            p.registry_name = Some(name.to_string());
            p
        };
        let cases = [
            ("lodash", "4.17.21", "/lodash/-/lodash-4.17.21.tgz", true),
            (
                "@babel/core",
                "7.1.0",
                "/@babel/core/-/core-7.1.0.tgz",
                true,
            ),
            (
                "@babel/core",
                "7.1.0",
                "/@babel%2fcore/-/core-7.1.0.tgz",
                true,
            ),
            (
                "lodash",
                "4.17.21",
                "/npm/repo/lodash/-/lodash-4.17.21.tgz",
                true,
            ),
            (
                "lodash",
                "4.17.21",
                "/lodash-evil/-/lodash-evil-4.17.21.tgz",
                false,
            ),
            ("lodash", "4.17.21", "/lodash/-/lodash-4.17.20.tgz", false),
            ("lodash", "4.17.21", "/other/-/lodash-4.17.21.tgz", false),
        ];
        for (name, v, path, ok) in cases {
            assert_eq!(
                npm_tarball_matches(&pkg(name, v), path),
                ok,
                "{name} {path}"
            );
        }
    }
}
