//! The last steps of a scan: one finding per problem, inline suppressions, fingerprints, the
//! baseline, a stable order, and the skip counters.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use fnwarden_project::{Class, ScanReport};
use fnwarden_scanout::{Baseline, fingerprint, suppression_at};

/// The rule posture raises for a secret in an IaC environment block; the secrets scanner sees
/// the same line and would say it again, without the function.
const ENV_SECRET: &str = "fnw-scan-cfg-env-secret";

pub fn finish(root: &Path, report: &mut ScanReport, baseline: Option<&Baseline>) {
    let findings = std::mem::take(&mut report.findings);
    let env_secrets: BTreeSet<(PathBuf, u32)> =
        findings.iter().filter(|f| f.rule.id == ENV_SECRET).map(|f| (f.location.file.clone(), f.location.line)).collect();
    let mut seen = BTreeSet::new();
    let mut sources = Sources::default();
    for mut f in findings {
        if f.rule.class == Class::Secret && f.rule.id != ENV_SECRET && env_secrets.contains(&(f.location.file.clone(), f.location.line)) {
            continue;
        }
        // A file shared by groups is analysed once per group.
        if !seen.insert((f.rule.id, f.location.clone(), f.function.clone(), f.message.clone())) {
            continue;
        }
        let source = sources.get(root, &f.location.file);
        if source.and_then(|s| suppression_at(s, f.location.line)).is_some_and(|s| s.covers(f.rule.id)) {
            report.stats.suppressed += 1;
            continue;
        }
        let line = source.and_then(|s| s.lines().nth(usize::try_from(f.location.line).ok()?.checked_sub(1)?));
        f.fingerprint = fingerprint(&f, line.unwrap_or(""));
        if baseline.is_some_and(|b| b.accepts(&f)) {
            report.stats.baselined += 1;
            continue;
        }
        report.findings.push(f);
    }
    report.findings.sort_by(|a, b| {
        (&a.location.file, a.location.line, a.rule.id, &a.function).cmp(&(&b.location.file, b.location.line, b.rule.id, &b.function))
    });
    report.diagnostics.sort_by(|a, b| (&a.file, a.line, a.kind).cmp(&(&b.file, b.line, b.kind)));
    report.diagnostics.dedup();
    for d in &report.diagnostics {
        if d.kind.skips_file() {
            report.stats.skip(d.kind);
        }
    }
}

/// The text of the files findings point into, read once each.
#[derive(Default)]
struct Sources {
    files: HashMap<PathBuf, Option<String>>,
}

impl Sources {
    fn get(&mut self, root: &Path, file: &Path) -> Option<&str> {
        self.files
            .entry(file.to_path_buf())
            .or_insert_with(|| std::fs::read(root.join(file)).ok().map(|b| String::from_utf8_lossy(&b).into_owned()))
            .as_deref()
    }
}
