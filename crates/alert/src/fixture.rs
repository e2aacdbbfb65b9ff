//! A realistic alert for the sinks' tests.

use std::collections::BTreeMap;
use std::sync::Arc;

use fnwarden_event::{FunctionId, Timestamp, parse_event};
use fnwarden_rules::Severity;

use crate::{Alert, AlertRule};

const EXECVE: &str = r#"{"time":"2026-11-22T10:00:01.25Z","type":"execve","host":"ip-10-0-0-7",
"function":{"provider":"aws","name":"thumbnailer","instance":"sbx-7","request_id":"8f1c"},
"proc":{"pid":42,"exe":"/bin/sh","args":["sh","-c","id"],"ancestors":[{"pid":7,"exe":"/var/lang/bin/python3.11"}]}}"#;

pub fn alert() -> Alert {
    let ev = match parse_event(EXECVE.replace('\n', "").as_bytes()) {
        Ok(ev) => ev,
        Err(e) => panic!("fixture event does not parse: {e}"),
    };
    Alert {
        id: "0000000000000001-000000".to_owned(),
        time: ev.time,
        detected_at: Timestamp(ev.time.0 + 3_000_000),
        rule: Arc::new(AlertRule {
            id: "fnw-exec-shell-from-runtime".to_owned(),
            title: "Shell spawned by function runtime".to_owned(),
            author: "fnwarden".to_owned(),
            description: "A shell started under the language runtime.".to_owned(),
            dialect: "falco".to_owned(),
            source: "rules/exec.yaml:12".to_owned(),
            tags: vec!["serverless".to_owned(), "attack.execution".to_owned(), "attack.t1059.004".to_owned()],
            license: None,
            priority: Some("WARNING".to_owned()),
        }),
        severity: Severity::Medium,
        mitre: vec!["T1059.004".to_owned()],
        function: FunctionId {
            provider: "aws".to_owned(),
            name: "thumbnailer".to_owned(),
            instance: "sbx-7".to_owned(),
            request_id: "8f1c".to_owned(),
            ..Default::default()
        },
        host: Some("ip-10-0-0-7".to_owned()),
        message: "shell sh -c id spawned by python3.11".to_owned(),
        remediation: "Remove shell access from the handler; rotate the function's credentials.".to_owned(),
        evidence: vec![ev.into()],
        output_fields: BTreeMap::from([
            ("proc.cmdline".to_owned(), serde_json::json!("sh -c id")),
            ("proc.pname".to_owned(), serde_json::json!("python3.11")),
        ]),
        group: BTreeMap::new(),
    }
}
