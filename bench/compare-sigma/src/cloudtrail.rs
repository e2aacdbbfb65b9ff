//! `compare-sigma cloudtrail FILE`: fnwarden's engine against rsigma-eval on SigmaHQ's cloud rules
//! (the aws, azure and gcp folders) and a CloudTrail JSON-lines file, streamed from disk in every
//! round, the same way for both engines: a line is read, parsed into a `serde_json::Value`, and
//! judged. rsigma-eval borrows the parsed record (`JsonEvent::borrow`); fnwarden moves it into an
//! event's `cloud.raw` after copying out the `cloud.*` fields (the mapping of docs/sigma.md).
//! A parse-only pass is timed in the same rounds, so each engine's own cost is the difference.

use std::collections::BTreeMap;
use std::error::Error;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, sync_channel};
use std::time::Instant;

use fnwarden_event::{CloudCall, Event, EventKind, Timestamp};
use rsigma_eval::JsonEvent;
use rsigma_parser::LogSource;
use serde_json::Value;

use crate::{alloc, corpus, kib};

const USAGE: &str =
    "usage: compare-sigma cloudtrail FILE [--rounds N] [--threads N] [--only MODE[,MODE…]] [--builtin] [--no-tally] [--rules DIR]
  FILE         CloudTrail records, one JSON object per line (bench/logs/gen.py writes one)
  --rounds N   interleaved rounds of every mode (default 3); the best of each is reported
  --threads N  also time rsigma-eval on N threads, and fnwarden with parsing on N-1 threads
               feeding its engine on one (default 1: single-threaded modes only)
  --only M     run only these modes: parse, fnwarden, rsigma, rsigma-all, fnwarden-builtin,
               rsigma-mt, fnwarden-mt (for one engine's memory with /usr/bin/time)
  --builtin    also time fnwarden with its built-in pack (the repository's rules/) added
  --no-tally   skip the untimed pass that counts matches per rule in both engines
  --rules DIR  SigmaHQ cloud rules (default ../shared/datasets/sigma/cloud); aws, azure and gcp
               below it are loaded";

/// Lines read at a time by the multi-threaded modes.
const CHUNK_BYTES: usize = 1 << 20;

struct Opts {
    file: PathBuf,
    rounds: usize,
    threads: usize,
    only: Option<Vec<String>>,
    builtin: bool,
    tally: bool,
    rules: PathBuf,
}

fn opts(args: &[String]) -> Result<Opts, String> {
    let default_rules = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets/sigma/cloud");
    let mut o = Opts { file: PathBuf::new(), rounds: 3, threads: 1, only: None, builtin: false, tally: true, rules: default_rules };
    let mut it = args.iter();
    let mut file = None;
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or_else(|| format!("{name} needs a value\n{USAGE}"));
        match a.as_str() {
            "--rounds" => o.rounds = value("--rounds")?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--threads" => o.threads = value("--threads")?.parse().map_err(|e| format!("--threads: {e}"))?,
            "--only" => o.only = Some(value("--only")?.split(',').map(str::to_owned).collect()),
            "--rules" => o.rules = PathBuf::from(value("--rules")?),
            "--builtin" => o.builtin = true,
            "--no-tally" => o.tally = false,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            s if s.starts_with('-') => return Err(format!("unknown option {s}\n{USAGE}")),
            s if file.is_none() => file = Some(PathBuf::from(s)),
            s => return Err(format!("unexpected argument {s}\n{USAGE}")),
        }
    }
    o.file = file.ok_or_else(|| USAGE.to_owned())?;
    o.rounds = o.rounds.max(1);
    o.threads = o.threads.max(1);
    Ok(o)
}

/// What one timed pass reports.
struct Pass {
    records: u64,
    matches: u64,
    secs: f64,
}

impl Pass {
    fn rate(&self) -> f64 {
        self.records as f64 / self.secs
    }
}

pub fn run(args: &[String]) -> Result<(), Box<dyn Error>> {
    let o = opts(args)?;
    let Ok(rules) = o.rules.canonicalize() else {
        println!("note: {} not found; nothing to compare", o.rules.display());
        return Ok(());
    };
    let mut files = Vec::new();
    for sub in ["aws", "azure", "gcp"] {
        let d = rules.join(sub);
        if d.is_dir() {
            files.extend(corpus::files(&d)?);
        }
    }
    let name = |f: &PathBuf| f.strip_prefix(&rules).unwrap_or(f).display().to_string();
    let (mut common, mut refused) = (Vec::new(), Vec::new());
    let (mut fw_ok, mut rs_ok) = (0, 0);
    for f in &files {
        let (a, b) = (corpus::fnwarden_refusal(f), corpus::rsigma_refusal(f));
        fw_ok += a.is_none() as usize;
        rs_ok += b.is_none() as usize;
        match (a, b) {
            (None, None) => common.push(f.clone()),
            (a, b) => refused.push(format!(
                "{}{}{}",
                name(f),
                a.map(|w| format!(" (fnwarden: {w})")).unwrap_or_default(),
                b.map(|w| format!(" (rsigma: {w})")).unwrap_or_default()
            )),
        }
    }
    println!("rule files: {} under {}/{{aws,azure,gcp}}", files.len(), rules.display());
    println!("accepted by fnwarden: {fw_ok}; by rsigma-eval: {rs_ok}; by both (the set timed below): {}", common.len());
    for line in &refused {
        println!("  refused: {line}");
    }

    let wants = |m: &str| o.only.as_ref().is_none_or(|only| only.iter().any(|x| x == m));
    let any = |ms: &[&str]| ms.iter().any(|m| wants(m));
    // Only the engines a mode needs are built, so that a process's peak RSS is one engine's.
    let ((_fw, fw_rules), fw_held, fw_peak) = if any(&["fnwarden", "fnwarden-mt"]) || o.tally {
        let ((e, n), h, p) = alloc::measure(|| corpus::fnwarden_engine(&common));
        ((Some(e), n), h, p)
    } else {
        ((None, 0), 0, 0)
    };
    let (rs, rs_held, rs_peak) = if any(&["rsigma", "rsigma-all", "rsigma-mt"]) || o.tally {
        let (r, h, p) = alloc::measure(|| corpus::rsigma_engine(&common));
        (Some(r?), h, p)
    } else {
        (None, 0, 0)
    };
    println!("rules in the engines: fnwarden {fw_rules}, rsigma-eval {}", rs.as_ref().map_or(0, |r| r.rule_count()));
    println!(
        "memory held by the loaded engine (peak while loading): fnwarden {} ({}), rsigma-eval {} ({})",
        kib(fw_held),
        kib(fw_peak),
        kib(rs_held),
        kib(rs_peak)
    );
    let builtin_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let fw_builtin = if o.builtin || o.only.as_ref().is_some_and(|m| m.iter().any(|x| x == "fnwarden-builtin")) {
        let mut paths = vec![builtin_dir.canonicalize()?];
        paths.extend(common.iter().cloned());
        let set = fnwarden_rules::RuleSet::load(&paths);
        println!(
            "fnwarden with its built-in pack ({}): {} rules, {} correlations, {} load errors",
            builtin_dir.display(),
            set.rules.len(),
            set.correlations.len(),
            set.errors.len()
        );
        Some(set)
    } else {
        None
    };
    alloc::stop();

    let aws = LogSource { product: Some("aws".into()), service: Some("cloudtrail".into()), ..LogSource::default() };
    let size = std::fs::metadata(&o.file)?.len();
    println!(
        "\nfile: {} ({:.1} MB), streamed in every round; best of {} interleaved rounds",
        o.file.display(),
        size as f64 / 1e6,
        o.rounds
    );

    let empty = rsigma_eval::Engine::new();
    type Mode<'a> = (String, Box<dyn FnMut() -> Result<Pass, Box<dyn Error>> + 'a>);
    let mut modes: Vec<Mode<'_>> = Vec::new();
    let file = o.file.as_path();
    if wants("parse") {
        modes.push(("parse only (serde_json::Value)".into(), Box::new(move || parse_pass(file))));
    }
    if wants("fnwarden") {
        let set = fnwarden_rules::RuleSet::load(&common);
        modes.push(("fnwarden".into(), Box::new(move || fnwarden_pass(file, &set))));
    }
    if let Some(set) = fw_builtin.as_ref().filter(|_| wants("fnwarden-builtin")) {
        modes.push(("fnwarden, + built-in pack".into(), Box::new(move || fnwarden_pass(file, set))));
    }
    let (rs_ref, aws_ref) = (rs.as_ref().unwrap_or(&empty), &aws);
    if wants("rsigma") {
        modes.push(("rsigma-eval, logsource aws/cloudtrail".into(), Box::new(move || rsigma_pass(file, rs_ref, Some(aws_ref)))));
    }
    if wants("rsigma-all") {
        modes.push(("rsigma-eval, every rule (evaluate)".into(), Box::new(move || rsigma_pass(file, rs_ref, None))));
    }
    if o.threads > 1 {
        let n = o.threads;
        if wants("fnwarden-mt") {
            let set = fnwarden_rules::RuleSet::load(&common);
            modes.push((format!("fnwarden, {} parse thread(s) + engine", n - 1), Box::new(move || fnwarden_mt_pass(file, &set, n - 1))));
        }
        if wants("rsigma-mt") {
            modes.push((format!("rsigma-eval, logsource, {n} threads"), Box::new(move || rsigma_mt_pass(file, rs_ref, aws_ref, n))));
        }
    }
    if modes.is_empty() {
        return Err(format!("no mode selected\n{USAGE}").into());
    }

    let mut best: Vec<Option<Pass>> = modes.iter().map(|_| None).collect();
    for round in 1..=o.rounds {
        let mut line = format!("round {round}:");
        for (i, (label, f)) in modes.iter_mut().enumerate() {
            let p = f()?;
            line.push_str(&format!(" {label} {:.0}/s;", p.rate()));
            if best[i].as_ref().is_none_or(|b| p.secs < b.secs) {
                best[i] = Some(p);
            }
        }
        println!("{}", line.trim_end_matches(';'));
    }
    println!();
    let mut rates = BTreeMap::new();
    for ((label, _), p) in modes.iter().zip(&best) {
        let p = p.as_ref().expect("every mode ran");
        println!("{label:<44} {:>9.0} events/s  {:>7} matches  ({} records, {:.2} s)", p.rate(), p.matches, p.records, p.secs);
        rates.insert(label.clone(), p.rate());
    }
    let get = |k: &str| rates.get(k).copied();
    if let (Some(f), Some(r)) = (get("fnwarden"), get("rsigma-eval, logsource aws/cloudtrail")) {
        println!("ratio fnwarden / rsigma-eval (logsource):   {:.2}x", f / r);
    }
    if let (Some(f), Some(r)) = (get("fnwarden"), get("rsigma-eval, every rule (evaluate)")) {
        println!("ratio fnwarden / rsigma-eval (every rule):  {:.2}x", f / r);
    }
    if let Some(p) = get("parse only (serde_json::Value)") {
        for (label, r) in &rates {
            if !label.starts_with("parse") && !label.contains("thread") {
                let per = 1e9 / r - 1e9 / p;
                println!("{label:<44} {per:>7.0} ns per record beyond parsing ({:.0} ns)", 1e9 / p);
            }
        }
    }
    if o.tally {
        tally(file, &common, rs_ref, &aws)?;
    }
    Ok(())
}

