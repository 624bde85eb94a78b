//! The `ledger` export format (`vouch export --format ledger`): JSON Lines, a header and then
//! one line per entry, each entry with its inclusion proof against the one signed checkpoint in
//! the header, so anyone holding the log's public key can check offline that every entry is in
//! the ledger (and, with reviewer keys, who signed it). No I/O here: the CLI reads and writes the
//! lines; this module says what they hold and checks one entry.
//!
//! ```text
//! {"format":"vouch-ledger-export/v1","origin":"vouch.local/ledger/…","logKey":"-----BEGIN PUBLIC KEY-----…",
//!  "checkpoint":"<signed note>","selection":{"since":0}}
//! {"index":0,"kind":"attestation","integratedAt":1764000000,"body":"<base64>","inclusion":{…}}
//! ```
//!
//! The header's `selection` is not signed: it says which entries the exporter meant to include
//! (all from `since`, or the listed `indexes`), so a line dropped in transit is caught, but a
//! file edited on purpose can claim a smaller selection. Completeness of the whole log is
//! provable only for a full export (`since` 0 up to the checkpoint's size).

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::checkpoint::Checkpoint;
use crate::entry::{leaf_hash, EntryKind};
use crate::proof::InclusionProof;

/// The `format` value of a ledger export header.
pub const LEDGER_EXPORT_FORMAT: &str = "vouch-ledger-export/v1";

/// The media type of the in-toto bundle (`.intoto.jsonl`: one DSSE envelope per line).
pub const INTOTO_BUNDLE_MEDIA_TYPE: &str = "application/vnd.in-toto.bundle";

/// The first line of a ledger export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExportHeader {
    /// Always [`LEDGER_EXPORT_FORMAT`].
    pub format: String,
    /// The log's origin (checkpoint name).
    pub origin: String,
    /// The log's public key (PEM), for reference: a verifier pins its own copy.
    pub log_key: String,
    /// The signed checkpoint (C2SP signed note) every proof leads to.
    pub checkpoint: String,
    /// Which entries follow.
    pub selection: Selection,
}

/// The entries an export holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Selection {
    /// Every entry from this index up to the checkpoint's size.
    Since(u64),
    /// These entries, in this order.
    Indexes(Vec<u64>),
}

/// One exported entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExportedEntry {
    /// Its leaf index.
    pub index: u64,
    /// `attestation` or `policy`.
    pub kind: String,
    /// When the ledger integrated it (unix seconds; part of the leaf hash).
    pub integrated_at: i64,
    /// The stored bytes, base64 (standard, padded).
    pub body: String,
    /// Its inclusion proof in the checkpoint's tree.
    pub inclusion: InclusionProof,
}

/// Why an exported entry does not check out.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExportError {
    /// The kind is not one the ledger stores.
    #[error("entry #{index}: unknown kind {kind:?}")]
    Kind {
        /// The entry.
        index: u64,
        /// What it said.
        kind: String,
    },
    /// The body is not base64.
    #[error("entry #{index}: its body is not base64")]
    Body {
        /// The entry.
        index: u64,
    },
    /// The proof is for another entry or tree.
    #[error("entry #{index}: its proof is for entry #{proof_index} in a tree of {proof_size}, not this entry in the checkpoint's tree of {size}")]
    ProofFor {
        /// The entry.
        index: u64,
        /// The proof's entry.
        proof_index: u64,
        /// The proof's tree size.
        proof_size: u64,
        /// The checkpoint's size.
        size: u64,
    },
    /// The bytes do not hash to the leaf the proof covers: changed after export.
    #[error("entry #{index}: its bytes do not hash to the leaf its proof covers (changed since it was exported)")]
    Leaf {
        /// The entry.
        index: u64,
    },
    /// The proof does not lead to the checkpoint's root.
    #[error("entry #{index}: its inclusion proof does not lead to the checkpoint's root")]
    Proof {
        /// The entry.
        index: u64,
    },
}

impl ExportedEntry {
    /// An entry as exported.
    pub fn new(
        kind: EntryKind,
        integrated_at: i64,
        body: &[u8],
        inclusion: InclusionProof,
    ) -> Self {
        ExportedEntry {
            index: inclusion.index,
            kind: kind.to_string(),
            integrated_at,
            body: base64::engine::general_purpose::STANDARD.encode(body),
            inclusion,
        }
    }

    /// Checks the entry against a checkpoint already verified with the log key: its bytes hash
    /// to the leaf, and the proof leads from that leaf to the checkpoint's root. Returns its
    /// kind and bytes.
    pub fn check(&self, checkpoint: &Checkpoint) -> Result<(EntryKind, Vec<u8>), ExportError> {
        let index = self.index;
        let kind: EntryKind = self.kind.parse().map_err(|_| ExportError::Kind {
            index,
            kind: self.kind.clone(),
        })?;
        let body = base64::engine::general_purpose::STANDARD
            .decode(&self.body)
            .map_err(|_| ExportError::Body { index })?;
        let proof = &self.inclusion;
        if proof.index != index || proof.tree_size != checkpoint.tree_size {
            return Err(ExportError::ProofFor {
                index,
                proof_index: proof.index,
                proof_size: proof.tree_size,
                size: checkpoint.tree_size,
            });
        }
        if leaf_hash(kind, self.integrated_at, &body) != proof.leaf_hash.0 {
            return Err(ExportError::Leaf { index });
        }
        proof
            .verify(&checkpoint.root_hash)
            .map_err(|_| ExportError::Proof { index })?;
        Ok((kind, body))
    }
}
