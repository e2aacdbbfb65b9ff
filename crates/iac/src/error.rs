use thiserror::Error;

/// Why a file could not be read into a tree, and where.
#[derive(Debug, Error, PartialEq)]
#[error("{message}")]
pub(crate) struct SyntaxError {
    /// 1-based; 0 when not known.
    pub line: u32,
    pub message: String,
}

impl SyntaxError {
    pub fn new(line: u32, message: impl Into<String>) -> SyntaxError {
        SyntaxError { line, message: message.into() }
    }
}
