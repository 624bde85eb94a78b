//! The writer: opening (and creating) a ledger, checking it against its latest checkpoint, and
//! appending batches of entries in one durable transaction each.

use std::collections::HashMap;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest as _, Sha256};
use vouch_proto::{
    leaf_hash, sign_checkpoint, signed_content_key, Checkpoint, Digest, EntryKind, Envelope, KeyId,
    PublicKey, SecretKey, Statement, TreeHash,
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
    /// The subject digests, sorted and without repeats ([`Statement::subject_digests`]).
    pub subjects: Vec<Digest>,
    /// What the signer signed ([`vouch_proto::signed_content_key`]): an entry with a key
    /// already in the ledger is not stored again, however its envelope is encoded.
    pub signed_key: [u8; 32],
    /// Store these exact bytes even when the same signed content is stored in another
    /// encoding (only the same bytes count as already there). An import sets it: a retraction
    /// names its review by the sha256 of its bytes in the ledger it came from, so those bytes
    /// must be here for the retraction to find its review, today and after any rebuild.
    pub keep_encoding: bool,
}

impl NewEntry {
    /// An attestation: `body` is the envelope exactly as received, `envelope` the same decoded,
    /// `signer` the reviewer key the caller verified, `statement` its Statement. The derived
    /// columns (subjects, signed-content key) are computed here, as the audit computes them.
    pub fn attestation<P>(
        body: Vec<u8>,
        envelope: &Envelope,
        signer: KeyId,
        statement: &Statement<P>,
    ) -> Self {
        let subjects = statement.subject_digests();
        NewEntry {
            kind: EntryKind::Attestation,
            signed_key: signed_content_key(envelope, &signer),
            body,
            signer: Some(signer),
            subjects,
            keep_encoding: false,
        }
    }
}

