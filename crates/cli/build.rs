//! Embeds the repository's `rules/` directory (every `.yaml`/`.yml` file, in name order) so that
//! the binary carries its built-in rule pack. A missing directory gives an empty pack.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let rules = manifest.join("../../rules");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={}", rules.display());
    let mut files = Vec::new();
    if rules.is_dir() {
        collect(&rules, &mut files)?;
    }
    files.sort();
    let mut table = String::from("/// Built-in rule files: (path below `rules/`, text).\npub static BUILTIN_RULES: &[(&str, &str)] = &[\n");
    for f in &files {
        let name = f.strip_prefix(&rules).unwrap_or(f).to_string_lossy().replace('\\', "/");
        let abs = std::fs::canonicalize(f)?;
        writeln!(table, "    ({name:?}, include_str!({:?})),", abs.display().to_string()).map_err(std::io::Error::other)?;
    }
    table.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("builtin_rules.rs");
    std::fs::write(out, table)
}
