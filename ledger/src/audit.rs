//! The offline audit behind `vouch log verify`: re-hash every entry, re-derive its indexed
//! columns, re-verify the signatures it can, rebuild the tree and the stored hashes, and check
//! every signed checkpoint against the rebuilt roots. Reading runs on one thread while hashing
//! and signature checks run on all cores.

use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc;

use rayon::prelude::*;
use vouch_proto::report::{AuditProblem, AuditReport, ProblemKind};
use vouch_proto::{
    verify_batch, verify_checkpoint, Checkpoint, Digest, EntryKind, Envelope, KeyId, PolicyEntry,
    PublicKey, Statement, TreeHash,
};

use crate::db;
use crate::error::LedgerError;
use crate::frontier::Frontier;
use crate::logkey;
use crate::read::to_u64;
use crate::snapshot::{self, Head, Part, Row};

mod entries;
mod one;

pub use one::audit_one;

use entries::{check_entry, Checked, Content, Signature};

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
    /// Called, in index order, with every entry that passed its own checks (bytes, leaf hash,
    /// derived columns, signature when its key is given). Callers that index the ledger build
    /// from these and keep the result only if the whole audit passes.
    pub on_entry: Option<&'a (dyn Fn(AuditedEntry) + Sync)>,
}

/// An entry as the audit checked it: its bytes hash to its leaf, and `signer` is set only when
/// the reviewer's signature verified with one of the given keys.
pub struct AuditedEntry {
    /// The leaf index.
    pub index: u64,
    /// What it holds.
    pub kind: EntryKind,
    /// When it was integrated (unix seconds), as bound into the leaf hash.
    pub integrated_at: i64,
    /// The sha256 of its stored bytes, checked against them.
    pub body_sha256: Digest,
    /// The envelope, decoded (attestations).
    pub envelope: Option<Envelope>,
    /// Its Statement, read strictly, no repeated keys (attestations).
    pub statement: Option<Statement<vouch_proto::RawPredicate>>,
    /// The reviewer key whose signature verified; `None` when that key was not given.
    pub signer: Option<KeyId>,
    /// What its reviewer signed ([`vouch_proto::signed_content_key`], recomputed from the
    /// bytes), the same for every encoding of the same signed statement (attestations).
    pub signed_key: Option<[u8; 32]>,
    /// The policy (policy entries).
    pub policy: Option<Box<PolicyEntry>>,
}

/// A problem to report: the first bad index, if any, and what is wrong.
pub type Problem = AuditProblem;

/// Signatures per batch verification.
const SIGNATURE_BATCH: usize = 64;

/// Audits the ledger at `path` as one consistent snapshot (one read transaction), so appends
/// made while it runs neither disturb it nor hide in it. `Err` means the audit could not run
/// (no such file, not a ledger, no log key); a tampered ledger is `Ok` with `intact: false` and
/// the problem.
pub fn audit(path: &Path, options: &AuditOptions<'_>) -> Result<AuditReport, LedgerError> {
    let name = path.display().to_string();
    let conn = db::open_reader(path)?;
    let mut report = AuditReport {
        path: name.clone(),
        ..AuditReport::default()
    };
    let log_key = match &options.log_key {
        Some(key) => key.clone(),
        None => logkey::load_public(&logkey::public_key_path(path))?,
    };
    report.log_key_id = Some(log_key.id());
    let problem = std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::sync_channel::<Result<Part, LedgerError>>(2);
        let reader_name = name.clone();
        scope.spawn(move || snapshot::stream(conn, &reader_name, &sender));
        let result = run(&receiver, &log_key, options, &mut report);
        // Dropping the receiver stops the reader at its next chunk.
        drop(receiver);
        result
    })?;
    report.intact = problem.is_none();
    report.problem = problem;
    Ok(report)
}

fn problem(kind: ProblemKind, index: Option<u64>, what: impl Into<String>) -> Option<Problem> {
    Some(Problem {
        kind,
        index,
        what: what.into(),
    })
}

fn next(receiver: &mpsc::Receiver<Result<Part, LedgerError>>) -> Result<Part, LedgerError> {
    receiver.recv().map_err(|_| LedgerError::Setup {
        path: String::new(),
        message: "the audit's reading thread stopped".into(),
    })?
}

