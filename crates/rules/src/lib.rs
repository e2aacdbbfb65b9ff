//! Rules in two dialects, Falco-style and Sigma, compiled into one representation ([`ir`]).
//!
//! Loading checks every rule against the field registry of `fnwarden-event`: an unknown field, an
//! operator that does not fit a field's type, or an undefined macro or list is a [`LoadError`]
//! naming file, line and rule. Bad rules are reported and skipped; the rest still load.

pub mod error;
pub mod eval;
pub mod falco;
pub mod ir;
pub mod ruleset;
pub mod sigma;
pub mod testevent;
pub mod yaml;

pub use error::LoadError;
pub use ir::*;
pub use ruleset::{Dialect, RuleSet, load_path, load_str};
