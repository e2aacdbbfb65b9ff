//! `fnwarden db`: the local OSV vulnerability database that `fnwarden scan` checks
//! dependencies against, offline.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Load OSV advisories from an ecosystem zip or a folder of OSV JSON files
    #[command(long_about = "Loads OSV advisories into the local database that `fnwarden scan` uses, offline. \
SOURCE is an OSV ecosystem export (the all.zip of https://osv-vulnerabilities.storage.googleapis.com/<ecosystem>/, \
downloaded by you) or a folder of OSV JSON files. Importing again updates changed advisories. Malformed records \
are reported, counted and skipped.\n\nExamples:\n  fnwarden db import ~/Downloads/npm-all.zip\n  \
fnwarden db import PyPI.zip --db ./osv.sqlite\n  fnwarden db import tests/osv")]
    Import {
        /// An OSV ecosystem zip or a folder of OSV JSON files; repeatable.
        #[arg(value_name = "SOURCE", required = true)]
        sources: Vec<PathBuf>,
        /// The database file (default: $FNWARDEN_DB, else ~/.local/share/fnwarden/osv.sqlite).
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
    },
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Import { sources, db } => {
            let db = db.unwrap_or_else(fnwarden_deps::default_db_path);
            if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            }
            let mut failed = false;
            for source in sources {
                let bar = std::io::stderr().is_terminal().then(|| {
                    let bar = ProgressBar::new(0);
                    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} advisories {per_sec} eta {eta}") {
                        bar.set_style(style);
                    }
                    bar
                });
                let mut progress = |done: u64, total: Option<u64>| {
                    if let Some(b) = &bar {
                        if let Some(t) = total {
                            b.set_length(t);
                        }
                        b.set_position(done);
                    }
                };
                let stats = fnwarden_deps::import(&db, &source, &mut progress);
                if let Some(b) = &bar {
                    b.finish_and_clear();
                }
                match stats {
                    Ok(s) => eprintln!("fnwarden: {}: {s}", source.display()),
                    Err(e) => {
                        eprintln!("fnwarden: error: cannot import {}: {e}", source.display());
                        failed = true;
                    }
                }
            }
            eprintln!("fnwarden: database {}", db.display());
            Ok(if failed { ExitCode::from(2) } else { ExitCode::SUCCESS })
        }
    }
}
