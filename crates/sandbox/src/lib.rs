//! The sandbox behind `fnwarden run`. So far: the Lambda Runtime API server that runtimes talk
//! to, and built-in bootstraps for Python and Node.js; isolation, monitoring and honeypots build
//! on them (issue #3).

pub mod bootstrap;
pub mod runtime_api;

pub use bootstrap::Runtime;
pub use runtime_api::{ApiError, Call, Invocation, Outcome, RuntimeApi};
