//! `fnwarden db import`: loads OSV records from an ecosystem zip (as the OSV bucket serves
//! `<ecosystem>/all.zip`) or a folder of OSV JSON files into the local store. Records are
//! upserted by id and `modified`, so re-importing the same or a newer export is safe. Archive
//! entries are read into memory, never extracted, so entry names cannot reach the file system.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::Ecosystem;
use crate::db::{DbError, SCHEMA, SCHEMA_VERSION, severity_to_int};
use crate::osv::{Affects, Record};

/// Real OSV records are at most a few hundred KiB; a bigger entry is malformed (or a bomb).
pub const MAX_RECORD_BYTES: u64 = 16 << 20;
/// Decompressed bytes per import: the largest OSV ecosystem export is well under this.
pub const MAX_TOTAL_BYTES: u64 = 4 << 30;
/// Records per import.
pub const MAX_RECORDS: u64 = 5_000_000;
/// Folder depth walked under a source folder.
const MAX_DEPTH: usize = 32;
/// Malformed records listed by name in the stats (all are counted).
const MAX_LISTED: usize = 200;
/// Records per transaction.
const BATCH: u64 = 5_000;

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportStats {
    /// JSON files or entries read.
    pub records: u64,
    /// New advisories stored.
    pub inserted: u64,
    /// Advisories replaced by a newer `modified`.
    pub updated: u64,
    /// Advisories already stored at this `modified` or newer.
    pub unchanged: u64,
    /// Stored advisories that are withdrawn (kept, never matched).
    pub withdrawn: u64,
    /// Valid records naming no npm, PyPI, Go or Maven package.
    pub ignored: u64,
    /// Records that are not OSV JSON, or too large, counted and skipped.
    pub malformed: u64,
    /// (file or entry name, reason) of the first malformed records.
    pub malformed_files: Vec<(String, String)>,
}

/// For people: `15 records: 12 new, 1 updated, …`, naming the first malformed records.
impl fmt::Display for ImportStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} records: {} new, {} updated, {} unchanged, {} withdrawn, {} for other ecosystems, {} malformed",
            self.records, self.inserted, self.updated, self.unchanged, self.withdrawn, self.ignored, self.malformed
        )?;
        const SHOWN: usize = 3;
        for (i, (name, reason)) in self.malformed_files.iter().take(SHOWN).enumerate() {
            write!(f, "{}{name}: {reason}", if i == 0 { " (" } else { "; " })?;
        }
        if self.malformed > SHOWN as u64 {
            write!(f, "; …")?;
        }
        if !self.malformed_files.is_empty() {
            write!(f, ")")?;
        }
        Ok(())
    }
}

/// Imports `source` (an OSV zip or a folder of OSV JSON files) into the database at `db`,
/// creating it. `progress` is called with records done and, when known, the total.
pub fn import(db: &Path, source: &Path, progress: &mut dyn FnMut(u64, Option<u64>)) -> Result<ImportStats, DbError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DbError::Io { path, source }
    };
    let meta = std::fs::metadata(source).map_err(io(source))?;
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let mut conn = Connection::open(db).map_err(DbError::sqlite(db))?;
    prepare(&conn, db)?;
    let mut importer = Importer { db, stats: ImportStats::default(), bytes: 0 };
    if meta.is_dir() {
        let mut files = Vec::new();
        walk(source, 0, &mut files);
        files.sort();
        let total = files.len() as u64;
        importer.run(
            &mut conn,
            source,
            total,
            progress,
            files.into_iter().map(|f| {
                let name = f.strip_prefix(source).unwrap_or(&f).display().to_string();
                let data = File::open(&f).and_then(|file| read_capped(file, None));
                (name, data)
            }),
        )?;
    } else {
        let file = File::open(source).map_err(io(source))?;
        let mut archive = zip::ZipArchive::new(file).map_err(|e| DbError::Zip { path: source.to_path_buf(), source: e })?;
        let names: Vec<(usize, String)> = (0..archive.len())
            .filter_map(|i| archive.name_for_index(i).and_then(Result::ok).filter(|n| n.ends_with(".json")).map(|n| (i, n.to_string())))
            .collect();
        let total = names.len() as u64;
        let entries = names.into_iter().map(|(i, name)| {
            let data = match archive.by_index(i) {
                Ok(entry) => {
                    let declared = entry.size();
                    read_capped(entry, Some(declared))
                }
                Err(e) => Err(std::io::Error::other(e)),
            };
            (name, data)
        });
        importer.run(&mut conn, source, total, progress, entries)?;
    }
    Ok(importer.stats)
}

fn prepare(conn: &Connection, db: &Path) -> Result<(), DbError> {
    conn.execute_batch(SCHEMA).map_err(DbError::sqlite(db))?;
    let found: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| r.get(0)).optional().map_err(DbError::sqlite(db))?;
    match found {
        None => {
            conn.execute("INSERT INTO meta (key, value) VALUES ('schema', ?1)", [SCHEMA_VERSION]).map_err(DbError::sqlite(db))?;
        }
        Some(v) if v == SCHEMA_VERSION => {}
        Some(found) => return Err(DbError::Schema { path: db.to_path_buf(), found }),
    }
    Ok(())
}

