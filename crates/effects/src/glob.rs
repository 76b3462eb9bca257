//! The one pattern language of the knowledge base: `*` matches any run of
//! characters, everything else matches itself, ASCII case ignored.

/// Whether `text` matches `pattern` (`*` is any run of characters; ASCII
/// case is ignored). Linear in practice: patterns hold a few stars.
#[inline]
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    // A command is checked against hundreds of patterns, most of which it
    // does not match: its first or last byte already tells, without
    // looking at the rest.
    let (Some(&p_first), Some(&p_last)) = (p.first(), p.last()) else {
        return t.is_empty();
    };
    let (Some(&t_first), Some(&t_last)) = (t.first(), t.last()) else {
        return p.iter().all(|&b| b == b'*');
    };
    if (p_first != b'*' && !p_first.eq_ignore_ascii_case(&t_first))
        || (p_last != b'*' && !p_last.eq_ignore_ascii_case(&t_last))
    {
        return false;
    }
    matches_after_ends(p, t)
}

/// [`glob_match`] once the first and last bytes allow a match. Most
/// patterns are a literal or have one star (`*.pem`, `id_*`): a length
/// check and a comparison at each end decide those.
fn matches_after_ends(p: &[u8], t: &[u8]) -> bool {
    let first_star = p.iter().position(|&b| b == b'*');
    let Some(at) = first_star else {
        return p.eq_ignore_ascii_case(t);
    };
    if !p[at + 1..].contains(&b'*') {
        let (head, tail) = (&p[..at], &p[at + 1..]);
        return t.len() >= head.len() + tail.len()
            && t[..head.len()].eq_ignore_ascii_case(head)
            && t[t.len() - tail.len()..].eq_ignore_ascii_case(tail);
    }
    // `*needle*` (`*/.aws/sso/cache/*`, `*secret*`) is a substring search;
    // the backtracking matcher would retry every start position.
    if let Some(needle) = p
        .strip_prefix(b"*")
        .and_then(|p| p.strip_suffix(b"*"))
        .filter(|n| !n.is_empty() && !n.contains(&b'*'))
    {
        let Some(last_start) = t.len().checked_sub(needle.len()) else {
            return false;
        };
        let first = needle[0];
        // Compare in full only where the first byte agrees.
        return (0..=last_start).any(|i| {
            t[i].eq_ignore_ascii_case(&first) && t[i..i + needle.len()].eq_ignore_ascii_case(needle)
        });
    }
    general_match(p, t)
}

/// Any number of stars, by backtracking to the last star.
fn general_match(p: &[u8], t: &[u8]) -> bool {
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

    #[test]
    fn literal_and_one_star_patterns_agree_with_the_general_matcher() {
        let patterns = [
            "",
            "*",
            "~",
            "/home",
            "*.pem",
            "id_*",
            "a*a",
            "credentials*",
            "*_HISTORY",
            "**",
            "*secret*",
            "x*y*",
            "*.tar.gz",
            "*/.aws/*",
            "*a*",
            "*ab*",
            "*a**",
        ];
        let texts = [
            "",
            "~",
            "/HOME",
            "/home/",
            "key.pem",
            ".pem",
            "pem",
            "id_rsa",
            "id_",
            "a",
            "aa",
            "aba",
            "Credentials.json",
            "bash_history",
            "my-secret-file",
            "xy",
            "x1y2",
            "a.tar.gz",
            "/home/u/.AWS/credentials",
            ".aws/x",
            "x/.aws/",
            "bab",
            "b",
        ];
        for p in patterns {
            for t in texts {
                assert_eq!(
                    glob_match(p, t),
                    super::general_match(p.as_bytes(), t.as_bytes()),
                    "{p:?} on {t:?}"
                );
            }
        }
        assert!(glob_match("*.pem", "KEY.PEM"));
        assert!(!glob_match("a*a", "a"));
    }
}
