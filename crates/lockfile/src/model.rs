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
    /// pnpm-lock.yaml, versions 5 to 9.
    Pnpm,
    /// Cargo.lock, formats v1 to v4.
    Cargo,
    /// poetry.lock.
    Poetry,
    /// Pipfile.lock (Pipenv).
    Pipfile,
    /// uv.lock.
    Uv,
    /// composer.lock.
    Composer,
    /// Gemfile.lock (Bundler).
    Gemfile,
    /// go.sum.
    GoSum,
    /// pubspec.lock (Dart and Flutter).
    Pubspec,
    /// packages.lock.json (NuGet).
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

    /// The ecosystem's short name (`npm`, `yarn-classic`, `pub`...), as
    /// shown in reports.
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
    Registry {
        /// The registry or download URL, if recorded.
        url: Option<String>,
    },
    /// A tarball or archive fetched from a URL.
    Url {
        /// Where it is downloaded from.
        url: String,
    },
    /// A git repository at `rev` (a commit when pinned properly).
    Git {
        /// The repository, as written (URL, scp-like or shorthand).
        url: String,
        /// The commit, branch or tag recorded, if any.
        rev: Option<String>,
    },
    /// A local directory or file (`file:`, `link:`, path dependencies).
    Path {
        /// The path as written, relative to the lockfile's directory.
        path: String,
    },
    /// The lockfile does not say.
    Unknown,
}

/// One pinned package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// The package name as installed.
    pub name: String,
    /// The locked version, if recorded.
    pub version: Option<String>,
    /// Where it comes from.
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
    /// A package with no version, integrity or downloads yet.
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

    /// With `v` as its version.
    pub fn version(mut self, v: Option<impl Into<String>>) -> Package {
        self.version = v.map(Into::into);
        self
    }

    /// With the non-empty `values` added to its integrity values.
    pub fn integrity(mut self, values: impl IntoIterator<Item = String>) -> Package {
        self.integrity
            .extend(values.into_iter().filter(|v| !v.is_empty()));
        self
    }

    /// With [`Package::integrity_expected`] set.
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
    /// Every package pinned, in file order.
    pub packages: Vec<Package>,
    /// Registry or index URLs declared for the whole file (Pipfile sources,
    /// Bundler remotes), checked like package URLs.
    pub registries: Vec<String>,
}
