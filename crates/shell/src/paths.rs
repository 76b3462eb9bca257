//! Lexical path helpers shared by the analyser and the rules.

/// Tidy a path as written for comparison: `./a//b/` becomes `a/b`.
/// `.`/`..` are not resolved (the caller decides against which directory).
pub fn tidy(path: &str) -> String {
    let mut p = path;
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.trim_start_matches('/');
    }
    let mut out = String::with_capacity(p.len());
    let mut last_slash = false;
    for c in p.chars() {
        if c == '/' {
            if last_slash {
                continue;
            }
            last_slash = true;
        } else {
            last_slash = false;
        }
        out.push(c);
    }
    if out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    out
}

/// The last component of a path (`/usr/bin/rm` → `rm`).
pub fn basename(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_table() {
        for (raw, want) in [
            ("./a.sh", "a.sh"),
            ("././a//b/", "a/b"),
            ("/", "/"),
            ("//x", "/x"),
            ("a", "a"),
        ] {
            assert_eq!(tidy(raw), want, "{raw}");
        }
        assert_eq!(basename("/usr/bin/rm"), "rm");
        assert_eq!(basename("rm"), "rm");
        assert_eq!(basename("dir/"), "dir");
    }
}
