//! JavaScript lockfiles: npm (package-lock.json / npm-shrinkwrap.json v1–v3),
//! Yarn 1 (its own line format), Yarn 2+ and pnpm (YAML).

use serde_json::Value;

use super::{str_field, yaml_str, ParseError};
use crate::check::parse_url;
use crate::model::{Package, Parsed, Source};

/// Classify an npm-style dependency specifier or resolved URL.
pub fn classify_spec(spec: &str) -> Source {
    let spec = spec.trim();
    let lower = spec.to_ascii_lowercase();
    let is_git = lower.starts_with("git+")
        || lower.starts_with("git://")
        || lower.starts_with("git@")
        || lower.starts_with("ssh://")
        || ["github:", "gitlab:", "bitbucket:", "gist:"]
            .iter()
            .any(|p| lower.starts_with(p))
        || lower.contains(".git#")
        || lower.ends_with(".git")
        || lower.contains("#commit=");
    if is_git {
        let (url, frag) = spec.split_once('#').unwrap_or((spec, ""));
        // Yarn 2+ writes `#commit=<sha>` (or `head=`/`tag=` when unpinned).
        let rev = frag
            .split('&')
            .find_map(|p| p.strip_prefix("commit="))
            .or((!frag.is_empty()).then_some(frag))
            .map(str::to_string);
        return Source::Git {
            url: url.to_string(),
            rev,
        };
    }
    if let Some(archive) = github_archive(spec) {
        return archive;
    }
    for prefix in ["file:", "link:", "portal:", "exec:"] {
        if let Some(path) = spec.strip_prefix(prefix) {
            return Source::Path {
                path: path.to_string(),
            };
        }
    }
    if lower.starts_with("http://") || lower.starts_with("https://") {
        let url = spec.split('#').next().unwrap_or(spec).to_string();
        return if url.contains("/-/") {
            Source::Registry { url: Some(url) }
        } else {
            Source::Url { url }
        };
    }
    if spec.contains("://") {
        return Source::Url {
            url: spec.to_string(),
        };
    }
    Source::Path {
        path: spec.to_string(),
    }
}

/// GitHub archive downloads name a git ref, so they are git sources:
/// `codeload.github.com/<o>/<r>/tar.gz/<ref>` and
/// `github.com/<o>/<r>/archive/<ref>.tar.gz`. The host is the URL parser's
/// ([`parse_url`]), so user info or a trailing dot cannot fake it.
fn github_archive(spec: &str) -> Option<Source> {
    let url = parse_url(spec)?;
    if !matches!(url.scheme.as_str(), "http" | "https") {
        return None;
    }
    let parts: Vec<&str> = url.path.trim_start_matches('/').split('/').collect();
    let git = |owner: &str, repo: &str, rev: &str| Source::Git {
        url: format!("{}://github.com/{owner}/{repo}", url.scheme),
        rev: Some(rev.to_string()),
    };
    match (url.host.as_str(), parts.as_slice()) {
        ("codeload.github.com", [o, r, "tar.gz" | "zip" | "legacy.tar.gz", rev]) => {
            Some(git(o, r, rev))
        }
        ("github.com", [o, r, "archive", tail @ ..]) if !tail.is_empty() => {
            let file = tail.last()?;
            let rev = file
                .strip_suffix(".tar.gz")
                .or_else(|| file.strip_suffix(".zip"))?;
            Some(git(o, r, rev))
        }
        _ => None,
    }
}

fn expects_integrity(source: &Source) -> bool {
    matches!(source, Source::Registry { .. } | Source::Url { .. })
}

/// The package name at the end of a `node_modules/...` key.
fn name_from_key(key: &str) -> Option<&str> {
    key.rsplit_once("node_modules/").map(|(_, n)| n)
}

