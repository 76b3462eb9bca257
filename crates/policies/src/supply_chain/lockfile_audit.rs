//! lockfile-audit: at session start, parse every lockfile of the project
//! (root and one directory down) and report packages from unexpected hosts,
//! over insecure transports, from unpinned git refs or local paths, with
//! missing or malformed integrity hashes, or whose npm tarball belongs to
//! another package; and any invisible Unicode in the lockfile itself.
//!
//! Extra registry hosts come from the `lockfile_allowed_hosts` flag (a JSON
//! array or a comma-separated string); matching is exact on the host.
//!
//! Each kind of problem in each lockfile is one finding (a note for the
//! user, `agentops: [LOCK00N] <file>: <count> ...` with the first few
//! packages); the agent is told not to install the flagged packages.
//! Lockfiles are found and read through the context's world.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use agentops_core::{
    Context, Effect, FileKind, FlagKind, Flags, HookEvent, HookInput, Outcome, Policy, Rule,
    Severity, ToolMatch, World,
};
use agentops_lockfile::{
    audit_read, searched_dir, too_large, Allowlist, Check, FileAudit, Format,
    Severity as LockSeverity, MAX_LOCKFILE_BYTES,
};
use serde_json::{json, Value};

use super::common;

/// The flag that switches the audit off.
pub const FLAG: &str = "lockfile_audit_enabled";
/// The flag listing extra registry hosts.
pub const HOSTS_FLAG: &str = "lockfile_allowed_hosts";
/// Findings of one kind listed per lockfile before summarising the rest.
const LISTED_PER_CHECK: usize = 5;

/// One static rule per lockfile check, mirroring `Check::{id,name,reason}`
/// (a test keeps them in step), with its documentation.
macro_rules! lock_rule {
    ($name:ident, $id:literal, $slug:literal, $reason:literal, $why:literal, $fires:expr, $passes:expr) => {
        #[doc = concat!($id, ": ", $reason, ".")]
        pub static $name: Rule = Rule {
            id: $id,
            name: $slug,
            policy: "lockfile-audit",
            severity: Severity::Warn,
            reason: $reason,
            why: $why,
            fires: $fires,
            instead: "",
            passes: $passes,
        };
    };
}

