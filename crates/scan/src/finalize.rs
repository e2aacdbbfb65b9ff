//! The last steps of a scan: one finding per problem, inline suppressions, fingerprints, the
//! baseline, a stable order, and the skip counters.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use fnwarden_project::{Class, ScanReport};
use fnwarden_scanout::{Baseline, fingerprint, suppression};

/// The rule posture raises for a secret in an IaC environment block; the secrets scanner sees
/// the same line and would say it again, without the function.
const ENV_SECRET: &str = "fnw-scan-cfg-env-secret";

pub fn finish(root: &Path, report: &mut ScanReport, baseline: Option<&Baseline>) {
    let findings = std::mem::take(&mut report.findings);
    let env_secrets: BTreeSet<(PathBuf, u32)> =
        findings.iter().filter(|f| f.rule.id == ENV_SECRET).map(|f| (f.location.file.clone(), f.location.line)).collect();
    let mut seen = BTreeSet::new();
    let mut lines = LineCache::default();
    for mut f in findings {
        if f.rule.class == Class::Secret && env_secrets.contains(&(f.location.file.clone(), f.location.line)) {
            continue;
        }
        // A file shared by groups is analysed once per group.
        if !seen.insert((f.rule.id, f.location.clone(), f.function.clone(), f.message.clone())) {
            continue;
        }
        let line = lines.line(root, &f.location.file, f.location.line);
        let previous = f.location.line.checked_sub(1).filter(|l| *l > 0).map(|l| lines.line(root, &f.location.file, l));
        let on_line = line.as_deref().and_then(suppression);
        // A comment alone on the line above covers the next line.
        let above = previous.flatten().filter(|p| comment_only(p)).as_deref().and_then(suppression);
        if on_line.iter().chain(above.iter()).any(|s| s.covers(f.rule.id)) {
            report.stats.suppressed += 1;
            continue;
        }
        f.fingerprint = fingerprint(&f, line.as_deref().unwrap_or(""));
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

fn comment_only(line: &str) -> bool {
    let t = line.trim_start();
    ["#", "//", "/*", "<!--", "--", ";", "*"].iter().any(|p| t.starts_with(p))
}

/// Lines of the files findings point into, read once each.
#[derive(Default)]
struct LineCache {
    files: HashMap<PathBuf, Option<Vec<String>>>,
}

impl LineCache {
    fn line(&mut self, root: &Path, file: &Path, line: u32) -> Option<String> {
        if line == 0 {
            return None;
        }
        let lines = self.files.entry(file.to_path_buf()).or_insert_with(|| {
            std::fs::read(root.join(file)).ok().map(|b| String::from_utf8_lossy(&b).lines().map(str::to_owned).collect())
        });
        lines.as_ref()?.get(usize::try_from(line - 1).ok()?).cloned()
    }
}