/// Every stored checkpoint (signature, origin, and that its row agrees with its note), then
/// the known ones. Returns them sorted by size, and the latest stored one.
fn checkpoints(
    head: &Head,
    log_key: &PublicKey,
    options: &AuditOptions<'_>,
) -> Result<(Vec<Checkpoint>, Checkpoint), Problem> {
    let fail = |kind, what: String| Problem {
        kind,
        index: None,
        what,
    };
    let mut checkpoints: Vec<Checkpoint> = Vec::with_capacity(head.checkpoints.len());
    for (size, root, note) in &head.checkpoints {
        let checkpoint = verify_checkpoint(note, log_key, Some(&head.origin)).map_err(|e| {
            fail(
                ProblemKind::CheckpointInvalid,
                format!("checkpoint at size {size}: {e}"),
            )
        })?;
        if to_u64(*size) != checkpoint.tree_size || root[..] != checkpoint.root_hash.0[..] {
            return Err(fail(ProblemKind::CheckpointReplaced, format!("the checkpoint row for size {size} holds a signed checkpoint for size {}: checkpoints were replaced", checkpoint.tree_size)));
        }
        checkpoints.push(checkpoint);
    }
    let latest = checkpoints
        .last()
        .cloned()
        .ok_or_else(|| fail(ProblemKind::NoCheckpoint, "there are no checkpoints".into()))?;
    for note in &options.known_checkpoints {
        let known = verify_checkpoint(note, log_key, Some(&head.origin)).map_err(|e| {
            fail(
                ProblemKind::KnownCheckpointInvalid,
                format!("a known checkpoint does not verify: {e}"),
            )
        })?;
        if known.tree_size > latest.tree_size {
            return Err(fail(ProblemKind::RolledBack, format!(
                "a known checkpoint covers {} entries but the ledger's latest covers {}: the ledger was rolled back",
                known.tree_size, latest.tree_size
            )));
        }
        match checkpoints.iter().find(|c| c.tree_size == known.tree_size) {
            Some(stored) if stored.root_hash != known.root_hash => {
                return Err(fail(ProblemKind::Forked, format!("a known checkpoint for size {} has another root than the stored one: the log was forked", known.tree_size)))
            }
            Some(_) => {}
            None => checkpoints.push(known),
        }
    }
    checkpoints.sort_by_key(|c| c.tree_size);
    Ok((checkpoints, latest))
}

/// The state of a replay: the tree being rebuilt and how far the checks have come.
struct Replay {
    frontier: Frontier,
    checkpoints: Vec<Checkpoint>,
    next_checkpoint: usize,
    next_hash_id: i64,
    expected_idx: i64,
}

impl Replay {
    /// Adds entry `index`'s leaf to the tree: the hashes tlog stores for it must be the next
    /// stored ones, and every checkpoint at the new size must have the new root.
    fn extend(
        &mut self,
        leaf: [u8; 32],
        index: u64,
        stored: &mut impl Iterator<Item = (i64, Vec<u8>)>,
        report: &mut AuditReport,
    ) -> Option<Problem> {
        for hash in self.frontier.push(leaf) {
            let expected = self.next_hash_id;
            match stored.next() {
                Some((id, hash_stored)) if id == expected && hash_stored[..] == hash[..] => {
                    self.next_hash_id += 1
                }
                Some((id, _)) if id == expected => {
                    return problem(
                        ProblemKind::TreeHashMismatch,
                        Some(index),
                        format!("stored tree hash {id} does not match the entries"),
                    )
                }
                Some((id, _)) => {
                    return problem(
                        ProblemKind::TreeHashMissing,
                        Some(index),
                        format!("stored tree hash {expected} is missing (found {id})"),
                    )
                }
                None => {
                    return problem(
                        ProblemKind::TreeHashMissing,
                        Some(index),
                        format!("stored tree hash {expected} is missing"),
                    )
                }
            }
        }
        self.reach(index + 1, report)
    }

