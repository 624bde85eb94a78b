//! `POST /v1/import`: the entries of another ledger's export, each verified as a submission is
//! (envelope, signatures with this daemon's keys, Statement, not dated in the future) and
//! authorized against this daemon's policy, then appended in one transaction. See
//! [`vouch_proto::api::ImportRequest`] for what fails the whole request and what is refused on
//! its own.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State as Shared;
use axum::http::StatusCode;
use axum::Json;
use base64::Engine as _;
use rayon::prelude::*;
use vouch_proto::api::{
    ErrorCode, ImportOutcome, ImportRequest, ImportResponse, MAX_IMPORT_BODY, MAX_IMPORT_ENTRIES,
};
use vouch_proto::revocation::{verify_submission, Submission};
use vouch_proto::{signed_content_key, Digest, Envelope, PublicKey};
use vouch_trust::{At, SignedKey};

use crate::api::{body_within, failing, stopping, worker_failed, ApiError, ApiResult, MAX_BODY};
use crate::authorize::{authorize, Earlier};
use crate::state::State;
use crate::submit::{new_entry, refusal};

/// An entry verified and authorized: its bytes (and their sha256, which a retraction names),
/// read, and what they say.
struct Accepted {
    body: Vec<u8>,
    body_sha256: Digest,
    envelope: Envelope,
    submission: Submission,
    /// For a retraction: what the review it retracts signed.
    retracts: Option<SignedKey>,
}

/// One entry of the request once checked: appended next, or refused on its own.
enum Checked {
    /// Verified and authorized.
    Accepted(Box<Accepted>),
    /// Not accepted by this daemon's policy.
    Refused(ApiError),
}

pub(crate) async fn import(
    Shared(state): Shared<Arc<State>>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<ImportResponse>> {
    let request = read_request(body)?;
    if let Some(reason) = state.failure() {
        return Err(failing(&reason));
    }
    let dry_run = request.dry_run;
    let checked = check_all(&state, request.entries).await?;
    let outcomes = if dry_run {
        preview(&state, &checked).await?
    } else {
        append(&state, checked).await?
    };
    let checkpoint = state
        .latest()
        .ok_or_else(|| failing("there is no checkpoint"))?;
    Ok(Json(ImportResponse {
        results: outcomes,
        checkpoint,
    }))
}

/// The request, within its bounds.
fn read_request(body: Result<Bytes, BytesRejection>) -> ApiResult<ImportRequest> {
    let body = body_within(body, MAX_IMPORT_BODY, "; send fewer entries per request")?;
    let request: ImportRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadBody,
            format!("not an import request: {e}"),
        )
    })?;
    if request.entries.len() > MAX_IMPORT_ENTRIES {
        return Err(too_large(format!(
            "{} entries in one request; send at most {MAX_IMPORT_ENTRIES}",
            request.entries.len()
        )));
    }
    Ok(request)
}

/// Verifies every entry (in parallel, off the async workers) and then authorizes them in order,
/// so a retraction may name a review earlier in the request. The first entry that is not a
/// well-formed, correctly signed attestation fails the request.
async fn check_all(state: &Arc<State>, entries: Vec<String>) -> ApiResult<Vec<Checked>> {
    let _permit = state.verifying.acquire().await.map_err(|_| stopping())?;
    let shared = Arc::clone(state);
    tokio::task::spawn_blocking(move || {
        let keys = shared.keys();
        let now = chrono::Utc::now();
        let verified: Vec<ApiResult<Verified>> = entries
            .into_par_iter()
            .enumerate()
            .map(|(position, text)| verify_one(position, &text, &keys, now))
            .collect();
        let mut earlier = Earlier::new();
        let mut checked = Vec::with_capacity(verified.len());
        for result in verified {
            let (body, envelope, submission) = match result? {
                Ok(verified) => verified,
                Err(refused) => {
                    checked.push(Checked::Refused(refused));
                    continue;
                }
            };
            match authorize(&shared, &submission, &keys, &earlier) {
                Ok(retracts) => {
                    let body_sha256 = Digest::of(&body);
                    if let Submission::Review(_) = &submission {
                        let signer = submission.signer();
                        let signed = SignedKey(signed_content_key(&envelope, &signer));
                        earlier.insert(body_sha256, (signer, signed));
                    }
                    checked.push(Checked::Accepted(Box::new(Accepted {
                        body,
                        body_sha256,
                        envelope,
                        submission,
                        retracts,
                    })));
                }
                Err(refused) => checked.push(Checked::Refused(refused)),
            }
        }
        Ok(checked)
    })
    .await
    .map_err(|_| worker_failed())?
}

