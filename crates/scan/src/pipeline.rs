//! The scan itself: walk, intake, IaC, per-file analysers, per-group code analysis, deps,
//! chains, then finalize.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use fnwarden_code::{Entry, Lang, ParsedFile};
use fnwarden_deps::{Advisory, Ecosystem, Package, VulnDb};
use fnwarden_project::{DiagKind, Diagnostic, Finding, Project, ScanReport, ScanStats, Severity};
use rayon::prelude::*;

use crate::group::{self, Group};
use crate::intake::{self, Intake};
use crate::walk::{self, FileEntry};
use crate::{Progress, ScanError, ScanOptions, Stage, chain, finalize, shipped};

/// A dependency manifest once checked: only what the findings need is kept, so a monorepo's
/// hundreds of megabytes of lock files are never held at once.
pub struct Manifest {
    pub ecosystem: Option<Ecosystem>,
    /// Packages it ships (not development-only).
    pub shipped: usize,
    pub vulnerable: Vec<(Package, Advisory)>,
}

/// What the per-file pass found in one file.
#[derive(Default)]
struct FileResult {
    findings: Vec<Finding>,
    diagnostics: Vec<Diagnostic>,
    manifest: Option<(PathBuf, Manifest)>,
    source: Option<(PathBuf, Lang)>,
    db_errors: Vec<Diagnostic>,
    bytes: u64,
    analysed: bool,
}

pub fn scan(root: &Path, opts: &ScanOptions, progress: &dyn Progress) -> Result<ScanReport, ScanError> {
    let started = Instant::now();
    let walk = walk::walk(root, &opts.exclude).map_err(|source| ScanError::Root { path: root.to_path_buf(), source })?;
    let mut stats = ScanStats { files_seen: walk.files.len() as u64, ..ScanStats::default() };
    let mut diagnostics = walk.diagnostics;
    let mut findings = Vec::new();

    // IaC first: it says which functions exist and where their code is.
    let iac_files: Vec<PathBuf> = walk.files.iter().filter(|f| fnwarden_iac::is_candidate(&f.rel)).map(|f| f.rel.clone()).collect();
    let (project, iac_diags) = fnwarden_iac::read_project(root, &iac_files);
    diagnostics.extend(iac_diags);
    findings.extend(fnwarden_posture::check(&project, &opts.posture));

    // The vulnerability database: checked here once; each worker thread opens its own
    // connection (a connection is not shared between threads).
    let db_path = opts.vuln_db.clone().unwrap_or_else(fnwarden_deps::default_db_path);
    let db_error = VulnDb::open(&db_path).err().map(|e| e.to_string());
    let db = db_error.is_none().then_some(db_path.as_path());

    // Every file once: secrets, manifests; source files are noted for the code pass.
    progress.stage(Stage::Files, walk.files.len() as u64);
    let secrets = fnwarden_secrets::Scanner::new();
    let results: Vec<FileResult> = walk
        .files
        .par_iter()
        .map(|f| {
            let r = per_file(f, opts, &secrets, db);
            progress.advance(1);
            r
        })
        .collect();
    let mut sources = Vec::new();
    let mut manifests = BTreeMap::new();
    for r in results {
        findings.extend(r.findings);
        diagnostics.extend(r.diagnostics);
        stats.bytes_read += r.bytes;
        stats.files_analysed += u64::from(r.analysed);
        sources.extend(r.source);
        diagnostics.extend(r.db_errors);
        if let Some((path, manifest)) = r.manifest {
            manifests.insert(path, manifest);
        }
    }

    // A lock file's twin in the same folder (go.sum beside go.mod) says the same again.
    let twins: Vec<PathBuf> = manifests
        .keys()
        .filter(|m| {
            fnwarden_deps::preferred_sibling(m).is_some_and(|s| manifests.contains_key(&m.parent().unwrap_or(Path::new("")).join(s)))
        })
        .cloned()
        .collect();
    for t in twins {
        manifests.remove(&t);
    }
    // Vendored packages (a `requests/` beside `requests-2.31.0.dist-info/`) are third-party code:
    // the dependency check covers them, the code analysers do not read them.
    let vendored: BTreeSet<PathBuf> = manifests.keys().flat_map(|m| vendored_package_dirs(root, m)).collect();
    sources.retain(|(p, _)| !vendored.iter().any(|v| p.starts_with(v) || p.with_extension("") == *v));

    // Code, group by group: each group's files are parsed once, analysed, and dropped.
    let all_files: Vec<PathBuf> = walk.files.iter().map(|f| f.rel.clone()).collect();
    let mut groups =
        if project.functions.is_empty() { group::conventional(&sources, &all_files) } else { group::deployed(&project, &sources) };
    let grouped: BTreeSet<&PathBuf> = groups.iter().flat_map(|g| g.files.iter()).collect();
    // Files no function ships still get the per-file code rules, one by one.
    let loose: Vec<Group> = sources
        .iter()
        .filter(|(p, _)| !grouped.contains(p))
        .map(|(p, _)| Group { functions: Vec::new(), files: vec![p.clone()] })
        .collect();
    let loose_start = groups.len();
    groups.extend(loose);
    progress.stage(Stage::Code, sources.len() as u64);
    let handler_files = Mutex::new(BTreeMap::new());
    let code: Vec<(Vec<Finding>, Vec<Diagnostic>)> = groups
        .par_iter()
        .enumerate()
        .map(|(i, g)| {
            let out = analyse_group(root, &project, g, i >= loose_start, &handler_files);
            progress.advance(g.files.len() as u64);
            out
        })
        .collect();
    for (f, d) in code {
        findings.extend(f);
        diagnostics.extend(d);
    }
    let handler_files = handler_files.into_inner().unwrap_or_else(|e| e.into_inner());

    // Files shared by several functions belong to all of them.
    let owners = file_owners(&project, &groups[..loose_start]);
    for f in &mut findings {
        if f.function.is_none()
            && let Some(names) = owners.get(&f.location.file)
        {
            f.function = Some(names.iter().cloned().collect::<Vec<_>>().join(", "));
        }
    }

    findings.extend(dependencies(&project, &handler_files, &manifests, db_error, &mut diagnostics));
    let findings = chain::link(&project, findings);
    let mut report = ScanReport { root: root.to_path_buf(), project, findings, diagnostics, stats, rules: crate::rules() };
    finalize::finish(root, &mut report, opts.baseline.as_ref());
    report.stats.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(report)
}