    /// Checks every checkpoint for exactly `size` entries against the tree so far.
    fn reach(&mut self, size: u64, report: &mut AuditReport) -> Option<Problem> {
        while let Some(checkpoint) = self
            .checkpoints
            .get(self.next_checkpoint)
            .filter(|c| c.tree_size == size)
        {
            let root = self.frontier.root();
            if root != checkpoint.root_hash.0 {
                return problem(
                    ProblemKind::CheckpointMismatch,
                    size.checked_sub(1),
                    format!(
                        "the signed checkpoint for size {size} has root {}, the entries give {}",
                        checkpoint.root_hash,
                        TreeHash(root)
                    ),
                );
            }
            self.next_checkpoint += 1;
            report.checkpoints += 1;
        }
        None
    }
}

fn run(
    receiver: &mpsc::Receiver<Result<Part, LedgerError>>,
    log_key: &PublicKey,
    options: &AuditOptions<'_>,
    report: &mut AuditReport,
) -> Result<Option<Problem>, LedgerError> {
    let Part::Head(head) = next(receiver)? else {
        return Ok(problem(
            ProblemKind::Other,
            None,
            "the snapshot did not start with its head",
        ));
    };
    report.origin = head.origin.clone();
    if head.log_key_id != log_key.id().to_string() {
        return Ok(problem(
            ProblemKind::LogKeySwapped,
            None,
            format!(
                "log key swapped: the ledger was created with key {}, the log key is {}",
                head.log_key_id,
                log_key.id()
            ),
        ));
    }
    let (checkpoints, latest) = match checkpoints(&head, log_key, options) {
        Ok(found) => found,
        Err(found) => return Ok(Some(found)),
    };
    report.tree_size = latest.tree_size;
    let mut replay = Replay {
        frontier: Frontier::default(),
        checkpoints,
        next_checkpoint: 0,
        next_hash_id: 0,
        expected_idx: 0,
    };
    // Size 0 checkpoints are the empty tree (the frontier's root is the empty hash).
    if replay.reach(0, report).is_some() {
        return Ok(problem(
            ProblemKind::CheckpointMismatch,
            None,
            "the checkpoint for the empty tree has a non-empty root",
        ));
    }
    let extra_hash = loop {
        match next(receiver)? {
            Part::Chunk { rows, hashes } => {
                if let Some(found) = replay_chunk(&rows, hashes, &mut replay, options, report) {
                    return Ok(Some(found));
                }
                if let Some(progress) = options.progress {
                    progress(report.entries, head.total);
                }
            }
            Part::End { extra_hash } => break extra_hash,
            Part::Head(_) => {
                return Ok(problem(
                    ProblemKind::Other,
                    None,
                    "the snapshot sent its head twice",
                ))
            }
        }
    };
    Ok(finish(&replay, &latest, extra_hash, report))
}

/// The checks once every entry was replayed: no checkpoint beyond the entries, no entries
/// beyond the latest checkpoint, no stored hash beyond the tree.
fn finish(
    replay: &Replay,
    latest: &Checkpoint,
    extra_hash: Option<i64>,
    report: &mut AuditReport,
) -> Option<Problem> {
    let entries = report.entries;
    report.root_hash = Some(TreeHash(replay.frontier.root()));
    if let Some(missing) = replay.checkpoints.get(replay.next_checkpoint) {
        return problem(
            ProblemKind::Truncated,
            Some(entries),
            format!(
                "a signed checkpoint covers {} entries but the ledger holds {entries}: the ledger was truncated",
                missing.tree_size
            ),
        );
    }
    if latest.tree_size != entries {
        return problem(
            ProblemKind::Uncovered,
            Some(latest.tree_size),
            format!(
                "entries {}..{entries} are not covered by any signed checkpoint: the latest checkpoint was removed or replaced by an older one",
                latest.tree_size
            ),
        );
    }
    extra_hash.and_then(|id| {
        problem(
            ProblemKind::ExtraTreeHash,
            None,
            format!("stored tree hash {id} belongs to no entry"),
        )
    })
}

