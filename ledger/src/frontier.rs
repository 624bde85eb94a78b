//! The right edge of the Merkle tree the audit rebuilds from the entries, leaf by leaf.

use sha2::{Digest as _, Sha256};

/// The right edge of an RFC 9162 tree being built leaf by leaf: one complete subtree per set
/// bit of the size. Each push yields the hashes tlog stores for that record, in stored order.
#[derive(Default)]
pub(crate) struct Frontier {
    stack: Vec<(u32, [u8; 32])>,
}

impl Frontier {
    pub(crate) fn push(&mut self, leaf: [u8; 32]) -> Vec<[u8; 32]> {
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

    pub(crate) fn root(&self) -> [u8; 32] {
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
