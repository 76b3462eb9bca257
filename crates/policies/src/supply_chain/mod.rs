//! Supply-chain policies: invisible-Unicode firewall and scan, lockfile audit, integrity manifest.
