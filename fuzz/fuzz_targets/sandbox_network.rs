//! What a hostile function sends to the sandbox's network: DNS queries to the resolver and the
//! first bytes of any TCP connection to the egress recorder. Neither parser may panic.
#![no_main]

use fnwarden_sandbox::honeypot::{answer_dns, sniff};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = answer_dns(data);
    for last in [false, true] {
        let _ = sniff(data, last);
    }
});
