//! What `fnwarden scan` hands to people and tools: a readable report, fnwarden's JSON, SARIF
//! 2.1.0 for GitHub code scanning, SonarQube's generic issue import format; and the two ways to
//! accept a finding: inline suppression comments and a baseline file. docs/scan-output.md
//! describes every format.

mod baseline;
mod catalogue;
mod fingerprint;
mod json;
mod paths;
mod sarif;
mod sonar;
mod suppression;
mod table;

pub use baseline::{Baseline, BaselineError};
pub use fingerprint::fingerprint;
pub use json::write_json;
pub use sarif::write_sarif;
pub use sonar::write_sonar;
pub use suppression::{Suppression, suppression, suppression_at};
pub use table::{TableStyle, write_table};

/// Written into every output, so a report names the build that made it.
const VERSION: &str = env!("CARGO_PKG_VERSION");
