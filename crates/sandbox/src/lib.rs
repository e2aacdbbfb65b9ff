//! The sandbox behind `fnwarden run`. This first part is the Lambda Runtime API server that
//! runtimes talk to; isolation, monitoring and honeypots build on it (issue #3).

pub mod runtime_api;

pub use runtime_api::{ApiError, Call, Invocation, Outcome, RuntimeApi};
