//! Lockfile audit: find the lockfiles of a project, parse each with a real
//! parser for its format, and check every pinned package's origin and
//! integrity.
//!
//! - [`model`]: the common shape of a parsed lockfile;
//! - [`parse`]: one parser per format;
//! - [`check`]: the checks and their severities.
//!
//! [`audit_file`] is the only function that touches the file system;
//! [`audit_bytes`] is the pure core. Finding a project's lockfiles is the
//! caller's job (agentops-policies lists them through its `World`).

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod check;
pub mod model;
pub mod parse;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use check::{Allowlist, Check, LockFinding, Severity};
pub use model::{Format, Package, Parsed, Source};

/// Lockfiles larger than this are reported, not parsed.
pub const MAX_LOCKFILE_BYTES: u64 = 64 * 1024 * 1024;

/// Directories never searched for workspace lockfiles.
const SKIP_DIRS: &[&str] = &["node_modules", "vendor", "target", "dist", "build"];

/// The audit of one lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileAudit {
    /// Path relative to the project root.
    pub file: PathBuf,
    /// The format it was read as (a `yarn.lock` refined by its content).
    pub format: Format,
    /// How many packages it pins (0 when it could not be parsed).
    pub packages: usize,
    /// Everything found, in file order per check.
    pub findings: Vec<LockFinding>,
}

impl FileAudit {
    /// Findings at or above `min`.
    pub fn count_at_least(&self, min: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity >= min).count()
    }
}

/// Whether lockfiles are looked for in a directory of this name one level
/// below the project root (workspaces): not hidden, not a dependency or
/// build directory. Callers list the directories themselves.
pub fn searched_dir(name: &str) -> bool {
    !name.starts_with('.') && !SKIP_DIRS.contains(&name)
}

/// Audit a lockfile's bytes. `rel` is only used to label the result.
pub fn audit_bytes(rel: &Path, format: Format, bytes: &[u8], allow: &Allowlist) -> FileAudit {
    let format = parse::refine_format(format, bytes);
    let mut findings = Vec::new();
    let hits = agentops_unicode::scan(bytes, agentops_unicode::Options::TEXT);
    for f in agentops_unicode::findings(bytes, &hits) {
        findings.push(LockFinding::new(
            Check::InvisibleUnicode,
            None,
            format!(
                "{} ({}) at line {}, column {}: {}",
                f.code_point_summary(),
                agentops_unicode::describe_categories(f.categories.iter().copied()),
                f.line,
                f.column,
                f.context
            ),
        ));
    }
    let raw_hits = !findings.is_empty();
    let packages = match parse::parse(format, bytes) {
        Ok(parsed) => {
            if !raw_hits {
                // Escapes (`\u200b` in JSON, TOML or YAML strings) hide from
                // the byte scan; the parsed values do not.
                findings.extend(hidden_in_values(&parsed));
            }
            findings.extend(check::check_parsed(format, &parsed, allow));
            parsed.packages.len()
        }
        Err(e) => {
            findings.push(LockFinding::new(Check::Unparseable, None, e.to_string()));
            0
        }
    };
    FileAudit {
        file: rel.to_path_buf(),
        format,
        packages,
        findings,
    }
}

/// Invisible Unicode inside parsed names, versions, URLs and hashes.
fn hidden_in_values(parsed: &Parsed) -> Vec<LockFinding> {
    let mut out = Vec::new();
    for pkg in &parsed.packages {
        let mut values: Vec<&str> = vec![pkg.name.as_str()];
        values.extend(pkg.version.as_deref());
        values.extend(pkg.registry_name.as_deref());
        match &pkg.source {
            Source::Registry { url: Some(u) } | Source::Url { url: u } => values.push(u),
            Source::Git { url, rev } => {
                values.push(url);
                values.extend(rev.as_deref());
            }
            Source::Path { path } => values.push(path),
            Source::Registry { url: None } | Source::Unknown => {}
        }
        values.extend(pkg.downloads.iter().map(String::as_str));
        values.extend(pkg.integrity.iter().map(String::as_str));
        for value in values {
            let hits = agentops_unicode::scan(value.as_bytes(), agentops_unicode::Options::TEXT);
            if let Some(first) = hits.first() {
                out.push(LockFinding::new(
                    Check::InvisibleUnicode,
                    Some(pkg),
                    format!(
                        "U+{:04X} ({}) written as an escape in `{}`",
                        first.code_point,
                        agentops_unicode::describe_categories(hits.iter().map(|h| h.category)),
                        value.escape_debug()
                    ),
                ));
                break;
            }
        }
    }
    for url in &parsed.registries {
        if agentops_unicode::contains_flagged(url.as_bytes(), agentops_unicode::Options::TEXT) {
            out.push(LockFinding::new(
                Check::InvisibleUnicode,
                None,
                format!("escaped invisible Unicode in `{}`", url.escape_debug()),
            ));
        }
    }
    out
}

/// Read and audit one lockfile under `root`.
pub fn audit_file(root: &Path, rel: &Path, format: Format, allow: &Allowlist) -> FileAudit {
    let path = root.join(rel);
    let read = std::fs::metadata(&path).and_then(|m| {
        if m.len() > MAX_LOCKFILE_BYTES {
            Err(too_large(m.len()))
        } else {
            std::fs::read(&path)
        }
    });
    audit_read(rel, format, read, allow)
}

