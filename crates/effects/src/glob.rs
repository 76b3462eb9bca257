//! The one pattern language of the knowledge base: `*` matches any run of
//! characters, everything else matches itself, ASCII case ignored.

/// Whether `text` matches `pattern` (`*` is any run of characters; ASCII
/// case is ignored). Linear in practice: patterns hold a few stars.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi].eq_ignore_ascii_case(&t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn stars_and_case() {
        assert!(glob_match("core.pager", "core.Pager"));
        assert!(glob_match(
            "*core.sshcommand=*",
            "-c core.sshCommand=/tmp/x"
        ));
        assert!(glob_match("http://*", "http://x"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("http://*", "https://x"));
        assert!(!glob_match("core.pager", "core.pagerx"));
        assert!(glob_match("*.service", "a.service"));
        assert!(!glob_match("*.service", "a.service.bak"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxbyy"));
    }
}
