//! Signed checkpoints of the ledger in the C2SP tlog-checkpoint format, signed as C2SP signed
//! notes with the log's ed25519 key:
//!
//! ```text
//! <origin>
//! <tree size>
//! <base64 root hash>
//!
//! — <origin> <base64(key hash || signature)>
//! ```
//!
//! The note key name is the origin; the key hash is the signed-note key id of the log's public
//! key under that name.

use serde::{Deserialize, Serialize};
use signed_note::{Note, StandardVerifier, VerifierList};

use crate::error::CheckpointError;
use crate::key::{PublicKey, SecretKey};
use crate::proof::TreeHash;

/// A checkpoint whose signature has been checked (or that was just signed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    /// The log's origin line: its unique name.
    pub origin: String,
    /// The number of entries the tree covers.
    pub tree_size: u64,
    /// The RFC 9162 root hash of those entries.
    pub root_hash: TreeHash,
    /// The whole signed note, as text.
    pub note: String,
}

/// The signed-note verifier key (`<name>+<hex id>+<base64 key>`) of the log key under `origin`.
pub fn verifier_key(origin: &str, key: &PublicKey) -> String {
    signed_note::new_ed25519_verifier_key(origin, key.verifying_key())
}

struct NoteSigner<'a> {
    origin: &'a str,
    id: u32,
    key: &'a SecretKey,
}

impl signed_note::Signer for NoteSigner<'_> {
    fn name(&self) -> &str {
        self.origin
    }

    fn key_id(&self) -> u32 {
        self.id
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, signature::Error> {
        Ok(self.key.sign(msg).to_vec())
    }
}

fn note_key_id(origin: &str, key: &PublicKey) -> u32 {
    // Signed-note key ids hash the name, a newline, the algorithm byte (1 = ed25519) and the key.
    let mut encoded = vec![0x01];
    encoded.extend_from_slice(key.verifying_key().as_bytes());
    signed_note::key_id(origin, &encoded)
}

/// Signs a checkpoint for a tree of `tree_size` entries with root `root_hash`.
pub fn sign_checkpoint(
    origin: &str,
    tree_size: u64,
    root_hash: TreeHash,
    key: &SecretKey,
) -> Result<Checkpoint, CheckpointError> {
    let body = tlog_tiles::Checkpoint::new(origin, tree_size, tlog_tiles::Hash(root_hash.0), "")
        .map_err(|e| CheckpointError::Malformed(e.to_string()))?;
    let mut note =
        Note::new(&body.to_bytes(), &[]).map_err(|e| CheckpointError::Malformed(e.to_string()))?;
    let signer = NoteSigner {
        origin,
        id: note_key_id(origin, key.public()),
        key,
    };
    note.add_sigs(&[&signer])
        .map_err(|e| CheckpointError::Malformed(e.to_string()))?;
    let note = String::from_utf8(note.to_bytes())
        .map_err(|e| CheckpointError::Malformed(e.to_string()))?;
    Ok(Checkpoint {
        origin: origin.to_string(),
        tree_size,
        root_hash,
        note,
    })
}

/// The origin (checkpoint name) of a Vouch ledger whose log key has id `log_key`:
/// `vouch.local/ledger/` and the first 16 hex digits of the key id. A verifier that pins the
/// log key therefore pins the log's name too.
pub fn ledger_origin(log_key: &crate::key::KeyId) -> String {
    format!("vouch.local/ledger/{}", log_key.short())
}

/// Parses a signed checkpoint note and checks its signature by `log_key`. When
/// `expected_origin` is given, the checkpoint must be for that log.
pub fn verify_checkpoint(
    note: &str,
    log_key: &PublicKey,
    expected_origin: Option<&str>,
) -> Result<Checkpoint, CheckpointError> {
    let parsed =
        Note::from_bytes(note.as_bytes()).map_err(|e| CheckpointError::Malformed(e.to_string()))?;
    let body = tlog_tiles::Checkpoint::from_bytes(parsed.text())
        .map_err(|e| CheckpointError::Malformed(e.to_string()))?;
    if let Some(expected) = expected_origin {
        if body.origin() != expected {
            return Err(CheckpointError::Origin {
                found: body.origin().to_string(),
                expected: expected.to_string(),
            });
        }
    }
    let verifier = StandardVerifier::new(&verifier_key(body.origin(), log_key))
        .map_err(|e| CheckpointError::Malformed(e.to_string()))?;
    parsed
        .verify(&VerifierList::new(vec![Box::new(verifier)]))
        .map_err(|e| CheckpointError::Signature(e.to_string()))?;
    Ok(Checkpoint {
        origin: body.origin().to_string(),
        tree_size: body.size(),
        root_hash: TreeHash(body.hash().0),
        note: note.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_checkpoints_verify_and_tampering_fails() {
        let key = SecretKey::from_seed(&[6; 32]);
        let other = SecretKey::from_seed(&[7; 32]);
        let cp = sign_checkpoint("vouch.test/log", 42, TreeHash([9; 32]), &key).unwrap();
        assert!(cp.note.starts_with("vouch.test/log\n42\n"), "{}", cp.note);
        assert!(
            cp.note.contains("\n\n\u{2014} vouch.test/log "),
            "{}",
            cp.note
        );
        let back = verify_checkpoint(&cp.note, key.public(), Some("vouch.test/log")).unwrap();
        assert_eq!(back, cp);

        assert!(matches!(
            verify_checkpoint(&cp.note, other.public(), None),
            Err(CheckpointError::Signature(_))
        ));
        assert!(matches!(
            verify_checkpoint(&cp.note, key.public(), Some("other")),
            Err(CheckpointError::Origin { .. })
        ));
        let forged = cp.note.replacen("\n42\n", "\n43\n", 1);
        assert!(verify_checkpoint(&forged, key.public(), None).is_err());
    }
}