lock_rule!(
    INVISIBLE,
    "LOCK001",
    "invisible-unicode",
    "lockfile contains invisible Unicode that can disguise package names or URLs",
    "A zero-width or bidirectional character inside a package name or URL cannot be seen in review: `lodash` with a U+200B after `lo` looks exactly like `lodash` while the package manager fetches another package. Nothing legitimate in a lockfile needs them.",
    concat!(
        r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/lo"#,
        "\u{200B}",
        r#"dash":{"version":"4.17.21","resolved":"https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz","integrity":"sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="}}}"#
    ),
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21","resolved":"https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz","integrity":"sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="}}}"#
);
lock_rule!(
    HOST,
    "LOCK002",
    "non-allowlisted-registry",
    "package comes from a non-standard registry host that is not on the allowlist",
    "Dependency confusion and hijacked or look-alike registries work by making a lockfile point somewhere other than the registry the team uses. Hosts are matched exactly, so `registry.npmjs.org.evil.example` is not npm; a private registry is added with the `lockfile_allowed_hosts` flag.",
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21","resolved":"https://registry.npmjs.org.evil.example/lodash/-/lodash-4.17.21.tgz","integrity":"sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="}}}"#,
    r#"SessionStart | given /p/.agentops/flags.json = {"lockfile_allowed_hosts":["npm.corp.example"]} ;; /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21","resolved":"https://npm.corp.example/lodash/-/lodash-4.17.21.tgz","integrity":"sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="}}}"#
);
lock_rule!(
    TRANSPORT,
    "LOCK003",
    "insecure-transport",
    "package is fetched over an unencrypted transport (http or git://)",
    "A download over plain http or git:// can be replaced by anyone on the network path, and a package without a strong integrity hash would be installed as served.",
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21","resolved":"http://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz","integrity":"sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="}}}"#,
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21","resolved":"https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz","integrity":"sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="}}}"#
);
lock_rule!(
    UNPINNED,
    "LOCK004",
    "unpinned-git-source",
    "git dependency is not pinned to a commit, so its content can change",
    "A git dependency locked to a branch or tag installs whatever that ref points to on the day of the install; whoever can push to the repository decides what the next install runs. A commit id pins the content.",
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/mylib":{"version":"1.0.0","resolved":"git+ssh://git@github.com/acme/mylib.git#main"}}}"#,
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/mylib":{"version":"1.0.0","resolved":"git+ssh://git@github.com/acme/mylib.git#0123456789abcdef0123456789abcdef01234567"}}}"#
);
lock_rule!(
    LOCAL,
    "LOCK005",
    "local-source",
    "package comes from a local path instead of a registry",
    "A dependency taken from a path outside the project (`../../shared`, an absolute path) installs whatever is on the machine that runs the install, which nobody reviews with the project. Workspace packages inside the project are only noted.",
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/shared":{"resolved":"../../shared","link":true}}}"#,
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/ui":{"resolved":"packages/ui","link":true},"packages/ui":{"version":"1.0.0"}}}"#
);
lock_rule!(
    MISSING,
    "LOCK006",
    "missing-integrity",
    "package has no integrity hash, so a tampered download would go unnoticed",
    "The integrity hash is what makes a second install fetch the same bytes as the first. Without it a compromised registry, mirror or cache can serve a different tarball and the package manager installs it.",
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21","resolved":"https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz"}}}"#,
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21","resolved":"https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz","integrity":"sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="}}}"#
);
lock_rule!(
    MALFORMED,
    "LOCK007",
    "malformed-integrity",
    "integrity hash is malformed (unknown algorithm or wrong length)",
    "A hash with an unknown algorithm or the wrong length cannot be verified, and package managers differ in whether they then skip the check; a hand-edited lockfile that hides a swapped tarball often looks like this.",
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21","resolved":"https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz","integrity":"sha512-deadbeef"}}}"#,
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21","resolved":"https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz","integrity":"sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="}}}"#
);
lock_rule!(
    WEAK,
    "LOCK008",
    "weak-integrity",
    "integrity hash uses SHA-1 only, which no longer resists forgery",
    "SHA-1 collisions can be produced, so a SHA-1-only hash no longer proves a tarball is the one that was locked. Modern package managers record SHA-512 next to or instead of it.",
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21","resolved":"https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz","integrity":"sha1-AAECAwQFBgcICQoLDA0ODxAREhM="}}}"#,
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21","resolved":"https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz","integrity":"sha1-AAECAwQFBgcICQoLDA0ODxAREhM= sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="}}}"#
);
lock_rule!(
    MISMATCH,
    "LOCK009",
    "tarball-name-mismatch",
    "tarball URL belongs to a different package than the one locked",
    "A lockfile entry named `lodash` whose tarball is another package's installs that other package under a trusted name; it is a classic way to slip code into a lockfile-only pull request.",
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21","resolved":"https://registry.npmjs.org/lodash-utils/-/lodash-utils-4.17.21.tgz","integrity":"sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="}}}"#,
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/@types/node":{"version":"20.1.0","resolved":"https://registry.npmjs.org/@types/node/-/node-20.1.0.tgz","integrity":"sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="}}}"#
);
lock_rule!(
    UNPARSEABLE,
    "LOCK010",
    "unparseable-lockfile",
    "lockfile could not be parsed, so its packages were not checked",
    "A lockfile the audit cannot read was not checked at all, and a package manager may still install from it, or from the manifest's ranges instead.",
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/lodash":{"#,
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{}}"#
);
lock_rule!(
    BAD_URL,
    "LOCK011",
    "malformed-url",
    "URL is malformed or ambiguous, so which host it reaches is unclear",
    "Backslashes, whitespace, escapes or an empty authority make clients disagree about which host a URL names, so an allowlist check could pass on a host the package manager never contacts.",
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21","resolved":"https://registry.npmjs.org\\@evil.example/lodash/-/lodash-4.17.21.tgz","integrity":"sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="}}}"#,
    r#"SessionStart | given /p/package-lock.json = {"lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21","resolved":"https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz","integrity":"sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="}}}"#
);

