//! Soft checks (ask in advisory mode, deny in blocking mode), plus the hard
//! "dangerous command run through `sh -c`/`eval`" rule that builds on them.

use agentops_shell::{Command, Flag, RedirectKind};

use super::code;
use super::paths::{
    credential_file, critical_delete_target, path_words, sensitive_dotfile, system_path,
};
use super::scan::{Hits, Scan};
use super::{
    BROAD_PERMISSIONS, CHAINED_DANGEROUS, CLOUD_DESTRUCTIVE, CREDENTIAL_READ, DB_DESTRUCTIVE,
    DECODED_EXEC, DOWNLOAD_EXEC, GIT_DESTRUCTIVE, INDIRECT_DANGEROUS, SENSITIVE_DOTFILE,
    SYSTEM_DIRECTORY,
};

/// Directory names that only hold generated output; deleting them is routine.
const BUILD_OUTPUTS: &[&str] = &[
    "target",
    "node_modules",
    "dist",
    "build",
    "out",
    "bin",
    "obj",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".turbo",
    ".parcel-cache",
    ".cache",
    "coverage",
    ".nyc_output",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".tox",
    ".venv",
    "venv",
    ".gradle",
    ".dart_tool",
    ".angular",
    "tmp",
    "temp",
    ".tmp",
    ".eggs",
    "_site",
    "site",
    ".terraform",
    "storybook-static",
    "htmlcov",
    ".expo",
    "DerivedData",
    // Sphinx, dune, mix and rebar3 output.
    "_build",
    "cmake-build-debug",
    "cmake-build-release",
    "zig-out",
    "zig-cache",
    ".zig-cache",
    "dist-newstyle",
    ".stack-work",
    ".hypothesis",
    "elm-stuff",
    ".output",
    ".docusaurus",
];

const DOWNLOADERS: &[&str] = &[
    "curl",
    "wget",
    "fetch",
    "aria2c",
    "http",
    "https",
    "xh",
    "lwp-request",
    "get",
    "curlie",
];

pub(super) fn check(scan: &Scan, c: &Command, hits: &mut Hits) {
    let downloaded = download_exec(scan, c);
    if downloaded {
        hits.add(&DOWNLOAD_EXEC, c);
    }
    if decoded_exec(scan, c) {
        hits.add(&DECODED_EXEC, c);
    }
    let dangerous = downloaded || risky_delete(c) || world_writable(c).is_some();
    if dangerous && scan.run_by_shell_string(c) {
        hits.add(&INDIRECT_DANGEROUS, c);
    }
    if dangerous && c.conditional_chain {
        hits.add(&CHAINED_DANGEROUS, c);
    }
    if broad_permissions(scan, c) {
        hits.add(&BROAD_PERMISSIONS, c);
    }
    files(scan, c, hits);
    if git_destructive(c) {
        hits.add(&GIT_DESTRUCTIVE, c);
    }
    if db_destructive(scan, c) {
        hits.add(&DB_DESTRUCTIVE, c);
    }
    if cloud_destructive(c) {
        hits.add(&CLOUD_DESTRUCTIVE, c);
    }
}

/// Whether any command in the lineage of `ids` satisfies `pred`.
fn produced_by(scan: &Scan, ids: &[usize], pred: impl Fn(&Command) -> bool) -> bool {
    ids.iter().any(|&p| {
        scan.analysis
            .lineage(p)
            .into_iter()
            .filter_map(|q| scan.analysis.get(q))
            .any(&pred)
    })
}

fn is_downloader(c: &Command) -> bool {
    DOWNLOADERS.contains(&c.name.as_str())
        || c.inline_code
            .as_ref()
            .is_some_and(|i| code::network_call(&i.code))
}

/// Runs as code what a download produced: `curl … | sh`, `bash <(curl …)`,
/// `sh -c "$(wget -O- …)"`, `curl -o x.sh … && ./x.sh`.
fn download_exec(scan: &Scan, c: &Command) -> bool {
    !c.exec_from.is_empty() && produced_by(scan, &c.exec_from, is_downloader)
}

fn is_decoder(c: &Command) -> bool {
    let decode_flag = c.has_short('d') || c.has_long("decode") || c.has_short('D');
    match c.name.as_str() {
        "base64" | "base32" | "basenc" | "gbase64" => decode_flag,
        "xxd" => c.has_short('r'),
        "uudecode" => true,
        "openssl" => {
            c.arg_texts()
                .next()
                .is_some_and(|s| s == "enc" || s == "base64")
                && c.has_short('d')
        }
        _ => false,
    }
}

