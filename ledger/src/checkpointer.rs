//! WAL checkpoints off the commit path. SQLite folds its write-ahead log back into the database
//! file from inside whichever commit crosses 1,000 pages, so that commit (and every append
//! waiting behind it) waits for the copy and its fsync. While the group committer owns the
//! ledger, its connection does not checkpoint; this thread does, every 100 ms, with its own
//! connection and a PASSIVE checkpoint, which never blocks the writer. (Under steady load a
//! reader is nearly always inside the log, so the writer does not start it over until the load
//! pauses; a RESTART checkpoint would force it, but holds every append for the copy and an
//! fsync of the database file, 50 to 100 ms here, so the log is left to grow meanwhile, as it
//! did when the writer checkpointed itself.)

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use rusqlite::Connection;

/// How often the log is folded back.
const EVERY: Duration = Duration::from_millis(100);

/// Runs checkpoints on the database at `path` until `stop` is dropped or signalled.
pub(crate) fn run(path: PathBuf, stop: &Receiver<()>) {
    let conn = match Connection::open(&path) {
        Ok(conn) => conn,
        Err(e) => {
            tracing::warn!(error = %e, "no checkpointer connection; commits fold the log back themselves");
            return;
        }
    };
    loop {
        match stop.recv_timeout(EVERY) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
        checkpoint(&conn, "PASSIVE");
    }
}

/// Runs one checkpoint of `mode`; the log's length in frames, if it ran.
fn checkpoint(conn: &Connection, mode: &str) -> Option<i64> {
    let sql = format!("PRAGMA wal_checkpoint({mode})");
    match conn.query_row(&sql, [], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    }) {
        Ok((busy, log, done)) => {
            tracing::trace!(mode, busy, log, done, "checkpoint");
            Some(log)
        }
        Err(e) => {
            tracing::debug!(mode, error = %e, "checkpoint skipped");
            None
        }
    }
}
