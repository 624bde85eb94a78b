//! Serving one listener with bounds a slow or hostile client cannot get around: a cap on open
//! connections (per listener, so a saturated TCP side never starves the Unix socket), a deadline
//! for request headers (idle keep-alive included), a bound on each connection's lifetime, and a
//! deadline for in-flight requests at shutdown. Request bodies and handlers are bounded by the
//! router's own timeout (see `api`).
//!
//! axum's `serve` has none of these knobs, so connections are driven here with hyper's HTTP/1
//! builder, which has the header timeout.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::loops::{Loops, Movable};

/// The bounds of one listener.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections open at once; one more is closed as soon as it is accepted.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers, or stay idle between requests.
    pub header_timeout: Duration,
    /// How long one connection may stay open, however busy; then it is closed after its
    /// current request.
    pub max_lifetime: Duration,
    /// How long in-flight requests may run after shutdown begins; then they are dropped.
    pub shutdown_grace: Duration,
}

impl Limits {
    /// The defaults for the Unix socket: room for many local clients.
    pub const UNIX: Limits = Limits {
        max_connections: 512,
        header_timeout: Duration::from_secs(10),
        max_lifetime: Duration::from_secs(300),
        shutdown_grace: Duration::from_secs(10),
    };

    /// The defaults for the read-only TCP listener: fewer, so it cannot use up the process's
    /// file descriptors.
    pub const TCP: Limits = Limits {
        max_connections: 256,
        ..Limits::UNIX
    };
}

/// Accepts connections on `listener` and serves `app` on each until `stopped` turns true;
/// then stops accepting, asks every connection to finish its request, and waits at most
/// `limits.shutdown_grace` for them. With `loops`, each connection is served on one of them
/// (see [`crate::loops`]); without, on the caller's runtime.
pub(crate) async fn serve<L>(
    mut listener: L,
    app: Router,
    limits: Limits,
    what: &'static str,
    loops: Option<Loops>,
    mut stopped: watch::Receiver<bool>,
) where
    L: axum::serve::Listener,
    L::Io: Movable,
{
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let mut connections = JoinSet::new();
    loop {
        let io = tokio::select! {
            (io, _) = listener.accept() => io,
            _ = stopped.wait_for(|stop| *stop) => break,
        };
        while connections.try_join_next().is_some() {}
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            tracing::warn!(
                listener = what,
                max = limits.max_connections,
                "too many connections; closing a new one"
            );
            drop(io);
            continue;
        };
        let service = TowerToHyperService::new(app.clone());
        let stop = stopped.clone();
        let Some(loops) = &loops else {
            connections.spawn(async move {
                serve_connection(TokioIo::new(io), service, limits, stop).await;
                drop(permit);
            });
            continue;
        };
        let moved = match io.into_std() {
            Ok(moved) => moved,
            Err(err) => {
                tracing::warn!(listener = what, error = %err, "could not hand a connection to an event loop");
                continue;
            }
        };
        let serve_there = async move {
            match L::Io::from_std(moved) {
                Ok(io) => serve_connection(TokioIo::new(io), service, limits, stop).await,
                Err(err) => {
                    tracing::warn!(listener = what, error = %err, "an event loop could not take a connection")
                }
            }
            drop(permit);
        };
        connections.spawn_on(serve_there, loops.next());
    }
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            listener = what,
            open = connections.len(),
            "in-flight requests did not finish in time; closing them"
        );
        connections.abort_all();
    }
}

async fn serve_connection<I>(
    io: TokioIo<I>,
    service: TowerToHyperService<Router>,
    limits: Limits,
    mut stopped: watch::Receiver<bool>,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    let lifetime = tokio::time::sleep(limits.max_lifetime);
    tokio::pin!(lifetime);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(err) = result {
                tracing::debug!(error = %err, "connection ended with an error");
            }
            return;
        }
        _ = stopped.wait_for(|stop| *stop) => {}
        _ = &mut lifetime => {}
    }
    connection.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(limits.shutdown_grace, connection).await;
}
