//! The writer: opening (and creating) a ledger, checking it against its latest checkpoint, and
//! appending batches of entries in one durable transaction each.

use std::collections::HashMap;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest as _, Sha256};
use vouch_proto::{
    leaf_hash, sign_checkpoint, signed_content_key, Checkpoint, Digest, EntryKind, Envelope, KeyId,
    PublicKey, SecretKey, TreeHash,
};

use crate::db;
use crate::error::{DbContext, LedgerError};
use crate::hashes::SqlHashes;
use crate::logkey;
use crate::read::{hash32, meta, to_i64, to_u64, View};

/// An entry to append. `signer` and `subjects` are derived from the body by the caller (which
/// has verified it); the audit derives them again and compares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEntry {
    /// What the body is.
    pub kind: EntryKind,
    /// The body exactly as received.
    pub body: Vec<u8>,
    /// The key whose signature the caller verified.
    pub signer: Option<KeyId>,
    /// The subject digests.
    pub subjects: Vec<Digest>,
    /// What the signer signed ([`vouch_proto::signed_content_key`]): an entry with a key
    /// already in the ledger is not stored again, however its envelope is encoded.
    pub signed_key: [u8; 32],
}

impl NewEntry {
    /// An attestation: `body` is the envelope exactly as received, `envelope` the same decoded,
    /// `signer` the reviewer key the caller verified, `subjects` the Statement's digests.
    pub fn attestation(
        body: Vec<u8>,
        envelope: &Envelope,
        signer: KeyId,
        subjects: Vec<Digest>,
    ) -> Self {
        NewEntry {
            kind: EntryKind::Attestation,
            signed_key: signed_content_key(envelope, &signer),
            body,
            signer: Some(signer),
            subjects,
        }
    }
}

/// Where an appended entry landed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Appended {
    /// Its index.
    pub index: u64,
    /// Its leaf hash.
    pub leaf_hash: TreeHash,
    /// When the ledger integrated it (unix seconds), bound into the leaf hash.
    pub integrated_at: i64,
    /// True when the same signed content (or body) was already in the ledger: nothing new was
    /// stored, and `index` is the entry that holds it.
    pub existing: bool,
}

/// A ledger open for appending. One writer per database file.
pub struct Ledger {
    conn: Connection,
    /// An exclusive lock on `<db>.lock`, held while the ledger is open: one writer per file.
    _lock: std::fs::File,
    path: String,
    origin: String,
    key: SecretKey,
    public: PublicKey,
    size: u64,
    hash_count: u64,
    latest: Checkpoint,
}

