//! Queries over a ledger connection, shared by the writer and read-only handles: entries,
//! checkpoints and proofs.

use rusqlite::{Connection, OptionalExtension};
use vouch_proto::{
    verify_checkpoint, Checkpoint, ConsistencyProof, Digest, EntryKind, InclusionProof, KeyId,
    PublicKey, TreeHash,
};

use crate::error::{DbContext, LedgerError};
use crate::hashes::SqlHashes;

/// One stored entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its leaf index.
    pub index: u64,
    /// What it holds.
    pub kind: EntryKind,
    /// When it was integrated (unix seconds).
    pub integrated_at: i64,
    /// The body exactly as received.
    pub body: Vec<u8>,
    /// Its RFC 9162 leaf hash.
    pub leaf_hash: TreeHash,
    /// The key whose signature was verified when it was appended.
    pub signer: Option<KeyId>,
    /// The subject digests.
    pub subjects: Vec<Digest>,
}

/// A read-only view of a ledger: the connection, its path (for errors), origin and log key.
pub struct View<'a> {
    /// The connection.
    pub(crate) conn: &'a Connection,
    /// The database path, for messages.
    pub(crate) path: &'a str,
    /// The log's origin.
    pub(crate) origin: &'a str,
    /// The log's public key.
    pub(crate) log_key: &'a PublicKey,
}

pub(crate) fn to_u64(value: i64) -> u64 {
    // Sizes and indexes are stored from u64 values below i64::MAX and never negative.
    u64::try_from(value).unwrap_or_default()
}

pub(crate) fn to_i64(value: u64) -> Result<i64, LedgerError> {
    i64::try_from(value).map_err(|_| LedgerError::OutOfRange(format!("{value} is too large")))
}

pub(crate) fn hash32(bytes: Vec<u8>) -> Result<TreeHash, rusqlite::Error> {
    let len = bytes.len();
    bytes.try_into().map(TreeHash).map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            len,
            rusqlite::types::Type::Blob,
            "a hash is 32 bytes".into(),
        )
    })
}

/// Reads `log_meta.name`.
pub(crate) fn meta(
    conn: &Connection,
    path: &str,
    name: &str,
) -> Result<Option<String>, LedgerError> {
    conn.query_row(
        "SELECT value FROM log_meta WHERE name = ?1",
        [name],
        |row| row.get(0),
    )
    .optional()
    .db(path)
}

