//! Baselines: the findings a team has reviewed and accepted, by fingerprint, so a scan reports
//! only what is new.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use fnwarden_project::{Finding, ScanReport};
use serde::{Deserialize, Serialize};

use crate::paths;

/// The baseline file format's version; `load` refuses others.
const FORMAT: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("baseline {}:{line}:{column}: {message}", path.display())]
    Malformed { path: PathBuf, line: usize, column: usize, message: String },
    #[error("baseline {}: format version {found} is not supported (this fnwarden reads version {FORMAT})", path.display())]
    Version { path: PathBuf, found: u32 },
}

/// Fingerprints of accepted findings.
#[derive(Debug, Default)]
pub struct Baseline {
    accepted: HashSet<String>,
}

/// The file: the fingerprint decides; the rest is there for the people reviewing it.
#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    #[serde(default)]
    tool: String,
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    fingerprint: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    file: String,
    #[serde(default)]
    line: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    function: Option<String>,
    #[serde(default)]
    message: String,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read { path: path.to_owned(), source })?;
        Baseline::parse(&text, path)
    }

    fn parse(text: &str, path: &Path) -> Result<Baseline, BaselineError> {
        let malformed = |line, column, message: String| BaselineError::Malformed { path: path.to_owned(), line, column, message };
        let file: File = serde_json::from_str(text).map_err(|e| {
            // serde_json's own message ends in " at line L column C"; the error says that once.
            let message = e.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
            malformed(e.line(), e.column(), message)
        })?;
        if file.version != FORMAT {
            return Err(BaselineError::Version { path: path.to_owned(), found: file.version });
        }
        let mut accepted = HashSet::with_capacity(file.findings.len());
        for (i, entry) in file.findings.into_iter().enumerate() {
            if entry.fingerprint.trim().is_empty() {
                let line = line_of_entry(text, i).unwrap_or(0);
                return Err(malformed(line, 0, format!("finding {} has an empty fingerprint", i + 1)));
            }
            accepted.insert(entry.fingerprint);
        }
        Ok(Baseline { accepted })
    }

    /// True when the baseline lists the finding's fingerprint. A finding without one (the scan
    /// did not fill it in) is never accepted.
    pub fn accepts(&self, finding: &Finding) -> bool {
        !finding.fingerprint.is_empty() && self.accepted.contains(&finding.fingerprint)
    }

    pub fn len(&self) -> usize {
        self.accepted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accepted.is_empty()
    }

    /// A baseline accepting every finding of `report`, sorted by file, line and rule so that
    /// re-running it makes small diffs.
    pub fn write(report: &ScanReport, w: &mut dyn Write) -> std::io::Result<()> {
        let mut findings: Vec<Entry> = report
            .findings
            .iter()
            .map(|f| Entry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.id.to_owned(),
                file: paths::portable(&f.location.file),
                line: f.location.line,
                function: f.function.clone(),
                message: f.message.clone(),
            })
            .collect();
        findings.sort_by(|a, b| (&a.file, a.line, &a.rule, &a.fingerprint).cmp(&(&b.file, b.line, &b.rule, &b.fingerprint)));
        let file = File { version: FORMAT, tool: format!("fnwarden {}", crate::VERSION), findings };
        serde_json::to_writer_pretty(&mut *w, &file)?;
        writeln!(w)
    }
}

/// The 1-based line where the `index`th entry's `fingerprint` key is written: the n-th
/// occurrence of the key in the text, which holds for files `write` made and for hand edits
/// that keep one entry per object.
fn line_of_entry(text: &str, index: usize) -> Option<usize> {
    let (offset, _) = text.match_indices("\"fingerprint\"").nth(index)?;
    Some(text[..offset].matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Baseline, BaselineError> {
        Baseline::parse(text, Path::new(".fnwarden-baseline.json"))
    }

    #[test]
    fn reads_what_it_needs_and_ignores_the_review_fields() {
        let b = parse(r#"{"version":1,"tool":"fnwarden 0.0.9","findings":[{"fingerprint":"aa"},{"fingerprint":"bb","rule":"r","file":"f","line":3,"message":"m"}]}"#).unwrap();
        assert_eq!(b.len(), 2);
    }

    #[test]
    fn malformed_files_name_path_and_line() {
        let err = parse("{\n  \"version\": 1,\n  \"findings\": [\n    {\"fingerprint\": \"aa\",}\n  ]\n}").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("baseline .fnwarden-baseline.json:4:26: trailing comma"), "{text}");
        assert!(!text.contains(" at line "), "position said once: {text}");

        let err = parse("{\"version\": 1, \"findings\": [{\"fingerprint\": 7}]}").unwrap_err();
        assert!(matches!(err, BaselineError::Malformed { line: 1, .. }), "{err}");

        let err = parse("{\"version\": 1, \"findings\": [\n{\"fingerprint\": \"a\"},\n{\"fingerprint\": \" \"}]}").unwrap_err();
        assert!(matches!(err, BaselineError::Malformed { line: 3, .. }), "{err}");
        assert!(err.to_string().contains("finding 2 has an empty fingerprint"), "{err}");

        let err = parse("{\"version\": 2, \"findings\": []}").unwrap_err();
        assert!(matches!(err, BaselineError::Version { found: 2, .. }), "{err}");

        for bad in ["", "[]", "{\"findings\": []}", "{\"version\": 1}", "\u{0}"] {
            assert!(matches!(parse(bad), Err(BaselineError::Malformed { .. })), "{bad:?}");
        }
    }

    #[test]
    fn a_missing_file_is_a_read_error_naming_it() {
        let err = Baseline::load(Path::new("/nonexistent/fnwarden-baseline.json")).unwrap_err();
        assert!(matches!(err, BaselineError::Read { .. }));
        assert!(err.to_string().contains("/nonexistent/fnwarden-baseline.json"), "{err}");
    }
}
