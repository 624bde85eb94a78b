//! Revocation as entries, never edits: a reviewer retracts one of their reviews
//! (`https://vouch.dev/attestation/retraction/v1`), an admin of the policy revokes a reviewer
//! key (`https://vouch.dev/attestation/key-revocation/v1`). Both are in-toto Statements in DSSE
//! envelopes, verified like reviews; their bytes are signed, so these formats are frozen.
//!
//! The subject of a retraction is the retracted envelope (`vouch-entry/INDEX`, the sha256 of
//! its bytes as the ledger stores them): the bytes identify the review, in the ledger the
//! retraction was signed against and in any ledger both are imported into (where the index
//! differs). Of a key revocation, the key (`vouch-key/ID`, its id).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::digest::{Digest, DigestSet};
use crate::dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE};
use crate::error::VerifyError;
use crate::key::{KeyId, PublicKey, SecretKey};
use crate::review::{ReviewStatement, MAX_CLOCK_SKEW_SECS, REVIEW_PREDICATE_TYPE};
use crate::statement::{Statement, Subject, STATEMENT_TYPE};
use crate::timestamp;

/// The predicate type of a retraction, version 1.
pub const RETRACTION_PREDICATE_TYPE: &str = "https://vouch.dev/attestation/retraction/v1";
/// The predicate type of a key revocation, version 1.
pub const KEY_REVOCATION_PREDICATE_TYPE: &str = "https://vouch.dev/attestation/key-revocation/v1";

/// Who signs: a key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignerKey {
    /// The signing key's id.
    pub key_id: KeyId,
}

/// A reviewer takes back one of their reviews.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Retraction {
    /// The reviewer retracting (the key that signed the review).
    pub reviewer: SignerKey,
    /// The ledger index of the review retracted, in the ledger the retraction was signed
    /// against (the subject digest, the sha256 of the review's bytes, is what binds).
    pub entry: u64,
    /// Why.
    pub reason: String,
    /// When.
    #[serde(with = "timestamp::required")]
    pub retracted_at: DateTime<Utc>,
}

/// An admin revokes a reviewer key: its reviews stop counting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyRevocation {
    /// The admin revoking.
    pub admin: SignerKey,
    /// The key revoked.
    pub revoked_key_id: KeyId,
    /// Why.
    pub reason: String,
    /// When.
    #[serde(with = "timestamp::required")]
    pub revoked_at: DateTime<Utc>,
}

/// Any attestation vouchd takes.
#[derive(Clone, Debug, PartialEq)]
pub enum Submission {
    /// A review.
    Review(Box<ReviewStatement>),
    /// A retraction.
    Retraction(Statement<Retraction>),
    /// A key revocation.
    KeyRevocation(Statement<KeyRevocation>),
}

impl Submission {
    /// The key the predicate names as its signer.
    pub fn signer(&self) -> KeyId {
        match self {
            Submission::Review(s) => s.predicate.reviewer.key_id,
            Submission::Retraction(s) => s.predicate.reviewer.key_id,
            Submission::KeyRevocation(s) => s.predicate.admin.key_id,
        }
    }

    /// Refuses a submission dated later than `now` plus the allowed clock skew.
    pub fn check_not_future(&self, now: DateTime<Utc>) -> Result<(), VerifyError> {
        let at = match self {
            Submission::Review(s) => return s.predicate.check_not_future(now),
            Submission::Retraction(s) => s.predicate.retracted_at,
            Submission::KeyRevocation(s) => s.predicate.revoked_at,
        };
        let limit = now + chrono::Duration::seconds(MAX_CLOCK_SKEW_SECS);
        if at > limit {
            return Err(VerifyError::ReviewedInFuture {
                reviewed_at: timestamp::format(&at),
                limit: timestamp::format(&limit),
            });
        }
        Ok(())
    }
}

/// The statement retracting entry `entry`, whose stored bytes hash to `body_sha256`.
pub fn retraction(
    key: KeyId,
    entry: u64,
    body_sha256: Digest,
    reason: &str,
    at: DateTime<Utc>,
) -> Statement<Retraction> {
    Statement {
        statement_type: STATEMENT_TYPE.into(),
        subject: vec![Subject {
            name: format!("vouch-entry/{entry}"),
            digest: DigestSet(body_sha256),
        }],
        predicate_type: RETRACTION_PREDICATE_TYPE.into(),
        predicate: Retraction {
            reviewer: SignerKey { key_id: key },
            entry,
            reason: reason.into(),
            retracted_at: at,
        },
    }
}

/// The statement revoking `revoked` by the admin `admin`.
pub fn key_revocation(
    admin: KeyId,
    revoked: KeyId,
    reason: &str,
    at: DateTime<Utc>,
) -> Statement<KeyRevocation> {
    Statement {
        statement_type: STATEMENT_TYPE.into(),
        subject: vec![Subject {
            name: format!("vouch-key/{revoked}"),
            digest: DigestSet(key_digest(&revoked)),
        }],
        predicate_type: KEY_REVOCATION_PREDICATE_TYPE.into(),
        predicate: KeyRevocation {
            admin: SignerKey { key_id: admin },
            revoked_key_id: revoked,
            reason: reason.into(),
            revoked_at: at,
        },
    }
}

/// A key id as a subject digest.
fn key_digest(key: &KeyId) -> Digest {
    // A key id is 64 hex digits, so it always reads as a sha256 digest.
    format!("sha256:{key}")
        .parse()
        .unwrap_or_else(|_| Digest::of(key.to_string().as_bytes()))
}

