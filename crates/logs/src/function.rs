//! Function execution logs as invocation events: AWS Lambda's text and JSON formats and its
//! Telemetry API records, Azure Functions host lines and `FunctionAppLogs`, and Google Cloud
//! Functions' Cloud Logging entries (`shared/docs/log-formats.md`).
//!
//! START/`platform.start` → `invoke_start`, END/`platform.runtimeDone` → `invoke_end`,
//! REPORT/`platform.report` → `invoke_report` with its metrics, everything else → `log`.

use std::collections::HashMap;

use fnwarden_event::{Event, EventKind, FunctionId, Invocation, InvocationStatus, LogLine, Timestamp};
use serde_json::Value;

use crate::cloud::{Refusal, first, text};
use crate::reject::Reason;
use crate::time;

/// Per-file state of a function log: who the function is, the last time seen (lines without a
/// time of their own, such as Lambda's START and REPORT, take it), and what earlier lines said
/// about an invocation that its REPORT line leaves out.
#[derive(Debug)]
pub struct FunctionLog {
    pub function: FunctionId,
    pub stream: String,
    pub last_time: Timestamp,
    /// Request id → (timeout in ms from "Task timed out after …", error type).
    pending: HashMap<String, (Option<f64>, String)>,
    /// Requests whose handler logged at ERROR level.
    failed: HashMap<String, ()>,
    /// Records the platform reported it dropped (`platform.logsDropped`).
    pub dropped: u64,
}

/// At most this many invocations are remembered between their lines and their REPORT.
const MAX_PENDING: usize = 10_000;

impl FunctionLog {
    pub fn new(function: FunctionId) -> Self {
        FunctionLog {
            function,
            stream: String::new(),
            last_time: Timestamp(0),
            pending: HashMap::new(),
            failed: HashMap::new(),
            dropped: 0,
        }
    }

    fn event(&mut self, kind: EventKind, time: Option<Timestamp>, request_id: &str) -> Event {
        if let Some(t) = time {
            self.last_time = t;
        }
        let mut ev = Event::new(kind, self.last_time);
        ev.function = self.function.clone();
        if !request_id.is_empty() {
            ev.function.request_id = request_id.to_owned();
        }
        if !self.stream.is_empty() && ev.function.instance.is_empty() {
            ev.function.instance = self.stream.clone();
        }
        ev
    }

    fn log(&mut self, time: Option<Timestamp>, request_id: &str, level: &str, message: &str) -> Event {
        let mut ev = self.event(EventKind::Log, time, request_id);
        ev.log = Some(LogLine { message: message.to_owned(), level: level.to_owned(), stream: self.stream.clone() });
        ev
    }

    fn remember_failure(&mut self, request_id: &str) {
        if !self.failed.contains_key(request_id) {
            if self.failed.len() >= MAX_PENDING {
                self.failed.clear();
            }
            self.failed.insert(request_id.to_owned(), ());
        }
    }

    fn remember(&mut self, request_id: &str, timeout_ms: Option<f64>, error: &str) {
        if self.pending.len() >= MAX_PENDING && !self.pending.contains_key(request_id) {
            self.pending.clear();
        }
        let e = self.pending.entry(request_id.to_owned()).or_default();
        if timeout_ms.is_some() {
            e.0 = timeout_ms;
        }
        if !error.is_empty() {
            e.1 = error.to_owned();
        }
    }

