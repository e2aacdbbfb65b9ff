//! The AWS Lambda Runtime API (`/2018-06-01/runtime/…`), served by fnwarden itself so that it
//! knows when each invocation starts and ends, and which peer asked for it. Unmodified runtime
//! clients (`awslambdaric`, `aws-lambda-ric`, custom `bootstrap`s) talk to it as to Lambda.
//!
//! Every request is recorded as a [`Call`], answered or refused, because a second poller or a
//! foreign `/response` is itself a finding.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::{Notify, mpsc, oneshot, watch};

/// Largest response or error body a runtime may post: Lambda's 6 MB synchronous payload limit.
pub const MAX_PAYLOAD: usize = 6 * 1024 * 1024;

/// One event handed to the runtime.
#[derive(Clone, Debug, PartialEq)]
pub struct Invocation {
    pub request_id: String,
    pub payload: Vec<u8>,
    /// Epoch milliseconds by which the handler must answer.
    pub deadline_ms: u64,
    pub function_arn: String,
    pub trace_id: String,
    pub client_context: Option<String>,
    pub cognito_identity: Option<String>,
}

/// How the runtime answered an invocation.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Response(Vec<u8>),
    Error { error_type: String, body: Vec<u8> },
}

/// One request the runtime side made, and the status it got.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub peer: SocketAddr,
    pub method: String,
    pub path: String,
    /// The invocation the request was about (handed out by `/next`, or named in the path).
    pub request_id: Option<String>,
    pub status: u16,
    /// For `/next`: polls outstanding when this one arrived, itself included. The runtime
    /// keeps one; a second means another poller is waiting to steal an invocation.
    pub pollers: u32,
    /// The process that made the call, from the [`Resolver`] while the connection was open.
    pub owner: Option<i32>,
}

/// Finds the process (host pid) behind a client address, asked while the connection is open.
pub type Resolver = Arc<dyn Fn(SocketAddr) -> Option<i32> + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("cannot serve the Runtime API on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("the runtime failed to initialise: {0}")]
    InitError(String),
    #[error("the Runtime API server stopped before the invocation was answered")]
    Stopped,
}

struct Pending {
    invocation: Invocation,
    done: oneshot::Sender<Outcome>,
}

struct Shared {
    queue: Mutex<VecDeque<Pending>>,
    ready: Notify,
    inflight: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    answered: Mutex<HashSet<String>>,
    init_error: watch::Sender<Option<String>>,
    calls: mpsc::UnboundedSender<Call>,
    pollers: AtomicU32,
    closed: watch::Sender<bool>,
    resolver: Mutex<Option<Resolver>>,
    /// `/next` polls received so far.
    polls: watch::Sender<u64>,
}

impl Shared {
    fn record(&self, peer: SocketAddr, method: &Method, uri: &Uri, request_id: Option<String>, status: StatusCode) {
        let owner = self.owner(peer);
        let call =
            Call { peer, method: method.to_string(), path: uri.path().to_owned(), request_id, status: status.as_u16(), pollers: 0, owner };
        // The receiver may be gone when nobody monitors; serving goes on.
        let _ = self.calls.send(call);
    }

    fn owner(&self, peer: SocketAddr) -> Option<i32> {
        let resolver = lock(&self.resolver).clone();
        resolver.and_then(|r| r(peer))
    }
}

/// A running Runtime API server. Dropping it leaves the server running until its runtime exits
/// with the process; [`RuntimeApi::invoke`] is how events go in.
#[derive(Clone)]
pub struct RuntimeApi {
    shared: Arc<Shared>,
    pub addr: SocketAddr,
    server: Arc<tokio::task::AbortHandle>,
}

