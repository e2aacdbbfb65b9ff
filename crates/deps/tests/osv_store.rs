//! Import and check against the shipped OSV excerpt (tests/osv), from a folder and a zip.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use fnwarden_deps::{DbError, Ecosystem, ImportStats, Package, VulnDb, import};
use fnwarden_project::{Location, Severity};

fn excerpt() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/osv")
}

fn import_quiet(db: &Path, source: &Path) -> ImportStats {
    let mut calls = Vec::new();
    let stats = import(db, source, &mut |done, total| calls.push((done, total))).unwrap();
    assert_eq!(calls.last().map(|c| c.0), Some(stats.records), "final progress reports every record");
    stats
}

fn pkg(ecosystem: Ecosystem, name: &str, version: &str) -> Package {
    Package { ecosystem, name: name.into(), version: version.into(), location: Location::new("m", 1, 0), dev: false }
}

fn ids(db: &VulnDb, packages: &[Package]) -> Vec<(usize, String, Option<String>)> {
    db.check(packages).unwrap().into_iter().map(|(i, a)| (i, a.id, a.fixed)).collect()
}

#[test]
fn folder_import_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested/osv.sqlite");
    let first = import_quiet(&db, &excerpt());
    assert_eq!((first.records, first.inserted, first.malformed, first.ignored), (15, 15, 0, 0));
    let again = import_quiet(&db, &excerpt());
    assert_eq!((again.records, again.inserted, again.updated, again.unchanged), (15, 0, 0, 15));
}

#[test]
fn check_matches_the_excerpt() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("osv.sqlite");
    import_quiet(&db_path, &excerpt());
    let db = VulnDb::open(&db_path).unwrap();
    let packages = vec![
        pkg(Ecosystem::Npm, "lodash", "4.17.11"),
        pkg(Ecosystem::Npm, "lodash", "4.17.21"),
        pkg(Ecosystem::Npm, "minimist", "1.2.5"),
        pkg(Ecosystem::Npm, "minimist", "0.2.4"),
        pkg(Ecosystem::PyPI, "pyyaml", "5.3.1"),
        pkg(Ecosystem::PyPI, "PyYAML", "5.4"),
        pkg(Ecosystem::PyPI, "jinja2", "2.11.2"),
        pkg(Ecosystem::Go, "golang.org/x/net", "v0.7.0"),
        pkg(Ecosystem::Go, "github.com/gin-gonic/gin", "v1.9.1"),
        pkg(Ecosystem::Maven, "org.apache.logging.log4j:log4j-core", "2.14.1"),
        pkg(Ecosystem::Maven, "com.fasterxml.jackson.core:jackson-databind", "2.9.10.8"),
        pkg(Ecosystem::Maven, "com.fasterxml.jackson.core:jackson-databind", "2.13.2.1"),
        pkg(Ecosystem::Npm, "PyYAML", "5.3.1"),
    ];
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        ids(&db, &packages),
        vec![
            (0, "GHSA-29mw-wpgm-hmr9".into(), s("4.17.21")),
            (0, "GHSA-35jh-r3h4-6jhm".into(), s("4.17.21")),
            (0, "GHSA-jf85-cpcp-j695".into(), s("4.17.12")),
            (0, "GHSA-p6mc-m468-83gw".into(), s("4.17.19")),
            (2, "GHSA-xvch-5gv4-984h".into(), s("1.2.6")),
            (4, "GHSA-8q59-q68h-6hv4".into(), s("5.4")),
            (6, "GHSA-g3rq-g295-4j3m".into(), s("2.11.3")),
            (7, "GO-2023-2102".into(), s("0.17.0")),
            (9, "GHSA-jfh8-c2jp-5v3q".into(), s("2.15.0")),
            (10, "GHSA-57j2-w4cx-62h2".into(), s("2.12.6.1")),
        ]
    );
    let log4shell = db.check(&packages[9..10]).unwrap();
    assert_eq!(log4shell[0].1.severity, Severity::Critical);
    assert_eq!(log4shell[0].1.aliases, vec!["CVE-2021-44228".to_string()]);
    // The Go database carries no severity: the documented default.
    assert_eq!(db.check(&packages[7..8]).unwrap()[0].1.severity, Severity::Medium);
}

#[test]
fn dev_packages_are_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("osv.sqlite");
    import_quiet(&db_path, &excerpt());
    let db = VulnDb::open(&db_path).unwrap();
    let mut p = pkg(Ecosystem::Npm, "minimist", "1.2.5");
    p.dev = true;
    assert!(db.check(&[p]).unwrap().is_empty());
}

fn record(id: &str, modified: &str, extra: &str) -> String {
    format!(
        r#"{{"id":"{id}","modified":"{modified}","summary":"test record","affected":[{{"package":{{"ecosystem":"npm","name":"left-pad"}},"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"1.3.0"}}]}}]}}]{extra}}}"#
    )
}

