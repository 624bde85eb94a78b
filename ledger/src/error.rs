//! The ledger's errors.

use std::sync::Arc;

use thiserror::Error;

/// What can go wrong opening, writing or reading a ledger. Cloneable, so that one failed group
/// commit can be reported to every writer waiting on it.
#[derive(Debug, Clone, Error)]
pub enum LedgerError {
    /// SQLite failed (I/O, a full disk, a locked or corrupt file); the source says which.
    #[error("ledger database {path}: {source}")]
    Database {
        /// The database file.
        path: String,
        /// What SQLite said (shared, so that one failed group commit reaches every waiter).
        source: Arc<rusqlite::Error>,
    },
    /// Something around the database failed: a directory, the lock file, the writer thread.
    #[error("ledger {path}: {message}")]
    Setup {
        /// The database file.
        path: String,
        /// What failed.
        message: String,
    },
    /// The log key is missing, unreadable or not the one the ledger was created with.
    #[error("log key {path}: {message}")]
    LogKey {
        /// The key file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The stored tree disagrees with the latest signed checkpoint: the ledger was changed
    /// outside Vouch. Nothing is served from it until an audit explains what happened.
    #[error(
        "ledger {path} failed its integrity check: {message}; run `vouch log verify --db {path}`"
    )]
    Integrity {
        /// The database file.
        path: String,
        /// What disagrees.
        message: String,
    },
    /// A request the ledger cannot answer (an index or size beyond the tree).
    #[error("{0}")]
    OutOfRange(String),
    /// The file is not a Vouch ledger.
    #[error("{path} is not a Vouch ledger: {message}")]
    NotALedger {
        /// The database file.
        path: String,
        /// Why not.
        message: String,
    },
    /// Another process holds the ledger open for writing.
    #[error("ledger {path} is open for writing by another process (it holds {lock}): stop that vouchd first, or give this one another --db")]
    Busy {
        /// The database file.
        path: String,
        /// The lock file.
        lock: String,
    },
    /// The group committer has stopped.
    #[error("the ledger writer has stopped")]
    Stopped,
    /// The ledger cannot take this request now (every read connection busy); try again.
    #[error("the ledger is busy: {0}; try again")]
    Unavailable(String),
}

/// Wraps SQLite errors with the database path.
pub(crate) trait DbContext<T> {
    fn db(self, path: &str) -> Result<T, LedgerError>;
}

impl<T> DbContext<T> for Result<T, rusqlite::Error> {
    fn db(self, path: &str) -> Result<T, LedgerError> {
        self.map_err(|e| LedgerError::Database {
            path: path.to_string(),
            source: Arc::new(e),
        })
    }
}

impl LedgerError {
    /// Whether SQLite said the database is busy or locked (another connection holds it):
    /// worth retrying, not evidence of damage.
    pub fn is_busy(&self) -> bool {
        self.sqlite_code().is_some_and(|code| {
            matches!(
                code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            )
        })
    }

    /// Whether SQLite said the disk is full.
    pub fn is_disk_full(&self) -> bool {
        self.sqlite_code() == Some(rusqlite::ErrorCode::DiskFull)
    }

    fn sqlite_code(&self) -> Option<rusqlite::ErrorCode> {
        match self {
            LedgerError::Database { source, .. } => source.sqlite_error_code(),
            _ => None,
        }
    }
}
