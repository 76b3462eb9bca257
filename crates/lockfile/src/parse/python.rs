//! Python lockfiles: poetry.lock and uv.lock (TOML), Pipfile.lock (JSON).

use serde_json::Value;
use toml::Value as Toml;

use super::{str_field, toml_str, ParseError};
use crate::model::{Package, Parsed, Source};

fn hashes_of(files: Option<&Toml>) -> Vec<String> {
    files
        .and_then(Toml::as_array)
        .map(|files| {
            files
                .iter()
                .filter_map(|f| toml_str(f, "hash").map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// poetry.lock: `[[package]]` entries, hashes from their `files` (or the
/// `[metadata.files]` of Poetry before 1.5).
pub fn parse_poetry(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let doc = super::toml(bytes)?;
    let mut parsed = Parsed::default();
    // Poetry before 1.5 kept hashes apart, under [metadata.files].
    let legacy_files = doc.get("metadata").and_then(|m| m.get("files"));
    for entry in doc
        .get("package")
        .and_then(Toml::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = toml_str(entry, "name") else {
            continue;
        };
        let src = entry.get("source");
        let field = |k: &str| src.and_then(|s| toml_str(s, k));
        let source = match field("type") {
            None => Source::Registry { url: None },
            Some("legacy") => Source::Registry {
                url: field("url").map(str::to_string),
            },
            Some("git") => Source::Git {
                url: field("url").unwrap_or("").to_string(),
                rev: field("resolved_reference")
                    .or(field("reference"))
                    .map(str::to_string),
            },
            Some("url") => Source::Url {
                url: field("url").unwrap_or("").to_string(),
            },
            Some(_) => Source::Path {
                path: field("url").unwrap_or("").to_string(),
            },
        };
        let mut hashes = hashes_of(entry.get("files"));
        if hashes.is_empty() {
            hashes = hashes_of(legacy_files.and_then(|f| f.get(name)));
        }
        let expected = matches!(source, Source::Registry { .. } | Source::Url { .. });
        parsed.packages.push(
            Package::new(name, source)
                .version(toml_str(entry, "version"))
                .integrity(hashes)
                .expect_integrity(expected),
        );
    }
    Ok(parsed)
}

/// uv.lock: `[[package]]` entries, with their sdist and wheel URLs and
/// hashes.
pub fn parse_uv(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let doc = super::toml(bytes)?;
    let mut parsed = Parsed::default();
    for entry in doc
        .get("package")
        .and_then(Toml::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = toml_str(entry, "name") else {
            continue;
        };
        let src = entry.get("source");
        let field = |k: &str| src.and_then(|s| toml_str(s, k));
        let source = if let Some(url) = field("registry") {
            Source::Registry {
                url: Some(url.to_string()),
            }
        } else if let Some(git) = field("git") {
            let (url, rev) = git.split_once('#').unwrap_or((git, ""));
            Source::Git {
                url: url.to_string(),
                rev: (!rev.is_empty()).then(|| rev.to_string()),
            }
        } else if let Some(url) = field("url") {
            Source::Url {
                url: url.to_string(),
            }
        } else if let Some(path) = ["path", "directory", "editable", "virtual"]
            .iter()
            .find_map(|k| field(k))
        {
            if path == "." {
                continue; // the project itself
            }
            Source::Path {
                path: path.to_string(),
            }
        } else {
            Source::Unknown
        };
        let mut hashes = Vec::new();
        let mut downloads = Vec::new();
        let sdist = entry.get("sdist").into_iter();
        let wheels = entry
            .get("wheels")
            .and_then(Toml::as_array)
            .into_iter()
            .flatten();
        for artifact in sdist.chain(wheels) {
            if let Some(h) = toml_str(artifact, "hash") {
                hashes.push(h.to_string());
            }
            if let Some(u) = toml_str(artifact, "url") {
                downloads.push(u.to_string());
            }
        }
        let expected = matches!(source, Source::Registry { .. } | Source::Url { .. });
        let mut pkg = Package::new(name, source)
            .version(toml_str(entry, "version"))
            .integrity(hashes)
            .expect_integrity(expected);
        pkg.downloads = downloads;
        parsed.packages.push(pkg);
    }
    Ok(parsed)
}

/// Pipfile.lock: `default` and `develop`, with the index URLs of
/// `_meta.sources`.
pub fn parse_pipfile(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let doc: Value = super::json(bytes)?;
    let mut parsed = Parsed::default();
    if let Some(sources) = doc
        .get("_meta")
        .and_then(|m| m.get("sources"))
        .and_then(Value::as_array)
    {
        parsed.registries = sources
            .iter()
            .filter_map(|s| str_field(s, "url").map(str::to_string))
            .collect();
    }
    for section in ["default", "develop"] {
        let Some(deps) = doc.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (name, entry) in deps {
            let source = if let Some(git) = str_field(entry, "git") {
                Source::Git {
                    url: git.to_string(),
                    rev: str_field(entry, "ref").map(str::to_string),
                }
            } else if let Some(path) = str_field(entry, "path") {
                Source::Path {
                    path: path.to_string(),
                }
            } else if let Some(file) = str_field(entry, "file") {
                Source::Url {
                    url: file.to_string(),
                }
            } else {
                Source::Registry { url: None }
            };
            let hashes: Vec<String> = entry
                .get("hashes")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            let expected = matches!(source, Source::Registry { .. } | Source::Url { .. });
            parsed.packages.push(
                Package::new(name.as_str(), source)
                    .version(str_field(entry, "version").map(|v| v.trim_start_matches("==")))
                    .integrity(hashes)
                    .expect_integrity(expected),
            );
        }
    }
    Ok(parsed)
}
