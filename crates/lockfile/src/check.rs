//! The checks run on every parsed lockfile: where each package comes from
//! (registry host, transport, git pinning, local paths), whether its
//! integrity hash is present and well formed for its ecosystem, and whether
//! an npm tarball URL belongs to the package that names it.

use std::fmt;

use serde::Serialize;
use url::{Host, Url};

use crate::model::{Format, HashStyle, Package, Parsed, Source};

/// How much a finding matters. `Info` findings are reported but do not fail
/// a CI gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing (a workspace path dependency).
    Info,
    /// A weakness without an attack path of its own (SHA-1 only).
    Low,
    /// Content that can change or go unverified (unpinned git, no hash,
    /// an unparseable lockfile).
    Medium,
    /// A package from somewhere unexpected or unverifiable.
    High,
    /// Deliberate disguise (invisible Unicode).
    Critical,
}

impl Severity {
    /// The lowercase name, as serialised.
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
    /// LOCK001: invisible or bidirectional Unicode in the file or a value.
    InvisibleUnicode,
    /// LOCK002: a URL whose host is not on the [`Allowlist`].
    UnlistedHost,
    /// LOCK003: `http://` or `git://`.
    InsecureTransport,
    /// LOCK004: a git source without a commit id.
    UnpinnedGit,
    /// LOCK005: a local path source.
    LocalSource,
    /// LOCK006: no integrity hash where the ecosystem records one.
    MissingIntegrity,
    /// LOCK007: an integrity value that is not well formed.
    MalformedIntegrity,
    /// LOCK008: SHA-1 (or MD5) only.
    WeakIntegrity,
    /// LOCK009: an npm tarball URL naming another package.
    NameMismatch,
    /// LOCK010: the lockfile could not be read or parsed.
    Unparseable,
    /// LOCK011: a URL whose host cannot be told unambiguously.
    MalformedUrl,
}

impl Check {
    /// Every check, in id order.
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

    /// The stable rule id, `LOCK001` to `LOCK011`.
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

    /// The kebab-case name, as serialised.
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

    /// The severity every finding of this check gets (a caller may adjust
    /// it, as local paths outside the project are raised to medium).
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
    /// The check that found it.
    pub check: Check,
    /// The check's severity, unless raised for this finding.
    pub severity: Severity,
    /// `name@version`, when the finding is about a package.
    pub package: Option<String>,
    /// What exactly was found (the URL, the hash, the position).
    pub detail: String,
}

impl LockFinding {
    /// A finding of `check`, with its id and severity, about `package` if
    /// any.
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
    /// ignored, an internationalized name in either its Unicode or its
    /// punycode form).
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

    /// Whether `host` (normalized as the list is) is on the list. Matching
    /// is exact: no subdomains, no suffixes.
    pub fn allows(&self, host: &str) -> bool {
        let host = normalize_host(host);
        self.hosts.contains(&host)
    }

    /// The normalized host names on the list.
    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }
}

/// The form hosts are compared in: what the WHATWG host parser makes of
/// the name (lowercase, IDNA to punycode, IPv4 forms to dotted decimal,
/// IPv6 compressed and without brackets), without a trailing dot. A name
/// the parser refuses is only lowercased, so it can only equal itself.
fn normalize_host(h: &str) -> String {
    let h = h.trim();
    let h = match Host::parse(h) {
        Ok(Host::Domain(d)) => d,
        Ok(Host::Ipv4(ip)) => ip.to_string(),
        Ok(Host::Ipv6(ip)) => ip.to_string(),
        Err(_) => h.to_ascii_lowercase(),
    };
    match h.strip_suffix('.') {
        Some(stripped) => stripped.to_string(),
        None => h,
    }
}

/// The parts of a URL the checks need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts {
    /// Lowercase scheme, e.g. `https`, `git+ssh`, `ssh` for scp-like git.
    pub scheme: String,
    /// The host as [`Allowlist`] compares it: lowercase, punycode for an
    /// internationalized name, no trailing dot, no user info or port.
    pub host: String,
    /// The path, without query or fragment; for `http(s)` URLs as the
    /// client requests it (dot segments resolved, percent-escapes kept).
    pub path: String,
}