    /// One line of Lambda's text format (a CloudWatch message, or a line of `aws logs tail`).
    pub fn lambda_line(&mut self, line: &str, time: Option<Timestamp>) -> Result<Event, Refusal> {
        let (line, time) = match strip_tail_prefix(line) {
            Some((t, stream, rest)) => {
                if self.stream.is_empty() && !stream.is_empty() {
                    self.stream = stream.to_owned();
                }
                (rest, Some(t))
            }
            None => (line, time),
        };
        let line = line.trim_end_matches(['\r', '\n']);
        if let Some(rest) = line.strip_prefix("REPORT ") {
            return self.lambda_report(rest, time);
        }
        if let Some(rest) = line.strip_prefix("START RequestId: ") {
            let id = first_word(rest);
            let mut ev = self.event(EventKind::InvokeStart, time, id);
            if let Some(v) = word_after(rest, "Version:") {
                ev.function.version = v.to_owned();
            }
            return Ok(ev);
        }
        if let Some(rest) = line.strip_prefix("END RequestId: ") {
            return Ok(self.event(EventKind::InvokeEnd, time, first_word(rest)));
        }
        if let Some(rest) = line.strip_prefix("INIT_REPORT ") {
            let words: Vec<&str> = rest.split_whitespace().collect();
            let init = number_after(&words, &["Init", "Duration:"]).transpose().map_err(|w| bad("INIT_REPORT", "Init Duration", w))?;
            let mut ev = self.event(EventKind::InvokeReport, time, "");
            ev.invocation = Some(Invocation { init_ms: init, status: status_after(&words), ..Default::default() });
            return Ok(ev);
        }
        if line.starts_with("INIT_START ") {
            if let Some(v) = line.split("Runtime Version: ").nth(1) {
                self.function.runtime = v.split(['\t', ' ']).next().unwrap_or("").to_owned();
            }
            return Ok(self.log(time, "", "", line));
        }
        // `<time>\t<request id>\t<LEVEL>\t<message>`, or `[LEVEL]\t<time>\t<request id>\t<message>`.
        let fields: Vec<&str> = line.splitn(4, '\t').collect();
        let (t, id, level, message) = match fields.as_slice() {
            [lvl, t, id, msg] if lvl.starts_with('[') && lvl.ends_with(']') => (time::parse(t), *id, lvl.trim_matches(['[', ']']), *msg),
            [t, id, lvl, msg] if looks_like_request_id(id) => (time::parse(t), *id, *lvl, *msg),
            [t, id, msg] if looks_like_request_id(id) => (time::parse(t), *id, "", *msg),
            _ => (None, "", "", line),
        };
        let time = t.or(time);
        if let Some(secs) = message.trim().strip_prefix("Task timed out after ").and_then(|r| r.strip_suffix(" seconds")) {
            let ms = secs.trim().parse::<f64>().ok().map(|s| s * 1000.0);
            self.remember(id, ms, "Sandbox.Timedout");
        } else if let Some(rest) = message.strip_prefix("RequestId: ")
            && rest.contains("Error: Runtime exited")
        {
            self.remember(first_word(rest), None, "Runtime.ExitError");
        } else if level.eq_ignore_ascii_case("ERROR") && !id.is_empty() {
            // The handler logged an error for this request: the request failed, even when the
            // REPORT line (which carries no status in older runtimes) does not say so.
            self.remember_failure(id);
        }
        let id = if id.is_empty() { line.strip_prefix("RequestId: ").map(first_word).unwrap_or("") } else { id };
        Ok(self.log(time, id, level, message))
    }

    fn lambda_report(&mut self, rest: &str, time: Option<Timestamp>) -> Result<Event, Refusal> {
        let words: Vec<&str> = rest.split_whitespace().collect();
        let id = number_after_raw(&words, &["RequestId:"]).unwrap_or("");
        if id.is_empty() {
            return Err((Reason::MissingField, "REPORT line without a RequestId".to_owned()));
        }
        let field = |key: &[&str], name: &str| number_after(&words, key).transpose().map_err(|w| bad("REPORT", name, w));
        let duration = plain_duration(&words).transpose().map_err(|w| bad("REPORT", "Duration", w))?;
        let billed = field(&["Billed", "Duration:"], "Billed Duration")?;
        let memory = field(&["Memory", "Size:"], "Memory Size")?;
        let max_memory = field(&["Max", "Memory", "Used:"], "Max Memory Used")?;
        let init = match field(&["Init", "Duration:"], "Init Duration")? {
            Some(i) => Some(i),
            None => field(&["Restore", "Duration:"], "Restore Duration")?,
        };
        let (timeout_ms, remembered_error) = self.pending.remove(id).unwrap_or_default();
        let logged_error = self.failed.remove(id).is_some();
        let error_type = number_after_raw(&words, &["Error", "Type:"]).map(str::to_owned).unwrap_or(remembered_error);
        let status = status_after(&words).or(if timeout_ms.is_some() {
            Some(InvocationStatus::Timeout)
        } else if !error_type.is_empty() {
            Some(InvocationStatus::Error)
        } else if logged_error {
            Some(InvocationStatus::Failure)
        } else {
            Some(InvocationStatus::Success)
        });
        let mut ev = self.event(EventKind::InvokeReport, time, id);
        ev.invocation = Some(Invocation {
            duration_ms: duration,
            billed_ms: billed,
            memory_mb: memory,
            max_memory_mb: max_memory,
            init_ms: init,
            timeout_ms,
            status,
            error_type,
        });
        Ok(ev)
    }

