//! The API's status and error-code table, in process through the real router: every refusal is
//! the documented status and `ErrorBody` code, and stores nothing.

#![allow(clippy::unwrap_used, missing_docs)]

mod support;

use chrono::Utc;
use support::Daemon;
use vouch_proto::api::{paths, ErrorBody, ErrorCode};
use vouch_proto::{
    sign_review, Digest, Envelope, ImageRef, Review, ReviewStatement, SecretKey, Verdict,
};

fn review(
    key: &SecretKey,
    at: chrono::DateTime<Utc>,
    expires: Option<chrono::DateTime<Utc>>,
) -> Envelope {
    let digest = Digest::of(b"image");
    let reference = format!("registry.example/app@{digest}");
    let image = ImageRef::parse_pinned(&reference).unwrap();
    let mut review = Review::new(key.id(), Verdict::Trusted, at, &reference);
    review.expires_at = expires;
    sign_review(&ReviewStatement::new(&image, review), key)
}

#[test]
fn every_refusal_has_its_status_and_code_and_stores_nothing() {
    let trusted = SecretKey::from_seed(&[1; 32]);
    let stranger = SecretKey::from_seed(&[2; 32]);
    let daemon = Daemon::new(std::slice::from_ref(&trusted));
    let now = Utc::now();
    let mut tampered = review(&trusted, now, None);
    tampered.payload.push(b' ');
    let mut many = review(&trusted, now, None);
    many.signatures = vec![many.signatures[0].clone(); 17];
    let not_a_statement =
        Envelope::sign(vouch_proto::IN_TOTO_PAYLOAD_TYPE, b"{}".to_vec(), &trusted);
    let cases: Vec<(&str, String, Vec<u8>, u16, ErrorCode)> = vec![
        (
            "POST",
            paths::ENTRIES.into(),
            b"{".to_vec(),
            400,
            ErrorCode::BadEnvelope,
        ),
        (
            "POST",
            paths::ENTRIES.into(),
            many.to_json().into_bytes(),
            400,
            ErrorCode::BadEnvelope,
        ),
        (
            "POST",
            paths::ENTRIES.into(),
            review(&stranger, now, None).to_json().into_bytes(),
            403,
            ErrorCode::UnknownKey,
        ),
        (
            "POST",
            paths::ENTRIES.into(),
            tampered.to_json().into_bytes(),
            400,
            ErrorCode::InvalidSignature,
        ),
        (
            "POST",
            paths::ENTRIES.into(),
            not_a_statement.to_json().into_bytes(),
            400,
            ErrorCode::InvalidStatement,
        ),
        (
            "POST",
            paths::ENTRIES.into(),
            review(&trusted, now + chrono::Duration::days(1), None)
                .to_json()
                .into_bytes(),
            400,
            ErrorCode::FutureReview,
        ),
        (
            "POST",
            paths::ENTRIES.into(),
            review(&trusted, now, Some(now)).to_json().into_bytes(),
            400,
            ErrorCode::BadExpiry,
        ),
        (
            "POST",
            paths::ENTRIES.into(),
            vec![b' '; (1 << 20) + 1],
            413,
            ErrorCode::TooLarge,
        ),
        (
            "GET",
            "/v1/trust/sha256:abc".into(),
            Vec::new(),
            400,
            ErrorCode::BadDigest,
        ),
        (
            "GET",
            "/v1/entries/abc".into(),
            Vec::new(),
            400,
            ErrorCode::BadIndex,
        ),
        (
            "GET",
            paths::entry(7),
            Vec::new(),
            404,
            ErrorCode::NoSuchEntry,
        ),
        (
            "GET",
            paths::checkpoint(Some(5)),
            Vec::new(),
            400,
            ErrorCode::OutOfRange,
        ),
        (
            "GET",
            format!("{}?size=x", paths::CHECKPOINT),
            Vec::new(),
            400,
            ErrorCode::BadRequest,
        ),
        (
            "GET",
            paths::inclusion(3, 1),
            Vec::new(),
            400,
            ErrorCode::OutOfRange,
        ),
        (
            "GET",
            "/v1/nothing".into(),
            Vec::new(),
            404,
            ErrorCode::NotFound,
        ),
        (
            "DELETE",
            paths::ENTRIES.into(),
            Vec::new(),
            405,
            ErrorCode::MethodNotAllowed,
        ),
    ];
    for (method, path, body, status, code) in cases {
        let (got, answer) = daemon.call(method, &path, body);
        let error: ErrorBody = serde_json::from_slice(&answer).unwrap_or_else(|e| {
            panic!("{method} {path}: {e}: {}", String::from_utf8_lossy(&answer))
        });
        assert_eq!(
            (got, error.error.as_str()),
            (status, code.as_str()),
            "{method} {path}: {}",
            error.detail
        );
        assert!(!error.detail.is_empty());
    }
    assert_eq!(daemon.state.latest().unwrap().tree_size, 0);
    // And the one that is accepted.
    let (status, _) = daemon.call(
        "POST",
        paths::ENTRIES,
        review(&trusted, now, None).to_json().into_bytes(),
    );
    assert_eq!(status, 201);
    daemon.state.close();
}