/// Why a lockfile of `len` bytes is not read (over
/// [`MAX_LOCKFILE_BYTES`]), as [`audit_read`] reports it.
pub fn too_large(len: u64) -> std::io::Error {
    std::io::Error::other(format!(
        "{len} bytes is over the {MAX_LOCKFILE_BYTES}-byte limit"
    ))
}

/// Audit a lockfile from the result of reading it, as [`audit_file`] does
/// once it has read the file: the bytes are audited, a failed read is an
/// unparseable-lockfile finding. For callers that read files themselves.
pub fn audit_read(
    rel: &Path,
    format: Format,
    read: std::io::Result<Vec<u8>>,
    allow: &Allowlist,
) -> FileAudit {
    match read {
        Ok(bytes) => audit_bytes(rel, format, &bytes, allow),
        Err(e) => FileAudit {
            file: rel.to_path_buf(),
            format,
            packages: 0,
            findings: vec![LockFinding::new(
                Check::Unparseable,
                None,
                format!("could not read: {e}"),
            )],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_files_have_no_packages_and_broken_ones_are_reported() {
        let allow = Allowlist::default();
        let empty = audit_bytes(Path::new("package-lock.json"), Format::Npm, b"", &allow);
        assert!(empty.findings.is_empty());
        for (format, bytes) in [
            (Format::Npm, &b"{\"packages\": "[..]),
            (Format::Cargo, b"[[package]]\n\"integrity\": \"md5-x\"\n"),
            (Format::GoSum, b"only-two fields\n"),
            (Format::YarnClassic, b"# yarn\nnot a descriptor line\n"),
            (Format::Pnpm, b"packages: [unclosed\n"),
        ] {
            let a = audit_bytes(Path::new("x"), format, bytes, &allow);
            let ids: Vec<&str> = a.findings.iter().map(|f| f.check.id()).collect();
            assert_eq!(ids, ["LOCK010"], "{format}");
        }
    }

    #[test]
    fn yarn_berry_is_told_apart_by_its_metadata_block() {
        let berry = b"__metadata:\n  version: 8\n";
        let a = audit_bytes(
            Path::new("yarn.lock"),
            Format::YarnClassic,
            berry,
            &Allowlist::default(),
        );
        assert_eq!(a.format, Format::YarnBerry);
        assert!(a.findings.is_empty());
    }

    #[test]
    fn invisible_unicode_is_reported_with_its_position() {
        let bytes = "{\"name\":\"evil\u{200B}package\"}".as_bytes();
        let a = audit_bytes(
            Path::new("package-lock.json"),
            Format::Npm,
            bytes,
            &Allowlist::default(),
        );
        assert_eq!(a.findings.len(), 1);
        assert_eq!(a.findings[0].check, Check::InvisibleUnicode);
        assert_eq!(a.findings[0].severity, Severity::Critical);
        assert!(
            a.findings[0].detail.contains("U+200B"),
            "{}",
            a.findings[0].detail
        );
        assert!(
            a.findings[0].detail.contains("line 1, column 14"),
            "{}",
            a.findings[0].detail
        );
    }

    #[test]
    fn npm_entries_outside_node_modules_are_checked_when_they_download() {
        let text = r#"{"packages":{"":{},"packages/ws":{"version":"1.0.0"},"evil":{"resolved":"https://evil.example/evil-1.0.0.tgz","integrity":"sha512-x"}}}"#;
        let a = audit_bytes(
            Path::new("package-lock.json"),
            Format::Npm,
            text.as_bytes(),
            &Allowlist::default(),
        );
        assert_eq!(a.packages, 1, "the workspace folder is not a package");
        let ids: Vec<(&str, Option<&str>)> = a
            .findings
            .iter()
            .map(|f| (f.check.id(), f.package.as_deref()))
            .collect();
        assert_eq!(ids, [("LOCK002", Some("evil")), ("LOCK007", Some("evil"))]);
    }

    #[test]
    fn escaped_invisible_characters_are_found_after_parsing() {
        let cases: &[(Format, &str)] = &[
            (
                Format::Npm,
                r#"{"packages":{"node_modules/lodash":{"version":"4.17.21","resolved":"https://registry.npmjs.org/lo\u200bdash/-/lodash-4.17.21.tgz"}}}"#,
            ),
            (
                Format::Cargo,
                "[[package]]\nname = \"ser\\u200Bde\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
            ),
            (
                Format::Pnpm,
                "packages:\n  \"left\\u202Epad@1.0.0\":\n    resolution: {integrity: sha512-x}\n",
            ),
        ];
        for (format, text) in cases {
            assert!(text.is_ascii(), "the fixture itself hides nothing");
            let a = audit_bytes(
                Path::new("lock"),
                *format,
                text.as_bytes(),
                &Allowlist::default(),
            );
            let hidden: Vec<&LockFinding> = a
                .findings
                .iter()
                .filter(|f| f.check == Check::InvisibleUnicode)
                .collect();
            assert_eq!(hidden.len(), 1, "{format}: {:?}", a.findings);
            assert!(hidden[0].package.is_some(), "{format}");
        }
    }
}
