//! The workflow's files and what they mean: the plan (`tasks/todo.md`),
//! lessons (`tasks/lessons.md`), the evolve backlog of tool failures, and
//! the session state under `.agentops/` that several workflow hooks share.
//!
//! Models only: parsing, counting and rendering. Every read goes through
//! the [`Context`](agentops_core::Context)'s world, so the policies built
//! on these models stay pure; the `agentops todo`, `lessons` and `evolve`
//! commands use the same models.

#![warn(missing_docs)]

pub mod evolve;
pub mod lessons;
pub mod session;
pub mod todo;
