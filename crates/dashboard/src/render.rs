//! The page's first paint, rendered on the server: the same markup
//! `app.js` draws for live updates, so a page (or a screenshot) taken at
//! load already shows the data, and nothing depends on inline styles
//! (widths and colours are classes from `app.css`, which the
//! Content-Security-Policy allows; see [`width_classes`]).

use std::collections::BTreeMap;

use serde_json::Value;

/// Rows of the timeline rendered on the server (the newest).
pub const FIRST_ROWS: usize = 500;

/// HTML-escape text for element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

/// `.w-0` … `.w-100`: bar widths in percent, as classes, so no style
/// attribute is needed (a CSP without `'unsafe-inline'` blocks those).
pub fn width_classes() -> String {
    (0..=100)
        .map(|n| format!(".w-{n}{{width:{n}%}}\n"))
        .collect()
}

/// The width class of `part` of `whole`: at least 1 % for anything
/// non-zero, so a small count still shows.
pub fn width_class(part: f64, whole: f64) -> String {
    let pct = if whole > 0.0 {
        100.0 * part / whole
    } else {
        0.0
    };
    let n = if part > 0.0 {
        pct.round().clamp(1.0, 100.0)
    } else {
        0.0
    };
    format!("w-{}", n as u32)
}

fn badge(decision: &str) -> String {
    let d = esc(decision);
    format!(r#"<span class="badge {d}">{d}</span>"#)
}

fn session_cell(id: &str) -> String {
    if id.is_empty() {
        return String::new();
    }
    let id = esc(id);
    format!(
        r#"<code class="session-id">{id}</code> <button type="button" class="copy" data-copy="{id}" title="copy the session id">copy</button>"#
    )
}

fn time(ts: &str) -> String {
    let t = ts.replacen('T', " ", 1);
    let t = t.split('.').next().unwrap_or("");
    esc(t.trim_end_matches('Z'))
}

/// One timeline row.
pub fn timeline_row(r: &Value) -> String {
    let rules: Vec<&str> = r["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let ms = match &r["latency_ms"] {
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    let target = esc(str_of(r, "target"));
    format!(
        r#"<tr data-session="{session}"><td>{time}</td><td class="session">{cell}</td><td>{event}</td><td>{tool}</td><td class="target" title="{target}">{target}</td><td>{badge}</td><td>{rules}</td><td class="ms">{ms}</td></tr>"#,
        session = esc(str_of(r, "session")),
        time = time(str_of(r, "ts")),
        cell = session_cell(str_of(r, "session")),
        event = esc(str_of(r, "event")),
        tool = esc(str_of(r, "tool")),
        badge = badge(r["decision"].as_str().unwrap_or("-")),
        rules = esc(&rules.join(", ")),
    )
}

/// The timeline body: newest first.
pub fn timeline(records: &[Value]) -> String {
    records
        .iter()
        .rev()
        .take(FIRST_ROWS)
        .map(timeline_row)
        .collect()
}

/// The header's counts.
pub fn totals(s: &Value) -> String {
    let d = &s["decisions"];
    let n = |k: &str| d[k].as_u64().unwrap_or(0);
    format!(
        "{} events · {} denied · {} asked · {} blocked",
        s["total"].as_u64().unwrap_or(0),
        n("deny"),
        n("ask"),
        n("block")
    )
}

/// The list of denials, asks and blocks, with their rules' reasons.
pub fn gated(s: &Value) -> String {
    let items: Vec<String> = s["gated"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let rules: Vec<&str> = r["rules"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let what = r["tool"].as_str().or(r["event"].as_str()).unwrap_or("");
            let reason = r["reason"].as_str().or(r["target"].as_str()).unwrap_or("");
            format!(
                r#"<li>{} {} <code>{}</code><span class="reason">{}</span></li>"#,
                badge(r["decision"].as_str().unwrap_or("-")),
                esc(what),
                esc(&rules.join(", ")),
                esc(reason)
            )
        })
        .collect();
    if items.is_empty() {
        return r#"<li class="muted">nothing stopped yet</li>"#.to_string();
    }
    items.concat()
}

/// The most frequent rules as bars.
pub fn rules(s: &Value) -> String {
    let top: Vec<(&str, u64)> = s["top_rules"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["id"].as_str().unwrap_or(""),
                r["count"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let max = top.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
    top.iter()
        .map(|(id, n)| {
            format!(
                r#"<li><code>{}</code><div class="bar {}"></div><span>{n}</span></li>"#,
                esc(id),
                width_class(*n as f64, max)
            )
        })
        .collect()
}

/// The custom rules (`.agentops/rules.toml`, `~/.agentops/rules.toml`):
/// each with its origin and how often it fired, and the rule files that do
/// not load.
pub fn custom_rules(s: &Value) -> String {
    let mut rows: Vec<String> = s["custom_rule_files_invalid"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            format!(
                r#"<li class="problem"><code>{}</code> does not load: {}</li>"#,
                esc(str_of(f, "path")),
                esc(str_of(f, "problem"))
            )
        })
        .collect();
    rows.extend(s["custom_rules"].as_array().into_iter().flatten().map(|r| {
        let title = match (str_of(r, "verdict"), str_of(r, "path")) {
            ("", "") => String::new(),
            (verdict, path) => format!(r#" title="{} · {}""#, esc(verdict), esc(path)),
        };
        format!(
            r#"<li{title}><code>{}</code> <span class="origin">{}</span> <span>{}</span></li>"#,
            esc(str_of(r, "id")),
            esc(str_of(r, "origin")),
            r["count"].as_u64().unwrap_or(0)
        )
    }));
    if rows.is_empty() {
        return r#"<li class="muted">no custom rule fired yet</li>"#.to_string();
    }
    rows.concat()
}

/// Sessions with their counts and full ids.
pub fn sessions(s: &Value) -> String {
    s["sessions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            let id = str_of(x, "id");
            format!(
                r#"<li><a class="session-link" data-session="{}">{}</a> <button type="button" class="copy" data-copy="{}" title="copy the session id">copy</button><span class="reason">{} events, {} stopped · {} → {}</span></li>"#,
                esc(id),
                esc(id),
                esc(id),
                x["events"].as_u64().unwrap_or(0),
                x["gated"].as_u64().unwrap_or(0),
                esc(str_of(x, "first")),
                esc(str_of(x, "last"))
            )
        })
        .collect()
}

/// Colour classes for models (`.c-0` … `.c-5` in `app.css`).
const COLOURS: usize = 6;

/// Cost per day and model: a bar per row, coloured per model, and a
/// legend.
pub fn cost(c: &Value) -> String {
    let series: Vec<(&str, &str, f64)> = c["series"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                str_of(p, "day"),
                str_of(p, "model"),
                p["usd"].as_f64().unwrap_or(0.0),
            )
        })
        .collect();
    if series.is_empty() {
        return r#"<p class="muted">no cost recorded yet</p>"#.to_string();
    }
    let mut models: Vec<&str> = series.iter().map(|(_, m, _)| *m).collect();
    models.sort_unstable();
    models.dedup();
    let colour = |m: &str| models.iter().position(|x| *x == m).unwrap_or(0) % COLOURS;
    let max = series.iter().map(|(_, _, u)| *u).fold(0.0, f64::max);
    let mut rows: Vec<&(&str, &str, f64)> = series.iter().collect();
    rows.sort_by(|a, b| b.0.cmp(a.0).then(a.1.cmp(b.1)));
    let body: String = rows
        .iter()
        .map(|(day, model, usd)| {
            format!(
                r#"<tr><td>{}</td><td class="c-{}">{}</td><td class="num">${usd:.2}</td><td class="barcell"><div class="bar fill-{} {}"></div></td></tr>"#,
                esc(day),
                colour(model),
                esc(model),
                colour(model),
                width_class(*usd, max)
            )
        })
        .collect();
    let legend: String = models
        .iter()
        .map(|m| {
            format!(
                r#"<span class="legend c-{}">■ {}</span>"#,
                colour(m),
                esc(m)
            )
        })
        .collect();
    let total: f64 = series.iter().map(|(_, _, u)| u).sum();
    let budget = c["budget"]
        .as_f64()
        .map_or(String::new(), |b| format!(" of ${b:.2}"));
    format!(
        r#"<table class="cost"><thead><tr><th>day</th><th>model</th><th>USD</th><th></th></tr></thead><tbody>{body}</tbody></table><p>{legend}</p><p class="muted">total ${total:.2}{budget}</p>"#
    )
}

/// Supply-chain and integrity: counts, then the findings as a table of
/// kind, file, line and what was found.
pub fn status(s: &Value) -> String {
    let counts: BTreeMap<String, u64> = s["counts"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_u64()?)))
        .collect();
    let findings: Vec<&Value> = s["findings"].as_array().into_iter().flatten().collect();
    if counts.is_empty() && findings.is_empty() {
        return r#"<p class="muted">no scan recorded yet</p>"#.to_string();
    }
    let summary: String = counts
        .iter()
        .map(|(k, n)| format!("<dt>{}</dt><dd>{n}</dd>", esc(k)))
        .collect();
    if findings.is_empty() {
        return format!(r#"<dl>{summary}</dl><p class="muted">no findings</p>"#);
    }
    let rows: String = findings
        .iter()
        .map(|f| {
            let line = match &f["line"] {
                Value::Number(n) => n.to_string(),
                _ => String::new(),
            };
            format!(
                r#"<tr><td>{}</td><td class="file">{}</td><td class="num">{line}</td><td>{}</td><td class="detail">{}</td></tr>"#,
                esc(str_of(f, "kind")),
                esc(str_of(f, "file")),
                esc(str_of(f, "id")),
                esc(str_of(f, "detail"))
            )
        })
        .collect();
    format!(
        r#"<dl>{summary}</dl><table id="findings"><thead><tr><th>kind</th><th>file</th><th>line</th><th>rule</th><th>finding</th></tr></thead><tbody>{rows}</tbody></table>"#
    )
}