/// An entry's bytes and what they say, or why this daemon's keys do not accept it.
type Verified = Result<(Vec<u8>, Envelope, Submission), ApiError>;

/// One entry verified: `Ok(Err(_))` when no key of this daemon signed it, an error (naming the
/// entry's position) when it is not a well-formed, correctly signed attestation.
fn verify_one(
    position: usize,
    text: &str,
    keys: &[PublicKey],
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Verified> {
    let at = |e: ApiError| e.prefixed(&format!("entry {position} of the request"));
    let body = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| {
            at(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadBody,
                format!("not base64: {e}"),
            ))
        })?;
    if body.len() > MAX_BODY {
        return Err(at(too_large(format!("over {MAX_BODY} bytes"))));
    }
    let envelope = Envelope::from_json(&body).map_err(|e| {
        at(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadEnvelope,
            e.to_string(),
        ))
    })?;
    let verified = verify_submission(&envelope, keys).and_then(|s| {
        s.check_not_future(now)?;
        Ok(s)
    });
    match verified {
        Ok(submission) => Ok(Ok((body, envelope, submission))),
        Err(e) => {
            let refused = refusal(&envelope, e);
            if refused.code() == ErrorCode::UnknownKey {
                Ok(Err(refused))
            } else {
                Err(at(refused))
            }
        }
    }
}

/// What an import would do: entries already here (by their bytes) are duplicates.
async fn preview(state: &Arc<State>, checked: &[Checked]) -> ApiResult<Vec<ImportOutcome>> {
    let bodies: Vec<Option<Digest>> = checked
        .iter()
        .map(|c| match c {
            Checked::Accepted(a) => Some(a.body_sha256),
            Checked::Refused(_) => None,
        })
        .collect();
    let found = crate::api::blocking(state, move |s| {
        s.read(|view| {
            bodies
                .iter()
                .map(|b| b.map(|b| view.index_of_body(&b)).transpose())
                .collect::<Result<Vec<_>, _>>()
        })
    })
    .await?;
    Ok(checked
        .iter()
        .zip(found)
        .map(|(c, found)| match (c, found) {
            (Checked::Refused(e), _) => e.outcome(),
            (_, Some(Some(index))) => ImportOutcome::Duplicate { index: Some(index) },
            _ => ImportOutcome::Imported { index: None },
        })
        .collect())
}

/// Appends the accepted entries in one transaction and indexes the new ones.
async fn append(state: &Arc<State>, checked: Vec<Checked>) -> ApiResult<Vec<ImportOutcome>> {
    let mut accepted = Vec::new();
    let mut entries = Vec::new();
    for c in &checked {
        if let Checked::Accepted(a) = c {
            // Every imported entry keeps its exact bytes, even when this ledger holds the same
            // signed statement in another encoding: a retraction names its review by them.
            let mut entry = new_entry(a.body.clone(), &a.envelope, &a.submission);
            entry.keep_encoding = true;
            accepted.push((SignedKey(entry.signed_key), &a.submission, a.retracts));
            entries.push(entry);
        }
    }
    let (sender, receiver) = tokio::sync::oneshot::channel();
    if !entries.is_empty() {
        let queued = state.append_all(entries, move |result| {
            let _ = sender.send(result);
        });
        if !queued {
            return Err(state.failure().map_or_else(stopping, |r| failing(&r)));
        }
    } else {
        drop(sender);
    }
    let appended = match receiver.await {
        Ok(result) => {
            let (appended, checkpoint) = result?;
            state.advance(checkpoint);
            appended
        }
        Err(_) if accepted.is_empty() => Vec::new(),
        Err(_) => return Err(stopping()),
    };
    let mut appended = appended.into_iter().zip(accepted);
    let mut outcomes = Vec::with_capacity(checked.len());
    for c in &checked {
        let Checked::Refused(refused) = c else {
            let (done, (signed, submission, retracts)) =
                appended.next().ok_or_else(worker_failed)?;
            if done.existing {
                outcomes.push(ImportOutcome::Duplicate {
                    index: Some(done.index),
                });
            } else {
                state.index_submission(
                    At {
                        index: done.index,
                        signed,
                    },
                    submission,
                    retracts,
                );
                outcomes.push(ImportOutcome::Imported {
                    index: Some(done.index),
                });
            }
            continue;
        };
        outcomes.push(refused.outcome());
    }
    tracing::info!(entries = checked.len(), "imported");
    Ok(outcomes)
}

fn too_large(detail: String) -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge, detail)
}
