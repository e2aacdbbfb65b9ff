//! Hostile and broken projects: each bad file becomes a diagnostic naming it, is counted, and
//! the rest of the project is still scanned.

use std::path::Path;

use fnwarden_project::DiagKind;
use fnwarden_scan::{Quiet, ScanOptions};

fn write(root: &Path, rel: &str, body: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, body).unwrap();
}

#[test]
fn bad_files_are_diagnosed_counted_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "serverless.yml", b"service: broken\nprovider:\n  name: aws\n  runtime: [python3.12\nfunctions: {\n");
    write(root, "infra/main.tf", b"resource \"aws_lambda_function\" \"f\" {\n  function_name = \"f\"\n  handler = \n");
    write(
        root,
        "template.json",
        b"{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {\"F\": {\"Type\": \"AWS::Lambda::Function\",,}}",
    );
    write(root, "src/broken.py", b"def handler(event, context):\n    return (1 +\n");
    write(root, "assets/logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    write(root, "dist/app.min.js", format!("!function(){{{}}}();\n", "var a=function(b){return b};".repeat(4000)).as_bytes());
    std::os::unix::fs::symlink(".", root.join("src/again")).unwrap();
    // A real problem next to the broken files is still found.
    write(root, "src/ok.py", b"import os\n\ndef handler(event, context):\n    os.system(event['cmd'])\n");

    let report = fnwarden_scan::scan(root, &ScanOptions::default(), &Quiet).unwrap();
    let diag = |kind: DiagKind, file: &str| report.diagnostics.iter().find(|d| d.kind == kind && d.file == Path::new(file));
    assert!(diag(DiagKind::BadYaml, "serverless.yml").is_some_and(|d| d.line > 0), "{:#?}", report.diagnostics);
    assert!(diag(DiagKind::BadHcl, "infra/main.tf").is_some(), "{:#?}", report.diagnostics);
    assert!(diag(DiagKind::BadJson, "template.json").is_some(), "{:#?}", report.diagnostics);
    assert!(diag(DiagKind::SyntaxError, "src/broken.py").is_some_and(|d| d.line == 2), "{:#?}", report.diagnostics);
    assert!(diag(DiagKind::Binary, "assets/logo.png").is_some(), "{:#?}", report.diagnostics);
    assert!(diag(DiagKind::Minified, "dist/app.min.js").is_some(), "{:#?}", report.diagnostics);
    assert!(diag(DiagKind::SymlinkLoop, "src/again").is_some(), "{:#?}", report.diagnostics);
    for kind in ["bad_yaml", "bad_hcl", "bad_json", "binary", "minified", "symlink_loop"] {
        assert_eq!(report.stats.skipped.get(kind), Some(&1), "{kind}: {:?}", report.stats.skipped);
    }
    assert!(
        report.findings.iter().any(|f| f.location.file == Path::new("src/ok.py") && f.location.line == 4),
        "the command injection next to the broken files: {:#?}",
        report.findings
    );
}
