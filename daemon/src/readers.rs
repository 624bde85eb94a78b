//! The pool of read-only ledger connections. Bounded: each SQLite connection holds three file
//! descriptors (the database, its write-ahead log and the shared-memory index), and one per
//! concurrent read let a burst of ordinary reads use up the process's descriptors, so that the
//! background audit could not open the file. At most [`MAX_READERS`] are open at once; a read
//! that finds none free waits up to [`READ_WAIT`] for one, then is answered 503 (try again). Idle
//! connections stay open for the next read.

use std::path::PathBuf;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use vouch_ledger::{LedgerError, LedgerReader};
use vouch_proto::PublicKey;

/// Read connections open at once: more than the blocking threads that can run reads on this
/// machine's cores, far fewer than the descriptors a service gets (3 each).
pub(crate) const MAX_READERS: usize = 16;

/// How long a read waits for a free connection.
pub(crate) const READ_WAIT: Duration = Duration::from_secs(5);

/// Read connections to one ledger: idle ones, and how many exist.
pub(crate) struct Readers {
    db: PathBuf,
    log_key: Option<PublicKey>,
    max: usize,
    wait: Duration,
    state: Mutex<Pool>,
    freed: Condvar,
}

#[derive(Default)]
struct Pool {
    idle: Vec<LedgerReader>,
    open: usize,
}

impl Readers {
    /// A pool for the ledger at `db`, at most `max` connections, a read waiting at most `wait`
    /// for one.
    pub(crate) fn new(db: PathBuf, log_key: Option<PublicKey>, max: usize, wait: Duration) -> Self {
        Readers {
            db,
            log_key,
            max: max.max(1),
            wait,
            state: Mutex::new(Pool::default()),
            freed: Condvar::new(),
        }
    }

    /// Runs `f` on a connection: an idle one, a new one while fewer than the maximum are open,
    /// else the first one freed within the wait. Blocking.
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&LedgerReader) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        let reader = self.take()?;
        let result = f(&reader);
        let mut pool = self.state.lock().unwrap_or_else(|p| p.into_inner());
        pool.idle.push(reader);
        drop(pool);
        self.freed.notify_one();
        result
    }

    fn take(&self) -> Result<LedgerReader, LedgerError> {
        let deadline = Instant::now() + self.wait;
        let mut pool = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(reader) = pool.idle.pop() {
                return Ok(reader);
            }
            if pool.open < self.max {
                pool.open += 1;
                drop(pool);
                return LedgerReader::open(&self.db, self.log_key.clone()).inspect_err(|_| {
                    self.state.lock().unwrap_or_else(|p| p.into_inner()).open -= 1;
                    self.freed.notify_one();
                });
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(LedgerError::Unavailable(format!(
                    "all {} read connections stayed busy for {} ms",
                    self.max,
                    self.wait.as_millis()
                )));
            }
            pool = self
                .freed
                .wait_timeout(pool, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Closes every idle connection (at shutdown, so that SQLite can fold its log back).
    pub(crate) fn close(&self) {
        let mut pool = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let closed = pool.idle.len();
        pool.idle.clear();
        pool.open -= closed;
    }

    /// How many connections are open (idle or in use).
    #[cfg(test)]
    fn open(&self) -> usize {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).open
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use vouch_ledger::Ledger;

    use super::*;

    fn ledger() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ledger.db");
        drop(Ledger::open(&db, None).unwrap());
        (dir, db)
    }

    #[test]
    fn reads_reuse_the_connections_and_never_open_more_than_the_maximum() {
        let (_dir, db) = ledger();
        let readers = Arc::new(Readers::new(db, None, 3, Duration::from_secs(5)));
        std::thread::scope(|scope| {
            for _ in 0..12 {
                let readers = Arc::clone(&readers);
                scope.spawn(move || {
                    for _ in 0..10 {
                        readers
                            .with(|r| {
                                std::thread::sleep(Duration::from_millis(2));
                                r.view().size()
                            })
                            .unwrap();
                    }
                });
            }
        });
        assert!(readers.open() <= 3, "{}", readers.open());
        readers.close();
        assert_eq!(readers.open(), 0);
    }

    #[test]
    fn a_read_that_finds_every_connection_busy_is_told_to_try_again() {
        let (_dir, db) = ledger();
        let readers = Arc::new(Readers::new(db, None, 1, Duration::from_millis(50)));
        let held = Arc::new(std::sync::Barrier::new(2));
        let release = Arc::new(std::sync::Barrier::new(2));
        std::thread::scope(|scope| {
            let (r, h, l) = (
                Arc::clone(&readers),
                Arc::clone(&held),
                Arc::clone(&release),
            );
            scope.spawn(move || {
                r.with(|reader| {
                    h.wait();
                    l.wait();
                    reader.view().size()
                })
                .unwrap()
            });
            held.wait();
            let err = readers.with(|r| r.view().size()).unwrap_err();
            assert!(matches!(err, LedgerError::Unavailable(_)), "{err}");
            release.wait();
        });
        // Freed again: the next read gets it.
        assert_eq!(readers.with(|r| r.view().size()).unwrap(), 0);
    }
}
