//! Any bytes as an event stream: the reader must count every line as an event or a rejection,
//! and never panic.
#![no_main]

use fnwarden_event::EventReader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut reader = EventReader::new(data, "fuzz");
    let mut seen = 0u64;
    for item in reader.by_ref() {
        if let Ok(mut ev) = item {
            ev.normalize();
            // Serialising back must work for anything the reader accepted.
            let _ = serde_json::to_string(&ev);
        }
        seen += 1;
    }
    let s = reader.stats();
    assert_eq!(s.events + s.rejected, seen);
});