/// Filters that rewrite text on its way to a shell: reversing it,
/// translating or deleting characters, editing it with a script,
/// decompressing it.
fn is_transform(c: &Command) -> bool {
    match c.name.as_str() {
        "rev" | "tr" | "sed" | "gsed" | "awk" | "gawk" | "mawk" | "nawk" | "iconv" | "recode"
        | "zcat" | "gzcat" | "gunzip" | "bzcat" | "bunzip2" | "xzcat" | "unxz" | "zstdcat"
        | "unzstd" | "lzcat" | "uncompress" | "rot13" | "caesar" => true,
        "gzip" | "bzip2" | "xz" | "zstd" | "lzma" | "lz4" | "brotli" | "compress" => {
            c.has_short('d') || c.has_long("decompress") || c.has_long("uncompress")
        }
        "perl" | "ruby" => c.has_short('p') || c.has_short('n'),
        "printf" => c.arg_texts().any(hides_characters),
        "echo" => c.has_short('e') && c.arg_texts().any(hides_characters),
        _ => false,
    }
}

/// Escapes that spell characters by number (`\x72`, `\162`, `\u0072`).
fn hides_characters(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'\\' && (matches!(w[1], b'x' | b'u' | b'U') || w[1].is_ascii_digit()))
}

/// Runs decoded or otherwise transformed text as code: `echo … | base64 -d
/// | sh`, `… | rev | sh`, `… | tr a-y b-z | bash`, `gzip -dc x.gz | sh`.
fn decoded_exec(scan: &Scan, c: &Command) -> bool {
    !c.exec_from.is_empty() && produced_by(scan, &c.exec_from, |p| is_decoder(p) || is_transform(p))
}

/// `rm -r` of anything but build output inside the project.
fn risky_delete(c: &Command) -> bool {
    if c.name != "rm" || c.synthetic {
        return false;
    }
    let recursive = c
        .flags()
        .iter()
        .any(|f| matches!(f, Flag::Short('r' | 'R') | Flag::Long("recursive")));
    recursive && c.operands().any(|w| !disposable(&w.text))
}

fn disposable(path: &str) -> bool {
    let p = agentops_shell::paths::tidy(path);
    if p.starts_with(['/', '~', '$']) || p.split('/').any(|s| s == "..") || p.is_empty() || p == "."
    {
        return false;
    }
    p.split('/')
        .any(|part| BUILD_OUTPUTS.contains(&part) || part.ends_with(".egg-info"))
}

/// `chmod` to a world-writable mode: the mode, if so.
fn world_writable(c: &Command) -> Option<&str> {
    if c.name != "chmod" {
        return None;
    }
    let mode = c.operands().next()?.text.as_str();
    let numeric = mode.len() >= 3
        && mode.len() <= 4
        && mode.chars().all(|ch| ch.is_ascii_digit() && ch < '8')
        && mode.ends_with(['2', '3', '6', '7'])
        && !mode.starts_with('1');
    let symbolic = [
        "o+w", "a+w", "o+rwx", "a+rwx", "ugo+rwx", "a=rwx", "o=rwx", "ugo=rwx",
    ]
    .iter()
    .any(|s| mode.contains(s));
    (numeric || symbolic).then_some(mode)
}

/// World-writable modes applied recursively or to system paths, and
/// recursive ownership changes on system paths.
fn broad_permissions(scan: &Scan, c: &Command) -> bool {
    let recursive = c.has_short('R') || c.has_long("recursive");
    let system_target = || {
        c.operands().skip(1).any(|w| {
            let abs = scan.abs(c.id, &w.text);
            w.text.starts_with(['/', '~', '$'])
                && (critical_delete_target(&abs, scan.home()) || system_path(&abs))
        })
    };
    match c.name.as_str() {
        "chmod" => world_writable(c).is_some() && (recursive || system_target()),
        "chown" | "chgrp" => recursive && system_target(),
        _ => false,
    }
}

