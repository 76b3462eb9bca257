//! Records agentops writes and reads back: the tamper-evident audit log and
//! its hash chain, the telemetry spool and its OTLP export, and the clock
//! every record is stamped with.
//!
//! - [`audit`] and [`telemetry`]: record builders the engine calls after
//!   merging, because only the merged answer knows the final decision and
//!   every rule that fired (`.agentops/audit.jsonl`,
//!   `.agentops/telemetry.jsonl`);
//! - [`chain`]: the hash chain linking audit records, and its verification;
//! - [`query`]: filters and statistics over audit records for `agentops
//!   audit`;
//! - [`otlp`]: the spool as OTLP/HTTP JSON, for `agentops telemetry export`;
//! - [`clock`]: the timestamps records carry;
//! - [`redacted`]: redact, then bound, for every text written.

pub mod audit;
pub mod chain;
pub mod clock;
pub mod otlp;
pub mod redacted;
pub mod telemetry;

pub use redacted::{redact_bounded, redact_value_bounded};
