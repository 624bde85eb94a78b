//! The offline audit behind `vouch log verify`: re-hash every entry, re-derive its indexed
//! columns, re-verify the signatures it can, rebuild the tree and the stored hashes, and check
//! every signed checkpoint against the rebuilt roots. Reading runs on one thread while hashing
//! and signature checks run on all cores.

use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc;

use rayon::prelude::*;
use rusqlite::Connection;
use sha2::{Digest as _, Sha256};
use vouch_proto::report::{AuditProblem, AuditReport};
use vouch_proto::{
    leaf_hash, pae, verify_batch, verify_checkpoint, verify_review, Checkpoint, EntryKind,
    Envelope, PublicKey, Statement, TreeHash,
};

use crate::db;
use crate::error::{DbContext, LedgerError};
use crate::logkey;
use crate::read::{meta, to_u64};

/// Entries per chunk handed from the reading thread to the hashing threads.
const CHUNK: i64 = 4096;

/// What the audit is given.
#[derive(Default)]
pub struct AuditOptions<'a> {
    /// A pinned log public key; default `<db>.pub`.
    pub log_key: Option<PublicKey>,
    /// Reviewer keys whose attestation signatures are re-verified.
    pub reviewer_keys: Vec<PublicKey>,
    /// Checkpoints seen before (by a client, a witness, an earlier audit): each must verify
    /// with the log key and match the rebuilt tree at its size, which catches a consistent
    /// rollback or a fork that the stored checkpoints alone cannot show.
    pub known_checkpoints: Vec<String>,
    /// Called with (entries done, entries total) after each chunk.
    pub progress: Option<&'a (dyn Fn(u64, u64) + Sync)>,
}

/// A problem to report: the first bad index, if any, and what is wrong.
pub type Problem = AuditProblem;

struct Row {
    idx: i64,
    kind: String,
    integrated_at: i64,
    body: Vec<u8>,
    body_sha: Vec<u8>,
    leaf: Vec<u8>,
    signer: Option<String>,
    subjects: Vec<String>,
}

enum Signature {
    /// To be checked in a batch: the PAE, the signature naming the signer, and the key's
    /// position among the reviewer keys.
    Pending {
        message: Vec<u8>,
        sig: Vec<u8>,
        key: usize,
    },
    /// The signer is not among the keys given.
    Unchecked,
}

/// Signatures per batch verification.
const SIGNATURE_BATCH: usize = 64;

/// Audits the ledger at `path`. `Err` means the audit could not run (no such file, not a
/// ledger, no log key); a tampered ledger is `Ok` with `intact: false` and the problem.
pub fn audit(path: &Path, options: &AuditOptions<'_>) -> Result<AuditReport, LedgerError> {
    let name = path.display().to_string();
    let conn = db::open_reader(path)?;
    let mut report = AuditReport {
        path: name.clone(),
        ..AuditReport::default()
    };
    report.origin = meta(&conn, &name, "origin")?.unwrap_or_default();
    let log_key = match &options.log_key {
        Some(key) => key.clone(),
        None => logkey::load_public(&logkey::public_key_path(path))?,
    };
    report.log_key_id = Some(log_key.id());
    let problem = run(path, &conn, &log_key, options, &mut report)?;
    report.intact = problem.is_none();
    report.problem = problem;
    Ok(report)
}

fn problem(index: Option<u64>, what: impl Into<String>) -> Option<Problem> {
    Some(Problem {
        index,
        what: what.into(),
    })
}

