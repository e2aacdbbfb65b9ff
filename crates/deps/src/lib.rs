//! Dependency manifests and the offline OSV database for fnwarden scan: which packages a
//! project pins (with the line that pins each), whether OSV lists them as affected, and the
//! import of OSV exports into a local SQLite store.

mod cvss;
mod db;
mod ecosystem;
mod finding;
mod import;
mod manifest;
mod osv;
mod version;

use std::path::PathBuf;

pub use db::{Advisory, DbError, VulnDb};
pub use ecosystem::{Ecosystem, ecosystem_for_runtime};
pub use finding::{VULNERABLE_DEPENDENCY, finding, rules};
pub use fnwarden_project::ScanRule;
pub use import::{ImportStats, MAX_RECORD_BYTES, MAX_RECORDS, MAX_TOTAL_BYTES, import};
pub use manifest::{MAX_MANIFEST_BYTES, Package, is_manifest, manifest_dir, preferred_sibling, read_manifest};

/// Where the database lives: `$FNWARDEN_DB`, else `$XDG_DATA_HOME/fnwarden/osv.sqlite`, else
/// `~/.local/share/fnwarden/osv.sqlite` (relative to the working folder when there is no home).
pub fn default_db_path() -> PathBuf {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(p) = var("FNWARDEN_DB") {
        return p;
    }
    let data = var("XDG_DATA_HOME").filter(|p| p.is_absolute()).or_else(|| var("HOME").map(|h| h.join(".local/share")));
    data.unwrap_or_else(|| PathBuf::from(".local/share")).join("fnwarden").join("osv.sqlite")
}
