//! Supply-chain policies: invisible-Unicode firewall and scan, lockfile audit, integrity manifest.
//!
//! The decisions only: every read goes through the context's world. The
//! `agentops scan` reports built on them live in the `agentops-scan`
//! crate, which reads the host.

mod common;
pub mod integrity_verify;
pub mod lockfile_audit;
pub mod unicode_firewall;
pub mod unicode_scan_session;
