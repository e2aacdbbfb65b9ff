mod fixture;

use fnwarden_project::{ScanReport, TraceStep};
use fnwarden_scanout::{TableStyle, write_table};

fn render(report: &ScanReport, style: TableStyle) -> String {
    let mut out = Vec::new();
    write_table(report, &mut out, &style).unwrap();
    String::from_utf8(out).unwrap()
}

fn plain(report: &ScanReport) -> String {
    render(report, TableStyle { color: false, verbose: false })
}

#[test]
fn groups_by_function_most_severe_first() {
    let text = plain(&fixture::report());
    let convert = text.find("function convert  (5 findings: 1 critical, 2 high, 2 medium)").unwrap_or_else(|| panic!("{text}"));
    let unattributed = text.find("not tied to a function  (1 finding: 1 critical)").unwrap();
    let worker = text.find("function worker  (1 finding: 1 high)").unwrap();
    assert!(convert < unattributed && unattributed < worker, "groups by worst severity, then name:\n{text}");
    let block = &text[convert..unattributed];
    let order: Vec<usize> = [
        "CRITICAL  fnw-scan-chain",
        "HIGH      fnw-scan-dep-vulnerable",
        "HIGH      fnw-scan-taint-command",
        "MEDIUM    fnw-scan-dow",
        "MEDIUM    fnw-scan-iam",
    ]
    .iter()
    .map(|s| block.find(s).unwrap_or_else(|| panic!("missing {s:?} in\n{block}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "severity, then place:\n{block}");
}

#[test]
fn each_finding_shows_rule_title_place_message_and_trace() {
    let text = plain(&fixture::report());
    for piece in [
        "  CRITICAL  fnw-scan-chain-public-injection  Public trigger reaches an injection sink\n",
        "            src/convert.py:7:5\n",
        "            Unauthenticated route POST /convert (serverless.yml:14) feeds event[\"body\"] into\n            os.system(cmd)\n",
        "            trace  serverless.yml:14  trigger: http POST /convert, no authorizer\n",
        "                 → serverless.yml:9   handler: src/convert.handler\n",
        "                 … 2 more steps\n",
        "                 → src/convert.py:7   sink: os.system(cmd)\n",
        "            requirements.txt\n",
    ] {
        assert!(text.contains(piece), "missing {piece:?} in\n{text}");
    }
    let chain = &text[text.find("CRITICAL  fnw-scan-chain").unwrap()..text.find("HIGH      fnw-scan-dep").unwrap()];
    assert!(!chain.contains("name = body"), "a long trace is shortened:\n{chain}");
    let verbose = render(&fixture::report(), TableStyle { color: false, verbose: true });
    assert!(verbose.contains("                 → src/convert.py:5   name = body[\"name\"]\n"), "{verbose}");
    assert!(!verbose.contains("more steps"));
}

#[test]
fn long_messages_wrap_under_the_details_column() {
    let mut report = fixture::report();
    report.findings[1].message = "word ".repeat(60);
    let text = plain(&report);
    // All but the summary, which is one line whatever its length.
    for line in text.lines().rev().skip(1) {
        assert!(line.chars().count() <= 100, "{} columns: {line:?}", line.chars().count());
    }
    assert!(text.contains("\n            word word"), "{text}");
}

#[test]
fn diagnostics_are_counted_by_kind_and_the_first_few_listed() {
    let text = plain(&fixture::report());
    assert!(text.contains("diagnostics: 7 (4 bad_yaml, 1 binary, 1 minified, 1 syntax_error)\n"), "{text}");
    assert!(text.contains("  infra/broken.yml:3  bad_yaml  mapping values are not allowed in this context\n"), "{text}");
    assert!(text.contains("  static/logo.png  binary  binary file\n"), "{text}");
    assert!(text.contains("  … and 2 more\n"), "{text}");
    assert!(!text.contains("infra/fourth.yml"), "{text}");
    let verbose = render(&fixture::report(), TableStyle { color: false, verbose: true });
    assert!(verbose.contains("infra/fourth.yml:2  bad_yaml"), "{verbose}");
}

#[test]
fn ends_with_one_summary_line() {
    let text = plain(&fixture::report());
    assert_eq!(
        text.lines().last(),
        Some(
            "42 files scanned, 6 skipped (4 bad_yaml, 1 binary, 1 minified); 7 findings (2 critical, 3 high, 2 medium); 2 suppressed, 1 baselined; 1.3 s"
        )
    );
    assert_eq!(plain(&ScanReport::default()), "0 files scanned, none skipped; no findings; 0 suppressed, 0 baselined; 0 ms\n");
}

#[test]
fn colour_only_when_asked_and_never_from_the_project() {
    let report = fixture::report();
    let text = plain(&report);
    assert!(!text.contains('\x1b'), "escape codes without colour (the hijack message carries some):\n{text}");
    assert!(text.contains("\\u{1b}[31mreads other invocations"), "shown, defused:\n{text}");
    let coloured = render(&report, TableStyle { color: true, verbose: false });
    assert!(coloured.contains("\x1b[1;31mCRITICAL"), "{coloured:?}");
    assert!(coloured.contains("\x1b[1mfunction convert\x1b[0m"));
    assert!(!coloured.contains("\x1b[31mreads"), "the project's own escapes stay defused");
}

#[test]
fn short_traces_are_shown_whole() {
    let mut report = fixture::report();
    report.findings.truncate(2);
    report.findings[1].trace.truncate(2);
    report.findings[1].trace.push(TraceStep { location: fnwarden_project::Location::file("src/convert.py"), note: "whole file".into() });
    let text = plain(&report);
    assert!(text.contains("                 → src/convert.py    whole file\n"), "{text}");
}
