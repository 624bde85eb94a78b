//! Seals: the log key's signature over a file vouchd derives from the ledger (the trust index it
//! saves between runs), bound to the tree it was derived from, so that a restart can take the
//! file instead of deriving it again and a changed file is refused. Whoever could forge a seal
//! holds the log key, and could sign a rewritten ledger's checkpoints as well.
//!
//! The signed text begins with `vouch-seal/v1`, where a checkpoint's begins with the log's
//! origin and its second and third lines are a size and a base64 root: a seal is never a valid
//! checkpoint, nor a checkpoint a seal.

use vouch_proto::{Digest, PublicKey, TreeHash};

use crate::ledger::Ledger;

/// The text a seal signs.
fn text(purpose: &str, tree_size: u64, root: &TreeHash, content: &Digest) -> String {
    format!("vouch-seal/v1\n{purpose}\n{tree_size}\n{root}\n{content}\n")
}

impl Ledger {
    /// Seals `content` (the sha256 of a file's bytes) for `purpose` at this ledger's latest
    /// checkpoint.
    pub fn seal(&self, purpose: &str, content: &Digest) -> [u8; 64] {
        let checkpoint = self.checkpoint();
        let text = text(
            purpose,
            checkpoint.tree_size,
            &checkpoint.root_hash,
            content,
        );
        self.key.sign(text.as_bytes())
    }
}

/// Whether `signature` seals `content` for `purpose` at the tree of `tree_size` with `root`.
pub fn check_seal(
    log_key: &PublicKey,
    purpose: &str,
    tree_size: u64,
    root: &TreeHash,
    content: &Digest,
    signature: &[u8],
) -> bool {
    log_key.verify(
        text(purpose, tree_size, root, content).as_bytes(),
        signature,
    )
}
