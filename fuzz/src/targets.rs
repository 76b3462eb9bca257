//! The fuzz targets. Each takes arbitrary bytes and panics when a promise
//! of the code under test is broken; returning normally means the input was
//! handled correctly.

use std::path::{Path, PathBuf};
use std::sync::{Once, OnceLock};

use agentops_core::output::Decision;
use agentops_core::HookEvent;
use agentops_engine::{read_input, run_hook, Environment, Selection};
use agentops_lockfile::{audit_bytes, parse, Allowlist, Check, Format};
use serde_json::Value;

/// A target: bytes in, panic on a broken promise.
pub type Target = fn(&[u8]);

/// Every target by name, as the binaries and the regression test find them.
pub const ALL: &[(&str, Target)] = &[
    ("hook_input", hook_input),
    ("lockfile_parsers", lockfile_parsers),
    ("unicode_scanner", unicode_scanner),
    ("shell_analysis", shell_analysis),
    ("inline_code", inline_code),
];

/// brush-parser 0.4 panics on some inputs (a redirect fd number that
/// overflows an `i32`, found by this fuzzer); agentops-shell catches that
/// and falls back to tokens, so the panic never leaves the analyser.
/// libFuzzer's panic hook aborts on every panic, caught or not, so panics
/// raised inside brush-parser are passed over here and left to that catch;
/// any other panic still reaches the previous hook (and aborts under
/// libFuzzer).
fn tolerate_contained_parser_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_parser = info
                .location()
                .is_some_and(|l| l.file().contains("brush-parser"));
            if !in_parser {
                previous(info);
            }
        }));
    });
}

/// A project and home that do not exist, so no run depends on (or writes
/// to) the machine's files, and `dry_run` so no policy effect is performed.
fn environment() -> &'static Environment {
    static ENV: OnceLock<Environment> = OnceLock::new();
    ENV.get_or_init(|| Environment {
        project_dir: Some(PathBuf::from("/nonexistent/agentops-fuzz/project")),
        home: Some(PathBuf::from("/nonexistent/agentops-fuzz/home")),
        cwd: Some(PathBuf::from("/nonexistent/agentops-fuzz/project")),
        dry_run: true,
        ..Environment::default()
    })
}

/// The engine on arbitrary stdin bytes, for both gate events and one
/// lifecycle event.
///
/// Promises checked:
/// - nothing panics, including inside a policy (the engine contains policy
///   panics as `ENGINE001`; here that still counts as a crash);
/// - the answer is at most one JSON object that survives a round trip;
/// - a payload the engine cannot use is denied on PreToolUse and
///   PermissionRequest and never blocks PostToolUse;
/// - a gate is never answered `allow`: the answer is deny, ask or nothing.
pub fn hook_input(data: &[u8]) {
    tolerate_contained_parser_panics();
    for event in [
        HookEvent::PreToolUse,
        HookEvent::PermissionRequest,
        HookEvent::PostToolUse,
    ] {
        let run = run_hook(event, Selection::All, read_input(data), environment());
        if let Some(v) = run
            .answer
            .verdicts
            .iter()
            .find(|v| v.finding.rule.id == "ENGINE001")
        {
            panic!("{event}: a policy panicked: {}", v.finding.describe());
        }
        if let Some(out) = &run.output {
            let text = out.to_string();
            assert!(!text.contains('\n'), "{event}: answer spans lines");
            let back: Value = serde_json::from_str(&text).expect("the answer is JSON");
            assert!(back.is_object(), "{event}: answer is not an object");
        }
        let specific = run
            .output
            .as_ref()
            .and_then(|o| o.get("hookSpecificOutput"));
        let unusable = run.input.is_none();
        match event {
            HookEvent::PreToolUse => {
                let decision = specific
                    .and_then(|s| s.get("permissionDecision"))
                    .map(|d| d.as_str().expect("permissionDecision is a string"));
                assert!(
                    matches!(decision, None | Some("ask") | Some("deny")),
                    "PreToolUse answered {decision:?}"
                );
                if unusable || run.answer.decision >= Decision::Deny {
                    assert_eq!(decision, Some("deny"), "PreToolUse must deny");
                }
            }
            HookEvent::PermissionRequest => {
                let behavior = specific
                    .and_then(|s| s.get("decision"))
                    .map(|d| d["behavior"].as_str().expect("behavior is a string"));
                assert!(
                    matches!(behavior, None | Some("deny")),
                    "PermissionRequest answered {behavior:?}"
                );
                if unusable {
                    assert_eq!(behavior, Some("deny"), "PermissionRequest must deny");
                }
            }
            _ => {
                assert!(
                    specific.is_none_or(|s| s.get("permissionDecision").is_none()),
                    "{event} answered with a permission decision"
                );
                if unusable {
                    let blocked = run.output.as_ref().and_then(|o| o.get("decision"));
                    assert!(blocked.is_none(), "an unusable {event} payload blocked");
                }
            }
        }
    }
}