/// The rules, in id order; `rule_for` maps each lockfile check to one.
pub static RULES: &[&Rule] = &[
    &INVISIBLE,
    &HOST,
    &TRANSPORT,
    &UNPINNED,
    &LOCAL,
    &MISSING,
    &MALFORMED,
    &WEAK,
    &MISMATCH,
    &UNPARSEABLE,
    &BAD_URL,
];

/// The rule reporting a lockfile check.
pub fn rule_for(check: Check) -> &'static Rule {
    RULES
        .iter()
        .copied()
        .find(|r| r.id == check.id())
        .unwrap_or(&UNPARSEABLE)
}

/// The allowlist: defaults plus the hosts in the flag.
pub fn allowlist(flags: &Flags) -> Allowlist {
    let extra: Vec<String> = match flags.get(HOSTS_FLAG) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) => s.split(',').map(|h| h.trim().to_string()).collect(),
        _ => Vec::new(),
    };
    Allowlist::with_extra(extra)
}

/// Findings worth reporting (info notes are counted apart).
fn reportable(a: &FileAudit) -> Vec<&agentops_lockfile::LockFinding> {
    a.findings
        .iter()
        .filter(|f| f.severity >= LockSeverity::Low)
        .collect()
}

/// What the session note calls a group of findings of one check.
fn label(check: Check) -> &'static str {
    match check {
        Check::UnlistedHost => "non-standard registry host(s)",
        Check::InsecureTransport => "insecure transport(s)",
        Check::UnpinnedGit => "unpinned git source(s)",
        Check::LocalSource => "local path source(s) outside the project",
        Check::MissingIntegrity => "package(s) without an integrity hash",
        Check::MalformedIntegrity => "malformed integrity hash(es)",
        Check::WeakIntegrity => "SHA-1-only integrity hash(es)",
        Check::NameMismatch => "tarball(s) of another package",
        Check::InvisibleUnicode => "invisible Unicode run(s)",
        Check::Unparseable => "parse failure(s)",
        Check::MalformedUrl => "malformed URL(s)",
    }
}

/// Turn the audits into the session answer: one finding per check and
/// lockfile, a summary for the user and a caution for the agent. Pure;
/// `ts` stamps the audit record.
pub fn decide(audits: &[FileAudit], ts: &str) -> Outcome {
    if audits.is_empty() {
        return Outcome::none();
    }
    let files = audits.len();
    let packages: usize = audits.iter().map(|a| a.packages).sum();
    let total: usize = audits.iter().map(|a| reportable(a).len()).sum();
    let notes: usize = audits.iter().map(|a| a.findings.len()).sum::<usize>() - total;
    if total == 0 {
        let notes = match notes {
            0 => String::new(),
            n => format!(" ({n} local-path source(s) noted; see `agentops scan lockfiles`)"),
        };
        return Outcome {
            messages: vec![format!(
                "agentops lockfile audit: {files} lockfile(s) scanned, {packages} package(s), no anomalies detected{notes}."
            )],
            ..Outcome::default()
        };
    }
    let mut out = Outcome::default();
    let mut groups = Vec::new();
    let mut by_severity: BTreeMap<&str, usize> = BTreeMap::new();
    for audit in audits {
        let findings = reportable(audit);
        let mut per_check: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for f in &findings {
            *by_severity.entry(f.severity.as_str()).or_default() += 1;
            let who = f
                .package
                .as_deref()
                .map(|p| format!("{p}: "))
                .unwrap_or_default();
            per_check.entry(f.check.id()).or_default().push(format!(
                "{} {who}{}",
                f.severity.as_str().to_uppercase(),
                f.detail
            ));
        }
        for (id, items) in per_check {
            let check = Check::ALL
                .iter()
                .find(|c| c.id() == id)
                .copied()
                .unwrap_or(Check::Unparseable);
            let mut text = format!(
                "{}: {} {}:",
                audit.file.display(),
                items.len(),
                label(check)
            );
            for item in items.iter().take(LISTED_PER_CHECK) {
                text.push_str(&format!("\n    {item}"));
            }
            if items.len() > LISTED_PER_CHECK {
                text.push_str(&format!(
                    "\n    ... and {} more",
                    items.len() - LISTED_PER_CHECK
                ));
            }
            out.say(rule_for(check), text.clone());
            groups.push(text);
        }
    }
    let severities = by_severity
        .iter()
        .rev()
        .map(|(s, n)| format!("{n} {s}"))
        .collect::<Vec<_>>()
        .join(", ");
    out.messages.push(format!(
        "agentops lockfile audit: {total} finding(s) ({severities}) across {files} lockfile(s), {packages} package(s). Lockfiles are where supply-chain attacks (dependency confusion, hijacked registries, poisoned tarballs) hide; check these before installing. Full report: `agentops scan lockfiles`."
    ));
    out.context.push(format!(
        "agentops lockfile audit found {total} problem(s) ({severities}) in the project's lockfiles. Do not run install commands that would fetch the flagged packages until the user has reviewed them.\n  {}",
        groups.join("\n  ")
    ));
    out.effects.push(Effect::AppendRecord {
        log: "audit.jsonl",
        record: json!({
            "ts": ts,
            "event": "LOCKFILE_AUDIT_FINDINGS",
            "findings": total,
            "files_scanned": files,
            "packages": packages,
            "by_severity": by_severity,
        }),
    });
    out
}

