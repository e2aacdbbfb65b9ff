//! The log corpus in tests/fixtures (written for this project): every format is read, benign
//! logs raise nothing with the built-in pack, each attack raises exactly its alerts, and broken
//! input is rejected with its place while the rest is still judged.

mod common;

use std::collections::BTreeSet;
use std::io::Read;
use std::path::PathBuf;

use fnwarden_event::{EventKind, InvocationStatus};
use fnwarden_logs::metrics::MetricsConfig;
use fnwarden_logs::{LogFormat, ReadOptions, Reason};
use fnwarden_rules::RuleSet;

fn pack() -> &'static RuleSet {
    static SET: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| common::rules(&[]))
}

fn fixture(rel: &str) -> PathBuf {
    common::fixtures().join(rel)
}

fn outcome(rel: &str) -> common::Outcome {
    common::run(pack(), &[fixture(rel)])
}

fn ids(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn benign_logs_raise_nothing() {
    for rel in [
        "cloudtrail/benign/deploy-cloudformation.json",
        "cloudtrail/benign/ci-pipeline.jsonl",
        "cloudtrail/benign/routine.json",
        "azure/activity-benign.json",
        "gcp/audit-benign.jsonl",
        "lambda/text/benign.log",
        "lambda/text/aws-logs-tail.log",
        "lambda/cloudwatch/filter-log-events.json",
        "lambda/cloudwatch/subscription.json",
        "lambda/cloudwatch/subscription-control.json",
        "lambda/json/benign.jsonl",
        "lambda/telemetry/batch.json",
        "azure-functions/host.log",
        "azure-functions/functionapplogs.json",
        "gcp-functions/logs.jsonl",
        "mixed",
    ] {
        let o = outcome(rel);
        let raised: Vec<String> = o.alerts.iter().map(|a| format!("{} {}", a.rule.id, a.message)).collect();
        assert!(raised.is_empty(), "{rel} must raise nothing:\n{}", raised.join("\n"));
        assert!(o.rejected.is_empty(), "{rel}: {:?}", o.rejected);
        assert!(o.stats.events > 0 || rel.ends_with("subscription-control.json"), "{rel}: no events");
    }
}

#[test]
fn attacks_raise_their_alerts() {
    let cases: &[(&str, &[&str])] = &[
        ("cloudtrail/attack/function-credentials-stolen.jsonl", &["fnw-cloud-function-credentials-used-outside"]),
        ("cloudtrail/attack/enumeration-burst.jsonl", &["fnw-cloud-access-denied-burst", "fnw-cloud-enumeration-burst"]),
        ("cloudtrail/lake/query-results.json", &["fnw-cloud-lambda-permission-public"]),
        ("lambda/attack/denial-of-wallet.log.gz", &["fnw-log-denial-of-wallet", "fnw-log-invocation-surge"]),
        // Invocations 15 minutes apart: a mining signature, but no timeout streak (5 in 15 minutes).
        ("lambda/attack/cryptomining.log", &["fnw-log-denial-of-wallet", "fnw-log-duration-threshold", "fnw-log-mining-signature"]),
        ("lambda/attack/crash-loop.jsonl", &["fnw-log-crash-loop", "fnw-log-error-burst"]),
        ("lambda/attack/error-burst.log", &["fnw-log-error-burst"]),
        ("azure-functions/host-error-burst.log", &["fnw-log-error-burst"]),
    ];
    for (rel, want) in cases {
        assert_eq!(outcome(rel).ids(), ids(want), "{rel}");
    }
    // Each of these must raise at least its named alerts (the files hold several techniques).
    let at_least: &[(&str, &[&str])] = &[
        (
            "cloudtrail/attack/lambda-backdoors.json",
            &[
                "fnw-cloud-lambda-permission-public",
                "fnw-cloud-lambda-url-public",
                "fnw-cloud-lambda-layer-foreign-account",
                "fnw-cloud-lambda-env-injection",
                "fnw-cloud-lambda-code-updated",
            ],
        ),
        ("cloudtrail/attack/passrole-escalation.json", &["fnw-cloud-lambda-passrole-escalation"]),
        ("cloudtrail/attack/log-tampering.jsonl", &["fnw-cloud-lambda-logs-tampered"]),
    ];
    for (rel, want) in at_least {
        let got = outcome(rel).ids();
        let missing: Vec<&&str> = want.iter().filter(|w| !got.contains(**w)).collect();
        assert!(missing.is_empty(), "{rel}: missing {missing:?}, got {got:?}");
    }
    for rel in ["azure/activity-attack.json", "gcp/audit-attack.jsonl"] {
        assert!(!outcome(rel).alerts.is_empty(), "{rel} raised nothing");
    }
}

#[test]
fn stolen_credentials_name_both_keys_and_spare_the_extension() {
    let o = outcome("cloudtrail/attack/function-credentials-stolen.jsonl");
    let keys: BTreeSet<String> = o.alerts.iter().filter_map(|a| a.group.get("cloud.access_key_id").cloned()).collect();
    assert!(keys.contains("ASIAY2OE3JSGNKEIYXP4") && keys.contains("ASIA2IVNR7WTQ5DAKLJP"), "{keys:?}");
    assert!(!keys.contains("ASIA2RSN5ZMVPQQHUU3X"), "the Go extension in Lambda is not an outside use");
}

#[test]
fn function_logs_become_invocations_in_every_format() {
    let reports = |rel: &str| {
        let o = outcome(rel);
        o.events
            .iter()
            .filter(|e| e.kind == EventKind::InvokeReport && e.invocation.as_ref().is_some_and(|i| i.duration_ms.is_some()))
            .count()
    };
    assert_eq!(reports("lambda/text/benign.log"), 146);
    assert_eq!(reports("lambda/text/aws-logs-tail.log"), 59);
    assert_eq!(reports("lambda/cloudwatch/filter-log-events.json"), 23);
    assert_eq!(reports("lambda/json/benign.jsonl"), 37);
    assert_eq!(reports("azure-functions/host.log"), 71);
    assert_eq!(reports("gcp-functions/logs.jsonl"), 40);
    assert_eq!(reports("lambda/attack/denial-of-wallet.log.gz"), 5142);
    // The function is named by the CloudWatch log group, or by the file.
    let o = outcome("lambda/cloudwatch/subscription.json");
    assert!(
        o.events.iter().all(|e| e.function.name == "thumbnailer" && e.function.account == "111122223333"),
        "{:?}",
        o.events.first().map(|e| &e.function)
    );
    let miner = outcome("lambda/attack/cryptomining.log");
    let timeouts =
        miner.events.iter().filter(|e| e.invocation.as_ref().is_some_and(|i| i.status == Some(InvocationStatus::Timeout))).count();
    assert_eq!(timeouts, 28);
    let telemetry = outcome("lambda/telemetry/batch.json");
    assert!(telemetry.stats.platform_dropped > 0, "platform.logsDropped is counted");
}

#[test]
fn malformed_input_is_rejected_with_its_place() {
    let bad = outcome("malformed/cloudtrail-bad-lines.jsonl");
    let places: Vec<(u64, Reason)> = bad.rejected.iter().map(|r| (r.line, r.reason)).collect();
    assert_eq!(places, vec![(6, Reason::NotJson), (8, Reason::MissingField)]);
    assert_eq!(bad.stats.events, 8);
    let cut = outcome("malformed/truncated-records.json");
    assert_eq!((cut.stats.events, cut.rejected.len(), cut.rejected[0].reason), (2, 1, Reason::Truncated));
    let csv = outcome("malformed/unknown-format.csv");
    assert_eq!((csv.stats.files_skipped, csv.rejected[0].reason, csv.rejected[0].line), (1, Reason::UnknownFormat, 0));
    let report = outcome("malformed/bad-report.log");
    let lines: Vec<u64> = report.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![9, 17]);
    assert!(report.rejected.iter().all(|r| r.reason == Reason::BadValue && r.message.contains("REPORT")));
    let empty = outcome("malformed/empty.json");
    assert_eq!((empty.stats.files, empty.stats.events, empty.stats.rejected), (1, 0, 0));
}

