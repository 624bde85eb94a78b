//! The trust index as vouchd saves it between runs: which entries hold reviews of which digest,
//! and the retractions and key revocations, at one tree size. It holds no review content: a
//! restarted vouchd reads and verifies each review (bytes, leaf, tree, signature) the first
//! time an answer needs it, and rebuilds the whole index by a full audit in the background. The
//! caller seals these bytes with the log key and checks the seal before using them.
//!
//! A flat binary layout, written by hand: fixed-size little-endian records behind a short
//! header, so 1,000,000 reviews load in a few tens of milliseconds with no parsing crate.
//!
//! ```text
//! "vouch-index/v2\n" | tree_size u64 | root [32] | keys u32 | key ids [32]... |
//! policy_entry u64 (u64::MAX: none) | reviews u64 | retractions u64 | revocations u64 |
//! reviews: (digest [32], index u64)... | retractions: (retracted signed key [32], by [32], entry u64)... |
//! revocations: (revoked key [32], by [32], entry u64)...
//! ```

use vouch_proto::{Digest, KeyId, TreeHash};

use crate::index::{Revoked, SignedKey};

/// v2: retractions are keyed by the retracted review's signed-content key (v1: the sha256 of
/// its bytes, which missed a review stored in another encoding); a v1 file is refused, and the
/// daemon then audits in full.
const MAGIC: &[u8] = b"vouch-index/v2\n";

/// What the index holds, at one tree size.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SavedIndex {
    /// The tree size it was built at.
    pub tree_size: u64,
    /// The tree's root at that size.
    pub root: TreeHash,
    /// The keys it admitted reviews of, sorted.
    pub keys: Vec<KeyId>,
    /// The latest policy entry, if any.
    pub policy_entry: Option<u64>,
    /// (digest, entry) for every review indexed.
    pub reviews: Vec<(Digest, u64)>,
    /// (the retracted review's signed-content key, the retraction).
    pub retractions: Vec<(SignedKey, Revoked)>,
    /// (the key revoked, the revocation).
    pub revocations: Vec<(KeyId, Revoked)>,
}

/// Why saved bytes cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the saved trust index is malformed: {0}")]
pub struct SavedError(String);

impl SavedIndex {
    /// The bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MAGIC.len() + 100 + self.reviews.len() * 40);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.tree_size.to_le_bytes());
        out.extend_from_slice(&self.root.0);
        out.extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        for key in &self.keys {
            out.extend_from_slice(key.as_bytes());
        }
        let policy = self.policy_entry.unwrap_or(u64::MAX);
        for n in [
            policy,
            self.reviews.len() as u64,
            self.retractions.len() as u64,
            self.revocations.len() as u64,
        ] {
            out.extend_from_slice(&n.to_le_bytes());
        }
        for (digest, index) in &self.reviews {
            out.extend_from_slice(digest.as_bytes());
            out.extend_from_slice(&index.to_le_bytes());
        }
        for (signed, r) in &self.retractions {
            put_revoked(&mut out, &signed.0, r);
        }
        for (key, r) in &self.revocations {
            put_revoked(&mut out, key.as_bytes(), r);
        }
        out
    }

    /// Reads bytes written by [`SavedIndex::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SavedError> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(MAGIC.len())? != MAGIC {
            return Err(SavedError("not a vouch-index/v2 file".into()));
        }
        let tree_size = r.u64()?;
        let root = TreeHash(r.array()?);
        let keys = (0..r.u32()?)
            .map(|_| Ok(KeyId::from_bytes(r.array()?)))
            .collect::<Result<_, SavedError>>()?;
        let policy_entry = Some(r.u64()?).filter(|p| *p != u64::MAX);
        let counts = [r.u64()?, r.u64()?, r.u64()?];
        let room = (bytes.len() - r.at) as u64;
        let needed = counts[1]
            .checked_add(counts[2])
            .and_then(|n| n.checked_mul(72))
            .and_then(|n| n.checked_add(counts[0].checked_mul(40)?));
        if needed != Some(room) {
            return Err(SavedError(
                "its record counts do not match its length".into(),
            ));
        }
        let reviews = (0..counts[0])
            .map(|_| Ok((Digest::from_bytes(r.array()?), r.u64()?)))
            .collect::<Result<_, SavedError>>()?;
        let retractions = (0..counts[1])
            .map(|_| Ok((SignedKey(r.array()?), r.revoked()?)))
            .collect::<Result<_, SavedError>>()?;
        let revocations = (0..counts[2])
            .map(|_| Ok((KeyId::from_bytes(r.array()?), r.revoked()?)))
            .collect::<Result<_, SavedError>>()?;
        Ok(SavedIndex {
            tree_size,
            root,
            keys,
            policy_entry,
            reviews,
            retractions,
            revocations,
        })
    }
}

fn put_revoked(out: &mut Vec<u8>, subject: &[u8; 32], revoked: &Revoked) {
    out.extend_from_slice(subject);
    out.extend_from_slice(revoked.by.as_bytes());
    out.extend_from_slice(&revoked.entry.to_le_bytes());
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], SavedError> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let end = end.ok_or_else(|| SavedError("it ends early".into()))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], SavedError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u64(&mut self) -> Result<u64, SavedError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, SavedError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn revoked(&mut self) -> Result<Revoked, SavedError> {
        Ok(Revoked {
            by: KeyId::from_bytes(self.array()?),
            entry: self.u64()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SavedIndex {
        let key = KeyId::from_bytes([7; 32]);
        SavedIndex {
            tree_size: 9,
            root: TreeHash([1; 32]),
            keys: vec![key],
            policy_entry: Some(3),
            reviews: vec![(Digest::of(b"a"), 0), (Digest::of(b"a"), 4)],
            retractions: vec![(SignedKey([3; 32]), Revoked { by: key, entry: 5 })],
            revocations: vec![(KeyId::from_bytes([8; 32]), Revoked { by: key, entry: 6 })],
        }
    }

    #[test]
    fn round_trips_and_refuses_short_long_or_foreign_bytes() {
        let saved = sample();
        let bytes = saved.to_bytes();
        assert_eq!(SavedIndex::from_bytes(&bytes).unwrap(), saved);
        assert!(SavedIndex::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(SavedIndex::from_bytes(&longer).is_err());
        assert!(SavedIndex::from_bytes(b"vouch-index/v2\n").is_err());
        let mut huge = bytes.clone();
        let counts_at = MAGIC.len() + 8 + 32 + 4 + 32 + 8;
        huge[counts_at..counts_at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(SavedIndex::from_bytes(&huge).is_err());
        let empty = SavedIndex::default();
        assert_eq!(SavedIndex::from_bytes(&empty.to_bytes()).unwrap(), empty);
    }
}
