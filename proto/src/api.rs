//! The daemon's HTTP API wire types (version 1, under `/v1/`), shared by vouchd and its clients.
//! `schema/openapi.yaml` describes the same shapes; a test keeps the two in step.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::checkpoint::Checkpoint;
use crate::key::KeyId;
use crate::proof::{InclusionProof, TreeHash};
use crate::review::Verdict;

/// Every error response: a short machine-readable code and a sentence for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable code, e.g. `unknown_key`, `invalid_signature`, `too_large`.
    pub error: String,
    /// What went wrong and what to do.
    pub detail: String,
}

/// `POST /v1/entries` (201 new, 200 already present).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitResponse {
    /// The entry's index.
    pub index: u64,
    /// Its leaf hash: `SHA-256(0x00 || "vouch-entry/v1" LF kind LF integratedAt LF body)`.
    pub leaf_hash: TreeHash,
    /// When the ledger integrated it (unix seconds): with the body, what the client needs to
    /// recompute the leaf hash itself.
    pub integrated_at: i64,
    /// True when the same signed statement was already in the ledger (perhaps encoded
    /// differently: then fetch the entry for the stored body).
    pub existing: bool,
    /// The signed checkpoint that covers it.
    pub checkpoint: Checkpoint,
    /// Its inclusion proof in that checkpoint's tree.
    pub inclusion_proof: InclusionProof,
}

/// One attestation about a digest, as the trust answer lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttestationSummary {
    /// Its ledger index.
    pub index: u64,
    /// The signing key.
    pub key_id: KeyId,
    /// The reviewer's name, if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// The repository named as subject.
    pub subject: String,
    /// The verdict.
    pub verdict: Verdict,
    /// When it was reviewed (RFC 3339).
    pub reviewed_at: String,
    /// When it expires (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Whether it counted toward the answer.
    pub counted: bool,
}

/// `GET /v1/trust/{digest}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustResponse {
    /// The digest asked about, `sha256:<hex>`.
    pub digest: String,
    /// The answer. Never true unless the daemon can show why.
    pub trusted: bool,
    /// Why, in sentences that name the entries that counted.
    pub reasons: Vec<String>,
    /// Every attestation about the digest.
    pub attestations: Vec<AttestationSummary>,
    /// The checkpoint the answer was given at (absent when the ledger has failed its checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<Checkpoint>,
}

/// `GET /v1/entries/{index}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryResponse {
    /// The index.
    pub index: u64,
    /// The kind, e.g. `attestation`.
    pub kind: String,
    /// Integration time, unix seconds.
    pub integrated_at: i64,
    /// The body exactly as stored, standard base64.
    pub body: String,
    /// The leaf hash.
    pub leaf_hash: TreeHash,
    /// The verified signer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<KeyId>,
    /// The subject digests.
    pub subjects: Vec<String>,
}

/// `GET /v1/checkpoint`: the latest checkpoint and the log's public key (PEM), which clients
/// pin on first contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckpointResponse {
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// The log's public key, PEM SubjectPublicKeyInfo.
    pub log_key: String,
}

/// `GET /healthz`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthResponse {
    /// `ok` or `failing`.
    pub status: String,
    /// Why it is failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The tree size, when the ledger is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree_size: Option<u64>,
}

/// The default socket of vouchd: `$VOUCH_SOCKET`, else `/run/vouch/vouchd.sock` for root, else
/// `$XDG_RUNTIME_DIR/vouch/vouchd.sock`. `None` when none of these can be determined.
pub fn default_socket_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("VOUCH_SOCKET").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(path));
    }
    // The owner of /proc/self is this process's effective user: no unsafe geteuid() needed.
    let root = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").ok()?) == 0;
    if root {
        return Some(PathBuf::from("/run/vouch/vouchd.sock"));
    }
    std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|d| !d.is_empty())
        .map(|dir| PathBuf::from(dir).join("vouch/vouchd.sock"))
}

/// vouchd's default ledger: `$XDG_DATA_HOME/vouch/ledger.db`, else
/// `~/.local/share/vouch/ledger.db`. `None` when neither variable is set.
pub fn default_ledger_path() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => {
            PathBuf::from(std::env::var_os("HOME").filter(|v| !v.is_empty())?).join(".local/share")
        }
    };
    Some(base.join("vouch/ledger.db"))
}