impl Ledger {
    /// Opens the ledger at `path`, creating it (and its log key beside it) if it does not exist,
    /// then checks that the latest signed checkpoint matches the stored tree. Fails closed: a
    /// ledger that does not match is not opened.
    pub fn open(path: &Path, log_passphrase: Option<&[u8]>) -> Result<Self, LedgerError> {
        let name = path.display().to_string();
        if let Some(dir) = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty() && !d.exists())
        {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| LedgerError::Database {
                    path: name.clone(),
                    message: format!("creating {}: {e}", dir.display()),
                })?;
        }
        let lock = lock_writer(path)?;
        let mut conn = db::open_writer(path)?;
        let origin = meta(&conn, &name, "origin")?;
        let key = logkey::load_or_create(path, log_passphrase, origin.is_none())?;
        let origin = match origin {
            Some(origin) => origin,
            None => initialise(&mut conn, &name, &key)?,
        };
        let created_with = meta(&conn, &name, "log_key_id")?.unwrap_or_default();
        if created_with != key.id().to_string() {
            return Err(LedgerError::LogKey {
                path: logkey::private_key_path(path).display().to_string(),
                message: format!(
                    "key {} is not the key this ledger was created with ({created_with})",
                    key.id()
                ),
            });
        }
        let public = key.public().clone();
        let latest = View {
            conn: &conn,
            path: &name,
            origin: &origin,
            log_key: &public,
        }
        .check_latest()?;
        let size = latest.tree_size;
        backfill_signed_keys(&mut conn, &name)?;
        tracing::info!(path = %name, size, origin = %origin, "opened ledger");
        Ok(Ledger {
            conn,
            _lock: lock,
            path: name,
            origin,
            key,
            public,
            size,
            hash_count: tlog_tiles::stored_hash_count(size),
            latest,
        })
    }

    /// A read view over this ledger's connection.
    pub fn view(&self) -> View<'_> {
        View {
            conn: &self.conn,
            path: &self.path,
            origin: &self.origin,
            log_key: &self.public,
        }
    }

    /// The number of entries.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The latest signed checkpoint.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.latest
    }

    /// The log's origin (its checkpoint name).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The log's public key.
    pub fn log_key(&self) -> &PublicKey {
        &self.public
    }

    /// The database path.
    pub fn path(&self) -> PathBuf {
        PathBuf::from(&self.path)
    }

    /// Appends `entries` in one transaction, signs and stores a checkpoint, and returns once the
    /// transaction is durably committed. A body already in the ledger is not stored again: its
    /// existing index is returned with `existing: true`. On error nothing is stored.
    pub fn append_batch(&mut self, entries: &[NewEntry]) -> Result<Vec<Appended>, LedgerError> {
        let now = chrono::Utc::now().timestamp();
        let path = self.path.clone();
        let tx = self.conn.transaction().db(&path)?;
        let mut results: Vec<Appended> = Vec::with_capacity(entries.len());
        let mut seen: HashMap<[u8; 32], Appended> = HashMap::new();
        let mut pending: Vec<tlog_tiles::Hash> = Vec::new();
        let mut size = self.size;
        for entry in entries {
            let body_sha: [u8; 32] = Sha256::digest(&entry.body).into();
            if let Some(previous) = seen.get(&entry.signed_key).or_else(|| seen.get(&body_sha)) {
                results.push(Appended {
                    existing: true,
                    ..*previous
                });
                continue;
            }
            let stored = tx
                .query_row(
                    "SELECT e.idx, e.leaf_hash, e.integrated_at FROM entries e WHERE e.body_sha256 = ?1 \
                     UNION ALL SELECT e.idx, e.leaf_hash, e.integrated_at FROM entry_signed s JOIN entries e ON e.idx = s.idx WHERE s.signed_key = ?2 \
                     LIMIT 1",
                    [&body_sha[..], &entry.signed_key[..]],
                    |row| Ok((row.get::<_, i64>(0)?, hash32(row.get(1)?)?, row.get::<_, i64>(2)?)),
                )
                .optional()
                .db(&path)?;
            if let Some((index, leaf, integrated_at)) = stored {
                let appended = Appended {
                    index: to_u64(index),
                    leaf_hash: leaf,
                    integrated_at,
                    existing: true,
                };
                seen.insert(body_sha, appended);
                seen.insert(entry.signed_key, appended);
                results.push(appended);
                continue;
            }
            let leaf = leaf_hash(entry.kind, now, &entry.body);
            let reader = SqlHashes::with_pending(&tx, self.hash_count, &pending);
            let hashes =
                tlog_tiles::stored_hashes_for_record_hash(size, tlog_tiles::Hash(leaf), &reader)
                    .map_err(|e| {
                        integrity(
                            &path,
                            format!(
                                "extending the tree: {}",
                                reader.failure().unwrap_or(e.to_string())
                            ),
                        )
                    })?;
            pending.extend(hashes);
            let signer = entry.signer.map(|k| k.to_string());
            tx.prepare_cached(
                "INSERT INTO entries (idx, kind, integrated_at, body, body_sha256, leaf_hash, signer) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![to_i64(size).unwrap_or(i64::MAX), entry.kind.as_str(), now, entry.body, &body_sha[..], &leaf[..], signer])
            })
            .db(&path)?;
            let mut subjects: Vec<String> = entry.subjects.iter().map(Digest::to_string).collect();
            subjects.sort();
            subjects.dedup();
            for subject in subjects {
                tx.prepare_cached("INSERT INTO entry_subjects (digest, idx) VALUES (?1, ?2)")
                    .and_then(|mut stmt| {
                        stmt.execute(params![subject, to_i64(size).unwrap_or(i64::MAX)])
                    })
                    .db(&path)?;
            }
            tx.prepare_cached("INSERT INTO entry_signed (signed_key, idx) VALUES (?1, ?2)")
                .and_then(|mut stmt| {
                    stmt.execute(params![
                        &entry.signed_key[..],
                        to_i64(size).unwrap_or(i64::MAX)
                    ])
                })
                .db(&path)?;
            let appended = Appended {
                index: size,
                leaf_hash: TreeHash(leaf),
                integrated_at: now,
                existing: false,
            };
            seen.insert(body_sha, appended);
            seen.insert(entry.signed_key, appended);
            results.push(appended);
            size += 1;
        }
        if size == self.size {
            // Only known bodies: nothing to write, the latest checkpoint covers them all.
            return Ok(results);
        }
        for (offset, hash) in pending.iter().enumerate() {
            let id = self.hash_count + offset as u64;
            tx.prepare_cached("INSERT INTO tree_hashes (id, hash) VALUES (?1, ?2)")
                .and_then(|mut stmt| {
                    stmt.execute(params![to_i64(id).unwrap_or(i64::MAX), &hash.0[..]])
                })
                .db(&path)?;
        }
        let reader = SqlHashes::with_pending(&tx, self.hash_count, &pending);
        let root = tlog_tiles::tree_hash(size, &reader).map_err(|e| {
            integrity(
                &path,
                format!(
                    "computing the root: {}",
                    reader.failure().unwrap_or(e.to_string())
                ),
            )
        })?;
        let checkpoint = sign_checkpoint(&self.origin, size, TreeHash(root.0), &self.key)
            .map_err(|e| integrity(&path, format!("signing the checkpoint: {e}")))?;
        tx.execute(
            "INSERT INTO checkpoints (tree_size, root_hash, note) VALUES (?1, ?2, ?3)",
            params![to_i64(size)?, &root.0[..], checkpoint.note],
        )
        .db(&path)?;
        tx.commit().db(&path)?;
        self.hash_count += pending.len() as u64;
        self.size = size;
        self.latest = checkpoint;
        Ok(results)
    }
}

