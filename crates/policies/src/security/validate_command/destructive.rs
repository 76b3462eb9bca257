//! Hard-deny checks for commands that destroy the machine: recursive
//! deletion of critical directories, disk formatting and wiping, fork bombs,
//! shutdown and reboot.

use agentops_shell::{Analysis, Command, RedirectKind};

use super::paths::{block_device, critical_delete_target};
use super::scan::{Hits, Scan};
use super::{
    CREDENTIAL_DESTROY, DISK_WIPE, FORK_BOMB, POWER_STATE, RECURSIVE_DELETE_CRITICAL,
    RECURSIVE_PERMISSIONS_CRITICAL,
};

pub(super) fn check(scan: &Scan, c: &Command, hits: &mut Hits) {
    if critical_delete(scan, c) || critical_delete_by_other_means(scan, c) {
        hits.add(&RECURSIVE_DELETE_CRITICAL, c);
    }
    if critical_permissions(scan, c) {
        hits.add(&RECURSIVE_PERMISSIONS_CRITICAL, c);
    }
    if destroys_credentials(scan, c) {
        hits.add(&CREDENTIAL_DESTROY, c);
    }
    if disk_wipe(scan, c) {
        hits.add(&DISK_WIPE, c);
    }
    if power_state(c) {
        hits.add(&POWER_STATE, c);
    }
}

/// `rm -r` (any spelling) of `/`, `/*`, `~`, `$HOME` or a system directory.
fn critical_delete(scan: &Scan, c: &Command) -> bool {
    if c.name != "rm" {
        return false;
    }
    let flags = c.flags();
    let recursive = flags.iter().any(|f| {
        matches!(
            f,
            agentops_shell::Flag::Short('r' | 'R') | agentops_shell::Flag::Long("recursive")
        )
    });
    if !recursive {
        return false;
    }
    if c.has_long("no-preserve-root") {
        return true;
    }
    c.operands().any(|w| {
        let t = w.text.as_str();
        let home_word = matches!(
            t,
            "~" | "~/"
                | "~/*"
                | "$HOME"
                | "${HOME}"
                | "$HOME/"
                | "${HOME}/"
                | "$HOME/*"
                | "${HOME}/*"
        ) || (t.starts_with('~') && !t.contains('/') && t.len() > 1);
        home_word || critical_delete_target(&scan.abs(c.id, t), scan.home())
    })
}

/// Whether the word `t` of command `c` names the root, the home directory,
/// a top-level directory of it, or a system directory.
fn critical_word(scan: &Scan, c: &Command, t: &str) -> bool {
    let home_word = matches!(
        t,
        "~" | "~/" | "~/*" | "$HOME" | "${HOME}" | "$HOME/" | "${HOME}/" | "$HOME/*" | "${HOME}/*"
    ) || (t.starts_with('~') && !t.contains('/') && t.len() > 1);
    home_word || critical_delete_target(&scan.abs(c.id, t), scan.home())
}

/// Deleting a critical directory without `rm`: `rsync --delete` into it
/// (an empty source empties it), `git clean -x -d -f` run in it, `tar
/// --remove-files` of it, `srm -r` of it, or moving it away (`mv ~ /tmp`).
fn critical_delete_by_other_means(scan: &Scan, c: &Command) -> bool {
    let operands: Vec<&str> = c.operands().map(|w| w.text.as_str()).collect();
    match c.name.as_str() {
        "rsync" => {
            c.args.iter().any(|a| a.text.starts_with("--delete"))
                && operands.last().is_some_and(|d| critical_word(scan, c, d))
        }
        "git" => {
            let clean = operands.first() == Some(&"clean");
            let forced = c.has_short('f') || c.has_long("force");
            let dry = c.has_short('n') || c.has_long("dry-run");
            let cwd_critical = critical_word(scan, c, ".");
            let path_critical = operands.iter().skip(1).any(|p| critical_word(scan, c, p));
            clean && forced && !dry && (cwd_critical || path_critical)
        }
        "tar" | "gtar" | "bsdtar" => {
            c.has_long("remove-files") && operands.iter().any(|p| critical_word(scan, c, p))
        }
        "srm" => {
            (c.has_short('r') || c.has_short('R'))
                && operands.iter().any(|p| critical_word(scan, c, p))
        }
        "mv" => {
            operands.len() >= 2
                && operands[..operands.len() - 1]
                    .iter()
                    .any(|p| critical_word(scan, c, p))
        }
        _ => false,
    }
}

