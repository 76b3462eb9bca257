//! The detector: which code points hide or reorder text, and when a
//! legitimate sequence (an emoji, a subdivision flag, a CJK variant, a
//! joiner inside Arabic or Indic text) makes one of them harmless.
//!
//! Every flagged code point is outside ASCII, so the scanner skips ASCII
//! 32 bytes at a time and only decodes lead bytes that can start a flagged
//! code point. It works on raw bytes: invalid UTF-8 is skipped, never
//! trusted, and every hit carries its byte range so stripping can cut
//! exactly those bytes and leave the rest of the file untouched.

use serde::{Deserialize, Serialize};

/// Why a code point is dangerous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Reorders what is displayed (Trojan Source): U+202A–202E, U+2066–2069,
    /// U+200E/200F, U+061C.
    Bidi,
    /// Renders as nothing: zero-width characters, word joiners, invisible
    /// operators, soft hyphen, a byte-order mark after the start.
    Invisible,
    /// Tag characters, which can spell a hidden ASCII message.
    Tag,
    /// Variation selectors outside a legitimate emoji or CJK sequence; runs
    /// of them encode arbitrary bytes (the Glassworm technique).
    VariationSelector,
    /// Hangul fillers, blank characters that count as letters in identifiers.
    HangulFiller,
    /// Mongolian free variation selectors and vowel separator.
    MongolianSelector,
    /// Private-use code points, whose meaning depends on the font.
    PrivateUse,
}

impl Category {
    /// Every category, in declaration order: [`describe_categories`] relies
    /// on that order.
    pub const ALL: [Category; 7] = [
        Category::Bidi,
        Category::Invisible,
        Category::Tag,
        Category::VariationSelector,
        Category::HangulFiller,
        Category::MongolianSelector,
        Category::PrivateUse,
    ];

    /// Plural label for messages ("bidi controls, tag characters").
    pub fn label(self) -> &'static str {
        match self {
            Category::Bidi => "bidi controls",
            Category::Invisible => "zero-width/invisible characters",
            Category::Tag => "tag characters",
            Category::VariationSelector => "variation selectors",
            Category::HangulFiller => "Hangul fillers",
            Category::MongolianSelector => "Mongolian variation selectors",
            Category::PrivateUse => "private-use characters",
        }
    }

    /// Short kebab-case name for tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Bidi => "bidi",
            Category::Invisible => "invisible",
            Category::Tag => "tag",
            Category::VariationSelector => "variation-selector",
            Category::HangulFiller => "hangul-filler",
            Category::MongolianSelector => "mongolian-selector",
            Category::PrivateUse => "private-use",
        }
    }
}

/// Categories present in a set of hits, in a stable order, as one phrase.
pub fn describe_categories(categories: impl IntoIterator<Item = Category>) -> String {
    let mut seen = [false; Category::ALL.len()];
    for c in categories {
        seen[c as usize] = true;
    }
    Category::ALL
        .iter()
        .filter(|c| seen[**c as usize])
        .map(|c| c.label())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the detector looks for besides the always-flagged categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Flag private-use code points. On for source code, where they have no
    /// business; off for prose and tool output, where icon fonts use them.
    pub private_use: bool,
}

impl Options {
    /// For source code: private-use code points are flagged too.
    pub const SOURCE: Options = Options { private_use: true };
    /// For prose and tool output, where icon fonts use private-use code
    /// points.
    pub const TEXT: Options = Options { private_use: false };
}

/// One flagged code point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Byte offset of its first byte.
    pub offset: usize,
    /// Its length in bytes (2 to 4).
    pub len: u8,
    /// The code point, e.g. `0x200B`.
    pub code_point: u32,
    /// Why it is flagged.
    pub category: Category,
}

impl Hit {
    /// Byte offset just past its last byte.
    pub fn end(&self) -> usize {
        self.offset + self.len as usize
    }
}

