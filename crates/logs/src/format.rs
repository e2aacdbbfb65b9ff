//! The log formats fnwarden reads, how a file's format is recognised, and how each JSON record
//! is told apart (a folder, even a file, may mix formats).

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use crate::cloud;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LogFormat {
    /// AWS CloudTrail: S3 delivery files, JSON arrays, JSON lines, CloudTrail Lake results.
    CloudTrail,
    /// Azure Activity logs (diagnostic export, REST/CLI JSON, Log Analytics `AzureActivity`).
    AzureActivity,
    /// GCP Cloud Audit Logs.
    GcpAudit,
    /// AWS Lambda's text log format (CloudWatch messages, `aws logs tail`), and CloudWatch Logs
    /// JSON (filter-log-events, get-log-events, subscriptions) carrying it.
    Lambda,
    /// AWS Lambda's JSON log format and Telemetry API records (`platform.*`).
    LambdaJson,
    /// Azure Functions host lines and `FunctionAppLogs` records.
    AzureFunctions,
    /// Google Cloud Functions entries from Cloud Logging.
    GcpFunctions,
    /// fnwarden's own events (`fnwarden.event/v1`, as `fnwarden run --events` writes them).
    Fnwarden,
}

pub const ALL: &[LogFormat] = &[
    LogFormat::CloudTrail,
    LogFormat::AzureActivity,
    LogFormat::GcpAudit,
    LogFormat::Lambda,
    LogFormat::LambdaJson,
    LogFormat::AzureFunctions,
    LogFormat::GcpFunctions,
    LogFormat::Fnwarden,
];

impl LogFormat {
    pub fn name(self) -> &'static str {
        match self {
            LogFormat::CloudTrail => "cloudtrail",
            LogFormat::AzureActivity => "azure-activity",
            LogFormat::GcpAudit => "gcp-audit",
            LogFormat::Lambda => "lambda",
            LogFormat::LambdaJson => "lambda-json",
            LogFormat::AzureFunctions => "azure-functions",
            LogFormat::GcpFunctions => "gcp-functions",
            LogFormat::Fnwarden => "fnwarden",
        }
    }

    /// Formats whose records are function execution logs rather than audit records.
    pub fn is_function_log(self) -> bool {
        matches!(self, LogFormat::Lambda | LogFormat::LambdaJson | LogFormat::AzureFunctions | LogFormat::GcpFunctions)
    }

    /// The cloud whose functions write this format.
    pub fn provider(self) -> &'static str {
        match self {
            LogFormat::CloudTrail | LogFormat::Lambda | LogFormat::LambdaJson => "aws",
            LogFormat::AzureActivity | LogFormat::AzureFunctions => "azure",
            LogFormat::GcpAudit | LogFormat::GcpFunctions => "gcp",
            LogFormat::Fnwarden => "",
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ALL.iter().copied().find(|f| f.name() == s).ok_or_else(|| {
            let names: Vec<&str> = ALL.iter().map(|f| f.name()).collect();
            format!("unknown log format {s:?}: expected auto, {}", names.join(", "))
        })
    }
}

/// What the start of a file says it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    Empty,
    Json,
    Text(LogFormat),
    Binary,
    Unknown,
}

/// Recognises a file from its first bytes (at least a few kilobytes when the file has them).
pub fn sniff(head: &[u8]) -> Sniffed {
    let Some(first) = head.iter().position(|b| !b.is_ascii_whitespace()) else { return Sniffed::Empty };
    if head.iter().take(8192).any(|&b| b == 0) {
        return Sniffed::Binary;
    }
    if matches!(head[first], b'{' | b'[') {
        return Sniffed::Json;
    }
    let text = String::from_utf8_lossy(&head[..head.len().min(64 << 10)]);
    for line in text.lines().take(200) {
        if let Some(f) = text_line_format(line) {
            return Sniffed::Text(f);
        }
    }
    Sniffed::Unknown
}

/// The text format a line belongs to, when it is unmistakable.
pub fn text_line_format(line: &str) -> Option<LogFormat> {
    const LAMBDA: &[&str] =
        &["START RequestId: ", "END RequestId: ", "REPORT RequestId: ", "INIT_START ", "INIT_REPORT ", "Task timed out after "];
    if LAMBDA.iter().any(|m| line.contains(m)) {
        return Some(LogFormat::Lambda);
    }
    if line.contains("Executing 'Functions.") || line.contains("Executed 'Functions.") {
        return Some(LogFormat::AzureFunctions);
    }
    None
}