/// Split a URL, or an scp-like git address (`git@host:owner/repo.git`), or
/// a `github:`-style shorthand. `None` when the host cannot be determined
/// unambiguously (backslashes, whitespace, empty host, percent-escapes in
/// the host, a non-ASCII name that folds to a plain ASCII one, anything
/// the URL parser refuses).
///
/// URLs (`scheme://...`) go through the `url` crate, the WHATWG parser
/// npm (Node), Cargo and browsers share: user info ends at the last `@`
/// of the authority (`https://registry.npmjs.org@evil.example/` reaches
/// `evil.example`), ports are dropped, names are lowercased and
/// internationalized ones turned into punycode. The two other forms are
/// not URLs and keep their own handling.
pub fn parse_url(url: &str) -> Option<UrlParts> {
    // A backslash is a path separator to WHATWG parsers and part of the
    // user info to RFC 3986 ones, so the host depends on the client.
    if url
        .chars()
        .any(|c| c.is_whitespace() || c == '\\' || c.is_control())
    {
        return None;
    }
    // Not URLs: `github:user/repo` would parse as one with no host.
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
    let Some((_, rest)) = url.split_once("://") else {
        return scp_like(url);
    };
    // `https:///host/x`: WHATWG parsers skip the empty authority and take
    // `host` as the host, RFC 3986 ones see no host at all.
    if rest.starts_with('/') {
        return None;
    }
    // The authority as written, only to judge how the host was written:
    // the host itself is the URL parser's.
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let written_host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    // Percent-escapes in a host are decoded by some clients and not by
    // others.
    if written_host.contains('%') {
        return None;
    }
    let parsed = match Url::parse(url) {
        Ok(parsed) => parsed,
        Err(url::ParseError::InvalidPort) => scp_path_in_url(url)?,
        Err(_) => return None,
    };
    let host = match parsed.host()? {
        // Non-special schemes (`git+https`, `git+ssh`, `ssh`...) leave the
        // host opaque (case and Unicode kept): parse it as a domain, as
        // the transport underneath will.
        Host::Domain(d) => match Host::parse(d).ok()? {
            Host::Domain(d) => d,
            Host::Ipv4(ip) => ip.to_string(),
            Host::Ipv6(ip) => ip.to_string(),
        },
        Host::Ipv4(ip) => ip.to_string(),
        Host::Ipv6(ip) => ip.to_string(),
    };
    // IDNA also folds lookalikes into plain ASCII (fullwidth letters, a
    // soft hyphen): a name written in Unicode that is not a punycode name
    // in the end is a disguise, not an internationalized name.
    if !written_host.is_ascii() && !host.split('.').any(|label| label.starts_with("xn--")) {
        return None;
    }
    let host = host.strip_suffix('.').unwrap_or(&host).to_string();
    if host.is_empty() {
        return None;
    }
    Some(UrlParts {
        scheme: parsed.scheme().to_string(),
        host,
        path: parsed.path().to_string(),
    })
}

/// `git+ssh://git@github.com:owner/repo.git`: an ssh URL written with the
/// scp-like `host:path`, which npm and Yarn accept and record. Read as
/// `git+ssh://git@github.com/owner/repo.git`; other schemes with a port
/// that is not a number stay malformed.
fn scp_path_in_url(url: &str) -> Option<Url> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(
        scheme.to_ascii_lowercase().as_str(),
        "ssh" | "git+ssh" | "ssh+git" | "git"
    ) {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let at = authority.rfind('@').map_or(0, |i| i + 1);
    let colon = at + authority[at..].find(':')?;
    let port_or_path = &authority[colon + 1..];
    if port_or_path.is_empty() || port_or_path.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Url::parse(&format!(
        "{scheme}://{}/{port_or_path}{tail}",
        &authority[..colon]
    ))
    .ok()
}