/// Reads the file line by line into one reused buffer; `f` gets each non-empty line.
fn each_line(path: &Path, mut f: impl FnMut(&[u8])) -> Result<u64, Box<dyn Error>> {
    let mut r = BufReader::with_capacity(1 << 20, File::open(path)?);
    let mut buf = Vec::with_capacity(1 << 16);
    let mut n = 0;
    loop {
        buf.clear();
        if r.read_until(b'\n', &mut buf)? == 0 {
            return Ok(n);
        }
        let line = buf.trim_ascii();
        if !line.is_empty() {
            n += 1;
            f(line);
        }
    }
}

fn parse(line: &[u8]) -> Option<Value> {
    serde_json::from_slice::<Value>(line).ok().filter(Value::is_object)
}

fn parse_pass(path: &Path) -> Result<Pass, Box<dyn Error>> {
    let start = Instant::now();
    let mut keys = 0u64;
    let records = each_line(path, |l| {
        if let Some(v) = parse(l) {
            keys += v.as_object().map_or(0, |o| o.len() as u64);
        }
    })?;
    std::hint::black_box(keys);
    Ok(Pass { records, matches: 0, secs: start.elapsed().as_secs_f64() })
}

/// A CloudTrail record as an fnwarden event (docs/sigma.md's table; the record becomes cloud.raw,
/// and its line, as `fnwarden logs` does, `evt.text`).
pub fn event_from_record(v: Value, line: &[u8]) -> Option<Event> {
    let s = |v: &Value, path: &[&str]| -> String {
        let mut cur = v;
        for p in path {
            match cur.get(p) {
                Some(x) => cur = x,
                None => return String::new(),
            }
        }
        cur.as_str().unwrap_or_default().to_owned()
    };
    let time = Timestamp::parse(v.get("eventTime")?.as_str()?).ok()?;
    let service = s(&v, &["eventSource"]);
    let mut ev = Event::new(EventKind::CloudApi, time);
    ev.source = "cloudtrail".into();
    if service == "lambda.amazonaws.com" {
        let name = s(&v, &["requestParameters", "functionName"]);
        if !name.is_empty() {
            ev.function.provider = "aws".into();
            ev.function.name = match name.split(':').collect::<Vec<_>>().as_slice() {
                ["arn", _, "lambda", _, _, "function", n, ..] => (*n).to_owned(),
                _ => name,
            };
        }
    }
    ev.cloud = Some(CloudCall {
        provider: "aws".into(),
        operation: s(&v, &["eventName"]),
        principal: s(&v, &["userIdentity", "arn"]),
        principal_type: s(&v, &["userIdentity", "type"]),
        access_key_id: s(&v, &["userIdentity", "accessKeyId"]),
        account: s(&v, &["recipientAccountId"]),
        region: s(&v, &["awsRegion"]),
        source_ip: s(&v, &["sourceIPAddress"]),
        user_agent: s(&v, &["userAgent"]),
        error_code: s(&v, &["errorCode"]),
        error_message: s(&v, &["errorMessage"]),
        service,
        raw: v,
    });
    ev.normalize_with_text(std::str::from_utf8(line).ok());
    Some(ev)
}

