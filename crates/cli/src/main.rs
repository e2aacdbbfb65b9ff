//! `fnwarden`: detects serverless function escape.

// Log records are trees of small allocations that live in correlation windows and die out of
// order; glibc's allocator spent a third of `fnwarden logs` in malloc and free (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod builtin;
mod columns;
mod db;
mod detect;
mod fields;
mod logs;
mod monitor;
mod progress;
mod rules;
mod rulesource;
mod run;
mod scan;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// Exit code for usage and input errors (unreadable input, no rules at all).
const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "fnwarden",
    version,
    about = "Detect serverless function escape: judge function events with Falco-style and Sigma rules",
    long_about = "fnwarden judges events from serverless functions (processes, files, network, kernel \
actions, cloud audit records, invocations, logs) with rules written in a Falco-style dialect or \
in Sigma, and reports alerts for people (table) or machines (JSON, Falco-compatible JSON).\n\n\
Start with:\n  fnwarden scan .\n  fnwarden detect --input events.jsonl\n  fnwarden fields\n  fnwarden rules list",
    after_help = "Exit codes: 0 success, 1 findings (alerts at or above --fail-on, rule errors, failed rule tests), 2 usage or input error.\nSet RUST_LOG (e.g. RUST_LOG=fnwarden_detect=debug) or pass -v for diagnostics."
)]
struct Cli {
    /// More diagnostics on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Detect(detect::Args),
    Fields(fields::Args),
    Logs(logs::Args),
    Monitor(monitor::Args),
    /// Check, list and test rules (validate, list, test)
    #[command(subcommand)]
    Rules(rules::Command),
    Run(run::Args),
    Scan(scan::Args),
    /// The local OSV vulnerability database for `fnwarden scan` (import)
    #[command(subcommand)]
    Db(db::Command),
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr()) && fnwarden_alert::colour_wanted(true);
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).with_target(false).init();
}

fn main() -> ExitCode {
    // The sandbox re-executes this binary as its init, before anything else runs.
    if std::env::args_os().nth(1).is_some_and(|a| a == run::INIT_ARG) {
        fnwarden_sandbox::isolation::init_main();
    }
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let result = match cli.command {
        Command::Detect(a) => detect::run(a),
        Command::Fields(a) => fields::run(a),
        Command::Logs(a) => logs::run(a),
        Command::Monitor(a) => monitor::run(a),
        Command::Rules(c) => rules::run(c),
        Command::Run(a) => run::run(a),
        Command::Scan(a) => scan::run(a),
        Command::Db(c) => db::run(c),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fnwarden: error: {e:#}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
