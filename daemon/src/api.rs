//! The HTTP API (version 1): routes, handlers, and the JSON error body. `schema/openapi.yaml`
//! describes it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, MatchedPath, Path, Query, Request, State as Shared};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use serde::Deserialize;
use vouch_ledger::LedgerError;
use vouch_proto::api::{
    paths, CheckpointResponse, EntryResponse, ErrorBody, ErrorCode, HealthResponse, Reason,
    ReasonCode, TrustResponse, MAX_IMPORT_BODY,
};
use vouch_proto::Digest;

use crate::state::State;

use vouch_trust::{Evaluator, Question};

/// The largest body accepted: 1 MiB.
pub const MAX_BODY: usize = 1 << 20;

/// An error answer: status, code and detail.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    detail: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            detail: detail.into(),
        }
    }

    /// Its stable code.
    pub(crate) fn code(&self) -> ErrorCode {
        self.code
    }

    /// The same error, its detail prefixed with `what` (`"what: detail"`).
    pub(crate) fn prefixed(self, what: &str) -> Self {
        ApiError {
            detail: format!("{what}: {}", self.detail),
            ..self
        }
    }

    /// The error as the outcome of one entry of an import, refused on its own.
    pub(crate) fn outcome(&self) -> vouch_proto::api::ImportOutcome {
        vouch_proto::api::ImportOutcome::Refused {
            error: self.code.as_str().to_string(),
            detail: self.detail.clone(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.code.as_str().to_string(),
            detail: self.detail,
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<LedgerError> for ApiError {
    fn from(err: LedgerError) -> Self {
        match err {
            LedgerError::OutOfRange(detail) => {
                ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::OutOfRange, detail)
            }
            // Busy and full are the machine's state, not the ledger's: say so, and no more.
            busy if busy.is_busy() || matches!(busy, LedgerError::Unavailable(_)) => {
                tracing::warn!(error = %busy, "ledger busy");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::LedgerError,
                    "the ledger is busy; try again",
                )
            }
            full if full.is_disk_full() => {
                tracing::error!(error = %full, "ledger disk full");
                ApiError::new(
                    StatusCode::INSUFFICIENT_STORAGE,
                    ErrorCode::LedgerError,
                    "the ledger's disk is full; nothing was stored",
                )
            }
            // Never send SQL text or paths to clients: the log has the details.
            other => {
                tracing::error!(error = %other, "ledger error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::LedgerError,
                    "the ledger could not answer; see the daemon's log",
                )
            }
        }
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// A request body as read, or the answer to one that could not be: over `limit` bytes (413,
/// with `advice`), or not read (400).
pub(crate) fn body_within(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
    limit: usize,
    advice: &str,
) -> ApiResult<axum::body::Bytes> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::TooLarge,
                format!("the body is over {limit} bytes{advice}"),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadBody,
                rejection.body_text(),
            )
        }
    })
}

/// The full API, for the Unix socket.
pub fn router(state: Arc<State>) -> Router {
    reads(
        Router::new()
            .route(
                paths::ENTRIES,
                post(crate::submit::submit).layer(DefaultBodyLimit::max(MAX_BODY)),
            )
            .route(
                paths::IMPORT,
                post(crate::import::import).layer(DefaultBodyLimit::max(MAX_IMPORT_BODY)),
            ),
        state,
    )
}

/// The read-only API, for `--listen`: submissions are refused.
pub fn read_only(state: Arc<State>) -> Router {
    reads(
        Router::new()
            .route(paths::ENTRIES, post(refuse_write))
            .route(paths::IMPORT, post(refuse_write)),
        state,
    )
}

fn reads(routes: Router<Arc<State>>, state: Arc<State>) -> Router {
    routes
        .route(paths::TRUST, get(trust))
        .route(paths::ENTRY, get(entry))
        .route(paths::CHECKPOINT, get(checkpoint))
        .route(paths::INCLUSION, get(inclusion))
        .route(paths::CONSISTENCY, get(consistency))
        .route(paths::HEALTH, get(health))
        .route(paths::METRICS, get(metrics))
        .fallback(not_found)
        .layer(middleware::from_fn(guard))
        .layer(middleware::from_fn_with_state(state.clone(), measure))
        .with_state(state)
}

async fn refuse_write() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::ReadOnly,
        "this listener is read-only; submit attestations over vouchd's Unix socket",
    )
}