/// The category of a code point taken alone, before context exemptions.
pub fn category_of(cp: u32, opts: Options) -> Option<Category> {
    match cp {
        0x061C | 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069 => Some(Category::Bidi),
        0x00AD | 0x034F | 0x180E | 0x200B..=0x200D | 0x2060..=0x2065 | 0x206A..=0x206F | 0xFEFF => {
            Some(Category::Invisible)
        }
        0xE0000..=0xE007F => Some(Category::Tag),
        0xFE00..=0xFE0F | 0xE0100..=0xE01EF => Some(Category::VariationSelector),
        0x115F | 0x1160 | 0x3164 | 0xFFA0 => Some(Category::HangulFiller),
        0x180B..=0x180D | 0x180F => Some(Category::MongolianSelector),
        0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD if opts.private_use => {
            Some(Category::PrivateUse)
        }
        _ => None,
    }
}

/// Lead bytes of UTF-8 sequences that can encode a flagged code point.
/// Everything else (ASCII, continuation bytes, other leads) is skipped
/// without decoding.
static INTERESTING_LEAD: [bool; 256] = {
    let mut t = [false; 256];
    t[0xC2] = true; // U+00AD
    t[0xCD] = true; // U+034F
    t[0xD8] = true; // U+061C
    t[0xE1] = true; // U+115F, U+1160, U+180B-180F
    t[0xE2] = true; // U+200B-206F
    t[0xE3] = true; // U+3164
    t[0xEE] = true; // private use U+E000-EFFF
    t[0xEF] = true; // private use, U+FE00-FE0F, U+FEFF, U+FFA0
    t[0xF3] = true; // tags, supplementary selectors, plane-15 private use
    t[0xF4] = true; // plane-16 private use
    t
};

/// Second-byte filter: whether a sequence starting `b0 b1` can encode a
/// flagged code point. Keeps kana (E3), arrows and math (E2), and most of
/// the BMP's last block (EF) away from the decoder.
#[inline]
fn may_be_flagged(b0: u8, b1: u8, opts: Options) -> bool {
    match b0 {
        0xC2 => b1 == 0xAD,
        0xCD => b1 == 0x8F,
        0xD8 => b1 == 0x9C,
        0xE1 => b1 == 0x85 || b1 == 0xA0,
        0xE2 => b1 == 0x80 || b1 == 0x81,
        0xE3 => b1 == 0x85,
        0xEE => opts.private_use,
        0xEF => matches!(b1, 0xB8 | 0xBB | 0xBE) || (opts.private_use && b1 <= 0xA3),
        0xF3 => b1 == 0xA0 || (opts.private_use && b1 >= 0xB0),
        0xF4 => opts.private_use && b1 <= 0x8F,
        _ => false,
    }
}

/// Decode one UTF-8 scalar at `i`, strictly (no overlongs, surrogates or
/// truncation). Returns the code point and its length.
#[inline]
pub(crate) fn decode_at(bytes: &[u8], i: usize) -> Option<(u32, usize)> {
    let b0 = *bytes.get(i)?;
    let cont = |k: usize| -> Option<u32> {
        let b = *bytes.get(i + k)?;
        (b & 0xC0 == 0x80).then_some((b & 0x3F) as u32)
    };
    match b0 {
        0x00..=0x7F => Some((b0 as u32, 1)),
        0xC2..=0xDF => Some((((b0 & 0x1F) as u32) << 6 | cont(1)?, 2)),
        0xE0..=0xEF => {
            let cp = ((b0 & 0x0F) as u32) << 12 | cont(1)? << 6 | cont(2)?;
            (cp >= 0x800 && !(0xD800..=0xDFFF).contains(&cp)).then_some((cp, 3))
        }
        0xF0..=0xF4 => {
            let cp = ((b0 & 0x07) as u32) << 18 | cont(1)? << 12 | cont(2)? << 6 | cont(3)?;
            (0x10000..=0x10FFFF).contains(&cp).then_some((cp, 4))
        }
        _ => None,
    }
}

