//! OSV records (https://ossf.github.io/osv-schema/) as fnwarden stores them: the advisory's
//! headline facts, and per affected package the ranges and versions to match against.

use fnwarden_project::Severity;
use serde::{Deserialize, Serialize};

use crate::Ecosystem;
use crate::cvss;
use crate::version::{Scheme, Version};

/// The parts of an OSV record fnwarden reads; the rest of the schema is ignored.
#[derive(Deserialize)]
pub(crate) struct Record {
    pub id: String,
    pub modified: String,
    pub withdrawn: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub details: Option<String>,
    #[serde(default)]
    pub severity: Vec<SeverityEntry>,
    #[serde(default)]
    pub affected: Vec<Affected>,
    pub database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
pub(crate) struct SeverityEntry {
    #[serde(rename = "type")]
    pub kind: String,
    pub score: String,
}

#[derive(Deserialize)]
pub(crate) struct Affected {
    pub package: Option<PackageRef>,
    #[serde(default)]
    pub ranges: Vec<Range>,
    #[serde(default)]
    pub versions: Vec<String>,
    #[serde(default)]
    pub severity: Vec<SeverityEntry>,
}

#[derive(Deserialize)]
pub(crate) struct PackageRef {
    pub ecosystem: String,
    pub name: String,
}

/// Also the stored form of a range.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub(crate) struct Range {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub events: Vec<Event>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub(crate) struct Event {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
}

/// What the store keeps per affected package: enough to decide a version.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct Affects {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

impl Record {
    /// The headline: `summary`, else the first line of `details`, clipped.
    pub fn headline(&self) -> String {
        let text = self.summary.as_deref().filter(|s| !s.trim().is_empty()).or(self.details.as_deref()).unwrap_or("");
        let first = text.trim().lines().next().unwrap_or("").trim();
        let mut out: String = first.chars().take(200).collect();
        if out.len() < first.len() {
            out.push('…');
        }
        out
    }

    /// The advisory's severity: the highest CVSS v3 base score of its vectors (record-level or
    /// per affected package); else GitHub's `database_specific.severity` label; else Critical
    /// for malicious-package reports (`MAL-…`); else Medium. CVSS v2 and v4 vectors are not
    /// scored (v4 needs the specification's lookup tables; v2 is superseded).
    pub fn severity(&self) -> Severity {
        let vectors = self.severity.iter().chain(self.affected.iter().flat_map(|a| a.severity.iter()));
        let best = vectors
            .filter(|s| s.kind == "CVSS_V3")
            .filter_map(|s| cvss::v3_base_score(&s.score))
            .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
        if let Some(score) = best {
            return cvss::severity_of_score(score);
        }
        let label = self.database_specific.as_ref().and_then(|d| d.get("severity")).and_then(|s| s.as_str()).map(str::to_ascii_uppercase);
        match label.as_deref() {
            Some("CRITICAL") => Severity::Critical,
            Some("HIGH") => Severity::High,
            Some("MODERATE" | "MEDIUM") => Severity::Medium,
            Some("LOW") => Severity::Low,
            _ if self.id.starts_with("MAL-") => Severity::Critical,
            _ => Severity::Medium,
        }
    }
}

/// Whether `version` of a package in `ecosystem` is affected, and if so the first fixed
/// version above it when a range names one. OSV semantics: events of a range are applied in
/// version order; `introduced` turns affected on at and above its version (`0` = from the
/// start), `fixed` turns it off at and above its version, `last_affected` above its version.
/// `versions` lists exact affected versions. `GIT` ranges and unparsable versions never match.
pub(crate) fn affected(ecosystem: Ecosystem, version: &str, affects: &Affects) -> Option<Option<String>> {
    let mut hit = false;
    let mut fixed: Option<(Version, String)> = None;
    for range in &affects.ranges {
        let Some(scheme) = Scheme::for_range(ecosystem, &range.kind) else { continue };
        let Some(v) = Version::parse(scheme, version) else { continue };
        let Some(events) = sorted_events(scheme, &range.events) else { continue };
        let mut on = false;
        for (kind, at, _) in &events {
            match (kind, at) {
                (Kind::Introduced, None) => on = true,
                (Kind::Introduced, Some(at)) => on |= v >= *at,
                (Kind::Fixed, Some(at)) if v >= *at => on = false,
                (Kind::LastAffected, Some(at)) if v > *at => on = false,
                _ => {}
            }
        }
        if !on {
            continue;
        }
        hit = true;
        let next_fix = events.iter().find_map(|(kind, at, text)| match (kind, at) {
            (Kind::Fixed, Some(at)) if *at > v => Some((at.clone(), text.clone())),
            _ => None,
        });
        if let Some((at, text)) = next_fix
            && fixed.as_ref().is_none_or(|(f, _)| at < *f)
        {
            fixed = Some((at, text));
        }
    }
    if !hit {
        let scheme = Scheme::of(ecosystem);
        let parsed = Version::parse(scheme, version);
        hit = affects
            .versions
            .iter()
            .any(|listed| listed == version || matches!((&parsed, Version::parse(scheme, listed)), (Some(a), Some(b)) if *a == b));
    }
    hit.then(|| fixed.map(|(_, text)| text))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Introduced,
    Fixed,
    LastAffected,
}

