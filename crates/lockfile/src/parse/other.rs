//! Cargo.lock (TOML), composer.lock and packages.lock.json (JSON),
//! pubspec.lock (YAML), and the line formats of Gemfile.lock and go.sum.

use std::collections::HashMap;

use serde_json::Value;
use toml::Value as Toml;

use super::{str_field, toml_str, yaml_str, ParseError};
use crate::model::{Package, Parsed, Source};

/// Cargo.lock: `[[package]]` entries with their `source` and `checksum`
/// (or the v1 `[metadata]` checksums).
pub fn parse_cargo(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let doc = super::toml(bytes)?;
    let mut parsed = Parsed::default();
    // Format v1 kept checksums in [metadata] as
    // "checksum <name> <version> (<source>)" = "<hex>".
    let mut legacy: HashMap<(String, String), String> = HashMap::new();
    if let Some(meta) = doc.get("metadata").and_then(Toml::as_table) {
        for (k, v) in meta {
            let mut parts = k.split_whitespace();
            if let (Some("checksum"), Some(n), Some(ver), Some(sum)) =
                (parts.next(), parts.next(), parts.next(), v.as_str())
            {
                legacy.insert((n.to_string(), ver.to_string()), sum.to_string());
            }
        }
    }
    for entry in doc
        .get("package")
        .and_then(Toml::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = toml_str(entry, "name") else {
            continue;
        };
        let version = toml_str(entry, "version");
        // No source: a path dependency or a workspace member.
        let Some(src) = toml_str(entry, "source") else {
            continue;
        };
        let source = if let Some(url) = src
            .strip_prefix("registry+")
            .or_else(|| src.strip_prefix("sparse+"))
        {
            Source::Registry {
                url: Some(url.to_string()),
            }
        } else if let Some(git) = src.strip_prefix("git+") {
            let (url, rev) = git.split_once('#').unwrap_or((git, ""));
            Source::Git {
                url: url.split('?').next().unwrap_or(url).to_string(),
                rev: (!rev.is_empty()).then(|| rev.to_string()),
            }
        } else {
            Source::Url {
                url: src.to_string(),
            }
        };
        let checksum = toml_str(entry, "checksum").map(str::to_string).or_else(|| {
            legacy
                .get(&(name.to_string(), version.unwrap_or("").to_string()))
                .cloned()
        });
        let expected = matches!(source, Source::Registry { .. });
        parsed.packages.push(
            Package::new(name, source)
                .version(version)
                .integrity(checksum)
                .expect_integrity(expected),
        );
    }
    Ok(parsed)
}

fn opt_field<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a str> {
    v.and_then(|v| str_field(v, key))
}

/// composer.lock: `packages` and `packages-dev`, with their `source` and
/// `dist`.
pub fn parse_composer(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let doc: Value = super::json(bytes)?;
    let mut parsed = Parsed::default();
    for section in ["packages", "packages-dev"] {
        for entry in doc
            .get(section)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(name) = str_field(entry, "name") else {
                continue;
            };
            let src = entry.get("source");
            let dist = entry.get("dist");
            let source = match (opt_field(src, "type"), opt_field(dist, "type")) {
                (_, Some("path")) | (Some("path"), _) => Source::Path {
                    path: opt_field(dist, "url")
                        .or(opt_field(src, "url"))
                        .unwrap_or("")
                        .to_string(),
                },
                (Some("git"), _) => Source::Git {
                    url: opt_field(src, "url").unwrap_or("").to_string(),
                    rev: opt_field(src, "reference").map(str::to_string),
                },
                _ => match opt_field(dist, "url") {
                    Some(url) => Source::Url {
                        url: url.to_string(),
                    },
                    None => Source::Unknown,
                },
            };
            let mut pkg = Package::new(name, source)
                .version(str_field(entry, "version"))
                // Packagist leaves `shasum` empty for most archives; a
                // non-empty one must be well formed.
                .integrity(opt_field(dist, "shasum").map(str::to_string));
            if let (Some(url), Source::Git { .. }) = (opt_field(dist, "url"), &pkg.source) {
                pkg.downloads.push(url.to_string());
            }
            parsed.packages.push(pkg);
        }
    }
    Ok(parsed)
}

/// packages.lock.json: the `dependencies` of every target framework, each
/// package once.
pub fn parse_nuget(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let doc: Value = super::json(bytes)?;
    let mut parsed = Parsed::default();
    let mut seen = std::collections::HashSet::new();
    let frameworks = doc.get("dependencies").and_then(Value::as_object);
    for deps in frameworks.into_iter().flat_map(|f| f.values()) {
        let Some(deps) = deps.as_object() else {
            continue;
        };
        for (name, entry) in deps {
            if str_field(entry, "type") == Some("Project") {
                continue;
            }
            let version = str_field(entry, "resolved");
            if !seen.insert((name.clone(), version.map(str::to_string))) {
                continue;
            }
            parsed.packages.push(
                Package::new(name.as_str(), Source::Registry { url: None })
                    .version(version)
                    .integrity(str_field(entry, "contentHash").map(str::to_string))
                    .expect_integrity(true),
            );
        }
    }
    Ok(parsed)
}

