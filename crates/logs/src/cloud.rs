//! Cloud audit records as `cloud_api` events: AWS CloudTrail (including CloudTrail Lake rows),
//! Azure Activity logs, GCP Cloud Audit Logs. The original record travels as `cloud.raw`, so that
//! rules (SigmaHQ's unchanged) can use any of its paths.

use fnwarden_event::{CloudCall, Event, EventKind, FunctionId};
use serde_json::{Map, Value};

use crate::reject::Reason;
use crate::time;

/// Why a record could not become an event.
pub type Refusal = (Reason, String);

/// The string at a path of a JSON object, or "".
pub fn text<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = v;
    for k in path {
        match cur.get(k) {
            Some(next) => cur = next,
            None => return "",
        }
    }
    cur.as_str().unwrap_or("")
}

/// The first candidate that is not empty, or "".
pub fn first<'a>(candidates: &[&'a str]) -> &'a str {
    candidates.iter().copied().find(|s| !s.is_empty()).unwrap_or("")
}

fn owned(v: &Value, path: &[&str]) -> String {
    text(v, path).to_owned()
}

fn required_time(v: &Value, keys: &[&str], format: &str) -> Result<fnwarden_event::Timestamp, Refusal> {
    for k in keys {
        if let Some(t) = v.get(k) {
            return time::from_json(t).ok_or_else(|| (Reason::BadValue, format!("{format} record: `{k}` is not a time: {t}")));
        }
    }
    Err((Reason::MissingField, format!("{format} record has no `{}`", keys.join("` or `"))))
}

/// The last `:`-separated part after `function:` in a Lambda ARN, or the name itself.
fn lambda_function_name(s: &str) -> &str {
    match s.find(":function:") {
        Some(i) => {
            let rest = &s[i + ":function:".len()..];
            rest.split(':').next().unwrap_or(rest)
        }
        None => s,
    }
}

/// A CloudTrail Lake result row (`[{"eventJson": "…"}]`, or one map per column) as a record.
fn lake_row(v: Value) -> Result<Value, Refusal> {
    let mut merged = Map::new();
    if let Value::Array(cols) = v {
        for c in cols {
            if let Value::Object(m) = c {
                merged.extend(m);
            }
        }
    }
    match merged.remove("eventJson") {
        Some(Value::String(s)) => {
            serde_json::from_str(&s).map_err(|e| (Reason::NotJson, format!("CloudTrail Lake row: eventJson is not JSON: {e}")))
        }
        Some(other) => Ok(other),
        None if !merged.is_empty() => Ok(Value::Object(merged)),
        None => Err((Reason::MissingField, "CloudTrail Lake row has no eventJson column and no event fields".to_owned())),
    }
}

/// Whether a JSON record looks like CloudTrail's.
pub fn is_cloudtrail(o: &Map<String, Value>) -> bool {
    o.contains_key("eventVersion") || (o.contains_key("eventSource") && o.contains_key("eventName")) || o.contains_key("eventJson")
}

/// A CloudTrail record (or Lake row) as an event.
pub fn cloudtrail(v: Value, text_of_record: Option<&str>) -> Result<Event, Refusal> {
    // A Lake row's text is the row, not the record in it.
    let (v, record_text) = match v {
        Value::Array(_) => (lake_row(v)?, None),
        Value::Object(ref o) if o.len() == 1 && o.contains_key("eventJson") => (lake_row(Value::Array(vec![v]))?, None),
        other => (other, text_of_record),
    };
    if !v.is_object() {
        return Err((Reason::UnknownFormat, "CloudTrail record is not a JSON object".to_owned()));
    }
    let missing: Vec<&str> = ["eventTime", "eventName"].into_iter().filter(|k| v.get(k).is_none_or(Value::is_null)).collect();
    if !missing.is_empty() {
        return Err((Reason::MissingField, format!("CloudTrail record has no `{}`", missing.join("` and no `"))));
    }
    let time = required_time(&v, &["eventTime"], "CloudTrail")?;
    let operation = text(&v, &["eventName"]);
    if operation.is_empty() {
        return Err((Reason::BadValue, "CloudTrail record: `eventName` is not a name".to_owned()));
    }
    let uid = v.get("userIdentity").unwrap_or(&Value::Null);
    let principal = first(&[text(uid, &["arn"]), text(uid, &["principalId"]), text(uid, &["invokedBy"])]).to_owned();
    let service = owned(&v, &["eventSource"]);
    let mut ev = Event::new(EventKind::CloudApi, time);
    ev.source = "cloudtrail".to_owned();
    let account = match text(&v, &["recipientAccountId"]) {
        "" => owned(uid, &["accountId"]),
        a => a.to_owned(),
    };
    let region = owned(&v, &["awsRegion"]);
    if service == "lambda.amazonaws.com" {
        let params = v.get("requestParameters").unwrap_or(&Value::Null);
        let named = [text(params, &["functionName"]), text(params, &["fullyQualifiedArn", "relativeId", "functionName"])];
        if let Some(n) = named.into_iter().find(|s| !s.is_empty()) {
            ev.function = FunctionId {
                provider: "aws".to_owned(),
                name: lambda_function_name(n).to_owned(),
                region: region.clone(),
                account: account.clone(),
                ..Default::default()
            };
        }
    }
    ev.cloud = Some(CloudCall {
        provider: "aws".to_owned(),
        service,
        operation: operation.to_owned(),
        principal,
        principal_type: owned(uid, &["type"]),
        access_key_id: owned(uid, &["accessKeyId"]),
        account,
        region,
        source_ip: owned(&v, &["sourceIPAddress"]),
        user_agent: owned(&v, &["userAgent"]),
        error_code: owned(&v, &["errorCode"]),
        error_message: owned(&v, &["errorMessage"]),
        raw: v,
    });
    ev.normalize_with_text(record_text);
    Ok(ev)
}