fn run(
    path: &Path,
    conn: &Connection,
    log_key: &PublicKey,
    options: &AuditOptions<'_>,
    report: &mut AuditReport,
) -> Result<Option<Problem>, LedgerError> {
    let name = report.path.clone();
    let created_with = meta(conn, &name, "log_key_id")?.unwrap_or_default();
    if created_with != log_key.id().to_string() {
        return Ok(problem(
            None,
            format!("log key swapped: the ledger was created with key {created_with}, the log key is {}", log_key.id()),
        ));
    }

    // Every stored checkpoint: signature, origin, and that its row agrees with its note.
    let rows: Vec<(i64, Vec<u8>, String)> = conn
        .prepare("SELECT tree_size, root_hash, note FROM checkpoints ORDER BY tree_size")
        .and_then(|mut stmt| {
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })
        .db(&name)?;
    let mut checkpoints: Vec<Checkpoint> = Vec::with_capacity(rows.len());
    for (size, root, note) in rows {
        let checkpoint = match verify_checkpoint(&note, log_key, Some(&report.origin)) {
            Ok(c) => c,
            Err(e) => return Ok(problem(None, format!("checkpoint at size {size}: {e}"))),
        };
        if to_u64(size) != checkpoint.tree_size || root != checkpoint.root_hash.0 {
            return Ok(problem(
                None,
                format!("the checkpoint row for size {size} holds a signed checkpoint for size {}: checkpoints were replaced", checkpoint.tree_size),
            ));
        }
        checkpoints.push(checkpoint);
    }
    let Some(latest) = checkpoints.last().cloned() else {
        return Ok(problem(None, "there are no checkpoints"));
    };
    for note in &options.known_checkpoints {
        let known = match verify_checkpoint(note, log_key, Some(&report.origin)) {
            Ok(c) => c,
            Err(e) => {
                return Ok(problem(
                    None,
                    format!("a known checkpoint does not verify: {e}"),
                ))
            }
        };
        if known.tree_size > latest.tree_size {
            return Ok(problem(
                None,
                format!(
                    "a known checkpoint covers {} entries but the ledger's latest covers {}: the ledger was rolled back",
                    known.tree_size, latest.tree_size
                ),
            ));
        }
        match checkpoints.iter().find(|c| c.tree_size == known.tree_size) {
            Some(stored) if stored.root_hash != known.root_hash => {
                return Ok(problem(
                    None,
                    format!("a known checkpoint for size {} has another root than the stored one: the log was forked", known.tree_size),
                ))
            }
            Some(_) => {}
            None => checkpoints.push(known),
        }
    }
    checkpoints.sort_by_key(|c| c.tree_size);
    report.tree_size = latest.tree_size;

    let total: i64 = conn
        .query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))
        .db(&name)?;
    let total = to_u64(total);
    let mut hashes_stmt = conn
        .prepare("SELECT id, hash FROM tree_hashes ORDER BY id")
        .db(&name)?;
    let mut stored_hashes = hashes_stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
        .db(&name)?;
    let mut next_hash_id: i64 = 0;
    let mut frontier = Frontier::default();
    let mut next_checkpoint = 0usize;
    let mut expected_idx: i64 = 0;

    let outcome = std::thread::scope(|scope| -> Result<Option<Problem>, LedgerError> {
        let (sender, receiver) = mpsc::sync_channel::<Result<Vec<Row>, LedgerError>>(2);
        let reader_path = path.to_path_buf();
        scope.spawn(move || read_chunks(&reader_path, &sender));

        // Size 0 checkpoints are the empty tree.
        while next_checkpoint < checkpoints.len() && checkpoints[next_checkpoint].tree_size == 0 {
            if checkpoints[next_checkpoint].root_hash.0 != tlog_tiles::EMPTY_HASH.0 {
                return Ok(problem(
                    None,
                    "the checkpoint for the empty tree has a non-empty root",
                ));
            }
            next_checkpoint += 1;
            report.checkpoints += 1;
        }
        for chunk in receiver {
            let chunk = chunk?;
            let checked: Vec<Result<([u8; 32], Signature), String>> = chunk
                .par_iter()
                .map(|row| check_entry(row, &options.reviewer_keys))
                .collect();
            let mut bad_signatures = verify_signatures(&chunk, &checked, &options.reviewer_keys);
            for (position, (row, result)) in chunk.iter().zip(checked).enumerate() {
                let index = to_u64(row.idx);
                if row.idx != expected_idx {
                    return Ok(problem(
                        Some(to_u64(expected_idx)),
                        format!("entry {expected_idx} is missing (the next stored entry is {}): rows were deleted or reordered", row.idx),
                    ));
                }
                expected_idx += 1;
                let (leaf, signature) = match result {
                    Ok(ok) => ok,
                    Err(what) => return Ok(problem(Some(index), what)),
                };
                match signature {
                    Signature::Pending { .. } => {
                        if let Some(what) = bad_signatures.remove(&position) {
                            return Ok(problem(Some(index), what));
                        }
                        report.signatures_verified += 1;
                    }
                    Signature::Unchecked => report.signatures_unchecked += 1,
                }
                for hash in frontier.push(leaf) {
                    match stored_hashes.next() {
                        Some(Ok((id, stored))) if id == next_hash_id && stored == hash => {
                            next_hash_id += 1
                        }
                        Some(Ok((id, _))) if id == next_hash_id => {
                            return Ok(problem(
                                Some(index),
                                format!("stored tree hash {id} does not match the entries"),
                            ))
                        }
                        Some(Ok((id, _))) => {
                            return Ok(problem(
                                Some(index),
                                format!("stored tree hash {next_hash_id} is missing (found {id})"),
                            ))
                        }
                        Some(Err(e)) => return Err(e).db(&name),
                        None => {
                            return Ok(problem(
                                Some(index),
                                format!("stored tree hash {next_hash_id} is missing"),
                            ))
                        }
                    }
                }
                let size = index + 1;
                while next_checkpoint < checkpoints.len()
                    && checkpoints[next_checkpoint].tree_size == size
                {
                    let root = frontier.root();
                    if root != checkpoints[next_checkpoint].root_hash.0 {
                        return Ok(problem(
                            Some(index),
                            format!(
                                "the signed checkpoint for size {size} has root {}, the entries give {}",
                                checkpoints[next_checkpoint].root_hash,
                                TreeHash(root)
                            ),
                        ));
                    }
                    next_checkpoint += 1;
                    report.checkpoints += 1;
                }
            }
            report.entries += chunk.len() as u64;
            if let Some(progress) = options.progress {
                progress(report.entries, total);
            }
        }
        Ok(None)
    })?;
    if outcome.is_some() {
        return Ok(outcome);
    }
    let entries = report.entries;
    report.root_hash = Some(TreeHash(frontier.root()));
    if let Some(missing) = checkpoints.get(next_checkpoint) {
        return Ok(problem(
            Some(entries),
            format!(
                "a signed checkpoint covers {} entries but the ledger holds {entries}: the ledger was truncated",
                missing.tree_size
            ),
        ));
    }
    if latest.tree_size != entries {
        return Ok(problem(
            Some(latest.tree_size),
            format!(
                "entries {}..{entries} are not covered by any signed checkpoint: the latest checkpoint was removed or replaced by an older one",
                latest.tree_size
            ),
        ));
    }
    if let Some(extra) = stored_hashes.next() {
        let id = extra.map(|(id, _)| id).unwrap_or(next_hash_id);
        return Ok(problem(
            None,
            format!("stored tree hash {id} belongs to no entry"),
        ));
    }
    Ok(None)
}

