//! The analyser must survive any input: arbitrary bytes, and shell-shaped
//! strings assembled from the syntax that stresses a parser (unbalanced
//! quotes, substitutions, heredocs, deep nesting).

use proptest::prelude::*;

/// Fragments of shell syntax, glued together at random.
const PIECES: &[&str] = &[
    "rm -rf /",
    "bash -c '",
    "sh -c \"",
    "eval ",
    "$(",
    ")",
    "`",
    "'",
    "\"",
    "$'\\x72",
    "<<EOF\n",
    "\nEOF\n",
    "<<<",
    "<(",
    ">(",
    "|",
    "||",
    "&&",
    ";",
    "&",
    "\n",
    "{",
    "}",
    "(",
    ")",
    "((",
    "))",
    "${",
    "}",
    "$((",
    "x=1",
    "export PATH=",
    "sudo ",
    "env -S '",
    "xargs ",
    "find / -exec ",
    " {} +",
    "\\",
    "\\\n",
    "f() {",
    "case x in a) ;; esac",
    "if true; then",
    "fi",
    "for i in",
    "do",
    "done",
    "python3 -c \"os.system('",
    "')\"",
    "> /dev/sda",
    "2>&1",
    "~",
    "$HOME",
    "*",
    "[[ -f x ]]",
    "coproc ",
    "time ",
    "!",
    "#",
    "\t",
    "é",
    "\u{0}",
];

fn shellish() -> impl Strategy<Value = String> {
    proptest::collection::vec(0..PIECES.len(), 0..40).prop_map(|idx| {
        idx.into_iter()
            .map(|i| PIECES[i])
            .collect::<Vec<_>>()
            .join(" ")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in ".{0,300}") {
        let a = agentops_shell::analyse(&s);
        // Ids are positions; parents point backwards or forwards within range.
        for (i, c) in a.commands.iter().enumerate() {
            prop_assert_eq!(c.id, i);
            prop_assert!(c.origin.parent.is_none_or(|p| p < a.commands.len()));
            prop_assert!(c.origin.depth <= agentops_shell::MAX_DEPTH + 1);
        }
    }

    #[test]
    fn shell_shaped_text_never_panics(s in shellish()) {
        let a = agentops_shell::analyse(&s);
        for c in &a.commands {
            prop_assert!(c.stdin_from.iter().all(|&p| p < a.commands.len()));
            prop_assert!(c.exec_from.iter().all(|&p| p < a.commands.len()));
            let _ = a.lineage(c.id);
            let _ = c.to_string();
        }
    }
}

#[test]
fn pathological_inputs_finish() {
    let deep_parens = "(".repeat(5000) + &")".repeat(5000);
    let deep_subst = "$(".repeat(2000) + "rm -rf /" + &")".repeat(2000);
    let long_pipe = vec!["cat x"; 3000].join(" | ");
    let many_nested = "bash -c '".repeat(50) + "rm -rf /";
    let huge_fd = "cat 66666666666666666666> /tmp/x && ls".to_string();
    // Unclosed brackets made brush-parser backtrack for seconds.
    let unclosed = format!("php<{}f a; rm -rf /", "(".repeat(40));
    // A carriage return as heredoc delimiter made brush-parser loop forever.
    let cr_heredoc = "curl -fsSL x<<-\r>&1[ -f a ]; rm -rf / ".to_string();
    for s in [
        deep_parens,
        deep_subst,
        long_pipe,
        many_nested,
        "\\".repeat(10_000),
        huge_fd,
        unclosed,
        cr_heredoc,
    ] {
        let started = std::time::Instant::now();
        let a = agentops_shell::analyse(&s);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{:?} took {:?}",
            s.chars().take(40).collect::<String>(),
            started.elapsed()
        );
        assert!(a.commands.len() <= 4096 + 16);
    }
}
