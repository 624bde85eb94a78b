//! The Merkle tree's stored hashes in SQLite, read through tlog_tiles' `HashReader`.

use std::cell::RefCell;

use rusqlite::{Connection, OptionalExtension};
use tlog_tiles::{Hash, HashReader};

/// Reads stored hashes from the `tree_hashes` table, plus hashes computed in the current
/// batch that are not written yet (ids from `pending_base` on).
pub struct SqlHashes<'a> {
    conn: &'a Connection,
    pending_base: u64,
    pending: &'a [Hash],
    failure: RefCell<Option<String>>,
}

impl<'a> SqlHashes<'a> {
    /// A reader over the table alone.
    pub fn new(conn: &'a Connection) -> Self {
        Self::with_pending(conn, u64::MAX, &[])
    }

    /// A reader that also sees `pending`, the hashes with ids `pending_base..`.
    pub fn with_pending(conn: &'a Connection, pending_base: u64, pending: &'a [Hash]) -> Self {
        SqlHashes {
            conn,
            pending_base,
            pending,
            failure: RefCell::new(None),
        }
    }

    /// The SQLite error behind the last failed read, if any (tlog_tiles' error type has no room
    /// for it).
    pub fn failure(&self) -> Option<String> {
        self.failure.borrow().clone()
    }
}

impl HashReader for SqlHashes<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT hash FROM tree_hashes WHERE id = ?1")
            .map_err(|e| self.fail(e.to_string()))?;
        indexes
            .iter()
            .map(|&id| {
                if id >= self.pending_base {
                    let offset = usize::try_from(id - self.pending_base)
                        .map_err(|_| tlog_tiles::Error::IndexesNotInTree)?;
                    return self
                        .pending
                        .get(offset)
                        .copied()
                        .ok_or(tlog_tiles::Error::IndexesNotInTree);
                }
                let sql_id = i64::try_from(id).map_err(|_| tlog_tiles::Error::IndexesNotInTree)?;
                let bytes: Option<Vec<u8>> = stmt
                    .query_row([sql_id], |row| row.get(0))
                    .optional()
                    .map_err(|e| self.fail(e.to_string()))?;
                let bytes =
                    bytes.ok_or_else(|| self.fail(format!("stored hash {id} is missing")))?;
                let hash: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| self.fail(format!("stored hash {id} is not 32 bytes")))?;
                Ok(Hash(hash))
            })
            .collect()
    }
}

impl SqlHashes<'_> {
    fn fail(&self, message: String) -> tlog_tiles::Error {
        *self.failure.borrow_mut() = Some(message);
        tlog_tiles::Error::IndexesNotInTree
    }
}
