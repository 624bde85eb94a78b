//! Running under systemd (or anything speaking its protocols): listening sockets passed by
//! socket activation (`LISTEN_FDS`, read with the `listenfd` crate), and state notices on
//! `NOTIFY_SOCKET` (`READY=1` once the ledger is verified and the index built, `RELOADING=1`
//! while a policy reload runs, `STOPPING=1` at shutdown, with the `sd-notify` crate). Without
//! systemd every call here does nothing.

use anyhow::{bail, Context, Result};
use sd_notify::NotifyState;

/// The sockets passed by socket activation: the API's Unix stream socket, and a TCP socket for
/// the read-only listener. Told apart by their type, not their names.
#[derive(Debug, Default)]
pub struct Passed {
    /// The Unix stream socket, if one was passed.
    pub unix: Option<std::os::unix::net::UnixListener>,
    /// The TCP socket, if one was passed.
    pub tcp: Option<std::net::TcpListener>,
}

/// Takes the sockets systemd passed to this process. Call it first thing in `main`, before any
/// thread starts: it clears `LISTEN_PID` and `LISTEN_FDS`. More than one socket of a kind, or a
/// socket of another kind, is an error that names it.
pub fn passed_sockets() -> Result<Passed> {
    let mut fds = listenfd::ListenFd::from_env();
    let mut passed = Passed::default();
    for index in 0..fds.len() {
        let fd = index + 3;
        if let Ok(Some(unix)) = fds.take_unix_listener(index) {
            if passed.unix.replace(unix).is_some() {
                bail!("systemd passed two Unix sockets (fd {fd}); vouchd serves one: list one ListenStream= path in vouchd.socket");
            }
            continue;
        }
        match fds.take_tcp_listener(index) {
            Ok(Some(tcp)) => {
                if passed.tcp.replace(tcp).is_some() {
                    bail!("systemd passed two TCP sockets (fd {fd}); vouchd serves one read-only listener");
                }
            }
            _ => bail!(
                "systemd passed fd {fd}, which is neither a Unix nor a TCP stream socket; vouchd.socket may list only ListenStream= sockets"
            ),
        }
    }
    if let Some(unix) = &passed.unix {
        unix.set_nonblocking(true)
            .context("setting the passed Unix socket non-blocking")?;
    }
    if let Some(tcp) = &passed.tcp {
        tcp.set_nonblocking(true)
            .context("setting the passed TCP socket non-blocking")?;
    }
    Ok(passed)
}

/// Tells the service manager vouchd is ready: the ledger verified, the index built, the
/// sockets listening.
pub fn ready(entries: u64) {
    send(&[
        NotifyState::Ready,
        NotifyState::Status(&format!("serving a ledger of {entries} entries")),
    ]);
}

/// Tells the service manager a policy reload started.
pub fn reloading() {
    // systemd 253 and later expect the monotonic time of the reload with it.
    match NotifyState::monotonic_usec_now() {
        Ok(now) => send(&[NotifyState::Reloading, now]),
        Err(_) => send(&[NotifyState::Reloading]),
    }
}

/// Tells the service manager the reload is over and vouchd is serving.
pub fn reloaded() {
    send(&[NotifyState::Ready]);
}

/// Tells the service manager vouchd is stopping.
pub fn stopping() {
    send(&[
        NotifyState::Stopping,
        NotifyState::Status("finishing requests in flight"),
    ]);
}

fn send(states: &[NotifyState<'_>]) {
    if std::env::var_os("NOTIFY_SOCKET").is_none() {
        return;
    }
    if let Err(e) = sd_notify::notify(false, states) {
        tracing::warn!(error = %e, "could not notify the service manager");
    }
}
