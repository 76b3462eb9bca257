//! What a word of a command names: critical directories, system paths,
//! credential files, sensitive dotfiles, block devices; and which words of a
//! command are file names at all (an `echo` string, a commit message or a
//! grep pattern is data, not a path).

use agentops_shell::{Command, Word};

/// Top-level directories whose recursive deletion breaks the machine.
const SYSTEM_ROOTS: &[&str] = &[
    "bin",
    "boot",
    "dev",
    "etc",
    "home",
    "lib",
    "lib32",
    "lib64",
    "libx32",
    "opt",
    "proc",
    "root",
    "run",
    "sbin",
    "srv",
    "sys",
    "usr",
    "var",
    "mnt",
    "media",
    "snap",
    "nix",
    "System",
    "Library",
    "Applications",
    "Users",
    "Volumes",
    "private",
    "cores",
];

/// Top-level directories of a home directory that only hold caches or
/// scratch files, so deleting one is routine.
const DISPOSABLE_HOME_CHILDREN: &[&str] = &[
    ".cache",
    ".npm",
    ".yarn",
    ".pnpm-store",
    ".gradle",
    ".m2",
    ".ivy2",
    ".sbt",
    ".nuget",
    ".bun",
    ".deno",
    ".node-gyp",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".Trash",
    "tmp",
    ".tmp",
    "temp",
];

/// Second-level directories that are disposable even under a system root.
const DISPOSABLE_SYSTEM_CHILDREN: &[&str] = &["/var/tmp", "/var/folders", "/private/tmp"];

/// Whether deleting `abs` (an absolute, normalised path, possibly with globs)
/// recursively destroys the system or a home directory.
pub(crate) fn critical_delete_target(abs: &str, home: Option<&str>) -> bool {
    if abs == "/" || abs.is_empty() {
        return true;
    }
    if let Some(h) = home {
        if abs == h || abs == format!("{h}/*") {
            return true;
        }
        // A whole top-level directory of the home directory: the user's
        // documents, keys (~/.ssh), settings (~/.config) or another
        // project. Caches and scratch space are disposable.
        if let Some(child) = abs.strip_prefix(h).and_then(|r| r.strip_prefix('/')) {
            let child = child.trim_end_matches('/');
            if !child.is_empty()
                && !child.contains('/')
                && !DISPOSABLE_HOME_CHILDREN.contains(&child)
            {
                return true;
            }
        }
    }
    let parts: Vec<&str> = abs.trim_start_matches('/').split('/').collect();
    let glob = |s: &str| s.contains(['*', '?', '[']);
    match parts.as_slice() {
        [first] => *first != "tmp" || glob(first),
        [first, second] => {
            if glob(first) {
                return true;
            }
            if *second == "*" || glob(second) && second.len() <= 2 {
                // `/usr/*`, `/tmp/*` is still only temp.
                return *first != "tmp";
            }
            SYSTEM_ROOTS.contains(first)
                && *first != "tmp"
                && !DISPOSABLE_SYSTEM_CHILDREN.contains(&abs)
        }
        [first, _, third] if matches!(*first, "home" | "Users") => *third == "*",
        _ => false,
    }
}

