//! Every supported lockfile format, each with a clean file (nothing at or
//! above low severity may be reported) and a file with planted problems
//! (exactly those must be reported, with the right package).

use std::path::{Path, PathBuf};

use agentops_lockfile::{audit_file, Allowlist, Format, Severity};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// (check id, package label or "-") for every finding, in report order.
fn audit(rel: &str) -> (Format, usize, Vec<(String, String)>) {
    let root = fixtures();
    let name = Path::new(rel)
        .file_name()
        .and_then(|n| n.to_str())
        .expect("file name");
    let format = Format::from_file_name(name).expect("known lockfile name");
    let audit = audit_file(&root, Path::new(rel), format, &Allowlist::default());
    let found = audit
        .findings
        .iter()
        .map(|f| {
            (
                f.check.id().to_string(),
                f.package.clone().unwrap_or_else(|| "-".into()),
            )
        })
        .collect();
    (audit.format, audit.packages, found)
}

#[test]
fn clean_lockfiles_have_no_findings() {
    let cases: &[(&str, Format, usize)] = &[
        ("npm-v3/clean/package-lock.json", Format::Npm, 5),
        ("npm-v1/clean/npm-shrinkwrap.json", Format::Npm, 3),
        ("yarn-v1/clean/yarn.lock", Format::YarnClassic, 5),
        ("yarn-berry/clean/yarn.lock", Format::YarnBerry, 2),
        ("pnpm-v6/clean/pnpm-lock.yaml", Format::Pnpm, 3),
        ("pnpm-v9/clean/pnpm-lock.yaml", Format::Pnpm, 2),
        ("cargo/clean/Cargo.lock", Format::Cargo, 3),
        ("poetry/clean/poetry.lock", Format::Poetry, 2),
        ("pipfile/clean/Pipfile.lock", Format::Pipfile, 3),
        ("uv/clean/uv.lock", Format::Uv, 2),
        ("composer/clean/composer.lock", Format::Composer, 2),
        ("gosum/clean/go.sum", Format::GoSum, 4),
        ("pubspec/clean/pubspec.lock", Format::Pubspec, 2),
        ("nuget/clean/packages.lock.json", Format::NuGet, 2),
    ];
    for (rel, format, packages) in cases {
        let (got_format, got_packages, found) = audit(rel);
        assert_eq!(got_format, *format, "{rel}");
        assert_eq!(got_packages, *packages, "{rel}");
        assert!(found.is_empty(), "{rel}: {found:?}");
    }
}

#[test]
fn clean_gemfile_only_notes_its_workspace_path_gem() {
    let root = fixtures();
    let rel = Path::new("gemfile/clean/Gemfile.lock");
    let audit = audit_file(&root, rel, Format::Gemfile, &Allowlist::default());
    assert_eq!(audit.packages, 6);
    assert_eq!(
        audit.count_at_least(Severity::Low),
        0,
        "{:?}",
        audit.findings
    );
    assert_eq!(audit.findings.len(), 1);
    assert_eq!(audit.findings[0].check.id(), "LOCK005");
    assert_eq!(audit.findings[0].severity, Severity::Info);
}