/// A string, or the `value` of a `{value, localizedValue}` pair (the Activity Log REST shape).
fn value_or_pair<'a>(v: &'a Value, key: &str) -> &'a str {
    match v.get(key) {
        Some(Value::String(s)) => s,
        Some(o @ Value::Object(_)) => text(o, &["value"]),
        _ => "",
    }
}

/// Whether a JSON record looks like an Azure Activity (or other Azure resource) log entry.
pub fn is_azure_activity(o: &Map<String, Value>) -> bool {
    (o.contains_key("operationName") || o.contains_key("OperationNameValue"))
        && [
            "resourceId",
            "ResourceId",
            "subscriptionId",
            "SubscriptionId",
            "callerIpAddress",
            "CallerIpAddress",
            "eventTimestamp",
            "category",
            "CategoryValue",
        ]
        .iter()
        .any(|k| o.contains_key(*k))
}

const UPN_CLAIM: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn";

/// An Azure Activity log record (diagnostic-settings export, REST/CLI shape, or the Log
/// Analytics `AzureActivity` table) as an event.
pub fn azure_activity(v: Value, record_text: Option<&str>) -> Result<Event, Refusal> {
    let time = required_time(&v, &["time", "eventTimestamp", "TimeGenerated"], "Azure Activity")?;
    let operation = first(&[value_or_pair(&v, "operationName"), text(&v, &["OperationNameValue"])]);
    if operation.is_empty() {
        return Err((Reason::MissingField, "Azure Activity record has no `operationName`".to_owned()));
    }
    let resource_id = first(&[text(&v, &["resourceId"]), text(&v, &["ResourceId"])]);
    let service = first(&[
        value_or_pair(&v, "resourceProviderName"),
        text(&v, &["ResourceProviderValue"]),
        operation.split('/').next().unwrap_or(""),
    ])
    .to_owned();
    let principal = first(&[
        text(&v, &["caller"]),
        text(&v, &["Caller"]),
        text(&v, &["identity", "claims", UPN_CLAIM]),
        text(&v, &["identity", "claims", "appid"]),
    ])
    .to_owned();
    let source_ip =
        first(&[text(&v, &["callerIpAddress"]), text(&v, &["CallerIpAddress"]), text(&v, &["httpRequest", "clientIpAddress"])]).to_owned();
    let lower_id = resource_id.to_ascii_lowercase();
    let segment = |name: &str| -> String {
        let marker = format!("/{name}/");
        lower_id.find(&marker).map(|i| resource_id[i + marker.len()..].split('/').next().unwrap_or("").to_owned()).unwrap_or_default()
    };
    let account = match first(&[text(&v, &["subscriptionId"]), text(&v, &["SubscriptionId"])]) {
        "" => segment("subscriptions"),
        named => named.to_owned(),
    };
    let result = first(&[value_or_pair(&v, "resultType"), value_or_pair(&v, "status"), text(&v, &["ActivityStatusValue"])]);
    let failed = matches!(result.to_ascii_lowercase().as_str(), "failure" | "failed");
    let mut ev = Event::new(EventKind::CloudApi, time);
    ev.source = "azure-activity".to_owned();
    if lower_id.contains("/providers/microsoft.web/sites/") {
        // Resource ids are case-insensitive, and diagnostic exports upper-case them.
        let site = segment("sites").to_ascii_lowercase();
        let function = segment("functions").to_ascii_lowercase();
        ev.function = FunctionId {
            provider: "azure".to_owned(),
            name: if function.is_empty() { site.clone() } else { format!("{site}/{function}") },
            account: account.clone(),
            region: owned(&v, &["location"]),
            ..Default::default()
        };
    }
    ev.cloud = Some(CloudCall {
        provider: "azure".to_owned(),
        service,
        operation: operation.to_owned(),
        principal,
        principal_type: owned(&v, &["identity", "authorization", "evidence", "principalType"]),
        account,
        region: owned(&v, &["location"]),
        source_ip,
        error_code: if failed { first(&[value_or_pair(&v, "resultSignature"), result]).to_owned() } else { String::new() },
        error_message: if failed { owned(&v, &["properties", "statusMessage"]) } else { String::new() },
        raw: v,
        ..Default::default()
    });
    ev.normalize_with_text(record_text);
    Ok(ev)
}