const READERS: &[&str] = &[
    "cat", "tac", "less", "more", "head", "tail", "grep", "egrep", "fgrep", "rg", "ag", "ack",
    "zgrep", "jq", "yq", "base64", "base32", "xxd", "od", "hexdump", "strings", "nl", "awk",
    "gawk", "sed", "sort", "uniq", "cut", "diff", "cmp", "bat", "batcat", "view", "vi", "vim",
    "nvim", "nano", "emacs", "openssl", "gpg", "source", ".", "xargs", "column", "pr", "fold",
    "iconv", "dos2unix", "file", "cp",
];

/// Credential reads, system paths and sensitive dotfiles.
fn files(scan: &Scan, c: &Command, hits: &mut Hits) {
    let mut words: Vec<&str> = path_words(c).into_iter().map(|w| w.text.as_str()).collect();
    let reads: Vec<&str> = c
        .redirects
        .iter()
        .filter(|r| matches!(r.kind, RedirectKind::Read | RedirectKind::ReadWrite))
        .map(|r| r.target.text.as_str())
        .collect();
    let is_reader = READERS.contains(&c.name.as_str());
    let mut credential = reads.iter().any(|r| credential_file(r));
    // Files a reader writes (`openssl genrsa -out key.pem`, `gpg -o f`) are
    // new, not read.
    let outputs: Vec<&str> = c
        .args
        .windows(2)
        .filter(|w| matches!(w[0].text.as_str(), "-out" | "-keyout" | "-o" | "--output"))
        .map(|w| w[1].text.as_str())
        .collect();
    if is_reader && c.name != "cp" {
        credential |= words
            .iter()
            .any(|w| credential_file(w) && !outputs.contains(w));
    }
    if let Some(inline) = &c.inline_code {
        credential |= code::tokens(&inline.code).any(credential_file);
    }
    if credential {
        hits.add(&CREDENTIAL_READ, c);
    }
    words.extend(&reads);
    words.extend(
        c.redirects
            .iter()
            .filter(|r| r.kind.writes())
            .map(|r| r.target.text.as_str()),
    );
    let written: Vec<&str> = c.redirect_writes().map(|w| w.text.as_str()).collect();
    let mut system = false;
    let mut dotfile = false;
    for w in &words {
        // Only absolute words can name a system path: the rest are not
        // resolved (a pipeline has hundreds of words).
        if w.starts_with('/') {
            let abs = scan.abs(c.id, w);
            let harmless_read = is_reader
                && !written.contains(w)
                && super::paths::READABLE_SYSTEM_FILES.contains(&abs.as_str());
            if system_path(&abs) && !harmless_read {
                system = true;
            }
        }
        if w.starts_with(['/', '~', '$']) {
            dotfile |= sensitive_dotfile(w) || sensitive_dotfile(&scan.abs(c.id, w));
        }
    }
    if system {
        hits.add(&SYSTEM_DIRECTORY, c);
    }
    if dotfile {
        hits.add(&SENSITIVE_DOTFILE, c);
    }
}

/// git's subcommand and its arguments, past global options.
fn git_subcommand(c: &Command) -> Option<(&str, Vec<&str>)> {
    let args: Vec<&str> = c.arg_texts().collect();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        if matches!(
            a,
            "-C" | "-c"
                | "--git-dir"
                | "--work-tree"
                | "--namespace"
                | "--exec-path"
                | "--super-prefix"
                | "--config-env"
        ) {
            i += 2;
        } else if a.starts_with('-') {
            i += 1;
        } else {
            return Some((a, args[i + 1..].to_vec()));
        }
    }
    None
}

/// Hard reset, forced clean, forced branch deletion, discarding every
/// change. (Rewriting shared history, force pushes and remote branch
/// deletion are knowledge-base effects: CMD029 and CMD022.)
fn git_destructive(c: &Command) -> bool {
    if c.name != "git" {
        return false;
    }
    let Some((sub, rest)) = git_subcommand(c) else {
        return false;
    };
    let has = |flag: &str| rest.contains(&flag);
    let short_cluster = |ch: char| {
        rest.iter()
            .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(ch))
    };
    let everything = |a: &&str| matches!(*a, "." | "*" | ":/" | ":/*" | "./");
    match sub {
        "reset" => has("--hard"),
        "clean" => {
            (short_cluster('f') || has("--force")) && !short_cluster('n') && !has("--dry-run")
        }
        "branch" => {
            short_cluster('D')
                || ((short_cluster('d') || has("--delete"))
                    && (short_cluster('f') || has("--force")))
        }
        "checkout" => short_cluster('f') || has("--force") || rest.iter().any(everything),
        "restore" => {
            let staged_only = has("--staged") || has("-S");
            let worktree = has("--worktree") || has("-W");
            rest.iter().any(everything) && (!staged_only || worktree)
        }
        "gc" => rest
            .iter()
            .any(|a| matches!(*a, "--prune=now" | "--prune=all")),
        "update-ref" => short_cluster('d'),
        "stash" => rest.first().is_some_and(|a| *a == "clear"),
        _ => false,
    }
}