/// The scalar that ends just before byte `i`, if the bytes there are valid.
#[inline]
fn decode_before(bytes: &[u8], i: usize) -> Option<u32> {
    let start = (i.saturating_sub(4)..i)
        .rev()
        .find(|&j| bytes[j] & 0xC0 != 0x80)?;
    match decode_at(bytes, start) {
        Some((cp, len)) if start + len == i => Some(cp),
        _ => None,
    }
}

/// Index of the first byte at or after `i` that is not ASCII (or `len`).
/// Tests 32 bytes per step: four words or-ed together and masked with the
/// high bits, which the compiler turns into a couple of vector ops.
#[inline]
fn skip_ascii(bytes: &[u8], mut i: usize) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(block) = bytes.get(i..i + 32) {
        let word = |k: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&block[k * 8..k * 8 + 8]);
            u64::from_ne_bytes(w)
        };
        if (word(0) | word(1) | word(2) | word(3)) & HIGH != 0 {
            break;
        }
        i += 32;
    }
    while i < bytes.len() && bytes[i] < 0x80 {
        i += 1;
    }
    i
}

/// Scan `bytes` and call `on_hit` for every flagged code point, in order.
/// `on_hit` returns `false` to stop early.
pub fn scan_with(bytes: &[u8], opts: Options, mut on_hit: impl FnMut(Hit) -> bool) {
    let mut i = 0;
    let len = bytes.len();
    while i < len {
        i = skip_ascii(bytes, i);
        if i >= len {
            break;
        }
        // Inside non-ASCII text, step over bytes that cannot start a
        // flagged code point without going back to the ASCII skipper.
        while i < len {
            let b = bytes[i];
            if b < 0x80
                || (INTERESTING_LEAD[b as usize]
                    && may_be_flagged(b, bytes.get(i + 1).copied().unwrap_or(0), opts))
            {
                break;
            }
            // Step over a whole well-formed sequence at once; a stray or
            // truncated one only by its first byte, so a real sequence
            // right behind it is still seen.
            let w = match b {
                0xC2..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF4 => 4,
                _ => 1,
            };
            let whole = w > 1
                && bytes
                    .get(i + 1..i + w)
                    .is_some_and(|rest| rest.iter().all(|&c| c & 0xC0 == 0x80));
            i += if whole { w } else { 1 };
        }
        if i >= len || bytes[i] < 0x80 {
            continue;
        }
        let Some((cp, w)) = decode_at(bytes, i) else {
            i += 1;
            continue;
        };
        let Some(category) = category_of(cp, opts) else {
            i += w;
            continue;
        };
        match category {
            Category::Tag => {
                // Handle the whole run at once: it is either one valid
                // subdivision flag or entirely flagged.
                let run = collect_run(bytes, i, |c| (0xE0000..=0xE007F).contains(&c));
                let allowed = is_flag_tag_sequence(bytes, i, &run);
                let end = run.last().map_or(i + w, |(o, c)| o + utf8_len(*c));
                if !allowed && !emit_run(&run, Category::Tag, &mut on_hit) {
                    return;
                }
                i = end;
            }
            Category::VariationSelector => {
                let run = collect_run(bytes, i, is_variation_selector);
                let end = run.last().map_or(i + w, |(o, c)| o + utf8_len(*c));
                let allowed = run.len() == 1 && selector_allowed(bytes, i, cp, end);
                if !allowed && !emit_run(&run, Category::VariationSelector, &mut on_hit) {
                    return;
                }
                i = end;
            }
            _ => {
                let allowed = match cp {
                    0xFEFF => i == 0,
                    0x200C | 0x200D => joiner_allowed(bytes, i, cp, i + w),
                    _ => false,
                };
                if !allowed {
                    let hit = Hit {
                        offset: i,
                        len: w as u8,
                        code_point: cp,
                        category,
                    };
                    if !on_hit(hit) {
                        return;
                    }
                }
                i += w;
            }
        }
    }
}