/// Every lockfile format the audit knows; the first input byte picks one.
const FORMATS: [Format; 13] = [
    Format::Npm,
    Format::YarnClassic,
    Format::YarnBerry,
    Format::Pnpm,
    Format::Cargo,
    Format::Poetry,
    Format::Pipfile,
    Format::Uv,
    Format::Composer,
    Format::Gemfile,
    Format::GoSum,
    Format::Pubspec,
    Format::NuGet,
];

/// The lockfile audit on arbitrary bytes in a format picked by the first
/// byte. Promises: no panic, and the audit agrees with the parser: the
/// package count is the parser's, and a file that does not parse is
/// reported as unparseable with no packages.
pub fn lockfile_parsers(data: &[u8]) {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let format = FORMATS[usize::from(selector) % FORMATS.len()];
    let audit = audit_bytes(Path::new("fuzz.lock"), format, bytes, &Allowlist::default());
    match parse::parse(parse::refine_format(format, bytes), bytes) {
        Ok(parsed) => assert_eq!(audit.packages, parsed.packages.len()),
        Err(_) => {
            assert_eq!(audit.packages, 0);
            assert!(
                audit.findings.iter().any(|f| f.check == Check::Unparseable),
                "a lockfile that does not parse must say so"
            );
        }
    }
}

/// The invisible-Unicode detector on arbitrary bytes, with and without
/// private-use flagging (the first byte's low bit). Promises: hits are in
/// order, inside the input, whole code points of the category they claim;
/// the early-exit scans agree with the full one; stripping removes exactly
/// the hits and keeps valid UTF-8 valid; findings account for every hit.
pub fn unicode_scanner(data: &[u8]) {
    use agentops_unicode::{contains_flagged, detect, findings, first_hit, scan, strip, Options};
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let opts = if selector & 1 == 0 {
        Options::SOURCE
    } else {
        Options::TEXT
    };
    let hits = scan(bytes, opts);
    let mut from = 0;
    for h in &hits {
        assert!(h.offset >= from, "hits overlap or are out of order");
        assert!((2..=4).contains(&h.len), "a hit of {} bytes", h.len);
        let end = h.end();
        assert!(end <= bytes.len(), "a hit past the end");
        let text = std::str::from_utf8(&bytes[h.offset..end]).expect("a hit is UTF-8");
        let mut chars = text.chars();
        assert_eq!(chars.next().map(u32::from), Some(h.code_point));
        assert!(chars.next().is_none(), "a hit holds more than one char");
        assert_eq!(
            detect::category_of(h.code_point, opts),
            Some(h.category),
            "U+{:04X}",
            h.code_point
        );
        from = end;
    }
    assert_eq!(first_hit(bytes, opts), hits.first().copied());
    assert_eq!(contains_flagged(bytes, opts), !hits.is_empty());

    let stripped = strip(bytes, &hits);
    let removed: usize = hits.iter().map(|h| usize::from(h.len)).sum();
    assert_eq!(stripped.len() + removed, bytes.len());
    if std::str::from_utf8(bytes).is_ok() {
        assert!(
            std::str::from_utf8(&stripped).is_ok(),
            "stripping broke UTF-8"
        );
    }

    let found = findings(bytes, &hits);
    let counted: usize = found.iter().map(|f| f.count).sum();
    assert_eq!(counted, hits.len(), "findings lost or invented hits");
    for f in &found {
        assert!(f.line >= 1 && f.column >= 1);
        assert!(!f.code_points.is_empty() && f.code_points.len() <= f.count);
    }
}