/// Signs any Vouch statement into a DSSE envelope.
pub fn sign_statement<P: Serialize>(statement: &Statement<P>, key: &SecretKey) -> Envelope {
    Envelope::sign(IN_TOTO_PAYLOAD_TYPE, statement.to_payload(), key)
}

/// Reads an envelope's statement (review, retraction or key revocation) without checking any
/// signature: payload type, Statement, predicate, and that the subject is what the predicate
/// says.
pub fn parse_submission(envelope: &Envelope) -> Result<Submission, VerifyError> {
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(VerifyError::PayloadType {
            found: envelope.payload_type.clone(),
            expected: IN_TOTO_PAYLOAD_TYPE,
        });
    }
    submission_from(envelope, Statement::from_payload(&envelope.payload)?)
}

/// [`parse_submission`] for a caller that has read the envelope's Statement already (the
/// ledger audit does, strictly).
pub fn submission_from(
    envelope: &Envelope,
    statement: Statement<crate::statement::RawPredicate>,
) -> Result<Submission, VerifyError> {
    let bad = |e: serde_json::Error| VerifyError::BadPredicate(e.to_string());
    match statement.predicate_type.as_str() {
        REVIEW_PREDICATE_TYPE => Ok(Submission::Review(Box::new(crate::verify::review_from(
            envelope, statement,
        )?))),
        RETRACTION_PREDICATE_TYPE => {
            let typed: Statement<Retraction> = statement.into_typed().map_err(bad)?;
            let expected = format!("vouch-entry/{}", typed.predicate.entry);
            one_subject(&typed.subject, &expected)?;
            Ok(Submission::Retraction(typed))
        }
        KEY_REVOCATION_PREDICATE_TYPE => {
            let typed: Statement<KeyRevocation> = statement.into_typed().map_err(bad)?;
            let revoked = typed.predicate.revoked_key_id;
            one_subject(&typed.subject, &format!("vouch-key/{revoked}"))?;
            if typed.subject[0].sha256() != key_digest(&revoked) {
                return Err(VerifyError::BadPredicate(
                    "the subject digest is not the revoked key's id".into(),
                ));
            }
            Ok(Submission::KeyRevocation(typed))
        }
        other => Err(VerifyError::PredicateType(other.to_string())),
    }
}

fn one_subject(subject: &[Subject], name: &str) -> Result<(), VerifyError> {
    match subject {
        [only] if only.name == name => Ok(()),
        _ => Err(VerifyError::BadPredicate(format!(
            "the subject must be exactly {name:?}"
        ))),
    }
}

/// Verifies an envelope against `keys`: the signature of the key the predicate names as its
/// signer must be among the valid ones.
pub fn verify_submission(
    envelope: &Envelope,
    keys: &[PublicKey],
) -> Result<Submission, VerifyError> {
    verify_submission_with(envelope, keys, &[])
}

/// [`verify_submission`], with the signatures a batch check proved (see
/// [`Envelope::verified_keys_with`]) not checked again.
pub fn verify_submission_with(
    envelope: &Envelope,
    keys: &[PublicKey],
    proven: &[(usize, KeyId)],
) -> Result<Submission, VerifyError> {
    let verified = envelope.verified_keys_with(keys, proven)?;
    let submission = parse_submission(envelope)?;
    let signer = submission.signer();
    if !verified.iter().any(|k| k.id() == signer) {
        let signed: Vec<String> = verified.iter().map(|k| k.id().to_string()).collect();
        return Err(VerifyError::BadPredicate(format!(
            "the predicate's signer {signer} is not the key that signed ({})",
            signed.join(", ")
        )));
    }
    Ok(submission)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn retractions_and_revocations_sign_verify_and_bind_their_subject() {
        let alice = SecretKey::from_seed(&[1; 32]);
        let admin = SecretKey::from_seed(&[2; 32]);
        let retract = sign_statement(
            &retraction(alice.id(), 7, Digest::of(b"entry 7"), "mistake", at()),
            &alice,
        );
        let verified = verify_submission(&retract, std::slice::from_ref(alice.public())).unwrap();
        assert!(matches!(&verified, Submission::Retraction(s) if s.predicate.entry == 7));
        assert_eq!(verified.signer(), alice.id());
        // Signed by another key than the one it names: refused.
        let forged = sign_statement(
            &retraction(alice.id(), 7, Digest::of(b"x"), "x", at()),
            &admin,
        );
        assert!(
            verify_submission(&forged, &[alice.public().clone(), admin.public().clone()]).is_err()
        );
        let revoke = sign_statement(
            &key_revocation(admin.id(), alice.id(), "left", at()),
            &admin,
        );
        assert!(matches!(
            verify_submission(&revoke, std::slice::from_ref(admin.public())).unwrap(),
            Submission::KeyRevocation(_)
        ));
        // A subject that does not match the predicate: refused.
        let mut wrong = retraction(alice.id(), 7, Digest::of(b"entry 7"), "x", at());
        wrong.subject[0].name = "vouch-entry/8".into();
        assert!(parse_submission(&sign_statement(&wrong, &alice)).is_err());
        // From the future: refused.
        let later = Submission::Retraction(retraction(
            alice.id(),
            7,
            Digest::of(b"e"),
            "x",
            at() + chrono::Duration::hours(1),
        ));
        assert!(later.check_not_future(at()).is_err());
    }
}