/// The exceptions table: each exception with its scope, what it applies
/// to, its expiry (expired ones marked) and how often the audit log shows
/// it used or ignored as expired.
pub fn exceptions(panel: &Value, audit: &[Value]) -> String {
    let mut used: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    for r in audit {
        for c in r["exceptions"].as_array().into_iter().flatten() {
            let key = (str_of(c, "scope").to_string(), str_of(c, "id").to_string());
            let entry = used.entry(key).or_default();
            match str_of(c, "status") {
                "used" => entry.0 += 1,
                "expired" => entry.1 += 1,
                _ => {}
            }
        }
    }
    let problems: String = panel["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|p| format!(r#"<p class="problem">{}</p>"#, esc(p)))
        .collect();
    let rows: Vec<&Value> = panel["exceptions"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    if rows.is_empty() {
        return format!(r#"{problems}<p class="muted">no exceptions</p>"#);
    }
    let body: String = rows
        .iter()
        .map(|e| {
            let key = (str_of(e, "scope").to_string(), str_of(e, "id").to_string());
            let (uses, expired_hits) = used.get(&key).copied().unwrap_or_default();
            let target = match (e["pattern"].as_str(), e["path"].as_str()) {
                (Some(p), _) => format!("command {p}"),
                (None, Some(p)) => format!("path {p}"),
                (None, None) => "any call".to_string(),
            };
            let (state, class) = if e["ignored"].is_string() {
                ("ignored: hard-list rule", "ignored")
            } else if e["expired"] == true {
                ("expired", "expired")
            } else {
                ("live", "live")
            };
            format!(
                r#"<tr class="{class}"><td>{}</td><td class="num">{}</td><td><code>{}</code></td><td class="detail">{}</td><td>{}</td><td>{state}</td><td class="num">{uses}</td><td class="num">{expired_hits}</td><td class="detail">{}</td></tr>"#,
                esc(str_of(e, "scope")),
                e["index"].as_u64().unwrap_or(0),
                esc(str_of(e, "rule")),
                esc(&target),
                esc(e["expires"].as_str().unwrap_or("never")),
                esc(str_of(e, "reason")),
            )
        })
        .collect();
    format!(
        r#"{problems}<table id="exceptions"><thead><tr><th>scope</th><th>n</th><th>rule</th><th>applies to</th><th>expires</th><th>state</th><th>used</th><th>expired hits</th><th>reason</th></tr></thead><tbody>{body}</tbody></table>"#
    )
}

/// Fill `__NAME__` markers of the page template. Only the template is
/// scanned, never the inserted values, so data that happens to contain
/// a marker stays as it is.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("__") {
        let after = &rest[start + 2..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_uppercase() || c == '_'))
            .unwrap_or(after.len());
        let candidate = &after[..name_len];
        match candidate
            .strip_suffix("__")
            .and_then(|name| values.iter().find(|(n, _)| *n == name))
        {
            Some((_, value)) => {
                out.push_str(&rest[..start]);
                out.push_str(value);
                rest = &after[name_len..];
            }
            None => {
                out.push_str(&rest[..start + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn markers_are_filled_from_the_template_only() {
        let page = fill(
            "<b data-t=\"__TOKEN__\">__BODY__</b>__UNKNOWN__ __",
            &[("TOKEN", "t1"), ("BODY", "__TOKEN__")],
        );
        assert_eq!(page, "<b data-t=\"t1\">__TOKEN__</b>__UNKNOWN__ __");
    }

    #[test]
    fn bars_differ_by_class_and_small_counts_still_show() {
        let html =
            rules(&json!({"top_rules": [{"id": "CMD001", "count": 200}, {"id": "X", "count": 1}]}));
        assert!(html.contains(r#"class="bar w-100""#), "{html}");
        assert!(html.contains(r#"class="bar w-1""#), "{html}");
        assert!(!html.contains("style"), "{html}");
        assert_eq!(width_class(0.0, 5.0), "w-0");
        assert!(width_classes().contains(".w-37{width:37%}"));
    }

    #[test]
    fn findings_are_a_table_with_file_line_and_kind() {
        let html = status(&json!({"counts": {"unicode": 1},
            "findings": [{"kind": "unicode", "file": "src/<a>.rs", "line": 12, "id": "U+202E", "detail": "bidi"}]}));
        assert!(
            html.contains(
                r#"<td>unicode</td><td class="file">src/&lt;a&gt;.rs</td><td class="num">12</td>"#
            ),
            "{html}"
        );
        assert!(!html.contains('['), "no raw JSON: {html}");
    }

    #[test]
    fn rows_show_the_full_session_id_with_copy_and_the_duration() {
        let row = timeline_row(
            &json!({"ts": "2026-01-02T03:04:05.678Z", "session": "0f8e7d6c-5b4a-3928-1716-0a0b0c0d0e0f",
            "event": "PostToolUse", "tool": "Bash", "decision": "-", "rules": [], "latency_ms": 250}),
        );
        assert!(
            row.contains(r#"<code class="session-id">0f8e7d6c-5b4a-3928-1716-0a0b0c0d0e0f</code>"#),
            "{row}"
        );
        assert!(
            row.contains(r#"data-copy="0f8e7d6c-5b4a-3928-1716-0a0b0c0d0e0f""#),
            "{row}"
        );
        assert!(row.contains(r#"<td class="ms">250</td>"#), "{row}");
        assert!(row.contains("<td>2026-01-02 03:04:05</td>"), "{row}");
    }

    #[test]
    fn exceptions_show_state_and_uses_from_the_audit_log() {
        let panel = serde_json::json!({"exceptions": [
            {"scope": "project", "index": 1, "id": "aaaa0001", "rule": "CMD029", "pattern": "git push *", "reason": "<ok>", "expired": false, "expires": null, "ignored": null},
            {"scope": "user", "index": 1, "id": "bbbb0002", "rule": "PATH007", "path": "/etc/hosts", "reason": "r", "expired": true, "expires": "2020-01-01T00:00:00Z", "ignored": null}
        ]});
        let audit = vec![
            serde_json::json!({"exceptions": [{"scope": "project", "id": "aaaa0001", "status": "used"}]}),
            serde_json::json!({"exceptions": [{"scope": "project", "id": "aaaa0001", "status": "used"}, {"scope": "user", "id": "bbbb0002", "status": "expired"}]}),
        ];
        let html = exceptions(&panel, &audit);
        assert!(
            html.contains(r#"<tr class="live"><td>project</td>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<td class="num">2</td><td class="num">0</td>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<tr class="expired"><td>user</td>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<td class="num">0</td><td class="num">1</td>"#),
            "{html}"
        );
        assert!(
            html.contains("&lt;ok&gt;") && !html.contains("style="),
            "{html}"
        );
        assert!(exceptions(&serde_json::json!({}), &[]).contains("no exceptions"));
    }
}
