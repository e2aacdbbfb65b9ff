use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use crate::{DiagKind, Diagnostic, Finding, Project, ScanRule};

/// Counters for the report's footer and `--stats`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ScanStats {
    pub files_seen: u64,
    pub files_analysed: u64,
    pub bytes_read: u64,
    /// Files skipped, by reason (`DiagKind::name`).
    pub skipped: BTreeMap<&'static str, u64>,
    /// Findings dropped by inline suppressions.
    pub suppressed: u64,
    /// Findings dropped because the baseline accepts them.
    pub baselined: u64,
    pub elapsed_ms: u64,
}

impl ScanStats {
    pub fn skip(&mut self, kind: DiagKind) {
        *self.skipped.entry(kind.name()).or_default() += 1;
    }
}

/// The outcome of one scan, as every output format reads it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ScanReport {
    /// The scanned folder as given.
    pub root: PathBuf,
    pub project: Project,
    /// Sorted by file, line, rule.
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    pub stats: ScanStats,
    /// Every rule the scan ran, for SARIF's rule table and the docs.
    #[serde(skip)]
    pub rules: Vec<&'static ScanRule>,
}
