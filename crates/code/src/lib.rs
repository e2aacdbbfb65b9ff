//! Function source code as the code analysers (taint, runtime hijack) read it: which language a
//! file is in, its tree-sitter syntax tree, and the handlers the IaC deploys from it.

mod entry;
mod lang;
mod parse;

pub use entry::{Entry, Param, convention_entries, entries_for, handler_node, is_function, parameters};
pub use lang::Lang;
pub use parse::{ParsedFile, parse};
pub use tree_sitter;