/// The shell analyser on arbitrary UTF-8. Promises: no panic, a result
/// whose cross references all point at commands that exist, lineage that
/// terminates and starts from its own command, and the same answer from
/// the cached entry point.
pub fn shell_analysis(data: &[u8]) {
    tolerate_contained_parser_panics();
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let a = agentops_shell::analyse(src);
    let n = a.commands.len();
    for (i, c) in a.commands.iter().enumerate() {
        assert_eq!(c.id, i, "command ids are positions");
        for id in c
            .stdin_from
            .iter()
            .chain(&c.exec_from)
            .copied()
            .chain(c.all_subst())
        {
            assert!(id < n, "command {i} refers to missing command {id}");
        }
        let lineage = a.lineage(i);
        assert_eq!(lineage.first(), Some(&i));
        assert!(lineage.len() <= n);
    }
    for w in &a.writes {
        assert!(
            w.by < n && w.from.iter().all(|&f| f < n),
            "a dangling write"
        );
    }
    for f in &a.functions {
        assert!(
            f.body.start <= f.body.end && f.body.end <= n,
            "function body out of range"
        );
    }
    assert_eq!(*agentops_shell::analyse_cached(src), a);
}

/// Languages `inline_code` picks from with its first byte.
const LANGUAGES: &[agentops_code::Language] = {
    use agentops_code::Language::*;
    &[
        Python,
        JavaScript,
        Perl,
        Ruby,
        Php,
        Lua,
        Awk,
        PowerShell,
        R,
        Julia,
        Tcl,
        AppleScript,
        Sqlite,
        Vim,
        EmacsLisp,
        Gdb,
    ]
};

/// Program text in one of the inline-code languages (first byte picks it;
/// the rest must be UTF-8): the parsers and tokenizers of `agentops-code`
/// never panic, facts name non-empty paths and commands, and the same
/// code given to its interpreter on a command line analyses too.
pub fn inline_code(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(code) = std::str::from_utf8(rest) else {
        return;
    };
    let lang = LANGUAGES[usize::from(pick) % LANGUAGES.len()];
    let facts = agentops_code::analyse(lang, code);
    assert!(
        facts.commands.iter().all(|c| !c.trim().is_empty()),
        "an empty command"
    );
    assert!(
        facts.deletes.iter().all(|d| !d.path.is_empty()),
        "an empty delete"
    );
    assert!(
        facts.writes.iter().all(|w| !w.path.is_empty()),
        "an empty write"
    );
    assert!(facts.truncated == (code.len() > agentops_code::MAX_CODE));
    let _ = agentops_code::decode_powershell(code);
    // The same text on an interpreter's command line, through the shell analyser.
    let program = match lang {
        agentops_code::Language::Python => "python3 -c",
        agentops_code::Language::JavaScript => "node -e",
        agentops_code::Language::Perl => "perl -e",
        agentops_code::Language::Awk => "awk",
        agentops_code::Language::PowerShell => "pwsh -c",
        _ => return,
    };
    let quoted = format!("'{}'", code.replace('\'', "'\\''"));
    tolerate_contained_parser_panics();
    let a = agentops_shell::analyse(&format!("{program} {quoted}"));
    let n = a.commands.len();
    for c in &a.commands {
        assert!(c.exec_from.iter().all(|&i| i < n), "dangling exec_from");
    }
}
