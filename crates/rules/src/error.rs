use std::fmt;
use std::path::PathBuf;

/// A rule that could not be loaded, with where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub file: PathBuf,
    /// 1-based; 0 when the whole file is at fault.
    pub line: usize,
    pub col: usize,
    /// The rule, macro or list the error belongs to, when known.
    pub rule: Option<String>,
    pub message: String,
}

impl LoadError {
    pub fn new(file: impl Into<PathBuf>, line: usize, col: usize, rule: Option<&str>, message: impl Into<String>) -> Self {
        LoadError { file: file.into(), line, col, rule: rule.map(str::to_owned), message: message.into() }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.col)?;
        }
        if let Some(r) = &self.rule {
            write!(f, ": rule {r:?}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for LoadError {}
