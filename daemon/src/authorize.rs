//! Whether a verified submission's signer may do what it does: anyone the policy knows may
//! review; only an admin of the policy in force may revoke a key; only a review's own reviewer
//! may retract it. A retraction names the review by the sha256 of its stored bytes (its index
//! is that of the ledger it was first written to, which an import changes), so the review is
//! found by those bytes, read back and verified again here, and the retraction then applies to
//! what its reviewer signed (the signed-content key), in whatever encoding it is stored.

use std::collections::HashMap;

use axum::http::StatusCode;
use vouch_proto::api::ErrorCode;
use vouch_proto::revocation::{verify_submission, Retraction, Submission};
use vouch_proto::{signed_content_key, Digest, Envelope, KeyId, PublicKey, Statement};
use vouch_trust::SignedKey;

use crate::api::{ApiError, ApiResult};
use crate::state::State;

/// Reviews verified earlier in the same request (an import), not yet in the ledger: by the
/// sha256 of their bytes, their reviewer and what that reviewer signed.
pub(crate) type Earlier = HashMap<Digest, (KeyId, SignedKey)>;

/// Whether the signer of `submission` may do what it does; `keys` are the keys submissions may
/// be signed with now. For a retraction, returns the signed-content key of the review it
/// retracts: the retraction applies to that signed review in whatever encoding it is stored.
pub(crate) fn authorize(
    state: &State,
    submission: &Submission,
    keys: &[PublicKey],
    earlier: &Earlier,
) -> ApiResult<Option<SignedKey>> {
    match submission {
        Submission::Review(_) => Ok(None),
        Submission::KeyRevocation(s) => {
            let (policy, _) = state.policy();
            if policy.is_admin(&s.predicate.admin.key_id) {
                Ok(None)
            } else {
                Err(forbidden(format!(
                    "key {} is not an admin of the policy in force: only an admin may revoke a key",
                    s.predicate.admin.key_id
                )))
            }
        }
        Submission::Retraction(s) => {
            let index = s.predicate.entry;
            let named = s.subject[0].sha256();
            let owner = match earlier.get(&named) {
                Some(owner) => Some(*owner),
                None => stored_owner(state, s, keys)?,
            };
            match owner {
                Some((owner, signed)) if owner == s.predicate.reviewer.key_id => Ok(Some(signed)),
                Some((owner, _)) => Err(forbidden(format!("entry #{index} is a review by key {owner}; only its reviewer may retract it"))),
                None => Err(forbidden(format!("entry #{index} is not a review by a key of the policy in force, so it cannot be retracted"))),
            }
        }
    }
}

/// The reviewer of the stored review a retraction names by its bytes' sha256, verified with
/// `keys` again now, and what that reviewer signed; `None` when those bytes are not a review by
/// one of `keys`.
fn stored_owner(
    state: &State,
    retraction: &Statement<Retraction>,
    keys: &[PublicKey],
) -> ApiResult<Option<(KeyId, SignedKey)>> {
    let index = retraction.predicate.entry;
    let named = retraction.subject[0].sha256();
    let stored = state
        .read(|view| match view.index_of_body(&named)? {
            Some(at) => view.entry(at).map(|entry| entry.map(Ok)),
            None => view.entry(index).map(|entry| entry.map(|_| Err(()))),
        })
        .map_err(ApiError::from)?;
    let stored = match stored {
        Some(Ok(stored)) => stored,
        Some(Err(())) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidStatement,
                format!("the retraction names entry #{index} with a digest that is not the sha256 of its stored bytes, and no other entry has those bytes"),
            ))
        }
        None => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                ErrorCode::NoSuchEntry,
                format!("there is no entry #{index} to retract, and no entry has the bytes the retraction names"),
            ))
        }
    };
    Ok(Envelope::from_json(&stored.body).ok().and_then(|envelope| {
        let review = verify_submission(&envelope, keys).ok()?;
        let Submission::Review(_) = review else {
            return None;
        };
        let owner = review.signer();
        Some((owner, SignedKey(signed_content_key(&envelope, &owner))))
    }))
}

fn forbidden(detail: String) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, ErrorCode::NotAllowed, detail)
}
