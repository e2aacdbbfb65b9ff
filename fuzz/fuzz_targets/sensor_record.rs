//! Any bytes as a ring-buffer record, and as the /proc text attribution reads: decoding,
//! normalising into an event and resolving a function must never panic, whatever a hostile
//! function put in its paths, arguments, cgroup names or environment.
#![no_main]

use fnwarden_sensor::attribution::{self, ProcFacts};
use fnwarden_sensor::normalize::Normalizer;
use fnwarden_sensor::process::Table;
use fnwarden_sensor::wire::{RECORD_SIZE, Record};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Wrong sizes are refused; the right size always decodes.
    let _ = Record::from_bytes(data);
    let mut padded = data.to_vec();
    padded.resize(RECORD_SIZE, 0);
    let Some(mut r) = Record::from_bytes(&padded) else { panic!("a record-sized buffer did not decode") };
    // Pids of processes that do not exist, so that /proc gives nothing real.
    r.pid = r.pid % 1000 + 4_000_000;
    r.ppid = r.ppid % 1000 + 4_000_000;
    let mut norm = Normalizer::new(Table::new(vec!["fuzz".into()]));
    if let Some(ev) = norm.event(&r, 1) {
        let _ = serde_json::to_string(&ev);
    }
    let text = String::from_utf8_lossy(data);
    let facts = ProcFacts { cgroup: attribution::cgroup_path(&text), cgroups: text.lines().map(str::to_owned).collect(), env: attribution::parse_env(data) };
    let _ = attribution::resolve(&facts, None, "fuzz");
    let _ = attribution::container_of(&text);
});
