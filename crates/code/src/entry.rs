use std::path::PathBuf;

use fnwarden_project::TriggerKind;
use serde::Serialize;

/// A handler the platform calls with attacker-influenced input: where taint starts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    /// The function's IaC name; `None` for an entry found by convention without IaC.
    pub function: Option<String>,
    /// The source file, relative to the scan root.
    pub file: PathBuf,
    /// The handler's name in that file: a function (`handler`), `Class::method` for Java, the
    /// function passed to `lambda.Start` for Go, `exports.x` / `export const x` for JS.
    pub symbol: String,
    /// What feeds it, from the IaC: which event shapes carry attacker data.
    pub triggers: Vec<TriggerKind>,
}