/// pubspec.lock (YAML): `packages` with `source` hosted, git or path; SDK
/// packages are skipped.
pub fn parse_pubspec(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let doc = super::yaml(bytes)?;
    let mut parsed = Parsed::default();
    let Some(packages) = doc.get("packages").and_then(|p| p.as_mapping()) else {
        return Ok(parsed);
    };
    for (name, entry) in packages {
        let Some(name) = name.as_str() else { continue };
        let desc = entry.get("description");
        let field = |k: &str| desc.and_then(|d| yaml_str(d, k));
        let source = match yaml_str(entry, "source") {
            Some("sdk") => continue,
            Some("hosted") => Source::Registry {
                url: field("url").map(str::to_string),
            },
            Some("git") => Source::Git {
                url: field("url").unwrap_or("").to_string(),
                rev: field("resolved-ref").map(str::to_string),
            },
            Some("path") => Source::Path {
                path: field("path").unwrap_or("").to_string(),
            },
            _ => Source::Unknown,
        };
        parsed.packages.push(
            Package::new(name, source)
                .version(yaml_str(entry, "version"))
                .integrity(field("sha256").map(str::to_string)),
        );
    }
    Ok(parsed)
}

/// go.sum: `<module> <version>[/go.mod] h1:<base64>` per line.
pub fn parse_go_sum(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let text = super::utf8(bytes)?;
    let mut parsed = Parsed::default();
    for (lineno, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [module, version, hash] = fields[..] else {
            return Err(ParseError::at(
                lineno + 1,
                "expected `<module> <version> <hash>`",
            ));
        };
        parsed.packages.push(
            Package::new(module, Source::Registry { url: None })
                .version(Some(version))
                .integrity(Some(hash.to_string()))
                .expect_integrity(true),
        );
    }
    Ok(parsed)
}

/// Gemfile.lock: sections (`GEM`, `GIT`, `PATH`, `CHECKSUMS`, ...) with
/// `remote:`/`revision:` settings and four-space `name (version)` specs.
pub fn parse_gemfile(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let text = super::utf8(bytes)?;
    let mut parsed = Parsed::default();
    let mut section = "";
    let mut remotes: Vec<String> = Vec::new();
    let mut revision: Option<String> = None;
    let mut checksums: HashMap<String, String> = HashMap::new();
    let mut section_start = 0;
    for (lineno, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            section = line.trim();
            remotes.clear();
            revision = None;
            section_start = parsed.packages.len();
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let body = line.trim_start();
        match (section, indent) {
            ("GEM" | "GIT" | "PATH", 2) => {
                if let Some(r) = body.strip_prefix("remote:") {
                    remotes.push(r.trim().to_string());
                    if section == "GEM" {
                        parsed.registries.push(r.trim().to_string());
                    }
                } else if let Some(r) = body.strip_prefix("revision:") {
                    revision = Some(r.trim().to_string());
                    // Specs listed before the revision line get it too.
                    for p in &mut parsed.packages[section_start..] {
                        if let Source::Git { rev, .. } = &mut p.source {
                            *rev = revision.clone();
                        }
                    }
                }
            }
            ("GEM" | "GIT" | "PATH", 4) => {
                let (name, version) = spec_line(body)
                    .ok_or_else(|| ParseError::at(lineno + 1, "expected `name (version)`"))?;
                let remote = remotes.first().cloned().unwrap_or_default();
                let source = match section {
                    "GEM" => Source::Registry {
                        url: (!remote.is_empty()).then_some(remote),
                    },
                    "GIT" => Source::Git {
                        url: remote,
                        rev: revision.clone(),
                    },
                    _ => Source::Path { path: remote },
                };
                parsed
                    .packages
                    .push(Package::new(name, source).version(Some(version)));
            }
            ("CHECKSUMS", 2) => {
                if let Some((spec, sum)) = body.rsplit_once(' ') {
                    checksums.insert(spec.to_string(), sum.to_string());
                }
            }
            _ => {}
        }
    }
    let has_checksums = !checksums.is_empty();
    for p in &mut parsed.packages {
        if let Some(sum) = checksums.get(&format!(
            "{} ({})",
            p.name,
            p.version.as_deref().unwrap_or("")
        )) {
            p.integrity.push(sum.clone());
        }
        p.integrity_expected = has_checksums && matches!(p.source, Source::Registry { .. });
    }
    Ok(parsed)
}

/// `name (1.2.3)` or `name (1.2.3-x86_64-linux)`.
fn spec_line(body: &str) -> Option<(&str, &str)> {
    let (name, rest) = body.split_once(" (")?;
    Some((name, rest.strip_suffix(')')?))
}