    /// A Lambda JSON-format record: `platform.*` (also the Telemetry API's), `function` and
    /// `extension` records, or a JSON application log line.
    pub fn lambda_json(&mut self, v: &Value, time: Option<Timestamp>) -> Result<Event, Refusal> {
        let kind = text(v, &["type"]);
        let t = v.get("time").or(v.get("timestamp")).and_then(time::from_json).or(time);
        let rec = v.get("record").unwrap_or(&Value::Null);
        let id = text(rec, &["requestId"]);
        let metric = |k: &str| rec.get("metrics").and_then(|m| m.get(k)).and_then(Value::as_f64);
        let status = parse_status(text(rec, &["status"]));
        let error_type = text(rec, &["errorType"]).to_owned();
        Ok(match kind {
            "platform.start" => {
                let mut ev = self.event(EventKind::InvokeStart, t, id);
                ev.function.version = text(rec, &["version"]).to_owned();
                ev
            }
            "platform.runtimeDone" => {
                let mut ev = self.event(EventKind::InvokeEnd, t, id);
                ev.invocation = Some(Invocation { duration_ms: metric("durationMs"), status, error_type, ..Default::default() });
                ev
            }
            "platform.report" => {
                let mut ev = self.event(EventKind::InvokeReport, t, id);
                ev.invocation = Some(Invocation {
                    duration_ms: metric("durationMs"),
                    billed_ms: metric("billedDurationMs"),
                    memory_mb: metric("memorySizeMB"),
                    max_memory_mb: metric("maxMemoryUsedMB"),
                    init_ms: metric("initDurationMs").or(metric("restoreDurationMs")),
                    status: status.or(Some(InvocationStatus::Success)),
                    error_type,
                    ..Default::default()
                });
                ev
            }
            "platform.initReport" | "platform.restoreReport" => {
                let mut ev = self.event(EventKind::InvokeReport, t, "");
                ev.invocation = Some(Invocation { init_ms: metric("durationMs"), status, error_type, ..Default::default() });
                ev
            }
            "platform.initStart" => {
                if let Some(n) = rec.get("functionName").and_then(Value::as_str)
                    && self.function.name.is_empty()
                {
                    self.function.name = n.to_owned();
                }
                if let Some(r) = rec.get("runtimeVersion").and_then(Value::as_str) {
                    self.function.runtime = r.to_owned();
                }
                self.log(t, "", "", &format!("{kind} {rec}"))
            }
            "platform.logsDropped" => {
                self.dropped += rec.get("droppedRecords").and_then(Value::as_u64).unwrap_or(0);
                self.log(t, "", "WARN", &format!("{kind} {rec}"))
            }
            "function" | "extension" => match rec {
                Value::String(s) => self.lambda_line(s, t)?,
                Value::Object(_) => {
                    let msg =
                        rec.get("message").map_or_else(|| rec.to_string(), |m| m.as_str().map_or_else(|| m.to_string(), str::to_owned));
                    self.log(t, text(rec, &["requestId"]), text(rec, &["level"]), &msg)
                }
                _ => self.log(t, "", "", &rec.to_string()),
            },
            k if k.starts_with("platform.") => self.log(t, id, "", &format!("{k} {rec}")),
            _ => {
                // A JSON application log: {"timestamp", "level", "message", "requestId", …}.
                let msg = v.get("message").map_or_else(|| v.to_string(), |m| m.as_str().map_or_else(|| m.to_string(), str::to_owned));
                self.log(t, text(v, &["requestId"]), text(v, &["level"]), &msg)
            }
        })
    }

