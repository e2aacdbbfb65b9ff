//! Reading one file and deciding whether it is worth analysing: binary files, minified
//! bundles and oversized files become diagnostics instead.

use fnwarden_code::Lang;
use fnwarden_project::{DiagKind, Diagnostic};

use crate::walk::FileEntry;

/// How much of a file is looked at to call it binary.
const SNIFF: usize = 8192;
/// A bundle this large with lines this long was generated, not written.
const MINIFIED_MIN_BYTES: usize = 32 * 1024;
const MINIFIED_LINE: usize = 2048;

pub enum Intake {
    Text(Vec<u8>),
    Skipped(Diagnostic),
}

pub fn read(file: &FileEntry, max_bytes: u64) -> Intake {
    if file.size > max_bytes {
        return Intake::Skipped(Diagnostic::new(
            &file.rel,
            0,
            DiagKind::TooLarge,
            format!("{} bytes is over the {max_bytes}-byte limit (--max-file-size)", file.size),
        ));
    }
    let bytes = match std::fs::read(&file.abs) {
        Ok(b) => b,
        Err(e) => return Intake::Skipped(Diagnostic::new(&file.rel, 0, DiagKind::Unreadable, format!("cannot read: {e}"))),
    };
    if memchr::memchr(0, &bytes[..bytes.len().min(SNIFF)]).is_some() {
        return Intake::Skipped(Diagnostic::new(&file.rel, 0, DiagKind::Binary, "binary file"));
    }
    if let Some(d) = minified(file, &bytes) {
        return Intake::Skipped(d);
    }
    Intake::Text(bytes)
}

/// Minified JavaScript and CSS: large, with a few very long lines.
fn minified(file: &FileEntry, bytes: &[u8]) -> Option<Diagnostic> {
    let scripty =
        Lang::from_path(&file.rel).is_some_and(Lang::is_js_family) || file.rel.extension().is_some_and(|e| e == "css" || e == "map");
    if !scripty || bytes.len() < MINIFIED_MIN_BYTES {
        return None;
    }
    let lines = memchr::memchr_iter(b'\n', bytes).count() + 1;
    let average = bytes.len() / lines;
    let longest = bytes.split(|b| *b == b'\n').map(<[u8]>::len).max().unwrap_or(0);
    (longest >= MINIFIED_LINE && average >= MINIFIED_LINE / 8).then(|| {
        Diagnostic::new(
            &file.rel,
            0,
            DiagKind::Minified,
            format!("minified bundle ({lines} lines, longest {longest} bytes); analyse its sources instead"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(dir: &std::path::Path, name: &str, body: &[u8]) -> FileEntry {
        let abs = dir.join(name);
        std::fs::write(&abs, body).unwrap();
        FileEntry { rel: name.into(), abs, size: body.len() as u64 }
    }

    #[test]
    fn binary_minified_and_large_files_are_skipped_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let kind = |i: Intake| match i {
            Intake::Skipped(d) => Some(d.kind),
            Intake::Text(_) => None,
        };
        assert_eq!(kind(read(&entry(dir.path(), "a.png", b"\x89PNG\0\0"), 1 << 20)), Some(DiagKind::Binary));
        let bundle = format!("var a=1;{}\n", "f(a);".repeat(20_000));
        assert_eq!(kind(read(&entry(dir.path(), "app.min.js", bundle.as_bytes()), 1 << 20)), Some(DiagKind::Minified));
        assert_eq!(kind(read(&entry(dir.path(), "big.py", &[b'x'; 100]), 10)), Some(DiagKind::TooLarge));
        let code = "const a = 1;\n".repeat(5000);
        assert_eq!(kind(read(&entry(dir.path(), "app.js", code.as_bytes()), 1 << 20)), None);
    }
}