/// The format of one JSON record, given the keys of the wrapper it came in.
pub fn classify(v: &Value, wrapper: &Map<String, Value>) -> Option<LogFormat> {
    let o = match v {
        Value::Object(o) => o,
        // CloudTrail Lake rows are arrays of column maps.
        Value::Array(cols) if cols.iter().all(Value::is_object) && !cols.is_empty() => return Some(LogFormat::CloudTrail),
        _ => return None,
    };
    let s = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("");
    if s("schema").starts_with("fnwarden.event/") {
        return Some(LogFormat::Fnwarden);
    }
    if cloud::is_cloudtrail(o) {
        return Some(LogFormat::CloudTrail);
    }
    if cloud::is_gcp_audit(o) {
        return Some(LogFormat::GcpAudit);
    }
    if o.contains_key("resource") && (o.contains_key("textPayload") || o.contains_key("jsonPayload")) {
        return Some(LogFormat::GcpFunctions);
    }
    let category = [s("category"), s("Category")].into_iter().find(|c| !c.is_empty()).unwrap_or("");
    if category.eq_ignore_ascii_case("FunctionAppLogs")
        || (o.contains_key("FunctionName") && (o.contains_key("Message") || o.contains_key("FunctionInvocationId")))
    {
        return Some(LogFormat::AzureFunctions);
    }
    if cloud::is_azure_activity(o) {
        return Some(LogFormat::AzureActivity);
    }
    let kind = s("type");
    if (kind.starts_with("platform.") || kind == "function" || kind == "extension") && o.contains_key("record") {
        return Some(LogFormat::LambdaJson);
    }
    // CloudWatch Logs events: the message is a Lambda log line.
    if o.contains_key("message")
        && o.get("timestamp").is_some_and(Value::is_number)
        && (wrapper.contains_key("logGroup") || o.contains_key("ingestionTime") || o.contains_key("logStreamName") || o.contains_key("id"))
    {
        return Some(LogFormat::Lambda);
    }
    if o.contains_key("message")
        && (o.contains_key("requestId") || o.contains_key("level"))
        && (o.contains_key("timestamp") || o.contains_key("time"))
    {
        return Some(LogFormat::LambdaJson);
    }
    None
}

/// `a, b, c …`: the first keys of a record, for an "unknown format" message.
pub fn keys_of(v: &Value) -> String {
    match v {
        Value::Object(o) => {
            let mut keys: Vec<&str> = o.keys().map(String::as_str).take(8).collect();
            if o.len() > 8 {
                keys.push("…");
            }
            format!("a JSON object with keys {}", keys.join(", "))
        }
        Value::Array(_) => "a JSON array".to_owned(),
        _ => "a JSON scalar".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn files_are_sniffed() {
        assert_eq!(sniff(b"  \n"), Sniffed::Empty);
        assert_eq!(sniff(b"{\"Records\": []}"), Sniffed::Json);
        assert_eq!(sniff(b"\x1f\x8b\x00\x00"), Sniffed::Binary);
        assert_eq!(sniff(b"hello\nSTART RequestId: 1 Version: $LATEST\n"), Sniffed::Text(LogFormat::Lambda));
        assert_eq!(
            sniff(b"2026-11-30 [Information] Executed 'Functions.F' (Succeeded, Id=1, Duration=1ms)"),
            Sniffed::Text(LogFormat::AzureFunctions)
        );
        assert_eq!(sniff(b"time,user,action\n1,2,3\n"), Sniffed::Unknown);
    }

    #[test]
    fn records_are_classified() {
        let none = Map::new();
        let mut cw = Map::new();
        cw.insert("logGroup".into(), json!("/aws/lambda/f"));
        let cases = [
            (json!({"eventVersion": "1.08", "eventName": "X"}), &none, Some(LogFormat::CloudTrail)),
            (json!([{"eventJson": "{}"}]), &none, Some(LogFormat::CloudTrail)),
            (json!({"protoPayload": {"methodName": "m"}}), &none, Some(LogFormat::GcpAudit)),
            (json!({"resource": {}, "textPayload": "t"}), &none, Some(LogFormat::GcpFunctions)),
            (json!({"operationName": "MICROSOFT.WEB/SITES/READ", "resourceId": "/x"}), &none, Some(LogFormat::AzureActivity)),
            (
                json!({"category": "FunctionAppLogs", "operationName": "Microsoft.Web/sites/functions/log", "resourceId": "/x"}),
                &none,
                Some(LogFormat::AzureFunctions),
            ),
            (json!({"type": "platform.report", "record": {}}), &none, Some(LogFormat::LambdaJson)),
            (json!({"timestamp": 1, "message": "START RequestId: x"}), &cw, Some(LogFormat::Lambda)),
            (json!({"timestamp": "t", "level": "INFO", "message": "m"}), &none, Some(LogFormat::LambdaJson)),
            (json!({"schema": "fnwarden.event/v1"}), &none, Some(LogFormat::Fnwarden)),
            (json!({"user": "x"}), &none, None),
        ];
        for (v, w, want) in cases {
            assert_eq!(classify(&v, w), want, "{v}");
        }
        assert_eq!("lambda".parse::<LogFormat>(), Ok(LogFormat::Lambda));
        assert!("syslog".parse::<LogFormat>().unwrap_err().contains("cloudtrail"));
    }
}
