//! The file being read: turns node positions into model locations.

use std::path::{Path, PathBuf};

use fnwarden_project::{DiagKind, Diagnostic, Location};

use crate::node::Node;

pub(crate) struct Source {
    /// Relative to the scan root.
    pub path: PathBuf,
    pub diagnostics: Vec<Diagnostic>,
}

impl Source {
    pub fn new(path: &Path) -> Source {
        Source { path: path.to_path_buf(), diagnostics: Vec::new() }
    }

    pub fn at(&self, node: &Node) -> Location {
        Location::new(&self.path, node.line, node.col)
    }

    pub fn line(&self, line: u32) -> Location {
        Location::new(&self.path, line, 0)
    }

    /// The folder holding this file, relative to the scan root.
    pub fn dir(&self) -> PathBuf {
        self.path.parent().map(Path::to_path_buf).unwrap_or_default()
    }

    /// A template shape fnwarden cannot read: reported, and the rest of the file goes on.
    pub fn bad_shape(&mut self, node: &Node, message: impl Into<String>) {
        let message = message.into();
        tracing::debug!(file = %self.path.display(), line = node.line, "{message}");
        self.diagnostics.push(Diagnostic::new(&self.path, node.line, DiagKind::BadTemplate, message));
    }
}
