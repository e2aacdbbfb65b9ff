//! fnwarden against rsigma-eval in one run: the same SigmaHQ Linux rules loaded into both, the
//! same event mix (fnwarden's benchmark mix, translated to Sysmon-for-Linux JSON for rsigma,
//! before timing), interleaved rounds, best of each, events/s on one core and the ratio.
//!
//! `compare-sigma cloudtrail FILE` does the same with SigmaHQ's cloud rules on a CloudTrail
//! JSON-lines file streamed from disk (src/cloudtrail.rs).

mod alloc;
mod cloudtrail;
mod corpus;
#[path = "../../../crates/detect/benches/mix.rs"]
mod mix;
mod probes;
mod sysmon;

use std::collections::BTreeMap;
use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;

use fnwarden_event::Event;
use rsigma_eval::JsonEvent;
use rsigma_parser::LogSource;

#[global_allocator]
static A: alloc::Counting = alloc::Counting;

const EVENTS: usize = 200_000;
const ROUNDS: usize = 5;

/// One rsigma input: the borrowed JSON event and the log source it is evaluated under.
type RsEvent<'a> = (JsonEvent<'a>, &'a LogSource);

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("cloudtrail") => cloudtrail::run(&args[1..]),
        None | Some("linux") => linux(),
        Some(other) => Err(format!("unknown mode {other:?}: expected `linux` (the default) or `cloudtrail FILE`").into()),
    }
}

/// SigmaHQ's Linux rules on fnwarden's benchmark mix.
fn linux() -> Result<(), Box<dyn Error>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets/sigma/linux");
    let Ok(dir) = dir.canonicalize() else {
        println!("note: {} not found; nothing to compare", dir.display());
        return Ok(());
    };
    let files = corpus::files(&dir)?;
    let name = |f: &PathBuf| f.strip_prefix(&dir).unwrap_or(f).display().to_string();
    let (mut common, mut fw_refused, mut rs_refused, mut neither) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for f in &files {
        match (corpus::fnwarden_refusal(f), corpus::rsigma_refusal(f)) {
            (None, None) => common.push(f.clone()),
            (None, Some(why)) => rs_refused.push(format!("{} (rsigma: {why})", name(f))),
            (Some(why), None) => fw_refused.push(format!("{} (fnwarden: {why})", name(f))),
            (Some(a), Some(b)) => neither.push(format!("{} (fnwarden: {a}; rsigma: {b})", name(f))),
        }
    }
    println!("rule files: {} under {}", files.len(), dir.display());
    println!("accepted by fnwarden: {}", common.len() + rs_refused.len());
    println!("accepted by rsigma-eval: {}", common.len() + fw_refused.len());
    println!("accepted by both (the set timed below): {}", common.len());
    for line in fw_refused.iter().chain(&rs_refused).chain(&neither) {
        println!("  refused: {line}");
    }

    let ((mut fw, fw_rules), fw_held, fw_peak) = alloc::measure(|| corpus::fnwarden_engine(&common));
    let (rs, rs_held, rs_peak) = alloc::measure(|| corpus::rsigma_engine(&common));
    let rs = rs?;
    println!("rules in the engines: fnwarden {fw_rules}, rsigma-eval {}", rs.rule_count());
    println!(
        "memory held by the loaded engine, parsed rules dropped (peak while loading): fnwarden {} ({}), rsigma-eval {} ({})",
        kib(fw_held),
        kib(fw_peak),
        kib(rs_held),
        kib(rs_peak)
    );

    let events = mix::events(EVENTS);
    let translated = sysmon::translate(&events)?;
    let sources = sysmon::log_sources();
    let product_only = sources.len() - 1;
    let rs_events: Vec<RsEvent<'_>> =
        translated.iter().map(|t| (JsonEvent::borrow(&t.json), &sources[t.category.unwrap_or(product_only)])).collect();
    alloc::stop();

    let mut best = [0f64; 3];
    let mut matches = [0usize; 3];
    for _ in 0..ROUNDS {
        let rounds = [fnwarden_round(&mut fw, &events), rsigma_round(&rs, &rs_events, true), rsigma_round(&rs, &rs_events, false)];
        for (i, (rate, n)) in rounds.into_iter().enumerate() {
            best[i] = best[i].max(rate);
            matches[i] = n;
        }
    }
    println!("\nevents per round: {EVENTS} (crates/detect/benches/mix.rs); best of {ROUNDS} interleaved rounds, one core");
    let labels = ["fnwarden", "rsigma-eval, per-event logsource", "rsigma-eval, every rule (evaluate)"];
    for ((label, rate), n) in labels.iter().zip(best).zip(matches) {
        println!("{label:<36} {rate:>9.0} events/s  {n:>6} matches per round");
    }
    let st = fw.stats();
    println!("fnwarden rule evaluations per event (after its prefilter): {:.2}", st.evaluations as f64 / st.events.max(1) as f64);
    println!("ratio fnwarden / rsigma-eval per-event logsource: {:.2}x", best[0] / best[1]);
    println!("ratio fnwarden / rsigma-eval every rule:          {:.2}x", best[0] / best[2]);

    per_rule("the mix", &mut fw, &events, &rs, &translated, &sources);
    let probes = probes::events();
    per_rule("probe events (src/probes.rs)", &mut fw, &probes, &rs, &sysmon::translate(&probes)?, &sources);
    Ok(())
}

