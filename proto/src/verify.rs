//! Verifying a review attestation end to end: signature, payload type, Statement, predicate, and
//! that the predicate agrees with the subject it is signed for.

use crate::dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE};
use crate::error::VerifyError;
use crate::image::ImageRef;
use crate::key::{KeyId, PublicKey, SecretKey};
use crate::review::{ReviewStatement, REVIEW_PREDICATE_TYPE};
use crate::statement::Statement;
use crate::timestamp;

/// A review whose signature and content have been checked.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedReview {
    /// The key whose signature verified.
    pub signer: KeyId,
    /// The statement, typed.
    pub statement: ReviewStatement,
}

/// Signs a review statement into a DSSE envelope.
pub fn sign_review(statement: &ReviewStatement, key: &SecretKey) -> Envelope {
    Envelope::sign(IN_TOTO_PAYLOAD_TYPE, statement.to_payload(), key)
}

/// Verifies a review envelope against the given keys.
///
/// The order follows DSSE: the signatures over the PAE first, so nothing unauthenticated is
/// interpreted; then the payload type, the Statement and the review predicate. The signer is
/// the predicate's `reviewer.keyId`, which must be among the keys with a valid signature: in a
/// co-signed envelope that is the reviewer's signature, whatever order the keys are given in.
pub fn verify_review(
    envelope: &Envelope,
    keys: &[PublicKey],
) -> Result<VerifiedReview, VerifyError> {
    verify_review_with(envelope, keys, &[])
}

/// [`verify_review`], with the signatures a batch check proved (see
/// [`Envelope::verified_keys_with`]) not checked again.
pub fn verify_review_with(
    envelope: &Envelope,
    keys: &[PublicKey],
    proven: &[(usize, KeyId)],
) -> Result<VerifiedReview, VerifyError> {
    let verified = envelope.verified_keys_with(keys, proven)?;
    let statement = parse_review(envelope)?;
    signed_by_reviewer(&verified, statement)
}

/// [`verify_review_with`] for a review the caller has read from the envelope already (with
/// [`parse_review`], or as a [`crate::revocation::Submission::Review`]), so that its payload is
/// not read twice: the signatures, then that the reviewer is among the keys that signed.
pub fn verify_read_review(
    envelope: &Envelope,
    statement: ReviewStatement,
    keys: &[PublicKey],
    proven: &[(usize, KeyId)],
) -> Result<VerifiedReview, VerifyError> {
    let verified = envelope.verified_keys_with(keys, proven)?;
    signed_by_reviewer(&verified, statement)
}

/// The review, once its reviewer's key is among `verified` (the keys with a valid signature).
fn signed_by_reviewer(
    verified: &[&PublicKey],
    statement: ReviewStatement,
) -> Result<VerifiedReview, VerifyError> {
    let reviewer = statement.predicate.reviewer.key_id;
    if !verified.iter().any(|key| key.id() == reviewer) {
        let signed: Vec<String> = verified.iter().map(|k| k.id().to_string()).collect();
        return Err(VerifyError::BadPredicate(format!(
            "reviewer.keyId {reviewer} is not the key that signed ({})",
            signed.join(", ")
        )));
    }
    Ok(VerifiedReview {
        signer: reviewer,
        statement,
    })
}

/// Reads an envelope's review without checking any signature: payload type, Statement (no
/// repeated JSON keys), predicate type, the review predicate, and that it names its subject.
/// Only for callers that verify the reviewer's signature themselves (the ledger audit).
pub fn parse_review(envelope: &Envelope) -> Result<ReviewStatement, VerifyError> {
    check_payload_type(envelope)?;
    review_of(Statement::from_payload(&envelope.payload)?)
}

/// [`parse_review`] for a caller that has already read the envelope's Statement (the ledger
/// audit does, strictly): the same checks, without reading the payload a second time.
pub fn review_from(
    envelope: &Envelope,
    statement: Statement<crate::statement::RawPredicate>,
) -> Result<ReviewStatement, VerifyError> {
    check_payload_type(envelope)?;
    review_of(statement)
}

fn check_payload_type(envelope: &Envelope) -> Result<(), VerifyError> {
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(VerifyError::PayloadType {
            found: envelope.payload_type.clone(),
            expected: IN_TOTO_PAYLOAD_TYPE,
        });
    }
    Ok(())
}

/// The review in a Statement: its predicate type, the review predicate, and that it names its
/// subject.
fn review_of(
    statement: Statement<crate::statement::RawPredicate>,
) -> Result<ReviewStatement, VerifyError> {
    if statement.predicate_type != REVIEW_PREDICATE_TYPE {
        return Err(VerifyError::PredicateType(statement.predicate_type));
    }
    let statement: ReviewStatement = statement
        .into_typed()
        .map_err(|e| VerifyError::BadPredicate(e.to_string()))?;
    check_consistency(&statement)?;
    Ok(statement)
}

