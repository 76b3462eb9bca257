//! `agentops dashboard`: a local web page over the project's `.agentops/`
//! logs.
//!
//! Security model: the server binds to 127.0.0.1 only, every request must
//! carry a random per-run token (in the URL the command prints), and the
//! `Host` header must name the loopback address and port, so neither
//! another local user nor a web page (DNS rebinding) can read the audit
//! trail.
//!
//! The server is plain threads over `std::net`: one thread per connection,
//! Server-Sent Events for live updates. Nothing here runs on the hook path.

#![warn(missing_docs)]

mod assets;
mod data;
mod http;
mod render;
mod server;

pub use data::{Durations, Feed, RuleReasons, Summary};
pub use server::{Dashboard, RunningDashboard};
