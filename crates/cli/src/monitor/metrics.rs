//! `--metrics ADDR`: counters of every stage in Prometheus' text format at `/metrics`,
//! refreshed by the monitor loop once a second.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context;
use axum::Router;
use axum::routing::get;

/// The latest rendering, shared with the server.
#[derive(Clone, Default)]
pub struct Metrics(Arc<Mutex<String>>);

impl Metrics {
    pub fn set(&self, text: String) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = text;
    }

    fn get(&self) -> String {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Binds `addr` now (so that a bad address fails at start) and serves from a thread.
    pub fn serve(&self, addr: SocketAddr) -> anyhow::Result<SocketAddr> {
        let listener = std::net::TcpListener::bind(addr).with_context(|| format!("--metrics {addr}: cannot listen"))?;
        listener.set_nonblocking(true)?;
        let local = listener.local_addr()?;
        let m = self.clone();
        std::thread::Builder::new().name("fnwarden-metrics".into()).spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => return tracing::error!("metrics endpoint: {e}"),
            };
            rt.block_on(async move {
                let app = Router::new().route(
                    "/metrics",
                    get(move || {
                        let m = m.clone();
                        async move { ([("content-type", "text/plain; version=0.0.4")], m.get()) }
                    }),
                );
                match tokio::net::TcpListener::from_std(listener) {
                    Ok(l) => {
                        if let Err(e) = axum::serve(l, app).await {
                            tracing::error!("metrics endpoint: {e}");
                        }
                    }
                    Err(e) => tracing::error!("metrics endpoint: {e}"),
                }
            });
        })?;
        Ok(local)
    }
}

/// One metric family line set: `# TYPE`, then samples.
pub fn family(out: &mut String, name: &str, kind: &str, help: &str, samples: &[(String, u64)]) {
    use std::fmt::Write;
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
    for (labels, v) in samples {
        if labels.is_empty() {
            let _ = writeln!(out, "{name} {v}");
        } else {
            let _ = writeln!(out, "{name}{{{labels}}} {v}");
        }
    }
}
