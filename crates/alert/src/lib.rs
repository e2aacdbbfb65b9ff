//! The one alert model for everything fnwarden finds (runtime, scan, logs), and its outputs.

mod model;

pub use model::*;
