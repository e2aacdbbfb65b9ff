//! The rule pack compiled into the binary from the repository's `rules/` directory.

use std::path::Path;

use fnwarden_rules::ruleset::Builder;

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// How built-in rule files are named in errors and rule sources.
pub const PREFIX: &str = "builtin:";

/// Adds every built-in rule file; errors name them `builtin:rules/<name>`.
pub fn add(b: &mut Builder) {
    for (name, text) in BUILTIN_RULES {
        b.add_str(text, Path::new(&format!("{PREFIX}rules/{name}")));
    }
}
