//! The sandbox behind `fnwarden run`. So far: the Lambda Runtime API server that runtimes talk
//! to, built-in bootstraps for Python and Node.js, and the Lambda environment with per-run
//! canary credentials; isolation, monitoring and the network honeypots build on them (issue #3).

pub mod bootstrap;
pub mod enrich;
pub mod environment;
pub mod honeypot;
pub mod isolation;
pub mod monitor;
pub mod netns;
pub mod peer;
pub mod policy;
pub mod profile;
pub mod runtime_api;
pub mod session;

pub use bootstrap::{Client, Launch, Runtime};
pub use environment::{Canaries, CanaryFinder, Function, lambda_env};
pub use runtime_api::{ApiError, Call, Invocation, Outcome, RuntimeApi};
