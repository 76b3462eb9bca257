//! Commands that run another command: where, in their arguments, the wrapped
//! command starts. Each wrapper has its own option table so that an option's
//! value is never mistaken for the command (`sudo -u root rm`, `timeout -s
//! KILL 5 rm`, `nice -n 5 rm`).

/// What a wrapper does with the rest of its arguments.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Unwrap {
    /// Not a wrapper (or a wrapper that runs nothing, like `command -v`).
    None,
    /// The wrapped command starts at this argument index.
    At(usize),
    /// The wrapped command starts at this index; the words before it from
    /// `assign_from` are `NAME=value` environment assignments.
    AtWithEnv { at: usize, assign_from: usize },
    /// The wrapper runs shell code given in argument `at` (`su -c`, `flock -c`, `env -S`).
    Code { at: usize, text: String },
    /// The wrapper joins the arguments from this index and runs them through
    /// `sh -c` (`watch`).
    JoinedCode(usize),
}

struct Spec {
    /// Short options that take a value (`-u USER`).
    short_value: &'static str,
    /// Long options that take a value when not written with `=`.
    long_value: &'static [&'static str],
    /// Operands to skip after the options before the command (`timeout 5`).
    leading_operands: usize,
    /// The short option whose value is shell code (`flock -c`, `script -c`).
    code_short: Option<char>,
    /// Long options whose value is shell code (`--command`).
    code_long: &'static [&'static str],
    /// Runs nothing unless given shell code (`script` alone starts a shell).
    code_only: bool,
}

const fn spec(
    short_value: &'static str,
    long_value: &'static [&'static str],
    leading_operands: usize,
) -> Spec {
    Spec {
        short_value,
        long_value,
        leading_operands,
        code_short: None,
        code_long: &[],
        code_only: false,
    }
}

impl Spec {
    /// The same, with an option whose value is shell code.
    const fn code(mut self, short: Option<char>, long: &'static [&'static str]) -> Spec {
        self.code_short = short;
        self.code_long = long;
        self
    }

    /// The same, running nothing unless given shell code.
    const fn code_only(mut self) -> Spec {
        self.code_only = true;
        self
    }
}

/// Subcommands that run their arguments (`uv run CMD`, `bundle exec CMD`):
/// the key of their option table and how many words the subcommand takes.
fn subcommand(name: &str, args: &[&str]) -> Option<(&'static str, usize)> {
    let first = args.first().copied()?;
    Some(match (name, first) {
        ("uv", "run") => ("uv run", 1),
        ("uv", "tool") if args.get(1) == Some(&"run") => ("uvx", 2),
        (
            "poetry" | "pipenv" | "hatch" | "pdm" | "rye" | "conda" | "mamba" | "micromamba",
            "run",
        ) => ("runner run", 1),
        ("bundle" | "bundler", "exec") => ("bundle exec", 1),
        ("npm", "exec" | "x") => ("npx", 1),
        ("pnpm", "exec" | "dlx") => ("npx", 1),
        ("yarn", "dlx" | "exec") => ("npx", 1),
        ("git", "bisect") if args.get(1) == Some(&"run") => ("git bisect run", 2),
        _ => return None,
    })
}

