//! `fnwarden scan`: static analysis of a serverless project before deploy. Walks the tree,
//! reads its IaC into one project model, then runs every analyser (configuration and IAM,
//! taint, runtime hijack, secrets, dependencies) in parallel, links public triggers to tainted
//! sinks, and applies suppressions and the baseline.

mod chain;
mod finalize;
mod group;
mod intake;
mod pipeline;
mod shipped;
mod walk;

use std::path::PathBuf;

pub use fnwarden_posture::PostureOptions;
use fnwarden_project::ScanRule;
pub use fnwarden_scanout::Baseline;
pub use pipeline::scan;

/// What a scan does beyond the defaults.
pub struct ScanOptions {
    pub posture: PostureOptions,
    /// The OSV database; `None` for `fnwarden_deps::default_db_path()`.
    pub vuln_db: Option<PathBuf>,
    /// Path prefixes or names to leave out (`--exclude`).
    pub exclude: Vec<String>,
    /// Accepted findings, left out of the report and counted.
    pub baseline: Option<Baseline>,
    /// Larger files are skipped with a diagnostic.
    pub max_file_bytes: u64,
}

impl Default for ScanOptions {
    fn default() -> ScanOptions {
        ScanOptions { posture: PostureOptions::default(), vuln_db: None, exclude: Vec::new(), baseline: None, max_file_bytes: 16 << 20 }
    }
}

/// The stages a scan reports progress for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Reading every file once: secrets, manifests, binary and bundle detection.
    Files,
    /// Parsing and analysing the code, group by group.
    Code,
}

/// Progress of a long scan, for a bar. Called from many threads.
pub trait Progress: Sync {
    fn stage(&self, stage: Stage, total: u64);
    fn advance(&self, n: u64);
}

/// No progress shown.
pub struct Quiet;

impl Progress for Quiet {
    fn stage(&self, _: Stage, _: u64) {}
    fn advance(&self, _: u64) {}
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("cannot scan {path}: {source}")]
    Root { path: PathBuf, source: std::io::Error },
}

/// Every rule a scan can raise, in a stable order.
pub fn rules() -> Vec<&'static ScanRule> {
    let mut all = vec![&chain::PUBLIC_TRIGGER_TO_SINK];
    all.extend(fnwarden_iac::rules());
    all.extend(fnwarden_posture::rules());
    all.extend(fnwarden_taint::rules());
    all.extend(fnwarden_hijack::rules());
    all.extend(fnwarden_secrets::rules());
    all.extend(fnwarden_deps::rules());
    all
}
