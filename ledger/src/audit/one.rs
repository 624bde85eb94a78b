//! Auditing one entry on its own, for a caller that trusts a checkpoint already (vouchd, which
//! verified it with the log key at start-up): the entry's bytes against its leaf hash, the leaf
//! against the checkpoint's root by an inclusion proof from the stored tree, its derived columns
//! against its content, and the reviewer's signature on its own. What the full audit checks of each
//! entry, at O(log n) reads instead of O(n).

use rusqlite::OptionalExtension;
use vouch_proto::{Checkpoint, PublicKey, TreeHash};

use super::entries::{check_entry, Content, Signature};
use super::AuditedEntry;
use crate::error::{DbContext, LedgerError};
use crate::read::{to_i64, View};
use crate::snapshot::Row;

/// Entry `index` checked against `checkpoint` (verified by the caller with the log key), its
/// signer set only when the reviewer's key is among `keys` and its signature verifies.
/// `Err(LedgerError::Integrity)` when the entry is missing, changed, or not in the tree.
pub fn audit_one(
    view: &View<'_>,
    index: u64,
    checkpoint: &Checkpoint,
    keys: &[PublicKey],
) -> Result<AuditedEntry, LedgerError> {
    let bad = |what: String| LedgerError::Integrity {
        path: view.path.to_string(),
        message: format!("entry {index}: {what}"),
    };
    if index >= checkpoint.tree_size {
        return Err(bad(format!(
            "not in the checkpoint's tree of {} entries",
            checkpoint.tree_size
        )));
    }
    let row = read_row(view, index)?.ok_or_else(|| bad("missing".into()))?;
    let checked = check_entry(&row, keys).map_err(|(_, what)| bad(what))?;
    let mut proof = view.inclusion_proof(index, checkpoint.tree_size)?;
    proof.leaf_hash = TreeHash(checked.leaf);
    proof.verify(&checkpoint.root_hash).map_err(|e| {
        bad(format!(
            "its bytes are not the leaf the signed tree holds: {e}"
        ))
    })?;
    let signer = match (&checked.signature, &checked.content) {
        (
            Signature::Pending { message, sig, key },
            Content::Attestation {
                reviewer, envelope, ..
            },
        ) => {
            let valid = keys[*key].verify(message, sig)
                || envelope
                    .verified_keys(std::slice::from_ref(&keys[*key]))
                    .is_ok();
            if !valid {
                return Err(bad(
                    "the attestation no longer verifies with its reviewer's key".into(),
                ));
            }
            Some(*reviewer)
        }
        _ => None,
    };
    Ok(super::audited(&row, checked.content, signer))
}

/// The stored row of entry `index`, with its subjects.
fn read_row(view: &View<'_>, index: u64) -> Result<Option<Row>, LedgerError> {
    let idx = to_i64(index)?;
    let row = view
        .conn
        .prepare_cached(
            "SELECT idx, kind, integrated_at, body, body_sha256, leaf_hash, signer, signed_key FROM entries WHERE idx = ?1",
        )
        .db(view.path)?
        .query_row([idx], Row::read)
        .optional()
        .db(view.path)?;
    let Some(mut row) = row else {
        return Ok(None);
    };
    row.subjects = view
        .conn
        .prepare_cached("SELECT digest FROM entry_subjects WHERE idx = ?1 ORDER BY digest")
        .db(view.path)?
        .query_map([idx], |r| r.get::<_, String>(0))
        .db(view.path)?
        .collect::<Result<_, _>>()
        .db(view.path)?;
    Ok(Some(row))
}