/// Streams entries (with their subjects) in chunks over a second, read-only connection.
fn read_chunks(path: &Path, sender: &mpsc::SyncSender<Result<Vec<Row>, LedgerError>>) {
    let name = path.display().to_string();
    let result = (|| -> Result<(), LedgerError> {
        let conn = db::open_reader(path)?;
        let mut entries = conn
            .prepare("SELECT idx, kind, integrated_at, body, body_sha256, leaf_hash, signer FROM entries WHERE idx >= ?1 ORDER BY idx LIMIT ?2")
            .db(&name)?;
        let mut subjects = conn
            .prepare("SELECT idx, digest FROM entry_subjects WHERE idx BETWEEN ?1 AND ?2 ORDER BY idx, digest")
            .db(&name)?;
        let mut from: i64 = 0;
        loop {
            let mut rows: Vec<Row> = entries
                .query_map([from, CHUNK], |r| {
                    Ok(Row {
                        idx: r.get(0)?,
                        kind: r.get(1)?,
                        integrated_at: r.get(2)?,
                        body: r.get(3)?,
                        body_sha: r.get(4)?,
                        leaf: r.get(5)?,
                        signer: r.get(6)?,
                        subjects: Vec::new(),
                    })
                })
                .and_then(Iterator::collect)
                .db(&name)?;
            let (Some(first), Some(last)) =
                (rows.first().map(|r| r.idx), rows.last().map(|r| r.idx))
            else {
                return Ok(());
            };
            let pairs: Vec<(i64, String)> = subjects
                .query_map([first, last], |r| Ok((r.get(0)?, r.get(1)?)))
                .and_then(Iterator::collect)
                .db(&name)?;
            let mut pairs = pairs.into_iter().peekable();
            for row in &mut rows {
                while let Some((idx, _)) = pairs.peek() {
                    if *idx < row.idx {
                        pairs.next();
                    } else {
                        break;
                    }
                }
                while let Some((_, digest)) = pairs.next_if(|(idx, _)| *idx == row.idx) {
                    row.subjects.push(digest);
                }
            }
            from = last + 1;
            if sender.send(Ok(rows)).is_err() {
                return Ok(());
            }
        }
    })();
    if let Err(e) = result {
        let _ = sender.send(Err(e));
    }
}