pub(crate) fn kib(bytes: usize) -> String {
    format!("{:.0} KiB", bytes as f64 / 1024.0)
}

/// Events per second and matches. Alerts are dropped as they come, as a sink would write them.
fn fnwarden_round(engine: &mut fnwarden_detect::Engine, events: &[Event]) -> (f64, usize) {
    let mut out = Vec::new();
    let mut n = 0;
    let start = Instant::now();
    for e in events {
        engine.process_ref(e, &mut out);
        n += out.len();
        out.clear();
    }
    (events.len() as f64 / start.elapsed().as_secs_f64(), n)
}

/// Events per second and matches, with or without the event's log source.
fn rsigma_round(engine: &rsigma_eval::Engine, events: &[RsEvent<'_>], by_logsource: bool) -> (f64, usize) {
    let mut n = 0;
    let start = Instant::now();
    for (e, ls) in events {
        let results = if by_logsource { engine.evaluate_with_logsource(e, ls) } else { engine.evaluate(e) };
        n += results.len();
    }
    (events.len() as f64 / start.elapsed().as_secs_f64(), n)
}

/// Matches per rule for each engine (untimed), marking the rules on which they disagree.
fn per_rule(
    label: &str,
    fw: &mut fnwarden_detect::Engine,
    events: &[Event],
    rs: &rsigma_eval::Engine,
    translated: &[sysmon::SigmaEvent],
    sources: &[LogSource],
) {
    let mut tally: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    let mut out = Vec::new();
    for (e, t) in events.iter().zip(translated) {
        let je = JsonEvent::borrow(&t.json);
        fw.process_ref(e, &mut out);
        for a in out.drain(..) {
            tally.entry(a.rule.title.clone()).or_default()[0] += 1;
        }
        for r in rs.evaluate_with_logsource(&je, &sources[t.category.unwrap_or(sources.len() - 1)]) {
            tally.entry(r.header.rule_title.clone()).or_default()[1] += 1;
        }
        for r in rs.evaluate(&je) {
            tally.entry(r.header.rule_title.clone()).or_default()[2] += 1;
        }
    }
    println!("\nmatches per rule on {label}, {} events (fnwarden / rsigma per-event logsource / rsigma every rule):", events.len());
    if tally.is_empty() {
        println!("  none");
    }
    for (title, [a, b, c]) in &tally {
        let mark = if a == b && b == c { "" } else { "  <- differs" };
        println!("  {a:>4} {b:>4} {c:>4}  {title}{mark}");
    }
}