/// SQL that drops, truncates, or deletes every row.
fn destructive_sql(sql: &str) -> bool {
    let upper = sql.to_ascii_uppercase();
    upper.split(';').any(|stmt| {
        let words: Vec<&str> = stmt.split_whitespace().collect();
        let has_seq = |a: &str, b: &[&str]| {
            words
                .windows(2)
                .any(|w| w[0] == a && b.iter().any(|x| w[1].trim_matches('"') == *x))
        };
        has_seq(
            "DROP",
            &[
                "TABLE",
                "DATABASE",
                "SCHEMA",
                "VIEW",
                "INDEX",
                "USER",
                "ROLE",
                "TABLESPACE",
                "MATERIALIZED",
                "OWNED",
                "COLLECTION",
            ],
        ) || words.first().is_some_and(|w| *w == "TRUNCATE")
            || has_seq("TRUNCATE", &["TABLE"])
            || (has_seq("DELETE", &["FROM"]) && !words.contains(&"WHERE"))
            || (has_seq("ALTER", &["TABLE"]) && words.contains(&"DROP"))
    })
}

fn db_destructive(scan: &Scan, c: &Command) -> bool {
    let args: Vec<&str> = c.arg_texts().collect();
    let values_of = |names: &[&str]| -> Vec<String> {
        let mut v = Vec::new();
        for (i, a) in args.iter().enumerate() {
            for n in names {
                if a == n {
                    if let Some(next) = args.get(i + 1) {
                        v.push((*next).to_string());
                    }
                } else if let Some(val) = a.strip_prefix(&format!("{n}=")) {
                    v.push(val.to_string());
                } else if n.len() == 2 && !n.starts_with("--") && a.starts_with(n) && a.len() > 2 {
                    v.push(a[2..].to_string());
                }
            }
        }
        v
    };
    let stdin = || stdin_literal(scan, c);
    let mut texts: Vec<String> = match c.name.as_str() {
        "psql" => values_of(&["-c", "--command"]),
        "mysql" | "mariadb" => values_of(&["-e", "--execute"]),
        "sqlite3" | "sqlite" | "duckdb" => {
            let mut v: Vec<String> = c.operands().skip(1).map(|w| w.text.clone()).collect();
            v.extend(values_of(&["-cmd", "-c"]));
            v
        }
        "clickhouse-client" | "clickhouse" => values_of(&["-q", "--query"]),
        "cqlsh" | "cockroach" => values_of(&["-e", "--execute"]),
        "mongo" | "mongosh" => {
            let js = values_of(&["--eval"]).join(";") + &stdin().unwrap_or_default();
            return ["dropDatabase", ".drop(", "deleteMany({})", "remove({})"]
                .iter()
                .any(|p| js.contains(p));
        }
        "redis-cli" => {
            let mut words: Vec<String> =
                c.operands().map(|w| w.text.to_ascii_uppercase()).collect();
            words.extend(
                stdin()
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(str::to_ascii_uppercase),
            );
            return words.iter().any(|w| w == "FLUSHALL" || w == "FLUSHDB");
        }
        "dropdb" => return true,
        "mysqladmin" => return c.operands().any(|w| w.text.eq_ignore_ascii_case("drop")),
        "rails" | "rake" => {
            return c
                .arg_texts()
                .any(|a| matches!(a, "db:drop" | "db:reset" | "db:drop:all" | "db:purge"))
        }
        "php" => {
            return c.arg_texts().any(|a| a == "artisan")
                && c.arg_texts()
                    .any(|a| matches!(a, "migrate:fresh" | "db:wipe" | "migrate:reset"))
        }
        _ => return false,
    };
    if matches!(
        c.name.as_str(),
        "psql"
            | "mysql"
            | "mariadb"
            | "sqlite3"
            | "sqlite"
            | "duckdb"
            | "clickhouse-client"
            | "clickhouse"
            | "cqlsh"
            | "cockroach"
    ) {
        texts.extend(stdin());
    }
    texts.iter().any(|t| destructive_sql(t))
}

