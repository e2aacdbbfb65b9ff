//! Any text as a rule file, in either dialect: loading yields rules or located errors and never
//! panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let set = fnwarden_rules::load_str(text, "fuzz.yaml");
    for e in &set.errors {
        assert!(!e.message.is_empty());
    }
});