fn spec_for(name: &str) -> Option<Spec> {
    Some(match name {
        "sudo" => spec(
            "ugpCDhrtUTR",
            &[
                "user",
                "group",
                "prompt",
                "close-from",
                "chdir",
                "host",
                "role",
                "type",
                "other-user",
                "command-timeout",
                "chroot",
            ],
            0,
        ),
        "doas" => spec("uC", &[], 0),
        "env" => {
            spec("uCSP", &["unset", "chdir", "split-string"], 0).code(Some('S'), &["split-string"])
        }
        "command" | "builtin" | "nohup" | "setsid" | "caffeinate" | "unbuffer" => spec("", &[], 0),
        "exec" => spec("a", &[], 0),
        "time" => spec("fo", &["format", "output"], 0),
        "timeout" => spec("sk", &["signal", "kill-after"], 1),
        "nice" => spec("n", &["adjustment"], 0),
        "ionice" => spec("cnp", &["class", "classdata", "pid"], 0),
        "stdbuf" => spec("ioe", &["input", "output", "error"], 0),
        "chrt" => spec("", &[], 1),
        "taskset" => spec("", &["cpu-list"], 1),
        "flock" => spec("wEc", &["timeout", "conflict-exit-code", "command"], 1)
            .code(Some('c'), &["command"]),
        "xargs" => spec(
            "IiLlnPsdEeaR",
            &[
                "replace",
                "max-lines",
                "max-args",
                "max-procs",
                "max-chars",
                "delimiter",
                "eof",
                "arg-file",
                "process-slot-var",
            ],
            0,
        ),
        "watch" => spec("nq", &["interval", "equexit"], 0),
        "su" | "runuser" => spec(
            "cgGsw",
            &["command", "group", "shell", "whitelist-environment"],
            0,
        ),
        "chroot" => spec("", &["userspec", "groups"], 1),
        // strace(1), ltrace(1): options, then the traced command.
        "strace" => spec(
            "abeEIoOpPsSuUX",
            &[
                "trace",
                "signal",
                "status",
                "output",
                "attach",
                "string-limit",
                "user",
                "env",
                "columns",
                "detach-on",
                "interruptible",
                "overhead",
                "summary-sort-by",
                "trace-path",
                "const-print-style",
                "summary-columns",
                "quiet",
                "decode-fds",
            ],
            0,
        ),
        "ltrace" => spec(
            "aADeFlnopsuwx",
            &["align", "output", "library", "indent"],
            0,
        ),
        // unshare(1), xvfb-run(1), dbus-run-session(1), systemd-run(1).
        "unshare" => spec(
            "SGRw",
            &[
                "setuid",
                "setgid",
                "root",
                "wd",
                "propagation",
                "map-user",
                "map-group",
                "map-users",
                "map-groups",
                "setgroups",
                "monotonic",
                "boottime",
            ],
            0,
        ),
        "xvfb-run" => spec(
            "efnpsw",
            &[
                "error-file",
                "auth-file",
                "server-num",
                "xauth-protocol",
                "server-args",
                "wait",
            ],
            0,
        ),
        "dbus-run-session" => spec("", &["config-file", "dbus-daemon"], 0),
        "systemd-run" => spec(
            "upEMH",
            &[
                "unit",
                "property",
                "description",
                "slice",
                "setenv",
                "machine",
                "host",
                "uid",
                "gid",
                "nice",
                "working-directory",
                "on-active",
                "on-boot",
                "on-startup",
                "on-unit-active",
                "on-unit-inactive",
                "on-calendar",
                "path-property",
                "socket-property",
                "timer-property",
                "service-type",
                "job-mode",
                "capsule",
            ],
            0,
        ),
        // script(1): `-c CMD` is shell code; without it, an interactive shell.
        "script" => spec(
            "cEIOBTmo",
            &[
                "command",
                "echo",
                "log-in",
                "log-out",
                "log-io",
                "log-timing",
                "logging-format",
                "output-limit",
            ],
            0,
        )
        .code(Some('c'), &["command"])
        .code_only(),
        // screen(1): `screen [-opts] [cmd [args]]`.
        "screen" => spec("cehpSTst", &[], 0),
        // Language runners that run their arguments as a command.
        "uv run" => spec(
            "pwCPi",
            &[
                "with",
                "with-editable",
                "with-requirements",
                "python",
                "package",
                "directory",
                "project",
                "env-file",
                "extra",
                "group",
                "only-group",
                "no-group",
                "index",
                "index-url",
                "extra-index-url",
                "config-file",
                "cache-dir",
                "color",
                "config-setting",
                "upgrade-package",
                "find-links",
                "python-platform",
            ],
            0,
        ),
        "uvx" => spec(
            "pwCPi",
            &[
                "from",
                "with",
                "with-editable",
                "with-requirements",
                "python",
                "index",
                "index-url",
                "extra-index-url",
                "config-file",
                "cache-dir",
                "color",
            ],
            0,
        ),
        "runner run" => spec("ep", &["env", "project", "name", "prefix"], 0),
        "bundle exec" => spec("", &["gemfile"], 0),
        // npx(1)/npm-exec(1), bunx, `pnpm dlx`/`exec`, `yarn dlx`: `-c` is shell code.
        "npx" | "bunx" => spec(
            "p",
            &["package", "registry", "cache", "workspace", "userconfig"],
            0,
        )
        .code(Some('c'), &["call", "shell-mode"]),
        "git bisect run" => spec("", &[], 0),
        "parallel" => spec(
            "jPSIanNLdCX",
            &[
                "jobs",
                "sshlogin",
                "arg-file",
                "delimiter",
                "colsep",
                "joblog",
                "timeout",
                "tmpdir",
                "max-args",
                "max-lines",
            ],
            0,
        ),
        _ => return None,
    })
}