/// A review names exactly one image; its reference must normalise to the signed subject.
fn check_consistency(statement: &ReviewStatement) -> Result<(), VerifyError> {
    let [subject] = statement.subject.as_slice() else {
        return Err(VerifyError::BadPredicate(format!(
            "a review has exactly one subject, this one has {}",
            statement.subject.len()
        )));
    };
    let reference = &statement.predicate.image.reference;
    let image = ImageRef::parse_pinned(reference)
        .map_err(|e| VerifyError::BadPredicate(format!("image.reference: {e}")))?;
    if image.name() != subject.name || image.digest() != subject.sha256() {
        return Err(VerifyError::BadPredicate(format!(
            "image.reference {reference:?} does not name the subject {}@{}",
            subject.name,
            subject.sha256()
        )));
    }
    let review = &statement.predicate;
    if let Some(expires) = review.expires_at.filter(|t| *t <= review.reviewed_at) {
        return Err(VerifyError::ExpiresBeforeReviewed {
            expires_at: timestamp::format(&expires),
            reviewed_at: timestamp::format(&review.reviewed_at),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::{Review, Verdict};
    use chrono::TimeZone;

    fn review(key: &SecretKey, reference: &str) -> ReviewStatement {
        let image = ImageRef::parse_pinned(reference).unwrap();
        ReviewStatement::new(
            &image,
            Review::new(
                key.id(),
                Verdict::Trusted,
                chrono::Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
                reference,
            ),
        )
    }

    #[test]
    fn a_signed_review_verifies() {
        let key = SecretKey::from_seed(&[9; 32]);
        let statement = review(&key, &format!("ubuntu@sha256:{}", "a".repeat(64)));
        let verified = verify_review(
            &sign_review(&statement, &key),
            std::slice::from_ref(key.public()),
        )
        .unwrap();
        assert_eq!(verified.signer, key.id());
        assert_eq!(verified.statement, statement);
    }

    #[test]
    fn a_reference_that_disagrees_with_the_subject_is_refused() {
        let key = SecretKey::from_seed(&[9; 32]);
        let mut statement = review(&key, &format!("ubuntu@sha256:{}", "a".repeat(64)));
        statement.predicate.image.reference = format!("debian@sha256:{}", "a".repeat(64));
        let err = verify_review(
            &sign_review(&statement, &key),
            std::slice::from_ref(key.public()),
        )
        .unwrap_err();
        assert!(matches!(err, VerifyError::BadPredicate(_)), "{err}");
    }

    #[test]
    fn the_reviewer_must_be_the_signer() {
        let key = SecretKey::from_seed(&[9; 32]);
        let other = SecretKey::from_seed(&[8; 32]);
        let statement = review(&other, &format!("ubuntu@sha256:{}", "a".repeat(64)));
        let err = verify_review(
            &sign_review(&statement, &key),
            std::slice::from_ref(key.public()),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("is not the key that signed"),
            "{err}"
        );
    }

    #[test]
    fn payload_type_is_checked_after_the_signature() {
        let key = SecretKey::from_seed(&[9; 32]);
        let statement = review(&key, &format!("ubuntu@sha256:{}", "a".repeat(64)));
        let env = Envelope::sign("application/json", statement.to_payload(), &key);
        assert!(matches!(
            verify_review(&env, std::slice::from_ref(key.public())),
            Err(VerifyError::PayloadType { .. })
        ));
    }

    #[test]
    fn a_co_signed_review_counts_for_its_reviewer_whatever_the_key_order() {
        let alice = SecretKey::from_seed(&[1; 32]);
        let bob = SecretKey::from_seed(&[2; 32]);
        let statement = review(&bob, &format!("ubuntu@sha256:{}", "a".repeat(64)));
        let mut envelope = sign_review(&statement, &alice);
        envelope
            .signatures
            .extend(sign_review(&statement, &bob).signatures);
        for keys in [
            [alice.public().clone(), bob.public().clone()],
            [bob.public().clone(), alice.public().clone()],
        ] {
            assert_eq!(verify_review(&envelope, &keys).unwrap().signer, bob.id());
        }
        // Alice alone signed, but the review is Bob's: refused.
        let err = verify_review(&envelope, std::slice::from_ref(alice.public())).unwrap_err();
        assert!(
            err.to_string().contains("is not the key that signed"),
            "{err}"
        );
    }

    #[test]
    fn repeated_keys_in_the_payload_are_refused_even_when_signed() {
        let key = SecretKey::from_seed(&[9; 32]);
        let statement = review(&key, &format!("ubuntu@sha256:{}", "a".repeat(64)));
        let text = String::from_utf8(statement.to_payload()).unwrap();
        let doubled = text.replace(
            "\"verdict\":\"trusted\"",
            "\"verdict\":\"rejected\",\"verdict\":\"trusted\"",
        );
        assert_ne!(doubled, text);
        let envelope = Envelope::sign(IN_TOTO_PAYLOAD_TYPE, doubled.into_bytes(), &key);
        let err = verify_review(&envelope, std::slice::from_ref(key.public())).unwrap_err();
        assert!(err.to_string().contains("appears twice"), "{err}");
    }

    #[test]
    fn expiry_must_follow_the_review_and_the_review_must_not_be_from_the_future() {
        let key = SecretKey::from_seed(&[9; 32]);
        let mut statement = review(&key, &format!("ubuntu@sha256:{}", "a".repeat(64)));
        statement.predicate.expires_at = Some(statement.predicate.reviewed_at);
        let err = verify_review(
            &sign_review(&statement, &key),
            std::slice::from_ref(key.public()),
        )
        .unwrap_err();
        assert!(
            matches!(err, VerifyError::ExpiresBeforeReviewed { .. }),
            "{err}"
        );
        let reviewed = statement.predicate.reviewed_at;
        let review = &statement.predicate;
        assert!(review.check_not_future(reviewed).is_ok());
        assert!(review
            .check_not_future(reviewed - chrono::Duration::seconds(crate::MAX_CLOCK_SKEW_SECS))
            .is_ok());
        assert!(matches!(
            review.check_not_future(
                reviewed - chrono::Duration::seconds(crate::MAX_CLOCK_SKEW_SECS + 1)
            ),
            Err(VerifyError::ReviewedInFuture { .. })
        ));
    }
}
