//! Where and how telemetry is sent, from the standard OpenTelemetry
//! environment (the OTLP exporter and SDK variables), with agentops' own
//! older names kept as aliases. The standard name wins when both are set.
//!
//! | variable | meaning |
//! |---|---|
//! | `OTEL_EXPORTER_OTLP_ENDPOINT` (alias `OTLP_ENDPOINT`) | base URL; `/v1/logs`, `/v1/traces`, `/v1/metrics` are appended |
//! | `OTEL_EXPORTER_OTLP_{LOGS,TRACES,METRICS}_ENDPOINT` | that signal's full URL, used as is |
//! | `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_{SIGNAL}_HEADERS` | `key=value,...` (values percent-decoded); `OTLP_AUTH_TOKEN` adds `Authorization: Bearer` unless a header sets it |
//! | `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_EXPORTER_OTLP_{SIGNAL}_PROTOCOL` | `http/protobuf` (default) or `http/json` |
//! | `OTEL_EXPORTER_OTLP_TIMEOUT`, `OTEL_EXPORTER_OTLP_{SIGNAL}_TIMEOUT` | milliseconds per request (default 10000) |
//! | `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` | `cumulative` (default), `delta` or `lowmemory` |
//! | `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES` | the resource (`service.name` defaults to `agentops`) |
//! | `OTEL_SDK_DISABLED=true` | nothing is sent |
//! | `OTLP_HOSTNAME_ALLOWLIST` | hosts an endpoint may name (agentops' own) |
//!
//! Every URL passes [`check_endpoint`]: https, or plain http to a loopback
//! address only.

use std::time::Duration;

use crate::export::Signal;
use crate::otlp::{check_endpoint, Endpoint};

/// How a request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `http/protobuf`: the OTLP default.
    Protobuf,
    /// `http/json`.
    Json,
}

impl Protocol {
    /// The request's `Content-Type`.
    pub fn content_type(self) -> &'static str {
        match self {
            Protocol::Protobuf => "application/x-protobuf",
            Protocol::Json => "application/json",
        }
    }

    fn parse(name: &str, var: &str) -> Result<Protocol, String> {
        match name.trim().to_ascii_lowercase().as_str() {
            "http/protobuf" => Ok(Protocol::Protobuf),
            "http/json" => Ok(Protocol::Json),
            "grpc" => Err(format!(
                "{var}=grpc is not supported: agentops sends OTLP over HTTP; use http/protobuf or http/json"
            )),
            other => Err(format!(
                "{var}=`{other}`: expected http/protobuf or http/json"
            )),
        }
    }
}

/// Metric aggregation temporality, as OTLP numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Temporality {
    /// Each point counts what happened since the previous export.
    Delta = 1,
    /// Each point counts everything since a fixed start.
    Cumulative = 2,
}

/// Where one signal goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The checked URL requests are posted to.
    pub endpoint: Endpoint,
    /// Body encoding.
    pub protocol: Protocol,
    /// Extra request headers (authorization and the like).
    pub headers: Vec<(String, String)>,
    /// Time allowed for one request.
    pub timeout: Duration,
}

impl Target {
    /// The URL requests are posted to.
    pub fn url(&self) -> &str {
        &self.endpoint.base
    }
}

/// The exporter's whole configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Logs target; `None` sends no logs.
    pub logs: Option<Target>,
    /// Traces target; `None` sends no spans.
    pub traces: Option<Target>,
    /// Metrics target; `None` sends no metrics.
    pub metrics: Option<Target>,
    /// Resource attributes, `service.name` first.
    pub resource: Vec<(String, String)>,
    /// Temporality of the counters.
    pub temporality: Temporality,
}

impl Config {
    /// The target of `signal`, if it is sent at all.
    pub fn target(&self, signal: Signal) -> Option<&Target> {
        match signal {
            Signal::Logs => self.logs.as_ref(),
            Signal::Traces => self.traces.as_ref(),
            Signal::Metrics => self.metrics.as_ref(),
        }
    }

    /// A short description of where things go, for messages.
    pub fn describe(&self) -> String {
        let urls: Vec<&str> = [&self.logs, &self.traces, &self.metrics]
            .into_iter()
            .flatten()
            .map(|t| t.url())
            .collect();
        let mut unique: Vec<&str> = Vec::new();
        for u in urls {
            let base = u
                .trim_end_matches(Signal::Logs.path())
                .trim_end_matches(Signal::Traces.path())
                .trim_end_matches(Signal::Metrics.path());
            if !unique.contains(&base) {
                unique.push(base);
            }
        }
        unique.join(", ")
    }
}

