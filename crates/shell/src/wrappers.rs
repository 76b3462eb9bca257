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
    }
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
        "env" => spec("uCSP", &["unset", "chdir", "split-string"], 0),
        "command" | "builtin" | "nohup" | "setsid" | "caffeinate" | "unbuffer" => spec("", &[], 0),
        "exec" => spec("a", &[], 0),
        "time" => spec("fo", &["format", "output"], 0),
        "timeout" => spec("sk", &["signal", "kill-after"], 1),
        "nice" => spec("n", &["adjustment"], 0),
        "ionice" => spec("cnp", &["class", "classdata", "pid"], 0),
        "stdbuf" => spec("ioe", &["input", "output", "error"], 0),
        "chrt" => spec("", &[], 1),
        "taskset" => spec("", &["cpu-list"], 1),
        "flock" => spec("wEc", &["timeout", "conflict-exit-code", "command"], 1),
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
        "watch" => spec("nqg", &["interval", "equexit"], 0),
        "su" | "runuser" => spec(
            "cgGsw",
            &["command", "group", "shell", "whitelist-environment"],
            0,
        ),
        "chroot" => spec("", &["userspec", "groups"], 1),
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
    let Some(spec) = spec_for(name) else {
        return Unwrap::None;
    };
    if matches!(name, "su" | "runuser" | "flock") {
        // These take `-c CMD` anywhere, even after their operands.
        for (i, a) in args.iter().enumerate() {
            if let Some(v) = a.strip_prefix("--command=") {
                return Unwrap::Code {
                    at: i,
                    text: v.to_string(),
                };
            }
            if *a == "-c" || *a == "--command" {
                return match args.get(i + 1) {
                    Some(t) => Unwrap::Code {
                        at: i + 1,
                        text: t.to_string(),
                    },
                    None => Unwrap::None,
                };
            }
        }
        if name != "flock" {
            return Unwrap::None;
        }
    }
    let mut i = 0;
    let mut code_option: Option<(usize, usize)> = None;
    let mut lookup_only = false;
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
            if matches!(opt, "command" | "split-string") && matches!(name, "flock" | "env") {
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
            if spec.short_value.contains(c) {
                let attached = &short[k + c.len_utf8()..];
                let is_code = (c == 'c' && name == "flock") || (c == 'S' && name == "env");
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
    if name == "watch" {
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
    }
}