/// scp-like git addresses, `user@host:path`: not URLs, so no URL parser
/// applies. The user is required (without it, `c:/x` or `name:value` would
/// pass for a host), and the host must be a plain ASCII name.
fn scp_like(url: &str) -> Option<UrlParts> {
    let (authority, path) = url.split_once(':')?;
    let (_, host) = authority.rsplit_once('@')?;
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
    if !valid {
        return None;
    }
    Some(UrlParts {
        scheme: "ssh".into(),
        host: normalize_host(host),
        path: format!("/{path}"),
    })
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
    /// Not a value of the ecosystem's format; says what was expected.
    Malformed(String),
    /// Well formed, but only with a broken algorithm (MD5, SHA-1).
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

/// How `format` writes integrity hashes.
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

    /// The host a URL reaches, for the forms that fool hand-written
    /// parsers: `Some(host)` as compared with the allowlist, `None` for
    /// malformed or ambiguous.
    #[test]
    fn the_host_is_the_one_the_client_reaches() {
        let cases: &[(&str, Option<&str>)] = &[
            // User info ends at the last `@` of the authority.
            (
                "https://registry.npmjs.org@evil.example/",
                Some("evil.example"),
            ),
            (
                "https://registry.npmjs.org:443@evil.example/a",
                Some("evil.example"),
            ),
            (
                "https://a@registry.npmjs.org@evil.example/a",
                Some("evil.example"),
            ),
            (
                "https://evil.example@registry.npmjs.org/a",
                Some("registry.npmjs.org"),
            ),
            // An `@` after the authority is path, query or fragment.
            (
                "https://evil.example/@registry.npmjs.org/a",
                Some("evil.example"),
            ),
            (
                "https://evil.example#@registry.npmjs.org",
                Some("evil.example"),
            ),
            (
                "https://evil.example?@registry.npmjs.org",
                Some("evil.example"),
            ),
            // Ports, case, trailing dots.
            (
                "https://registry.npmjs.org:8443/a",
                Some("registry.npmjs.org"),
            ),
            ("HTTPS://Registry.NPMJS.org./a", Some("registry.npmjs.org")),
            ("git+https://GitHub.com./u/r.git", Some("github.com")),
            ("https://registry.npmjs.org:99999/a", None),
            ("https://registry.npmjs.org:abc/a", None),
            // Internationalized names are compared as punycode...
            ("https://bücher.example/a", Some("xn--bcher-kva.example")),
            (
                "git+https://BÜCHER.example/a",
                Some("xn--bcher-kva.example"),
            ),
            // ...so a lookalike is another host (Cyrillic і, U+0456).
            (
                "https://reg\u{456}stry.npmjs.org/a",
                Some("xn--regstry-tog.npmjs.org"),
            ),
            // Unicode that folds to plain ASCII is a disguise.
            ("https://\u{FF52}egistry.npmjs.org/a", None),
            ("https://regis\u{AD}try.npmjs.org/a", None),
            // Percent-escapes in the host: clients disagree.
            ("https://registry%2Enpmjs.org/a", None),
            (
                "https://registry.npmjs.org%2F@evil.example/a",
                Some("evil.example"),
            ),
            // Numeric hosts in the forms the parser knows.
            ("https://0x7f.1/a", Some("127.0.0.1")),
            ("https://[0:0::1]/a", Some("::1")),
            // Not URLs, and kept as they were.
            ("git@GitHub.com:u/r.git", Some("github.com")),
            ("git+ssh://git@github.com:u/r.git", Some("github.com")),
            ("ssh://git@github.com:22/u/r.git", Some("github.com")),
            ("gitlab:u/r", Some("gitlab.com")),
            ("c:/x", None),
            ("name:value", None),
            // No host, or one that depends on the client.
            ("https://", None),
            ("https:///registry.npmjs.org/a", None),
            ("git+ssh://@/u/r", None),
            ("https://reg\tistry.npmjs.org/a", None),
        ];
        for (url, want) in cases {
            let got = parse_url(url).map(|p| p.host);
            assert_eq!(got.as_deref(), *want, "{url}");
        }
    }

    #[test]
    fn allowed_and_refused_for_the_tricky_forms() {
        let allow = Allowlist::with_extra(["Bücher.example.", "[::1]"]);
        let allowed = [
            "https://registry.npmjs.org:443/a/-/a-1.tgz",
            "https://evil.example@registry.npmjs.org/a",
            "https://REGISTRY.npmjs.org./a",
            "https://xn--bcher-kva.example/a",
            "https://bücher.example/a",
            "https://[::1]:8080/a",
            "git+ssh://git@github.com:u/r.git",
        ];
        for url in allowed {
            let host = parse_url(url).map(|p| p.host);
            assert!(
                host.as_deref().is_some_and(|h| allow.allows(h)),
                "{url}: {host:?}"
            );
        }
        let refused = [
            "https://registry.npmjs.org@evil.example/",
            "https://registry.npmjs.org.evil.example/a",
            "https://reg\u{456}stry.npmjs.org/a",
            "https://buecher.example/a",
            "https://127.0.0.1/a",
        ];
        for url in refused {
            let host = parse_url(url).map(|p| p.host);
            assert!(
                host.as_deref().is_some_and(|h| !allow.allows(h)),
                "{url}: {host:?}"
            );
        }
    }

    #[test]
    fn npm_tarball_paths_are_the_ones_requested() {
        for (url, path) in [
            (
                "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz?x=1#y",
                "/lodash/-/lodash-4.17.21.tgz",
            ),
            (
                "https://registry.npmjs.org/evil/../lodash/-/lodash-4.17.21.tgz",
                "/lodash/-/lodash-4.17.21.tgz",
            ),
            (
                "https://registry.npmjs.org/@babel%2fcore/-/core-7.1.0.tgz",
                "/@babel%2fcore/-/core-7.1.0.tgz",
            ),
        ] {
            assert_eq!(
                parse_url(url).map(|p| p.path).as_deref(),
                Some(path),
                "{url}"
            );
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
