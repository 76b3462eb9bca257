//! `agentops scan`: supply-chain checks on demand.
//!
//! - `scan unicode [PATH] [--fix] [--json]`: invisible and deceptive Unicode;
//! - `scan lockfiles [PATH] [--json]`: the lockfile audit;
//! - `scan integrity [PATH] [--json]`: files changed since the agent wrote them;
//! - `scan supply-chain [PATH] [--json]`: all three in one report.
//!
//! Exit status: 0 when clean, 1 when something was found (so CI can gate on
//! it), 2 when the scan could not run.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use agentops_core::Flags;
use agentops_scan::{self as scan, UnicodeOptions};
use clap::Subcommand;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

/// Options every scan takes.
#[derive(clap::Args)]
pub struct Common {
    /// Project directory to scan (default: the current directory).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum What {
    /// Find invisible and deceptive Unicode (bidi controls, zero-width and tag
    /// characters, variation-selector payloads) in the project's text files.
    Unicode {
        #[command(flatten)]
        common: Common,
        /// Strip what was found from the files (atomically, keeping
        /// permissions) and scan them again.
        #[arg(long)]
        fix: bool,
        /// Neither use nor update the metadata cache.
        #[arg(long)]
        no_cache: bool,
        /// Stop after this many seconds and report a partial result.
        #[arg(long, value_name = "SECONDS")]
        budget: Option<f64>,
    },
    /// Audit every lockfile (root and one directory down).
    Lockfiles {
        #[command(flatten)]
        common: Common,
    },
    /// Verify files recorded in .agentops/integrity.jsonl.
    Integrity {
        #[command(flatten)]
        common: Common,
    },
    /// Unicode, lockfiles and integrity in one report.
    SupplyChain {
        #[command(flatten)]
        common: Common,
    },
}

fn project_flags(root: &Path) -> Flags {
    std::fs::read(root.join(".agentops").join("flags.json"))
        .map(|b| Flags::parse(&b))
        .unwrap_or_default()
}

fn finish(json: bool, table: String, value: serde_json::Value, findings: bool) -> ExitCode {
    if json {
        println!("{value}");
    } else {
        print!("{table}");
    }
    if findings {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

pub fn run(args: &Args) -> ExitCode {
    let common = match &args.what {
        What::Unicode { common, .. }
        | What::Lockfiles { common }
        | What::Integrity { common }
        | What::SupplyChain { common } => common,
    };
    let root = match common.path.canonicalize() {
        Ok(p) if p.is_dir() => p,
        Ok(p) => {
            eprintln!("agentops scan: {} is not a directory", p.display());
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("agentops scan: {}: {e}", common.path.display());
            return ExitCode::from(2);
        }
    };
    let unicode_opts = |fix: bool, no_cache: bool, budget: Option<f64>| UnicodeOptions {
        fix,
        no_cache,
        budget: budget
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(Duration::from_secs_f64),
        progress: !common.json,
    };
    match &args.what {
        What::Unicode {
            fix,
            no_cache,
            budget,
            ..
        } => {
            let r = scan::unicode(&root, &unicode_opts(*fix, *no_cache, *budget));
            finish(common.json, r.render_table(), r.to_json(), r.has_findings())
        }
        What::Lockfiles { .. } => {
            let r = scan::lockfiles(&root, &project_flags(&root));
            finish(common.json, r.render_table(), r.to_json(), r.has_findings())
        }
        What::Integrity { .. } => {
            let r = scan::integrity(&root);
            finish(common.json, r.render_table(), r.to_json(), r.has_findings())
        }
        What::SupplyChain { .. } => {
            let r = scan::supply_chain(
                &root,
                &project_flags(&root),
                &unicode_opts(false, false, None),
            );
            finish(common.json, r.render_table(), r.to_json(), r.has_findings())
        }
    }
}