/// The project's lockfiles, found through `world` as the lockfile crate
/// finds them on disk: at the root and one directory down (not hidden, not
/// a dependency or build directory, not a link to a directory), sorted,
/// as paths relative to `root`.
pub fn find_lockfiles(world: &dyn World, root: &Path) -> Vec<(PathBuf, Format)> {
    let mut found = Vec::new();
    let Ok(children) = world.read_dir(root) else {
        return found;
    };
    let name_of = |p: &Path| p.file_name().and_then(|n| n.to_str()).map(str::to_string);
    let mut look_in = |rel: &Path, entries: &[PathBuf]| {
        for entry in entries {
            let Some(name) = name_of(entry) else {
                continue;
            };
            let Some(format) = Format::from_file_name(&name) else {
                continue;
            };
            if world
                .metadata(entry)
                .is_ok_and(|m| m.kind == FileKind::File)
            {
                found.push((rel.join(&name), format));
            }
        }
    };
    look_in(Path::new(""), &children);
    let base = world.canonicalize(root).ok();
    for child in &children {
        let Some(name) = name_of(child).filter(|n| searched_dir(n)) else {
            continue;
        };
        let real_dir = world.metadata(child).is_ok_and(|m| m.kind == FileKind::Dir)
            && base
                .as_ref()
                .is_some_and(|b| world.canonicalize(child).ok() == Some(b.join(&name)));
        if !real_dir {
            continue;
        }
        if let Ok(entries) = world.read_dir(child) {
            look_in(Path::new(&name), &entries);
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// Find and audit the project's lockfiles, reading them through `world`,
/// with the allowlist from the project's flags.
pub fn run_audit(world: &dyn World, project_dir: &Path, flags: &Flags) -> Vec<FileAudit> {
    audit_lockfiles(world, project_dir, &allowlist(flags))
}

/// Find and audit the project's lockfiles with an explicit allowlist
/// (`agentops scan lockfiles` passes the host as the world).
pub fn audit_lockfiles(world: &dyn World, project_dir: &Path, allow: &Allowlist) -> Vec<FileAudit> {
    find_lockfiles(world, project_dir)
        .into_iter()
        .map(|(rel, format)| {
            let path = project_dir.join(&rel);
            let read = match world.metadata(&path) {
                Ok(meta) if meta.len > MAX_LOCKFILE_BYTES => Err(too_large(meta.len)),
                Ok(_) => world.read(&path, MAX_LOCKFILE_BYTES),
                Err(e) => Err(e),
            };
            audit_read(&rel, format, read, allow)
        })
        .collect()
}

/// The lockfile-audit policy.
pub static LOCKFILE_AUDIT: Policy = Policy {
    name: "lockfile-audit",
    summary: "Audits lockfiles at session start: registry hosts, transports, git pinning, integrity hashes, hidden Unicode",
    events: &[HookEvent::SessionStart],
    tools: ToolMatch::Any,
    flag: Some((FLAG, FlagKind::Security)),
    rules: RULES,
    evaluate,
};

fn evaluate(_event: HookEvent, _input: &HookInput, ctx: &Context) -> Outcome {
    let world = &*ctx.world;
    decide(
        &run_audit(world, &ctx.project_dir, &ctx.flags),
        &common::timestamp(world),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use agentops_core::MemoryWorld;
    use agentops_lockfile::audit_bytes;

    const TS: &str = "2001-09-09T01:46:40Z";

    fn audit(name: &str, text: &str) -> FileAudit {
        let format = Format::from_file_name(name).expect("lockfile name");
        audit_bytes(
            Path::new(name),
            format,
            text.as_bytes(),
            &Allowlist::default(),
        )
    }

    #[test]
    fn rules_cover_every_check_with_matching_ids_and_reasons() {
        for check in Check::ALL {
            let rule = rule_for(check);
            assert_eq!(rule.id, check.id());
            assert_eq!(rule.name, check.name());
            assert_eq!(rule.reason, check.reason());
        }
    }

    #[test]
    fn no_lockfiles_no_answer_and_clean_ones_say_so() {
        assert!(decide(&[], TS).is_empty());
        let out = decide(
            &[
                audit("package-lock.json", "{}\n"),
                audit("yarn.lock", "# yarn\n"),
            ],
            TS,
        );
        assert!(out.findings.is_empty());
        assert_eq!(out.messages, ["agentops lockfile audit: 2 lockfile(s) scanned, 0 package(s), no anomalies detected."]);
        assert!(out.effects.is_empty(), "clean scans are not audited");
    }

    #[test]
    fn findings_are_grouped_counted_and_audited() {
        let mut packages = String::new();
        for i in 1..=8 {
            packages.push_str(&format!(
                "\"node_modules/p{i}\":{{\"resolved\":\"https://evil{i}.example/p{i}/-/p{i}-1.0.0.tgz\",\"integrity\":\"md5-x\"}},"
            ));
        }
        let text = format!("{{\"packages\":{{{}}}}}", packages.trim_end_matches(','));
        let out = decide(&[audit("package-lock.json", &text)], TS);
        let msg = &out.messages[0];
        assert!(
            msg.starts_with(
                "agentops lockfile audit: 16 finding(s) (16 high) across 1 lockfile(s)"
            ),
            "{msg}"
        );
        let ids: Vec<&str> = out.findings.iter().map(|f| f.rule.id).collect();
        assert_eq!(ids, ["LOCK002", "LOCK007"], "one finding per check");
        assert!(out
            .findings
            .iter()
            .all(|f| f.rule.severity == Severity::Warn));
        let hosts = out.findings[0].describe();
        assert!(
            hosts.starts_with(
                "[LOCK002] package-lock.json: 8 non-standard registry host(s):\n    HIGH p1"
            ),
            "{hosts}"
        );
        assert!(
            hosts.contains("evil5.example") && !hosts.contains("evil6.example"),
            "{hosts}"
        );
        assert!(hosts.contains("... and 3 more"), "{hosts}");
        let Some(Effect::AppendRecord { record, .. }) = out.effects.first() else {
            panic!("expected an audit record");
        };
        assert_eq!(record["event"], "LOCKFILE_AUDIT_FINDINGS");
        assert_eq!(record["findings"], 16);
        assert_eq!(record["ts"], TS);
        let context = &out.context[0];
        assert!(context.contains("Do not run install commands"));
        assert!(
            context.contains("package-lock.json: 8 non-standard registry host(s)")
                && !context.contains("[LOCK"),
            "the agent gets the list; rule ids come with the findings: {context}"
        );
    }

    #[test]
    fn the_lookalike_host_upstream_accepts_is_flagged() {
        let text = r#"{"packages":{"node_modules/a":{"resolved":"https://registry.npmjs.org.evil.example/a/-/a-1.0.0.tgz","integrity":"sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="}}}"#;
        let out = decide(&[audit("package-lock.json", text)], TS);
        assert!(
            out.findings[0]
                .describe()
                .contains("registry.npmjs.org.evil.example"),
            "{:?}",
            out.findings
        );
    }

    #[test]
    fn allowlist_flag_accepts_arrays_and_strings() {
        let arr = Flags::from_pairs([(HOSTS_FLAG, json!(["npm.corp.example"]))]);
        let s = Flags::from_pairs([(HOSTS_FLAG, json!("a.example, npm.corp.example"))]);
        for flags in [arr, s] {
            let allow = allowlist(&flags);
            assert!(allow.allows("npm.corp.example"));
            assert!(allow.allows("registry.npmjs.org"));
            assert!(!allow.allows("corp.example"));
        }
    }

    #[test]
    fn local_sources_inside_the_project_are_only_noted() {
        let text = r#"{"packages":{"node_modules/w":{"resolved":"packages/w","link":true},"packages/w":{}}}"#;
        let out = decide(&[audit("package-lock.json", text)], TS);
        assert!(out.findings.is_empty());
        assert!(
            out.messages[0].contains("no anomalies detected (1 local-path source(s) noted"),
            "{}",
            out.messages[0]
        );
    }

    #[test]
    fn lockfiles_are_found_at_the_root_and_one_level_down_through_the_world() {
        let mut world = MemoryWorld::new();
        for rel in [
            "package-lock.json",
            "go.sum",
            "api/yarn.lock",
            "web/pnpm-lock.yaml",
            "web/deeper/Cargo.lock",
            "node_modules/x/package-lock.json",
            ".hidden/Gemfile.lock",
            "real/Cargo.lock",
        ] {
            world = world.file(format!("/p/{rel}"), "");
        }
        let world = world.dir("/p/Pipfile.lock").symlink("/p/linked", "/p/real");
        let found: Vec<String> = find_lockfiles(&world, Path::new("/p"))
            .into_iter()
            .map(|(p, f)| format!("{}:{f}", p.display()))
            .collect();
        assert_eq!(
            found,
            [
                "api/yarn.lock:yarn-classic",
                "go.sum:go",
                "package-lock.json:npm",
                "real/Cargo.lock:cargo",
                "web/pnpm-lock.yaml:pnpm"
            ],
            "a directory named like a lockfile and a linked directory are not"
        );
        assert!(find_lockfiles(&world, Path::new("/nowhere")).is_empty());
    }

    #[test]
    fn session_start_audits_the_lockfiles_of_the_world() {
        let world = MemoryWorld::new()
            .file(
                "/p/package-lock.json",
                r#"{"packages":{"node_modules/a":{"resolved":"http://registry.npmjs.org/a/-/a-1.0.0.tgz","integrity":"md5-x"}}}"#,
            )
            .file("/p/.agentops/flags.json", "{}");
        let ctx = Context {
            project_dir: "/p".into(),
            world: std::sync::Arc::new(world),
            ..Context::default()
        };
        let out = LOCKFILE_AUDIT.evaluate(HookEvent::SessionStart, &HookInput::default(), &ctx);
        let ids: Vec<&str> = out.findings.iter().map(|f| f.rule.id).collect();
        assert_eq!(ids, ["LOCK003", "LOCK007"]);
        let clean = Context {
            project_dir: "/p".into(),
            ..Context::default()
        };
        assert!(LOCKFILE_AUDIT
            .evaluate(HookEvent::SessionStart, &HookInput::default(), &clean)
            .is_empty());
    }
}
