use std::path::PathBuf;

use serde::Serialize;

/// Why a file, or part of one, was not analysed (or analysed only in part).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagKind {
    BadYaml,
    BadJson,
    BadHcl,
    BadToml,
    BadXml,
    /// A source file tree-sitter could only parse with errors; the rest of it is still analysed.
    SyntaxError,
    Binary,
    /// A minified or generated bundle: long lines, not written by people.
    Minified,
    TooLarge,
    SymlinkLoop,
    /// A symlink that leads outside the scanned tree: not followed (a hostile project could
    /// point it at /proc or the home folder).
    SymlinkOutside,
    Unreadable,
    /// A dependency manifest or lock file that does not parse.
    BadManifest,
    /// A handler named in the IaC whose file or symbol is not in the tree.
    HandlerNotFound,
    /// A template or config that parses but is not what it claims (unknown resource shape).
    BadTemplate,
    /// The OSV database is missing or unreadable: dependencies were not checked.
    NoVulnDatabase,
}

impl DiagKind {
    pub fn name(self) -> &'static str {
        match self {
            DiagKind::BadYaml => "bad_yaml",
            DiagKind::BadJson => "bad_json",
            DiagKind::BadHcl => "bad_hcl",
            DiagKind::BadToml => "bad_toml",
            DiagKind::BadXml => "bad_xml",
            DiagKind::SyntaxError => "syntax_error",
            DiagKind::Binary => "binary",
            DiagKind::Minified => "minified",
            DiagKind::TooLarge => "too_large",
            DiagKind::SymlinkLoop => "symlink_loop",
            DiagKind::SymlinkOutside => "symlink_outside",
            DiagKind::Unreadable => "unreadable",
            DiagKind::BadManifest => "bad_manifest",
            DiagKind::HandlerNotFound => "handler_not_found",
            DiagKind::BadTemplate => "bad_template",
            DiagKind::NoVulnDatabase => "no_vuln_database",
        }
    }

    /// True when the file was skipped entirely, rather than analysed in part.
    pub fn skips_file(self) -> bool {
        matches!(
            self,
            DiagKind::BadYaml
                | DiagKind::BadJson
                | DiagKind::BadHcl
                | DiagKind::BadToml
                | DiagKind::BadXml
                | DiagKind::Binary
                | DiagKind::Minified
                | DiagKind::TooLarge
                | DiagKind::SymlinkLoop
                | DiagKind::SymlinkOutside
                | DiagKind::Unreadable
                | DiagKind::BadManifest
        )
    }
}

/// A located problem with the input, reported instead of a crash.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Relative to the scan root.
    pub file: PathBuf,
    /// 1-based; 0 when the whole file is concerned.
    pub line: u32,
    pub kind: DiagKind,
    pub message: String,
}

impl Diagnostic {
    pub fn new(file: impl Into<PathBuf>, line: u32, kind: DiagKind, message: impl Into<String>) -> Diagnostic {
        Diagnostic { file: file.into(), line, kind, message: message.into() }
    }
}
