//! The trust index saved between runs (`<db>.index`), so that a restart answers at once instead
//! of after a full audit. The file lists which entries hold reviews of which digest, and the
//! retractions and key revocations, at one tree size; it is sealed with the log key (see
//! [`vouch_ledger::check_seal`]) and bound to that tree's root.
//!
//! What it can and cannot do: no review's content comes from it. A restored index reads each
//! review from the ledger and verifies it (bytes, leaf hash, inclusion in the signed tree,
//! signature) the first time an answer needs it, and a full audit rebuilds the whole index in
//! the background. Entries appended after the saved size are verified one by one before vouchd
//! answers. A file that is missing, changed, sealed for another tree, or saved with other keys
//! is not used: vouchd audits in full as it always did. Only the log key's holder could seal a
//! file that leaves a review out, and that holder could already sign a rewritten ledger.

use std::path::{Path, PathBuf};

use vouch_ledger::{audit_one, check_seal, Ledger, LedgerError};
use vouch_proto::{Digest, KeyId, Policy, PublicKey};
use vouch_trust::{signed_key_of_stored, Loader, SavedIndex, TrustIndex};

/// What the seal says the file is.
const PURPOSE: &str = "trust-index";

/// The most entries appended after the saved size that start-up verifies one by one; with more,
/// a full audit is as quick.
pub(crate) const MAX_TAIL: u64 = 20_000;

/// Where the index of the ledger at `db` is saved.
pub(crate) fn path_for(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".index");
    PathBuf::from(name)
}

/// A restored index, and the latest policy entry.
pub(crate) struct Restored {
    pub(crate) index: TrustIndex,
    pub(crate) latest_policy: Option<(u64, Policy)>,
    pub(crate) tail: u64,
}

/// The saved index of `ledger`, if it is there, sealed for this ledger's tree and saved with
/// exactly `keys`: entries after it verified, reviews to be verified through `loader`. `Err`
/// says why it is not used (the caller audits in full).
pub(crate) fn restore(
    ledger: &Ledger,
    keys: &[PublicKey],
    loader: Loader,
) -> Result<Restored, String> {
    let path = path_for(&ledger.path());
    let bytes = std::fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let split = bytes.len().checked_sub(64).ok_or("the file is too short")?;
    let (content, seal) = bytes.split_at(split);
    let saved = SavedIndex::from_bytes(content).map_err(|e| e.to_string())?;
    let size = ledger.size();
    if saved.tree_size > size || size - saved.tree_size > MAX_TAIL {
        return Err(format!(
            "it was saved at {} entries and the ledger has {size}",
            saved.tree_size
        ));
    }
    let view = ledger.view();
    let root = view.root_at(saved.tree_size).map_err(|e| e.to_string())?;
    let sealed = check_seal(
        ledger.log_key(),
        PURPOSE,
        saved.tree_size,
        &root,
        &Digest::of(content),
        seal,
    );
    if root != saved.root || !sealed {
        return Err("its seal does not verify with the log key for this ledger's tree".into());
    }
    if saved.keys != key_ids(keys) {
        return Err("it was saved with other reviewer keys".into());
    }
    let checkpoint = ledger.checkpoint();
    let check = |index: u64| -> Result<_, String> {
        audit_one(&view, index, checkpoint, keys).map_err(|e| e.to_string())
    };
    let mut latest_policy = match saved.policy_entry {
        Some(at) => {
            let entry = check(at)?;
            let policy = entry.policy.ok_or("its policy entry holds no policy")?;
            Some((at, policy.policy))
        }
        None => None,
    };
    let from = saved.tree_size;
    let index = TrustIndex::restore(saved, loader);
    for at in from..size {
        let entry = check(at)?;
        if let Some(policy) = &entry.policy {
            latest_policy = Some((at, policy.policy.clone()));
        }
        let resolve = |body: &Digest, signer: &KeyId| signed_key_of_stored(&view, body, signer);
        index.admit(entry, latest_policy.as_ref().map(|(_, p)| p), &resolve);
    }
    Ok(Restored {
        index,
        latest_policy,
        tail: size - from,
    })
}

/// Saves `index` (complete for `keys` at the ledger's latest checkpoint), sealed, replacing the
/// file atomically (0600).
pub(crate) fn save(
    ledger: &Ledger,
    index: &TrustIndex,
    keys: &[KeyId],
    policy_entry: Option<u64>,
) -> Result<(), LedgerError> {
    let checkpoint = ledger.checkpoint();
    let mut saved = index.saved();
    saved.tree_size = checkpoint.tree_size;
    saved.root = checkpoint.root_hash;
    saved.keys = sorted(keys.to_vec());
    saved.policy_entry = policy_entry;
    let mut bytes = saved.to_bytes();
    let seal = ledger.seal(PURPOSE, &Digest::of(&bytes));
    bytes.extend_from_slice(&seal);
    let path = path_for(&ledger.path());
    let temporary = path.with_extension("index.new");
    let _ = std::fs::remove_file(&temporary);
    vouch_ledger::files::write_new(&temporary, &bytes, 0o600)
        .and_then(|()| std::fs::rename(&temporary, &path))
        .map_err(|e| LedgerError::Setup {
            path: path.display().to_string(),
            message: format!("saving the trust index: {e}"),
        })?;
    tracing::info!(
        reviews = saved.reviews.len(),
        size = saved.tree_size,
        "saved the trust index"
    );
    Ok(())
}

fn key_ids(keys: &[PublicKey]) -> Vec<KeyId> {
    sorted(keys.iter().map(PublicKey::id).collect())
}

fn sorted(mut keys: Vec<KeyId>) -> Vec<KeyId> {
    keys.sort_unstable();
    keys.dedup();
    keys
}
