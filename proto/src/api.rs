//! The daemon's HTTP API wire types (version 1, under `/v1/`), shared by vouchd and its clients.
//! `schema/openapi.yaml` describes the same shapes; a test keeps the two in step.

use serde::{Deserialize, Serialize};

use crate::checkpoint::Checkpoint;
use crate::key::KeyId;
use crate::proof::{InclusionProof, TreeHash};
use crate::review::Verdict;

mod import;
pub use import::{
    ImportOutcome, ImportRequest, ImportResponse, MAX_IMPORT_BODY, MAX_IMPORT_ENTRIES,
};

/// The API's paths: the one definition the daemon's router and metrics, the CLI's client and
/// the OpenAPI test share. Templates use axum's `{name}` syntax, as `schema/openapi.yaml` does.
pub mod paths {
    use crate::digest::Digest;

    /// `POST`: submit an envelope.
    pub const ENTRIES: &str = "/v1/entries";
    /// `POST`: import entries of another ledger's export.
    pub const IMPORT: &str = "/v1/import";
    /// `GET`: one entry.
    pub const ENTRY: &str = "/v1/entries/{index}";
    /// `GET`: is this digest trusted.
    pub const TRUST: &str = "/v1/trust/{digest}";
    /// `GET`: the latest checkpoint, or `?size=N` the one at N entries.
    pub const CHECKPOINT: &str = "/v1/checkpoint";
    /// `GET`: an inclusion proof, `?index=I[&size=N]`.
    pub const INCLUSION: &str = "/v1/proof/inclusion";
    /// `GET`: a consistency proof, `?old=M[&new=N]`.
    pub const CONSISTENCY: &str = "/v1/proof/consistency";
    /// `GET`: health.
    pub const HEALTH: &str = "/healthz";
    /// `GET`: Prometheus metrics.
    pub const METRICS: &str = "/metrics";
    /// Every path, in the order the metrics list them.
    pub const ALL: [&str; 9] = [
        ENTRIES,
        IMPORT,
        ENTRY,
        TRUST,
        CHECKPOINT,
        INCLUSION,
        CONSISTENCY,
        HEALTH,
        METRICS,
    ];

    /// The path of entry `index`.
    pub fn entry(index: u64) -> String {
        format!("/v1/entries/{index}")
    }

    /// The trust question for `digest`.
    pub fn trust(digest: &Digest) -> String {
        format!("/v1/trust/{digest}")
    }

    /// Whether `digest` is trusted as an image of `repository` (the policy rule for that
    /// repository applies); without one, the `*` rule.
    pub fn trust_for(digest: &Digest, repository: Option<&str>) -> String {
        match repository {
            Some(repo) => {
                let encoded: String = repo
                    .chars()
                    .map(|c| match c {
                        'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '_' | '/' | ':' => {
                            c.to_string()
                        }
                        other => format!("%{:02X}", other as u32),
                    })
                    .collect();
                format!("/v1/trust/{digest}?image={encoded}")
            }
            None => trust(digest),
        }
    }

    /// The checkpoint at exactly `size` entries, or the latest.
    pub fn checkpoint(size: Option<u64>) -> String {
        match size {
            Some(size) => format!("{CHECKPOINT}?size={size}"),
            None => CHECKPOINT.to_string(),
        }
    }

    /// The proof that entry `index` is in the tree of `size` entries.
    pub fn inclusion(index: u64, size: u64) -> String {
        format!("{INCLUSION}?index={index}&size={size}")
    }

    /// The proof that the tree of `old` entries is a prefix of the tree of `new`.
    pub fn consistency(old: u64, new: u64) -> String {
        format!("{CONSISTENCY}?old={old}&new={new}")
    }
}

/// The stable codes of error answers (`ErrorBody::error`). Clients act on these; the detail
/// text is for people and may change. New codes are added, never renamed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not a DSSE envelope (or over 16 signatures).
    BadEnvelope,
    /// No signature by a trusted reviewer key.
    UnknownKey,
    /// A signature that does not verify.
    InvalidSignature,
    /// Not a valid review Statement.
    InvalidStatement,
    /// `reviewedAt` later than now plus the allowed skew.
    FutureReview,
    /// `expiresAt` not after `reviewedAt`.
    BadExpiry,
    /// A body over 1 MiB.
    TooLarge,
    /// A body that could not be read.
    BadBody,
    /// A digest that is not `sha256:<64 hex>`.
    BadDigest,
    /// An entry index that is not a number.
    BadIndex,
    /// Another malformed request (a path or query parameter).
    BadRequest,
    /// No entry at that index.
    NoSuchEntry,
    /// No checkpoint at that size.
    NoSuchCheckpoint,
    /// An index or size beyond the tree.
    OutOfRange,
    /// A submission to the read-only TCP listener.
    ReadOnly,
    /// The ledger failed its checks: vouchd accepts and trusts nothing.
    LedgerFailing,
    /// No such endpoint.
    NotFound,
    /// A method the endpoint does not take.
    MethodNotAllowed,
    /// A content type the endpoint does not take.
    UnsupportedMediaType,
    /// The request took too long.
    Timeout,
    /// vouchd is stopping.
    Stopping,
    /// The ledger could not answer (see vouchd's log).
    LedgerError,
    /// Anything else that went wrong inside vouchd.
    Internal,
    /// The signer may not do this: retract another reviewer's entry, or revoke a key without
    /// being an admin of the policy.
    NotAllowed,
}

