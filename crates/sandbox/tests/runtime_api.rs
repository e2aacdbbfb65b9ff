//! The Runtime API over real HTTP on loopback: the status codes and headers runtime clients rely
//! on, and a real Python runtime loop served end to end.

use std::net::SocketAddr;
use std::time::Duration;

use fnwarden_sandbox::{ApiError, Call, Invocation, Outcome, RuntimeApi};
use tokio::sync::mpsc::UnboundedReceiver;

fn inv(id: &str, payload: &str) -> Invocation {
    Invocation {
        request_id: id.into(),
        payload: payload.as_bytes().to_vec(),
        deadline_ms: 1_900_000_000_000,
        function_arn: "arn:aws:lambda:us-east-1:123456789012:function:f".into(),
        trace_id: "Root=1-5e1b4151-5ac6c58f5b5daa6532e4f2e8".into(),
        client_context: None,
        cognito_identity: None,
    }
}

async fn server() -> (RuntimeApi, UnboundedReceiver<Call>, String) {
    let (api, calls) = RuntimeApi::serve(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("serves on loopback");
    let base = format!("http://{}/2018-06-01/runtime", api.addr);
    (api, calls, base)
}

/// A client that never goes through a proxy, whatever the environment says: every request here
/// is to loopback.
fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().expect("client builds")
}

async fn get(url: String) -> reqwest::Response {
    client().get(url).send().await.expect("request sent")
}

