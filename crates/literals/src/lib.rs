//! Which of a fixed set of short literals occur in a text, with the index
//! built by the compiler.
//!
//! The secret redactor and the injection scorer both ask, for every text,
//! which of a few hundred literals it contains, so that they compile and
//! run only the regular expressions that can match. A hook process lives a
//! few milliseconds and asks that about a handful of short texts: building
//! an Aho-Corasick automaton, or even a hash map of the literals, costs it
//! more than all its searches. An [`Index`] is a `const`: the literals
//! sorted into buckets by their first two bytes, so a process pays nothing
//! before its first search and a search costs one table look-up per byte
//! plus a comparison with each literal of that byte pair.
//!
//! ```
//! use agentops_literals::{Index, Literal};
//!
//! static INDEX: Index<2> = Index::new([
//!     Literal::exact("PRIVATE KEY", 0),
//!     Literal::ascii_case_insensitive("password", 1),
//! ]);
//! let mut owners = Vec::new();
//! INDEX.find(b"export PASSWORD=x", |literal| owners.push(literal.owner));
//! assert_eq!(owners, [1]);
//! ```
//!
//! The cost per byte is bounded by the largest bucket ([`Index::largest_bucket`]);
//! callers with adversarially long texts should bound that or switch to an
//! automaton past a size.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// Number of buckets: a power of two, small enough that the bucket table
/// (2 KiB) costs a process one or two pages.
const BUCKETS: usize = 1024;

/// One literal to find, with what the caller attaches to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Literal {
    /// The literal, at least two bytes long.
    pub text: &'static str,
    /// Whether ASCII letters match either case.
    pub ascii_case_insensitive: bool,
    /// The caller's tag (a rule index, an entry and group, ...).
    pub owner: u32,
}

impl Literal {
    /// A literal matched byte for byte.
    pub const fn exact(text: &'static str, owner: u32) -> Literal {
        Literal {
            text,
            ascii_case_insensitive: false,
            owner,
        }
    }

    /// A literal whose ASCII letters match either case.
    pub const fn ascii_case_insensitive(text: &'static str, owner: u32) -> Literal {
        Literal {
            text,
            ascii_case_insensitive: true,
            owner,
        }
    }

    /// Whether the literal is where `haystack` starts.
    #[inline]
    fn starts(&self, haystack: &[u8]) -> bool {
        let needle = self.text.as_bytes();
        match haystack.get(..needle.len()) {
            Some(head) if self.ascii_case_insensitive => head.eq_ignore_ascii_case(needle),
            Some(head) => head == needle,
            None => false,
        }
    }
}

/// The bucket of a byte pair. ASCII case is folded so that one look-up
/// serves exact and case-insensitive literals alike. For two lowercase
/// letters the key is distinct per pair: the first letter's low five bits
/// land in bits 5-9 and the second letter's bits 5-6 are always `11`.
#[inline]
const fn bucket(first: u8, second: u8) -> usize {
    (((first.to_ascii_lowercase() as usize) << 5) ^ second.to_ascii_lowercase() as usize)
        & (BUCKETS - 1)
}

/// [`bucket`] of the first two bytes of `folded`, a little-endian word
/// whose bytes are already ASCII-lowercased: the search's sliding window,
/// which would otherwise fold each byte three times.
#[inline]
const fn bucket_of_folded(folded: u32) -> usize {
    (((folded << 5) ^ ((folded >> 8) & 0xFF)) as usize) & (BUCKETS - 1)
}

/// `N` literals sorted by bucket, built at compile time.
#[derive(Debug)]
pub struct Index<const N: usize> {
    literals: [Literal; N],
    /// Each literal's first four bytes (fewer for shorter literals, the
    /// rest zero) as a little-endian word, lowercased when it ignores case:
    /// one comparison with the text's next four bytes rejects almost every
    /// literal of a bucket.
    heads: [u32; N],
    /// Which bytes of `heads` count.
    masks: [u32; N],
    /// Bucket `b` holds `literals[starts[b]..starts[b + 1]]`.
    starts: [u16; BUCKETS + 1],
}

impl<const N: usize> Index<N> {
    /// Sort `literals` into buckets. Meant for a `static` or `const`, so
    /// the work is the compiler's; it fails to compile (panics) on a
    /// literal shorter than two bytes or more than 65,535 literals.
    pub const fn new(literals: [Literal; N]) -> Index<N> {
        assert!(N < u16::MAX as usize, "at most 65,535 literals");
        let mut starts = [0u16; BUCKETS + 1];
        let mut i = 0;
        while i < N {
            let text = literals[i].text.as_bytes();
            assert!(text.len() >= 2, "every literal needs at least two bytes");
            starts[bucket(text[0], text[1]) + 1] += 1;
            i += 1;
        }
        let mut b = 0;
        while b < BUCKETS {
            starts[b + 1] += starts[b];
            b += 1;
        }
        // A counting sort, stable so the caller's order survives per bucket.
        let mut next = starts;
        let mut sorted = [Literal::exact("", 0); N];
        i = 0;
        while i < N {
            let text = literals[i].text.as_bytes();
            let b = bucket(text[0], text[1]);
            sorted[next[b] as usize] = literals[i];
            next[b] += 1;
            i += 1;
        }
        let mut heads = [0u32; N];
        let mut masks = [0u32; N];
        i = 0;
        while i < N {
            let text = sorted[i].text.as_bytes();
            let mut k = 0;
            while k < 4 && k < text.len() {
                let byte = if sorted[i].ascii_case_insensitive {
                    text[k].to_ascii_lowercase()
                } else {
                    text[k]
                };
                heads[i] |= (byte as u32) << (8 * k);
                masks[i] |= 0xFF << (8 * k);
                k += 1;
            }
            i += 1;
        }
        Index {
            literals: sorted,
            heads,
            masks,
            starts,
        }
    }

