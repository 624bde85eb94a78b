//! vouchd: keeps every attestation in the ledger and answers "is this digest trusted?" over
//! HTTP on a Unix socket (and, read-only, on TCP). `main.rs` only parses flags, binds and calls
//! [`run`]; tests call [`run`] the same way.

pub mod api;
pub mod index;
pub mod metrics;
pub mod socket;
pub mod state;
pub mod trust;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use vouch_ledger::{audit, AuditOptions};

pub use state::{Config, State};

/// Serves `state` on `unix` (full API) and `tcp` (read-only) until `shutdown` completes, then
/// stops accepting, lets in-flight requests finish, and flushes the writer. Audits the ledger in
/// the background every `audit_every` (if set), failing closed on any problem.
pub async fn run(
    unix: tokio::net::UnixListener,
    tcp: Option<tokio::net::TcpListener>,
    state: Arc<State>,
    audit_every: Option<Duration>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let wait = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let auditor = audit_every
        .map(|every| tokio::spawn(audit_loop(Arc::clone(&state), every, stopped.clone())));
    let full = axum::serve(unix, api::router(Arc::clone(&state)))
        .with_graceful_shutdown(wait(stopped.clone()));
    let result = match tcp {
        Some(tcp) => {
            let read_only = axum::serve(tcp, api::read_only(Arc::clone(&state)))
                .with_graceful_shutdown(wait(stopped.clone()));
            let (a, b) = tokio::join!(full, read_only);
            a.and(b)
        }
        None => full.await,
    };
    if let Some(auditor) = auditor {
        auditor.abort();
    }
    tracing::info!("stopped accepting; in-flight requests are done");
    result
}

async fn audit_loop(
    state: Arc<State>,
    every: Duration,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
        if state.failure().is_some() {
            continue;
        }
        let db: PathBuf = state.db.clone();
        let keys = state.trusted_keys.clone();
        let log_key = state.log_key.clone();
        let result = tokio::task::spawn_blocking(move || {
            audit(
                &db,
                &AuditOptions {
                    log_key,
                    reviewer_keys: keys,
                    ..AuditOptions::default()
                },
            )
        })
        .await;
        match result {
            Ok(Ok(report)) if report.intact => {
                tracing::info!(entries = report.entries, "background audit passed");
            }
            Ok(Ok(report)) => {
                let problem = report.problem.map(|p| match p.index {
                    Some(i) => format!("entry {i}: {}", p.what),
                    None => p.what,
                });
                state.fail(format!("background audit: {}", problem.unwrap_or_default()));
            }
            Ok(Err(err)) => state.fail(format!("background audit could not run: {err}")),
            Err(err) => state.fail(format!("background audit failed: {err}")),
        }
    }
}
