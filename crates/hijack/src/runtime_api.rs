//! Function code that talks to the Lambda Runtime API (or the Extensions, Logs, Telemetry APIs)
//! or rewrites its address. A handler has no reason to: the runtime polls and answers for it.

use crate::catalogue::RUNTIME_API;
use crate::findings::{Findings, scan_values};
use crate::fold::{RUNTIME_API as MARK, RUNTIME_API_VAR};
use crate::paths::{lambda_api, show};
use crate::syntax::{Call, Syntax};

pub(crate) fn check(s: &Syntax<'_>, out: &mut Findings) {
    scan_values(s, out, &RUNTIME_API, |v, call| {
        let verb = if call.is_some() { "sends a request to" } else { "builds a URL for" };
        if let Some(api) = lambda_api(&v.text) {
            return Some(format!("{verb} the Lambda {api}: {}", show(&v.text)));
        }
        if !v.has_runtime_api() {
            return None;
        }
        // The bare address only counts when handed to something that connects.
        let more_than_address = v.text.chars().any(|c| c != MARK);
        let connects = call.is_some_and(connects);
        (more_than_address || connects).then(|| format!("{verb} the Lambda Runtime API address: {}", show(&v.text)))
    });
    rewrites(s, out);
}

/// Calls that open a connection or send a request to the address they are given.
fn connects(call: &Call<'_>) -> bool {
    let m = call.method();
    matches!(
        m,
        "HTTPConnection"
            | "HTTPSConnection"
            | "create_connection"
            | "connect"
            | "urlopen"
            | "Request"
            | "request"
            | "get"
            | "post"
            | "put"
            | "fetch"
            | "Dial"
            | "DialTimeout"
            | "NewRequest"
            | "NewRequestWithContext"
            | "Get"
            | "Post"
            | "create"
            | "URL"
            | "URI"
            | "createConnection"
            | "Socket"
    ) || call.callee.starts_with("axios")
        || call.callee.starts_with("got")
}

/// `os.environ['AWS_LAMBDA_RUNTIME_API'] = …`, `process.env.AWS_LAMBDA_RUNTIME_API = …`,
/// `os.Setenv("AWS_LAMBDA_RUNTIME_API", …)`, `os.putenv(…)`: points the runtime somewhere else.
fn rewrites(s: &Syntax<'_>, out: &mut Findings) {
    for a in &s.assigns {
        if a.value.is_some() && s.env_var_name(a.target).as_deref() == Some(RUNTIME_API_VAR) {
            let msg = "rewrites AWS_LAMBDA_RUNTIME_API, redirecting the runtime's event loop".to_owned();
            out.add(s, &RUNTIME_API, a.node, msg, &[]);
        }
    }
    for call in &s.calls {
        let sets = call.is(&["os.Setenv", "os.putenv", "os.environ.setdefault", "os.environ.__setitem__", "syscall.Setenv"]);
        if sets && call.args.first().and_then(|a| s.plain_literal(*a)).as_deref() == Some(RUNTIME_API_VAR) {
            let msg = format!("rewrites AWS_LAMBDA_RUNTIME_API ({}), redirecting the runtime's event loop", call.callee);
            out.add(s, &RUNTIME_API, call.node, msg, &[]);
        }
    }
}
