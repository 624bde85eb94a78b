//! in-toto Statement v1: the signed claim "this predicate holds for these subjects".

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::digest::{Digest, DigestSet};
use crate::error::VerifyError;

/// The `_type` of an in-toto Statement v1.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";

/// An in-toto Statement v1 with a predicate of type `P`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Statement<P> {
    /// Always [`STATEMENT_TYPE`].
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// What the statement is about.
    pub subject: Vec<Subject>,
    /// The URI naming the predicate's format and meaning.
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// The claim itself.
    pub predicate: P,
}

/// A software artifact the statement is about: for Vouch, an image by repository and digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// The normalised repository, e.g. `docker.io/library/ubuntu`.
    pub name: String,
    /// The image digest.
    pub digest: DigestSet,
}

impl Subject {
    /// The subject's sha256 digest.
    pub fn sha256(&self) -> Digest {
        self.digest.0
    }
}

impl Statement<Value> {
    /// Reads a payload as a Statement v1 with any predicate, checking the statement layer: the
    /// `_type`, at least one subject, and that every subject digest is a well-formed sha256.
    pub fn from_payload(payload: &[u8]) -> Result<Self, VerifyError> {
        let value: Value = crate::strict_json::from_slice(payload)
            .map_err(|e| VerifyError::NotAStatement(format!("payload is not JSON: {e}")))?;
        match value.get("_type").and_then(Value::as_str) {
            Some(STATEMENT_TYPE) => {}
            Some(other) => {
                return Err(VerifyError::NotAStatement(format!(
                    "_type is {other:?}, expected {STATEMENT_TYPE:?}"
                )))
            }
            None => return Err(VerifyError::NotAStatement("no _type field".into())),
        }
        let subjects = value
            .get("subject")
            .and_then(Value::as_array)
            .ok_or_else(|| VerifyError::NotAStatement("no subject list".into()))?;
        if subjects.is_empty() {
            return Err(VerifyError::NotAStatement(
                "the subject list is empty".into(),
            ));
        }
        for (i, subject) in subjects.iter().enumerate() {
            let sha256 = subject
                .get("digest")
                .and_then(|d| d.get("sha256"))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    VerifyError::BadDigest(format!("subject[{i}] has no sha256 digest"))
                })?;
            Digest::from_hex(sha256)
                .map_err(|e| VerifyError::BadDigest(format!("subject[{i}]: {e}")))?;
        }
        serde_json::from_value(value).map_err(|e| VerifyError::NotAStatement(e.to_string()))
    }

    /// Converts the predicate to its typed form.
    pub fn into_typed<P: serde::de::DeserializeOwned>(
        self,
    ) -> Result<Statement<P>, serde_json::Error> {
        Ok(Statement {
            statement_type: self.statement_type,
            subject: self.subject,
            predicate_type: self.predicate_type,
            predicate: serde_json::from_value(self.predicate)?,
        })
    }
}

impl<P> Statement<P> {
    /// The subjects' sha256 digests, sorted and without repeats: what the ledger indexes an
    /// entry under (one definition for vouchd, the ledger and its audit).
    pub fn subject_digests(&self) -> Vec<Digest> {
        let mut digests: Vec<Digest> = self.subject.iter().map(Subject::sha256).collect();
        digests.sort();
        digests.dedup();
        digests
    }
}

impl Statement<Value> {
    /// The reviewer a review's predicate names (`reviewer.keyId`), read from an untyped
    /// Statement: the signer the ledger records and the audit checks. `None` when there is
    /// none or it is not a key id.
    pub fn reviewer_key_id(&self) -> Option<crate::key::KeyId> {
        // A review or a retraction names its `reviewer`; a key revocation its `admin`.
        self.predicate
            .pointer("/reviewer/keyId")
            .or_else(|| self.predicate.pointer("/admin/keyId"))
            .and_then(Value::as_str)?
            .parse()
            .ok()
    }
}

impl<P: Serialize> Statement<P> {
    /// The serialized payload: compact JSON, the bytes that get signed.
    pub fn to_payload(&self) -> Vec<u8> {
        // Every predicate type Vouch defines serializes to JSON without error (no maps with
        // non-string keys, no failing custom serializers).
        serde_json::to_vec(self).unwrap_or_default()
    }
}
