//! Cost accounting from Claude Code transcripts.
//!
//! [`account`] reads what the session's transcript (and its subagents'
//! transcripts) gained since the last call, counts tokens per model once
//! per response id, prices them with the offline [`PriceTable`] (which
//! `.agentops/prices.json` can override) and adds the cost to
//! `.agentops/budget.json`'s `spent`. [`report`] groups the ledger for
//! `agentops cost`.
//!
//! [`history`] reads past sessions on demand from Claude Code's transcript
//! directory, as ccusage does, into the same rows [`report`] groups.
//!
//! All of it runs under `.agentops/` file locks, so parallel hook
//! processes neither lose nor double-count a response.
//!
//! [`Budget`] is the one budget model: [`Budget::resolve`] turns the budget
//! file's text and the environment's overrides into the limit, spend and
//! warning threshold every budget reader uses (see [`budget`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod budget;
pub mod history;
pub mod ledger;
pub mod money;
pub mod prices;
pub mod transcript;

use std::io;
use std::path::Path;

use agentops_state::StateDir;

pub use budget::{
    add_spend, Budget, FileState, Overrides, Source, BUDGET_FILE, DEFAULT_BUDGET_USD,
    DEFAULT_WARN_PCT, ENV_BUDGET_USD, ENV_WARN_PCT,
};
pub use history::{DayRange, History};
pub use ledger::{session_files, Ledger, Pass, Row};
pub use money::usd_decimal;
pub use prices::{PriceTable, BUILTIN_VERSION};
pub use transcript::Usage;

/// The ledger's file name under `.agentops/`.
pub const LEDGER_FILE: &str = "cost-ledger.json";
/// The price override file's name under `.agentops/`.
pub const PRICES_FILE: &str = "prices.json";

/// Largest ledger read; it holds totals and a bounded id window per file.
const MAX_LEDGER_BYTES: u64 = 32 << 20;

/// The price table for a project: built-in, with `prices.json` in front.
/// A broken override file is reported and the built-in table used.
pub fn load_prices(state: &StateDir) -> (PriceTable, Option<String>) {
    match state.read(PRICES_FILE, 1 << 20) {
        Ok(None) => (PriceTable::builtin(), None),
        Ok(Some(bytes)) => match PriceTable::with_overrides(&bytes) {
            Ok(t) => (t, None),
            Err(e) => (
                PriceTable::builtin(),
                Some(format!("{e}; using built-in prices")),
            ),
        },
        Err(e) => (
            PriceTable::builtin(),
            Some(format!("prices.json: {e}; using built-in prices")),
        ),
    }
}

/// The project's ledger; an empty one when there is none yet or it does
/// not parse.
pub fn load_ledger(state: &StateDir) -> io::Result<Ledger> {
    Ok(state
        .read(LEDGER_FILE, MAX_LEDGER_BYTES)?
        .map(|b| Ledger::parse(&b))
        .unwrap_or_default())
}

/// Count what the session's transcripts gained and add its cost to the
/// budget. `today` (YYYY-MM-DD) dates lines without a timestamp; `now`
/// stamps the budget file.
pub fn account(
    state: &StateDir,
    session: &str,
    transcript: &Path,
    prices: &PriceTable,
    today: &str,
    now: &str,
) -> io::Result<Pass> {
    let pass = state.update(LEDGER_FILE, MAX_LEDGER_BYTES, |current| {
        let mut ledger = current.map(Ledger::parse).unwrap_or_default();
        let before = ledger.clone();
        let mut pass = Pass::default();
        for file in session_files(transcript) {
            if let Err(e) = ledger.read_file(&file, session, today, prices, &mut pass) {
                return (None, Err(e));
            }
        }
        // Offsets move even when nothing was billed (tool results, user
        // lines): store them so the next pass starts there. An unchanged
        // ledger is not rewritten.
        let bytes = (ledger != before).then(|| ledger.to_json().to_string().into_bytes());
        (bytes, Ok(pass))
    })??;
    // After the ledger is stored: a crash in between loses this spend
    // rather than counting it twice.
    if pass.usd > 0.0 {
        add_spend(state, pass.usd, now)?;
    }
    Ok(pass)
}

/// How `agentops cost` groups the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// One line per session id.
    Session,
    /// One line per day (YYYY-MM-DD).
    Day,
    /// One line per model id.
    Model,
}

/// One line of a cost report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportLine {
    /// The session, day or model this line groups.
    pub key: String,
    /// Tokens counted.
    pub usage: Usage,
    /// API responses counted.
    pub responses: u64,
    /// USD of the priced tokens.
    pub usd: f64,
    /// Tokens of models without a price were left out of `usd`.
    pub unpriced: bool,
}

/// Group ledger rows and price them with `prices`, most expensive first.
pub fn report(rows: &[Row], by: Grouping, prices: &PriceTable) -> Vec<ReportLine> {
    let mut lines: Vec<ReportLine> = Vec::new();
    for row in rows {
        let key = match by {
            Grouping::Session => &row.session,
            Grouping::Day => &row.day,
            Grouping::Model => &row.model,
        };
        let cost = prices.cost(&row.model, &row.usage);
        let line = match lines.iter_mut().find(|l| &l.key == key) {
            Some(l) => l,
            None => {
                lines.push(ReportLine {
                    key: key.clone(),
                    usage: Usage::default(),
                    responses: 0,
                    usd: 0.0,
                    unpriced: false,
                });
                let last = lines.len() - 1;
                &mut lines[last]
            }
        };
        line.usage.add(&row.usage);
        line.responses += row.responses;
        line.usd += cost.unwrap_or(0.0);
        line.unpriced |= cost.is_none();
    }
    lines.sort_by(|a, b| b.usd.total_cmp(&a.usd).then_with(|| a.key.cmp(&b.key)));
    lines
}