/// Whether a JSON record is a GCP Cloud Audit Log entry.
pub fn is_gcp_audit(o: &Map<String, Value>) -> bool {
    o.get("protoPayload").is_some_and(|p| p.get("methodName").is_some() || text(p, &["@type"]).ends_with("AuditLog"))
}

/// A GCP Cloud Audit Log entry as an event.
pub fn gcp_audit(v: Value, record_text: Option<&str>) -> Result<Event, Refusal> {
    let time = required_time(&v, &["timestamp", "receiveTimestamp"], "GCP audit")?;
    let p = v.get("protoPayload").unwrap_or(&Value::Null);
    let operation = owned(p, &["methodName"]);
    if operation.is_empty() {
        return Err((Reason::MissingField, "GCP audit entry has no `protoPayload.methodName`".to_owned()));
    }
    let code = p.get("status").and_then(|s| s.get("code")).and_then(Value::as_i64).unwrap_or(0);
    let service = owned(p, &["serviceName"]);
    let mut ev = Event::new(EventKind::CloudApi, time);
    ev.source = "gcp-audit".to_owned();
    let project = owned(&v, &["resource", "labels", "project_id"]);
    let region = first(&[text(&v, &["resource", "labels", "region"]), text(&v, &["resource", "labels", "location"])]).to_owned();
    if service == "cloudfunctions.googleapis.com" || text(&v, &["resource", "type"]) == "cloud_function" {
        let from_resource = text(p, &["resourceName"]).rsplit_once("/functions/").map(|(_, n)| n).unwrap_or("");
        let name = first(&[text(&v, &["resource", "labels", "function_name"]), from_resource]);
        ev.function = FunctionId {
            provider: "gcp".to_owned(),
            name: name.to_owned(),
            account: project.clone(),
            region: region.clone(),
            ..Default::default()
        };
    }
    ev.cloud = Some(CloudCall {
        provider: "gcp".to_owned(),
        service,
        operation,
        principal: owned(p, &["authenticationInfo", "principalEmail"]),
        account: project,
        region,
        source_ip: owned(p, &["requestMetadata", "callerIp"]),
        user_agent: owned(p, &["requestMetadata", "callerSuppliedUserAgent"]),
        error_code: if code != 0 { code.to_string() } else { String::new() },
        error_message: if code != 0 { owned(p, &["status", "message"]) } else { String::new() },
        raw: v,
        ..Default::default()
    });
    ev.normalize_with_text(record_text);
    Ok(ev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cloudtrail_fields_and_the_function_acted_on() {
        let ev = cloudtrail(
            json!({
                "eventVersion": "1.08", "eventTime": "2024-08-01T13:47:16Z", "eventSource": "lambda.amazonaws.com",
                "eventName": "UpdateFunctionCode20150331v2", "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7",
                "userAgent": "aws-cli/2.15.0", "recipientAccountId": "111122223333",
                "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/dev", "accessKeyId": "AKIAEXAMPLE"},
                "requestParameters": {"functionName": "arn:aws:lambda:us-east-1:111122223333:function:orders:prod"}
            }),
            None,
        )
        .unwrap();
        let c = ev.cloud.as_ref().unwrap();
        assert_eq!(
            (c.operation_base(), c.principal.as_str(), c.principal_type.as_str()),
            ("UpdateFunctionCode", "arn:aws:iam::111122223333:user/dev", "IAMUser")
        );
        assert_eq!((ev.function.name.as_str(), ev.function.account.as_str()), ("orders", "111122223333"));
        assert_eq!(ev.time, fnwarden_event::Timestamp::parse("2024-08-01T13:47:16Z").unwrap());
    }

    #[test]
    fn cloudtrail_refusals_name_the_missing_field() {
        assert_eq!(cloudtrail(json!({"eventName": "X"}), None).unwrap_err().0, Reason::MissingField);
        assert_eq!(
            cloudtrail(json!({"eventSource": "s3.amazonaws.com"}), None).unwrap_err().1,
            "CloudTrail record has no `eventTime` and no `eventName`"
        );
        assert_eq!(cloudtrail(json!({"eventTime": "2024-08-01T13:47:16Z"}), None).unwrap_err().1, "CloudTrail record has no `eventName`");
        assert_eq!(cloudtrail(json!({"eventTime": "soon", "eventName": "X"}), None).unwrap_err().0, Reason::BadValue);
        assert_eq!(cloudtrail(json!([{"eventJson": "{not json"}]), None).unwrap_err().0, Reason::NotJson);
    }

    #[test]
    fn lake_rows_unwrap_their_event() {
        let inner =
            json!({"eventTime": "2024-08-01T13:47:16Z", "eventName": "AddPermission20150331v2", "eventSource": "lambda.amazonaws.com"});
        let ev = cloudtrail(json!([{"eventJson": inner.to_string()}]), None).unwrap();
        assert_eq!(ev.cloud.unwrap().operation, "AddPermission20150331v2");
    }

    #[test]
    fn azure_activity_in_both_shapes() {
        let diag = azure_activity(json!({
            "time": "2026-11-30T10:00:00Z", "resourceId": "/SUBSCRIPTIONS/0000-1111/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.WEB/SITES/billing-fn",
            "operationName": "MICROSOFT.WEB/SITES/PUBLISHXML/ACTION", "category": "Administrative", "resultType": "Success",
            "callerIpAddress": "203.0.113.9", "identity": {"claims": {UPN_CLAIM: "eve@example.com"}}
        }), None)
        .unwrap();
        let c = diag.cloud.as_ref().unwrap();
        assert_eq!(
            (c.operation.as_str(), c.principal.as_str(), c.account.as_str(), c.service.as_str()),
            ("MICROSOFT.WEB/SITES/PUBLISHXML/ACTION", "eve@example.com", "0000-1111", "MICROSOFT.WEB")
        );
        assert_eq!(diag.function.name, "billing-fn");
        let rest = azure_activity(json!({
            "eventTimestamp": "2026-11-30T10:00:00Z", "operationName": {"value": "Microsoft.Web/sites/config/list/action", "localizedValue": "List"},
            "caller": "bob@example.com", "status": {"value": "Failed"}, "subscriptionId": "2222", "httpRequest": {"clientIpAddress": "198.51.100.1"}
        }), None)
        .unwrap();
        let c = rest.cloud.unwrap();
        assert_eq!(
            (c.operation.as_str(), c.source_ip.as_str(), c.error_code.as_str()),
            ("Microsoft.Web/sites/config/list/action", "198.51.100.1", "Failed")
        );
    }

    #[test]
    fn gcp_audit_entries() {
        let ev = gcp_audit(json!({
            "timestamp": "2026-11-30T10:00:00.5Z", "resource": {"type": "cloud_function", "labels": {"function_name": "resize", "project_id": "acme", "region": "europe-west1"}},
            "protoPayload": {"@type": "type.googleapis.com/google.cloud.audit.AuditLog", "serviceName": "cloudfunctions.googleapis.com",
              "methodName": "google.cloud.functions.v1.CloudFunctionsService.SetIamPolicy", "status": {"code": 7, "message": "denied"},
              "authenticationInfo": {"principalEmail": "mallory@example.com"}, "requestMetadata": {"callerIp": "203.0.113.3", "callerSuppliedUserAgent": "curl/8"}}
        }), None)
        .unwrap();
        let c = ev.cloud.as_ref().unwrap();
        assert_eq!((c.principal.as_str(), c.error_code.as_str(), c.account.as_str()), ("mallory@example.com", "7", "acme"));
        assert_eq!(ev.function.name, "resize");
        assert_eq!(gcp_audit(json!({"timestamp": "2026-11-30T10:00:00Z", "protoPayload": {}}), None).unwrap_err().0, Reason::MissingField);
    }
}