/// Fewest lone-quoted characters that make a table.
const TABLE_MIN: usize = 8;

/// Whether the hits are a table of characters rather than hidden text:
/// at least eight, none a bidirectional control, and each the whole of a
/// quoted literal (`'\u{200B}'` written raw, as Unicode data tables and
/// their tests do). One such literal alone stays flagged: a zero-width
// agentops: allow-unicode (the example below is the raw character it describes)
/// string that looks empty (`role === '​'`) is exactly what Trojan Source
/// hides; a table of them is data.
pub fn character_table(bytes: &[u8], hits: &[Hit]) -> bool {
    hits.len() >= TABLE_MIN
        && hits.iter().all(|h| {
            let before = h.offset.checked_sub(1).and_then(|i| bytes.get(i));
            let after = bytes.get(h.end());
            h.category != Category::Bidi && matches!(before, Some(b'\'' | b'"')) && before == after
        })
}

/// Every flagged code point in `bytes`.
pub fn scan(bytes: &[u8], opts: Options) -> Vec<Hit> {
    let mut hits = Vec::new();
    scan_with(bytes, opts, |h| {
        hits.push(h);
        true
    });
    hits
}

/// Whether `bytes` holds any flagged code point (stops at the first).
pub fn contains_flagged(bytes: &[u8], opts: Options) -> bool {
    first_hit(bytes, opts).is_some()
}

/// The first flagged code point in `bytes`; the scan stops there.
pub fn first_hit(bytes: &[u8], opts: Options) -> Option<Hit> {
    let mut found = None;
    scan_with(bytes, opts, |h| {
        found = Some(h);
        false
    });
    found
}

/// `bytes` without the hit code points; every other byte is kept as is.
pub fn strip(bytes: &[u8], hits: &[Hit]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut from = 0;
    for h in hits {
        if h.offset < from {
            continue;
        }
        out.extend_from_slice(&bytes[from..h.offset]);
        from = h.end();
    }
    out.extend_from_slice(&bytes[from.min(bytes.len())..]);
    out
}

/// Scan and strip in one go; returns the cleaned bytes and what was removed.
pub fn sanitize(bytes: &[u8], opts: Options) -> (Vec<u8>, Vec<Hit>) {
    let hits = scan(bytes, opts);
    (strip(bytes, &hits), hits)
}

fn utf8_len(cp: u32) -> usize {
    match cp {
        0..=0x7F => 1,
        0x80..=0x7FF => 2,
        0x800..=0xFFFF => 3,
        _ => 4,
    }
}

fn is_variation_selector(cp: u32) -> bool {
    matches!(cp, 0xFE00..=0xFE0F | 0xE0100..=0xE01EF)
}

/// Consecutive code points from `i` that satisfy `member`, with offsets.
fn collect_run(bytes: &[u8], mut i: usize, member: impl Fn(u32) -> bool) -> Vec<(usize, u32)> {
    let mut run = Vec::new();
    while let Some((cp, w)) = decode_at(bytes, i) {
        if !member(cp) {
            break;
        }
        run.push((i, cp));
        i += w;
    }
    run
}

fn emit_run(
    run: &[(usize, u32)],
    category: Category,
    on_hit: &mut impl FnMut(Hit) -> bool,
) -> bool {
    run.iter().all(|&(offset, cp)| {
        on_hit(Hit {
            offset,
            len: utf8_len(cp) as u8,
            code_point: cp,
            category,
        })
    })
}

/// A subdivision flag: U+1F3F4 WAVING BLACK FLAG, two to six tag letters or
/// digits, then U+E007F CANCEL TAG (e.g. the flags of England and Scotland).
fn is_flag_tag_sequence(bytes: &[u8], start: usize, run: &[(usize, u32)]) -> bool {
    let Some((&(_, last), body)) = run.split_last() else {
        return false;
    };
    last == 0xE007F
        && (2..=6).contains(&body.len())
        && body
            .iter()
            .all(|&(_, c)| matches!(c, 0xE0030..=0xE0039 | 0xE0061..=0xE007A))
        && decode_before(bytes, start) == Some(0x1F3F4)
}