/// Find where the wrapped command starts in `args` of wrapper `name`.
pub(crate) fn unwrap(name: &str, args: &[&str]) -> Unwrap {
    if name == "busybox" {
        return if args.is_empty() {
            Unwrap::None
        } else {
            Unwrap::At(0)
        };
    }
    match name {
        "ssh" => return ssh(args),
        "tmux" => return tmux(args),
        "sg" => return sg(args),
        _ => {}
    }
    let (key, start) = subcommand(name, args).unwrap_or((name, 0));
    let Some(spec) = spec_for(key) else {
        return Unwrap::None;
    };
    if name == "runuser" && args.iter().any(|a| *a == "-u" || a.starts_with("--user")) {
        // `runuser -u USER [--] CMD…` runs the command itself.
        if let Some(code) = dash_c(args) {
            return code;
        }
        return options_end(
            args,
            0,
            "ugGw",
            &["user", "group", "supp-group", "whitelist-environment"],
        )
        .filter(|at| *at < args.len())
        .map_or(Unwrap::None, Unwrap::At);
    }
    if matches!(name, "su" | "runuser" | "flock") {
        // These take `-c CMD` anywhere, even after their operands.
        if let Some(code) = dash_c(args) {
            return code;
        }
        if name != "flock" {
            return Unwrap::None;
        }
    }
    let mut i = start;
    let mut code_option: Option<(usize, usize)> = None;
    let mut lookup_only = false;
    let mut exec_flag = false;
    while i < args.len() {
        let a = args[i];
        if a == "--" {
            i += 1;
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (opt, has_value) = match long.split_once('=') {
                Some((o, _)) => (o, true),
                None => (long, false),
            };
            let takes = spec.long_value.contains(&opt);
            exec_flag |= name == "watch" && opt == "exec";
            if spec.code_long.contains(&opt) {
                code_option = Some(if has_value {
                    (i, opt.len() + 3)
                } else {
                    (i + 1, 0)
                });
            }
            i += if takes && !has_value { 2 } else { 1 };
            continue;
        }
        let short = match a.strip_prefix('-') {
            Some(s) if !s.is_empty() => s,
            _ => break,
        };
        // `nice -10 cmd`, `kill -9`: a numeric option is a value, not flags.
        if short.chars().all(|c| c.is_ascii_digit()) {
            i += 1;
            continue;
        }
        let mut advance = 1;
        for (k, c) in short.char_indices() {
            if name == "command" && (c == 'v' || c == 'V') {
                lookup_only = true;
            }
            exec_flag |= name == "watch" && c == 'x';
            if spec.short_value.contains(c) || spec.code_short == Some(c) {
                let attached = &short[k + c.len_utf8()..];
                let is_code = spec.code_short == Some(c);
                if is_code {
                    code_option = Some(if attached.is_empty() {
                        (i + 1, 0)
                    } else {
                        (i, 1 + k + c.len_utf8())
                    });
                }
                if attached.is_empty() {
                    advance = 2;
                }
                break;
            }
        }
        i += advance;
    }
    if lookup_only {
        return Unwrap::None;
    }
    if let Some((at, skip)) = code_option {
        return match args.get(at) {
            Some(t) => Unwrap::Code {
                at,
                text: t.get(skip..).unwrap_or("").to_string(),
            },
            None => Unwrap::None,
        };
    }
    if spec.code_only {
        return Unwrap::None;
    }
    if name == "watch" && !exec_flag {
        return if i < args.len() {
            Unwrap::JoinedCode(i)
        } else {
            Unwrap::None
        };
    }
    let mut at = i;
    if matches!(name, "sudo" | "env" | "doas") {
        while at < args.len() && is_assignment(args[at]) {
            at += 1;
        }
        if at >= args.len() {
            return Unwrap::None;
        }
        return Unwrap::AtWithEnv { at, assign_from: i };
    }
    at += spec.leading_operands;
    if at < args.len() {
        Unwrap::At(at)
    } else {
        Unwrap::None
    }
}

/// `-c CMD` / `--command CMD` / `--command=CMD` anywhere in the arguments.
fn dash_c(args: &[&str]) -> Option<Unwrap> {
    for (i, a) in args.iter().enumerate() {
        if let Some(v) = a.strip_prefix("--command=") {
            return Some(Unwrap::Code {
                at: i,
                text: v.to_string(),
            });
        }
        if *a == "-c" || *a == "--command" {
            return Some(match args.get(i + 1) {
                Some(t) => Unwrap::Code {
                    at: i + 1,
                    text: t.to_string(),
                },
                None => Unwrap::None,
            });
        }
    }
    None
}

