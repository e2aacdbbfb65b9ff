//! Runtime-hijack and persistence code rules for fnwarden scan: function code that talks to the
//! Lambda Runtime API, reads `/proc/*/environ`, drops or trusts executables in `/tmp`, leaves
//! processes running after the handler returns, or patches the runtime's globals. See
//! docs/scan-hijack.md for what each rule matches and why.

mod background;
mod catalogue;
mod command;
mod findings;
mod fold;
mod patch;
mod paths;
mod proc;
mod runtime_api;
mod syntax;
mod tmp;

use fnwarden_code::ParsedFile;
use fnwarden_project::{Finding, ScanRule};

pub use catalogue::{BACKGROUND_PROCESS, PROC_ENVIRON, RUNTIME_API, RUNTIME_PATCH, TMP_EXECUTABLE, TMP_TRUSTED};

/// Every hijack finding in one parsed source file, sorted by line.
pub fn check(file: &ParsedFile) -> Vec<Finding> {
    if is_runtime_client(file) {
        return Vec::new();
    }
    let syntax = syntax::Syntax::new(file);
    let mut out = findings::Findings::default();
    runtime_api::check(&syntax, &mut out);
    proc::check(&syntax, &mut out);
    tmp::check(&syntax, &mut out);
    background::check(&syntax, &mut out);
    patch::check(&syntax, &mut out);
    out.into_sorted()
}

/// A copy of AWS's own runtime interface client (vendored into a package): talking to the
/// Runtime API and owning stdout is its job.
fn is_runtime_client(file: &ParsedFile) -> bool {
    let path = file.path.to_string_lossy().replace('\\', "/");
    path.split('/')
        .any(|seg| matches!(seg, "awslambdaric" | "aws-lambda-ric" | "aws-lambda-go" | "aws-lambda-java-runtime-interface-client"))
        || path.contains("com/amazonaws/services/lambda/runtime/api/client/")
}

/// The rules `check` raises.
pub fn rules() -> Vec<&'static ScanRule> {
    catalogue::all()
}