/// Takes the writer's exclusive lock on `<db>.lock`, or says who holds it. The lock (flock) goes
/// with the process, so a crashed daemon never leaves it behind.
fn lock_writer(path: &Path) -> Result<std::fs::File, LedgerError> {
    use std::os::unix::fs::OpenOptionsExt;
    let lock = logkey::with_suffix(path, ".lock");
    let fail = |message: String| LedgerError::Database {
        path: path.display().to_string(),
        message,
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&lock)
        .map_err(|e| fail(format!("opening the lock file {}: {e}", lock.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(LedgerError::Busy {
            path: path.display().to_string(),
            lock: lock.display().to_string(),
        }),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(fail(format!("locking {}: {e}", lock.display())))
        }
    }
}

/// Records the signed-content key of entries appended before the ledger kept them (schema
/// version 1), so that they too are found when re-encoded. An entry whose key cannot be derived
/// or is already taken is left without one; the audit checks every key that is recorded.
fn backfill_signed_keys(conn: &mut Connection, path: &str) -> Result<(), LedgerError> {
    let missing: Vec<(i64, Vec<u8>)> = conn
        .prepare("SELECT e.idx, e.body FROM entries e LEFT JOIN entry_signed s ON s.idx = e.idx WHERE s.idx IS NULL ORDER BY e.idx")
        .and_then(|mut stmt| stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .db(path)?;
    if missing.is_empty() {
        return Ok(());
    }
    let tx = conn.transaction().db(path)?;
    let mut recorded = 0u64;
    for (idx, body) in &missing {
        let Some(key) = crate::signed::key_of_body(body) else {
            continue;
        };
        let taken: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM entry_signed WHERE signed_key = ?1)",
                [&key[..]],
                |r| r.get(0),
            )
            .db(path)?;
        if !taken {
            tx.execute(
                "INSERT INTO entry_signed (signed_key, idx) VALUES (?1, ?2)",
                params![&key[..], idx],
            )
            .db(path)?;
            recorded += 1;
        }
    }
    tx.commit().db(path)?;
    tracing::info!(
        path,
        recorded,
        "recorded the signed-content keys of older entries"
    );
    Ok(())
}

