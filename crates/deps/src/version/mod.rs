//! Version ordering per ecosystem, as OSV ranges need it: SemVer 2.0 for npm and Go, PEP 440
//! for PyPI, Maven's ComparableVersion for Maven.

mod maven;
mod pep440;

use std::cmp::Ordering;

use crate::Ecosystem;

/// How the versions of one OSV range compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    Semver,
    Pep440,
    Maven,
}

impl Scheme {
    /// The scheme of an OSV range of `range_type` for `ecosystem`; None for `GIT` ranges
    /// (commit hashes: nothing a manifest pins).
    pub fn for_range(ecosystem: Ecosystem, range_type: &str) -> Option<Scheme> {
        match range_type {
            "SEMVER" => Some(Scheme::Semver),
            "ECOSYSTEM" => Some(match ecosystem {
                Ecosystem::Npm | Ecosystem::Go => Scheme::Semver,
                Ecosystem::PyPI => Scheme::Pep440,
                Ecosystem::Maven => Scheme::Maven,
            }),
            _ => None,
        }
    }

    /// The scheme exact `versions` lists compare under.
    pub fn of(ecosystem: Ecosystem) -> Scheme {
        match Scheme::for_range(ecosystem, "ECOSYSTEM") {
            Some(s) => s,
            None => Scheme::Semver,
        }
    }
}

/// A parsed version; versions of different schemes never compare.
#[derive(Clone, Debug)]
pub(crate) enum Version {
    Semver(semver::Version),
    Pep440(pep440::Version),
    Maven(maven::Version),
}

impl Version {
    pub fn parse(scheme: Scheme, text: &str) -> Option<Version> {
        match scheme {
            Scheme::Semver => go_semver(text).map(Version::Semver),
            Scheme::Pep440 => pep440::Version::parse(text).map(Version::Pep440),
            Scheme::Maven => maven::Version::parse(text).map(Version::Maven),
        }
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        match (self, other) {
            (Version::Semver(a), Version::Semver(b)) => Some(a.cmp(b)),
            (Version::Pep440(a), Version::Pep440(b)) => Some(a.cmp(b)),
            (Version::Maven(a), Version::Maven(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// SemVer as npm and Go write it: an optional `v`, Go's `+incompatible` marker (a v2+ module
/// without a go.mod), and build metadata, which SemVer precedence ignores.
pub(crate) fn go_semver(text: &str) -> Option<semver::Version> {
    let t = text.trim();
    let t = t.strip_prefix('v').or_else(|| t.strip_prefix('=')).unwrap_or(t);
    let mut v = semver::Version::parse(t).ok()?;
    v.build = semver::BuildMetadata::EMPTY;
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(scheme: Scheme, s: &str) -> Version {
        Version::parse(scheme, s).unwrap()
    }

    #[test]
    fn semver_strips_go_and_build_decorations() {
        assert!(v(Scheme::Semver, "v1.9.0") < v(Scheme::Semver, "1.9.1"));
        assert!(v(Scheme::Semver, "v2.0.0+incompatible") == v(Scheme::Semver, "2.0.0"));
        assert!(v(Scheme::Semver, "v0.0.0-20210226172049-e18ecbb05110") < v(Scheme::Semver, "0.0.1"));
        assert!(v(Scheme::Semver, "1.0.0-rc.1") < v(Scheme::Semver, "1.0.0"));
        assert!(Version::parse(Scheme::Semver, "1.0").is_none());
    }

    #[test]
    fn schemes_do_not_compare_across() {
        assert_eq!(v(Scheme::Semver, "1.0.0").partial_cmp(&v(Scheme::Pep440, "1.0.0")), None);
    }
}