async fn measure(Shared(state): Shared<Arc<State>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "other".into());
    let started = Instant::now();
    let response = next.run(request).await;
    state
        .metrics
        .record(&route, response.status().as_u16(), started.elapsed());
    response
}

/// How long one request may take, body included; a client that trickles its body is cut off.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Bounds every request in time, and makes every error answer the documented JSON body, also
/// those axum writes itself (bad path or query parameters, wrong method): clients read one
/// error format.
async fn guard(request: Request, next: Next) -> Response {
    let Ok(response) = tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await else {
        return ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::Timeout,
            format!(
                "the request took over {} s; send it again, all at once",
                REQUEST_TIMEOUT.as_secs()
            ),
        )
        .into_response();
    };
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let text = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let code = match status {
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::TooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        s if s.is_server_error() => ErrorCode::Internal,
        _ => ErrorCode::BadRequest,
    };
    let detail = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_lowercase()
    } else {
        text
    };
    ApiError::new(status, code, detail).into_response()
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "no such endpoint; see schema/openapi.yaml",
    )
}

pub(crate) async fn blocking<T: Send + 'static>(
    state: &Arc<State>,
    f: impl FnOnce(&State) -> Result<T, LedgerError> + Send + 'static,
) -> ApiResult<T> {
    let state = Arc::clone(state);
    tokio::task::spawn_blocking(move || f(&state))
        .await
        .map_err(|_| worker_failed())?
        .map_err(ApiError::from)
}

/// The latest checkpoint, or the failing-closed answer when the ledger failed its checks.
fn latest_or_failing(state: &State) -> ApiResult<vouch_proto::Checkpoint> {
    state
        .latest()
        .ok_or_else(|| failing(&state.failure().unwrap_or_default()))
}

pub(crate) fn worker_failed() -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Internal,
        "a worker failed",
    )
}

pub(crate) fn stopping() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Stopping,
        "vouchd is stopping and accepts no entries now; try again",
    )
}

pub(crate) fn failing(reason: &str) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::LedgerFailing,
        format!("the ledger failed its integrity check, so vouchd accepts nothing and trusts nothing: {reason}"),
    )
}

/// The query of `GET /v1/trust/{digest}`.
#[derive(serde::Deserialize)]
struct TrustQuery {
    /// The repository the digest is asked about as (its rule applies).
    image: Option<String>,
}

async fn trust(
    Shared(state): Shared<Arc<State>>,
    Path(digest): Path<String>,
    query: Result<axum::extract::Query<TrustQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<TrustResponse>> {
    let query = query.map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            e.body_text(),
        )
    })?;
    let repository = match query.0.image.as_deref() {
        Some(image) => Some(vouch_trust::decide::repository_of(image).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                format!("image={image:?} is not an image reference (e.g. ghcr.io/acme/app)"),
            )
        })?),
        None => None,
    };
    let parsed: Digest = digest.parse().map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadDigest,
            format!("{digest:?}: {e}"),
        )
    })?;
    if state.failure().is_some() {
        return failing_answer(&state, parsed, repository);
    }
    let (policy, policy_entry) = state.policy();
    let question = Question {
        digest: parsed,
        repository: repository.clone(),
    };
    let decision = Evaluator::new(&policy, &state.index, chrono::Utc::now()).decide(&question);
    if state.failure().is_some() {
        // A review read for this answer did not check out: no answer from the rest.
        return failing_answer(&state, parsed, repository);
    }
    Ok(Json(TrustResponse {
        digest: parsed.to_string(),
        trusted: decision.trusted,
        reasons: decision.reasons,
        attestations: decision.attestations,
        image: repository,
        rule: decision.rule,
        mode: Some(decision.mode.as_str().to_string()),
        policy_entry,
        checkpoint: state.latest(),
    }))
}

/// The answer while failing closed: not trusted, and why.
fn failing_answer(
    state: &State,
    digest: Digest,
    image: Option<String>,
) -> ApiResult<Json<TrustResponse>> {
    let reason = state.failure().unwrap_or_default();
    Ok(Json(TrustResponse {
        digest: digest.to_string(),
        trusted: false,
        reasons: vec![Reason::new(
            ReasonCode::LedgerFailing,
            format!("not trusted: the ledger failed its integrity check, so vouchd trusts nothing: {reason}"),
        )],
        attestations: Vec::new(),
        image,
        rule: None,
        mode: None,
        policy_entry: None,
        checkpoint: None,
    }))
}

