//! The vendored tokenizer reads the characters that only extend a word in
//! one tight loop (`word_fast_path`, see vendor/README.md). It must give
//! the very tokens, positions and errors the character-by-character path
//! gives: checked here on every command of the snapshot corpus and on
//! random text glued from the characters that matter to the tokenizer,
//! with no separator, so that every one of them lands inside words, quotes
//! and expansions.

use brush_parser::{tokenize_str_with_options, TokenizerOptions};
use proptest::prelude::*;

/// Both paths' result for `input`, as text (tokens with their spans, or
/// the error).
fn both(input: &str) -> (String, String) {
    let fast = TokenizerOptions::default();
    assert!(fast.word_fast_path, "the fast path is the default");
    let slow = TokenizerOptions {
        word_fast_path: false,
        ..TokenizerOptions::default()
    };
    (
        format!("{:?}", tokenize_str_with_options(input, &fast)),
        format!("{:?}", tokenize_str_with_options(input, &slow)),
    )
}

/// Characters and short runs that mean something to the tokenizer, plus
/// plain word characters.
const PIECES: &[&str] = &[
    "a", "Z", "0", "-", "_", ".", "/", ":", "=", ",", "%", "~", "#", "{", "}", "[", "]", "*", "?",
    "@", "!", "+", "^", "é", "\u{0}", "\r", " ", "\t", "\n", "\\", "'", "\"", "$", "`", "(", ")",
    "&", "|", ";", "<", ">", "$(", "$((", "))", "${", "$'", "$\"", "<<EOF\n", "<<-X\n", "\nEOF\n",
    "\nX\n", "<<<", "<(", ">(", "@(", "!(", "+(", "*(", "?(", "2>&1", "&&", "||", ";;", "x=1",
];

fn glued() -> impl Strategy<Value = String> {
    proptest::collection::vec(0..PIECES.len(), 0..60)
        .prop_map(|idx| idx.into_iter().map(|i| PIECES[i]).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn glued_shell_characters_tokenize_the_same(s in glued()) {
        let (fast, slow) = both(&s);
        prop_assert_eq!(fast, slow, "input {:?}", s);
    }

    #[test]
    fn arbitrary_text_tokenizes_the_same(s in ".{0,200}") {
        let (fast, slow) = both(&s);
        prop_assert_eq!(fast, slow, "input {:?}", s);
    }
}

#[test]
fn the_snapshot_commands_tokenize_the_same() {
    let corpus = include_str!("commands.txt");
    let mut checked = 0;
    for line in corpus
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let (fast, slow) = both(line);
        assert_eq!(fast, slow, "input {line:?}");
        checked += 1;
    }
    assert!(checked > 500, "only {checked} commands read");
}

#[test]
fn words_quotes_and_expansions_keep_their_tokens() {
    // One of each case the loop stops at, with the tokens spelled out.
    let tokens = |s: &str| -> Vec<String> {
        tokenize_str_with_options(s, &TokenizerOptions::default())
            .expect("tokenizes")
            .iter()
            .map(|t| t.to_str().to_string())
            .collect()
    };
    assert_eq!(
        tokens("find ./src -name \"*.rs\"|xargs grep -n 'a b'>out"),
        ["find", "./src", "-name", "\"*.rs\"", "|", "xargs", "grep", "-n", "'a b'", ">", "out"]
    );
    assert_eq!(tokens("a$(b c)d e"), ["a$(b c)d", "e"]);
    assert_eq!(tokens("x=\"$HOME/a b\";y"), ["x=\"$HOME/a b\"", ";", "y"]);
    assert_eq!(tokens("ls @(a|b) c\\ d"), ["ls", "@(a|b)", "c\\ d"]);
    assert_eq!(tokens("echo ${a}b}"), ["echo", "${a}b}"]);
}
