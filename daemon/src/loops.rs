//! Event loops that keep their connections: each is a thread running its own single-threaded
//! runtime, and a connection handed to one is served there until it closes, so its requests
//! never move between threads (the model of nginx's workers and actix-web's).
//!
//! vouchd serves its read-only TCP listener this way (`--tcp-threads`). On the shared
//! multi-threaded runtime one thread waits on the sockets and wakes tasks that another thread
//! may run, so a request's bytes and state move between cores. Measured at 1,000,000 entries on
//! this machine (2 cores, wrk with 8 connections on the same cores, alternate runs): two loops
//! 69,100-78,000 trust queries/s against 60,000-67,700/s on the shared runtime, vouchd's CPU
//! per query 6.2-7.3 µs user against 7.1-9.2 µs; one loop (the default here, see
//! [`crate::default_tcp_threads`]) 81,000-88,000/s.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::runtime::Handle;
use tokio::sync::watch;

/// A set of event loops; dropping it ends them once their tasks are done or dropped.
pub(crate) struct Loops {
    handles: Vec<Handle>,
    next: AtomicUsize,
    stop: watch::Sender<bool>,
}

impl Loops {
    /// Starts `count` loops (at least one).
    pub(crate) fn start(count: usize) -> std::io::Result<Self> {
        let (stop, stopped) = watch::channel(false);
        let mut handles = Vec::new();
        for i in 0..count.max(1) {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            handles.push(runtime.handle().clone());
            let mut stopped = stopped.clone();
            std::thread::Builder::new()
                .name(format!("vouchd-loop-{i}"))
                .spawn(move || {
                    runtime.block_on(async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    });
                })?;
        }
        Ok(Loops {
            handles,
            next: AtomicUsize::new(0),
            stop,
        })
    }

    /// The loop the next connection goes to (in turn, so each holds an equal share).
    pub(crate) fn next(&self) -> &Handle {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.handles.len();
        &self.handles[i]
    }
}

impl Drop for Loops {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// A connection that can be handed to another runtime: taken off this runtime's reactor as
/// the standard type, and registered again with the reactor of the loop that serves it.
pub(crate) trait Movable: Sized + Send + 'static {
    /// The standard library's type.
    type Std: Send + 'static;
    /// Takes the connection off this runtime (it stays non-blocking).
    fn into_std(self) -> std::io::Result<Self::Std>;
    /// Registers it with the current runtime.
    fn from_std(std: Self::Std) -> std::io::Result<Self>;
}

impl Movable for tokio::net::TcpStream {
    type Std = std::net::TcpStream;
    fn into_std(self) -> std::io::Result<Self::Std> {
        tokio::net::TcpStream::into_std(self)
    }
    fn from_std(std: Self::Std) -> std::io::Result<Self> {
        tokio::net::TcpStream::from_std(std)
    }
}

impl Movable for tokio::net::UnixStream {
    type Std = std::os::unix::net::UnixStream;
    fn into_std(self) -> std::io::Result<Self::Std> {
        tokio::net::UnixStream::into_std(self)
    }
    fn from_std(std: Self::Std) -> std::io::Result<Self> {
        tokio::net::UnixStream::from_std(std)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thread_name() -> String {
        std::thread::current()
            .name()
            .unwrap_or_default()
            .to_string()
    }

    #[tokio::test]
    async fn connections_go_to_each_loop_in_turn_and_stay_there() {
        let loops = Loops::start(2).unwrap();
        let mut names = Vec::new();
        for _ in 0..4 {
            let task = loops.next().spawn(async {
                let before = thread_name();
                tokio::task::yield_now().await;
                (before, thread_name())
            });
            let (before, after) = task.await.unwrap();
            assert_eq!(before, after, "a task moved between threads");
            names.push(before);
        }
        assert_eq!(
            names,
            [
                "vouchd-loop-0",
                "vouchd-loop-1",
                "vouchd-loop-0",
                "vouchd-loop-1"
            ]
        );
    }

    #[tokio::test]
    async fn dropping_the_loops_ends_them() {
        let loops = Loops::start(1).unwrap();
        let handle = loops.next().clone();
        let forever = handle.spawn(std::future::pending::<()>());
        drop(loops);
        let ended = tokio::time::timeout(std::time::Duration::from_secs(5), forever).await;
        assert!(ended
            .expect("the loop did not end")
            .unwrap_err()
            .is_cancelled());
    }
}