async fn post(url: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let mut req = client().post(url).body(body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.expect("request sent");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body read");
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

#[tokio::test]
async fn next_hands_out_the_event_and_response_completes_it() {
    let (api, mut calls, base) = server().await;
    let invoker = tokio::spawn({
        let api = api.clone();
        async move { api.invoke(inv("req-1", r#"{"n":1}"#)).await }
    });
    let r = get(format!("{base}/invocation/next")).await;
    assert_eq!(r.status(), 200);
    let h = r.headers();
    assert_eq!(h["lambda-runtime-aws-request-id"], "req-1");
    assert_eq!(h["lambda-runtime-deadline-ms"], "1900000000000");
    assert_eq!(h["lambda-runtime-invoked-function-arn"], "arn:aws:lambda:us-east-1:123456789012:function:f");
    assert_eq!(h["lambda-runtime-trace-id"], "Root=1-5e1b4151-5ac6c58f5b5daa6532e4f2e8");
    assert_eq!(r.text().await.unwrap(), r#"{"n":1}"#);

    let (status, body) = post(&format!("{base}/invocation/req-1/response"), b"\"done\"".to_vec(), &[]).await;
    assert_eq!((status, body["status"].as_str()), (202, Some("OK")));
    assert_eq!(invoker.await.unwrap().unwrap(), Outcome::Response(b"\"done\"".to_vec()));

    let next = calls.recv().await.unwrap();
    assert_eq!((next.method.as_str(), next.path.as_str(), next.status), ("GET", "/2018-06-01/runtime/invocation/next", 200));
    assert_eq!((next.request_id.as_deref(), next.pollers), (None, 1));
    assert!(next.peer.ip().is_loopback());
    let resp = calls.recv().await.unwrap();
    assert_eq!((resp.path.as_str(), resp.status), ("/2018-06-01/runtime/invocation/req-1/response", 202));
}

#[tokio::test]
async fn errors_carry_their_type_and_wrong_ids_are_refused_like_lambda() {
    let (api, mut calls, base) = server().await;
    let invoker = tokio::spawn({
        let api = api.clone();
        async move { api.invoke(inv("req-2", "{}")).await }
    });
    get(format!("{base}/invocation/next")).await;

    let (status, body) = post(&format!("{base}/invocation/nope/response"), b"x".to_vec(), &[]).await;
    assert_eq!((status, body["errorType"].as_str()), (400, Some("InvalidRequestID")));

    let err = br#"{"errorMessage":"boom","errorType":"ValueError"}"#.to_vec();
    let (status, _) =
        post(&format!("{base}/invocation/req-2/error"), err.clone(), &[("Lambda-Runtime-Function-Error-Type", "Unhandled")]).await;
    assert_eq!(status, 202);
    assert_eq!(invoker.await.unwrap().unwrap(), Outcome::Error { error_type: "Unhandled".into(), body: err });

    // Answering twice is a state transition Lambda forbids.
    let (status, body) = post(&format!("{base}/invocation/req-2/response"), b"late".to_vec(), &[]).await;
    assert_eq!((status, body["errorType"].as_str()), (403, Some("InvalidStateTransition")));

    let statuses: Vec<u16> = std::iter::from_fn(|| calls.try_recv().ok()).map(|c| c.status).collect();
    assert_eq!(statuses, [200, 400, 202, 403], "every call is recorded, refused ones too");
}

#[tokio::test]
async fn oversized_answers_get_413_and_the_invocation_stays_open() {
    let (api, _calls, base) = server().await;
    let invoker = tokio::spawn({
        let api = api.clone();
        async move { api.invoke(inv("req-3", "{}")).await }
    });
    get(format!("{base}/invocation/next")).await;
    let big = vec![b'a'; fnwarden_sandbox::runtime_api::MAX_PAYLOAD + 1];
    let (status, body) = post(&format!("{base}/invocation/req-3/response"), big, &[]).await;
    assert_eq!((status, body["errorType"].as_str()), (413, Some("RequestEntityTooLarge")));
    let (status, _) = post(&format!("{base}/invocation/req-3/response"), b"ok".to_vec(), &[]).await;
    assert_eq!(status, 202);
    assert_eq!(invoker.await.unwrap().unwrap(), Outcome::Response(b"ok".to_vec()));
}

#[tokio::test]
async fn an_init_error_fails_the_waiting_invocation() {
    let (api, _calls, base) = server().await;
    let invoker = tokio::spawn({
        let api = api.clone();
        async move { api.invoke(inv("req-4", "{}")).await }
    });
    let (status, _) =
        post(&format!("{base}/init/error"), b"{}".to_vec(), &[("Lambda-Runtime-Function-Error-Type", "Runtime.ImportModuleError")]).await;
    assert_eq!(status, 202);
    match invoker.await.unwrap() {
        Err(ApiError::InitError(t)) => assert_eq!(t, "Runtime.ImportModuleError"),
        other => panic!("expected an init error, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_routes_are_refused_and_recorded() {
    let (_api, mut calls, base) = server().await;
    let r = get(format!("{base}/invocation/next/../../steal")).await;
    assert_eq!(r.status(), 404);
    let call = calls.recv().await.unwrap();
    assert_eq!(call.status, 404);
}

/// A real Python runtime loop (the custom `bootstrap` fixture, written with the standard library)
/// polls, handles two warm invocations and answers each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_python_runtime_loop_is_served() {
    let (api, mut calls, _base) = server().await;
    let bootstrap = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/provided/bootstrap");
    let mut child = tokio::process::Command::new(bootstrap)
        .env("AWS_LAMBDA_RUNTIME_API", api.addr.to_string())
        .kill_on_drop(true)
        .spawn()
        .expect("the bootstrap runs under python3");
    for (i, n) in [(1, 21), (2, 50)] {
        let out = tokio::time::timeout(Duration::from_secs(30), api.invoke(inv(&format!("py-{i}"), &format!(r#"{{"n":{n}}}"#))))
            .await
            .expect("the runtime answers in time")
            .unwrap();
        let Outcome::Response(body) = out else { panic!("expected a response, got {out:?}") };
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["doubled"], n * 2);
    }
    // The loop waits for a third event; a poll is recorded when it arrives, one at a time.
    let mut polls: Vec<Call> = Vec::new();
    while polls.len() < 3 {
        let Ok(Some(c)) = tokio::time::timeout(Duration::from_secs(10), calls.recv()).await else { break };
        if c.path.ends_with("/next") {
            polls.push(c);
        }
    }
    child.kill().await.expect("the bootstrap stops");
    assert_eq!(polls.len(), 3, "one poll per warm invocation, and the one waiting for a third");
    assert!(polls.iter().all(|p| p.pollers == 1), "the runtime never polls twice at once: {polls:?}");
}
