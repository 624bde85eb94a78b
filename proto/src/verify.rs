//! Verifying a review attestation end to end: signature, payload type, Statement, predicate, and
//! that the predicate agrees with the subject it is signed for.

use crate::dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE};
use crate::error::VerifyError;
use crate::image::ImageRef;
use crate::key::{KeyId, PublicKey, SecretKey};
use crate::review::{ReviewStatement, REVIEW_PREDICATE_TYPE};
use crate::statement::Statement;

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
/// The order follows DSSE: the signature over the PAE first, so nothing unauthenticated is
/// interpreted; then the payload type; then the Statement and the review predicate.
pub fn verify_review(
    envelope: &Envelope,
    keys: &[PublicKey],
) -> Result<VerifiedReview, VerifyError> {
    let signer = envelope.verify(keys)?.id();
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(VerifyError::PayloadType {
            found: envelope.payload_type.clone(),
            expected: IN_TOTO_PAYLOAD_TYPE,
        });
    }
    let statement = Statement::from_payload(&envelope.payload)?;
    if statement.predicate_type != REVIEW_PREDICATE_TYPE {
        return Err(VerifyError::PredicateType(statement.predicate_type));
    }
    let statement: ReviewStatement = statement
        .into_typed()
        .map_err(|e| VerifyError::BadPredicate(e.to_string()))?;
    check_consistency(&statement)?;
    if statement.predicate.reviewer.key_id != signer {
        return Err(VerifyError::BadPredicate(format!(
            "reviewer.keyId {} is not the key that signed ({signer})",
            statement.predicate.reviewer.key_id
        )));
    }
    Ok(VerifiedReview { signer, statement })
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
}