async fn entry(
    Shared(state): Shared<Arc<State>>,
    Path(index): Path<String>,
) -> ApiResult<Json<EntryResponse>> {
    let index: u64 = index.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadIndex,
            format!("{index:?} is not an entry index (a whole number from 0)"),
        )
    })?;
    if let Some(reason) = state.failure() {
        return Err(failing(&reason));
    }
    let stored = blocking(&state, move |s| s.read(|view| view.entry(index))).await?;
    let entry = stored.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NoSuchEntry,
            format!("there is no entry {index}"),
        )
    })?;
    Ok(Json(EntryResponse {
        index: entry.index,
        kind: entry.kind.to_string(),
        integrated_at: entry.integrated_at,
        body: base64::engine::general_purpose::STANDARD.encode(&entry.body),
        leaf_hash: entry.leaf_hash,
        signer: entry.signer,
        subjects: entry.subjects.iter().map(ToString::to_string).collect(),
    }))
}

#[derive(Deserialize)]
struct CheckpointQuery {
    size: Option<u64>,
}

/// The latest checkpoint, or with `?size=N` the one the ledger signed at exactly N entries
/// (each commit signs one), so clients can verify proofs against older trees too.
async fn checkpoint(
    Shared(state): Shared<Arc<State>>,
    Query(q): Query<CheckpointQuery>,
) -> ApiResult<Json<CheckpointResponse>> {
    let latest = latest_or_failing(&state)?;
    let checkpoint = match q.size {
        None => latest,
        Some(size) if size == latest.tree_size => latest,
        Some(size) if size > latest.tree_size => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::OutOfRange,
                format!(
                    "the ledger has {} entries, no checkpoint at size {size}",
                    latest.tree_size
                ),
            ))
        }
        Some(size) => blocking(&state, move |s| s.read(|view| view.checkpoint_at(size)))
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    ErrorCode::NoSuchCheckpoint,
                    format!(
                        "the ledger signed no checkpoint at size {size} (one is signed per commit)"
                    ),
                )
            })?,
    };
    let log_key = state
        .log_key
        .as_ref()
        .map(|k| k.to_pem())
        .unwrap_or_default();
    Ok(Json(CheckpointResponse {
        checkpoint,
        log_key,
    }))
}

#[derive(Deserialize)]
struct InclusionQuery {
    index: u64,
    size: Option<u64>,
}

async fn inclusion(
    Shared(state): Shared<Arc<State>>,
    Query(q): Query<InclusionQuery>,
) -> ApiResult<Response> {
    prove(&state, move |view, latest| {
        view.inclusion_proof(q.index, q.size.unwrap_or(latest))
    })
    .await
}

#[derive(Deserialize)]
struct ConsistencyQuery {
    old: u64,
    new: Option<u64>,
}

async fn consistency(
    Shared(state): Shared<Arc<State>>,
    Query(q): Query<ConsistencyQuery>,
) -> ApiResult<Response> {
    prove(&state, move |view, latest| {
        view.consistency_proof(q.old, q.new.unwrap_or(latest))
    })
    .await
}

/// A proof made off the async workers, given the latest tree size (sizes default to it).
async fn prove<T: serde::Serialize + Send + 'static>(
    state: &Arc<State>,
    make: impl FnOnce(&vouch_ledger::View<'_>, u64) -> Result<T, LedgerError> + Send + 'static,
) -> ApiResult<Response> {
    let latest = latest_or_failing(state)?.tree_size;
    let proof = blocking(state, move |s| s.read(|view| make(view, latest))).await?;
    Ok(Json(proof).into_response())
}

async fn health(Shared(state): Shared<Arc<State>>) -> Response {
    match state.failure() {
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(HealthResponse {
                status: "failing".into(),
                reason: Some(reason),
                tree_size: None,
            }),
        )
            .into_response(),
        None => Json(HealthResponse {
            status: "ok".into(),
            reason: None,
            tree_size: state.latest().map(|c| c.tree_size),
        })
        .into_response(),
    }
}

async fn metrics(Shared(state): Shared<Arc<State>>) -> Response {
    let size = state.latest().map(|c| c.tree_size).unwrap_or_default();
    let text = state.metrics.render(size, state.failure().is_none());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