/// Index of the first operand after the options starting at `from`, given
/// the short and long options that take a value (`--` ends the options).
fn options_end(
    args: &[&str],
    from: usize,
    short_value: &str,
    long_value: &[&str],
) -> Option<usize> {
    let mut i = from;
    while i < args.len() {
        let a = args[i];
        if a == "--" {
            return Some(i + 1);
        }
        if let Some(long) = a.strip_prefix("--") {
            let takes = !long.contains('=') && long_value.contains(&long);
            i += if takes { 2 } else { 1 };
            continue;
        }
        let Some(short) = a.strip_prefix('-').filter(|s| !s.is_empty()) else {
            return Some(i);
        };
        let mut advance = 1;
        for (k, c) in short.char_indices() {
            if short_value.contains(c) {
                if short[k + c.len_utf8()..].is_empty() {
                    advance = 2;
                }
                break;
            }
        }
        i += advance;
    }
    None
}

/// ssh(1): `ssh [options] destination [command [argument…]]`. The remote
/// command is the rest joined with spaces, run by the remote user's shell.
fn ssh(args: &[&str]) -> Unwrap {
    match options_end(args, 0, "BbcDEeFIiJLlmOopQRSWw", &[]) {
        Some(dest) if dest + 1 < args.len() => Unwrap::JoinedCode(dest + 1),
        _ => Unwrap::None,
    }
}

/// tmux(1): `tmux [-c shell-command]`, and the shell command of
/// `new-session`, `new-window`, `split-window` and `respawn-*`.
fn tmux(args: &[&str]) -> Unwrap {
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        match a {
            "-c" => {
                return match args.get(i + 1) {
                    Some(t) => Unwrap::Code {
                        at: i + 1,
                        text: t.to_string(),
                    },
                    None => Unwrap::None,
                }
            }
            "-L" | "-S" | "-f" | "-T" => i += 2,
            _ if a.starts_with('-') => i += 1,
            _ => break,
        }
    }
    let Some(sub) = args.get(i) else {
        return Unwrap::None;
    };
    if !matches!(
        *sub,
        "new-session"
            | "new"
            | "new-window"
            | "neww"
            | "split-window"
            | "splitw"
            | "respawn-pane"
            | "respawnp"
            | "respawn-window"
            | "respawnw"
    ) {
        return Unwrap::None;
    }
    match options_end(args, i + 1, "cetFfnsxylw", &[]) {
        Some(at) if at < args.len() => Unwrap::JoinedCode(at),
        _ => Unwrap::None,
    }
}

/// sg(1): `sg [-] [group [-c] command]`; the command is run by `/bin/sh -c`.
fn sg(args: &[&str]) -> Unwrap {
    let mut i = usize::from(args.first() == Some(&"-"));
    i += 1; // the group
    if args.get(i) == Some(&"-c") {
        i += 1;
    }
    match args.get(i) {
        Some(t) => Unwrap::Code {
            at: i,
            text: t.to_string(),
        },
        None => Unwrap::None,
    }
}

/// Wrappers that stay in the analysis as commands of their own, with the
/// command they run as a child (policies judge `npx`'s package or
/// `systemd-run`'s timer on the runner itself).
pub(crate) fn is_runner(name: &str) -> bool {
    matches!(
        name,
        "strace"
            | "ltrace"
            | "unshare"
            | "xvfb-run"
            | "dbus-run-session"
            | "systemd-run"
            | "screen"
            | "uv"
            | "uvx"
            | "poetry"
            | "pipenv"
            | "hatch"
            | "pdm"
            | "rye"
            | "conda"
            | "mamba"
            | "micromamba"
            | "bundle"
            | "bundler"
            | "npx"
            | "bunx"
            | "npm"
            | "pnpm"
            | "yarn"
            | "git"
            | "runuser"
            | "watch"
    )
}

