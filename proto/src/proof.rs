//! Merkle tree hashes and proofs (RFC 9162): the wire types, and checking a proof against a
//! root. The checks are tlog_tiles' (a port of Go's sumdb tlog), not ours.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ProofError;

/// A 32-byte tree hash (a leaf, an interior node or a root), written as lowercase hex.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TreeHash(pub [u8; 32]);

impl fmt::Display for TreeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::digest::Hex32::new(&self.0).as_str())
    }
}

impl fmt::Debug for TreeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TreeHash({self})")
    }
}

impl std::str::FromStr for TreeHash {
    type Err = ProofError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let digest = crate::Digest::from_hex(text)
            .map_err(|e| ProofError::Malformed(format!("tree hash: {e}")))?;
        Ok(TreeHash(*digest.as_bytes()))
    }
}

impl Serialize for TreeHash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TreeHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// Proof that entry `index` is in the tree of `tree_size` entries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InclusionProof {
    /// The entry's index.
    pub index: u64,
    /// The size of the tree the proof is for.
    pub tree_size: u64,
    /// The entry's leaf hash.
    pub leaf_hash: TreeHash,
    /// The audit path, leaf to root.
    pub hashes: Vec<TreeHash>,
}

/// Proof that the tree of `old_size` entries is a prefix of the tree of `new_size` entries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsistencyProof {
    /// The older, smaller tree.
    pub old_size: u64,
    /// The newer tree.
    pub new_size: u64,
    /// The proof hashes.
    pub hashes: Vec<TreeHash>,
}

fn hashes(list: &[TreeHash]) -> Vec<tlog_tiles::Hash> {
    list.iter().map(|h| tlog_tiles::Hash(h.0)).collect()
}

impl InclusionProof {
    /// Checks the proof against the root of a tree of `self.tree_size` entries.
    pub fn verify(&self, root: &TreeHash) -> Result<(), ProofError> {
        if self.index >= self.tree_size {
            return Err(ProofError::Malformed(format!(
                "index {} is not below the tree size {}",
                self.index, self.tree_size
            )));
        }
        tlog_tiles::check_record(
            &hashes(&self.hashes),
            self.tree_size,
            tlog_tiles::Hash(root.0),
            self.index,
            tlog_tiles::Hash(self.leaf_hash.0),
        )
        .map_err(|_| {
            ProofError::Invalid(format!(
                "entry {} is not in the tree of size {} with that root",
                self.index, self.tree_size
            ))
        })
    }
}

impl ConsistencyProof {
    /// Checks that the tree with `old_root` is a prefix of the tree with `new_root`.
    pub fn verify(&self, old_root: &TreeHash, new_root: &TreeHash) -> Result<(), ProofError> {
        if self.old_size > self.new_size {
            return Err(ProofError::Invalid(format!(
                "the old tree ({}) is larger than the new one ({}): the log was rolled back",
                self.old_size, self.new_size
            )));
        }
        if self.old_size == 0 || self.old_size == self.new_size {
            let empty_old = self.old_size > 0 || old_root.0 == tlog_tiles::EMPTY_HASH.0;
            if self.hashes.is_empty() && empty_old && (self.old_size == 0 || old_root == new_root) {
                return Ok(());
            }
            return Err(ProofError::Invalid(format!(
                "the trees of size {} and {} do not match",
                self.old_size, self.new_size
            )));
        }
        tlog_tiles::check_tree(
            &hashes(&self.hashes),
            self.new_size,
            tlog_tiles::Hash(new_root.0),
            self.old_size,
            tlog_tiles::Hash(old_root.0),
        )
        .map_err(|_| {
            ProofError::Invalid(format!(
                "the tree of size {} is not a prefix of the tree of size {}: the log was forked or rewritten",
                self.old_size, self.new_size
            ))
        })
    }
}
