//! How the commands print: colour only on a terminal (and never under
//! `NO_COLOR`), tables whose columns fit their widest cell, and the one
//! condition every command shares, a reader that went away.

use std::io::IsTerminal;
use std::sync::OnceLock;

/// Whether a panic message is std's report of a print to a closed pipe
/// (`agentops rules --json | head -c 10`): the reader has all it wanted,
/// so `main` ends the command quietly instead of reporting an internal
/// error. Matched on the OS error number, which does not depend on the
/// locale.
pub fn is_closed_output(message: Option<&str>) -> bool {
    let Some(message) = message else {
        return false;
    };
    let printing = message.starts_with("failed printing to stdout")
        || message.starts_with("failed printing to stderr");
    printing
        && BROKEN_PIPE_ERRORS
            .iter()
            .any(|code| message.ends_with(&format!("(os error {code})")))
}

#[cfg(unix)]
const BROKEN_PIPE_ERRORS: &[i32] = &[libc::EPIPE];
/// ERROR_BROKEN_PIPE and ERROR_NO_DATA.
#[cfg(not(unix))]
const BROKEN_PIPE_ERRORS: &[i32] = &[109, 232];

/// Whether stdout gets colour: never when `NO_COLOR` is set (no-color.org),
/// always when `CLICOLOR_FORCE` is set (other than `0`), otherwise only on
/// a terminal that is not `TERM=dumb`.
pub fn colour() -> bool {
    static COLOUR: OnceLock<bool> = OnceLock::new();
    *COLOUR.get_or_init(|| {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        if set("NO_COLOR") {
            return false;
        }
        if set("CLICOLOR_FORCE") && std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
            return true;
        }
        std::io::stdout().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
    })
}

/// A text style for [`paint`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Bold,
    Dim,
    Red,
    Yellow,
    Green,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Bold => "1",
            Style::Dim => "2",
            Style::Red => "1;31",
            Style::Yellow => "33",
            Style::Green => "32",
        }
    }

    /// The style a decision or check result is shown in.
    pub fn of_result(result: &str) -> Option<Style> {
        match result {
            "deny" | "block" | "FAIL" | "fail" | "hard" => Some(Style::Red),
            "ask" | "warn" | "WARN" | "confirm" | "soft" => Some(Style::Yellow),
            "allow" | "ok" | "pass" => Some(Style::Green),
            _ => None,
        }
    }
}

/// `text` in `style` when stdout gets colour, as it is otherwise.
pub fn paint(text: &str, style: Option<Style>) -> String {
    match style {
        Some(style) if colour() && !text.is_empty() => {
            format!("\x1b[{}m{text}\x1b[0m", style.code())
        }
        _ => text.to_string(),
    }
}

/// A table printed with every column as wide as its widest cell (the
/// last column is not padded), the header in bold.
pub struct Table {
    header: Vec<&'static str>,
    rows: Vec<Vec<(String, Option<Style>)>>,
    right: Vec<usize>,
}

impl Table {
    pub fn new(header: &[&'static str]) -> Table {
        Table {
            header: header.to_vec(),
            rows: Vec::new(),
            right: Vec::new(),
        }
    }

    /// Align column `index` to the right (numbers).
    pub fn right(mut self, index: usize) -> Table {
        self.right.push(index);
        self
    }

    /// Add a row of plain cells.
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows
            .push(cells.into_iter().map(|c| (c.into(), None)).collect());
    }

    /// Add a row whose cells may carry a style.
    pub fn styled_row(&mut self, cells: Vec<(String, Option<Style>)>) {
        self.rows.push(cells);
    }

    fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, (cell, _)) in row.iter().enumerate() {
                let n = cell.chars().count();
                match widths.get_mut(i) {
                    Some(w) => *w = (*w).max(n),
                    None => widths.push(n),
                }
            }
        }
        widths
    }

    fn line(&self, cells: &[(String, Option<Style>)], widths: &[usize]) -> String {
        let last = cells.len().saturating_sub(1);
        let mut out = String::new();
        for (i, (cell, style)) in cells.iter().enumerate() {
            let pad = widths
                .get(i)
                .copied()
                .unwrap_or(0)
                .saturating_sub(cell.chars().count());
            if i > 0 {
                out.push_str("  ");
            }
            if self.right.contains(&i) {
                out.push_str(&" ".repeat(pad));
                out.push_str(&paint(cell, *style));
            } else {
                out.push_str(&paint(cell, *style));
                if i < last {
                    out.push_str(&" ".repeat(pad));
                }
            }
        }
        out
    }

    /// The table, one line per row, each ending in a newline.
    pub fn render(&self) -> String {
        let widths = self.widths();
        let header: Vec<(String, Option<Style>)> = self
            .header
            .iter()
            .map(|h| ((*h).to_string(), Some(Style::Bold)))
            .collect();
        let mut out = self.line(&header, &widths);
        out.push('\n');
        for row in &self.rows {
            out.push_str(&self.line(row, &widths));
            out.push('\n');
        }
        out
    }

    /// Print the table on stdout.
    pub fn print(&self) {
        print!("{}", self.render());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_print_to_a_closed_pipe_is_recognised_and_nothing_else_is() {
        let epipe = format!(
            "failed printing to stdout: Broken pipe (os error {})",
            BROKEN_PIPE_ERRORS[0]
        );
        assert!(is_closed_output(Some(&epipe)));
        assert!(!is_closed_output(Some(
            "failed printing to stdout: No space left on device (os error 28)"
        )));
        assert!(!is_closed_output(Some("index out of bounds")));
        assert!(!is_closed_output(None));
    }

    #[test]
    fn columns_fit_their_widest_cell() {
        let mut t = Table::new(&["ID", "RULES", "DETAIL"]);
        t.row(["1", "CMD001,CMD002,MODE002,SECRET001", "rm -rf /"]);
        t.row(["22", "-", "ls"]);
        let text = t.render();
        let lines: Vec<&str> = text.lines().collect();
        let detail_at = |l: &str, what: &str| l.find(what).expect(what);
        assert_eq!(
            detail_at(lines[0], "DETAIL"),
            detail_at(lines[1], "rm -rf /")
        );
        assert_eq!(detail_at(lines[1], "rm -rf /"), detail_at(lines[2], "ls"));
        assert!(lines.iter().all(|l| !l.ends_with(' ')), "{text}");
    }
}
