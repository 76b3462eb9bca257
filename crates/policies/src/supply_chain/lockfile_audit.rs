//! lockfile-audit: at session start, parse every lockfile of the project
//! (root and one directory down) and report packages from unexpected hosts,
//! over insecure transports, from unpinned git refs or local paths, with
//! missing or malformed integrity hashes, or whose npm tarball belongs to
//! another package; and any invisible Unicode in the lockfile itself.
//!
//! Extra registry hosts come from the `lockfile_allowed_hosts` flag (a JSON
//! array or a comma-separated string); matching is exact on the host.

use std::collections::BTreeMap;
use std::path::Path;

use agentops_core::{
    Context, Effect, FlagKind, Flags, HookEvent, HookInput, Outcome, Policy, Rule, Severity,
    ToolMatch,
};
use agentops_lockfile::{audit_project, Allowlist, Check, FileAudit, Severity as LockSeverity};
use serde_json::{json, Value};

use super::edge;

pub const FLAG: &str = "lockfile_audit_enabled";
pub const HOSTS_FLAG: &str = "lockfile_allowed_hosts";
/// Findings of one kind listed per lockfile before summarising the rest.
const LISTED_PER_CHECK: usize = 5;

/// One static rule per lockfile check, mirroring `Check::{id,name,reason}`
/// (a test keeps them in step).
macro_rules! lock_rule {
    ($name:ident, $id:literal, $slug:literal, $reason:literal) => {
        pub static $name: Rule = Rule {
            id: $id,
            name: $slug,
            policy: "lockfile-audit",
            severity: Severity::Warn,
            reason: $reason,
            ..Rule::PENDING_DOCS
        };
    };
}

lock_rule!(
    INVISIBLE,
    "LOCK001",
    "invisible-unicode",
    "lockfile contains invisible Unicode that can disguise package names or URLs"
);
lock_rule!(
    HOST,
    "LOCK002",
    "non-allowlisted-registry",
    "package comes from a non-standard registry host that is not on the allowlist"
);
lock_rule!(
    TRANSPORT,
    "LOCK003",
    "insecure-transport",
    "package is fetched over an unencrypted transport (http or git://)"
);
lock_rule!(
    UNPINNED,
    "LOCK004",
    "unpinned-git-source",
    "git dependency is not pinned to a commit, so its content can change"
);
lock_rule!(
    LOCAL,
    "LOCK005",
    "local-source",
    "package comes from a local path instead of a registry"
);
lock_rule!(
    MISSING,
    "LOCK006",
    "missing-integrity",
    "package has no integrity hash, so a tampered download would go unnoticed"
);
lock_rule!(
    MALFORMED,
    "LOCK007",
    "malformed-integrity",
    "integrity hash is malformed (unknown algorithm or wrong length)"
);
lock_rule!(
    WEAK,
    "LOCK008",
    "weak-integrity",
    "integrity hash uses SHA-1 only, which no longer resists forgery"
);
lock_rule!(
    MISMATCH,
    "LOCK009",
    "tarball-name-mismatch",
    "tarball URL belongs to a different package than the one locked"
);
lock_rule!(
    UNPARSEABLE,
    "LOCK010",
    "unparseable-lockfile",
    "lockfile could not be parsed, so its packages were not checked"
);
lock_rule!(
    BAD_URL,
    "LOCK011",
    "malformed-url",
    "URL is malformed or ambiguous, so which host it reaches is unclear"
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

/// Turn the audits into the session answer. Pure.
pub fn decide(audits: &[FileAudit]) -> Outcome {
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
    let mut lines = Vec::new();
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
            lines.push(format!(
                "{} [{id}] {} {}:",
                audit.file.display(),
                items.len(),
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
            ));
            for item in items.iter().take(LISTED_PER_CHECK) {
                lines.push(format!("    {item}"));
            }
            if items.len() > LISTED_PER_CHECK {
                lines.push(format!(
                    "    ... and {} more",
                    items.len() - LISTED_PER_CHECK
                ));
            }
        }
    }
    let severities = by_severity
        .iter()
        .rev()
        .map(|(s, n)| format!("{n} {s}"))
        .collect::<Vec<_>>()
        .join(", ");
    let message = format!(
        "agentops lockfile audit: {total} finding(s) ({severities}) across {files} lockfile(s), {packages} package(s):\n  {}\nLockfiles are where supply-chain attacks (dependency confusion, hijacked registries, poisoned tarballs) hide; check these before installing. Full report: `agentops scan lockfiles`.",
        lines.join("\n  ")
    );
    Outcome {
        context: vec![format!(
            "agentops lockfile audit found {total} problem(s) in the project's lockfiles. Do not run install commands that would fetch the flagged packages until the user has reviewed them.\n{message}"
        )],
        messages: vec![message],
        effects: vec![Effect::AppendRecord {
            log: "audit.jsonl",
            record: json!({
                "ts": edge::now_utc(),
                "event": "LOCKFILE_AUDIT_FINDINGS",
                "findings": total,
                "files_scanned": files,
                "packages": packages,
                "by_severity": by_severity,
            }),
        }],
        ..Outcome::default()
    }
}

/// Discover and audit the project's lockfiles (the edge).
pub fn run_audit(project_dir: &Path, flags: &Flags) -> Vec<FileAudit> {
    audit_project(project_dir, &allowlist(flags))
}

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
    decide(&run_audit(&ctx.project_dir, &ctx.flags))
}

#[cfg(test)]
mod tests {
    use super::*;
    use agentops_lockfile::{audit_bytes, Format};

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
        assert!(decide(&[]).is_empty());
        let out = decide(&[
            audit("package-lock.json", "{}\n"),
            audit("yarn.lock", "# yarn\n"),
        ]);
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
        let out = decide(&[audit("package-lock.json", &text)]);
        let msg = &out.messages[0];
        assert!(
            msg.starts_with(
                "agentops lockfile audit: 16 finding(s) (16 high) across 1 lockfile(s)"
            ),
            "{msg}"
        );
        assert!(
            msg.contains("[LOCK002] 8 non-standard registry host(s)"),
            "{msg}"
        );
        assert!(
            msg.contains("evil5.example") && !msg.contains("evil6.example"),
            "{msg}"
        );
        assert!(msg.contains("... and 3 more"), "{msg}");
        let Some(Effect::AppendRecord { record, .. }) = out.effects.first() else {
            panic!("expected an audit record");
        };
        assert_eq!(record["event"], "LOCKFILE_AUDIT_FINDINGS");
        assert_eq!(record["findings"], 16);
        assert!(out.context[0].contains("Do not run install commands"));
    }

    #[test]
    fn the_lookalike_host_upstream_accepts_is_flagged() {
        let text = r#"{"packages":{"node_modules/a":{"resolved":"https://registry.npmjs.org.evil.example/a/-/a-1.0.0.tgz","integrity":"sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="}}}"#;
        let out = decide(&[audit("package-lock.json", text)]);
        assert!(
            out.messages[0].contains("registry.npmjs.org.evil.example"),
            "{}",
            out.messages[0]
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
        let out = decide(&[audit("package-lock.json", text)]);
        assert!(
            out.messages[0].contains("no anomalies detected (1 local-path source(s) noted"),
            "{}",
            out.messages[0]
        );
    }
}