/// The default request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

fn signal_name(signal: Signal) -> &'static str {
    match signal {
        Signal::Logs => "LOGS",
        Signal::Traces => "TRACES",
        Signal::Metrics => "METRICS",
    }
}

/// Whether any exporter endpoint is configured (and the SDK not
/// disabled): the cheap test the hook path makes before anything else.
pub fn configured(get: &dyn Fn(&str) -> Option<String>) -> bool {
    let set = |name: &str| get(name).is_some_and(|v| !v.trim().is_empty());
    if get("OTEL_SDK_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
        return false;
    }
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        "OTLP_ENDPOINT",
    ]
    .iter()
    .any(|n| set(n))
}

/// `key=value,key=value` as OTEL_EXPORTER_OTLP_HEADERS and
/// OTEL_RESOURCE_ATTRIBUTES write it (W3C baggage: values
/// percent-encoded). A member without `=` is an error, so a typo does
/// not silently drop a credential.
pub fn parse_pairs(text: &str, var: &str) -> Result<Vec<(String, String)>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(|member| {
            let (k, v) = member
                .split_once('=')
                .ok_or_else(|| format!("{var}: `{member}` is not key=value"))?;
            let key = k.trim();
            if key.is_empty() {
                return Err(format!("{var}: `{member}` has no key"));
            }
            let value = percent_encoding::percent_decode_str(v.trim())
                .decode_utf8()
                .map_err(|_| format!("{var}: the value of `{key}` is not UTF-8"))?;
            Ok((key.to_string(), value.into_owned()))
        })
        .collect()
}

/// The configuration from the environment (`get` reads a variable; an
/// empty value counts as unset). `endpoint` (`--endpoint`) replaces the
/// base URL. `Ok(None)`: nothing is configured, or the SDK is disabled.
pub fn from_env(
    get: &dyn Fn(&str) -> Option<String>,
    endpoint: Option<&str>,
) -> Result<Option<Config>, String> {
    let var = |name: &str| get(name).filter(|v| !v.trim().is_empty());
    if var("OTEL_SDK_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
        return Ok(None);
    }
    let allowlist = var("OTLP_HOSTNAME_ALLOWLIST");
    let base = match endpoint.filter(|e| !e.trim().is_empty()) {
        Some(e) => Some(e.to_string()),
        None => var("OTEL_EXPORTER_OTLP_ENDPOINT").or_else(|| var("OTLP_ENDPOINT")),
    };
    let generic_headers = match var("OTEL_EXPORTER_OTLP_HEADERS") {
        Some(h) => parse_pairs(&h, "OTEL_EXPORTER_OTLP_HEADERS")?,
        None => Vec::new(),
    };
    let generic_protocol = match var("OTEL_EXPORTER_OTLP_PROTOCOL") {
        Some(p) => Protocol::parse(&p, "OTEL_EXPORTER_OTLP_PROTOCOL")?,
        None => Protocol::Protobuf,
    };
    let generic_timeout = timeout(
        var("OTEL_EXPORTER_OTLP_TIMEOUT"),
        "OTEL_EXPORTER_OTLP_TIMEOUT",
    )?
    .unwrap_or(DEFAULT_TIMEOUT);
    let token = var("OTLP_AUTH_TOKEN");
    let target = |signal: Signal| -> Result<Option<Target>, String> {
        let name = signal_name(signal);
        let own = var(&format!("OTEL_EXPORTER_OTLP_{name}_ENDPOINT"));
        // With --endpoint the per-signal URLs give way too: the flag names
        // the one collector to use.
        let url = match (endpoint.is_some(), own, &base) {
            (false, Some(url), _) => url,
            (_, _, Some(base)) => format!("{}{}", base.trim().trim_end_matches('/'), signal.path()),
            (_, _, None) => return Ok(None),
        };
        let endpoint = check_endpoint(&url, allowlist.as_deref())?;
        let protocol_var = format!("OTEL_EXPORTER_OTLP_{name}_PROTOCOL");
        let protocol = match var(&protocol_var) {
            Some(p) => Protocol::parse(&p, &protocol_var)?,
            None => generic_protocol,
        };
        let headers_var = format!("OTEL_EXPORTER_OTLP_{name}_HEADERS");
        let mut headers = generic_headers.clone();
        if let Some(h) = var(&headers_var) {
            for (k, v) in parse_pairs(&h, &headers_var)? {
                headers.retain(|(old, _)| !old.eq_ignore_ascii_case(&k));
                headers.push((k, v));
            }
        }
        if let Some(t) = &token {
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            {
                headers.push(("Authorization".into(), format!("Bearer {t}")));
            }
        }
        let timeout_var = format!("OTEL_EXPORTER_OTLP_{name}_TIMEOUT");
        let timeout = timeout(var(&timeout_var), &timeout_var)?.unwrap_or(generic_timeout);
        Ok(Some(Target {
            endpoint,
            protocol,
            headers,
            timeout,
        }))
    };
    let (logs, traces, metrics) = (
        target(Signal::Logs)?,
        target(Signal::Traces)?,
        target(Signal::Metrics)?,
    );
    if logs.is_none() && traces.is_none() && metrics.is_none() {
        return Ok(None);
    }
    let mut resource = match var("OTEL_RESOURCE_ATTRIBUTES") {
        Some(r) => parse_pairs(&r, "OTEL_RESOURCE_ATTRIBUTES")?,
        None => Vec::new(),
    };
    let service = var("OTEL_SERVICE_NAME")
        .map(|s| s.trim().to_string())
        .or_else(|| {
            resource
                .iter()
                .find(|(k, _)| k == "service.name")
                .map(|(_, v)| v.clone())
        })
        .unwrap_or_else(|| "agentops".to_string());
    resource.retain(|(k, _)| k != "service.name" && k != "service.version");
    resource.insert(0, ("service.name".into(), service));
    resource.insert(
        1,
        ("service.version".into(), env!("CARGO_PKG_VERSION").into()),
    );
    let temporality_var = "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE";
    let temporality = match var(temporality_var)
        .map(|t| t.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("cumulative") => Temporality::Cumulative,
        // Low memory keeps counters as deltas (the spec's table).
        Some("delta" | "lowmemory") => Temporality::Delta,
        Some(other) => {
            return Err(format!(
                "{temporality_var}=`{other}`: expected cumulative, delta or lowmemory"
            ))
        }
    };
    Ok(Some(Config {
        logs,
        traces,
        metrics,
        resource,
        temporality,
    }))
}

