//! The detection engine: one engine judges every event from every source.
//!
//! Stateless rules are indexed by event kind and guarded by literal prefilters; stateful
//! detectors (correlations, thresholds, later baselines) implement [`Detector`] and see the
//! rule matches in event-time order.

mod alerting;
mod engine;
pub mod testing;

pub use engine::{Engine, EngineConfig, EngineStats, Strategy};