/// A single selector that belongs to the character before it.
fn selector_allowed(bytes: &[u8], at: usize, cp: u32, end: usize) -> bool {
    let Some(prev) = decode_before(bytes, at) else {
        return false;
    };
    match cp {
        // Text or emoji presentation of a pictograph; keycaps like 1️⃣ put
        // the selector between an ASCII digit and U+20E3.
        0xFE0E | 0xFE0F => {
            is_emoji_base(prev)
                || is_cjk_or_math(prev)
                || (matches!(prev, 0x30..=0x39 | 0x23 | 0x2A)
                    && decode_at(bytes, end).is_some_and(|(n, _)| n == 0x20E3))
        }
        // Standardized variation sequences: CJK compatibility ideographs,
        // mathematical symbols.
        0xFE00..=0xFE0D => is_cjk_or_math(prev),
        // Ideographic variation sequences.
        _ => is_cjk(prev),
    }
}

/// ZWJ inside an emoji sequence (👩‍💻), or ZWJ/ZWNJ between letters of a
/// script that uses them for shaping (Persian, Hindi, ...).
fn joiner_allowed(bytes: &[u8], at: usize, cp: u32, end: usize) -> bool {
    let Some(prev) = decode_before(bytes, at) else {
        return false;
    };
    let Some((next, _)) = decode_at(bytes, end) else {
        return false;
    };
    // After U+FE0F the joiner is only legitimate if that selector is, i.e.
    // it follows a pictograph itself.
    let prev_is_emoji = is_emoji_base(prev)
        || (prev == 0xFE0F && decode_before(bytes, at - 3).is_some_and(is_emoji_base));
    let emoji = cp == 0x200D && prev_is_emoji && is_emoji_base(next);
    emoji || (is_joining_script(prev) && is_joining_script(next))
}

/// Code points that start or continue an emoji presentation: an
/// approximation of Extended_Pictographic plus regional indicators and
/// skin-tone modifiers.
pub fn is_emoji_base(c: u32) -> bool {
    matches!(
        c,
        0x00A9
            | 0x00AE
            | 0x203C
            | 0x2049
            | 0x2122
            | 0x2139
            | 0x2194..=0x2199
            | 0x21A9..=0x21AA
            | 0x231A..=0x231B
            | 0x2328
            | 0x23CF
            | 0x23E9..=0x23F3
            | 0x23F8..=0x23FA
            | 0x24C2
            | 0x25AA..=0x25AB
            | 0x25B6
            | 0x25C0
            | 0x25FB..=0x25FE
            | 0x2600..=0x27BF
            | 0x2934..=0x2935
            | 0x2B05..=0x2B07
            | 0x2B1B..=0x2B1C
            | 0x2B50
            | 0x2B55
            | 0x3030
            | 0x303D
            | 0x3297
            | 0x3299
            | 0x1F000..=0x1FAFF
    )
}

