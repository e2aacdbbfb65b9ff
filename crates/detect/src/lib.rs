//! The detection engine: one engine judges every event from every source.
//!
//! Stateless rules are indexed by event kind and guarded by literal prefilters (one
//! Aho-Corasick pass per field); stateful detectors (correlations, thresholds, later learned
//! baselines) implement [`Detector`] and see rule matches in event-time order.

mod alerting;
mod compile;
mod correlate;
mod engine;
mod hint;
mod needs;
mod order;
mod prefilter;
mod proccache;
pub mod testing;

pub use alerting::{alert_id, from_meta as alert_from_meta};
pub use correlate::{CorrelationDetector, Detector};
pub use engine::{Engine, EngineConfig, EngineStats, Strategy};
pub use needs::{Bound, KindNeed};
