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
    /// The first bad entry index, when the problem is in an entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    /// What is wrong.
    pub what: String,
}

impl std::fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.index {
            Some(index) => write!(f, "entry {index}: {}", self.what),
            None => f.write_str(&self.what),
        }
    }
}
