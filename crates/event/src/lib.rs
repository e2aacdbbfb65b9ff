//! The fnwarden event model.
//!
//! Every source (sandbox, eBPF sensor, log reader, third-party sensor) reports an [`Event`]; the
//! detection engine reads events only through [`Event::get`] and the field registry in [`field`],
//! so rules never depend on which source produced an event.

pub mod field;
mod kind;
mod model;
mod reader;
pub mod sysargs;
mod time;

pub use field::{FieldDef, FieldId, FieldRef, FieldType, Val};
pub use kind::{Category, EventKind};
pub use model::*;
pub use reader::{EventReader, MAX_LINE, ReadError, ReaderStats, parse_event};
pub use time::{Timestamp, TimestampError};

/// Version of the JSON-lines event schema this crate reads and writes.
pub const SCHEMA: &str = "fnwarden.event/v1";