impl View<'_> {
    /// The log's public key (the one the ledger was opened with, checked against the one it
    /// was created with).
    pub fn log_key(&self) -> &PublicKey {
        self.log_key
    }

    /// The log's origin (checkpoint name).
    pub fn origin(&self) -> &str {
        self.origin
    }

    /// The number of entries (the highest index plus one).
    pub fn size(&self) -> Result<u64, LedgerError> {
        let size: i64 = self
            .conn
            .query_row("SELECT COALESCE(MAX(idx) + 1, 0) FROM entries", [], |row| {
                row.get(0)
            })
            .db(self.path)?;
        Ok(to_u64(size))
    }

    /// The latest checkpoint, its signature checked.
    pub fn latest_checkpoint(&self) -> Result<Checkpoint, LedgerError> {
        let note: Option<String> = self
            .conn
            .query_row(
                "SELECT note FROM checkpoints ORDER BY tree_size DESC LIMIT 1",
                [],
                |row| row.get(0),
            )
            .optional()
            .db(self.path)?;
        let note = note.ok_or_else(|| self.integrity("there is no checkpoint".into()))?;
        verify_checkpoint(&note, self.log_key, Some(self.origin))
            .map_err(|e| self.integrity(format!("latest checkpoint: {e}")))
    }

    /// The stored checkpoint for exactly `size` entries, if one was made.
    pub fn checkpoint_at(&self, size: u64) -> Result<Option<Checkpoint>, LedgerError> {
        let note: Option<String> = self
            .conn
            .query_row(
                "SELECT note FROM checkpoints WHERE tree_size = ?1",
                [to_i64(size)?],
                |row| row.get(0),
            )
            .optional()
            .db(self.path)?;
        note.map(|note| {
            verify_checkpoint(&note, self.log_key, Some(self.origin))
                .map_err(|e| self.integrity(format!("checkpoint at size {size}: {e}")))
        })
        .transpose()
    }

    /// The root hash of the first `size` entries, from the stored hashes (O(log n) reads).
    pub fn root_at(&self, size: u64) -> Result<TreeHash, LedgerError> {
        let reader = SqlHashes::new(self.conn);
        tlog_tiles::tree_hash(size, &reader)
            .map(|h| TreeHash(h.0))
            .map_err(|e| {
                self.integrity(format!(
                    "computing the root of size {size}: {}",
                    reader.failure().unwrap_or(e.to_string())
                ))
            })
    }

    /// The entry at `index`.
    pub fn entry(&self, index: u64) -> Result<Option<Entry>, LedgerError> {
        let row = self
            .conn
            .query_row(
                "SELECT kind, integrated_at, body, leaf_hash, signer FROM entries WHERE idx = ?1",
                [to_i64(index)?],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, Vec<u8>>(2)?,
                        hash32(row.get(3)?)?,
                        row.get::<_, Option<String>>(4)?,
                    ))
                },
            )
            .optional()
            .db(self.path)?;
        let Some((kind, integrated_at, body, leaf_hash, signer)) = row else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT digest FROM entry_subjects WHERE idx = ?1 ORDER BY digest")
            .db(self.path)?;
        let subjects = stmt
            .query_map([to_i64(index)?], |row| row.get::<_, String>(0))
            .db(self.path)?
            .collect::<Result<Vec<_>, _>>()
            .db(self.path)?;
        Ok(Some(Entry {
            index,
            kind: kind
                .parse()
                .map_err(|e: String| self.integrity(format!("entry {index}: {e}")))?,
            integrated_at,
            body,
            leaf_hash,
            signer: signer
                .map(|s| s.parse())
                .transpose()
                .map_err(|_| self.integrity(format!("entry {index}: bad signer key id")))?,
            subjects: subjects
                .iter()
                .map(|d| d.parse())
                .collect::<Result<_, _>>()
                .map_err(|_| self.integrity(format!("entry {index}: bad subject digest")))?,
        }))
    }

    /// The index of the entry whose stored bytes hash to `body_sha256`, if there is one (the
    /// ledger holds each body once).
    pub fn index_of_body(&self, body_sha256: &Digest) -> Result<Option<u64>, LedgerError> {
        self.conn
            .prepare_cached("SELECT idx FROM entries WHERE body_sha256 = ?1")
            .db(self.path)?
            .query_row([body_sha256.as_bytes().as_slice()], |row| {
                row.get::<_, i64>(0)
            })
            .optional()
            .db(self.path)
            .map(|idx| idx.map(to_u64))
    }

    /// The indexes of the entries about `digest`, oldest first.
    pub fn indexes_for_subject(&self, digest: &Digest) -> Result<Vec<u64>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT idx FROM entry_subjects WHERE digest = ?1 ORDER BY idx")
            .db(self.path)?;
        let rows = stmt
            .query_map([digest.to_string()], |row| row.get::<_, i64>(0))
            .db(self.path)?
            .map(|r| r.map(to_u64))
            .collect::<Result<Vec<_>, _>>()
            .db(self.path)?;
        Ok(rows)
    }

    /// Proof that entry `index` is in the tree of `size` entries.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<InclusionProof, LedgerError> {
        let current = self.size()?;
        if size > current || index >= size {
            return Err(LedgerError::OutOfRange(format!(
                "cannot prove entry {index} in a tree of size {size}: the index must be below the size, and the ledger has {current} entries"
            )));
        }
        let leaf: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT leaf_hash FROM entries WHERE idx = ?1",
                [to_i64(index)?],
                |row| row.get(0),
            )
            .optional()
            .db(self.path)?;
        let leaf = leaf
            .ok_or_else(|| self.integrity(format!("entry {index} is missing")))
            .and_then(|bytes| {
                hash32(bytes).map_err(|e| self.integrity(format!("entry {index}: {e}")))
            })?;
        let reader = SqlHashes::new(self.conn);
        let proof = tlog_tiles::prove_record(size, index, &reader).map_err(|e| {
            self.integrity(format!(
                "proving entry {index}: {}",
                reader.failure().unwrap_or(e.to_string())
            ))
        })?;
        Ok(InclusionProof {
            index,
            tree_size: size,
            leaf_hash: leaf,
            hashes: proof.into_iter().map(|h| TreeHash(h.0)).collect(),
        })
    }

    /// Proof that the tree of `old` entries is a prefix of the tree of `new` entries.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<ConsistencyProof, LedgerError> {
        let current = self.size()?;
        if old > new || new > current {
            return Err(LedgerError::OutOfRange(format!(
                "cannot prove consistency from {old} to {new}: need old <= new <= {current} (the ledger's size)"
            )));
        }
        if old == 0 || old == new {
            // Every tree extends the empty tree and itself: the proof is empty (RFC 9162 2.1.4).
            return Ok(ConsistencyProof {
                old_size: old,
                new_size: new,
                hashes: Vec::new(),
            });
        }
        let reader = SqlHashes::new(self.conn);
        let proof = tlog_tiles::prove_tree(new, old, &reader).map_err(|e| {
            self.integrity(format!(
                "proving consistency {old}..{new}: {}",
                reader.failure().unwrap_or(e.to_string())
            ))
        })?;
        Ok(ConsistencyProof {
            old_size: old,
            new_size: new,
            hashes: proof.into_iter().map(|h| TreeHash(h.0)).collect(),
        })
    }

    /// Checks, in O(log n), that the latest signed checkpoint matches the stored tree: same
    /// size as the entries, same root as the stored hashes. Returns that checkpoint.
    pub fn check_latest(&self) -> Result<Checkpoint, LedgerError> {
        let checkpoint = self.latest_checkpoint()?;
        let size = self.size()?;
        if checkpoint.tree_size != size {
            return Err(self.integrity(format!(
                "the latest checkpoint covers {} entries but the ledger holds {size}",
                checkpoint.tree_size
            )));
        }
        let stored: i64 = self
            .conn
            .query_row(
                "SELECT COALESCE(MAX(id) + 1, 0) FROM tree_hashes",
                [],
                |row| row.get(0),
            )
            .db(self.path)?;
        if to_u64(stored) != tlog_tiles::stored_hash_count(size) {
            return Err(self.integrity(format!(
                "{stored} stored tree hashes, expected {} for {size} entries",
                tlog_tiles::stored_hash_count(size)
            )));
        }
        let root = self.root_at(size)?;
        if root != checkpoint.root_hash {
            return Err(self.integrity(format!(
                "the stored tree's root {root} is not the latest checkpoint's {}",
                checkpoint.root_hash
            )));
        }
        Ok(checkpoint)
    }

    pub(crate) fn integrity(&self, message: String) -> LedgerError {
        LedgerError::Integrity {
            path: self.path.to_string(),
            message,
        }
    }
}