/// For `dir/PyYAML-6.0.dist-info/METADATA`, the package folders it installed: those named in
/// its `top_level.txt` (`dir/yaml`), else the distribution's name.
fn vendored_package_dirs(root: &Path, manifest: &Path) -> Vec<PathBuf> {
    let Some(info) = manifest.parent() else { return Vec::new() };
    let Some(name) = info.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".dist-info")) else { return Vec::new() };
    let base = info.parent().unwrap_or(Path::new(""));
    let mut tops: Vec<String> = std::fs::read_to_string(root.join(info).join("top_level.txt"))
        .map(|t| t.lines().map(str::trim).filter(|l| !l.is_empty() && !l.contains("..")).map(str::to_owned).collect())
        .unwrap_or_default();
    if tops.is_empty() {
        tops.extend(name.split('-').next().filter(|n| !n.is_empty()).map(str::to_owned));
    }
    tops.into_iter().map(|t| base.join(t)).collect()
}

fn per_file(f: &FileEntry, opts: &ScanOptions, secrets: &fnwarden_secrets::Scanner, db: Option<&Path>) -> FileResult {
    let mut r = FileResult::default();
    let bytes = match intake::read(f, opts.max_file_bytes) {
        Intake::Text(b) => b,
        Intake::Skipped(d) => {
            r.diagnostics.push(d);
            return r;
        }
    };
    r.bytes = bytes.len() as u64;
    r.analysed = true;
    r.findings = secrets.scan(&f.rel, &bytes);
    if fnwarden_deps::is_manifest(&f.rel) {
        match fnwarden_deps::read_manifest(&f.rel, &bytes) {
            Ok(packages) => {
                let manifest = check_manifest(packages, db, &f.rel, &mut r.db_errors);
                r.manifest = Some((f.rel.clone(), manifest));
            }
            Err(d) => r.diagnostics.push(d),
        }
    }
    if let Some(lang) = Lang::from_path(&f.rel) {
        r.source = Some((f.rel.clone(), lang));
    }
    r
}

thread_local! {
    /// This worker's connection to the vulnerability database, with the path it was opened on.
    static DB: std::cell::RefCell<Option<(PathBuf, VulnDb)>> = const { std::cell::RefCell::new(None) };
}

