//! The sandbox behind `fnwarden run`. So far: the Lambda Runtime API server that runtimes talk
//! to, built-in bootstraps for Python and Node.js, and the Lambda environment with per-run
//! canary credentials; isolation, monitoring and the network honeypots build on them (issue #3).

pub mod bootstrap;
pub mod environment;
pub mod runtime_api;

pub use bootstrap::Runtime;
pub use environment::{Canaries, Function, lambda_env};
pub use runtime_api::{ApiError, Call, Invocation, Outcome, RuntimeApi};
