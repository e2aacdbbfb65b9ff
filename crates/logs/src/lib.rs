//! fnwarden's log readers: cloud audit logs (AWS CloudTrail, Azure Activity, GCP Cloud Audit
//! Logs) and function execution logs (AWS Lambda text and JSON formats and Telemetry API
//! records, Azure Functions, Google Cloud Functions) become fnwarden events, which the one
//! detection engine judges. Invocation metrics feed the [`metrics`] detector: thresholds,
//! invocation-rate and billed-cost surges (Denial-of-Wallet), error bursts, crash loops and the
//! cryptomining signature.

pub mod cloud;
pub mod format;
pub mod function;
pub mod input;
pub mod json;
pub mod metrics;
pub mod reader;
pub mod reject;
pub mod time;

pub use format::LogFormat;
pub use input::Input;
pub use reader::{EventSink, LogReader, ReadOptions};
pub use reject::{ReadStats, Reason, Rejection};