/// `/etc`, `/proc`, `/sys`, `/dev`, `/boot`, `/root`, `/sbin` (and macOS's
/// `/private/etc`, `/System`), minus harmless pseudo-files.
pub(crate) fn system_path(abs: &str) -> bool {
    const ROOTS: &[&str] = &[
        "/etc",
        "/proc",
        "/sys",
        "/dev",
        "/boot",
        "/root",
        "/sbin",
        "/private/etc",
        "/System",
    ];
    const HARMLESS: &[&str] = &[
        "/dev/null",
        "/dev/zero",
        "/dev/random",
        "/dev/urandom",
        "/dev/stdin",
        "/dev/stdout",
        "/dev/stderr",
        "/dev/tty",
        "/proc/cpuinfo",
        "/proc/meminfo",
        "/proc/loadavg",
        "/proc/version",
        "/proc/uptime",
        "/etc/os-release",
        "/etc/lsb-release",
        "/etc/hostname",
        "/etc/timezone",
        "/etc/localtime",
        "/etc/debian_version",
        "/etc/redhat-release",
        "/etc/alpine-release",
    ];
    if HARMLESS.contains(&abs)
        || abs.starts_with("/dev/fd/")
        || abs.starts_with("/dev/shm/")
        || abs.starts_with("/dev/tcp/")
        || abs.starts_with("/dev/udp/")
    {
        return false;
    }
    ROOTS.iter().any(|r| {
        abs == *r
            || abs
                .strip_prefix(r)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// System files everyone may read and that hold nothing secret: account
/// names (not passwords), host names, resolver and shell lists. Reading
/// them is routine; changing them is not, so only reads are exempt.
pub(crate) const READABLE_SYSTEM_FILES: &[&str] = &[
    "/etc/passwd",
    "/etc/group",
    "/etc/hosts",
    "/etc/resolv.conf",
    "/etc/shells",
    "/etc/issue",
    "/etc/nsswitch.conf",
    "/etc/protocols",
    "/etc/services",
];

/// A whole-disk or partition device (not `/dev/null` and friends).
pub(crate) fn block_device(abs: &str) -> bool {
    let Some(dev) = abs.strip_prefix("/dev/") else {
        return false;
    };
    const PREFIXES: &[&str] = &[
        "sd", "hd", "vd", "xvd", "nvme", "mmcblk", "disk", "rdisk", "mapper/", "dm-", "md", "loop",
        "sr", "mem", "kmem", "port", "root",
    ];
    PREFIXES.iter().any(|p| dev.starts_with(p))
}

fn file_name(path: &str) -> &str {
    let t = path.trim_end_matches('/');
    t.rsplit('/').next().unwrap_or(t)
}

/// A file that holds credentials or keys: `.env` files, private keys,
/// certificates' keys, token and password files, cloud and package-registry
/// credentials, the shadow file.
pub(crate) fn credential_file(path: &str) -> bool {
    let p = path.trim_start_matches('@');
    let name = file_name(p).to_ascii_lowercase();
    if name.is_empty() {
        return false;
    }
    let env_template = [
        ".example",
        ".sample",
        ".template",
        ".dist",
        ".defaults",
        ".schema",
    ]
    .iter()
    .any(|s| name.ends_with(s));
    if (name == ".env" || name.starts_with(".env.") || name.ends_with(".env") || name == ".envrc")
        && !env_template
    {
        return true;
    }
    const EXTENSIONS: &[&str] = &[
        ".pem",
        ".key",
        ".p12",
        ".pfx",
        ".jks",
        ".keystore",
        ".kdbx",
        ".ppk",
        ".secret",
        ".secrets",
        ".token",
        ".password",
        ".credential",
        ".credentials",
    ];
    // A `.pem` holds a certificate as often as a key; certificates are
    // public (`cert.pem`, `ca.pem`, `fullchain.pem`, `ca-bundle.pem`).
    let certificate = name.ends_with(".pem")
        && [
            "cert", "chain", "bundle", "ca.", "ca-", "ca_", "-ca", "_ca", "root", "crt",
        ]
        .iter()
        .any(|t| name.contains(t))
        && !name.contains("key");
    if EXTENSIONS.iter().any(|e| name.ends_with(e)) && !name.ends_with(".pub") && !certificate {
        return true;
    }
    const NAMES: &[&str] = &[
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        "id_ecdsa_sk",
        "id_ed25519_sk",
        "credentials",
        "credentials.json",
        ".netrc",
        "_netrc",
        ".npmrc",
        ".pypirc",
        ".git-credentials",
        ".htpasswd",
        ".pgpass",
        ".my.cnf",
        "secrets.yml",
        "secrets.yaml",
        "secrets.json",
        "shadow",
        "gshadow",
        "master.passwd",
    ];
    if NAMES.contains(&name.as_str()) {
        return match name.as_str() {
            "shadow" | "gshadow" | "master.passwd" => p.contains("/etc/"),
            _ => true,
        };
    }
    p.contains("/proc/") && p.ends_with("/environ")
}

/// Directories and files in a home directory that hold credentials:
/// `~/.ssh`, `~/.gnupg`, `~/.aws`, Docker and kube configs, registry tokens.
/// Only home-relative or absolute spellings count (a project's own `.npmrc`
/// is project configuration).
pub(crate) fn sensitive_dotfile(path: &str) -> bool {
    let p = path.trim_start_matches('@');
    // Public keys and the known-hosts list hold nothing secret.
    if p.ends_with(".pub") || p.ends_with("/known_hosts") || p.ends_with("/known_hosts.old") {
        return false;
    }
    const ENTRIES: &[&str] = &[
        ".ssh",
        ".gnupg",
        ".aws",
        ".azure",
        ".docker/config.json",
        ".kube/config",
        ".npmrc",
        ".pypirc",
        ".netrc",
        ".git-credentials",
        ".config/gh/hosts.yml",
        ".config/gcloud",
    ];
    ENTRIES.iter().any(|e| {
        let slashed = format!("/{e}");
        p.match_indices(&slashed).any(|(i, _)| {
            let after = &p[i + slashed.len()..];
            after.is_empty() || after.starts_with('/')
        })
    })
}

/// Any file whose contents must not leave the machine: credential files,
/// sensitive dotfiles, and anything under a credential directory.
pub(crate) fn secret_source(path: &str) -> bool {
    let p = path.trim_start_matches('@');
    if p.ends_with(".pub") || p.ends_with("known_hosts") {
        return false;
    }
    // A `.pem` named like a certificate may still carry its private key
    // (combined PEM files): reading one is fine, sending it away is not.
    credential_file(p)
        || p.to_ascii_lowercase().ends_with(".pem")
        || sensitive_dotfile(p)
        || [".ssh", ".gnupg", ".aws"]
            .iter()
            .any(|d| p == *d || p.starts_with(&format!("{d}/")) || p.contains(&format!("/{d}/")))
}

/// A variable name that looks like it holds a secret (`API_TOKEN`,
/// `GITHUB_TOKEN`, `DB_PASSWORD`, `SECRET_KEY`), judged on its `_`-separated
/// parts so `AUTHOR`, `BYPASS` or `TOKENIZER_PARALLELISM` do not count.
pub(crate) fn secret_var_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if [
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "CREDENTIAL",
        "APIKEY",
        "PRIVATE_KEY",
        "ACCESS_KEY",
    ]
    .iter()
    .any(|s| upper.contains(s))
    {
        return true;
    }
    let parts: Vec<&str> = upper.split('_').filter(|p| !p.is_empty()).collect();
    parts.iter().enumerate().any(|(i, p)| {
        matches!(
            *p,
            "TOKEN" | "TOKENS" | "PASS" | "PASSPHRASE" | "PRIVATE" | "AUTH" | "CREDS" | "PAT"
        ) || (p.ends_with("TOKEN") && p.len() > 5)
            || (*p == "KEY" && i > 0 && parts[i - 1] == "API")
    })
}

/// Names of variables a word expands (`$NAME`, `${NAME}`), in order.
pub(crate) fn expanded_vars(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let mut j = i + 1;
            if bytes.get(j) == Some(&b'{') {
                j += 1;
            }
            let start = j;
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                j += 1;
            }
            if j > start && !bytes[start].is_ascii_digit() {
                out.push(&text[start..j]);
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Whether any of `words` expands a secret-looking variable (`$GITHUB_TOKEN`).
pub(crate) fn expands_secret_variable<'a>(words: impl IntoIterator<Item = &'a Word>) -> bool {
    words
        .into_iter()
        .filter(|w| w.dynamic)
        .flat_map(|w| expanded_vars(&w.text))
        .any(secret_var_name)
}

/// The words of a command that name files: its operands, minus what the
/// command treats as data (an `echo` string, a grep or sed pattern, an awk
/// or jq program, a commit message), plus `--opt=/path` values and `@file`.
pub(crate) fn path_words(c: &Command) -> Vec<&Word> {
    match c.name.as_str() {
        "echo" | "printf" | "true" | "false" | ":" | "test" | "[" | "[[" | "expr" | "let"
        | "export" | "declare" | "typeset" | "local" | "readonly" | "alias" | "which" | "type"
        | "command" | "hash" | "man" | "help" | "whatis" | "apropos" | "info" => {
            return Vec::new();
        }
        _ => {}
    }
    let skip_first_operand = match c.name.as_str() {
        "grep" | "egrep" | "fgrep" | "rg" | "ag" | "ack" | "zgrep" => !c.args.iter().any(|a| {
            matches!(a.text.as_str(), "-e" | "-f" | "--regexp" | "--file")
                || a.text.starts_with("--regexp=")
                || a.text.starts_with("-e")
        }),
        "sed" | "gsed" => !c.args.iter().any(|a| {
            matches!(a.text.as_str(), "-e" | "-f" | "--expression" | "--file")
                || a.text.starts_with("--expression=")
        }),
        "awk" | "gawk" | "mawk" | "nawk" => !c.args.iter().any(|a| a.text == "-f"),
        "jq" | "yq" | "gojq" => true,
        _ => false,
    };
    // Options whose next word is data, not a path.
    let data_options: &[&str] = match c.name.as_str() {
        "git" => &[
            "-m",
            "--message",
            "-c",
            "--author",
            "--format",
            "--pretty",
            "-S",
            "-G",
            "--grep",
        ],
        "grep" | "egrep" | "fgrep" | "rg" | "ag" | "zgrep" => {
            &["-e", "--regexp", "-m", "-A", "-B", "-C"]
        }
        "sed" | "gsed" => &["-e", "--expression"],
        "curl" => &[
            "-H",
            "--header",
            "-d",
            "--data",
            "--data-raw",
            "-A",
            "--user-agent",
            "-u",
            "--user",
            "-X",
            "--request",
        ],
        "ssh" | "scp" | "sftp" => &["-o", "-p", "-P", "-l", "-c", "-J"],
        _ => &[],
    };
    let mut out = Vec::new();
    let mut skipped = false;
    let mut after_dashdash = false;
    let mut skip_next = false;
    for a in &c.args {
        let t = a.text.as_str();
        if skip_next {
            skip_next = false;
            continue;
        }
        if !after_dashdash {
            if t == "--" {
                after_dashdash = true;
                continue;
            }
            if data_options.contains(&t) {
                skip_next = true;
                continue;
            }
            if let Some(long) = t.strip_prefix("--") {
                if let Some((_, v)) = long.split_once('=') {
                    if v.starts_with(['/', '~', '.', '$']) {
                        out.push(a);
                    }
                }
                continue;
            }
            if t.starts_with('-') && t.len() > 1 {
                continue;
            }
        }
        if skip_first_operand && !skipped {
            skipped = true;
            continue;
        }
        out.push(a);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn critical_delete_targets() {
        let home = Some("/home/u");
        for p in [
            "/",
            "/usr",
            "/etc",
            "/var/log",
            "/home/u",
            "/home",
            "/*",
            "/u*",
            "/usr/*",
            "/Users/x/*",
            "/home/u/.ssh",
            "/home/u/.config/",
            "/home/u/Documents",
        ] {
            assert!(critical_delete_target(p, home), "{p}");
        }
        for p in [
            "/tmp",
            "/tmp/x",
            "/tmp/*",
            "/var/tmp",
            "/home/u/proj/target",
            "/usr/local/lib/x",
            "/opt/app/cache/x",
            "/home/u/.cache",
            "/home/u/.npm",
            "/home/u/.config/app/cache",
        ] {
            assert!(!critical_delete_target(p, home), "{p}");
        }
    }

    #[test]
    fn credential_files() {
        for p in [
            ".env",
            "/home/u/.env",
            ".env.local",
            "secret.env",
            "server.pem",
            "private.key",
            "id_rsa",
            "/etc/shadow",
            "~/.aws/credentials",
            ".npmrc",
            "/proc/self/environ",
        ] {
            assert!(credential_file(p), "{p}");
        }
        for p in [
            ".env.example",
            "env.rs",
            "README.md",
            "id_rsa.pub",
            "keys.rs",
            "shadow.ts",
            "src/environment.ts",
            "Cargo.toml",
            // Account names, not passwords (those are in /etc/shadow).
            "/etc/passwd",
            // Certificates are public.
            "cert.pem",
            "certs/fullchain.pem",
            "ca-bundle.pem",
        ] {
            assert!(!credential_file(p), "{p}");
        }
    }

    #[test]
    fn dotfiles_and_secret_sources() {
        for p in [
            "~/.ssh/config",
            "/home/u/.ssh",
            "~/.aws/credentials",
            "$HOME/.kube/config",
            "~/.npmrc",
        ] {
            assert!(sensitive_dotfile(p), "{p}");
        }
        for p in [".npmrc", "src/.sshrc", "~/.sshx", "docs/ssh.md"] {
            assert!(!sensitive_dotfile(p), "{p}");
        }
        assert!(secret_source(".ssh/id_ed25519"));
        assert!(!secret_source("~/.ssh/id_ed25519.pub"));
        // Reading a certificate is fine; sending any PEM away is not.
        assert!(!credential_file("/app/cert.pem"));
        assert!(secret_source("/app/cert.pem"));
    }

    #[test]
    fn secret_variable_names() {
        for n in [
            "API_TOKEN",
            "SECRET_KEY",
            "GITHUB_TOKEN",
            "DB_PASSWORD",
            "api_key",
            "NPM_AUTH",
            "AWS_SECRET_ACCESS_KEY",
            "GHTOKEN",
            "MY_PASS",
        ] {
            assert!(secret_var_name(n), "{n}");
        }
        for n in [
            "EDITOR",
            "DEBUG",
            "AUTHOR",
            "BYPASS_CACHE",
            "TOKENIZER_PARALLELISM",
            "PATH",
            "KEYBOARD",
            "SORT_KEY",
            "COMPASS",
        ] {
            assert!(!secret_var_name(n), "{n}");
        }
    }

    #[test]
    fn variable_expansions() {
        assert_eq!(expanded_vars("a $X ${Y_2}/$1 $"), ["X", "Y_2"]);
    }

    #[test]
    fn system_and_devices() {
        assert!(system_path("/etc/nginx/conf.d"));
        assert!(system_path("/dev/sda"));
        assert!(!system_path("/dev/null"));
        assert!(!system_path("/etcetera"));
        assert!(block_device("/dev/sda1"));
        assert!(block_device("/dev/nvme0n1"));
        assert!(!block_device("/dev/null"));
        assert!(!block_device("/dev/stdout"));
    }
}