/// Reads at most MAX_RECORD_BYTES + 1, so a lying size header cannot make it read more.
fn read_capped(reader: impl Read, declared: Option<u64>) -> std::io::Result<Vec<u8>> {
    if declared.is_some_and(|d| d > MAX_RECORD_BYTES) {
        return Err(std::io::Error::other(format!("larger than {} MiB", MAX_RECORD_BYTES >> 20)));
    }
    let mut buf = Vec::new();
    reader.take(MAX_RECORD_BYTES + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > MAX_RECORD_BYTES {
        return Err(std::io::Error::other(format!("larger than {} MiB", MAX_RECORD_BYTES >> 20)));
    }
    Ok(buf)
}

/// `.json` files under `dir`; symlinks are not followed, so loops cannot trap the walk.
fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > MAX_DEPTH {
        tracing::warn!(dir = %dir.display(), "OSV folder nested too deep; not walked further");
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            walk(&path, depth + 1, out);
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

struct Importer<'a> {
    db: &'a Path,
    stats: ImportStats,
    bytes: u64,
}

impl Importer<'_> {
    fn run(
        &mut self,
        conn: &mut Connection,
        source: &Path,
        total: u64,
        progress: &mut dyn FnMut(u64, Option<u64>),
        entries: impl Iterator<Item = (String, std::io::Result<Vec<u8>>)>,
    ) -> Result<(), DbError> {
        let db = self.db;
        let mut tx = conn.transaction().map_err(DbError::sqlite(db))?;
        progress(0, Some(total));
        for (name, data) in entries {
            if self.stats.records >= MAX_RECORDS {
                return Err(DbError::Limit { path: source.to_path_buf(), what: format!("more than {MAX_RECORDS} records") });
            }
            self.stats.records += 1;
            match data {
                Ok(bytes) => {
                    self.bytes += bytes.len() as u64;
                    if self.bytes > MAX_TOTAL_BYTES {
                        return Err(DbError::Limit {
                            path: source.to_path_buf(),
                            what: format!("more than {} GiB decompressed", MAX_TOTAL_BYTES >> 30),
                        });
                    }
                    match serde_json::from_slice::<Record>(&bytes) {
                        Ok(record) if !record.id.is_empty() => self.store(&tx, &record)?,
                        Ok(_) => self.malformed(name, "record without an id".to_string()),
                        Err(e) => self.malformed(name, format!("not an OSV record: {e}")),
                    }
                }
                Err(e) => self.malformed(name, e.to_string()),
            }
            if self.stats.records.is_multiple_of(BATCH) {
                tx.commit().map_err(DbError::sqlite(db))?;
                tx = conn.transaction().map_err(DbError::sqlite(db))?;
                progress(self.stats.records, Some(total));
            }
        }
        tx.commit().map_err(DbError::sqlite(db))?;
        progress(self.stats.records, Some(total));
        Ok(())
    }

    fn malformed(&mut self, name: String, reason: String) {
        tracing::warn!(record = name, reason, "skipped a malformed OSV record");
        self.stats.malformed += 1;
        if self.stats.malformed_files.len() < MAX_LISTED {
            self.stats.malformed_files.push((name, reason));
        }
    }

    fn store(&mut self, tx: &Transaction<'_>, record: &Record) -> Result<(), DbError> {
        let err = DbError::sqlite(self.db);
        let rows: Vec<(Ecosystem, String, String)> = record
            .affected
            .iter()
            .filter_map(|a| {
                let p = a.package.as_ref()?;
                let eco = Ecosystem::from_osv(&p.ecosystem)?;
                let affects = Affects { ranges: a.ranges.clone(), versions: a.versions.clone() };
                Some((eco, eco.normalise(&p.name), serde_json::to_string(&affects).ok()?))
            })
            .collect();
        if rows.is_empty() {
            self.stats.ignored += 1;
            return Ok(());
        }
        let stored: Option<String> = tx
            .prepare_cached("SELECT modified FROM advisory WHERE id = ?1")
            .and_then(|mut s| s.query_row([&record.id], |r| r.get(0)).optional())
            .map_err(err)?;
        match &stored {
            Some(m) if *m >= record.modified => {
                self.stats.unchanged += 1;
                return Ok(());
            }
            Some(_) => self.stats.updated += 1,
            None => self.stats.inserted += 1,
        }
        let err = |e| DbError::Sqlite { path: self.db.to_path_buf(), source: e };
        tx.prepare_cached("DELETE FROM affected WHERE advisory = ?1").and_then(|mut s| s.execute([&record.id])).map_err(err)?;
        let aliases = serde_json::to_string(&record.aliases).unwrap_or_else(|_| "[]".to_string());
        let withdrawn = record.withdrawn.is_some();
        if withdrawn {
            self.stats.withdrawn += 1;
        }
        tx.prepare_cached(
            "INSERT OR REPLACE INTO advisory (id, modified, withdrawn, aliases, summary, severity) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .and_then(|mut s| {
            s.execute(params![record.id, record.modified, withdrawn, aliases, record.headline(), severity_to_int(record.severity())])
        })
        .map_err(err)?;
        let mut insert =
            tx.prepare_cached("INSERT INTO affected (advisory, ecosystem, name, affects) VALUES (?1, ?2, ?3, ?4)").map_err(err)?;
        for (eco, name, affects) in rows {
            insert.execute(params![record.id, eco.osv_name(), name, affects]).map_err(err)?;
        }
        Ok(())
    }
}
