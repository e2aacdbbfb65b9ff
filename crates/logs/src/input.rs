//! Which files a command reads: paths, folders (recursively, symbolic-link loops refused) and
//! stdin; gzip is recognised by its magic bytes, not its name.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::bufread::MultiGzDecoder;

use crate::reject::{Reason, Rejection};

/// Read buffer size: large enough to sniff a format from the start of a file.
pub const BUF: usize = 256 << 10;

/// One input: a file, or stdin (`-`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    pub fn origin(&self) -> String {
        match self {
            Input::Stdin => "-".to_owned(),
            Input::File(p) => p.display().to_string(),
        }
    }
}

/// Expands `paths` into inputs, in a stable order: folders are walked recursively with their
/// entries sorted, following links but never into a folder already on the walk.
pub fn expand(paths: &[PathBuf], rejected: &mut Vec<Rejection>) -> Vec<Input> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                let mut on_path = HashSet::new();
                walk(p, &mut on_path, &mut out, rejected);
            }
            Ok(_) => out.push(Input::File(p.clone())),
            Err(e) => rejected.push(Rejection::new(&p.display().to_string(), 0, Reason::Unreadable, format!("cannot read: {e}"))),
        }
    }
    out
}

fn walk(dir: &Path, on_path: &mut HashSet<(u64, u64)>, out: &mut Vec<Input>, rejected: &mut Vec<Rejection>) {
    let origin = dir.display().to_string();
    let id = match std::fs::metadata(dir) {
        Ok(m) => (m.dev(), m.ino()),
        Err(e) => return rejected.push(Rejection::new(&origin, 0, Reason::Unreadable, format!("cannot read folder: {e}"))),
    };
    if !on_path.insert(id) {
        return rejected.push(Rejection::new(
            &origin,
            0,
            Reason::SymlinkLoop,
            "symbolic link loop: this folder is already being read, skipped",
        ));
    }
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            on_path.remove(&id);
            return rejected.push(Rejection::new(&origin, 0, Reason::Unreadable, format!("cannot read folder: {e}")));
        }
    };
    entries.sort();
    for p in entries {
        match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() => walk(&p, on_path, out, rejected),
            Ok(m) if m.is_file() => {
                // Hidden files (editor swap files, .DS_Store) are not logs.
                if !p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')) {
                    out.push(Input::File(p));
                }
            }
            Ok(_) => {}
            Err(e) => rejected.push(Rejection::new(&p.display().to_string(), 0, Reason::Unreadable, format!("cannot read: {e}"))),
        }
    }
    on_path.remove(&id);
}

/// Adds the bytes read (before decompression) to a shared counter, for progress bars.
struct Counted<R> {
    inner: R,
    bytes: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens an input, decompressing gzip when the data starts with its magic bytes; `bytes`
/// counts what is read from the file.
pub fn open(input: &Input, bytes: Option<&Arc<AtomicU64>>) -> std::io::Result<Box<dyn BufRead + Send>> {
    let raw: Box<dyn Read + Send> = match input {
        Input::Stdin => Box::new(std::io::stdin()),
        Input::File(p) => Box::new(File::open(p)?),
    };
    match bytes {
        Some(b) => decompress(Box::new(Counted { inner: raw, bytes: Arc::clone(b) })),
        None => decompress(raw),
    }
}

/// Total size of the file inputs, for a progress bar (stdin has none).
pub fn total_len(inputs: &[Input]) -> Option<u64> {
    let mut total = 0;
    for i in inputs {
        match i {
            Input::Stdin => return None,
            Input::File(p) => total += std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
        }
    }
    Some(total)
}

/// Wraps a byte stream: gzip (possibly several members, as concatenated .gz files are) is
/// decompressed, anything else passes through.
pub fn decompress(raw: Box<dyn Read + Send>) -> std::io::Result<Box<dyn BufRead + Send>> {
    let mut buffered = BufReader::with_capacity(BUF, raw);
    let head = buffered.fill_buf()?;
    if head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        Ok(Box::new(BufReader::with_capacity(BUF, MultiGzDecoder::new(buffered))))
    } else {
        Ok(Box::new(buffered))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_walked_in_order_and_link_loops_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("b")).unwrap();
        std::fs::write(root.join("b/2.json"), "{}").unwrap();
        std::fs::write(root.join("a.log"), "x").unwrap();
        std::fs::write(root.join(".hidden"), "x").unwrap();
        std::os::unix::fs::symlink(root, root.join("b/loop")).unwrap();
        let mut rejected = Vec::new();
        let got = expand(&[root.to_path_buf(), root.join("missing")], &mut rejected);
        assert_eq!(got, vec![Input::File(root.join("a.log")), Input::File(root.join("b/2.json"))]);
        let reasons: Vec<Reason> = rejected.iter().map(|r| r.reason).collect();
        assert_eq!(reasons, vec![Reason::SymlinkLoop, Reason::Unreadable]);
        assert!(rejected[0].origin.ends_with("b/loop"));
    }
}