    /// A CloudWatch Logs event (`{timestamp, message}` from filter-log-events, get-log-events or
    /// a subscription): the message is a Lambda text line or a JSON-format record.
    pub fn cloudwatch_event(&mut self, v: &Value) -> Result<Event, Refusal> {
        let t = v.get("timestamp").and_then(time::from_json);
        if let Some(stream) = v.get("logStreamName").and_then(Value::as_str) {
            self.stream = stream.to_owned();
        }
        let msg = text(v, &["message"]);
        let trimmed = msg.trim_start();
        if trimmed.starts_with('{')
            && let Ok(inner) = serde_json::from_str::<Value>(trimmed)
        {
            return self.lambda_json(&inner, t);
        }
        self.lambda_line(msg, t)
    }

    /// An Azure Functions host line: `Executing 'Functions.X' (Reason=…, Id=…)` or `Executed
    /// 'Functions.X' (Succeeded|Failed, Id=…, Duration=151ms)`, with any leading time and level.
    pub fn azure_line(&mut self, line: &str, time: Option<Timestamp>) -> Result<Event, Refusal> {
        let (lead, body) = match line.find("Execut") {
            Some(i) => (&line[..i], &line[i..]),
            None => ("", line),
        };
        let lead_time = lead.split_whitespace().next().and_then(time::parse).or_else(|| {
            let mut w = lead.split_whitespace();
            match (w.next(), w.next()) {
                (Some(d), Some(t)) => time::parse(&format!("{d} {t}")),
                _ => None,
            }
        });
        let time = lead_time.or(time);
        let name = body.split_once("'Functions.").and_then(|(_, r)| r.split_once('\'')).map(|(n, _)| n);
        let inside = body.split_once('(').map(|(_, r)| r.trim_end().trim_end_matches(')')).unwrap_or("");
        let id = inside.split(", ").find_map(|p| p.trim().strip_prefix("Id=")).unwrap_or("");
        let named = |me: &mut Self| {
            if let Some(n) = name {
                me.function.name = n.to_owned();
            }
        };
        if body.starts_with("Executing '") && name.is_some() {
            named(self);
            return Ok(self.event(EventKind::InvokeStart, time, id));
        }
        if body.starts_with("Executed '") && name.is_some() {
            named(self);
            let parts: Vec<&str> = inside.split(", ").map(str::trim).collect();
            let status = match parts.first().copied() {
                Some("Succeeded") => Some(InvocationStatus::Success),
                Some("Failed") => Some(InvocationStatus::Failure),
                _ => None,
            };
            let duration = match parts.iter().find_map(|p| p.strip_prefix("Duration=")) {
                Some(d) => Some(metric(d.trim_end_matches("ms")).map_err(|_| bad("Executed", "Duration", d))?),
                None => None,
            };
            let mut ev = self.event(EventKind::InvokeReport, time, id);
            ev.invocation = Some(Invocation { duration_ms: duration, status, ..Default::default() });
            return Ok(ev);
        }
        let level = lead.split_once('[').and_then(|(_, r)| r.split_once(']')).map(|(l, _)| l).unwrap_or("");
        Ok(self.log(time, "", level, body.trim()))
    }

