//! Claude Code transcripts: one JSON object per line; assistant lines carry
//! `message.model` and `message.usage`.
//!
//! One API response is usually written as several lines (one per content
//! block) that repeat the same `message.id`, `requestId` and usage, so
//! usage is counted once per id. Lines from API errors name the model
//! `<synthetic>` and never reached the API; they are skipped.

use memchr::memmem;
use serde_json::Value;

/// Token counts of one API response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Uncached input tokens.
    pub input: u64,
    /// Output tokens.
    pub output: u64,
    /// Cache writes with the default 5-minute lifetime.
    pub cache_write_5m: u64,
    /// Cache writes with the 1-hour lifetime (priced higher).
    pub cache_write_1h: u64,
    /// Tokens read from the cache.
    pub cache_read: u64,
}

impl Usage {
    /// The counts in the ledger's order: input, output, 5-minute cache
    /// writes, 1-hour cache writes, cache reads.
    pub fn as_array(&self) -> [u64; 5] {
        [
            self.input,
            self.output,
            self.cache_write_5m,
            self.cache_write_1h,
            self.cache_read,
        ]
    }

    /// The inverse of [`Usage::as_array`].
    pub fn from_array(a: [u64; 5]) -> Usage {
        Usage {
            input: a[0],
            output: a[1],
            cache_write_5m: a[2],
            cache_write_1h: a[3],
            cache_read: a[4],
        }
    }

    /// What `self` adds over `counted`, field by field (never negative): a
    /// repeated line whose counts grew (a streamed response) adds the
    /// growth, an exact repeat adds nothing.
    pub fn growth_over(&self, counted: &Usage) -> Usage {
        let a = self.as_array();
        let b = counted.as_array();
        Usage::from_array(std::array::from_fn(|i| a[i].saturating_sub(b[i])))
    }

    /// The larger of each count.
    pub fn max(&self, other: &Usage) -> Usage {
        let a = self.as_array();
        let b = other.as_array();
        Usage::from_array(std::array::from_fn(|i| a[i].max(b[i])))
    }

    /// Add `other`'s counts (saturating).
    pub fn add(&mut self, other: &Usage) {
        let a = self.as_array();
        let b = other.as_array();
        *self = Usage::from_array(std::array::from_fn(|i| a[i].saturating_add(b[i])));
    }

    /// Whether every count is 0.
    pub fn is_zero(&self) -> bool {
        self.as_array().iter().all(|&n| n == 0)
    }

    /// Cache writes of both lifetimes.
    pub fn cache_write(&self) -> u64 {
        self.cache_write_5m.saturating_add(self.cache_write_1h)
    }
}

/// One assistant response found in a transcript line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Identifiers that name the response: `m:<message.id>` and
    /// `r:<requestId>`, whichever are present.
    pub keys: Vec<String>,
    /// `message.model`.
    pub model: String,
    /// `message.usage`'s token counts.
    pub usage: Usage,
    /// The line's `timestamp` (RFC 3339), if any.
    pub timestamp: Option<String>,
}

/// Parse one transcript line; `None` for anything that is not a billed
/// assistant response. Lines without `"usage"` are skipped unparsed.
pub fn parse_line(line: &[u8]) -> Option<Response> {
    memmem::find(line, b"\"usage\"")?;
    let v: Value = serde_json::from_slice(line).ok()?;
    if v.get("type").and_then(Value::as_str) != Some("assistant") {
        return None;
    }
    let message = v.get("message")?;
    let model = message.get("model")?.as_str()?;
    if model.is_empty()
        || model.starts_with('<')
        || v.get("isApiErrorMessage") == Some(&Value::Bool(true))
    {
        return None;
    }
    let u = message.get("usage")?;
    let n = |k: &str| u.get(k).and_then(Value::as_u64).unwrap_or(0);
    let cache_write = n("cache_creation_input_tokens");
    let one_hour = u
        .get("cache_creation")
        .and_then(|c| c.get("ephemeral_1h_input_tokens"))
        .and_then(Value::as_u64)
        .unwrap_or(0)
        .min(cache_write);
    let usage = Usage {
        input: n("input_tokens"),
        output: n("output_tokens"),
        cache_write_5m: cache_write - one_hour,
        cache_write_1h: one_hour,
        cache_read: n("cache_read_input_tokens"),
    };
    let mut keys = Vec::new();
    if let Some(id) = message
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        keys.push(format!("m:{id}"));
    }
    if let Some(id) = v
        .get("requestId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        keys.push(format!("r:{id}"));
    }
    Some(Response {
        keys,
        model: model.to_string(),
        usage,
        timestamp: v
            .get("timestamp")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_assistant_usage_and_splits_cache_writes_by_lifetime() {
        let line = br#"{"type":"assistant","requestId":"req_1","timestamp":"2025-06-01T10:00:00Z","message":{"id":"msg_1","model":"claude-sonnet-4-5","usage":{"input_tokens":10,"output_tokens":20,"cache_creation_input_tokens":300,"cache_read_input_tokens":40,"cache_creation":{"ephemeral_5m_input_tokens":200,"ephemeral_1h_input_tokens":100}}}}"#;
        let r = parse_line(line).expect("response");
        assert_eq!(r.keys, ["m:msg_1", "r:req_1"]);
        assert_eq!(r.model, "claude-sonnet-4-5");
        assert_eq!(
            r.usage,
            Usage {
                input: 10,
                output: 20,
                cache_write_5m: 200,
                cache_write_1h: 100,
                cache_read: 40
            }
        );
        assert_eq!(r.timestamp.as_deref(), Some("2025-06-01T10:00:00Z"));
    }

    #[test]
    fn skips_what_was_not_billed() {
        let cases: &[&[u8]] = &[
            br#"{"type":"user","message":{"role":"user","content":"usage"}}"#,
            br#"{"type":"assistant","message":{"model":"<synthetic>","usage":{"input_tokens":0}}}"#,
            br#"{"type":"assistant","isApiErrorMessage":true,"message":{"model":"claude-opus-4-5","usage":{"input_tokens":5}}}"#,
            br#"{"type":"assistant","message":{"model":"claude-opus-4-5"}}"#,
            br#"{"type":"summary","summary":"x"}"#,
            b"not json \"usage\"",
            b"",
        ];
        for line in cases {
            assert_eq!(parse_line(line), None, "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn growth_counts_only_what_a_repeat_adds() {
        let first = Usage {
            input: 5,
            output: 1,
            ..Usage::default()
        };
        let later = Usage {
            input: 5,
            output: 30,
            ..Usage::default()
        };
        assert_eq!(
            later.growth_over(&first),
            Usage {
                output: 29,
                ..Usage::default()
            }
        );
        assert!(first.growth_over(&later).is_zero());
    }
}