/// Literal standard input: a heredoc or here-string, or the output of
/// `echo`/`printf` piped in.
fn stdin_literal(scan: &Scan, c: &Command) -> Option<String> {
    if let Some(t) = &c.stdin_text {
        return Some(t.clone());
    }
    let mut out = String::new();
    for &p in &c.stdin_from {
        let producer = scan.analysis.get(p)?;
        if matches!(producer.name.as_str(), "echo" | "printf" | "cat") {
            for a in &producer.args {
                out.push_str(&a.text);
                out.push(' ');
            }
            if let Some(t) = &producer.stdin_text {
                out.push_str(t);
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

fn cloud_destructive(c: &Command) -> bool {
    let args: Vec<&str> = c.arg_texts().collect();
    let positional: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-'))
        .collect();
    let has = |f: &str| args.contains(&f);
    match c.name.as_str() {
        "kubectl" | "oc" | "kubecolor" => {
            positional.first() == Some(&"delete")
                && (positional.get(1).is_some_and(|r| {
                    matches!(*r, "namespace" | "namespaces" | "ns")
                        || r.starts_with("namespace/")
                        || r.starts_with("ns/")
                }) || has("--all")
                    || has("-A")
                    || has("--all-namespaces"))
        }
        "terraform" | "tofu" | "terragrunt" => {
            positional.first() == Some(&"destroy")
                || (positional.first() == Some(&"apply") && (has("-destroy") || has("--destroy")))
        }
        "pulumi" | "cdk" => positional.first() == Some(&"destroy"),
        "aws" => {
            let pair = (positional.first().copied(), positional.get(1).copied());
            matches!(pair, (Some("s3"), Some("rb"))) && has("--force")
                || matches!(pair, (Some("s3"), Some("rm"))) && has("--recursive")
                || positional.iter().any(|p| {
                    matches!(
                        *p,
                        "delete-stack"
                            | "terminate-instances"
                            | "delete-db-instance"
                            | "delete-db-cluster"
                            | "delete-table"
                            | "delete-bucket"
                    )
                })
        }
        "gcloud" => {
            positional.last() == Some(&"delete")
                || positional.windows(2).any(|w| {
                    w[1] == "delete" && matches!(w[0], "projects" | "instances" | "clusters")
                })
        }
        "az" => positional.windows(2).any(|w| w == ["group", "delete"]),
        "docker" | "podman" => {
            let prune = positional
                .windows(2)
                .any(|w| matches!(w[0], "system" | "volume" | "image") && w[1] == "prune");
            prune
                && (has("-a")
                    || has("--all")
                    || has("--volumes")
                    || positional.first() == Some(&"volume"))
        }
        "heroku" => positional.first().is_some_and(|p| *p == "apps:destroy"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_table() {
        for sql in [
            "DROP TABLE users",
            "drop database prod;",
            "TRUNCATE orders",
            "delete from users",
            "ALTER TABLE x DROP COLUMN y",
            "select 1; DROP SCHEMA public CASCADE",
        ] {
            assert!(destructive_sql(sql), "{sql}");
        }
        for sql in [
            "SELECT * FROM users",
            "DELETE FROM users WHERE id = 3",
            "CREATE TABLE drop_log (id int)",
            "INSERT INTO t VALUES (1)",
        ] {
            assert!(!destructive_sql(sql), "{sql}");
        }
    }

    #[test]
    fn disposable_paths() {
        for p in [
            "target",
            "./target",
            "node_modules",
            "web/node_modules",
            "dist/",
            "pkg.egg-info",
            "build/out",
            "docs/_build",
            "cmake-build-debug",
            "zig-out",
            ".zig-cache",
            "dist-newstyle",
            ".stack-work",
            ".hypothesis",
            "elm-stuff",
            ".output",
            ".docusaurus",
        ] {
            assert!(disposable(p), "{p}");
        }
        for p in ["/tmp/x", "src", ".", "../target", "~/target", "$DIR", ""] {
            assert!(!disposable(p), "{p}");
        }
    }
}