/// Checks a manifest's shipped packages against the database and keeps the vulnerable ones.
fn check_manifest(packages: Vec<Package>, db: Option<&Path>, rel: &Path, errors: &mut Vec<Diagnostic>) -> Manifest {
    let ecosystem = packages.first().map(|p| p.ecosystem);
    let shipped: Vec<Package> = packages.into_iter().filter(|p| !p.dev).collect();
    let mut manifest = Manifest { ecosystem, shipped: shipped.len(), vulnerable: Vec::new() };
    let Some(path) = db.filter(|_| !shipped.is_empty()) else { return manifest };
    let hits = DB.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|(p, _)| p != path) {
            *slot = Some((path.to_path_buf(), VulnDb::open(path)?));
        }
        match slot.as_ref() {
            Some((_, db)) => db.check(&shipped),
            None => Ok(Vec::new()),
        }
    });
    match hits {
        Ok(hits) => {
            manifest.vulnerable = hits.into_iter().filter_map(|(i, a)| shipped.get(i).map(|p| (p.clone(), a))).collect();
        }
        Err(e) => errors.push(Diagnostic::new(rel, 0, DiagKind::NoVulnDatabase, format!("packages not checked: {e}"))),
    }
    manifest
}

/// Parses a group's files and runs the code analysers on them.
fn analyse_group(
    root: &Path,
    project: &Project,
    g: &Group,
    loose: bool,
    handler_files: &Mutex<BTreeMap<String, PathBuf>>,
) -> (Vec<Finding>, Vec<Diagnostic>) {
    let mut findings = Vec::new();
    let mut diagnostics = Vec::new();
    let mut parsed = Vec::with_capacity(g.files.len());
    for rel in &g.files {
        let Some(lang) = Lang::from_path(rel) else { continue };
        // The per-file pass already judged the file readable text; a file changed since is skipped.
        let Ok(bytes) = std::fs::read(root.join(rel)) else { continue };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (file, diag) = fnwarden_code::parse(rel.clone(), lang, text);
        diagnostics.extend(diag);
        parsed.extend(file);
    }
    let refs: Vec<&ParsedFile> = parsed.iter().collect();
    for file in &refs {
        findings.extend(fnwarden_hijack::check(file));
    }
    if loose {
        return (findings, diagnostics);
    }
    let entries: Vec<Entry> = if g.functions.is_empty() {
        fnwarden_code::convention_entries(&refs)
    } else {
        let mut entries = Vec::new();
        for &i in &g.functions {
            let Some(function) = project.functions.get(i) else { continue };
            match fnwarden_code::entries_for(function, &refs) {
                Ok(e) => {
                    if let Some(first) = e.first()
                        && let Ok(mut map) = handler_files.lock()
                    {
                        map.insert(function.name.clone(), first.file.clone());
                    }
                    entries.extend(e);
                }
                Err(d) => diagnostics.push(d),
            }
        }
        entries
    };
    findings.extend(fnwarden_taint::analyze(&refs, &entries));
    (findings, diagnostics)
}

/// Source file → the functions whose groups hold it.
fn file_owners(project: &Project, groups: &[Group]) -> BTreeMap<PathBuf, BTreeSet<String>> {
    let mut owners: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    for g in groups {
        for &i in &g.functions {
            let Some(f) = project.functions.get(i) else { continue };
            for file in &g.files {
                owners.entry(file.clone()).or_default().insert(f.name.clone());
            }
        }
    }
    owners
}

/// Vulnerable packages, blamed on the functions that ship them.
fn dependencies(
    project: &Project,
    handler_files: &BTreeMap<String, PathBuf>,
    manifests: &BTreeMap<PathBuf, Manifest>,
    db_error: Option<String>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Finding> {
    let shipped: usize = manifests.values().map(|m| m.shipped).sum();
    if let Some(e) = db_error.filter(|_| shipped > 0) {
        diagnostics.push(Diagnostic::new(PathBuf::new(), 0, DiagKind::NoVulnDatabase, format!("{shipped} packages not checked: {e}")));
        return Vec::new();
    }
    let owners = shipped::owners(project, handler_files, manifests);
    let mut out = Vec::new();
    for (path, manifest) in manifests {
        for (package, advisory) in &manifest.vulnerable {
            let mut f = fnwarden_deps::finding(package, advisory);
            match owners.get(path) {
                Some(names) => f.function = Some(names.iter().cloned().collect::<Vec<_>>().join(", ")),
                None if !project.functions.is_empty() => {
                    f.severity = Severity::Info;
                    f.message.push_str(" (not shipped by any deployed function)");
                }
                None => {}
            }
            out.push(f);
        }
    }
    out
}