/// Verifies the pending signatures of a chunk in parallel batches; returns what is wrong with
/// the entries (by position in the chunk) whose signature fails. A failed batch is re-checked
/// one envelope at a time, strictly, trying every signature of the envelope.
fn verify_signatures(
    chunk: &[Row],
    checked: &[Result<([u8; 32], Signature), String>],
    keys: &[PublicKey],
) -> HashMap<usize, String> {
    let pending: Vec<(usize, &[u8], &[u8], &PublicKey)> = checked
        .iter()
        .enumerate()
        .filter_map(|(position, result)| match result {
            Ok((_, Signature::Pending { message, sig, key })) => {
                Some((position, &message[..], &sig[..], &keys[*key]))
            }
            _ => None,
        })
        .collect();
    pending
        .par_chunks(SIGNATURE_BATCH)
        .flat_map_iter(|group| {
            let items: Vec<(&[u8], &[u8], &PublicKey)> = group.iter().map(|&(_, m, s, k)| (m, s, k)).collect();
            let failures: Vec<(usize, String)> = if verify_batch(&items) {
                Vec::new()
            } else {
                group
                    .iter()
                    .filter_map(|&(position, _, _, key)| {
                        let envelope = Envelope::from_json(&chunk[position].body).ok()?;
                        verify_review(&envelope, std::slice::from_ref(key)).err().map(|e| {
                            (position, format!("the attestation no longer verifies with its signer's key: {e}"))
                        })
                    })
                    .collect()
            };
            failures
        })
        .collect()
}

