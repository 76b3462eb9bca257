//! The `agentops` command line as a library, so tests can run the real
//! argument parser (e.g. on every `agentops …` line in the plugin's docs).

pub mod cli;
pub mod docs;