fn integrity(path: &str, message: String) -> LedgerError {
    LedgerError::Integrity {
        path: path.to_string(),
        message,
    }
}

/// Records the origin and log key of a new ledger and its empty checkpoint; returns the origin.
fn initialise(conn: &mut Connection, path: &str, key: &SecretKey) -> Result<String, LedgerError> {
    let id = key.id().to_string();
    let origin = vouch_proto::ledger_origin(&key.id());
    let empty = sign_checkpoint(&origin, 0, TreeHash(tlog_tiles::EMPTY_HASH.0), key)
        .map_err(|e| integrity(path, format!("signing the first checkpoint: {e}")))?;
    let tx = conn.transaction().db(path)?;
    tx.execute(
        "INSERT INTO log_meta (name, value) VALUES ('origin', ?1)",
        [&origin],
    )
    .db(path)?;
    tx.execute(
        "INSERT INTO log_meta (name, value) VALUES ('log_key_id', ?1)",
        [&id],
    )
    .db(path)?;
    tx.execute(
        "INSERT INTO checkpoints (tree_size, root_hash, note) VALUES (0, ?1, ?2)",
        params![&tlog_tiles::EMPTY_HASH.0[..], empty.note],
    )
    .db(path)?;
    tx.commit().db(path)?;
    tracing::info!(path, origin = %origin, log_key = %id, "created ledger");
    Ok(origin)
}

/// A read-only handle on a ledger file: proofs, checkpoints, entries. Needs only the log's
/// public key.
pub struct LedgerReader {
    conn: Connection,
    path: String,
    origin: String,
    log_key: PublicKey,
}

impl LedgerReader {
    /// Opens `path` read-only. The log key is `log_key` if given (a pinned key), else `<db>.pub`;
    /// either way it must be the key the ledger was created with.
    pub fn open(path: &Path, log_key: Option<PublicKey>) -> Result<Self, LedgerError> {
        let name = path.display().to_string();
        let conn = db::open_reader(path)?;
        let origin = meta(&conn, &name, "origin")?.ok_or_else(|| LedgerError::NotALedger {
            path: name.clone(),
            message: "no origin recorded".into(),
        })?;
        let (log_key, key_path) = match log_key {
            Some(key) => (key, "the pinned log key".to_string()),
            None => {
                let key_path = logkey::public_key_path(path);
                (
                    logkey::load_public(&key_path)?,
                    key_path.display().to_string(),
                )
            }
        };
        let created_with = meta(&conn, &name, "log_key_id")?.unwrap_or_default();
        if created_with != log_key.id().to_string() {
            return Err(LedgerError::LogKey {
                path: key_path,
                message: format!(
                    "key {} is not the key this ledger was created with ({created_with}): the log key was swapped",
                    log_key.id()
                ),
            });
        }
        Ok(LedgerReader {
            conn,
            path: name,
            origin,
            log_key,
        })
    }

    /// A read view.
    pub fn view(&self) -> View<'_> {
        View {
            conn: &self.conn,
            path: &self.path,
            origin: &self.origin,
            log_key: &self.log_key,
        }
    }
}
