//! The Merkle tree's stored hashes in SQLite, read through tlog_tiles' `HashReader`.

use std::cell::RefCell;
use std::collections::HashMap;

use rusqlite::Connection;
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
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog_tiles::Hash>, tlog_tiles::Error> {
        // Stored ids are read in one statement (`IN (...)`): a proof needs up to 2 log2(n) of
        // them, and one query each was most of a proof's cost.
        let stored: Vec<i64> = indexes
            .iter()
            .filter(|&&id| id < self.pending_base)
            .map(|&id| i64::try_from(id).map_err(|_| tlog_tiles::Error::IndexesNotInTree))
            .collect::<Result<_, _>>()?;
        let mut found: HashMap<i64, [u8; 32]> = HashMap::with_capacity(stored.len());
        if !stored.is_empty() {
            let sql = format!(
                "SELECT id, hash FROM tree_hashes WHERE id IN ({})",
                vec!["?"; stored.len()].join(",")
            );
            let mut stmt = self
                .conn
                .prepare_cached(&sql)
                .map_err(|e| self.fail(e.to_string()))?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(&stored), |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
                })
                .map_err(|e| self.fail(e.to_string()))?;
            for row in rows {
                let (id, bytes) = row.map_err(|e| self.fail(e.to_string()))?;
                let hash: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| self.fail(format!("stored hash {id} is not 32 bytes")))?;
                found.insert(id, hash);
            }
        }
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
                found
                    .get(&sql_id)
                    .map(|h| Hash(*h))
                    .ok_or_else(|| self.fail(format!("stored hash {id} is missing")))
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