    /// A `FunctionAppLogs` record (Log Analytics export, or a diagnostic-settings record whose
    /// `properties` hold the same columns).
    pub fn azure_record(&mut self, v: &Value) -> Result<Event, Refusal> {
        let p = v.get("properties").filter(|p| p.is_object()).unwrap_or(v);
        let get = |keys: &[&str]| keys.iter().map(|k| text(p, &[k])).find(|s| !s.is_empty()).unwrap_or("");
        let t = ["TimeGenerated", "time", "timestamp"].iter().find_map(|k| v.get(*k)).and_then(time::from_json);
        let Some(t) = t else { return Err((Reason::MissingField, "FunctionAppLogs record has no `TimeGenerated`".to_owned())) };
        let app = get(&["AppName", "appName"]);
        let func = get(&["FunctionName", "functionName"]);
        if !func.is_empty() {
            self.function.name = if app.is_empty() { func.to_owned() } else { format!("{app}/{func}") };
        }
        if self.function.provider.is_empty() {
            self.function.provider = "azure".to_owned();
        }
        let msg = get(&["Message", "message"]);
        let mut ev = self.azure_line(msg, Some(t))?;
        // The host line names the function by itself; the record's app name is more precise.
        if !func.is_empty() {
            ev.function.name = self.function.name.clone();
        }
        if ev.function.request_id.is_empty() {
            ev.function.request_id = get(&["FunctionInvocationId", "functionInvocationId"]).to_owned();
        }
        ev.function.instance = get(&["HostInstanceId", "hostInstanceId", "RoleInstance"]).to_owned();
        if let Some(l) = ev.log.as_mut()
            && l.level.is_empty()
        {
            l.level = get(&["Level", "level"]).to_owned();
        }
        Ok(ev)
    }

    /// A Cloud Logging entry of a Cloud Function: `Function execution started`, `Function
    /// execution took 800 ms, finished with status: 'ok'` (or `status code: 200`), or a log line.
    pub fn gcp_entry(&mut self, v: &Value) -> Result<Event, Refusal> {
        let Some(t) = v.get("timestamp").or(v.get("receiveTimestamp")).and_then(time::from_json) else {
            return Err((Reason::MissingField, "Cloud Logging entry has no `timestamp`".to_owned()));
        };
        let labels = v.get("resource").and_then(|r| r.get("labels")).unwrap_or(&Value::Null);
        let name = first(&[text(labels, &["function_name"]), text(labels, &["service_name"])]);
        self.function.provider = "gcp".to_owned();
        if !name.is_empty() {
            self.function.name = name.to_owned();
        }
        self.function.region = text(labels, &["region"]).to_owned();
        self.function.account = text(labels, &["project_id"]).to_owned();
        let id = first(&[text(v, &["labels", "execution_id"]), text(v, &["trace"])]);
        let message = match (v.get("textPayload"), v.get("jsonPayload")) {
            (Some(Value::String(s)), _) => s.clone(),
            (_, Some(j)) => j.get("message").and_then(Value::as_str).map_or_else(|| j.to_string(), str::to_owned),
            _ => String::new(),
        };
        if message.starts_with("Function execution started") {
            return Ok(self.event(EventKind::InvokeStart, Some(t), id));
        }
        if let Some(rest) = message.strip_prefix("Function execution took ") {
            let ms = rest.split_whitespace().next().unwrap_or("");
            let duration = metric(ms).map_err(|_| bad("Function execution took", "duration", ms))?;
            let status = if let Some(s) = rest.split("status: '").nth(1) {
                match s.trim_end_matches('\'') {
                    "ok" => InvocationStatus::Success,
                    "timeout" => InvocationStatus::Timeout,
                    "crash" | "error" => InvocationStatus::Error,
                    _ => InvocationStatus::Failure,
                }
            } else if let Some(code) = rest.split("status code: ").nth(1) {
                match code.trim().parse::<u16>() {
                    Ok(c) if c < 500 => InvocationStatus::Success,
                    _ => InvocationStatus::Failure,
                }
            } else {
                InvocationStatus::Success
            };
            let mut ev = self.event(EventKind::InvokeReport, Some(t), id);
            ev.invocation = Some(Invocation { duration_ms: Some(duration), status: Some(status), ..Default::default() });
            return Ok(ev);
        }
        Ok(self.log(Some(t), id, text(v, &["severity"]), &message))
    }
}

fn bad(line: &str, field: &str, value: &str) -> Refusal {
    (Reason::BadValue, format!("{line} line: {field} {value:?} is not a number"))
}