/// package-lock.json and npm-shrinkwrap.json: `packages` (lockfile v2 and
/// v3) or the nested `dependencies` of v1.
pub fn parse_npm(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let root: Value = super::json(bytes)?;
    let mut parsed = Parsed::default();
    if let Some(packages) = root.get("packages").and_then(Value::as_object) {
        for (key, entry) in packages {
            // "" is the project itself; keys without node_modules are
            // workspace folders, whose source is the project, unless they
            // claim a download of their own.
            let key_name = match name_from_key(key) {
                Some(n) => n,
                None if key.is_empty() || entry.get("resolved").is_none() => continue,
                None => key.rsplit('/').next().unwrap_or(key),
            };
            let real_name = str_field(entry, "name").unwrap_or(key_name);
            let resolved = str_field(entry, "resolved");
            let link = entry.get("link").and_then(Value::as_bool) == Some(true);
            let source = match (link, resolved) {
                (true, r) => Source::Path {
                    path: r.unwrap_or(key).to_string(),
                },
                (false, Some(r)) => classify_spec(r),
                (false, None) => Source::Unknown,
            };
            let expected = expects_integrity(&source);
            let mut pkg = Package::new(key_name, source)
                .version(str_field(entry, "version"))
                .integrity(str_field(entry, "integrity").map(str::to_string))
                .expect_integrity(expected);
            pkg.registry_name = Some(real_name.to_string());
            parsed.packages.push(pkg);
        }
    } else if let Some(deps) = root.get("dependencies").and_then(Value::as_object) {
        v1_dependencies(deps, &mut parsed.packages, 0);
    }
    Ok(parsed)
}

/// lockfileVersion 1: a tree of `dependencies` objects.
fn v1_dependencies(deps: &serde_json::Map<String, Value>, out: &mut Vec<Package>, depth: usize) {
    if depth > 64 {
        return;
    }
    for (name, entry) in deps {
        let version = str_field(entry, "version");
        let spec = str_field(entry, "resolved").or_else(|| {
            // Non-registry dependencies carry their spec in `version`.
            version.filter(|v| v.contains(':') || v.contains('/'))
        });
        let source = spec.map_or(Source::Unknown, classify_spec);
        let expected = expects_integrity(&source) && entry.get("bundled").is_none();
        let plain_version = version.filter(|v| !v.contains(':') && !v.contains('/'));
        let mut pkg = Package::new(name.as_str(), source)
            .version(plain_version)
            .integrity(str_field(entry, "integrity").map(str::to_string))
            .expect_integrity(expected);
        // An alias records `npm:real@1.0.0` as its version.
        pkg.registry_name = Some(
            version
                .and_then(|v| v.strip_prefix("npm:"))
                .and_then(|v| split_descriptor(v).map(|(n, _)| n.to_string()))
                .unwrap_or_else(|| name.clone()),
        );
        out.push(pkg);
        if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
            v1_dependencies(nested, out, depth + 1);
        }
    }
}

/// `@scope/name@range` → (`@scope/name`, `range`).
pub fn split_descriptor(desc: &str) -> Option<(&str, &str)> {
    let at = desc.get(1..)?.find('@')? + 1;
    Some((&desc[..at], &desc[at + 1..]))
}

/// A Yarn 1 entry being read: name, the real name behind an alias, fields.
type YarnEntry = (String, Option<String>, Vec<(String, String)>);

/// Yarn 1's format: unindented descriptor lines ending in `:`, then
/// two-space indented `key value` pairs and nested blocks.
pub fn parse_yarn_classic(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let text = super::utf8(bytes)?;
    let mut parsed = Parsed::default();
    let mut current: Option<YarnEntry> = None;
    let flush = |entry: Option<YarnEntry>, out: &mut Vec<Package>| {
        let Some((name, alias_of, fields)) = entry else {
            return;
        };
        let get = |k: &str| {
            fields
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        let resolved = get("resolved");
        let source = resolved.as_deref().map_or(Source::Unknown, classify_spec);
        // Yarn before 1.10 kept a SHA-1 in the URL fragment instead.
        let sha1_fragment = resolved
            .as_deref()
            .and_then(|r| r.split_once('#'))
            .is_some_and(|(_, f)| f.len() == 40 && f.bytes().all(|b| b.is_ascii_hexdigit()));
        let expected = expects_integrity(&source) && !sha1_fragment;
        let mut pkg = Package::new(name.clone(), source)
            .version(get("version"))
            .integrity(get("integrity"))
            .expect_integrity(expected);
        pkg.registry_name = Some(alias_of.unwrap_or(name));
        out.push(pkg);
    };
    for (lineno, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            let Some(head) = line.strip_suffix(':') else {
                return Err(ParseError::at(lineno + 1, "expected `<descriptor>:`"));
            };
            flush(current.take(), &mut parsed.packages);
            let first = head.split(',').next().unwrap_or(head).trim();
            let first = unquote(first);
            let (name, range) = split_descriptor(first)
                .ok_or_else(|| ParseError::at(lineno + 1, "descriptor without a version range"))?;
            let alias_of = range
                .strip_prefix("npm:")
                .and_then(|r| split_descriptor(r).map(|(n, _)| n.to_string()));
            current = Some((name.to_string(), alias_of, Vec::new()));
            continue;
        }
        // Only direct fields of an entry (two-space indent) matter.
        let Some(field) = line.strip_prefix("  ").filter(|l| !l.starts_with(' ')) else {
            continue;
        };
        let (key, value) = match field.split_once([' ', '\t']) {
            Some((k, v)) => (k, v.trim()),
            None => (field, ""),
        };
        let key = unquote(key.strip_suffix(':').unwrap_or(key));
        if let Some((_, _, fields)) = current.as_mut() {
            fields.push((key.to_string(), unquote(value).to_string()));
        } else {
            return Err(ParseError::at(lineno + 1, "field outside an entry"));
        }
    }
    flush(current.take(), &mut parsed.packages);
    Ok(parsed)
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(s)
}