#[test]
fn a_truncated_gzip_keeps_what_came_before_and_says_where() {
    let mut gz = Vec::new();
    std::fs::File::open(fixture("lambda/attack/denial-of-wallet.log.gz")).unwrap().read_to_end(&mut gz).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.log.gz");
    std::fs::write(&cut, &gz[..gz.len() / 2]).unwrap();
    let o = common::run(pack(), &[cut]);
    assert_eq!(o.rejected.len(), 1, "{:?}", o.rejected);
    assert_eq!(o.rejected[0].reason, Reason::Truncated);
    assert!(o.rejected[0].message.contains("truncated"), "{}", o.rejected[0].message);
    assert!(o.stats.events > 1000 && o.stats.events < 5142, "{}", o.stats.events);
}

#[test]
fn a_folder_of_mixed_formats_is_read_whole() {
    let o = outcome("mixed");
    let formats: Vec<&str> = o.stats.events_by_format.keys().map(String::as_str).collect();
    assert_eq!(formats, vec!["azure-activity", "cloudtrail", "gcp-audit", "lambda"]);
    assert_eq!(o.stats.files, 4);
}

#[test]
fn a_forced_format_and_a_named_function_apply_to_every_input() {
    let opts = ReadOptions { format: Some(LogFormat::Lambda), function: Some("checkout".into()), ..Default::default() };
    let o = common::run_with(pack(), &[fixture("lambda/attack/error-burst.log")], opts, MetricsConfig::default());
    assert!(o.events.iter().all(|e| e.function.name == "checkout"));
    // CloudTrail forced on a Lambda text log: the file is refused, not misread.
    let opts = ReadOptions { format: Some(LogFormat::CloudTrail), ..Default::default() };
    let o = common::run_with(pack(), &[fixture("lambda/text/benign.log")], opts, MetricsConfig::default());
    assert_eq!((o.stats.events, o.stats.files_skipped), (0, 1));
}

#[test]
fn thresholds_come_from_the_config() {
    // Timeouts of a function whose settings say it runs long by design: no duration alert.
    let cfg: MetricsConfig = toml::from_str("[functions.image-batch-encoder]\nmax_duration_ms = 0\n").unwrap();
    let opts = ReadOptions { function: Some("image-batch-encoder".into()), ..Default::default() };
    let o = common::run_with(pack(), &[fixture("lambda/attack/cryptomining.log")], opts, cfg);
    assert!(!o.ids().contains("fnw-log-duration-threshold"), "{:?}", o.ids());
    assert!(o.ids().contains("fnw-log-mining-signature"));
}