impl ErrorCode {
    /// Every code.
    pub const ALL: [ErrorCode; 24] = [
        ErrorCode::BadEnvelope,
        ErrorCode::UnknownKey,
        ErrorCode::InvalidSignature,
        ErrorCode::InvalidStatement,
        ErrorCode::FutureReview,
        ErrorCode::BadExpiry,
        ErrorCode::TooLarge,
        ErrorCode::BadBody,
        ErrorCode::BadDigest,
        ErrorCode::BadIndex,
        ErrorCode::BadRequest,
        ErrorCode::NoSuchEntry,
        ErrorCode::NoSuchCheckpoint,
        ErrorCode::OutOfRange,
        ErrorCode::ReadOnly,
        ErrorCode::LedgerFailing,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::Timeout,
        ErrorCode::Stopping,
        ErrorCode::LedgerError,
        ErrorCode::Internal,
        ErrorCode::NotAllowed,
    ];

    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadEnvelope => "bad_envelope",
            ErrorCode::UnknownKey => "unknown_key",
            ErrorCode::InvalidSignature => "invalid_signature",
            ErrorCode::InvalidStatement => "invalid_statement",
            ErrorCode::FutureReview => "future_review",
            ErrorCode::BadExpiry => "bad_expiry",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::BadBody => "bad_body",
            ErrorCode::BadDigest => "bad_digest",
            ErrorCode::BadIndex => "bad_index",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::NoSuchEntry => "no_such_entry",
            ErrorCode::NoSuchCheckpoint => "no_such_checkpoint",
            ErrorCode::OutOfRange => "out_of_range",
            ErrorCode::ReadOnly => "read_only",
            ErrorCode::LedgerFailing => "ledger_failing",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Stopping => "stopping",
            ErrorCode::LedgerError => "ledger_error",
            ErrorCode::Internal => "internal",
            ErrorCode::NotAllowed => "not_allowed",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every error response: a short machine-readable code and a sentence for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A stable code ([`ErrorCode`] on the wire; kept a string so that a client still reads
    /// codes added after it was built).
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
    /// Why it did not count, when it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<Reason>,
}

/// One reason of a trust answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// What kind of reason: clients act on this.
    pub code: ReasonCode,
    /// The sentence, for people; it may change.
    pub text: String,
}

/// The kinds of reason a trust answer gives. New codes are added, never renamed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// A trusted key's unexpired trusted review counts.
    TrustedBy,
    /// No review in the ledger names the digest.
    NoReview,
    /// A review by a key that is not a trusted reviewer key, ignored.
    UntrustedKey,
    /// A trusted review that has expired.
    Expired,
    /// A reviewer rejected the image (at the same time as or after any trusted review of theirs).
    Rejected,
    /// No trusted key vouches with an unexpired, unwithdrawn review.
    NotVouched,
    /// The ledger failed its checks: vouchd trusts nothing.
    LedgerFailing,
    /// No rule of the policy applies to the repository asked about.
    NoRule,
    /// The image is a root of the policy: trusted without a review.
    Root,
    /// The reviewer's key may not vouch for this repository (its scopes).
    OutOfScope,
    /// The review is older than the rule's `max_age`.
    TooOld,
    /// The reviewer's key counted already (one key counts once).
    SameKey,
    /// A reviewer the rule requires did not vouch.
    RequiredMissing,
    /// A checklist kind the rule requires reviewed was accepted as a risk.
    NotReviewed,
    /// The rule requires the Dockerfile's source and the review does not record it.
    NoSource,
    /// A base image the review records is not trusted (the chain is in the text).
    UntrustedBase,
    /// Fewer distinct reviewer keys vouch than the rule's threshold.
    BelowThreshold,
    /// The base images lead back to the image itself.
    Cycle,
    /// The reviewer retracted this review (a later entry of theirs says so).
    Withdrawn,
    /// An admin of the policy revoked the reviewer's key.
    KeyRevoked,
}

impl ReasonCode {
    /// Every code.
    pub const ALL: [ReasonCode; 20] = [
        ReasonCode::TrustedBy,
        ReasonCode::NoReview,
        ReasonCode::UntrustedKey,
        ReasonCode::Expired,
        ReasonCode::Rejected,
        ReasonCode::NotVouched,
        ReasonCode::LedgerFailing,
        ReasonCode::NoRule,
        ReasonCode::Root,
        ReasonCode::OutOfScope,
        ReasonCode::TooOld,
        ReasonCode::SameKey,
        ReasonCode::RequiredMissing,
        ReasonCode::NotReviewed,
        ReasonCode::NoSource,
        ReasonCode::UntrustedBase,
        ReasonCode::BelowThreshold,
        ReasonCode::Cycle,
        ReasonCode::Withdrawn,
        ReasonCode::KeyRevoked,
    ];
}

impl Reason {
    /// A reason with its code and text.
    pub fn new(code: ReasonCode, text: impl Into<String>) -> Self {
        Reason {
            code,
            text: text.into(),
        }
    }
}

/// `GET /v1/trust/{digest}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustResponse {
    /// The digest asked about, `sha256:<hex>`.
    pub digest: String,
    /// The answer. Never true unless the daemon can show why.
    pub trusted: bool,
    /// Why: each reason a stable code to act on and a sentence for people that names the
    /// entries that counted.
    pub reasons: Vec<Reason>,
    /// Every attestation about the digest.
    pub attestations: Vec<AttestationSummary>,
    /// The repository the question named (normalised), if it named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The scope of the policy rule the answer was decided under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// `enforce`, or `warn`: clients report the decision but do not block on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// The ledger entry recording the policy the answer was decided under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_entry: Option<u64>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_serialize_as_their_wire_names() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::String(code.as_str().into())
            );
        }
    }
}
