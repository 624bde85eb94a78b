//! `POST /v1/entries`: a submission read and verified off the async workers (envelope,
//! capped signatures, Statement, review, not dated in the future), handed to the group
//! committer, and answered once durable with its inclusion proof.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State as Shared;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use vouch_ledger::NewEntry;
use vouch_proto::api::{ErrorCode, SubmitResponse};
use vouch_proto::revocation::{verify_submission as verify_submission_with, Submission};
use vouch_proto::{Envelope, VerifyError};
use vouch_trust::{At, SignedKey};

use crate::api::{body_within, failing, stopping, worker_failed, ApiError, ApiResult, MAX_BODY};
use crate::authorize::{authorize, Earlier};
use crate::state::State;

/// Reads and verifies a submission off the async workers, at most [`crate::state`]'s bound at
/// once: envelope, signatures (capped), Statement, review, and that it is not dated in the
/// future.
async fn verify_submission(
    state: &Arc<State>,
    body: Bytes,
) -> ApiResult<(Envelope, Submission, Option<SignedKey>)> {
    let _permit = state.verifying.acquire().await.map_err(|_| stopping())?;
    let shared = Arc::clone(state);
    tokio::task::spawn_blocking(move || {
        let envelope = Envelope::from_json(&body).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadEnvelope,
                e.to_string(),
            )
        })?;
        let keys = shared.keys();
        let verified =
            verify_submission_with(&envelope, &keys).map_err(|e| refusal(&envelope, e))?;
        verified
            .check_not_future(chrono::Utc::now())
            .map_err(|e| refusal(&envelope, e))?;
        let retracts = authorize(&shared, &verified, &keys, &Earlier::new())?;
        Ok((envelope, verified, retracts))
    })
    .await
    .map_err(|_| worker_failed())?
}

/// The ledger entry of a verified submission.
pub(crate) fn new_entry(body: Vec<u8>, envelope: &Envelope, verified: &Submission) -> NewEntry {
    let signer = verified.signer();
    match verified {
        Submission::Review(s) => NewEntry::attestation(body, envelope, signer, s.as_ref()),
        Submission::Retraction(s) => NewEntry::attestation(body, envelope, signer, s),
        Submission::KeyRevocation(s) => NewEntry::attestation(body, envelope, signer, s),
    }
}

/// What vouchd accepts, for refusals of other keys.
const ACCEPTS: &str = "vouchd accepts reviews signed by its --trusted-key keys";

/// The answer to an envelope that does not verify.
pub(crate) fn refusal(envelope: &Envelope, e: VerifyError) -> ApiError {
    match e {
        VerifyError::WrongKey { .. } => ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::UnknownKey,
            format!("{e}; {ACCEPTS}"),
        ),
        VerifyError::BadSignature { .. }
            if envelope.signatures.iter().all(|s| s.keyid.is_empty()) =>
        {
            ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::UnknownKey,
                format!("no signature verifies with a trusted reviewer key; {ACCEPTS}"),
            )
        }
        VerifyError::BadSignature { .. } | VerifyError::NoSignatures => ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidSignature,
            e.to_string(),
        ),
        VerifyError::ReviewedInFuture { .. } => ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::FutureReview,
            e.to_string(),
        ),
        VerifyError::ExpiresBeforeReviewed { .. } => {
            ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadExpiry, e.to_string())
        }
        other => ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidStatement,
            other.to_string(),
        ),
    }
}

pub(crate) async fn submit(
    Shared(state): Shared<Arc<State>>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let body = body_within(body, MAX_BODY, "")?;
    if let Some(reason) = state.failure() {
        return Err(failing(&reason));
    }
    let (envelope, verified, retracts) = verify_submission(&state, body.clone()).await?;
    let signer = verified.signer();
    let entry = new_entry(body.to_vec(), &envelope, &verified);
    let signed = SignedKey(entry.signed_key);
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let queued = state.append(entry, move |result| {
        let _ = sender.send(result);
    });
    if !queued {
        if let Some(reason) = state.failure() {
            return Err(failing(&reason));
        }
        return Err(stopping());
    }
    let (appended, checkpoint) = receiver.await.map_err(|_| stopping())??;
    if !appended.existing {
        let at = At {
            index: appended.index,
            signed,
        };
        state.index_submission(at, &verified, retracts);
    }
    state.advance(checkpoint.clone());
    let size = checkpoint.tree_size;
    // Read here rather than handed to the blocking pool: a proof is a few rows (about 50 µs at
    // a million entries), less than the hand-off between threads costs a busy daemon.
    let proof = state
        .read(|view| view.inclusion_proof(appended.index, size))
        .map_err(ApiError::from)?;
    tracing::info!(
        index = appended.index,
        existing = appended.existing,
        signer = %signer,
        "accepted attestation"
    );
    let status = if appended.existing {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let response = SubmitResponse {
        index: appended.index,
        leaf_hash: appended.leaf_hash,
        integrated_at: appended.integrated_at,
        existing: appended.existing,
        checkpoint,
        inclusion_proof: proof,
    };
    Ok((status, Json(response)).into_response())
}
