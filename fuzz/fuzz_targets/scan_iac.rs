//! The IaC readers on arbitrary bytes: the first byte picks the file kind.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &["serverless.yml", "template.yaml", "template.json", "main.tf", "stack.template"];

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("fnwarden-fuzz-iac-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&d);
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let root = dir();
    if std::fs::write(root.join(name), body).is_err() {
        return;
    }
    let _ = fnwarden_iac::read_project(root, &[PathBuf::from(name)]);
    let _ = std::fs::remove_file(root.join(name));
});
