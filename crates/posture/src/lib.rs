//! Configuration and IAM checks for fnwarden scan: privilege, exposure, Denial-of-Wallet, runtimes,
//! environment. Everything here reads the IaC-level [`Project`] only; chains into the code are the
//! scan's. docs/scan-posture.md describes every rule and threshold.

mod account;
mod draft;
mod env;
mod exposure;
mod iam;
mod layers;
mod options;
mod runtime;
mod text;
mod wallet;

use fnwarden_project::{Finding, Project, ScanRule};

pub use options::PostureOptions;

/// Every posture finding for the project, sorted by file, line and rule.
pub fn check(project: &Project, opts: &PostureOptions) -> Vec<Finding> {
    let mut drafts = draft::Drafts::default();
    iam::check(project, opts, &mut drafts);
    exposure::check(project, opts, &mut drafts);
    wallet::check(project, opts, &mut drafts);
    runtime::check(project, opts, &mut drafts);
    env::check(project, &mut drafts);
    layers::check(project, opts, &mut drafts);
    drafts.into_findings()
}

/// Every rule [`check`] can raise.
pub fn rules() -> Vec<&'static ScanRule> {
    let mut all = Vec::new();
    all.extend_from_slice(iam::RULES);
    all.extend_from_slice(exposure::RULES);
    all.extend_from_slice(wallet::RULES);
    all.extend_from_slice(runtime::RULES);
    all.extend_from_slice(env::RULES);
    all.extend_from_slice(layers::RULES);
    all
}
