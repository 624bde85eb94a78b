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
}
