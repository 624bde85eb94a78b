//! Whether a verified submission's signer may do what it does: anyone the policy knows may
//! review; only an admin of the policy in force may revoke a key; only a review's own reviewer
//! may retract it. A retraction names the review by the sha256 of its stored bytes (its index
//! is that of the ledger it was first written to, which an import changes), so the review is
//! found by those bytes, read back and verified again here.

use std::collections::HashMap;

use axum::http::StatusCode;
use vouch_proto::api::ErrorCode;
use vouch_proto::revocation::{verify_submission, Retraction, Submission};
use vouch_proto::{Digest, Envelope, KeyId, PublicKey, Statement};

use crate::api::{ApiError, ApiResult};
use crate::state::State;

/// Reviews verified earlier in the same request (an import), not yet in the ledger: the sha256
/// of their bytes and their reviewer.
pub(crate) type Earlier = HashMap<Digest, KeyId>;

/// Whether the signer of `submission` may do what it does; `keys` are the keys submissions may
/// be signed with now.
pub(crate) fn authorize(
    state: &State,
    submission: &Submission,
    keys: &[PublicKey],
    earlier: &Earlier,
) -> ApiResult<()> {
    match submission {
        Submission::Review(_) => Ok(()),
        Submission::KeyRevocation(s) => {
            let (policy, _) = state.policy();
            if policy.is_admin(&s.predicate.admin.key_id) {
                Ok(())
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
                Some(owner) if owner == s.predicate.reviewer.key_id => Ok(()),
                Some(owner) => Err(forbidden(format!("entry #{index} is a review by key {owner}; only its reviewer may retract it"))),
                None => Err(forbidden(format!("entry #{index} is not a review by a key of the policy in force, so it cannot be retracted"))),
            }
        }
    }
}

/// The reviewer of the stored review a retraction names by its bytes' sha256, verified with
/// `keys` again now; `None` when those bytes are not a review by one of `keys`.
fn stored_owner(
    state: &State,
    retraction: &Statement<Retraction>,
    keys: &[PublicKey],
) -> ApiResult<Option<KeyId>> {
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
    Ok(Envelope::from_json(&stored.body)
        .ok()
        .and_then(|e| verify_submission(&e, keys).ok())
        .filter(|r| matches!(r, Submission::Review(_)))
        .map(|r| r.signer()))
}

fn forbidden(detail: String) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, ErrorCode::NotAllowed, detail)
}