fn fnwarden_pass(path: &Path, set: &fnwarden_rules::RuleSet) -> Result<Pass, Box<dyn Error>> {
    let mut engine = fnwarden_detect::Engine::new(set, fnwarden_detect::EngineConfig::default());
    let mut out = Vec::new();
    let mut matches = 0u64;
    let start = Instant::now();
    let records = each_line(path, |l| {
        if let Some(ev) = parse(l).and_then(|v| event_from_record(v, l)) {
            engine.process(ev, &mut out);
            matches += out.len() as u64;
            out.clear();
        }
    })?;
    engine.flush(&mut out);
    matches += out.len() as u64;
    Ok(Pass { records, matches, secs: start.elapsed().as_secs_f64() })
}

fn rsigma_pass(path: &Path, engine: &rsigma_eval::Engine, ls: Option<&LogSource>) -> Result<Pass, Box<dyn Error>> {
    let mut matches = 0u64;
    let start = Instant::now();
    let records = each_line(path, |l| {
        if let Some(v) = parse(l) {
            let e = JsonEvent::borrow(&v);
            let r = match ls {
                Some(ls) => engine.evaluate_with_logsource(&e, ls),
                None => engine.evaluate(&e),
            };
            matches += r.len() as u64;
        }
    })?;
    Ok(Pass { records, matches, secs: start.elapsed().as_secs_f64() })
}

