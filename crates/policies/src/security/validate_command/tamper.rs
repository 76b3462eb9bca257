//! Hard-deny checks for changes to what keeps agentops honest: its state
//! under `.agentops/` (except the writable list), the hook scripts and
//! settings that run it, and its binary. A change is any write, truncation,
//! deletion, move, permission or owner change, or link aimed at such a path.

use agentops_core::{FlagKind, Flags};
use agentops_shell::Command;

use super::paths::path_words;
use super::scan::{Hits, Scan};
use super::{
    rule, AGENTOPS_BINARY, AGENTOPS_STATE, FLAGS_WRITE, HOOK_WIRING, INTERPRETER_PROTECTED,
};
use crate::security::protected::{self, Protected};
use agentops_core::{Rule, Severity};

/// CMD038: the agent grants itself an exception or an allow-once.
pub static SELF_GRANT: Rule = rule(
    "CMD038",
    "agent-grants-exception",
    Severity::Hard,
    "runs `agentops allow` or `agentops allow-once`: exceptions and allow-once grants are the user's to give, not the agent's",
    "An exception (`agentops allow`) or an allow-once grant (`agentops allow-once`) lets a call through that a rule stops. If the agent could run them, every denial would be one command away from its own approval. They are refused from the agent's shell in every mode; the user runs them in their own terminal. Reading stays open: `agentops allow list` and `agentops why` pass.",
    "PreToolUse Bash: agentops allow CMD016 --pattern 'git push --force origin main' --reason ok",
    "PreToolUse Bash: agentops allow list",
)
.with_instead(
    "tell the user which rule stopped the call and ask them to run `agentops allow` or `agentops allow-once` in their own terminal",
);

pub(super) fn check(scan: &Scan, c: &Command, hits: &mut Hits) {
    if grants_exception(c) {
        hits.add(&SELF_GRANT, c);
    }
    for target in modified_paths(c) {
        if let Some(kind) = scan
            .protected(c.id, target)
            .or_else(|| removes_protected_dir(scan, c, target))
            .or_else(|| names_the_binary(target))
        {
            let rule = match kind {
                Protected::AgentopsState => &AGENTOPS_STATE,
                Protected::HookWiring => &HOOK_WIRING,
                Protected::Binary => &AGENTOPS_BINARY,
            };
            hits.add(rule, c);
        }
        // Like the Write tool (PATH009), a write to flags.json asks when it
        // switches a security flag off; unless the analyser knows the exact
        // text written (`echo '{}' > .agentops/flags.json`), it always asks.
        let abs = scan.abs(c.id, target);
        if (protected::is_flags_file(&protected::normalise(&abs))
            || protected::is_flags_file(&protected::normalise(target)))
            && !harmless_flags_write(scan, c, target)
        {
            hits.add(&FLAGS_WRITE, c);
        }
    }
    if let Some(kind) = links_protected_state(scan, c) {
        hits.add(
            match kind {
                Protected::AgentopsState => &AGENTOPS_STATE,
                Protected::HookWiring => &HOOK_WIRING,
                Protected::Binary => &AGENTOPS_BINARY,
            },
            c,
        );
    }
    if let Some(code) = &c.inline_code {
        if code_touches_protected(scan, c, &code.code) {
            hits.add(&INTERPRETER_PROTECTED, c);
        }
    }
}

/// `agentops allow <RULE> …`, `agentops allow remove …` or `agentops
/// allow-once <id>`: the user's commands for letting a call through. Only
/// `agentops allow list [--json]` (which reads) passes, spelled exactly:
/// an option value such as `--pattern list` must not pass for it. A name
/// that merely mentions agentops (`"$(command -v agentops)"`, a path)
/// counts as agentops.
fn grants_exception(c: &Command) -> bool {
    let names_agentops = |n: &str| {
        let base = n.rsplit(['/', '\\']).next().unwrap_or(n);
        matches!(base, "agentops" | "agentops.exe") || n.contains("agentops")
    };
    if !names_agentops(&c.name) && !names_agentops(&c.written_name) {
        return false;
    }
    let args: Vec<&str> = c.arg_texts().collect();
    match args.iter().position(|a| !a.starts_with('-')) {
        Some(i) if args[i] == "allow-once" => true,
        Some(i) if args[i] == "allow" => {
            let rest: Vec<&str> = args[i + 1..]
                .iter()
                .copied()
                .filter(|a| *a != "--json")
                .collect();
            rest != ["list"]
        }
        _ => false,
    }
}