    /// Call `found` for every occurrence of every literal in `text`
    /// (overlapping ones included), in order of position.
    pub fn find(&self, text: &[u8], mut found: impl FnMut(&Literal)) {
        if text.len() < 2 {
            return;
        }
        // The next four bytes of the text as a word, as they are and
        // lowercased, slid along one byte at a time (zero past the end).
        let byte = |at: usize| text.get(at).copied().unwrap_or(0);
        let mut exact = u32::from_le_bytes([0, byte(0), byte(1), byte(2)]);
        let mut lower =
            u32::from_le_bytes([0, byte(0), byte(1), byte(2)].map(|b| b.to_ascii_lowercase()));
        for at in 0..text.len() - 1 {
            let next = byte(at + 3);
            exact = (exact >> 8) | (u32::from(next) << 24);
            lower = (lower >> 8) | (u32::from(next.to_ascii_lowercase()) << 24);
            let b = bucket_of_folded(lower);
            let (lo, hi) = (self.starts[b] as usize, self.starts[b + 1] as usize);
            for i in lo..hi {
                let literal = &self.literals[i];
                let window = if literal.ascii_case_insensitive {
                    lower
                } else {
                    exact
                };
                if window & self.masks[i] != self.heads[i] {
                    continue;
                }
                let end = at + literal.text.len();
                if end <= text.len() && (literal.text.len() <= 4 || literal.starts(&text[at..])) {
                    found(literal);
                }
            }
        }
    }

    /// The most literals that share a bucket: a search compares at most
    /// this many literals at each byte of the text.
    pub fn largest_bucket(&self) -> usize {
        self.starts
            .windows(2)
            .map(|w| usize::from(w[1] - w[0]))
            .max()
            .unwrap_or(0)
    }

    /// Every literal of the index, grouped by bucket.
    pub fn literals(&self) -> &[Literal] {
        &self.literals
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static INDEX: Index<6> = Index::new([
        Literal::exact("PRIVATE KEY", 0),
        Literal::ascii_case_insensitive("password", 1),
        Literal::exact("ab", 2),
        Literal::exact("abc", 3),
        Literal::exact("bc", 4),
        Literal::exact("zé", 5),
    ]);

    fn owners(text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        INDEX.find(text.as_bytes(), |l| out.push(l.owner));
        out
    }

    #[test]
    fn finds_exact_literals_only_in_their_case() {
        assert_eq!(owners("-----BEGIN PRIVATE KEY-----"), [0]);
        assert!(owners("-----begin private key-----").is_empty());
    }

    #[test]
    fn finds_case_insensitive_literals_in_any_case() {
        assert_eq!(owners("PassWord=1"), [1]);
        assert_eq!(owners("DB_PASSWORD"), [1]);
        assert!(owners("passwor").is_empty());
    }

    #[test]
    fn reports_overlapping_and_repeated_occurrences_in_order() {
        assert_eq!(owners("abc"), [2, 3, 4]);
        assert_eq!(owners("ab ab"), [2, 2]);
    }

    #[test]
    fn finds_literals_at_the_very_end_and_non_ascii_bytes() {
        assert_eq!(owners("xxab"), [2]);
        assert_eq!(owners("tout zé"), [5]);
        assert!(owners("zè").is_empty());
    }

    #[test]
    fn short_and_empty_texts_find_nothing() {
        assert!(owners("").is_empty());
        assert!(owners("a").is_empty());
    }

    #[test]
    fn matches_a_naive_search_at_every_position() {
        let texts = [
            "abcabc",
            "password PASSWORD pass",
            "PRIVATE KEYab",
            "bcbcb",
            "zzéab",
        ];
        for text in texts {
            let mut expected: Vec<u32> = (0..text.len())
                .flat_map(|at| {
                    INDEX
                        .literals()
                        .iter()
                        .filter(move |l| l.starts(&text.as_bytes()[at..]))
                        .map(|l| l.owner)
                })
                .collect();
            let mut got = owners(text);
            expected.sort();
            got.sort();
            assert!(!expected.is_empty(), "{text:?} holds a literal");
            assert_eq!(got, expected, "{text:?}");
        }
    }

    #[test]
    fn the_window_bucket_is_the_pair_bucket() {
        for first in 0..=255u8 {
            for second in 0..=255u8 {
                for third in [0u8, b'a', 0xFF] {
                    let folded = u32::from_le_bytes([
                        first.to_ascii_lowercase(),
                        second.to_ascii_lowercase(),
                        third,
                        0xFF,
                    ]);
                    assert_eq!(bucket_of_folded(folded), bucket(first, second));
                }
            }
        }
    }

    #[test]
    fn letter_pairs_never_share_a_bucket() {
        let mut seen = std::collections::HashMap::new();
        for a in b'a'..=b'z' {
            for b in b'a'..=b'z' {
                if let Some(other) = seen.insert(bucket(a, b), (a, b)) {
                    panic!("{:?} and {:?} share a bucket", (a, b), other);
                }
            }
        }
    }

    #[test]
    fn buckets_are_counted() {
        assert_eq!(INDEX.largest_bucket(), 2, "ab and abc");
        assert_eq!(INDEX.literals().len(), 6);
    }
}