/// Whole lines, about CHUNK_BYTES at a time, handed to `send` as they are read; stops early when
/// `send` returns false.
fn read_chunks(path: &Path, mut send: impl FnMut(Vec<u8>) -> bool) -> Result<(), std::io::Error> {
    let mut r = BufReader::with_capacity(1 << 20, File::open(path)?);
    loop {
        let mut chunk = Vec::with_capacity(CHUNK_BYTES + (1 << 16));
        while chunk.len() < CHUNK_BYTES {
            if r.read_until(b'\n', &mut chunk)? == 0 {
                break;
            }
        }
        if chunk.is_empty() || !send(chunk) {
            return Ok(());
        }
    }
}

fn lines(chunk: &[u8]) -> impl Iterator<Item = &[u8]> {
    chunk.split(|&b| b == b'\n').map(<[u8]>::trim_ascii).filter(|l| !l.is_empty())
}

fn rsigma_mt_pass(path: &Path, engine: &rsigma_eval::Engine, ls: &LogSource, threads: usize) -> Result<Pass, Box<dyn Error>> {
    let (tx, rx) = sync_channel::<Vec<u8>>(threads * 2);
    let rx = Mutex::new(rx);
    let start = Instant::now();
    let (records, matches) = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let (mut n, mut m) = (0u64, 0u64);
                    while let Ok(chunk) = next(&rx) {
                        for l in lines(&chunk) {
                            n += 1;
                            if let Some(v) = parse(l) {
                                m += engine.evaluate_with_logsource(&JsonEvent::borrow(&v), ls).len() as u64;
                            }
                        }
                    }
                    (n, m)
                })
            })
            .collect();
        let read = read_chunks(path, |c| tx.send(c).is_ok());
        drop(tx);
        let totals = workers.into_iter().map(|w| w.join().expect("worker")).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        read.map(|_| totals)
    })?;
    Ok(Pass { records, matches, secs: start.elapsed().as_secs_f64() })
}

