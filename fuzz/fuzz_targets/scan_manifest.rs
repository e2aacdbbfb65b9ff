//! Dependency manifest and lock file readers on arbitrary bytes: the first byte picks the kind.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "requirements.txt",
    "Pipfile.lock",
    "poetry.lock",
    "go.mod",
    "go.sum",
    "pom.xml",
    "x-1.0.dist-info/METADATA",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let _ = fnwarden_deps::read_manifest(Path::new(NAMES[usize::from(pick) % NAMES.len()]), body);
});
