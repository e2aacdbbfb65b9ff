//! The baseline workflow: accept today's findings, then only new ones are reported, even after
//! the accepted lines move.

use std::path::Path;

use fnwarden_scan::{Baseline, Quiet, ScanOptions};

const HANDLER: &str = "import os\n\n\ndef handler(event, context):\n    os.system(\"gzip \" + event[\"file\"])\n";

fn scan(root: &Path, baseline: Option<Baseline>) -> fnwarden_project::ScanReport {
    let opts = ScanOptions { baseline, ..ScanOptions::default() };
    fnwarden_scan::scan(root, &opts, &Quiet).unwrap()
}

#[test]
fn accepted_findings_stay_accepted_when_lines_move_and_new_ones_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("handler.py"), HANDLER).unwrap();
    let first = scan(&root, None);
    assert_eq!(first.findings.len(), 1, "{:#?}", first.findings);

    let path = dir.path().join("baseline.json");
    let mut out = Vec::new();
    Baseline::write(&first, &mut out).unwrap();
    std::fs::write(&path, out).unwrap();

    // Lines shift above the accepted finding, and a new sink appears below it.
    let moved = format!("\"\"\"Compression worker.\"\"\"\n\n{HANDLER}    os.system(\"rm \" + event[\"old\"])\n");
    std::fs::write(root.join("handler.py"), moved).unwrap();
    let second = scan(&root, Some(Baseline::load(&path).unwrap()));
    assert_eq!(second.stats.baselined, 1);
    let lines: Vec<u32> = second.findings.iter().map(|f| f.location.line).collect();
    assert_eq!(lines, [8], "only the new sink: {:#?}", second.findings);
}
