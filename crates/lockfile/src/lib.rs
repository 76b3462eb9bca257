//! Lockfile parsers and supply-chain checks.
