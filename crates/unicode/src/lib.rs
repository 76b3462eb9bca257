//! Invisible and deceptive Unicode: the detector behind the unicode
//! firewall, the session scan, `agentops scan unicode` and the lockfile
//! audit.
//!
//! - [`detect`]: which code points are flagged and when an emoji, flag,
//!   CJK or joining-script sequence makes one legitimate; scanning and
//!   stripping raw bytes.
//! - [`report`]: hits grouped into findings with line, column and a
//!   visible rendering of the context.
//! - [`tree`]: the parallel, cached, time-boxed scan of a directory.
//! - [`ignores`]: the ignore files that scan honours, for callers that
//!   list the files themselves.

#![warn(missing_docs)]

pub mod detect;
pub mod ignores;
pub mod report;
pub mod tree;

pub use detect::{
    character_table, contains_flagged, describe_categories, first_hit, sanitize, scan, strip,
    Category, Hit, Options,
};
pub use report::{findings, Finding};
pub use tree::{
    scan_listed, scan_tree, FileFindings, ListedFile, Progress, Stamp, TreeOptions, TreeReport,
    TreeSource,
};
