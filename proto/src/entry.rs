//! Ledger entries as they are hashed into the Merkle tree. The leaf of entry `i` is
//! `SHA-256(0x00 || leaf_bytes)` (RFC 9162), where the leaf bytes bind the entry's kind, its
//! integration time and its body exactly as received:
//!
//! ```text
//! "vouch-entry/v1" LF kind LF integrated-at (decimal unix seconds) LF body
//! ```
//!
//! Kind and time cannot contain LF, and the body is the rest, so the encoding is unambiguous.
//! Anyone holding an entry can recompute its leaf hash and check an inclusion proof.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// The first line of every leaf.
pub const LEAF_PREFIX: &str = "vouch-entry/v1";

/// What an entry holds. Stored as its name; new kinds are added, never renamed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// A DSSE envelope holding a review Statement.
    Attestation,
    /// A trust policy vouchd loaded ([`crate::policy::PolicyEntry`], canonical JSON).
    Policy,
}

impl EntryKind {
    /// The stored name.
    pub fn as_str(&self) -> &'static str {
        match self {
            EntryKind::Attestation => "attestation",
            EntryKind::Policy => "policy",
        }
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntryKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "attestation" => Ok(EntryKind::Attestation),
            "policy" => Ok(EntryKind::Policy),
            other => Err(format!("unknown entry kind {other:?}")),
        }
    }
}

/// The bytes whose RFC 9162 leaf hash goes into the tree.
pub fn leaf_bytes(kind: EntryKind, integrated_at: i64, body: &[u8]) -> Vec<u8> {
    let head = format!("{LEAF_PREFIX}\n{kind}\n{integrated_at}\n");
    let mut out = Vec::with_capacity(head.len() + body.len());
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(body);
    out
}

/// `SHA-256(0x00 || leaf_bytes)`.
pub fn leaf_hash(kind: EntryKind, integrated_at: i64, body: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update([0u8]);
    hasher.update(format!("{LEAF_PREFIX}\n{kind}\n{integrated_at}\n").as_bytes());
    hasher.update(body);
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaf_hash_is_rfc9162_over_the_leaf_bytes() {
        let bytes = leaf_bytes(EntryKind::Attestation, 1_800_000_000, b"{}");
        assert_eq!(
            bytes,
            b"vouch-entry/v1\nattestation\n1800000000\n{}".to_vec()
        );
        let mut prefixed = vec![0u8];
        prefixed.extend_from_slice(&bytes);
        let expected: [u8; 32] = Sha256::digest(&prefixed).into();
        assert_eq!(
            leaf_hash(EntryKind::Attestation, 1_800_000_000, b"{}"),
            expected
        );
        assert_eq!(
            "attestation".parse::<EntryKind>(),
            Ok(EntryKind::Attestation)
        );
    }
}