/// Yarn 2+: YAML whose values have `resolution: "name@protocol:..."`.
pub fn parse_yarn_berry(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let doc = super::yaml(bytes)?;
    let mut parsed = Parsed::default();
    let Some(map) = doc.as_mapping() else {
        return Ok(parsed);
    };
    for (key, entry) in map {
        if key.as_str() == Some("__metadata") {
            continue;
        }
        let Some(resolution) = yaml_str(entry, "resolution") else {
            continue;
        };
        let Some((name, reference)) = split_descriptor(resolution) else {
            continue;
        };
        let (protocol, rest) = reference.split_once(':').unwrap_or(("npm", reference));
        let source = match protocol {
            "workspace" => continue,
            "npm" | "patch" => Source::Registry { url: None },
            "link" | "portal" | "file" | "exec" => Source::Path {
                // `::locator=...` names the workspace that asked for it.
                path: rest.split("::").next().unwrap_or(rest).to_string(),
            },
            _ => classify_spec(reference),
        };
        let expected = matches!(source, Source::Registry { .. } | Source::Url { .. });
        let version = yaml_str(entry, "version");
        let mut pkg = Package::new(name, source)
            .version(version)
            .integrity(yaml_str(entry, "checksum").map(str::to_string))
            .expect_integrity(expected);
        pkg.registry_name = Some(name.to_string());
        parsed.packages.push(pkg);
    }
    Ok(parsed)
}

/// pnpm-lock.yaml, versions 5 to 9: `packages` keyed by `/name/1.0.0`,
/// `/name@1.0.0` or `name@1.0.0`, each with a `resolution`.
pub fn parse_pnpm(bytes: &[u8]) -> Result<Parsed, ParseError> {
    let doc = super::yaml(bytes)?;
    let mut parsed = Parsed::default();
    let Some(packages) = doc.get("packages").and_then(|p| p.as_mapping()) else {
        return Ok(parsed);
    };
    for (key, entry) in packages {
        let Some(key) = key.as_str() else { continue };
        let (key_name, key_version) = pnpm_key(key);
        let name = yaml_str(entry, "name").unwrap_or(key_name);
        let version = yaml_str(entry, "version").or(key_version);
        let resolution = entry.get("resolution");
        let field = |k: &str| resolution.and_then(|r| yaml_str(r, k));
        let source = if let Some(commit) = field("commit") {
            Source::Git {
                url: field("repo").unwrap_or("").to_string(),
                rev: Some(commit.to_string()),
            }
        } else if let Some(tarball) = field("tarball") {
            classify_spec(tarball)
        } else if let Some(dir) = field("directory") {
            Source::Path {
                path: dir.to_string(),
            }
        } else if field("integrity").is_some() {
            Source::Registry { url: None }
        } else {
            Source::Unknown
        };
        let expected = matches!(source, Source::Registry { .. } | Source::Url { .. });
        let mut pkg = Package::new(name, source)
            .version(version)
            .integrity(field("integrity").map(str::to_string))
            .expect_integrity(expected);
        pkg.registry_name = Some(name.to_string());
        parsed.packages.push(pkg);
    }
    Ok(parsed)
}

