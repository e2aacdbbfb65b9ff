//! The secrets scanner on arbitrary bytes.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static SCANNER: OnceLock<fnwarden_secrets::Scanner> = OnceLock::new();
    let scanner = SCANNER.get_or_init(fnwarden_secrets::Scanner::new);
    let _ = scanner.scan(Path::new("config/.env"), data);
    if let Ok(text) = std::str::from_utf8(data)
        && let Some((k, v)) = text.split_once('=')
    {
        let _ = fnwarden_secrets::check_assignment(k, v);
    }
});
