//! What every parser produces: the packages a lockfile pins and where each
//! one comes from, in one shape for all ecosystems.

use std::fmt;

use serde::Serialize;

/// A lockfile format agentops can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// package-lock.json and npm-shrinkwrap.json, lockfileVersion 1 to 3.
    Npm,
    /// yarn.lock of Yarn 1.
    YarnClassic,
    /// yarn.lock of Yarn 2+ (YAML with `__metadata`).
    YarnBerry,
    Pnpm,
    Cargo,
    Poetry,
    Pipfile,
    Uv,
    Composer,
    Gemfile,
    GoSum,
    Pubspec,
    NuGet,
}

impl Format {
    /// The format a file name implies. `yarn.lock` is refined by content.
    pub fn from_file_name(name: &str) -> Option<Format> {
        Some(match name {
            "package-lock.json" | "npm-shrinkwrap.json" => Format::Npm,
            "yarn.lock" => Format::YarnClassic,
            "pnpm-lock.yaml" => Format::Pnpm,
            "Cargo.lock" => Format::Cargo,
            "poetry.lock" => Format::Poetry,
            "Pipfile.lock" => Format::Pipfile,
            "uv.lock" => Format::Uv,
            "composer.lock" => Format::Composer,
            "Gemfile.lock" => Format::Gemfile,
            "go.sum" => Format::GoSum,
            "pubspec.lock" => Format::Pubspec,
            "packages.lock.json" => Format::NuGet,
            _ => return None,
        })
    }

    /// Every lockfile name discovery looks for.
    pub const FILE_NAMES: [&'static str; 13] = [
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "Cargo.lock",
        "poetry.lock",
        "Pipfile.lock",
        "uv.lock",
        "composer.lock",
        "Gemfile.lock",
        "go.sum",
        "pubspec.lock",
        "packages.lock.json",
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Npm => "npm",
            Format::YarnClassic => "yarn-classic",
            Format::YarnBerry => "yarn-berry",
            Format::Pnpm => "pnpm",
            Format::Cargo => "cargo",
            Format::Poetry => "poetry",
            Format::Pipfile => "pipenv",
            Format::Uv => "uv",
            Format::Composer => "composer",
            Format::Gemfile => "bundler",
            Format::GoSum => "go",
            Format::Pubspec => "pub",
            Format::NuGet => "nuget",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an ecosystem writes integrity hashes, which decides what "well
/// formed" means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashStyle {
    /// Subresource Integrity: `sha512-<base64>` (npm, Yarn 1, pnpm).
    Sri,
    /// Yarn 2+ checksum: optional `<cache key>/` then 128 hex digits.
    YarnChecksum,
    /// Bare 64 hex digits of SHA-256 (Cargo, pub).
    Sha256Hex,
    /// `sha256:<64 hex>` (Poetry, Pipenv, uv).
    PrefixedSha256,
    /// `sha256=<64 hex>` (Bundler CHECKSUMS).
    BundlerSha256,
    /// `h1:<base64 of SHA-256>` (go.sum).
    GoH1,
    /// Base64 of SHA-512 (NuGet contentHash).
    Base64Sha512,
    /// 40 hex digits of SHA-1 (Composer dist shasum).
    Sha1Hex,
}

/// Where a package comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Source {
    /// A package registry; `url` is the registry or download URL when the
    /// lockfile records one.
    Registry { url: Option<String> },
    /// A tarball or archive fetched from a URL.
    Url { url: String },
    /// A git repository at `rev` (a commit when pinned properly).
    Git { url: String, rev: Option<String> },
    /// A local directory or file (`file:`, `link:`, path dependencies).
    Path { path: String },
    /// The lockfile does not say.
    Unknown,
}

/// One pinned package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    pub name: String,
    pub version: Option<String>,
    pub source: Source,
    /// Integrity values exactly as written (several when the lockfile lists
    /// one per file, as Poetry and uv do).
    pub integrity: Vec<String>,
    /// Whether this ecosystem records an integrity hash for a package of
    /// this kind, so that its absence is an anomaly.
    pub integrity_expected: bool,
    /// The name the registry layout of its URL must show (npm aliases make
    /// it differ from `name`).
    pub registry_name: Option<String>,
    /// Download URLs besides the source (uv wheels, Composer dist archives),
    /// checked like the source URL.
    pub downloads: Vec<String>,
}

impl Package {
    pub fn new(name: impl Into<String>, source: Source) -> Package {
        Package {
            name: name.into(),
            version: None,
            source,
            integrity: Vec::new(),
            integrity_expected: false,
            registry_name: None,
            downloads: Vec::new(),
        }
    }

    pub fn version(mut self, v: Option<impl Into<String>>) -> Package {
        self.version = v.map(Into::into);
        self
    }

    pub fn integrity(mut self, values: impl IntoIterator<Item = String>) -> Package {
        self.integrity
            .extend(values.into_iter().filter(|v| !v.is_empty()));
        self
    }

    pub fn expect_integrity(mut self, expected: bool) -> Package {
        self.integrity_expected = expected;
        self
    }

    /// `name@version`, for findings.
    pub fn label(&self) -> String {
        match &self.version {
            Some(v) if !v.is_empty() => format!("{}@{}", self.name, v),
            _ => self.name.clone(),
        }
    }
}

/// A parsed lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    pub packages: Vec<Package>,
    /// Registry or index URLs declared for the whole file (Pipfile sources,
    /// Bundler remotes), checked like package URLs.
    pub registries: Vec<String>,
}
