//! The ledger's errors.

use thiserror::Error;

/// What can go wrong opening, writing or reading a ledger. Cloneable, so that one failed group
/// commit can be reported to every writer waiting on it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LedgerError {
    /// SQLite failed (I/O, a full disk, a locked or corrupt file).
    #[error("ledger database {path}: {message}")]
    Database {
        /// The database file.
        path: String,
        /// What SQLite said.
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
}

/// Wraps SQLite errors with the database path.
pub(crate) trait DbContext<T> {
    fn db(self, path: &str) -> Result<T, LedgerError>;
}

impl<T> DbContext<T> for Result<T, rusqlite::Error> {
    fn db(self, path: &str) -> Result<T, LedgerError> {
        self.map_err(|e| LedgerError::Database {
            path: path.to_string(),
            message: e.to_string(),
        })
    }
}