/// `NAME=value` with a valid shell variable name.
pub(crate) fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            let name = name.strip_suffix('+').unwrap_or(name);
            !name.is_empty()
                && name
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(name: &str, line: &str) -> Unwrap {
        let args: Vec<&str> = line.split_whitespace().collect();
        unwrap(name, &args)
    }

    #[test]
    fn option_tables() {
        assert_eq!(
            at("sudo", "rm -rf /"),
            Unwrap::AtWithEnv {
                at: 0,
                assign_from: 0
            }
        );
        assert_eq!(
            at("sudo", "-u root rm"),
            Unwrap::AtWithEnv {
                at: 2,
                assign_from: 2
            }
        );
        assert_eq!(
            at("sudo", "-uroot -E rm"),
            Unwrap::AtWithEnv {
                at: 2,
                assign_from: 2
            }
        );
        assert_eq!(
            at("sudo", "--user=root -- rm"),
            Unwrap::AtWithEnv {
                at: 2,
                assign_from: 2
            }
        );
        assert_eq!(
            at("env", "-i A=1 B=2 rm"),
            Unwrap::AtWithEnv {
                at: 3,
                assign_from: 1
            }
        );
        assert_eq!(at("env", "A=1"), Unwrap::None);
        assert_eq!(at("timeout", "-s KILL 5 rm"), Unwrap::At(3));
        assert_eq!(at("timeout", "--signal=KILL 5s rm"), Unwrap::At(2));
        assert_eq!(at("nice", "-n 5 rm"), Unwrap::At(2));
        assert_eq!(at("nice", "-10 rm"), Unwrap::At(1));
        assert_eq!(at("ionice", "-c2 -n7 rm"), Unwrap::At(2));
        assert_eq!(at("stdbuf", "-oL rm"), Unwrap::At(1));
        assert_eq!(at("xargs", "-0 -I {} rm"), Unwrap::At(3));
        assert_eq!(at("xargs", "-n1 rm"), Unwrap::At(1));
        assert_eq!(at("flock", "/tmp/l rm"), Unwrap::At(1));
        let code = |at: usize, t: &str| Unwrap::Code { at, text: t.into() };
        assert_eq!(at("flock", "-w 5 /tmp/l -c x"), code(4, "x"));
        assert_eq!(at("su", "root -c x"), code(2, "x"));
        assert_eq!(at("su", "-c x root"), code(1, "x"));
        assert_eq!(at("su", "root"), Unwrap::None);
        assert_eq!(at("env", "-S x"), code(1, "x"));
        assert_eq!(at("env", "-Sx"), code(0, "x"));
        assert_eq!(at("env", "--split-string=x"), code(0, "x"));
        assert_eq!(at("command", "-v rm"), Unwrap::None);
        assert_eq!(at("command", "-p rm"), Unwrap::At(1));
        assert_eq!(at("watch", "-n 1 rm -rf x"), Unwrap::JoinedCode(2));
        assert_eq!(at("busybox", "rm -rf /"), Unwrap::At(0));
        assert_eq!(at("exec", "-a name rm"), Unwrap::At(2));
        assert_eq!(at("ls", "-la"), Unwrap::None);
        assert_eq!(at("strace", "-f -o log rm -rf x"), Unwrap::At(3));
        assert_eq!(at("strace", "-p 12"), Unwrap::None);
        assert_eq!(at("uv", "run --with rich python x.py"), Unwrap::At(3));
        assert_eq!(at("uv", "sync"), Unwrap::None);
        assert_eq!(at("npx", "-y rimraf x"), Unwrap::At(1));
        assert_eq!(at("npx", "-c x"), code(1, "x"));
        assert_eq!(at("pnpm", "dlx rimraf x"), Unwrap::At(1));
        assert_eq!(at("pnpm", "install"), Unwrap::None);
        assert_eq!(at("bundle", "exec rake"), Unwrap::At(1));
        assert_eq!(at("script", "-qc x /dev/null"), code(1, "x"));
        assert_eq!(at("script", "out.log"), Unwrap::None);
        assert_eq!(at("watch", "-x rm -rf x"), Unwrap::At(1));
        assert_eq!(at("runuser", "-u u -- rm"), Unwrap::At(3));
        assert_eq!(at("ssh", "-p 22 host uptime"), Unwrap::JoinedCode(3));
        assert_eq!(at("ssh", "host"), Unwrap::None);
        assert_eq!(at("tmux", "new -d -s x top"), Unwrap::JoinedCode(4));
        assert_eq!(at("tmux", "ls"), Unwrap::None);
        assert_eq!(at("screen", "-dmS x sh"), Unwrap::At(2));
        assert_eq!(at("sg", "docker -c x"), code(2, "x"));
        assert_eq!(at("git", "bisect run make"), Unwrap::At(2));
        assert_eq!(at("git", "status"), Unwrap::None);
    }
}
