//! Supply-chain policies: invisible-Unicode firewall and scan, lockfile audit, integrity manifest.

mod common;
mod edge;
pub mod integrity_verify;
pub mod lockfile_audit;
pub mod scan;
pub mod unicode_firewall;
pub mod unicode_scan_session;