fn next(rx: &Mutex<Receiver<Vec<u8>>>) -> Result<Vec<u8>, std::sync::mpsc::RecvError> {
    rx.lock().expect("receiver").recv()
}

/// Parsing and conversion on `parsers` threads, fnwarden's engine on the calling thread. Chunks
/// are numbered and judged in file order.
fn fnwarden_mt_pass(path: &Path, set: &fnwarden_rules::RuleSet, parsers: usize) -> Result<Pass, Box<dyn Error>> {
    let mut engine = fnwarden_detect::Engine::new(set, fnwarden_detect::EngineConfig::default());
    let (tx, rx) = sync_channel::<(u64, Vec<u8>)>(parsers * 2);
    let (etx, erx) = sync_channel::<(u64, Vec<Event>, u64)>(parsers * 2);
    let rx = Mutex::new(rx);
    let start = Instant::now();
    let (records, matches) = std::thread::scope(|s| -> Result<(u64, u64), std::io::Error> {
        for _ in 0..parsers {
            let etx = etx.clone();
            let rx = &rx;
            s.spawn(move || {
                while let Ok((seq, chunk)) = rx.lock().expect("receiver").recv() {
                    let mut n = 0;
                    let evs: Vec<Event> = lines(&chunk)
                        .filter_map(|l| {
                            n += 1;
                            parse(l).and_then(|v| event_from_record(v, l))
                        })
                        .collect();
                    if etx.send((seq, evs, n)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(etx);
        let reader = s.spawn(move || {
            let mut seq = 0u64;
            read_chunks(path, |c| {
                seq += 1;
                tx.send((seq - 1, c)).is_ok()
            })
        });
        let (mut records, mut matches, mut want) = (0u64, 0u64, 0u64);
        let mut held = BTreeMap::new();
        let mut out = Vec::new();
        for (seq, evs, n) in erx {
            held.insert(seq, (evs, n));
            while let Some((evs, n)) = held.remove(&want) {
                want += 1;
                records += n;
                for ev in evs {
                    engine.process(ev, &mut out);
                    matches += out.len() as u64;
                    out.clear();
                }
            }
        }
        engine.flush(&mut out);
        matches += out.len() as u64;
        reader.join().expect("reader")?;
        Ok((records, matches))
    })?;
    Ok(Pass { records, matches, secs: start.elapsed().as_secs_f64() })
}

/// Matches per rule in both engines over the whole file (untimed), marking disagreements.
fn tally(path: &Path, common: &[PathBuf], rs: &rsigma_eval::Engine, aws: &LogSource) -> Result<(), Box<dyn Error>> {
    let set = fnwarden_rules::RuleSet::load(common);
    let mut fw = fnwarden_detect::Engine::new(&set, fnwarden_detect::EngineConfig::default());
    let mut t: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    let mut out = Vec::new();
    let mut unconverted = 0u64;
    each_line(path, |l| {
        let Some(v) = parse(l) else {
            return;
        };
        let e = JsonEvent::borrow(&v);
        for r in rs.evaluate_with_logsource(&e, aws) {
            t.entry(r.header.rule_title.clone()).or_default()[1] += 1;
        }
        for r in rs.evaluate(&e) {
            t.entry(r.header.rule_title.clone()).or_default()[2] += 1;
        }
        match event_from_record(v, l) {
            Some(ev) => fw.process(ev, &mut out),
            None => unconverted += 1,
        }
        for a in out.drain(..) {
            t.entry(a.rule.title.clone()).or_default()[0] += 1;
        }
    })?;
    fw.flush(&mut out);
    for a in out.drain(..) {
        t.entry(a.rule.title.clone()).or_default()[0] += 1;
    }
    println!("\nmatches per rule over the file (fnwarden / rsigma logsource / rsigma every rule):");
    if unconverted > 0 {
        println!("  ({unconverted} records without a usable eventTime were not given to fnwarden)");
    }
    for (title, [a, b, c]) in &t {
        let mark = if a == b && b == c { "" } else { "  <- differs" };
        println!("  {a:>7} {b:>7} {c:>7}  {title}{mark}");
    }
    let sum = |i: usize| t.values().map(|v| v[i]).sum::<u64>();
    println!("  {:>7} {:>7} {:>7}  total", sum(0), sum(1), sum(2));
    Ok(())
}
