//! The built-in bootstraps run real handlers in real Python and Node.js processes, served by the
//! Runtime API over loopback: warm invocations, handler errors and import failures.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use fnwarden_sandbox::{ApiError, Canaries, Function, Invocation, Outcome, Runtime, RuntimeApi, lambda_env};
use tokio::process::{Child, Command};

fn inv(id: &str, n: i64) -> Invocation {
    Invocation {
        request_id: id.into(),
        payload: format!(r#"{{"n":{n}}}"#).into_bytes(),
        deadline_ms: 4_000_000_000_000,
        function_arn: "arn:aws:lambda:us-east-1:123456789012:function:f".into(),
        trace_id: "Root=1-00000000-000000000000000000000000".into(),
        client_context: None,
        cognito_identity: None,
    }
}

/// Starts the Runtime API and the bootstrap for `handler` in the fixture directory, with
/// Lambda's environment and fresh canary credentials.
async fn start(runtime: Runtime, dir: &str, handler: &str) -> (RuntimeApi, Child, Canaries) {
    let (api, _calls) = RuntimeApi::serve(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("serves on loopback");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(dir);
    let f = Function {
        name: "f".into(),
        version: "$LATEST".into(),
        region: "us-east-1".into(),
        memory_mb: 128,
        handler: handler.into(),
        runtime: match runtime {
            Runtime::Python => "python3.11",
            Runtime::Node => "nodejs20.x",
            Runtime::Provided => "provided.al2023",
        }
        .into(),
    };
    let canaries = Canaries::new().expect("random canaries");
    let (program, args) = runtime.command(&root);
    let child = Command::new(&program)
        .args(args)
        .env_clear()
        .envs(lambda_env(&f, &api.addr.to_string(), &canaries))
        // The host's interpreters live outside Lambda's /var/lang, and the code outside /var/task.
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LAMBDA_TASK_ROOT", &root)
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    (api, child, canaries)
}

async fn invoke(api: &RuntimeApi, i: Invocation) -> Result<Outcome, ApiError> {
    tokio::time::timeout(Duration::from_secs(30), api.invoke(i)).await.expect("the runtime answers within 30 s")
}

fn json(o: Outcome) -> serde_json::Value {
    match o {
        Outcome::Response(b) => serde_json::from_slice(&b).expect("JSON response"),
        other => panic!("expected a response, got {other:?}"),
    }
}

async fn warm_invocations_reuse_one_process(runtime: Runtime, dir: &str, handler: &str) {
    let (api, _child, canaries) = start(runtime, dir, handler).await;
    let first = json(invoke(&api, inv("r-1", 21)).await.unwrap());
    assert_eq!(first["function"], "f");
    assert_eq!(first["key"].as_str(), Some(canaries.aws_access_key_id.as_str()), "the handler sees the canary credentials");
    let second = json(invoke(&api, inv("r-2", 50)).await.unwrap());
    assert_eq!(first["doubled"], 42);
    assert_eq!(first["request_id"], "r-1");
    assert_eq!(first["has_time"], true);
    assert_eq!(second["doubled"], 100);
    assert_eq!(second["warm_calls"], 2, "module state survives between warm invocations");
    assert_eq!(first["pid"], second["pid"]);
}

#[tokio::test]
async fn python_handlers_run_warm() {
    warm_invocations_reuse_one_process(Runtime::Python, "python", "app.handler").await;
}

#[tokio::test]
async fn node_esm_handlers_run_warm() {
    warm_invocations_reuse_one_process(Runtime::Node, "node", "app.handler").await;
}

#[tokio::test]
async fn a_custom_bootstrap_executable_runs_as_the_runtime() {
    let (api, _child, _) = start(Runtime::Provided, "provided", "ignored.by.this.bootstrap").await;
    for (i, n) in [(1, 5), (2, 6)] {
        let v = json(invoke(&api, inv(&format!("b-{i}"), n)).await.unwrap());
        assert_eq!((v["doubled"].as_i64(), v["request_id"].as_str()), (Some(n * 2), Some(format!("b-{i}").as_str())));
    }
}

#[tokio::test]
async fn node_callback_handlers_answer() {
    let (api, _child, _) = start(Runtime::Node, "node", "cb.handler").await;
    let v = json(invoke(&api, inv("cb-1", 4)).await.unwrap());
    assert_eq!((v["doubled"].as_i64(), v["request_id"].as_str()), (Some(8), Some("cb-1")));
}

#[tokio::test]
async fn handler_errors_come_back_as_errors_and_the_runtime_goes_on() {
    for (runtime, dir, error_type) in [(Runtime::Python, "python", "ValueError"), (Runtime::Node, "node", "TypeError")] {
        let (api, _child, _) = start(runtime, dir, "app.fails").await;
        for id in ["e-1", "e-2"] {
            match invoke(&api, inv(id, 1)).await.unwrap() {
                Outcome::Error { error_type: header, body } => {
                    assert_eq!(header, "Unhandled");
                    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    assert_eq!(v["errorType"], error_type, "{v}");
                    assert!(v["errorMessage"].as_str().unwrap_or("").contains("bad input"), "{v}");
                }
                other => panic!("{runtime:?}: expected an error, got {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn an_unserialisable_python_result_is_an_error_not_a_crash() {
    let (api, _child, _) = start(Runtime::Python, "python", "app.unserialisable").await;
    for id in ["u-1", "u-2"] {
        let out = invoke(&api, inv(id, 1)).await.unwrap();
        assert!(matches!(out, Outcome::Error { .. }), "{out:?}");
    }
}

#[tokio::test]
async fn a_missing_module_is_an_init_error() {
    for (runtime, dir) in [(Runtime::Python, "python"), (Runtime::Node, "node")] {
        let (api, mut child, _) = start(runtime, dir, "nosuch.handler").await;
        match invoke(&api, inv("i-1", 1)).await {
            Err(ApiError::InitError(t)) => assert_eq!(t, "Runtime.ImportModuleError", "{runtime:?}"),
            other => panic!("{runtime:?}: expected an init error, got {other:?}"),
        }
        let status = tokio::time::timeout(Duration::from_secs(10), child.wait()).await.expect("the bootstrap exits").unwrap();
        assert!(!status.success());
    }
}

/// AWS's own Python runtime interface client, unmodified, against fnwarden's Runtime API.
/// `bash .ci/setup` installs it (`pip install awslambdaric`).
#[tokio::test]
async fn the_official_python_runtime_client_is_served() {
    let found = Command::new("python3").args(["-c", "import awslambdaric"]).status().await.expect("python3 runs");
    assert!(found.success(), "awslambdaric is not installed: run `bash .ci/setup` (or `pip install awslambdaric`)");
    let (api, _calls) = RuntimeApi::serve(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("serves on loopback");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/python");
    let _child = Command::new("python3")
        .args(["-m", "awslambdaric", "app.handler"])
        .current_dir(&root)
        .env("AWS_LAMBDA_RUNTIME_API", api.addr.to_string())
        .env("LAMBDA_TASK_ROOT", &root)
        .env("AWS_LAMBDA_FUNCTION_NAME", "f")
        .kill_on_drop(true)
        .spawn()
        .expect("python3 runs");
    for (i, n) in [(1, 3), (2, 4)] {
        let out = tokio::time::timeout(Duration::from_secs(60), api.invoke(inv(&format!("ric-{i}"), n)))
            .await
            .expect("awslambdaric answers within 60 s")
            .unwrap();
        let v = json(out);
        assert_eq!(v["doubled"], n * 2);
        assert_eq!(v["request_id"], format!("ric-{i}"));
        assert_eq!(v["warm_calls"], i);
    }
}