/// A word that looks the agentops binary up on PATH: `$(which agentops)`,
/// `$(command -v agentops)`, `` `type -p agentops` ``.
fn names_the_binary(word: &str) -> Option<Protected> {
    let lookup = [
        "which agentops",
        "command -v agentops",
        "type -p agentops",
        "type -P agentops",
        "whereis agentops",
    ];
    lookup
        .iter()
        .any(|l| word.contains(l))
        .then_some(Protected::Binary)
}

/// Hard links to agentops state (`ln .agentops/flags.json /tmp/f`) make
/// the state writable under another name, where no path check sees it.
fn links_protected_state(scan: &Scan, c: &Command) -> Option<Protected> {
    if !matches!(c.name.as_str(), "ln" | "link") || c.has_short('s') || c.has_long("symbolic") {
        return None;
    }
    let operands: Vec<&str> = c.operands().map(|w| w.text.as_str()).collect();
    let sources = if operands.len() >= 2 {
        &operands[..operands.len() - 1]
    } else {
        &operands[..]
    };
    sources.iter().find_map(|s| {
        scan.protected(c.id, s).or_else(|| {
            protected::is_flags_file(&protected::normalise(&scan.abs(c.id, s)))
                .then_some(Protected::AgentopsState)
        })
    })
}

/// Deleting or moving the directory that holds what is protected (the
/// project's or the user's `.claude/`, the project's `.agentops/`) takes
/// the wiring or the state with it: `rm -rf .claude`, `mv .claude x`,
/// `rm -rf ~/.claude`. (Deleting the project or the home directory as a
/// whole is judged by the delete rules, not here.)
fn removes_protected_dir(scan: &Scan, c: &Command, target: &str) -> Option<Protected> {
    if !matches!(c.name.as_str(), "rm" | "rmdir" | "mv" | "shred" | "srm") {
        return None;
    }
    let abs = protected::normalise(&scan.abs(c.id, target));
    let project = protected::normalise(&scan.ctx.project_dir.to_string_lossy());
    let mut anchors: Vec<(String, Protected)> = Vec::new();
    if !project.is_empty() {
        anchors.push((format!("{project}/.claude"), Protected::HookWiring));
        anchors.push((format!("{project}/.agentops"), Protected::AgentopsState));
    }
    if let Some(home) = scan.home() {
        anchors.push((format!("{home}/.claude"), Protected::HookWiring));
    }
    // The agentops plugin's own directory, wherever Claude Code keeps it.
    if abs.contains("/.claude/plugins/") && abs.contains("agentops") {
        return Some(Protected::HookWiring);
    }
    anchors
        .into_iter()
        .find(|(anchor, _)| anchor == &abs)
        .map(|(_, kind)| kind)
}

/// Whether command `c` writes known literal text to the flags file at
/// `target`, and that text leaves every security flag on.
fn harmless_flags_write(scan: &Scan, c: &Command, target: &str) -> bool {
    let path = agentops_shell::paths::tidy(target);
    let Some(text) = scan
        .analysis
        .writes
        .iter()
        .find(|w| w.by == c.id && w.path == path)
        .and_then(|w| w.content.as_deref())
    else {
        return false;
    };
    // Appending to the file can leave a second object the reader may use.
    let appends = c
        .redirects
        .iter()
        .any(|r| r.kind == agentops_shell::RedirectKind::Append && r.target.text == target);
    if appends {
        return false;
    }
    let flags = Flags::parse(text.as_bytes());
    // The engine lists every policy's flag in the context (the registry is
    // not imported here: it imports this policy).
    let known = scan.ctx.policy_flags;
    let security_on = known
        .iter()
        .filter(|(_, kind)| *kind == FlagKind::Security)
        .all(|(name, _)| flags.enabled(name, FlagKind::Security));
    // An `*_enabled` key no policy here claims may be a security flag of
    // another release: switching it off asks too.
    let unknown_on = flags.iter().all(|(name, _)| {
        !name.ends_with("_enabled")
            || known.iter().any(|(k, _)| *k == name)
            || flags.enabled(name, FlagKind::Security)
    });
    security_on && unknown_on
}

