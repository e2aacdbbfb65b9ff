//! The one alert model for everything fnwarden finds (runtime, scan, logs), and its outputs.

mod falco;
#[cfg(test)]
mod fixture;
mod json;
mod model;
mod sink;
mod table;

pub use falco::{FalcoSink, falco_priority, falco_time};
pub use json::JsonSink;
pub use model::*;
pub use sink::{Format, Sink, SinkError, UnknownFormat, colour_wanted};
pub use table::{TableSink, function_identity};
