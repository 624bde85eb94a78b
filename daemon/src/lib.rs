//! vouchd: keeps every attestation in the ledger and answers "is this digest trusted?" over
//! HTTP on a Unix socket (and, read-only, on TCP). `main.rs` only parses flags, binds and calls
//! [`run`]; tests call [`run`] the same way.

pub mod api;
mod authorize;
mod import;
mod loops;
pub(crate) mod metrics;
mod readers;
pub mod reload;
mod saved;
pub mod serve;
pub mod socket;
pub mod state;
mod submit;
pub mod systemd;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use vouch_ledger::{audit, AuditOptions};

pub use serve::Limits;
pub use state::{Config, State};

/// How `run` serves: the background audit's interval and each listener's bounds.
#[derive(Clone, Copy, Debug)]
pub struct Serving {
    /// Audit the whole ledger this often (`None`: never); any problem makes vouchd fail closed.
    pub audit_every: Option<Duration>,
    /// The Unix socket's bounds.
    pub unix: Limits,
    /// The read-only TCP listener's bounds.
    pub tcp: Limits,
    /// Threads answering the TCP listener (see [`loops`]).
    pub tcp_threads: usize,
}

/// The threads answering the TCP listener when the configuration does not say: half the
/// cores, at least one. On this machine (2 cores, the load tool on the same cores) one thread
/// answered 81,000-88,000 trust queries/s at 8 connections with p99 0.18-0.46 ms; two answered
/// 74,000-80,000/s with p99 up to 3 ms, each competing with the clients for a core.
pub fn default_tcp_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get() / 2)
        .max(1)
}

/// Serves `state` on `unix` (full API) and `tcp` (read-only) until `shutdown` completes, then
/// stops accepting, lets in-flight requests finish (within the grace period), and returns; the
/// caller closes the ledger. Audits the ledger in the background as `serving` says.
pub async fn run(
    unix: tokio::net::UnixListener,
    tcp: Option<tokio::net::TcpListener>,
    state: Arc<State>,
    serving: Serving,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    if !state.index.is_warm() {
        let warming = Arc::clone(&state);
        tokio::task::spawn_blocking(move || warming.warm());
    }
    let auditor = serving
        .audit_every
        .map(|every| tokio::spawn(audit_loop(Arc::clone(&state), every, stopped.clone())));
    let full = serve::serve(
        unix,
        api::router(Arc::clone(&state)),
        serving.unix,
        "unix",
        None,
        stopped.clone(),
    );
    match tcp {
        Some(tcp) => {
            let loops = loops::Loops::start(serving.tcp_threads)?;
            let read_only = serve::serve(
                tcp,
                api::read_only(Arc::clone(&state)),
                serving.tcp,
                "tcp",
                Some(loops),
                stopped.clone(),
            );
            tokio::join!(full, read_only);
        }
        None => full.await,
    }
    if let Some(auditor) = auditor {
        auditor.abort();
    }
    tracing::info!("stopped accepting; in-flight requests are done");
    Ok(())
}

/// How soon a background audit that could not run is tried again (at most the interval).
const AUDIT_RETRY: Duration = Duration::from_secs(10);

async fn audit_loop(
    state: Arc<State>,
    every: Duration,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    let mut wait = every;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
        wait = every;
        if state.failure().is_some() {
            continue;
        }
        let db: PathBuf = state.db.clone();
        let keys = state.keys().to_vec();
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
                state.metrics.audit_passed();
                tracing::info!(entries = report.entries, "background audit passed");
            }
            Ok(Ok(report)) => {
                let problem = report.problem.map(|p| p.to_string()).unwrap_or_default();
                state.fail(format!("background audit: {problem}"));
            }
            // Not running is not a finding: the answers still come from the verified index.
            // Say so, count it, and try again soon (a burst of clients may have held every
            // file descriptor); only tampering found makes vouchd fail closed.
            Ok(Err(err)) => {
                state.metrics.audit_error();
                tracing::warn!(error = %err, retry_in_s = AUDIT_RETRY.min(every).as_secs(), "background audit could not run; retrying");
                wait = AUDIT_RETRY.min(every);
            }
            Err(err) => {
                state.metrics.audit_error();
                tracing::warn!(error = %err, retry_in_s = AUDIT_RETRY.min(every).as_secs(), "background audit stopped before its end; retrying");
                wait = AUDIT_RETRY.min(every);
            }
        }
    }
}