/// Paths command `c` changes.
pub(super) fn modified_paths(c: &Command) -> Vec<&str> {
    let mut out: Vec<&str> = c.redirect_writes().map(|w| w.text.as_str()).collect();
    let operands: Vec<&str> = c.operands().map(|w| w.text.as_str()).collect();
    let args: Vec<&str> = c.arg_texts().collect();
    let option_value = |names: &[&str]| -> Vec<&str> {
        let mut v = Vec::new();
        for (i, a) in args.iter().enumerate() {
            for n in names {
                if a == n {
                    if let Some(next) = args.get(i + 1) {
                        v.push(*next);
                    }
                } else if let Some(val) = a.strip_prefix(&format!("{n}=")) {
                    v.push(val);
                }
            }
        }
        v
    };
    match c.name.as_str() {
        "rm" | "unlink" | "shred" | "truncate" | "rmdir" | "srm" | "touch" | "tee" | "mv"
        | "patch" | "mkfifo" | "sponge" => out.extend(&operands),
        "cp" | "install" | "rsync" | "scp" | "ditto" => {
            out.extend(operands.last());
            out.extend(option_value(&["-t", "--target-directory"]));
        }
        "ln" | "link" => {
            if operands.len() >= 2 {
                out.extend(operands.last());
            }
            out.extend(option_value(&["-t", "--target-directory"]));
        }
        "chmod" => {
            // The mode comes first unless --reference gives it; modes such
            // as `-x` look like options, so take every word that is not one.
            let has_reference = args.iter().any(|a| a.starts_with("--reference"));
            let mut seen_mode = has_reference;
            for a in &args {
                if !seen_mode && is_mode(a) {
                    seen_mode = true;
                } else if !a.starts_with('-') {
                    out.push(a);
                }
            }
        }
        "chown" | "chgrp" | "chattr" => {
            let has_reference = args.iter().any(|a| a.starts_with("--reference"));
            let skip = usize::from(!has_reference);
            out.extend(operands.iter().skip(skip));
        }
        "setfacl" | "xattr" | "chflags" => out.extend(&operands),
        "sed" | "gsed" => {
            let in_place = args.iter().any(|a| {
                a.starts_with("-i")
                    || a.starts_with("--in-place")
                    || (a.starts_with('-') && !a.starts_with("--") && a.contains('i'))
            });
            if in_place {
                out.extend(path_words(c).into_iter().map(|w| w.text.as_str()));
            }
        }
        "perl" | "ruby" => {
            let in_place = args
                .iter()
                .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('i'));
            if in_place {
                out.extend(&operands);
            }
        }
        "dd" => out.extend(args.iter().filter_map(|a| a.strip_prefix("of="))),
        "curl" => out.extend(option_value(&["-o", "--output"])),
        "wget" => out.extend(option_value(&[
            "-O",
            "--output-document",
            "-P",
            "--directory-prefix",
        ])),
        "tar" | "bsdtar" | "gtar" => out.extend(option_value(&["-C", "--directory"])),
        "unzip" => out.extend(option_value(&["-d"])),
        "git" => {
            let sub = operands.first().copied().unwrap_or("");
            if matches!(sub, "rm" | "mv" | "checkout" | "restore") {
                out.extend(operands.iter().skip(1));
            }
        }
        _ => {}
    }
    out
}

/// A chmod mode: octal digits or `[ugoa]*[+-=][rwxXst]*` clauses.
fn is_mode(word: &str) -> bool {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    !word.is_empty()
        && word.contains(['+', '-', '='])
        && word.split(',').all(|clause| {
            let ops = clause.trim_start_matches(['u', 'g', 'o', 'a']);
            ops.starts_with(['+', '-', '='])
                && ops.chars().all(|c| {
                    matches!(
                        c,
                        '+' | '-' | '=' | 'r' | 'w' | 'x' | 'X' | 's' | 't' | 'u' | 'g' | 'o'
                    )
                })
        })
}

/// Inline interpreter code that names agentops state (any file under
/// `.agentops/`: code can do anything with it), the hook wiring or the
/// binary.
fn code_touches_protected(scan: &Scan, c: &Command, code: &str) -> bool {
    if code.contains(".agentops") || code.contains(".claude/settings") {
        return true;
    }
    let token_end = |ch: char| {
        ch.is_whitespace() || matches!(ch, '"' | '\'' | '`' | '(' | ')' | ',' | ';' | '[' | ']')
    };
    let mut from = 0;
    while let Some(pos) = code.get(from..).and_then(|s| s.find("hooks")) {
        let at = from + pos;
        from = at + 5;
        let start = code[..at]
            .char_indices()
            .rev()
            .find(|(_, ch)| token_end(*ch))
            .map_or(0, |(i, ch)| i + ch.len_utf8());
        let end = code[at..].find(token_end).map_or(code.len(), |i| at + i);
        let token = &code[start..end];
        if scan.protected(c.id, token).is_some() {
            return true;
        }
    }
    false
}