/// Name and version from a pnpm package key.
fn pnpm_key(key: &str) -> (&str, Option<&str>) {
    let key = key.strip_prefix('/').unwrap_or(key);
    // Peer suffixes: `(react@18.2.0)` (v6+) or `_react@18.2.0` (v5).
    let key = key.split('(').next().unwrap_or(key);
    if let Some((name, version)) = split_descriptor(key) {
        return (name, Some(version));
    }
    // v5: `name/1.0.0` or `@scope/name/1.0.0`.
    match key.rsplit_once('/') {
        Some((name, version)) if !name.is_empty() => {
            (name, Some(version.split('_').next().unwrap_or(version)))
        }
        _ => (key, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_classify() {
        let cases: &[(&str, Source)] = &[
            (
                "https://registry.npmjs.org/a/-/a-1.0.0.tgz",
                Source::Registry {
                    url: Some("https://registry.npmjs.org/a/-/a-1.0.0.tgz".into()),
                },
            ),
            (
                "https://example.com/a.tgz#abc",
                Source::Url {
                    url: "https://example.com/a.tgz".into(),
                },
            ),
            (
                "git+ssh://git@github.com/u/r.git#0123456789abcdef0123456789abcdef01234567",
                Source::Git {
                    url: "git+ssh://git@github.com/u/r.git".into(),
                    rev: Some("0123456789abcdef0123456789abcdef01234567".into()),
                },
            ),
            (
                "https://github.com/u/r.git#commit=abc",
                Source::Git {
                    url: "https://github.com/u/r.git".into(),
                    rev: Some("abc".into()),
                },
            ),
            (
                "github:u/r",
                Source::Git {
                    url: "github:u/r".into(),
                    rev: None,
                },
            ),
            (
                "https://github.com/u/r.git#head=main",
                Source::Git {
                    url: "https://github.com/u/r.git".into(),
                    rev: Some("head=main".into()),
                },
            ),
            (
                "https://codeload.github.com/u/r/tar.gz/0123456789abcdef0123456789abcdef01234567",
                Source::Git {
                    url: "https://github.com/u/r".into(),
                    rev: Some("0123456789abcdef0123456789abcdef01234567".into()),
                },
            ),
            (
                "https://github.com/u/r/archive/v1.0.0.tar.gz",
                Source::Git {
                    url: "https://github.com/u/r".into(),
                    rev: Some("v1.0.0".into()),
                },
            ),
            (
                "HTTPS://GitHub.com./u/r/archive/v1.0.0.tar.gz?x=1",
                Source::Git {
                    url: "https://github.com/u/r".into(),
                    rev: Some("v1.0.0".into()),
                },
            ),
            (
                // Not GitHub's: the host is evil.example.
                "https://github.com@evil.example/u/r/archive/v1.0.0.tar.gz",
                Source::Url {
                    url: "https://github.com@evil.example/u/r/archive/v1.0.0.tar.gz".into(),
                },
            ),
            (
                "file:../lib",
                Source::Path {
                    path: "../lib".into(),
                },
            ),
            (
                "packages/a",
                Source::Path {
                    path: "packages/a".into(),
                },
            ),
        ];
        for (spec, want) in cases {
            assert_eq!(&classify_spec(spec), want, "{spec}");
        }
    }

    #[test]
    fn descriptors_and_pnpm_keys() {
        assert_eq!(
            split_descriptor("@babel/core@^7.0.0"),
            Some(("@babel/core", "^7.0.0"))
        );
        assert_eq!(
            split_descriptor("lodash@npm:4.17.21"),
            Some(("lodash", "npm:4.17.21"))
        );
        assert_eq!(split_descriptor("lodash"), None);
        assert_eq!(pnpm_key("/lodash/4.17.21"), ("lodash", Some("4.17.21")));
        assert_eq!(
            pnpm_key("/@types/node/20.1.0"),
            ("@types/node", Some("20.1.0"))
        );
        assert_eq!(
            pnpm_key("/react-dom@18.2.0(react@18.2.0)"),
            ("react-dom", Some("18.2.0"))
        );
        assert_eq!(pnpm_key("@scope/x@1.0.0"), ("@scope/x", Some("1.0.0")));
    }
}
