//! The offline price table: USD per million tokens, per model family.
//!
//! The built-in table is versioned ([`BUILTIN_VERSION`]) and can be
//! extended or overridden by `.agentops/prices.json`:
//!
//! ```json
//! {"version": "team-2026-01",
//!  "models": {"claude-opus-4-6": {"input": 5, "output": 25,
//!             "cache_write": 6.25, "cache_write_1h": 10, "cache_read": 0.5}}}
//! ```
//!
//! A model id matches the first entry whose pattern it contains
//! (case-insensitive); override entries are tried first. Missing cache
//! prices default to Anthropic's multipliers of the input price (1.25x for
//! 5-minute writes, 2x for 1-hour writes, 0.1x for reads).

use serde_json::Value;

use crate::transcript::Usage;

/// Version of the built-in table: the list prices it was written from.
pub const BUILTIN_VERSION: &str = "anthropic-list-2025-11";

/// USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    /// Uncached input tokens.
    pub input: f64,
    /// Output tokens.
    pub output: f64,
    /// Cache writes with the 5-minute lifetime.
    pub cache_write_5m: f64,
    /// Cache writes with the 1-hour lifetime.
    pub cache_write_1h: f64,
    /// Cache reads.
    pub cache_read: f64,
}

impl Price {
    const fn list(input: f64, output: f64) -> Price {
        Price {
            input,
            output,
            cache_write_5m: input * 1.25,
            cache_write_1h: input * 2.0,
            cache_read: input * 0.1,
        }
    }

    /// The USD cost of `usage` at this price.
    pub fn cost(&self, usage: &Usage) -> f64 {
        let per = |tokens: u64, usd: f64| tokens as f64 * usd / 1_000_000.0;
        per(usage.input, self.input)
            + per(usage.output, self.output)
            + per(usage.cache_write_5m, self.cache_write_5m)
            + per(usage.cache_write_1h, self.cache_write_1h)
            + per(usage.cache_read, self.cache_read)
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Lower-case substring of a model id.
    pub pattern: String,
    /// The family name reports show.
    pub family: String,
    /// What the family costs.
    pub price: Price,
}

/// Ordered price entries; the first match wins.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceTable {
    /// [`BUILTIN_VERSION`], prefixed with the override file's version
    /// when there is one.
    pub version: String,
    /// The entries, tried in order.
    pub entries: Vec<Entry>,
}

const BUILTIN: &[(&str, &str, Price)] = &[
    ("opus-4-5", "opus-4.5", Price::list(5.0, 25.0)),
    ("opus-4.5", "opus-4.5", Price::list(5.0, 25.0)),
    ("opus-4", "opus-4", Price::list(15.0, 75.0)),
    ("3-opus", "opus-3", Price::list(15.0, 75.0)),
    ("sonnet", "sonnet", Price::list(3.0, 15.0)),
    ("haiku-4-5", "haiku-4.5", Price::list(1.0, 5.0)),
    ("haiku-4.5", "haiku-4.5", Price::list(1.0, 5.0)),
    ("3-5-haiku", "haiku-3.5", Price::list(0.8, 4.0)),
    ("3-haiku", "haiku-3", Price::list(0.25, 1.25)),
    // Unknown releases of a family: the most expensive known member, so a
    // budget is never understated.
    ("opus", "opus", Price::list(15.0, 75.0)),
    ("haiku", "haiku", Price::list(1.0, 5.0)),
];

impl PriceTable {
    /// The built-in table ([`BUILTIN_VERSION`]).
    pub fn builtin() -> PriceTable {
        PriceTable {
            version: BUILTIN_VERSION.to_string(),
            entries: BUILTIN
                .iter()
                .map(|(pattern, family, price)| Entry {
                    pattern: pattern.to_string(),
                    family: family.to_string(),
                    price: *price,
                })
                .collect(),
        }
    }