fn first_word(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or("")
}

fn word_after<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    s.split(key).nth(1).map(first_word)
}

fn looks_like_request_id(s: &str) -> bool {
    s.len() >= 8 && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// Exports put the event time before each message, and `aws logs tail` the stream too:
/// `2026-11-30T10:00:00.123000+00:00 2026/11/30/[$LATEST]abc… START RequestId: …`, or
/// `2026-12-04T08:00:47 REPORT RequestId: …`. Returns the time, the stream ("" when absent) and
/// the message.
fn strip_tail_prefix(line: &str) -> Option<(Timestamp, &str, &str)> {
    let (t, rest) = line.split_once(' ')?;
    if t.len() < 19 || !t.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let t = time::parse(t)?;
    match rest.split_once(' ') {
        Some((stream, msg)) if stream.contains('/') && stream.contains('[') => Some((t, stream, msg)),
        _ => Some((t, "", rest)),
    }
}

/// The word after the key words (`["Billed", "Duration:"]`), unparsed.
fn number_after_raw<'a>(words: &[&'a str], key: &[&str]) -> Option<&'a str> {
    words.windows(key.len() + 1).find(|w| w[..key.len()] == *key).map(|w| w[key.len()])
}

/// A duration or size as logged: a finite number, not negative (`NaN`, `-40`, `1e999` are not).
fn metric(w: &str) -> Result<f64, &str> {
    match w.parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => Ok(n),
        _ => Err(w),
    }
}

/// The number after the key words; `Some(Err(word))` when it is not one.
fn number_after<'a>(words: &[&'a str], key: &[&str]) -> Option<Result<f64, &'a str>> {
    number_after_raw(words, key).map(metric)
}

/// `Duration:` not preceded by Billed, Init or Restore.
fn plain_duration<'a>(words: &[&'a str]) -> Option<Result<f64, &'a str>> {
    (0..words.len().saturating_sub(1))
        .find(|&i| words[i] == "Duration:" && !(i > 0 && matches!(words[i - 1], "Billed" | "Init" | "Restore")))
        .map(|i| metric(words[i + 1]))
}

fn parse_status(s: &str) -> Option<InvocationStatus> {
    match s.to_ascii_lowercase().as_str() {
        "success" => Some(InvocationStatus::Success),
        "failure" => Some(InvocationStatus::Failure),
        "error" => Some(InvocationStatus::Error),
        "timeout" => Some(InvocationStatus::Timeout),
        _ => None,
    }
}

