//! `fnwarden scan`: static analysis of a serverless project before deploy.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use fnwarden_project::Severity;
use fnwarden_scan::{Baseline, PostureOptions, Progress, ScanOptions, Stage};
use fnwarden_scanout::TableStyle;
use indicatif::{ProgressBar, ProgressStyle};

use crate::detect::{open_output, parse_severity};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ScanFormat {
    /// A table on a terminal, JSON otherwise.
    Auto,
    /// Grouped by function and severity, with source → sink paths.
    Table,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// SonarQube's generic issue import format.
    Sonar,
}

#[derive(clap::Args, Debug)]
#[command(
    about = "Find injection, secrets, over-privilege, Denial-of-Wallet exposure, vulnerable dependencies and runtime-hijack code before deploy",
    long_about = "Scans a serverless project folder: its IaC (Serverless Framework serverless.yml, AWS SAM and \
CloudFormation templates in YAML or JSON, Terraform) and its function code (Python, JavaScript/TypeScript, Go, \
Java).\n\n\
 - Code: taint from the event of each deployed handler (found from the IaC; by convention without IaC) through \
assignments, string building, parsing and calls across the function's files, to command execution, eval, SQL, \
deserialization, paths, outbound fetches and HTML. Each finding shows the source → sink path.\n\
 - Chains: a public trigger (unauthenticated route, function URL with AuthType NONE, public bucket) that feeds a \
tainted sink is one critical finding.\n\
 - IAM and configuration: wildcards, full-access policies, privilege-escalation combinations, Denial-of-Wallet \
exposure, public permissions, deprecated runtimes, env-based code injection, foreign layers and accounts.\n\
 - Secrets in code, config, env blocks and .env files.\n\
 - Dependencies against the OSV database, offline (load it with `fnwarden db import`).\n\
 - Runtime-hijack and persistence code: the Runtime API, /proc/*/environ, executables in /tmp, background \
processes, patched runtime globals.\n\n\
Files that cannot be analysed (bad YAML/HCL/JSON, syntax errors, binaries, minified bundles, symlink loops) are \
reported as FILE:LINE diagnostics, counted, and skipped; the scan goes on.\n\n\
Suppress one finding with a comment on its line or the line above: `# fnwarden-ignore: RULE-ID -- reason`. \
Accept the current findings with --write-baseline, and report only new ones with --baseline.\n\n\
Examples:\n  fnwarden scan .\n  fnwarden scan services/ --format sarif -o fnwarden.sarif --fail-on high\n  \
fnwarden scan . --write-baseline .fnwarden-baseline.json\n  fnwarden scan . --baseline .fnwarden-baseline.json --fail-on medium\n  \
fnwarden scan --list-rules"
)]
pub struct Args {
    /// The project folder.
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    #[arg(long, value_enum, default_value = "auto")]
    format: ScanFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with 1 when a finding at or above this severity remains (info, low, medium, high,
    /// critical). Default: never.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Option<Severity>,
    /// Leave out findings accepted in this baseline file (written by --write-baseline).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write every finding of this scan to FILE as a baseline, for review and later --baseline.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// The OSV database (default: $FNWARDEN_DB, else ~/.local/share/fnwarden/osv.sqlite).
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
    /// Leave out a path prefix (`frontend/`) or a file or folder name anywhere (`tests`). Repeatable.
    #[arg(long, value_name = "PATTERN")]
    exclude: Vec<String>,
    /// An AWS account id of your own: its layers, principals and trust are not "foreign". Repeatable.
    #[arg(long = "account", value_name = "ID")]
    accounts: Vec<String>,
    /// Judge runtime end-of-support dates as of this day (YYYY-MM-DD). Default: today.
    #[arg(long, value_name = "DATE")]
    today: Option<String>,
    /// Skip files larger than this many bytes (a diagnostic says so).
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    max_file_size: u64,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Show every step of each finding's trace in the table.
    #[arg(long)]
    trace: bool,
    /// Print the counters (files, skipped by reason, findings, time) as JSON on stderr.
    #[arg(long)]
    stats: bool,
    /// List the rules (id, severity, class, title) and exit; with --format json, as JSON.
    #[arg(long)]
    list_rules: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.list_rules {
        return list_rules(&args);
    }
    if let Some(n) = args.jobs {
        rayon_threads(n)?;
    }
    let mut posture = PostureOptions { own_accounts: args.accounts.clone(), ..PostureOptions::default() };
    if let Some(day) = &args.today {
        posture.today = parse_day(day)?;
    }
    let baseline = match &args.baseline {
        Some(p) => Some(Baseline::load(p).with_context(|| format!("cannot use --baseline {}", p.display()))?),
        None => None,
    };
    let opts =
        ScanOptions { posture, vuln_db: args.db.clone(), exclude: args.exclude.clone(), baseline, max_file_bytes: args.max_file_size };
    if !args.dir.is_dir() {
        anyhow::bail!("{} is not a folder", args.dir.display());
    }
    let bar = Bar::new();
    let report = fnwarden_scan::scan(&args.dir, &opts, &bar)?;
    bar.finish();

    let (mut out, to_terminal) = open_output(args.output.as_deref())?;
    let format = match args.format {
        ScanFormat::Auto if to_terminal => ScanFormat::Table,
        ScanFormat::Auto => ScanFormat::Json,
        f => f,
    };
    match format {
        ScanFormat::Table | ScanFormat::Auto => {
            let style = TableStyle { color: to_terminal && fnwarden_alert::colour_wanted(true), verbose: args.trace };
            fnwarden_scanout::write_table(&report, &mut out, &style)
        }
        ScanFormat::Json => fnwarden_scanout::write_json(&report, &mut out),
        ScanFormat::Sarif => fnwarden_scanout::write_sarif(&report, &mut out),
        ScanFormat::Sonar => fnwarden_scanout::write_sonar(&report, &mut out),
    }
    .and_then(|()| out.flush())
    .context("cannot write the report")?;
    if let Some(path) = &args.write_baseline {
        let file = std::fs::File::create(path).with_context(|| format!("cannot create --write-baseline {}", path.display()))?;
        let mut w = std::io::BufWriter::new(file);
        Baseline::write(&report, &mut w).and_then(|()| w.flush()).with_context(|| format!("cannot write {}", path.display()))?;
    }
    // Diagnostics go to stderr too when the report is for machines, so people see them.
    if format != ScanFormat::Table {
        for d in report.diagnostics.iter().take(20) {
            let at = if d.line > 0 { format!("{}:{}", d.file.display(), d.line) } else { d.file.display().to_string() };
            eprintln!("fnwarden: {at}: {} ({})", d.message, d.kind.name());
        }
        if report.diagnostics.len() > 20 {
            eprintln!("fnwarden: … and {} more diagnostics (see the report)", report.diagnostics.len() - 20);
        }
    }
    if args.stats {
        let mut stats = serde_json::to_value(&report.stats)?;
        if let Some(o) = stats.as_object_mut() {
            o.insert("findings".into(), report.findings.len().into());
            o.insert("diagnostics".into(), report.diagnostics.len().into());
        }
        eprintln!("{stats}");
    }
    let failed = args.fail_on.is_some_and(|min| report.findings.iter().any(|f| f.severity >= min));
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn list_rules(args: &Args) -> anyhow::Result<ExitCode> {
    let rules = fnwarden_scan::rules();
    let mut out = std::io::stdout().lock();
    if args.format == ScanFormat::Json {
        serde_json::to_writer_pretty(&mut out, &rules)?;
        writeln!(out)?;
    } else {
        for r in rules {
            writeln!(out, "{:<44} {:<9} {:<17} {}", r.id, r.severity.name(), r.class.name(), r.title)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn rayon_threads(n: usize) -> anyhow::Result<()> {
    rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global().context("cannot set --jobs")
}

fn parse_day(s: &str) -> anyhow::Result<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &format).with_context(|| format!("--today {s:?} is not a YYYY-MM-DD date"))
}

/// A bar per stage, on a terminal only.
struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    fn new() -> Bar {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            if let Ok(style) = ProgressStyle::with_template("{msg:>6} {bar:40} {pos}/{len} files {per_sec} eta {eta}") {
                bar.set_style(style);
            }
            bar
        });
        Bar { bar }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn stage(&self, stage: Stage, total: u64) {
        if let Some(b) = &self.bar {
            b.set_message(match stage {
                Stage::Files => "files",
                Stage::Code => "code",
            });
            b.set_length(total);
            b.set_position(0);
        }
    }

    fn advance(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }
}
