use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// A place in the scanned tree. `file` is relative to the scan root; lines and columns are
/// 1-based, and 0 means "not known" (a whole file).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub file: PathBuf,
    pub line: u32,
    #[serde(skip_serializing_if = "is_zero")]
    pub column: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Location {
    pub fn new(file: impl Into<PathBuf>, line: u32, column: u32) -> Location {
        Location { file: file.into(), line, column }
    }

    pub fn file(file: impl Into<PathBuf>) -> Location {
        Location { file: file.into(), line: 0, column: 0 }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}", self.file.display()),
            (l, 0) => write!(f, "{}:{l}", self.file.display()),
            (l, c) => write!(f, "{}:{l}:{c}", self.file.display()),
        }
    }
}

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Spanned<T> {
    pub value: T,
    pub location: Location,
}

impl<T> Spanned<T> {
    pub fn new(value: T, location: Location) -> Spanned<T> {
        Spanned { value, location }
    }
}
