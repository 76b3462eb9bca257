//! Records agentops writes and reads back: the tamper-evident audit log and
//! its hash chain, the telemetry spool and its OTLP export, and the clock
//! every record is stamped with.
//!
//! - [`audit`] and [`telemetry`]: record builders the engine calls after
//!   merging, because only the merged answer knows the final decision and
//!   every rule that fired (`.agentops/audit.jsonl`,
//!   `.agentops/telemetry.jsonl`);
//! - [`chain`]: the hash chain linking audit records, its verification
//!   and the verification report;
//! - [`query`] and [`stats`]: filters, the table and counts over audit
//!   records for `agentops audit`;
//! - [`otlp`]: the spool as OTLP/JSON logs and spans, and the endpoint
//!   policy; [`metrics`]: the counters; [`protobuf`]: the same requests
//!   as `http/protobuf`; [`otel_env`]: the OpenTelemetry environment;
//! - [`export`]: what `agentops telemetry export` sends and how far the
//!   spool offset moves;
//! - [`clock`]: the timestamps records carry, and `--since`;
//! - [`redacted`]: redact, then bound, for every text written.
//!
//! The crate does no network I/O and takes no locks: the command line and
//! the engine do, and call in here to decide.

#![warn(missing_docs)]

pub mod audit;
pub mod chain;
pub mod clock;
pub mod export;
pub mod metrics;
pub mod otel_env;
pub mod otlp;
pub mod protobuf;
pub mod query;
pub mod redacted;
pub mod stats;
pub mod telemetry;

pub use redacted::{redact_bounded, redact_value_bounded};