fn is_cjk(c: u32) -> bool {
    matches!(c, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

fn is_cjk_or_math(c: u32) -> bool {
    is_cjk(c) || matches!(c, 0x2200..=0x22FF | 0x2A00..=0x2AFF | 0x1000..=0x109F)
}

/// Arabic, Syriac and the Brahmic scripts, where ZWJ and ZWNJ choose
/// between joined and separate letter forms.
fn is_joining_script(c: u32) -> bool {
    matches!(
        c,
        0x0600..=0x061B
            | 0x061D..=0x06FF
            | 0x0700..=0x074F
            | 0x0750..=0x077F
            | 0x08A0..=0x08FF
            | 0x0900..=0x0DFF
            | 0x1000..=0x109F
            | 0x1780..=0x17FF
            | 0xFB50..=0xFDFF
            | 0xFE70..=0xFEFC
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cps(text: &str, opts: Options) -> Vec<u32> {
        scan(text.as_bytes(), opts)
            .iter()
            .map(|h| h.code_point)
            .collect()
    }

    /// (text, options, flagged code points)
    #[test]
    fn flag_and_allow_table() {
        let src = Options::SOURCE;
        let txt = Options::TEXT;
        let cases: &[(&str, Options, &[u32])] = &[
            // plain text, accents, CJK, emoji: nothing
            ("let x = 1;", src, &[]),
            ("café naïve — “quotes” …", src, &[]),
            ("日本語のテキスト", src, &[]),
            ("deploy 🚀 done ✅", src, &[]),
            // bidi controls
            ("if (admin\u{202E} ) {", src, &[0x202E]),
            ("a\u{2066}b\u{2069}", src, &[0x2066, 0x2069]),
            (
                "x\u{200E}y\u{200F}z\u{061C}",
                src,
                &[0x200E, 0x200F, 0x061C],
            ),
            // invisible format characters
            ("rm -rf /tmp/\u{200B}safe", txt, &[0x200B]),
            ("a\u{2060}b\u{2064}c", txt, &[0x2060, 0x2064]),
            ("soft\u{00AD}hyphen", txt, &[0x00AD]),
            ("cgj\u{034F}x", txt, &[0x034F]),
            ("mvs\u{180E}x", txt, &[0x180E]),
            ("bom\u{FEFF}later", txt, &[0xFEFF]),
            ("\u{FEFF}bom at start", txt, &[]),
            // ZWJ/ZWNJ outside a sequence that needs them
            ("a\u{200D}b", txt, &[0x200D]),
            ("a\u{200C}b", txt, &[0x200C]),
            ("\u{200D}", txt, &[0x200D]),
            // tag characters: hidden ASCII
            ("hi\u{E0068}\u{E0069}", txt, &[0xE0068, 0xE0069]),
            ("\u{E0001}", txt, &[0xE0001]),
            // variation selectors after ASCII, and runs (Glassworm)
            ("x\u{FE0F}", txt, &[0xFE0F]),
            ("`\u{FE00}\u{FE01}\u{FE02}`", txt, &[0xFE00, 0xFE01, 0xFE02]),
            ("\u{E0100}\u{E0101}", txt, &[0xE0100, 0xE0101]),
            ("❤\u{FE0F}\u{FE0F}", txt, &[0xFE0F, 0xFE0F]),
            ("❤\u{FE0F}\u{E0100}", txt, &[0xFE0F, 0xE0100]),
            ("漢\u{E0100}\u{E0101}", txt, &[0xE0100, 0xE0101]),
            ("1\u{FE0F}", txt, &[0xFE0F]),
            // Hangul fillers and Mongolian selectors
            ("let \u{3164} = 1", src, &[0x3164]),
            ("\u{115F}\u{1160}\u{FFA0}", txt, &[0x115F, 0x1160, 0xFFA0]),
            ("ᠠ\u{180B}\u{180F}", txt, &[0x180B, 0x180F]),
            // private use: source only
            ("icon \u{E0A0}", src, &[0xE0A0]),
            ("icon \u{E0A0}", txt, &[]),
            ("\u{F0001}\u{10FFFD}", src, &[0xF0001, 0x10FFFD]),
            // emoji sequences that are fine
            ("❤\u{FE0F}", txt, &[]),
            ("©\u{FE0E}", txt, &[]),
            ("👩\u{200D}💻", txt, &[]),
            ("👨\u{200D}👩\u{200D}👧\u{200D}👦", txt, &[]),
            ("🏳\u{FE0F}\u{200D}🌈", txt, &[]),
            ("👋\u{1F3FD}\u{200D}\u{2642}\u{FE0F}", txt, &[]),
            ("1\u{FE0F}\u{20E3} #\u{FE0F}\u{20E3}", txt, &[]),
            (
                "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}",
                txt,
                &[],
            ),
            // CJK and math variants, Persian and Hindi joiners
            ("葛\u{E0100}", txt, &[]),
            ("≩\u{FE00}", txt, &[]),
            ("می\u{200C}خواهم", txt, &[]),
            ("क्\u{200D}ष", txt, &[]),
            // a flag tag run that is not a subdivision flag
            (
                "x\u{E0067}\u{E0062}\u{E007F}",
                txt,
                &[0xE0067, 0xE0062, 0xE007F],
            ),
            (
                "🏴\u{E0041}\u{E0042}\u{E007F}",
                txt,
                &[0xE0041, 0xE0042, 0xE007F],
            ),
            // a joiner after a selector that is itself flagged (a raw Hangul
            // filler, which this test feeds the detector; agentops: allow-unicode)
            ("ㅤ\u{FE0F}\u{200D}👩", txt, &[0x3164, 0xFE0F, 0x200D]),
            // joiner between emoji and ASCII
            ("👩\u{200D}x", txt, &[0x200D]),
        ];
        for (text, opts, want) in cases {
            assert_eq!(cps(text, *opts), *want, "{text:?}");
        }
    }

    #[test]
    fn hits_carry_categories() {
        let hits = scan(
            "a\u{202E}b\u{200B}c\u{E0041}d\u{FE01}\u{FE02}\u{3164}\u{180B}\u{E000}".as_bytes(),
            Options::SOURCE,
        );
        let cats: Vec<Category> = hits.iter().map(|h| h.category).collect();
        assert_eq!(
            cats,
            [
                Category::Bidi,
                Category::Invisible,
                Category::Tag,
                Category::VariationSelector,
                Category::VariationSelector,
                Category::HangulFiller,
                Category::MongolianSelector,
                Category::PrivateUse
            ]
        );
        assert_eq!(
            describe_categories(cats),
            "bidi controls, zero-width/invisible characters, tag characters, variation selectors, Hangul fillers, Mongolian variation selectors, private-use characters"
        );
    }

    #[test]
    fn invalid_utf8_is_skipped_not_trusted() {
        // A stray lead byte right before a real ZWSP must not hide it.
        let mut bytes = b"ab\xE4".to_vec();
        bytes.extend_from_slice("\u{200B}".as_bytes());
        bytes.extend_from_slice(b"\xFF\xC2");
        let hits = scan(&bytes, Options::TEXT);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].offset, 3);
        // Truncated and overlong sequences decode to nothing.
        assert!(scan(b"\xE2\x80", Options::TEXT).is_empty());
        assert!(scan(b"\xE0\x80\x8B", Options::TEXT).is_empty());
    }

    #[test]
    fn long_ascii_runs_and_block_boundaries() {
        for pad in 0..70 {
            let text = format!("{}\u{200B}{}", "a".repeat(pad), "b".repeat(pad));
            let hits = scan(text.as_bytes(), Options::TEXT);
            assert_eq!(hits.len(), 1, "pad {pad}");
            assert_eq!(hits[0].offset, pad);
        }
    }

    #[test]
    fn strip_removes_exactly_the_hits() {
        let text = "clean line\ninfected\u{200B}line ❤\u{FE0F} \u{202E}x\n";
        let (clean, hits) = sanitize(text.as_bytes(), Options::TEXT);
        assert_eq!(hits.len(), 2);
        assert_eq!(
            String::from_utf8(clean.clone()).expect("utf8"),
            "clean line\ninfectedline ❤\u{FE0F} x\n"
        );
        assert!(scan(&clean, Options::TEXT).is_empty());
        // Nothing to strip leaves the bytes identical, invalid ones included.
        let odd = b"ok \xFF\xFE done";
        assert_eq!(sanitize(odd, Options::TEXT).0, odd);
    }

    #[test]
    fn early_stop() {
        let text = "\u{200B}\u{200B}\u{200B}";
        let mut n = 0;
        scan_with(text.as_bytes(), Options::TEXT, |_| {
            n += 1;
            n < 2
        });
        assert_eq!(n, 2);
        assert_eq!(
            first_hit(text.as_bytes(), Options::TEXT).map(|h| h.offset),
            Some(0)
        );
        assert!(!contains_flagged(b"plain", Options::TEXT));
    }

    #[test]
    fn decoder_matches_std_on_every_scalar_class() {
        for c in ['a', 'é', '€', '𝄞', '\u{10FFFF}', '\u{E000}'] {
            let mut buf = [0u8; 4];
            let s = c.encode_utf8(&mut buf);
            assert_eq!(
                decode_at(s.as_bytes(), 0),
                Some((c as u32, s.len())),
                "{c:?}"
            );
        }
        // Surrogates are not scalars.
        assert_eq!(decode_at(b"\xED\xA0\x80", 0), None);
    }

    /// Random mixes of the characters the detector cares about: it never
    /// panics, hits are in order and on character boundaries, and one strip
    /// leaves nothing to find (what `--fix` re-verifies).
    #[test]
    fn strip_is_complete_on_random_mixes() {
        let alphabet: Vec<char> = "a1#é漢👩❤🏴\n\u{200B}\u{200C}\u{200D}\u{202E}\u{2066}\u{FEFF}\u{FE0F}\u{FE0E}\u{FE00}\u{E0100}\u{E0067}\u{E0062}\u{E007F}\u{E0041}\u{20E3}\u{1F3FD}\u{3164}\u{180B}\u{E000}\u{00AD}ب"
            .chars()
            .collect();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..100_000 {
            let len = (next() % 12) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            for opts in [Options::TEXT, Options::SOURCE] {
                let hits = scan(text.as_bytes(), opts);
                assert!(
                    hits.windows(2).all(|w| w[0].end() <= w[1].offset),
                    "{text:?}"
                );
                assert!(
                    hits.iter().all(|h| text.is_char_boundary(h.offset)),
                    "{text:?}"
                );
                let cleaned = strip(text.as_bytes(), &hits);
                assert!(
                    scan(&cleaned, opts).is_empty(),
                    "{text:?} -> {:?}",
                    String::from_utf8_lossy(&cleaned)
                );
            }
        }
        // Arbitrary bytes never panic.
        for _ in 0..20_000 {
            let bytes: Vec<u8> = (0..(next() % 16)).map(|_| next() as u8).collect();
            let _ = sanitize(&bytes, Options::SOURCE);
        }
    }

    /// The byte prefilters never drop a code point the classifier flags.
    #[test]
    fn prefilters_pass_every_flagged_code_point() {
        for opts in [Options::TEXT, Options::SOURCE] {
            for c in (0x80..=0x10FFFFu32).filter_map(char::from_u32) {
                if category_of(c as u32, opts).is_none() {
                    continue;
                }
                let mut buf = [0u8; 4];
                let enc = c.encode_utf8(&mut buf).as_bytes();
                assert!(INTERESTING_LEAD[enc[0] as usize], "{:04X}", c as u32);
                assert!(may_be_flagged(enc[0], enc[1], opts), "{:04X}", c as u32);
            }
        }
    }
}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn a_table_of_quoted_characters_is_data_but_one_hidden_literal_is_not() {
        let table: String = (0..10)
            .map(|k| format!("('{}', {k}),\n", char::from_u32(0x200B).unwrap_or(' ')))
            .collect();
        let hits = scan(table.as_bytes(), Options::TEXT);
        assert_eq!(hits.len(), 10);
        assert!(character_table(table.as_bytes(), &hits));
        let one = "if (role === '\u{200B}') { grant() }";
        let hits = scan(one.as_bytes(), Options::TEXT);
        assert!(!character_table(one.as_bytes(), &hits));
        let bidi: String = (0..10).map(|_| "'\u{202E}',\n").collect();
        let hits = scan(bidi.as_bytes(), Options::TEXT);
        assert!(!hits.is_empty() && !character_table(bidi.as_bytes(), &hits));
    }
}