fn want(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn planted_problems_are_found() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "npm-v3/planted/package-lock.json",
            &[
                ("LOCK001", "-"),
                ("LOCK004", "branchdep@1.0.0"),
                ("LOCK002", "evil@1.0.0"),
                ("LOCK005", "inside"),
                ("LOCK009", "lo\u{200B}dash@4.17.21"),
                ("LOCK007", "md5@1.0.0"),
                ("LOCK006", "nohash@1.0.0"),
                ("LOCK008", "oldsha@1.0.0"),
                ("LOCK005", "outside"),
                ("LOCK003", "plain@1.0.0"),
                ("LOCK002", "sneaky@1.0.0"),
                ("LOCK009", "swapped@4.17.21"),
            ],
        ),
        (
            "npm-v1/planted/npm-shrinkwrap.json",
            &[
                ("LOCK002", "ms@2.1.2"),
                ("LOCK004", "gitdep"),
                ("LOCK005", "localdep"),
            ],
        ),
        (
            "yarn-v1/planted/yarn.lock",
            &[
                ("LOCK009", "left-pad@1.3.0"),
                ("LOCK003", "js-tokens@4.0.0"),
                ("LOCK002", "mirror@1.0.0"),
                ("LOCK007", "bad-hash@1.0.0"),
                ("LOCK004", "tool@2.0.0"),
            ],
        ),
        (
            "yarn-berry/planted/yarn.lock",
            &[
                ("LOCK006", "lodash@4.17.21"),
                ("LOCK007", "left-pad@1.3.0"),
                ("LOCK004", "tool@2.0.0"),
                ("LOCK005", "helper@0.0.0-use.local"),
            ],
        ),
        (
            "pnpm-v9/planted/pnpm-lock.yaml",
            &[
                ("LOCK007", "lodash@4.17.21"),
                ("LOCK002", "evil@1.0.0"),
                ("LOCK004", "gitdep@1.0.0"),
                ("LOCK005", "local@0.1.0"),
            ],
        ),
        (
            "cargo/planted/Cargo.lock",
            &[
                ("LOCK007", "serde@1.0.190"),
                ("LOCK002", "evil@0.1.0"),
                ("LOCK006", "nosum@0.1.0"),
                ("LOCK003", "tool@0.2.0"),
                ("LOCK002", "tool@0.2.0"),
                ("LOCK004", "tool@0.2.0"),
            ],
        ),
        (
            "poetry/planted/poetry.lock",
            &[
                ("LOCK007", "requests@2.31.0"),
                ("LOCK003", "internal@1.0.0"),
                ("LOCK002", "internal@1.0.0"),
                ("LOCK006", "nofiles@1.0.0"),
            ],
        ),
        (
            "pipfile/planted/Pipfile.lock",
            &[
                ("LOCK002", "-"),
                ("LOCK005", "mine"),
                ("LOCK006", "requests@2.31.0"),
                ("LOCK004", "tool"),
                ("LOCK008", "pytest@7.4.3"),
            ],
        ),
        (
            "uv/planted/uv.lock",
            &[
                ("LOCK002", "idna@3.6"),
                ("LOCK006", "nohash@1.0.0"),
                ("LOCK004", "tool@0.2.0"),
            ],
        ),
        (
            "composer/planted/composer.lock",
            &[
                ("LOCK004", "acme/branch@dev-main"),
                ("LOCK003", "acme/mirror@1.0.0"),
                ("LOCK002", "acme/mirror@1.0.0"),
                ("LOCK007", "acme/mirror@1.0.0"),
                ("LOCK005", "acme/local@dev-main"),
            ],
        ),
        (
            "gemfile/planted/Gemfile.lock",
            &[
                ("LOCK003", "-"),
                ("LOCK002", "-"),
                ("LOCK003", "tool@0.2.0"),
                ("LOCK004", "tool@0.2.0"),
                ("LOCK007", "rack@3.0.8"),
                ("LOCK006", "rake@13.1.0"),
            ],
        ),
        (
            "gosum/planted/go.sum",
            &[
                ("LOCK007", "github.com/google/uuid@v1.4.0"),
                ("LOCK007", "golang.org/x/text@v0.14.0"),
            ],
        ),
        (
            "pubspec/planted/pubspec.lock",
            &[
                ("LOCK002", "collection@1.18.0"),
                ("LOCK007", "collection@1.18.0"),
                ("LOCK004", "tool@0.2.0"),
                ("LOCK005", "shared@0.1.0"),
            ],
        ),
        (
            "nuget/planted/packages.lock.json",
            &[
                ("LOCK007", "Newtonsoft.Json@13.0.3"),
                ("LOCK006", "System.Memory@4.5.5"),
            ],
        ),
    ];
    for (rel, expected) in cases {
        let (_, _, found) = audit(rel);
        assert_eq!(found, want(expected), "{rel}");
    }
}

#[test]
fn local_paths_inside_the_project_are_info_and_outside_are_medium() {
    let root = fixtures();
    let audit = audit_file(
        &root,
        Path::new("npm-v3/planted/package-lock.json"),
        Format::Npm,
        &Allowlist::default(),
    );
    let severity_of = |pkg: &str| {
        audit
            .findings
            .iter()
            .find(|f| f.check.id() == "LOCK005" && f.package.as_deref() == Some(pkg))
            .map(|f| f.severity)
    };
    assert_eq!(severity_of("inside"), Some(Severity::Info));
    assert_eq!(severity_of("outside"), Some(Severity::Medium));
}

#[test]
fn extra_allowed_hosts_silence_their_host_findings_only() {
    let root = fixtures();
    let rel = Path::new("yarn-v1/planted/yarn.lock");
    let allow = Allowlist::with_extra(["yarn.mirror.example"]);
    let audit = audit_file(&root, rel, Format::YarnClassic, &allow);
    let ids: Vec<&str> = audit.findings.iter().map(|f| f.check.id()).collect();
    assert_eq!(ids, ["LOCK009", "LOCK003", "LOCK007", "LOCK004"]);
}
