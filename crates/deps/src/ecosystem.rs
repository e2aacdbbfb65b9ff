//! The package ecosystems fnwarden checks, as OSV names them, and how a function's runtime maps
//! to the one whose packages it ships.

use std::fmt;

/// A package ecosystem. The OSV name is what `affected[].package.ecosystem` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ecosystem {
    Npm,
    PyPI,
    Go,
    Maven,
}

impl Ecosystem {
    pub const ALL: [Ecosystem; 4] = [Ecosystem::Npm, Ecosystem::PyPI, Ecosystem::Go, Ecosystem::Maven];

    /// For people and for reports.
    pub fn name(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::Maven => "Maven",
        }
    }

    /// The OSV ecosystem string (also the folder name of the OSV bucket's per-ecosystem zip).
    pub fn osv_name(self) -> &'static str {
        self.name()
    }

    /// From an OSV ecosystem string. OSV may suffix a release (`Debian:11`); the four ecosystems
    /// here carry none, but a suffix is tolerated.
    pub fn from_osv(s: &str) -> Option<Ecosystem> {
        let base = s.split(':').next().unwrap_or(s);
        Ecosystem::ALL.into_iter().find(|e| e.osv_name() == base)
    }

    /// The key a package name is stored and looked up under: PEP 503 for PyPI (lowercase, runs
    /// of `-`, `_`, `.` are one `-`), as written for the others (npm names, Go module paths and
    /// Maven `group:artifact` coordinates are case-sensitive).
    pub fn normalise(self, name: &str) -> String {
        match self {
            Ecosystem::PyPI => {
                let mut out = String::with_capacity(name.len());
                let mut in_sep = false;
                for c in name.trim().chars() {
                    if matches!(c, '-' | '_' | '.') {
                        if !in_sep {
                            out.push('-');
                        }
                        in_sep = true;
                    } else {
                        out.extend(c.to_lowercase());
                        in_sep = false;
                    }
                }
                out
            }
            Ecosystem::Npm | Ecosystem::Go | Ecosystem::Maven => name.trim().to_string(),
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The ecosystem whose packages a Lambda runtime loads: `nodejs*` → npm, `python*` → PyPI,
/// `java*` → Maven, `go1.x` and the custom `provided*` runtimes → Go (custom runtimes are
/// overwhelmingly Go binaries since go1.x was retired; a Rust or C++ bootstrap ships no
/// manifest of these four kinds, so nothing is misattributed).
pub fn ecosystem_for_runtime(runtime: &str) -> Option<Ecosystem> {
    let r = runtime.trim().to_ascii_lowercase();
    if r.starts_with("nodejs") {
        Some(Ecosystem::Npm)
    } else if r.starts_with("python") {
        Some(Ecosystem::PyPI)
    } else if r.starts_with("java") {
        Some(Ecosystem::Maven)
    } else if r.starts_with("go1") || r.starts_with("provided") {
        Some(Ecosystem::Go)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtimes_map_to_their_ecosystem() {
        assert_eq!(ecosystem_for_runtime("nodejs20.x"), Some(Ecosystem::Npm));
        assert_eq!(ecosystem_for_runtime("python3.12"), Some(Ecosystem::PyPI));
        assert_eq!(ecosystem_for_runtime("java21"), Some(Ecosystem::Maven));
        assert_eq!(ecosystem_for_runtime("java8.al2"), Some(Ecosystem::Maven));
        assert_eq!(ecosystem_for_runtime("go1.x"), Some(Ecosystem::Go));
        assert_eq!(ecosystem_for_runtime("provided.al2023"), Some(Ecosystem::Go));
        assert_eq!(ecosystem_for_runtime("ruby3.3"), None);
        assert_eq!(ecosystem_for_runtime("dotnet8"), None);
    }

    #[test]
    fn pypi_names_normalise_per_pep_503() {
        assert_eq!(Ecosystem::PyPI.normalise("PyYAML"), "pyyaml");
        assert_eq!(Ecosystem::PyPI.normalise("zope.interface"), "zope-interface");
        assert_eq!(Ecosystem::PyPI.normalise("Foo__Bar-.baz"), "foo-bar-baz");
        assert_eq!(Ecosystem::Npm.normalise("@Scope/Pkg"), "@Scope/Pkg");
    }

    #[test]
    fn osv_names_round_trip() {
        for e in Ecosystem::ALL {
            assert_eq!(Ecosystem::from_osv(e.osv_name()), Some(e));
        }
        assert_eq!(Ecosystem::from_osv("crates.io"), None);
        assert_eq!(Ecosystem::from_osv("Maven:central"), Some(Ecosystem::Maven));
    }
}