fn timeout(value: Option<String>, var: &str) -> Result<Option<Duration>, String> {
    value
        .map(|v| {
            v.trim()
                .parse::<u64>()
                .ok()
                .filter(|ms| *ms > 0)
                .map(Duration::from_millis)
                .ok_or_else(|| format!("{var}=`{v}`: expected a positive number of milliseconds"))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)], flag: Option<&str>) -> Result<Option<Config>, String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        from_env(&|name| map.get(name).cloned(), flag)
    }

    #[test]
    fn nothing_configured_is_none() {
        assert_eq!(config(&[], None), Ok(None));
        assert_eq!(
            config(&[("OTEL_EXPORTER_OTLP_ENDPOINT", " ")], None),
            Ok(None)
        );
        let disabled = [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"),
            ("OTEL_SDK_DISABLED", "TRUE"),
        ];
        assert_eq!(config(&disabled, None), Ok(None));
        let get = |n: &str| {
            disabled
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        };
        assert!(!configured(&get));
        assert!(configured(
            &|n: &str| (n == "OTLP_ENDPOINT").then(|| "x".to_string())
        ));
    }

    #[test]
    fn the_standard_base_wins_over_the_alias_and_signals_get_their_paths() {
        let c = config(
            &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318/base/"),
                ("OTLP_ENDPOINT", "http://127.0.0.1:9999"),
                (
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                    "https://traces.example/custom",
                ),
            ],
            None,
        )
        .expect("valid")
        .expect("configured");
        let url = |s| c.target(s).map(|t| t.url().to_string());
        assert_eq!(
            url(Signal::Logs).as_deref(),
            Some("http://127.0.0.1:4318/base/v1/logs")
        );
        assert_eq!(
            url(Signal::Traces).as_deref(),
            Some("https://traces.example/custom")
        );
        assert_eq!(
            url(Signal::Metrics).as_deref(),
            Some("http://127.0.0.1:4318/base/v1/metrics")
        );
        assert_eq!(
            c.logs.as_ref().map(|t| t.protocol),
            Some(Protocol::Protobuf)
        );
        assert_eq!(c.temporality, Temporality::Cumulative);
        let alias = config(&[("OTLP_ENDPOINT", "http://127.0.0.1:9999")], None)
            .expect("valid")
            .expect("configured");
        assert_eq!(
            alias.target(Signal::Logs).map(Target::url),
            Some("http://127.0.0.1:9999/v1/logs")
        );
        let only_traces = config(
            &[(
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://localhost:4318/v1/traces",
            )],
            None,
        )
        .expect("valid")
        .expect("configured");
        assert!(only_traces.logs.is_none() && only_traces.metrics.is_none());
        let flag = config(
            &[(
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "https://traces.example/custom",
            )],
            Some("http://127.0.0.1:1"),
        )
        .expect("valid")
        .expect("configured");
        assert_eq!(
            flag.target(Signal::Traces).map(Target::url),
            Some("http://127.0.0.1:1/v1/traces")
        );
    }

    #[test]
    fn headers_protocol_timeout_and_token() {
        let c = config(
            &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"),
                ("OTEL_EXPORTER_OTLP_HEADERS", "x-tenant=a%20b, api-key=k1"),
                ("OTEL_EXPORTER_OTLP_LOGS_HEADERS", "API-KEY=k2"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
                ("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/protobuf"),
                ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
                ("OTLP_AUTH_TOKEN", "tok"),
            ],
            None,
        )
        .expect("valid")
        .expect("configured");
        let logs = c.logs.as_ref().expect("logs");
        assert_eq!(
            logs.headers,
            [
                ("x-tenant".to_string(), "a b".to_string()),
                ("API-KEY".to_string(), "k2".to_string()),
                ("Authorization".to_string(), "Bearer tok".to_string()),
            ]
        );
        assert_eq!(logs.protocol, Protocol::Json);
        assert_eq!(logs.timeout, Duration::from_millis(2500));
        assert_eq!(
            c.metrics.as_ref().map(|t| t.protocol),
            Some(Protocol::Protobuf)
        );
        let standard_auth = config(
            &[
                ("OTLP_ENDPOINT", "http://127.0.0.1:4318"),
                ("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Basic xyz"),
                ("OTLP_AUTH_TOKEN", "tok"),
            ],
            None,
        )
        .expect("valid")
        .expect("configured");
        assert_eq!(
            standard_auth.logs.map(|t| t.headers),
            Some(vec![("authorization".to_string(), "Basic xyz".to_string())])
        );
    }

    #[test]
    fn the_resource_takes_the_service_name_and_attributes() {
        let base = ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318");
        let c = config(
            &[
                base,
                (
                    "OTEL_RESOURCE_ATTRIBUTES",
                    "service.name=from-attrs,deployment.environment=ci",
                ),
                ("OTEL_SERVICE_NAME", "my-agents"),
            ],
            None,
        )
        .expect("valid")
        .expect("configured");
        assert_eq!(
            c.resource[0],
            ("service.name".to_string(), "my-agents".to_string())
        );
        assert_eq!(c.resource[1].0, "service.version");
        assert!(c
            .resource
            .contains(&("deployment.environment".to_string(), "ci".to_string())));
        assert_eq!(c.resource.len(), 3);
        let from_attrs = config(
            &[base, ("OTEL_RESOURCE_ATTRIBUTES", "service.name=x")],
            None,
        )
        .expect("valid")
        .expect("configured");
        assert_eq!(from_attrs.resource[0].1, "x");
        let default = config(&[base], None).expect("valid").expect("configured");
        assert_eq!(default.resource[0].1, "agentops");
    }

    #[test]
    fn mistakes_are_errors_not_silent_defaults() {
        let base = ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318");
        for bad in [
            vec![base, ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")],
            vec![base, ("OTEL_EXPORTER_OTLP_PROTOCOL", "thrift")],
            vec![base, ("OTEL_EXPORTER_OTLP_HEADERS", "no-equals-sign")],
            vec![base, ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon")],
            vec![
                base,
                (
                    "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
                    "sometimes",
                ),
            ],
            vec![(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "http://collector.example.com:4318",
            )],
            vec![(
                "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
                "http://10.0.0.1/v1/logs",
            )],
        ] {
            assert!(config(&bad, None).is_err(), "{bad:?}");
        }
        let delta = config(
            &[
                base,
                (
                    "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
                    "LowMemory",
                ),
            ],
            None,
        )
        .expect("valid")
        .expect("configured");
        assert_eq!(delta.temporality, Temporality::Delta);
    }
}