/// Events in version order, `introduced: 0` first; None when a version does not parse (the
/// range cannot be evaluated faithfully).
fn sorted_events(scheme: Scheme, events: &[Event]) -> Option<Vec<(Kind, Option<Version>, String)>> {
    let mut out = Vec::new();
    for e in events {
        let (kind, text) = match (&e.introduced, &e.fixed, &e.last_affected) {
            (Some(t), _, _) => (Kind::Introduced, t),
            (_, Some(t), _) => (Kind::Fixed, t),
            (_, _, Some(t)) => (Kind::LastAffected, t),
            _ => continue, // `limit` events only bound GIT ranges
        };
        let at = if kind == Kind::Introduced && text == "0" { None } else { Some(Version::parse(scheme, text)?) };
        out.push((kind, at, text.clone()));
    }
    out.sort_by(|a, b| match (&a.1, &b.1) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal),
    });
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(kind: &str, events: &[(&str, &str)]) -> Range {
        let events = events
            .iter()
            .map(|(k, v)| {
                let v = Some(v.to_string());
                match *k {
                    "introduced" => Event { introduced: v, ..Event::default() },
                    "fixed" => Event { fixed: v, ..Event::default() },
                    _ => Event { last_affected: v, ..Event::default() },
                }
            })
            .collect();
        Range { kind: kind.to_string(), events }
    }

    fn affects(ranges: Vec<Range>, versions: &[&str]) -> Affects {
        Affects { ranges, versions: versions.iter().map(|s| s.to_string()).collect() }
    }

    #[test]
    fn semver_introduced_fixed() {
        let a = affects(vec![range("SEMVER", &[("introduced", "0"), ("fixed", "4.17.12")])], &[]);
        assert_eq!(affected(Ecosystem::Npm, "4.17.11", &a), Some(Some("4.17.12".into())));
        assert_eq!(affected(Ecosystem::Npm, "4.17.12", &a), None);
        assert_eq!(affected(Ecosystem::Npm, "4.17.21", &a), None);
        assert_eq!(affected(Ecosystem::Npm, "not-a-version", &a), None);
    }

    #[test]
    fn several_intervals_and_the_next_fix() {
        // Log4Shell-shaped: three affected intervals, each with its own fix.
        let a = affects(
            vec![range(
                "ECOSYSTEM",
                &[
                    ("introduced", "2.13.0"),
                    ("fixed", "2.15.0"),
                    ("introduced", "2.0-beta9"),
                    ("fixed", "2.3.1"),
                    ("introduced", "2.4"),
                    ("fixed", "2.12.2"),
                ],
            )],
            &[],
        );
        assert_eq!(affected(Ecosystem::Maven, "2.14.1", &a), Some(Some("2.15.0".into())));
        assert_eq!(affected(Ecosystem::Maven, "2.0-beta9", &a), Some(Some("2.3.1".into())));
        assert_eq!(affected(Ecosystem::Maven, "2.0-beta8", &a), None);
        assert_eq!(affected(Ecosystem::Maven, "2.3.1", &a), None);
        assert_eq!(affected(Ecosystem::Maven, "2.12.1", &a), Some(Some("2.12.2".into())));
        assert_eq!(affected(Ecosystem::Maven, "2.12.2", &a), None);
        assert_eq!(affected(Ecosystem::Maven, "2.17.1", &a), None);
    }

    #[test]
    fn last_affected_and_versions() {
        let a = affects(vec![range("ECOSYSTEM", &[("introduced", "0"), ("last_affected", "1.4.1")])], &[]);
        assert_eq!(affected(Ecosystem::PyPI, "1.4.1", &a), Some(None));
        assert_eq!(affected(Ecosystem::PyPI, "1.4.1.post1", &a), None);
        let listed = affects(vec![], &["5.3.1", "5.4b1"]);
        assert_eq!(affected(Ecosystem::PyPI, "5.3.1", &listed), Some(None));
        assert_eq!(affected(Ecosystem::PyPI, "5.4.0b1", &listed), Some(None));
        assert_eq!(affected(Ecosystem::PyPI, "5.4", &listed), None);
    }

    #[test]
    fn pypi_ranges_use_pep_440() {
        let a = affects(vec![range("ECOSYSTEM", &[("introduced", "0"), ("fixed", "5.4")])], &[]);
        assert_eq!(affected(Ecosystem::PyPI, "5.4b2", &a), Some(Some("5.4".into())));
        assert_eq!(affected(Ecosystem::PyPI, "5.4.0", &a), None);
        assert_eq!(affected(Ecosystem::PyPI, "5.3.1", &a), Some(Some("5.4".into())));
    }

    #[test]
    fn go_ranges_strip_the_v() {
        let a = affects(vec![range("SEMVER", &[("introduced", "0"), ("fixed", "0.17.0")])], &[]);
        assert_eq!(affected(Ecosystem::Go, "v0.7.0", &a), Some(Some("0.17.0".into())));
        assert_eq!(affected(Ecosystem::Go, "v0.17.0", &a), None);
        let git = affects(vec![range("GIT", &[("introduced", "0"), ("fixed", "abc123")])], &[]);
        assert_eq!(affected(Ecosystem::Go, "v0.7.0", &git), None);
    }

    #[test]
    fn severity_prefers_the_cvss_vector() {
        let rec: Record = serde_json::from_str(
            r#"{"id":"GHSA-x","modified":"2024-01-01T00:00:00Z","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}],"database_specific":{"severity":"MODERATE"}}"#,
        )
        .unwrap();
        assert_eq!(rec.severity(), Severity::Critical);
        let rec: Record = serde_json::from_str(r#"{"id":"GHSA-y","modified":"x","database_specific":{"severity":"MODERATE"}}"#).unwrap();
        assert_eq!(rec.severity(), Severity::Medium);
        let rec: Record = serde_json::from_str(r#"{"id":"MAL-2024-1","modified":"x"}"#).unwrap();
        assert_eq!(rec.severity(), Severity::Critical);
        let rec: Record = serde_json::from_str(r#"{"id":"PYSEC-1","modified":"x","details":"Line one.\nLine two."}"#).unwrap();
        assert_eq!(rec.headline(), "Line one.");
    }
}