    /// The built-in table with the entries of a `prices.json` in front.
    pub fn with_overrides(bytes: &[u8]) -> Result<PriceTable, String> {
        let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("prices.json: {e}"))?;
        let models = v
            .get("models")
            .and_then(Value::as_object)
            .ok_or("prices.json: expected an object with a `models` object")?;
        let mut table = PriceTable::builtin();
        let mut front = Vec::new();
        for (pattern, p) in models {
            let get = |k: &str| {
                p.get(k)
                    .and_then(Value::as_f64)
                    .filter(|x| x.is_finite() && *x >= 0.0)
            };
            let input = get("input").ok_or(format!(
                "prices.json: `{pattern}` needs a non-negative `input`"
            ))?;
            let output = get("output").ok_or(format!(
                "prices.json: `{pattern}` needs a non-negative `output`"
            ))?;
            let mut price = Price::list(input, output);
            if let Some(x) = get("cache_write") {
                price.cache_write_5m = x;
            }
            if let Some(x) = get("cache_write_1h") {
                price.cache_write_1h = x;
            }
            if let Some(x) = get("cache_read") {
                price.cache_read = x;
            }
            front.push(Entry {
                pattern: pattern.to_lowercase(),
                family: pattern.clone(),
                price,
            });
        }
        // Longer patterns are more specific: try them first.
        front.sort_by_key(|e| std::cmp::Reverse(e.pattern.len()));
        front.append(&mut table.entries);
        table.entries = front;
        table.version = match v.get("version").and_then(Value::as_str) {
            Some(custom) => format!("{custom}+{BUILTIN_VERSION}"),
            None => format!("custom+{BUILTIN_VERSION}"),
        };
        Ok(table)
    }

    /// The first entry whose pattern `model` contains (case-insensitive).
    pub fn lookup(&self, model: &str) -> Option<&Entry> {
        let model = model.to_lowercase();
        self.entries.iter().find(|e| model.contains(&e.pattern))
    }

    /// USD for `usage` on `model`, `None` when the model has no price.
    pub fn cost(&self, model: &str, usage: &Usage) -> Option<f64> {
        self.lookup(model).map(|e| e.price.cost(usage))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_map_to_their_family() {
        let t = PriceTable::builtin();
        let cases = [
            ("claude-opus-4-5-20251101", Some("opus-4.5")),
            ("claude-opus-4-1-20250805", Some("opus-4")),
            ("claude-opus-4-20250514", Some("opus-4")),
            ("claude-3-opus-20240229", Some("opus-3")),
            ("claude-sonnet-4-5-20250929", Some("sonnet")),
            ("claude-3-7-sonnet-20250219", Some("sonnet")),
            ("claude-haiku-4-5-20251001", Some("haiku-4.5")),
            ("claude-3-5-haiku-20241022", Some("haiku-3.5")),
            ("claude-3-haiku-20240307", Some("haiku-3")),
            ("claude-opus-9", Some("opus")),
            ("gpt-4o", None),
        ];
        for (model, family) in cases {
            assert_eq!(
                t.lookup(model).map(|e| e.family.as_str()),
                family,
                "{model}"
            );
        }
    }

    #[test]
    fn cost_uses_every_token_class() {
        let t = PriceTable::builtin();
        let usage = Usage {
            input: 1_000_000,
            output: 1_000_000,
            cache_write_5m: 1_000_000,
            cache_write_1h: 1_000_000,
            cache_read: 1_000_000,
        };
        // Sonnet: 3 + 15 + 3.75 + 6 + 0.30
        let usd = t.cost("claude-sonnet-4-5", &usage).expect("priced");
        assert!((usd - 28.05).abs() < 1e-9, "{usd}");
        assert_eq!(t.cost("unknown-model", &usage), None);
    }

    #[test]
    fn overrides_win_and_are_validated() {
        let t = PriceTable::with_overrides(
            br#"{"version":"team-1","models":{"claude-sonnet-4-5":{"input":1,"output":2,"cache_read":0}}}"#,
        )
        .expect("valid");
        assert_eq!(t.version, format!("team-1+{BUILTIN_VERSION}"));
        let e = t.lookup("claude-sonnet-4-5-20250929").expect("entry");
        assert_eq!(
            (e.price.input, e.price.output, e.price.cache_read),
            (1.0, 2.0, 0.0)
        );
        assert_eq!(e.price.cache_write_5m, 1.25);
        // Other sonnets keep the built-in price.
        assert_eq!(
            t.lookup("claude-3-7-sonnet").map(|e| e.price.input),
            Some(3.0)
        );
        for bad in [
            &b"[]"[..],
            b"{\"models\":{\"x\":{\"input\":-1,\"output\":1}}}",
            b"{\"models\":{\"x\":{}}}",
            b"nope",
        ] {
            assert!(
                PriceTable::with_overrides(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