fn write_zip(path: &Path, entries: &[(&str, Vec<u8>)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn zip_import_counts_malformed_records_and_never_extracts() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("all.zip");
    let escape = dir.path().join("escaped.json");
    write_zip(
        &zip_path,
        &[
            ("GHSA-aaaa-aaaa-aaaa.json", record("GHSA-aaaa-aaaa-aaaa", "2024-01-01T00:00:00Z", "").into_bytes()),
            ("broken.json", b"{\"id\": \"GHSA-bbbb\", \"modified\":".to_vec()),
            ("no-id.json", b"{\"modified\": \"2024-01-01T00:00:00Z\"}".to_vec()),
            ("../escaped.json", record("GHSA-cccc-cccc-cccc", "2024-01-01T00:00:00Z", "").into_bytes()),
            ("bomb.json", vec![b' '; (fnwarden_deps::MAX_RECORD_BYTES + 10) as usize]),
            ("README.md", b"not a record".to_vec()),
            (
                "PyPI-only.json",
                br#"{"id":"PYSEC-x","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"crates.io","name":"x"}}]}"#
                    .to_vec(),
            ),
        ],
    );
    let db_path = dir.path().join("osv.sqlite");
    let stats = import_quiet(&db_path, &zip_path);
    assert_eq!((stats.records, stats.inserted, stats.malformed, stats.ignored), (6, 2, 3, 1), "{stats:?}");
    let names: Vec<&str> = stats.malformed_files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, vec!["broken.json", "no-id.json", "bomb.json"]);
    assert!(!escape.exists(), "an entry name must never reach the file system");
    let shown = stats.to_string();
    assert!(
        shown.starts_with("6 records: 2 new, 0 updated, 0 unchanged, 0 withdrawn, 1 for other ecosystems, 3 malformed (broken.json: "),
        "{shown}"
    );
    assert!(shown.contains("; bomb.json: larger than 16 MiB)"), "{shown}");
    let db = VulnDb::open(&db_path).unwrap();
    assert_eq!(ids(&db, &[pkg(Ecosystem::Npm, "left-pad", "1.2.0")]).len(), 2);
}

#[test]
fn newer_records_replace_older_and_withdrawn_ones_stop_matching() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    let db_path = dir.path().join("osv.sqlite");
    std::fs::write(src.join("a.json"), record("GHSA-aaaa-aaaa-aaaa", "2024-01-01T00:00:00Z", "")).unwrap();
    import_quiet(&db_path, &src);
    let left_pad = [pkg(Ecosystem::Npm, "left-pad", "1.2.0")];
    assert_eq!(ids(&VulnDb::open(&db_path).unwrap(), &left_pad).len(), 1);

    // An older export does not overwrite; a newer one does.
    std::fs::write(src.join("a.json"), record("GHSA-aaaa-aaaa-aaaa", "2023-01-01T00:00:00Z", r#","withdrawn":"2023-01-02T00:00:00Z""#))
        .unwrap();
    assert_eq!(import_quiet(&db_path, &src).unchanged, 1);
    assert_eq!(ids(&VulnDb::open(&db_path).unwrap(), &left_pad).len(), 1);
    std::fs::write(src.join("a.json"), record("GHSA-aaaa-aaaa-aaaa", "2025-01-01T00:00:00Z", r#","withdrawn":"2025-01-02T00:00:00Z""#))
        .unwrap();
    let stats = import_quiet(&db_path, &src);
    assert_eq!((stats.updated, stats.withdrawn), (1, 1));
    assert!(ids(&VulnDb::open(&db_path).unwrap(), &left_pad).is_empty());
}

#[test]
fn open_reports_missing_empty_and_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.sqlite");
    assert!(matches!(VulnDb::open(&missing), Err(DbError::Missing(_))));
    let empty = dir.path().join("empty.sqlite");
    std::fs::write(&empty, b"").unwrap();
    let err = VulnDb::open(&empty).err().unwrap();
    assert!(err.is_missing(), "{err}");
    let foreign = dir.path().join("foreign.sqlite");
    std::fs::write(&foreign, vec![0x42u8; 4096]).unwrap();
    let err = VulnDb::open(&foreign).err().unwrap();
    assert!(matches!(err, DbError::Sqlite { .. }), "{err}");
    // A database created by an import with nothing in it is empty too.
    let src = dir.path().join("nothing");
    std::fs::create_dir(&src).unwrap();
    let db = dir.path().join("fresh.sqlite");
    import_quiet(&db, &src);
    assert!(matches!(VulnDb::open(&db), Err(DbError::Empty(_))));
}

#[test]
fn import_of_a_non_zip_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("all.zip");
    std::fs::write(&bogus, b"PK\x03\x04 truncated").unwrap();
    let err = import(&dir.path().join("osv.sqlite"), &bogus, &mut |_, _| {}).err().unwrap();
    assert!(matches!(err, DbError::Zip { .. }), "{err}");
    let err = import(&dir.path().join("osv.sqlite"), &dir.path().join("absent"), &mut |_, _| {}).err().unwrap();
    assert!(matches!(err, DbError::Io { .. }), "{err}");
}

#[test]
fn checking_100k_packages_is_fast() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("osv.sqlite");
    import_quiet(&db_path, &excerpt());
    let db = VulnDb::open(&db_path).unwrap();
    let mut packages: Vec<Package> = (0..100_000).map(|i| pkg(Ecosystem::Npm, &format!("pkg-{}", i % 20_000), "1.0.0")).collect();
    packages.push(pkg(Ecosystem::Npm, "node-serialize", "0.0.4"));
    let start = Instant::now();
    let hits = db.check(&packages).unwrap();
    let took = start.elapsed();
    eprintln!("checked {} packages in {took:?}", packages.len());
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].0, 100_000);
    // Generous for an unoptimised build on a loaded CI machine; release runs take a fraction.
    assert!(took.as_secs() < 20, "check took {took:?}");
}

#[test]
fn the_database_handle_moves_across_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<VulnDb>();
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("osv.sqlite");
    import_quiet(&db_path, &excerpt());
    let db = VulnDb::open(&db_path).unwrap();
    let hits = std::thread::spawn(move || db.check(&[pkg(Ecosystem::Npm, "node-serialize", "0.0.4")]).unwrap().len()).join().unwrap();
    assert_eq!(hits, 1);
}
