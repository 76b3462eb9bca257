//! `agentops scan`: supply-chain checks on demand.
//!
//! - `scan unicode [PATH] [--fix] [--json] [--write-baseline]`: invisible
//!   and deceptive Unicode in a directory or one file, less what the
//!   committed baseline (`.agentops-scan-baseline.json`) and
//!   `agentops: allow-unicode` comments cover;
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
    /// Project directory to scan (default: the current directory); `scan
    /// unicode` also takes a single file.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum What {
    /// Find invisible and deceptive Unicode (bidi controls, zero-width and tag
    /// characters, variation-selector payloads) in the project's text files,
    /// or in one file.
    ///
    /// Not reported: findings on a line containing `agentops: allow-unicode`
    /// or on the line right after it, and findings listed in the committed
    /// baseline `.agentops-scan-baseline.json` at the scanned root (same
    /// file, same code points, same line text). Both are counted in the
    /// summary and listed under `suppressed` in JSON.
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
        /// Record every finding (not covered by an allow comment) in
        /// .agentops-scan-baseline.json as known, and exit 0; for one file,
        /// only that file's entries are replaced.
        #[arg(long, conflicts_with_all = ["fix", "no_baseline"])]
        write_baseline: bool,
        /// Report the findings the baseline lists too.
        #[arg(long)]
        no_baseline: bool,
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

/// The root a single file is scanned under: the nearest directory above
/// it holding the baseline or a `.git`, else its own directory.
fn root_of_file(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new("/"));
    dir.ancestors()
        .find(|d| d.join(scan::suppress::BASELINE_FILE).is_file() || d.join(".git").exists())
        .unwrap_or(dir)
        .to_path_buf()
}

pub fn run(args: &Args) -> ExitCode {
    let common = match &args.what {
        What::Unicode { common, .. }
        | What::Lockfiles { common }
        | What::Integrity { common }
        | What::SupplyChain { common } => common,
    };
    let (root, file) = match common.path.canonicalize() {
        Ok(p) if p.is_dir() => (p, None),
        Ok(p) if p.is_file() && matches!(args.what, What::Unicode { .. }) => {
            let root = root_of_file(&p);
            let rel = p.strip_prefix(&root).map(Path::to_path_buf);
            match rel {
                Ok(rel) => (root, Some(rel)),
                Err(_) => {
                    eprintln!("agentops scan: {}: no directory above it", p.display());
                    return ExitCode::from(super::USAGE);
                }
            }
        }
        Ok(p) => {
            eprintln!(
                "agentops scan: {} is not a directory{}",
                p.display(),
                if p.is_file() {
                    " (only `scan unicode` takes a single file)"
                } else {
                    ""
                }
            );
            return ExitCode::from(super::USAGE);
        }
        Err(e) => {
            eprintln!("agentops scan: {}: {e}", common.path.display());
            return ExitCode::from(super::USAGE);
        }
    };
    let unicode_opts = |fix: bool, no_cache: bool, budget: Option<f64>| UnicodeOptions {
        fix,
        no_cache,
        budget: budget
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(Duration::from_secs_f64),
        progress: !common.json,
        file: file.clone(),
        ignore_baseline: false,
    };
    match &args.what {
        What::Unicode {
            fix,
            no_cache,
            budget,
            write_baseline,
            no_baseline,
            ..
        } => {
            let opts = UnicodeOptions {
                ignore_baseline: *no_baseline || *write_baseline,
                ..unicode_opts(*fix, *no_cache, *budget)
            };
            let r = scan::unicode(&root, &opts);
            if *write_baseline {
                return match scan::write_baseline(&r, file.as_deref()) {
                    Ok(entries) => {
                        let path = root.join(scan::suppress::BASELINE_FILE);
                        if common.json {
                            println!(
                                "{}",
                                serde_json::json!({"baseline": path, "entries": entries,
                                                   "findings": r.tree.finding_count()})
                            );
                        } else {
                            println!(
                                "wrote {} ({entries} known finding(s); {} from this scan); commit it",
                                path.display(),
                                r.tree.finding_count()
                            );
                        }
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("agentops scan: {e}");
                        ExitCode::from(1)
                    }
                };
            }
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