fn status_after(words: &[&str]) -> Option<InvocationStatus> {
    number_after_raw(words, &["Status:"]).and_then(parse_status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn aws(name: &str) -> FunctionLog {
        FunctionLog::new(FunctionId { provider: "aws".into(), name: name.into(), ..Default::default() })
    }

    #[test]
    fn lambda_text_lines() {
        let mut f = aws("thumbnailer");
        let app = f.lambda_line("2026-11-30T10:00:00.438Z\ta0537bcb-712d-11e4-8c97-af075a3c0929\tINFO\tresized 3 images", None).unwrap();
        assert_eq!((app.kind, app.function.request_id.as_str()), (EventKind::Log, "a0537bcb-712d-11e4-8c97-af075a3c0929"));
        assert_eq!(app.log.as_ref().map(|l| (l.level.as_str(), l.message.as_str())), Some(("INFO", "resized 3 images")));
        let start = f.lambda_line("START RequestId: a0537bcb-712d-11e4-8c97-af075a3c0929\tVersion: $LATEST", None).unwrap();
        assert_eq!((start.kind, start.function.version.as_str(), start.time), (EventKind::InvokeStart, "$LATEST", app.time));
        let r = f
            .lambda_line("REPORT RequestId: a0537bcb-712d-11e4-8c97-af075a3c0929\tDuration: 395.99 ms\tBilled Duration: 662 ms\tMemory Size: 512 MB\tMax Memory Used: 301 MB\tInit Duration: 265.72 ms", None)
            .unwrap();
        let inv = r.invocation.unwrap();
        assert_eq!(
            (inv.duration_ms, inv.billed_ms, inv.memory_mb, inv.max_memory_mb, inv.init_ms),
            (Some(395.99), Some(662.0), Some(512.0), Some(301.0), Some(265.72))
        );
        assert_eq!(inv.status, Some(InvocationStatus::Success));
    }

    #[test]
    fn timeouts_and_crashes_reach_the_report() {
        let mut f = aws("miner");
        f.lambda_line("2026-11-30T10:15:00.000Z\t6c214fca-9ec8-48d0-a1b2-c3d4e5f60718\tTask timed out after 900.00 seconds", None).unwrap();
        let r = f.lambda_line("REPORT RequestId: 6c214fca-9ec8-48d0-a1b2-c3d4e5f60718 Duration: 900000.00 ms Billed Duration: 900000 ms Memory Size: 1024 MB Max Memory Used: 990 MB", None).unwrap();
        let inv = r.invocation.unwrap();
        assert_eq!((inv.status, inv.timeout_ms), (Some(InvocationStatus::Timeout), Some(900_000.0)));
        f.lambda_line("RequestId: 11111111-2222-3333-4444-555555555555 Error: Runtime exited with error: exit status 1", None).unwrap();
        let r = f.lambda_line("REPORT RequestId: 11111111-2222-3333-4444-555555555555\tDuration: 12.00 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB", None).unwrap();
        let inv = r.invocation.unwrap();
        assert_eq!((inv.status, inv.error_type.as_str()), (Some(InvocationStatus::Error), "Runtime.ExitError"));
        let explicit = f.lambda_line("REPORT RequestId: 22222222-2222-3333-4444-555555555555\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tStatus: timeout", None).unwrap();
        assert_eq!(explicit.invocation.unwrap().status, Some(InvocationStatus::Timeout));
    }

    #[test]
    fn garbage_numbers_are_refused_with_the_field() {
        let mut f = aws("x");
        let e = f.lambda_line("REPORT RequestId: 6c214fca-9ec8 Duration: fast ms", None).unwrap_err();
        assert_eq!(e, (Reason::BadValue, "REPORT line: Duration \"fast\" is not a number".to_owned()));
        assert_eq!(f.lambda_line("REPORT Duration: 1 ms", None).unwrap_err().0, Reason::MissingField);
        for bad in ["NaN", "-40", "1e999", "inf"] {
            let line = format!("REPORT RequestId: 6c214fca-9ec8\tDuration: 1.0 ms\tBilled Duration: {bad} ms");
            assert_eq!(f.lambda_line(&line, None).unwrap_err().0, Reason::BadValue, "{bad}");
        }
    }

    #[test]
    fn error_lines_fail_their_invocation() {
        let mut f = aws("checkout");
        f.lambda_line("[ERROR]\t2026-12-06T09:40:02.214Z\tad04a179-6f24-434b-82aa-3753de4cdaf8\tpayment provider call failed", None)
            .unwrap();
        let r = f.lambda_line("REPORT RequestId: ad04a179-6f24-434b-82aa-3753de4cdaf8\tDuration: 500.00 ms\tBilled Duration: 500 ms\tMemory Size: 512 MB\tMax Memory Used: 90 MB", None).unwrap();
        assert_eq!(r.invocation.unwrap().status, Some(InvocationStatus::Failure));
        assert_eq!(r.time, time::parse("2026-12-06T09:40:02.214Z").unwrap());
        let ok = f.lambda_line("REPORT RequestId: 11111111-6f24-434b-82aa-3753de4cdaf8\tDuration: 5.00 ms", None).unwrap();
        assert_eq!(ok.invocation.unwrap().status, Some(InvocationStatus::Success));
    }

    #[test]
    fn a_leading_time_without_a_stream_is_the_line_time() {
        let mut f = aws("x");
        let ev = f.lambda_line("2026-12-04T08:00:47 REPORT RequestId: e2c6f816-56d8\tDuration: 618.96 ms", None).unwrap();
        assert_eq!((ev.kind, ev.time), (EventKind::InvokeReport, time::parse("2026-12-04T08:00:47Z").unwrap()));
        assert_eq!(ev.function.instance, "");
    }

    #[test]
    fn tail_prefix_gives_time_and_stream() {
        let mut f = aws("x");
        let ev =
            f.lambda_line("2026-11-30T10:00:00.123000+00:00 2026/11/30/[$LATEST]0123abcd END RequestId: 6c214fca-9ec8-48d0", None).unwrap();
        assert_eq!((ev.kind, ev.function.instance.as_str()), (EventKind::InvokeEnd, "2026/11/30/[$LATEST]0123abcd"));
        assert_eq!(ev.time, time::parse("2026-11-30T10:00:00.123Z").unwrap());
    }

    #[test]
    fn telemetry_records() {
        let mut f = aws("");
        f.lambda_json(&json!({"time": "2022-10-21T14:05:03.000Z", "type": "platform.initStart", "record": {"functionName": "api", "runtimeVersion": "python:3.12"}}), None).unwrap();
        let r = f
            .lambda_json(&json!({"time": "2022-10-21T14:05:05.766Z", "type": "platform.report", "record": {"requestId": "459921b5", "metrics": {"durationMs": 2599.4, "billedDurationMs": 2600, "memorySizeMB": 128, "maxMemoryUsedMB": 94, "initDurationMs": 549.04}, "status": "timeout"}}), None)
            .unwrap();
        assert_eq!((r.function.name.as_str(), r.function.request_id.as_str()), ("api", "459921b5"));
        let inv = r.invocation.unwrap();
        assert_eq!((inv.billed_ms, inv.status), (Some(2600.0), Some(InvocationStatus::Timeout)));
        f.lambda_json(&json!({"time": "2022-10-21T14:05:06Z", "type": "platform.logsDropped", "record": {"droppedRecords": 7, "droppedBytes": 900, "reason": "buffer full"}}), None).unwrap();
        assert_eq!(f.dropped, 7);
        let app = f
            .lambda_json(&json!({"timestamp": "2022-10-21T14:05:07Z", "level": "ERROR", "message": "boom", "requestId": "459921b5"}), None)
            .unwrap();
        assert_eq!(app.log.unwrap().level, "ERROR");
    }

    #[test]
    fn azure_and_gcp_lines() {
        let mut f = FunctionLog::new(FunctionId { provider: "azure".into(), ..Default::default() });
        let s = f.azure_line("2026-11-30T10:00:00.100Z [Information] Executing 'Functions.HttpTrigger1' (Reason='This function was programmatically called via the host APIs.', Id=f68bfb90-30e4)", None).unwrap();
        assert_eq!(
            (s.kind, s.function.name.as_str(), s.function.request_id.as_str()),
            (EventKind::InvokeStart, "HttpTrigger1", "f68bfb90-30e4")
        );
        let e = f
            .azure_line(
                "2026-11-30T10:00:00.251Z [Information] Executed 'Functions.HttpTrigger1' (Failed, Id=f68bfb90-30e4, Duration=151ms)",
                None,
            )
            .unwrap();
        let inv = e.invocation.unwrap();
        assert_eq!((inv.duration_ms, inv.status), (Some(151.0), Some(InvocationStatus::Failure)));
        let mut g = FunctionLog::new(FunctionId::default());
        let r = g
            .gcp_entry(&json!({"timestamp": "2026-11-30T10:00:00Z", "textPayload": "Function execution took 800 ms, finished with status: 'timeout'", "labels": {"execution_id": "abc123"}, "resource": {"type": "cloud_function", "labels": {"function_name": "resize", "project_id": "acme", "region": "us-central1"}}}))
            .unwrap();
        assert_eq!((r.function.name.as_str(), r.invocation.unwrap().status), ("resize", Some(InvocationStatus::Timeout)));
        assert_eq!(g.gcp_entry(&json!({"textPayload": "x"})).unwrap_err().0, Reason::MissingField);
    }
}
