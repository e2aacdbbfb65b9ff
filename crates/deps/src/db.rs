//! The local OSV store: SQLite, one row per advisory and one per affected package, indexed by
//! (ecosystem, normalised name) so a scan asks one indexed query per distinct package name.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use fnwarden_project::Severity;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::osv::{self, Affects};
use crate::{Ecosystem, Package};

/// Bumped when the tables change shape; a store of another version is refused, not misread.
pub(crate) const SCHEMA_VERSION: &str = "1";

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS advisory (
    id TEXT PRIMARY KEY,
    modified TEXT NOT NULL,
    withdrawn INTEGER NOT NULL,
    aliases TEXT NOT NULL,
    summary TEXT NOT NULL,
    severity INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS affected (
    advisory TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    affects TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS affected_package ON affected (ecosystem, name);
CREATE INDEX IF NOT EXISTS affected_advisory ON affected (advisory);
";

/// Why the store could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no vulnerability database at {0}; load one with `fnwarden db import`")]
    Missing(PathBuf),
    #[error("the vulnerability database at {0} holds no advisories; load one with `fnwarden db import`")]
    Empty(PathBuf),
    #[error("{path}: written by another fnwarden version (schema {found}, this one reads {SCHEMA_VERSION}); re-import it")]
    Schema { path: PathBuf, found: String },
    #[error("{path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a readable zip archive: {source}")]
    Zip {
        path: PathBuf,
        #[source]
        source: zip::result::ZipError,
    },
    #[error("{path}: {what}; import stopped")]
    Limit { path: PathBuf, what: String },
}

impl DbError {
    /// True when there is no usable database yet (the scan reports `NoVulnDatabase`).
    pub fn is_missing(&self) -> bool {
        matches!(self, DbError::Missing(_) | DbError::Empty(_))
    }

    pub(crate) fn sqlite(path: &Path) -> impl FnOnce(rusqlite::Error) -> DbError + '_ {
        move |source| DbError::Sqlite { path: path.to_path_buf(), source }
    }
}

/// One advisory that affects a package.
#[derive(Clone, Debug, PartialEq)]
pub struct Advisory {
    /// `GHSA-…`, `PYSEC-…`, `GO-…`, `MAL-…`.
    pub id: String,
    /// Other ids of the same vulnerability, CVEs among them.
    pub aliases: Vec<String>,
    pub summary: String,
    pub severity: Severity,
    /// The first fixed version above the package's, when the advisory names one.
    pub fixed: Option<String>,
}

impl Advisory {
    /// The CVE ids among the aliases (and the id itself when it is one).
    pub fn cves(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str)).filter(|a| a.starts_with("CVE-"))
    }
}

/// The offline OSV database, opened read-only for scans.
pub struct VulnDb {
    conn: Connection,
    path: PathBuf,
}

impl VulnDb {
    /// Opens an imported database. A missing file, or one without advisories, is
    /// `DbError::Missing` / `DbError::Empty`.
    pub fn open(path: &Path) -> Result<VulnDb, DbError> {
        if !path.is_file() {
            return Err(DbError::Missing(path.to_path_buf()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(DbError::sqlite(path))?;
        let has_meta: bool = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'", [], |r| r.get::<_, i64>(0))
            .map_err(DbError::sqlite(path))?
            > 0;
        if !has_meta {
            return Err(DbError::Empty(path.to_path_buf()));
        }
        let version: Option<String> =
            conn.query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| r.get(0)).optional().map_err(DbError::sqlite(path))?;
        match version {
            Some(v) if v == SCHEMA_VERSION => {}
            Some(found) => return Err(DbError::Schema { path: path.to_path_buf(), found }),
            None => return Err(DbError::Empty(path.to_path_buf())),
        }
        let any: Option<i64> =
            conn.query_row("SELECT 1 FROM advisory LIMIT 1", [], |r| r.get(0)).optional().map_err(DbError::sqlite(path))?;
        if any.is_none() {
            return Err(DbError::Empty(path.to_path_buf()));
        }
        Ok(VulnDb { conn, path: path.to_path_buf() })
    }

    /// The advisories that affect each package, as (index into `packages`, advisory), sorted
    /// by index then advisory id. One indexed query per distinct (ecosystem, name); withdrawn
    /// advisories are ignored, and so are dev packages (`Package::dev`): they are not in the
    /// deployed bundle.
    pub fn check(&self, packages: &[Package]) -> Result<Vec<(usize, Advisory)>, DbError> {
        let mut by_name: BTreeMap<(Ecosystem, String), Vec<usize>> = BTreeMap::new();
        for (i, p) in packages.iter().enumerate().filter(|(_, p)| !p.dev) {
            by_name.entry((p.ecosystem, p.ecosystem.normalise(&p.name))).or_default().push(i);
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT a.id, a.aliases, a.summary, a.severity, f.affects FROM affected f JOIN advisory a ON a.id = f.advisory
                 WHERE f.ecosystem = ?1 AND f.name = ?2 AND a.withdrawn = 0",
            )
            .map_err(DbError::sqlite(&self.path))?;
        let mut out = Vec::new();
        for ((ecosystem, name), indices) in by_name {
            let rows = stmt
                .query_map(params![ecosystem.osv_name(), name], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                })
                .map_err(DbError::sqlite(&self.path))?;
            // (package index, advisory id) → advisory; an advisory may list a package twice.
            let mut hits: HashMap<(usize, String), Advisory> = HashMap::new();
            for row in rows {
                let (id, aliases, summary, severity, affects) = row.map_err(DbError::sqlite(&self.path))?;
                let Ok(affects) = serde_json::from_str::<Affects>(&affects) else {
                    tracing::warn!(advisory = id, "unreadable affected ranges in the vulnerability database");
                    continue;
                };
                for &i in &indices {
                    let Some(fixed) = osv::affected(ecosystem, &packages[i].version, &affects) else { continue };
                    let entry = hits.entry((i, id.clone())).or_insert_with(|| Advisory {
                        id: id.clone(),
                        aliases: serde_json::from_str(&aliases).unwrap_or_default(),
                        summary: summary.clone(),
                        severity: severity_from_int(severity),
                        fixed: None,
                    });
                    if entry.fixed.is_none() {
                        entry.fixed = fixed;
                    }
                }
            }
            out.extend(hits.into_iter().map(|((i, _), a)| (i, a)));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
        Ok(out)
    }
}

pub(crate) fn severity_to_int(s: Severity) -> i64 {
    match s {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

fn severity_from_int(n: i64) -> Severity {
    match n {
        0 => Severity::Info,
        1 => Severity::Low,
        3 => Severity::High,
        4 => Severity::Critical,
        _ => Severity::Medium,
    }
}
