//! What every `fnwarden scan` analyser shares: the project model the IaC readers build, and the
//! findings, rules and diagnostics the analysers produce. Analysers depend on this crate only, so
//! each stays behind this one narrow interface.

mod diagnostic;
mod finding;
mod location;
mod model;
mod report;
mod rule;

pub use diagnostic::{DiagKind, Diagnostic};
pub use finding::{Finding, TraceStep};
pub use fnwarden_rules::Severity;
pub use location::{Location, Spanned};
pub use model::{EnvValue, EnvVar, Framework, Function, FunctionUrl, Permission, Policy, Project, Role, Statement, Trigger, TriggerKind};
pub use report::{ScanReport, ScanStats};
pub use rule::{Class, ScanRule};
