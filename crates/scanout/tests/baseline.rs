mod fixture;

use fnwarden_scanout::{Baseline, BaselineError};

#[test]
fn a_written_baseline_accepts_every_finding_it_was_written_from() {
    let report = fixture::report();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".fnwarden-baseline.json");
    let mut out = Vec::new();
    Baseline::write(&report, &mut out).unwrap();
    std::fs::write(&path, &out).unwrap();

    let text = String::from_utf8(out).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], 1);
    let entries = v["findings"].as_array().unwrap();
    assert_eq!(entries.len(), 7);
    let files: Vec<&str> = entries.iter().map(|e| e["file"].as_str().unwrap()).collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted, "sorted for small diffs");
    let chain = entries.iter().find(|e| e["rule"] == "fnw-scan-chain-public-injection").unwrap();
    assert_eq!(chain["file"], "src/convert.py");
    assert_eq!(chain["function"], "convert");
    assert!(chain["message"].as_str().unwrap().starts_with("Unauthenticated route"));

    let baseline = Baseline::load(&path).unwrap();
    assert!(report.findings.iter().all(|f| baseline.accepts(f)));
}

#[test]
fn it_accepts_by_fingerprint_so_moved_code_stays_accepted_and_new_code_does_not() {
    let report = fixture::report();
    let mut out = Vec::new();
    Baseline::write(&report, &mut out).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.json");
    std::fs::write(&path, out).unwrap();
    let baseline = Baseline::load(&path).unwrap();

    // Three lines were added above the sink: same line text, new line number.
    let mut moved = report.findings[1].clone();
    moved.location.line += 3;
    moved.fingerprint = fnwarden_scanout::fingerprint(&moved, fixture::line(fixture::HANDLER_PY, 7));
    assert!(baseline.accepts(&moved));

    let mut changed = report.findings[1].clone();
    changed.fingerprint = fnwarden_scanout::fingerprint(&changed, "    os.system(cmd + extra)");
    assert!(!baseline.accepts(&changed));

    let mut unfingerprinted = report.findings[1].clone();
    unfingerprinted.fingerprint.clear();
    assert!(!baseline.accepts(&unfingerprinted));
}

#[test]
fn malformed_baselines_say_where() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, "{\n  \"version\": 1,\n  \"findings\": [\n    {\"fingerprint\": \"abc\"\n  ]\n}\n").unwrap();
    let err = Baseline::load(&path).unwrap_err();
    let BaselineError::Malformed { line, .. } = &err else { panic!("{err}") };
    assert_eq!(*line, 5);
    let text = err.to_string();
    assert!(text.contains(&format!("{}:5:", path.display())), "{text}");

    std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
    assert!(Baseline::load(&path).is_err(), "not UTF-8");
}
