//! Snapshot of the analysis of every command in `tests/commands.txt`.
//!
//! Each section of the file (`## NAME`) is dumped to one readable text
//! snapshot, `tests/snapshots/snapshots__NAME.snap`, so a change in how any
//! command is analysed shows up as a reviewable diff. Accept intended
//! changes with `cargo insta review` (or `INSTA_UPDATE=always cargo test -p
//! agentops-shell --test snapshots`) and read the diff before committing.

use std::fmt::Write as _;

use agentops_shell::{
    analyse, Analysis, AssignKind, Command, ParseStatus, Redirect, RedirectKind, Via, Word,
};

const COMMANDS: &str = include_str!("commands.txt");

/// Fewest commands the file must hold (guards against a truncated file).
const MIN_COMMANDS: usize = 250;

/// `(section, commands)` in file order.
fn sections() -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in COMMANDS.lines() {
        if let Some(name) = line.strip_prefix("## ") {
            out.push((name.trim().to_string(), Vec::new()));
            continue;
        }
        if let Some(rest) = line.strip_prefix("+ ") {
            let (section, commands) = out.last_mut().expect("a section before a continuation");
            let last = commands
                .last_mut()
                .unwrap_or_else(|| panic!("continuation without a command in {section}"));
            last.push('\n');
            last.push_str(rest);
            continue;
        }
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (_, commands) = out
            .last_mut()
            .expect("a `## NAME` line before the commands");
        commands.push(line.to_string());
    }
    out
}

/// Shorten to `max` characters and show control characters as escapes.
fn short(text: &str, max: usize) -> String {
    let mut s: String = text.chars().take(max).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    format!("{s:?}")
}

/// A word as text: bare when it is plain, quoted (Rust escapes) otherwise;
/// `~dyn` when it holds an unresolved expansion, `@[ids]` for the commands
/// its substitutions run.
fn word(w: &Word) -> String {
    let plain = !w.text.is_empty()
        && w.text
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !matches!(c, '"' | '\''));
    let mut s = if plain {
        w.text.clone()
    } else {
        short(&w.text, 80)
    };
    if w.dynamic {
        s.push_str("~dyn");
    }
    if !w.subst.is_empty() {
        let _ = write!(s, "@{:?}", w.subst);
    }
    s
}

fn redirect(r: &Redirect) -> String {
    let fd = r.fd.map(|n| n.to_string()).unwrap_or_default();
    match r.kind {
        RedirectKind::HereDoc => format!("{fd}<<{}", short(&r.target.text, 60)),
        RedirectKind::HereString => format!("{fd}<<<{}", word(&r.target)),
        kind => {
            let op = match kind {
                RedirectKind::Read => "<",
                RedirectKind::Write => ">",
                RedirectKind::Append => ">>",
                RedirectKind::ReadWrite => "<>",
                RedirectKind::Clobber => ">|",
                RedirectKind::Duplicate => ">&",
                RedirectKind::OutputAndError => "&>",
                RedirectKind::HereDoc | RedirectKind::HereString => unreachable!(),
            };
            format!("{fd}{op}{}", word(&r.target))
        }
    }
}

fn command(out: &mut String, c: &Command) {
    let name = if c.name.is_empty() {
        "(no command)".to_string()
    } else {
        c.name.clone()
    };
    let _ = write!(out, "  #{} {name}", c.id);
    for a in &c.args {
        let _ = write!(out, " {}", word(a));
    }
    out.push('\n');

    let mut attrs: Vec<String> = Vec::new();
    if c.written_name != c.name {
        attrs.push(format!("written={}", short(&c.written_name, 60)));
    }
    if c.origin.via != Via::Top || c.origin.depth != 0 {
        attrs.push(format!("via={:?} depth={}", c.origin.via, c.origin.depth));
    }
    if let Some(p) = c.origin.parent {
        attrs.push(format!("parent=#{p}"));
    }
    if c.origin.indirect {
        attrs.push("indirect".into());
    }
    if !c.wrappers.is_empty() {
        attrs.push(format!("wrappers={}", c.wrappers.join(",")));
    }
    if c.pipe.1 > 1 {
        attrs.push(format!("pipe={}/{}", c.pipe.0 + 1, c.pipe.1));
    }
    if !c.stdin_from.is_empty() {
        attrs.push(format!("stdin_from={:?}", c.stdin_from));
    }
    if !c.exec_from.is_empty() {
        attrs.push(format!("exec_from={:?}", c.exec_from));
    }
    if c.conditional_chain {
        attrs.push("chain".into());
    }
    if c.background {
        attrs.push("background".into());
    }
    if c.approximate {
        attrs.push("approximate".into());
    }
    if c.synthetic {
        attrs.push("synthetic".into());
    }
    if !attrs.is_empty() {
        let _ = writeln!(out, "     {}", attrs.join(" "));
    }
    for a in &c.assignments {
        let kind = match a.kind {
            AssignKind::Prefix => "prefix",
            AssignKind::Standalone => "set",
            AssignKind::Declaration => "declare",
            AssignKind::Env => "env",
        };
        let op = if a.append { "+=" } else { "=" };
        let _ = writeln!(out, "     {kind} {}{op}{}", a.name, word(&a.value));
    }
    if !c.redirects.is_empty() {
        let shown: Vec<String> = c.redirects.iter().map(redirect).collect();
        let _ = writeln!(out, "     redirects: {}", shown.join(" "));
    }
    if let Some(text) = &c.stdin_text {
        let _ = writeln!(out, "     stdin: {}", short(text, 60));
    }
    if let Some(code) = &c.inline_code {
        let _ = writeln!(
            out,
            "     inline {:?}: {}",
            code.lang,
            short(&code.code, 80)
        );
    }
}

/// The readable dump of one analysis.
fn dump(src: &str, a: &Analysis) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "$ {}", src.replace('\n', "\n> "));
    match &a.status {
        ParseStatus::Parsed => out.push_str("  parsed"),
        ParseStatus::Fallback { error } => {
            let _ = write!(out, "  fallback: {}", short(error, 100));
        }
    }
    if a.depth_capped {
        out.push_str(", depth capped");
    }
    out.push('\n');
    for c in &a.commands {
        command(&mut out, c);
    }
    for w in &a.writes {
        let _ = write!(out, "  writes {} by #{}", short(&w.path, 60), w.by);
        if let Some(content) = &w.content {
            let _ = write!(out, " content={}", short(content, 60));
        }
        if !w.from.is_empty() {
            let _ = write!(out, " from={:?}", w.from);
        }
        out.push('\n');
    }
    for f in &a.functions {
        let _ = writeln!(
            out,
            "  function {} body=#{}..#{}",
            f.name, f.body.start, f.body.end
        );
    }
    out
}

#[test]
fn analysis_of_the_command_corpus() {
    let sections = sections();
    let total: usize = sections.iter().map(|(_, c)| c.len()).sum();
    assert!(
        total >= MIN_COMMANDS,
        "tests/commands.txt holds {total} commands, expected at least {MIN_COMMANDS}"
    );
    let mut names: Vec<&str> = sections.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), sections.len(), "section names must be unique");

    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(true);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (name, commands) in &sections {
            let mut text = String::new();
            for src in commands {
                text.push_str(&dump(src, &analyse(src)));
                text.push('\n');
            }
            insta::assert_snapshot!(name.as_str(), text);
        }
    });
}