/// Poisoning only means another request panicked mid-update; the maps stay usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl RuntimeApi {
    /// Serves on `addr` (port 0 picks one) and returns the server with a feed of every call.
    pub async fn serve(addr: SocketAddr) -> Result<(RuntimeApi, mpsc::UnboundedReceiver<Call>), ApiError> {
        let listener = std::net::TcpListener::bind(addr).map_err(|source| ApiError::Bind { addr, source })?;
        RuntimeApi::serve_on(listener)
    }

    /// Serves on a listener made elsewhere, e.g. inside the sandbox's network namespace.
    pub fn serve_on(listener: std::net::TcpListener) -> Result<(RuntimeApi, mpsc::UnboundedReceiver<Call>), ApiError> {
        let bind_err = |source| ApiError::Bind { addr: SocketAddr::from(([0, 0, 0, 0], 0)), source };
        let addr = listener.local_addr().map_err(bind_err)?;
        listener.set_nonblocking(true).map_err(|source| ApiError::Bind { addr, source })?;
        let listener = tokio::net::TcpListener::from_std(listener).map_err(|source| ApiError::Bind { addr, source })?;
        let (calls, feed) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            queue: Mutex::new(VecDeque::new()),
            ready: Notify::new(),
            inflight: Mutex::new(HashMap::new()),
            answered: Mutex::new(HashSet::new()),
            init_error: watch::Sender::new(None),
            calls,
            pollers: AtomicU32::new(0),
            closed: watch::Sender::new(false),
            resolver: Mutex::new(None),
            polls: watch::Sender::new(0),
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .route("/2018-06-01/ping", get(ping))
            .fallback(unknown)
            // One byte over the limit, so that an oversized body reaches the handler and gets
            // Lambda's 413 answer.
            .layer(DefaultBodyLimit::max(MAX_PAYLOAD + 1))
            .with_state(Arc::clone(&shared));
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, service).await {
                tracing::error!("Runtime API server stopped: {e}");
            }
        });
        Ok((RuntimeApi { shared, addr, server: Arc::new(server.abort_handle()) }, feed))
    }

    /// Queues an invocation and waits for the runtime's answer.
    /// Forgets every queued and in-flight invocation and any init error: their instance is gone,
    /// and the next one starts clean. Answers that arrive for them later get 400, as unknown ids.
    pub fn cancel_all(&self) {
        lock(&self.shared.queue).clear();
        lock(&self.shared.inflight).clear();
        self.shared.init_error.send_replace(None);
    }

    /// Counts `/next` polls as they arrive: a runtime polling is a runtime ready for work.
    pub fn polls(&self) -> watch::Receiver<u64> {
        self.shared.polls.subscribe()
    }

    /// The error type the runtime reported through `/init/error`, if it did.
    pub fn init_error(&self) -> Option<String> {
        self.shared.init_error.borrow().clone()
    }

    /// Names the process behind each call from now on.
    pub fn set_resolver(&self, resolver: Resolver) {
        *lock(&self.shared.resolver) = Some(resolver);
    }

    /// Stops serving: the listener closes, waiting polls end, and the call feed closes once the
    /// last connection is gone.
    pub fn shutdown(&self) {
        self.cancel_all();
        self.shared.closed.send_replace(true);
        self.server.abort();
    }

    pub async fn invoke(&self, invocation: Invocation) -> Result<Outcome, ApiError> {
        let (done, answer) = oneshot::channel();
        lock(&self.shared.queue).push_back(Pending { invocation, done });
        self.shared.ready.notify_one();
        let mut init = self.shared.init_error.subscribe();
        tokio::select! {
            outcome = answer => outcome.map_err(|_| ApiError::Stopped),
            failed = init.wait_for(Option::is_some) => match failed {
                Ok(e) => Err(ApiError::InitError(e.clone().unwrap_or_default())),
                Err(_) => Err(ApiError::Stopped),
            },
        }
    }
}

type Peer = ConnectInfo<SocketAddr>;

fn refuse(status: StatusCode, error_type: &str, message: &str) -> Response {
    let body = serde_json::json!({"errorType": error_type, "errorMessage": message}).to_string();
    (status, [("content-type", "application/json")], body).into_response()
}

/// Counts a poll while it waits, including when its client goes away mid-wait.
struct Poll<'a>(&'a AtomicU32);

