//! The plugin's commands, agents and templates, compiled into the binary
//! (build.rs lists them), so `agentops install` writes the whole plugin
//! wherever it runs, not only in the checkout it was built from.

include!(concat!(env!("OUT_DIR"), "/plugin_content.rs"));
