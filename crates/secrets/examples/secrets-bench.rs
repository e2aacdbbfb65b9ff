//! The driver of bench/secrets.sh: writes the generated corpus to disk (so detect-secrets reads
//! the same bytes) and scans a folder on one thread, printing throughput and findings.
//!
//!   secrets-bench gen <dir> <realistic-MB> <dense-MB>
//!   secrets-bench scan <dir>

use std::path::{Path, PathBuf};
use std::time::Instant;

use fnwarden_secrets::Scanner;

#[path = "../benches/corpus/mod.rs"]
mod corpus;

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files_under(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Nanoseconds this thread has spent on a CPU.
fn on_cpu_ns() -> Option<u64> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

fn write(dir: &Path, files: Vec<(String, String)>) -> std::io::Result<()> {
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("gen") if args.len() == 5 => {
            let dir = Path::new(&args[2]);
            let mb = |s: &str| s.parse::<usize>().map(|n| n << 20).unwrap_or(0);
            write(&dir.join("realistic"), corpus::realistic(7, mb(&args[3])))?;
            write(&dir.join("dense"), corpus::dense(7, mb(&args[4])))?;
            write(&dir.join("planted"), corpus::planted(11))?;
            Ok(())
        }
        Some("scan") if args.len() == 3 => {
            let root = Path::new(&args[2]);
            let mut paths = Vec::new();
            files_under(root, &mut paths)?;
            paths.sort();
            let contents: Vec<(PathBuf, Vec<u8>)> =
                paths.into_iter().map(|p| std::fs::read(&p).map(|b| (p, b))).collect::<std::io::Result<_>>()?;
            let scanner = Scanner::new();
            let bytes: usize = contents.iter().map(|c| c.1.len()).sum();
            // Files are read before the clock starts: this measures matching, one core. On a
            // shared machine wall time counts waits for the CPU too, so on-CPU time is printed as
            // well, from this thread's CPU clock.
            let cpu_start = on_cpu_ns();
            let start = Instant::now();
            let mut findings = Vec::new();
            for (path, text) in &contents {
                let rel = path.strip_prefix(root).unwrap_or(path);
                findings.extend(scanner.scan(rel, text));
            }
            let secs = start.elapsed().as_secs_f64();
            let cpu_secs = on_cpu_ns().zip(cpu_start).map(|(end, start)| (end - start) as f64 / 1e9).unwrap_or(secs);
            for f in &findings {
                println!("finding {} {}", f.rule.id, f.location);
            }
            let mb = bytes as f64 / 1e6;
            println!(
                "files {} bytes {bytes} seconds {secs:.4} mb_per_s {:.1} findings {} cpu_seconds {cpu_secs:.4} cpu_mb_per_s {:.1}",
                contents.len(),
                mb / secs,
                findings.len(),
                mb / cpu_secs
            );
            Ok(())
        }
        _ => {
            eprintln!("usage: secrets-bench gen <dir> <realistic-MB> <dense-MB> | secrets-bench scan <dir>");
            std::process::exit(2);
        }
    }
}