/// Checks one chunk: each entry on its own (in parallel), the signatures (in batches), then in
/// order the tree hashes and the checkpoints they reach. The first problem ends the audit.
fn replay_chunk(
    rows: &[Row],
    hashes: Vec<(i64, Vec<u8>)>,
    replay: &mut Replay,
    options: &AuditOptions<'_>,
    report: &mut AuditReport,
) -> Option<Problem> {
    let checked: Vec<Result<Checked, (ProblemKind, String)>> = rows
        .par_iter()
        .map(|row| check_entry(row, &options.reviewer_keys))
        .collect();
    let mut bad_signatures = verify_signatures(&checked, &options.reviewer_keys);
    let mut stored_hashes = hashes.into_iter();
    for (position, (row, result)) in rows.iter().zip(checked).enumerate() {
        let index = to_u64(row.idx);
        if row.idx != replay.expected_idx {
            return problem(
                ProblemKind::EntryMissing,
                Some(to_u64(replay.expected_idx)),
                format!("entry {} is missing (the next stored entry is {}): rows were deleted or reordered", replay.expected_idx, row.idx),
            );
        }
        replay.expected_idx += 1;
        let checked = match result {
            Ok(checked) => checked,
            Err((kind, what)) => return problem(kind, Some(index), what),
        };
        let signer = match (&checked.signature, &checked.content) {
            (Signature::Pending { .. }, Content::Attestation { reviewer, .. }) => {
                if let Some(what) = bad_signatures.remove(&position) {
                    return problem(ProblemKind::BadSignature, Some(index), what);
                }
                report.signatures_verified += 1;
                Some(*reviewer)
            }
            (_, Content::Attestation { .. }) => {
                report.signatures_unchecked += 1;
                None
            }
            (_, Content::Policy(_)) => None,
        };
        if let Some(found) = replay.extend(checked.leaf, index, &mut stored_hashes, report) {
            return Some(found);
        }
        report.entries += 1;
        if let Some(on_entry) = options.on_entry {
            on_entry(audited(row, checked.content, signer));
        }
    }
    None
}

/// The entry a row holds once checked, for the caller: its content, and its signer when the
/// reviewer's signature verified.
fn audited(row: &Row, content: Content, signer: Option<KeyId>) -> AuditedEntry {
    // check_entry compared the stored body_sha256 with the body's hash: 32 bytes.
    let body_sha256 = Digest::from_bytes(row.body_sha.as_slice().try_into().unwrap_or([0; 32]));
    let (kind, envelope, statement, policy, signed_key) = match content {
        Content::Attestation {
            envelope,
            statement,
            signed_key,
            ..
        } => (
            EntryKind::Attestation,
            Some(envelope),
            Some(statement),
            None,
            Some(signed_key),
        ),
        Content::Policy(policy) => (EntryKind::Policy, None, None, Some(policy), None),
    };
    AuditedEntry {
        index: to_u64(row.idx),
        kind,
        integrated_at: row.integrated_at,
        body_sha256,
        envelope,
        statement,
        signer,
        signed_key,
        policy,
    }
}

/// A signature to check: the entry's position in its chunk, the PAE, the signature, the key,
/// and the envelope (for the one-by-one re-check when a batch fails).
type PendingCheck<'a> = (usize, &'a [u8], &'a [u8], &'a PublicKey, &'a Envelope);

/// Verifies the pending signatures of a chunk in parallel batches; returns what is wrong with
/// the entries (by position in the chunk) whose signature fails. A failed batch is re-checked
/// one envelope at a time, trying every signature of the envelope.
fn verify_signatures(
    checked: &[Result<Checked, (ProblemKind, String)>],
    keys: &[PublicKey],
) -> HashMap<usize, String> {
    let pending: Vec<PendingCheck<'_>> = checked
        .iter()
        .enumerate()
        .filter_map(|(position, result)| match result {
            Ok(Checked {
                signature: Signature::Pending { message, sig, key },
                content: Content::Attestation { envelope, .. },
                ..
            }) => Some((position, &message[..], &sig[..], &keys[*key], envelope)),
            _ => None,
        })
        .collect();
    pending
        .par_chunks(SIGNATURE_BATCH)
        .flat_map_iter(|group| {
            let items: Vec<(&[u8], &[u8], &PublicKey)> =
                group.iter().map(|&(_, m, s, k, _)| (m, s, k)).collect();
            let failures: Vec<(usize, String)> = if verify_batch(&items) {
                Vec::new()
            } else {
                group
                    .iter()
                    .filter_map(|&(position, _, _, key, envelope)| {
                        envelope.verified_keys(std::slice::from_ref(key)).err().map(|e| {
                            (position, format!("the attestation no longer verifies with its reviewer's key: {e}"))
                        })
                    })
                    .collect()
            };
            failures
        })
        .collect()
}