/// Checks one entry on its own; returns its recomputed leaf hash.
fn check_entry(row: &Row, keys: &[PublicKey]) -> Result<([u8; 32], Signature), String> {
    let kind: EntryKind = row.kind.parse()?;
    if Sha256::digest(&row.body)[..] != row.body_sha[..] {
        return Err("the stored body_sha256 does not match the body: the entry was changed".into());
    }
    let leaf = leaf_hash(kind, row.integrated_at, &row.body);
    if leaf[..] != row.leaf[..] {
        return Err(
            "the entry's bytes do not hash to its stored leaf hash: the entry was changed".into(),
        );
    }
    match kind {
        EntryKind::Attestation => {
            let envelope = Envelope::from_json(&row.body)
                .map_err(|e| format!("the body is not an envelope: {e}"))?;
            let statement = Statement::from_payload(&envelope.payload)
                .map_err(|e| format!("the body is not a Statement: {e}"))?;
            let mut digests: Vec<String> = statement
                .subject
                .iter()
                .map(|s| s.sha256().to_string())
                .collect();
            digests.sort();
            digests.dedup();
            if digests != row.subjects {
                return Err(format!(
                    "the indexed subjects {:?} are not the Statement's {digests:?}",
                    row.subjects
                ));
            }
            let Some(signer) = &row.signer else {
                return Ok((leaf, Signature::Unchecked));
            };
            if !envelope
                .signatures
                .iter()
                .any(|s| s.keyid.is_empty() || &s.keyid == signer)
            {
                return Err(format!(
                    "the recorded signer {signer} is not among the envelope's key ids"
                ));
            }
            let Some(key) = keys.iter().position(|k| k.id().to_string() == *signer) else {
                return Ok((leaf, Signature::Unchecked));
            };
            let sig = envelope
                .signatures
                .iter()
                .find(|s| &s.keyid == signer)
                .or_else(|| envelope.signatures.first())
                .map(|s| s.sig.clone())
                .unwrap_or_default();
            Ok((
                leaf,
                Signature::Pending {
                    message: pae(&envelope.payload_type, &envelope.payload),
                    sig,
                    key,
                },
            ))
        }
    }
}

/// The right edge of an RFC 9162 tree being built leaf by leaf: one complete subtree per set
/// bit of the size. Each push yields the hashes tlog stores for that record, in stored order.
#[derive(Default)]
struct Frontier {
    stack: Vec<(u32, [u8; 32])>,
}

impl Frontier {
    fn push(&mut self, leaf: [u8; 32]) -> Vec<[u8; 32]> {
        let mut emitted = vec![leaf];
        let mut node = (0u32, leaf);
        while let Some(&(height, left)) = self.stack.last() {
            if height != node.0 {
                break;
            }
            self.stack.pop();
            node = (height + 1, node_hash(&left, &node.1));
            emitted.push(node.1);
        }
        self.stack.push(node);
        emitted
    }

    fn root(&self) -> [u8; 32] {
        let mut iter = self.stack.iter().rev();
        let Some(&(_, mut hash)) = iter.next() else {
            return tlog_tiles::EMPTY_HASH.0;
        };
        for (_, left) in iter {
            hash = node_hash(left, &hash);
        }
        hash
    }
}

fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frontier_matches_tlog_roots_and_stored_hashes() {
        #[derive(Default)]
        struct Mem(Vec<tlog_tiles::Hash>);
        impl tlog_tiles::HashReader for Mem {
            fn read_hashes(
                &self,
                indexes: &[u64],
            ) -> Result<Vec<tlog_tiles::Hash>, tlog_tiles::Error> {
                Ok(indexes.iter().map(|&i| self.0[i as usize]).collect())
            }
        }
        let mut mem = Mem::default();
        let mut frontier = Frontier::default();
        assert_eq!(frontier.root(), tlog_tiles::EMPTY_HASH.0);
        for n in 0..300u64 {
            let data = n.to_le_bytes();
            let stored = tlog_tiles::stored_hashes(n, &data, &mem).unwrap();
            let emitted = frontier.push(tlog_tiles::record_hash(&data).0);
            assert_eq!(
                emitted,
                stored.iter().map(|h| h.0).collect::<Vec<_>>(),
                "record {n}"
            );
            mem.0.extend(stored);
            assert_eq!(
                frontier.root(),
                tlog_tiles::tree_hash(n + 1, &mem).unwrap().0,
                "size {}",
                n + 1
            );
        }
    }
}