impl Drop for Poll<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn next(State(s): State<Arc<Shared>>, ConnectInfo(peer): Peer, method: Method, uri: Uri) -> Response {
    // Recorded on arrival: a poll that never gets an event still shows who asked.
    let pollers = s.pollers.fetch_add(1, Ordering::SeqCst) + 1;
    s.polls.send_modify(|n| *n += 1);
    let _poll = Poll(&s.pollers);
    let owner = s.owner(peer);
    let call = Call { peer, method: method.to_string(), path: uri.path().to_owned(), request_id: None, status: 200, pollers, owner };
    let _ = s.calls.send(call);
    // Blocks until an event arrives, as Lambda's does; a permit stored by `notify_one` before
    // the wait begins is not lost.
    let mut closed = s.closed.subscribe();
    let pending = loop {
        if let Some(p) = lock(&s.queue).pop_front() {
            break p;
        }
        tokio::select! {
            () = s.ready.notified() => {}
            _ = closed.wait_for(|c| *c) => return refuse(StatusCode::GONE, "Sandbox.Closed", "the sandbox is shutting down"),
        }
    };
    let inv = pending.invocation;
    lock(&s.inflight).insert(inv.request_id.clone(), pending.done);
    let mut headers = HeaderMap::new();
    let mut put = |name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    };
    put("lambda-runtime-aws-request-id", &inv.request_id);
    put("lambda-runtime-deadline-ms", &inv.deadline_ms.to_string());
    put("lambda-runtime-invoked-function-arn", &inv.function_arn);
    put("lambda-runtime-trace-id", &inv.trace_id);
    if let Some(c) = &inv.client_context {
        put("lambda-runtime-client-context", c);
    }
    if let Some(c) = &inv.cognito_identity {
        put("lambda-runtime-cognito-identity", c);
    }
    put("content-type", "application/json");
    (StatusCode::OK, headers, inv.payload).into_response()
}

fn accepted() -> Response {
    (StatusCode::ACCEPTED, [("content-type", "application/json")], r#"{"status":"OK"}"#).into_response()
}

/// The error type a runtime names in its header, or Lambda's default for the endpoint.
fn error_type(headers: &HeaderMap, default: &str) -> String {
    headers.get("lambda-runtime-function-error-type").and_then(|v| v.to_str().ok()).unwrap_or(default).to_owned()
}

/// Hands a runtime's answer to the waiting invocation, with Lambda's refusals.
fn answer(s: &Shared, id: &str, body: Result<Bytes, BytesRejection>, outcome: impl FnOnce(Vec<u8>) -> Outcome) -> Response {
    let body = match body {
        Ok(b) if b.len() <= MAX_PAYLOAD => b,
        _ => {
            let msg = format!("payload larger than the {MAX_PAYLOAD}-byte limit");
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLarge", &msg);
        }
    };
    let Some(done) = lock(&s.inflight).remove(id) else {
        return if lock(&s.answered).contains(id) {
            refuse(StatusCode::FORBIDDEN, "InvalidStateTransition", &format!("invocation {id} was already answered"))
        } else {
            refuse(StatusCode::BAD_REQUEST, "InvalidRequestID", &format!("invalid request id {id}"))
        };
    };
    lock(&s.answered).insert(id.to_owned());
    // The invoker may have given up (timeout); the answer is still accepted, as Lambda does.
    let _ = done.send(outcome(body.to_vec()));
    accepted()
}

async fn response(
    State(s): State<Arc<Shared>>,
    ConnectInfo(peer): Peer,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let r = answer(&s, &id, body, Outcome::Response);
    s.record(peer, &method, &uri, Some(id), r.status());
    r
}

async fn error(
    State(s): State<Arc<Shared>>,
    ConnectInfo(peer): Peer,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let error_type = error_type(&headers, "Unhandled");
    let r = answer(&s, &id, body, |body| Outcome::Error { error_type, body });
    s.record(peer, &method, &uri, Some(id), r.status());
    r
}

async fn init_error(State(s): State<Arc<Shared>>, ConnectInfo(peer): Peer, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    s.init_error.send_replace(Some(error_type(&headers, "Runtime.Unknown")));
    s.record(peer, &method, &uri, None, StatusCode::ACCEPTED);
    accepted()
}

async fn ping(State(s): State<Arc<Shared>>, ConnectInfo(peer): Peer, method: Method, uri: Uri) -> Response {
    s.record(peer, &method, &uri, None, StatusCode::OK);
    (StatusCode::OK, "pong").into_response()
}

async fn unknown(State(s): State<Arc<Shared>>, ConnectInfo(peer): Peer, method: Method, uri: Uri) -> Response {
    s.record(peer, &method, &uri, None, StatusCode::NOT_FOUND);
    refuse(StatusCode::NOT_FOUND, "NotFound", "no such Runtime API route")
}