/// Deleting, shredding or emptying a key or credential file of the home
/// directory (`rm ~/.ssh/id_*`, `shred -u ~/.gnupg/…`, `truncate -s 0
/// ~/.aws/credentials`); the directory itself is CMD001.
fn destroys_credentials(scan: &Scan, c: &Command) -> bool {
    let deleter = matches!(
        c.name.as_str(),
        "rm" | "unlink" | "shred" | "srm" | "wipe" | "truncate"
    );
    let Some(home) = scan.home() else {
        return false;
    };
    deleter
        && c.operands().any(|w| {
            let abs = scan.abs(c.id, &w.text);
            abs.starts_with(&format!("{home}/")) && super::paths::sensitive_dotfile(&abs)
        })
}

/// `chmod -R`, `chown -R`, `chgrp -R` of the root, the home directory or a
/// system directory: every file's permissions or owner changed at once.
fn critical_permissions(scan: &Scan, c: &Command) -> bool {
    if !matches!(c.name.as_str(), "chmod" | "chown" | "chgrp") {
        return false;
    }
    let recursive = c.has_short('R') || c.has_long("recursive");
    // The mode or owner comes first; the rest are files.
    recursive
        && c.operands()
            .skip(1)
            .any(|w| critical_word(scan, c, &w.text))
}

/// Formatting, wiping or writing raw data to a block device.
fn disk_wipe(scan: &Scan, c: &Command) -> bool {
    let name = c.name.as_str();
    if name.starts_with("mkfs")
        || name.starts_with("newfs")
        || matches!(
            name,
            "mke2fs" | "mkntfs" | "mkdosfs" | "mkswap" | "wipefs" | "blkdiscard"
        )
    {
        return true;
    }
    let device_operand = || c.operands().any(|w| block_device(&scan.abs(c.id, &w.text)));
    match name {
        "dd" if c
            .arg_texts()
            .filter_map(|a| a.strip_prefix("of="))
            .any(|t| block_device(&scan.abs(c.id, t))) =>
        {
            return true;
        }
        "shred" | "fdisk" | "sfdisk" | "cfdisk" | "parted" | "gdisk" | "sgdisk" | "tee" | "cp"
        | "pv" | "badblocks" => {
            // `fdisk -l` and `parted -l` only list.
            let listing = matches!(name, "fdisk" | "sfdisk" | "parted" | "gdisk" | "sgdisk")
                && (c.has_short('l') || c.has_long("list") || c.has_short('p'));
            let read_only = name == "badblocks" && !c.has_short('w');
            if !listing && !read_only && device_operand() {
                return true;
            }
        }
        "diskutil" => {
            let verb = c.arg_texts().next().unwrap_or("").to_ascii_lowercase();
            if matches!(
                verb.as_str(),
                "erasedisk"
                    | "erasevolume"
                    | "zerodisk"
                    | "randomdisk"
                    | "secureerase"
                    | "partitiondisk"
                    | "reformat"
            ) {
                return true;
            }
        }
        _ => {}
    }
    c.redirects
        .iter()
        .filter(|r| r.kind.writes() || r.kind == RedirectKind::Duplicate)
        .any(|r| block_device(&scan.abs(c.id, &r.target.text)))
}

fn power_state(c: &Command) -> bool {
    match c.name.as_str() {
        "shutdown" => !c.has_short('c'),
        "reboot" | "halt" | "poweroff" | "kexec" => true,
        "init" | "telinit" => c.arg_texts().any(|a| a == "0" || a == "6"),
        "systemctl" | "loginctl" => c
            .arg_texts()
            .any(|a| matches!(a, "poweroff" | "reboot" | "halt" | "kexec" | "soft-reboot")),
        _ => false,
    }
}

/// A function that calls itself in a pipeline or in the background: the
/// process count doubles until the machine stops.
pub(super) fn fork_bombs(analysis: &Analysis, hits: &mut Hits) {
    for f in &analysis.functions {
        let name = f.name.to_ascii_lowercase();
        let recursive_spawn = analysis
            .commands
            .get(f.body.clone())
            .unwrap_or(&[])
            .iter()
            .any(|c| c.name == name && (c.pipe.1 > 1 || c.background));
        if recursive_spawn {
            let shown = format!("{}() {{ … {} | {} & … }}", f.name, f.name, f.name);
            hits.push(&FORK_BOMB, shown, false);
        }
    }
}

/// The classic spelling, for strings that did not parse.
pub(super) fn fork_bomb_text(src: &str) -> bool {
    let squashed: String = src.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(def) = squashed.find("(){") else {
        return false;
    };
    let name: String = squashed[..def]
        .chars()
        .rev()
        .take_while(|c| !matches!(c, ';' | '&' | '|' | '\n' | '(' | ')' | '{' | '}'))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    !name.is_empty() && squashed[def..].contains(&format!("{name}|{name}"))
}
