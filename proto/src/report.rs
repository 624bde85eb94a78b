//! Wire types of the CLI's `--json` output, shared so that tests and other tools decode them
//! into types instead of comparing strings.

use serde::{Deserialize, Serialize};

use crate::key::KeyId;
use crate::review::Verdict;

/// `vouch key generate --json` and `vouch key id --json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyReport {
    /// The key id.
    pub key_id: KeyId,
    /// The public key file.
    pub public_key: String,
    /// The private key file, when one was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
}

/// One line of `vouch verify --json`: the result for one envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    /// The envelope file (`-` for standard input).
    pub file: String,
    /// Whether the envelope is a valid review signed by the key given.
    pub valid: bool,
    /// Why it is not valid, or why it could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The key whose signature verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<KeyId>,
    /// The image, `name@sha256:hex`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The reviewer's verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// When it was reviewed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<String>,
    /// When it expires (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Whether it has expired: a valid signature, but a review that no longer counts.
    #[serde(default)]
    pub expired: bool,
    /// Whether `reviewedAt` is later than now plus the allowed clock skew: vouchd refuses it.
    #[serde(default)]
    pub future: bool,
    /// Whether it would count as trusted today: valid, `trusted`, unexpired, not from the
    /// future. What `--require-trusted` requires.
    #[serde(default)]
    pub counts_as_trusted: bool,
}

/// `vouch log verify --json`: the result of an offline audit of a ledger file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditReport {
    /// The database audited.
    pub path: String,
    /// Whether every check passed.
    pub intact: bool,
    /// The log's key id (the key the checkpoints were checked with).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_key_id: Option<KeyId>,
    /// The log's origin.
    pub origin: String,
    /// Entries read and re-hashed.
    pub entries: u64,
    /// The tree size of the latest checkpoint.
    pub tree_size: u64,
    /// The root rebuilt from the entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_hash: Option<crate::TreeHash>,
    /// Signed checkpoints checked against the rebuilt tree.
    pub checkpoints: u64,
    /// Attestation signatures re-verified with a known reviewer key.
    pub signatures_verified: u64,
    /// Attestations whose signer is not among the keys given (not re-verified).
    pub signatures_unchecked: u64,
    /// The first problem found, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<AuditProblem>,
}

/// What the audit found wrong first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditProblem {
    /// What kind of problem: a stable code to act on (the text may change).
    #[serde(default)]
    pub kind: ProblemKind,
    /// The first bad entry index, when the problem is in an entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    /// What is wrong, for people.
    pub what: String,
}

/// The kinds of problem an audit reports. New kinds are added, never renamed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// The ledger was created with another log key.
    LogKeySwapped,
    /// A stored checkpoint does not verify (signature, origin, format).
    CheckpointInvalid,
    /// A checkpoint row holds another size's checkpoint.
    CheckpointReplaced,
    /// There is no checkpoint at all.
    NoCheckpoint,
    /// A checkpoint given to the audit does not verify.
    KnownCheckpointInvalid,
    /// A checkpoint seen before covers more than the ledger holds.
    RolledBack,
    /// A checkpoint seen before has another root at the same size.
    Forked,
    /// A signed checkpoint's root is not the root of the entries.
    CheckpointMismatch,
    /// An entry's bytes do not hash to what is stored for them (body hash, leaf hash).
    EntryChanged,
    /// An entry's kind is unknown.
    UnknownEntryKind,
    /// An attestation's body is not a DSSE envelope.
    NotAnEnvelope,
    /// An attestation's payload is not an in-toto Statement (or repeats a JSON key, or names
    /// no reviewer key).
    NotAStatement,
    /// A policy entry's body is not a policy vouchd could have loaded.
    NotAPolicy,
    /// The stored subjects are not the Statement's.
    SubjectsChanged,
    /// The stored signer is not the review's reviewer.
    SignerChanged,
    /// The stored signed-content key is not the entry's.
    SignedKeyChanged,
    /// The reviewer's signature does not verify.
    BadSignature,
    /// An index is missing: rows were deleted or reordered.
    EntryMissing,
    /// A stored tree hash is not the one the entries give.
    TreeHashMismatch,
    /// A stored tree hash is missing.
    TreeHashMissing,
    /// A stored tree hash belongs to no entry.
    ExtraTreeHash,
    /// A signed checkpoint covers more entries than there are.
    Truncated,
    /// Entries beyond the latest signed checkpoint.
    Uncovered,
    /// The audit's own reading went wrong (not evidence about the ledger).
    #[default]
    Other,
}

impl ProblemKind {
    /// The code as it appears in `--json` output.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::LogKeySwapped => "log-key-swapped",
            ProblemKind::CheckpointInvalid => "checkpoint-invalid",
            ProblemKind::CheckpointReplaced => "checkpoint-replaced",
            ProblemKind::NoCheckpoint => "no-checkpoint",
            ProblemKind::KnownCheckpointInvalid => "known-checkpoint-invalid",
            ProblemKind::RolledBack => "rolled-back",
            ProblemKind::Forked => "forked",
            ProblemKind::CheckpointMismatch => "checkpoint-mismatch",
            ProblemKind::EntryChanged => "entry-changed",
            ProblemKind::UnknownEntryKind => "unknown-entry-kind",
            ProblemKind::NotAnEnvelope => "not-an-envelope",
            ProblemKind::NotAStatement => "not-a-statement",
            ProblemKind::NotAPolicy => "not-a-policy",
            ProblemKind::SubjectsChanged => "subjects-changed",
            ProblemKind::SignerChanged => "signer-changed",
            ProblemKind::SignedKeyChanged => "signed-key-changed",
            ProblemKind::BadSignature => "bad-signature",
            ProblemKind::EntryMissing => "entry-missing",
            ProblemKind::TreeHashMismatch => "tree-hash-mismatch",
            ProblemKind::TreeHashMissing => "tree-hash-missing",
            ProblemKind::ExtraTreeHash => "extra-tree-hash",
            ProblemKind::Truncated => "truncated",
            ProblemKind::Uncovered => "uncovered",
            ProblemKind::Other => "other",
        }
    }
}

impl std::fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.index {
            Some(index) => write!(f, "entry {index}: {}", self.what),
            None => f.write_str(&self.what),
        }
    }
}