impl NewEntry {
    /// A policy vouchd loaded: `body` is [`vouch_proto::PolicyEntry::to_bytes`]. No signer, no
    /// subjects; its signed-content key is the hash of its body.
    pub fn policy(body: Vec<u8>) -> Self {
        use sha2::Digest as _;
        NewEntry {
            kind: EntryKind::Policy,
            signed_key: sha2::Sha256::digest(&body).into(),
            body,
            signer: None,
            subjects: Vec::new(),
            keep_encoding: false,
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
    pub(crate) key: SecretKey,
    public: PublicKey,
    size: u64,
    hash_count: u64,
    latest: Checkpoint,
    /// Entries below this index were appended before signed-content keys were recorded.
    keyed_from: u64,
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
                .map_err(|e| LedgerError::Setup {
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
        let keyed_from = keyed_from(&mut conn, &name, size)?;
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
            keyed_from,
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

    /// Stops this connection's own WAL checkpoints, for an owner that runs them elsewhere (the
    /// group committer); the path to open for them. `None` (and nothing changed) if the pragma
    /// cannot be set.
    pub(crate) fn checkpoint_elsewhere(&mut self) -> Option<PathBuf> {
        // A log started over is also cut back to 64 MiB on disk.
        self.conn
            .pragma_update(None, "wal_autocheckpoint", 0)
            .and_then(|()| {
                self.conn
                    .pragma_update(None, "journal_size_limit", 64 << 20)
            })
            .ok()
            .map(|()| self.path())
    }

    /// Shortens the writer's wait for a locked database (tests of a busy ledger).
    #[cfg(test)]
    pub(crate) fn conn_busy_timeout_for_tests(&mut self, timeout: std::time::Duration) {
        // A connection that was open a moment ago accepts a new timeout.
        let _ = self.conn.busy_timeout(timeout);
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
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .db(&path)?;
        let mut results: Vec<Appended> = Vec::with_capacity(entries.len());
        let mut seen: HashMap<[u8; 32], Appended> = HashMap::new();
        let mut pending: Vec<tlog_tiles::Hash> = Vec::new();
        let mut size = self.size;
        for entry in entries {
            let body_sha: [u8; 32] = Sha256::digest(&entry.body).into();
            let same_content = (!entry.keep_encoding)
                .then(|| seen.get(&entry.signed_key))
                .flatten();
            if let Some(previous) = same_content.or_else(|| seen.get(&body_sha)) {
                results.push(Appended {
                    existing: true,
                    ..*previous
                });
                continue;
            }
            let stored = match entry.keep_encoding {
                true => by_body(&tx, &path, &body_sha)?,
                false => stored(&tx, &path, entry, &body_sha, self.keyed_from > 0)?,
            };
            if let Some(appended) = stored {
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
            insert_rows(&tx, &path, size, now, entry, &body_sha, &leaf)?;
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
        let checkpoint = seal(
            &tx,
            &path,
            (&self.origin, &self.key),
            self.hash_count,
            &pending,
            size,
        )?;
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
    let fail = |message: String| LedgerError::Setup {
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

/// The entry already holding this signed content (or these exact bytes), if any. The same
/// signed statement has the same subjects, so the candidates are the entries about the new
/// entry's first subject (an indexed lookup); entries from before signed keys were recorded
/// are compared by recomputing theirs.
fn stored(
    tx: &rusqlite::Transaction<'_>,
    path: &str,
    entry: &NewEntry,
    body_sha: &[u8; 32],
    unkeyed: bool,
) -> Result<Option<Appended>, LedgerError> {
    if let Some(subject) = entry.subjects.first().map(Digest::to_string) {
        let same = tx
            .prepare_cached("SELECT e.idx, e.leaf_hash, e.integrated_at FROM entry_subjects s JOIN entries e ON e.idx = s.idx WHERE s.digest = ?1 AND e.signed_key = ?2 LIMIT 1")
            .and_then(|mut stmt| {
                stmt.query_row(params![subject, &entry.signed_key[..]], existing)
                    .optional()
            })
            .db(path)?;
        if same.is_some() || !unkeyed {
            return match same {
                Some(hit) => Ok(Some(hit)),
                None => by_body(tx, path, body_sha),
            };
        }
        let mut older = tx
            .prepare_cached("SELECT e.idx, e.leaf_hash, e.integrated_at, e.body FROM entry_subjects s JOIN entries e ON e.idx = s.idx WHERE s.digest = ?1 AND e.signed_key IS NULL")
            .db(path)?;
        let mut rows = older.query([subject]).db(path)?;
        while let Some(row) = rows.next().db(path)? {
            let body: Vec<u8> = row.get(3).db(path)?;
            if crate::signed::key_of_body(&body) == Some(entry.signed_key) {
                return existing(row).map(Some).db(path);
            }
        }
    }
    by_body(tx, path, body_sha)
}

/// An entry found in the ledger, from a row of (idx, leaf_hash, integrated_at).
fn existing(row: &rusqlite::Row<'_>) -> rusqlite::Result<Appended> {
    Ok(Appended {
        index: to_u64(row.get(0)?),
        leaf_hash: hash32(row.get(1)?)?,
        integrated_at: row.get(2)?,
        existing: true,
    })
}

/// The entry with exactly these bytes, if any.
fn by_body(
    tx: &rusqlite::Transaction<'_>,
    path: &str,
    body_sha: &[u8; 32],
) -> Result<Option<Appended>, LedgerError> {
    tx.prepare_cached("SELECT idx, leaf_hash, integrated_at FROM entries WHERE body_sha256 = ?1")
        .and_then(|mut stmt| stmt.query_row([&body_sha[..]], existing).optional())
        .db(path)
}

/// The index from which every entry records its signed-content key: the ledger's size when it
/// was first opened with schema version 2, remembered in log_meta.
fn keyed_from(conn: &mut Connection, path: &str, size: u64) -> Result<u64, LedgerError> {
    if let Some(from) = meta(conn, path, "signed_keys_from")? {
        return from
            .parse()
            .map_err(|_| integrity(path, format!("log_meta signed_keys_from is {from:?}")));
    }
    conn.execute(
        "INSERT INTO log_meta (name, value) VALUES ('signed_keys_from', ?1)",
        [size.to_string()],
    )
    .db(path)?;
    Ok(size)
}

/// Inserts entry `index`'s rows: the entry (with its signed-content key) and its subjects.
fn insert_rows(
    tx: &rusqlite::Transaction<'_>,
    path: &str,
    index: u64,
    now: i64,
    entry: &NewEntry,
    body_sha: &[u8; 32],
    leaf: &[u8; 32],
) -> Result<(), LedgerError> {
    let idx = to_i64(index)?;
    let signer = entry.signer.map(|k| k.to_string());
    tx.prepare_cached(
        "INSERT INTO entries (idx, kind, integrated_at, body, body_sha256, leaf_hash, signer, signed_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            idx,
            entry.kind.as_str(),
            now,
            entry.body,
            &body_sha[..],
            &leaf[..],
            signer,
            &entry.signed_key[..]
        ])
    })
    .db(path)?;
    for subject in entry.subjects.iter().map(Digest::to_string) {
        tx.prepare_cached("INSERT INTO entry_subjects (digest, idx) VALUES (?1, ?2)")
            .and_then(|mut stmt| stmt.execute(params![subject, idx]))
            .db(path)?;
    }
    Ok(())
}

/// Writes the batch's tree hashes and signs and stores the checkpoint of the new tree
/// (size `size`), inside the batch's transaction.
fn seal(
    tx: &rusqlite::Transaction<'_>,
    path: &str,
    (origin, key): (&str, &SecretKey),
    hash_count: u64,
    pending: &[tlog_tiles::Hash],
    size: u64,
) -> Result<Checkpoint, LedgerError> {
    for (offset, hash) in pending.iter().enumerate() {
        let id = hash_count + offset as u64;
        tx.prepare_cached("INSERT INTO tree_hashes (id, hash) VALUES (?1, ?2)")
            .and_then(|mut stmt| stmt.execute(params![to_i64(id).unwrap_or(i64::MAX), &hash.0[..]]))
            .db(path)?;
    }
    let reader = SqlHashes::with_pending(tx, hash_count, pending);
    let root = tlog_tiles::tree_hash(size, &reader).map_err(|e| {
        integrity(
            path,
            format!(
                "computing the root: {}",
                reader.failure().unwrap_or(e.to_string())
            ),
        )
    })?;
    let checkpoint = sign_checkpoint(origin, size, TreeHash(root.0), key)
        .map_err(|e| integrity(path, format!("signing the checkpoint: {e}")))?;
    tx.execute(
        "INSERT INTO checkpoints (tree_size, root_hash, note) VALUES (?1, ?2, ?3)",
        params![to_i64(size)?, &root.0[..], checkpoint.note],
    )
    .db(path)?;
    Ok(checkpoint)
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
