//! Observability policies: audit log, telemetry, provenance, failures, cost.
