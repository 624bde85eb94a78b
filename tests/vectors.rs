//! Known-answer vectors: envelopes in `tests/data/` that `vouch verify` must accept (`ok_*`) or
//! reject (`fail_*`) with a given exit code and reason.
//!
//! They are made from fixed seeds and a fixed time, and ed25519 is deterministic, so the current
//! code reproduces them byte for byte; a test checks that it still does, which pins the signed
//! format. Regenerate deliberately with
//! `VOUCH_WRITE_VECTORS=1 cargo test -p vouch-tests --test e2e vectors::written_vectors_match`.

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::engine::GeneralPurpose;
use base64::Engine as _;
use chrono::{TimeZone, Utc};
use vouch_proto::review::{
    BaseImage, Build, ChecklistItem, Dockerfile, Download, Image, ItemStatus, Reviewer, Source,
};
use vouch_proto::{
    sign_review, Digest, DigestSet, Envelope, ImageRef, Review, ReviewStatement, SecretKey,
    Verdict, IN_TOTO_PAYLOAD_TYPE,
};

/// The seed of the key that signs the vectors (public half in `vector.pub`).
pub const SIGNER_SEED: [u8; 32] = [0x11; 32];
/// The seed of an unrelated key (public half in `other.pub`).
pub const OTHER_SEED: [u8; 32] = [0x22; 32];

/// One vector: a file and what `vouch verify --key vector.pub FILE` must answer.
#[derive(Debug)]
pub struct Vector {
    /// The file name under `tests/data/`.
    pub file: &'static str,
    /// The expected exit code: 0 valid, 1 invalid, 2 unusable.
    pub exit: i32,
    /// A part of the reason `vouch verify` must give (empty for ok vectors).
    pub reason: &'static str,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// The image every vector reviews.
pub fn image_reference() -> String {
    format!("ubuntu:24.04@sha256:{}", "5f".repeat(32))
}

/// A review with every optional field filled, so the vectors pin the whole format.
pub fn full_review(key: &SecretKey) -> ReviewStatement {
    let reference = image_reference();
    let image = ImageRef::parse_pinned(&reference).expect("a valid reference");
    ReviewStatement::new(
        &image,
        Review {
            reviewer: Reviewer {
                key_id: key.id(),
                name: Some("Vector Reviewer".into()),
                email: Some("reviewer@example.com".into()),
            },
            verdict: Verdict::Trusted,
            reviewed_at: Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).single().expect("a time"),
            expires_at: Some(Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).single().expect("a time")),
            image: Image { reference },
            dockerfile: Some(Dockerfile {
                path: "Dockerfile".into(),
                sha256: Digest::of(b"FROM ubuntu:24.04\n"),
                source: Some(Source {
                    repository: "https://github.com/example/app.git".into(),
                    commit: "0123456789abcdef0123456789abcdef01234567".into(),
                }),
            }),
            base_images: vec![BaseImage {
                reference: format!("ubuntu:24.04@sha256:{}", "6a".repeat(32)),
                digest: DigestSet(Digest::from_hex(&"6a".repeat(32)).expect("hex")),
            }],
            downloads: vec![Download {
                url: "https://github.com/Yelp/dumb-init/releases/download/v1.2.5/dumb-init_1.2.5_x86_64".into(),
                sha256: Digest::of(b"dumb-init"),
                destination: Some("/usr/local/bin/dumb-init".into()),
            }],
            build: Some(Build { url: Some("https://ci.example.com/builds/42".into()), id: Some("42".into()) }),
            checklist: vec![ChecklistItem {
                id: "download-1".into(),
                kind: Some("download".into()),
                summary: Some("wget of dumb-init".into()),
                status: ItemStatus::Reviewed,
                note: Some("checksum matches upstream release".into()),
                resolved_by: None,
            }],
            notes: vec!["known-answer vector".into()],
        },
    )
}

/// A statement payload with the subject digest replaced by `hex`, signed as is.
fn with_subject_digest(key: &SecretKey, hex: &str) -> Vec<u8> {
    let mut value = serde_json::to_value(full_review(key)).expect("serializable");
    value["subject"][0]["digest"]["sha256"] = hex.into();
    let payload = serde_json::to_vec(&value).expect("serializable");
    Envelope::sign(IN_TOTO_PAYLOAD_TYPE, payload, key)
        .to_json()
        .into_bytes()
}

/// Re-encodes an envelope's base64 fields with another engine (URL-safe, unpadded).
fn reencode(envelope: &Envelope, engine: &GeneralPurpose) -> Vec<u8> {
    serde_json::json!({
        "payload": engine.encode(&envelope.payload),
        "payloadType": envelope.payload_type,
        "signatures": envelope.signatures.iter().map(|s| serde_json::json!({
            "keyid": s.keyid,
            "sig": engine.encode(&s.sig),
        })).collect::<Vec<_>>(),
    })
    .to_string()
    .into_bytes()
}

/// Every vector, generated.
pub fn all() -> Vec<Vector> {
    let key = SecretKey::from_seed(&SIGNER_SEED);
    let other = SecretKey::from_seed(&OTHER_SEED);
    let good = sign_review(&full_review(&key), &key);
    let good_json = good.to_json();

    let mut rejected = full_review(&key);
    rejected.predicate.verdict = Verdict::Rejected;
    rejected.predicate.checklist.clear();

    let mut no_keyid = good.clone();
    no_keyid.signatures[0].keyid.clear();
    let no_keyid: serde_json::Value = serde_json::from_str(&no_keyid.to_json()).expect("json");
    let mut no_keyid_object = no_keyid;
    no_keyid_object["signatures"][0]
        .as_object_mut()
        .expect("an object")
        .remove("keyid");

    let mut tampered = good.clone();
    let text = String::from_utf8(tampered.payload.clone()).expect("utf-8");
    tampered.payload = text
        .replace(
            "\"notes\":[\"known-answer vector\"]",
            "\"notes\":[\"known-answer vectoR\"]",
        )
        .into_bytes();
    assert_ne!(
        tampered.payload, good.payload,
        "the tamper must change the payload"
    );

    let mut flipped = good.clone();
    flipped.signatures[0].sig[10] ^= 0x01;

    let mut no_signatures = good.clone();
    no_signatures.signatures.clear();

    // The same key twice in the signed payload: last-wins parsers read "trusted", first-wins
    // ones "rejected". Signed as is, so only the strict reading refuses it.
    let duplicate_payload = String::from_utf8(good.payload.clone())
        .expect("utf-8")
        .replacen(
            "\"verdict\":\"trusted\"",
            "\"verdict\":\"rejected\",\"verdict\":\"trusted\"",
            1,
        );
    assert_ne!(duplicate_payload.as_bytes(), &good.payload[..]);
    let duplicate_key = Envelope::sign(IN_TOTO_PAYLOAD_TYPE, duplicate_payload.into_bytes(), &key);

    let mut bad_expiry = full_review(&key);
    bad_expiry.predicate.expires_at = Some(bad_expiry.predicate.reviewed_at);

    let mut too_many = good.clone();
    too_many.signatures = vec![good.signatures[0].clone(); vouch_proto::MAX_SIGNATURES + 1];

    // Co-signed: another key's signature first, then the reviewer's own.
    let mut cosigned = sign_review(&full_review(&key), &other);
    cosigned.signatures.extend(good.signatures.clone());

    let mut mismatch = full_review(&key);
    mismatch.predicate.image.reference = format!("debian@sha256:{}", "5f".repeat(32));

    let ok = |file, bytes: Vec<u8>| Vector {
        file,
        exit: 0,
        reason: "",
        bytes,
    };
    let fail = |file, exit, reason, bytes: Vec<u8>| Vector {
        file,
        exit,
        reason,
        bytes,
    };
    vec![
        ok("ok_review.json", good_json.clone().into_bytes()),
        ok(
            "ok_rejected.json",
            sign_review(&rejected, &key).to_json().into_bytes(),
        ),
        ok("ok_urlsafe_base64.json", reencode(&good, &URL_SAFE)),
        ok(
            "ok_urlsafe_unpadded_base64.json",
            reencode(&good, &URL_SAFE_NO_PAD),
        ),
        ok(
            "ok_missing_keyid.json",
            no_keyid_object.to_string().into_bytes(),
        ),
        fail(
            "fail_tampered_payload.json",
            1,
            "bad signature",
            tampered.to_json().into_bytes(),
        ),
        fail(
            "fail_flipped_signature_bit.json",
            1,
            "bad signature",
            flipped.to_json().into_bytes(),
        ),
        fail(
            "fail_wrong_key.json",
            1,
            "signed by key",
            sign_review(&full_review(&other), &other)
                .to_json()
                .into_bytes(),
        ),
        fail(
            "fail_wrong_payload_type.json",
            1,
            "payloadType is \"application/json\"",
            Envelope::sign("application/json", good.payload.clone(), &key)
                .to_json()
                .into_bytes(),
        ),
        fail(
            "fail_invalid_base64.json",
            2,
            "payload is not valid base64",
            good_json
                .replacen("\"payload\":\"", "\"payload\":\"*not base64*", 1)
                .into_bytes(),
        ),
        fail(
            "fail_no_signatures.json",
            1,
            "no signatures",
            no_signatures.to_json().into_bytes(),
        ),
        fail(
            "fail_digest_wrong_length.json",
            1,
            "63 hex characters",
            with_subject_digest(&key, &"5f".repeat(32)[1..]),
        ),
        fail(
            "fail_digest_not_hex.json",
            1,
            "lowercase hex",
            with_subject_digest(&key, &format!("{}zz", "5f".repeat(31))),
        ),
        fail(
            "fail_truncated.json",
            2,
            "not a DSSE envelope",
            good_json.as_bytes()[..good_json.len() / 2].to_vec(),
        ),
        fail(
            "fail_not_a_statement.json",
            1,
            "not an in-toto Statement",
            Envelope::sign(IN_TOTO_PAYLOAD_TYPE, br#"{"hello":"world"}"#.to_vec(), &key)
                .to_json()
                .into_bytes(),
        ),
        ok("ok_cosigned.json", cosigned.to_json().into_bytes()),
        fail(
            "fail_duplicate_key.json",
            1,
            "appears twice",
            duplicate_key.to_json().into_bytes(),
        ),
        fail(
            "fail_expires_before_review.json",
            1,
            "is not after reviewedAt",
            sign_review(&bad_expiry, &key).to_json().into_bytes(),
        ),
        fail(
            "fail_too_many_signatures.json",
            2,
            "at most 16 are read",
            too_many.to_json().into_bytes(),
        ),
        fail(
            "fail_reference_mismatch.json",
            1,
            "does not name the subject",
            sign_review(&mismatch, &key).to_json().into_bytes(),
        ),
    ]
}

/// The two public keys, as (file name, PEM).
pub fn keys() -> [(&'static str, String); 2] {
    [
        (
            "vector.pub",
            SecretKey::from_seed(&SIGNER_SEED).public().to_pem(),
        ),
        (
            "other.pub",
            SecretKey::from_seed(&OTHER_SEED).public().to_pem(),
        ),
    ]
}

/// The retraction and key-revocation vectors (`tests/data/revocation/`): the file, whether
/// Vouch must accept it (the reviewer key in `vector.pub` retracts its entry #1; the key in
/// `other.pub`, an admin, revokes it), and its bytes.
pub fn revocations() -> Vec<(&'static str, bool, Vec<u8>)> {
    use vouch_proto::revocation::{key_revocation, retraction, sign_statement};
    let key = SecretKey::from_seed(&SIGNER_SEED);
    let admin = SecretKey::from_seed(&OTHER_SEED);
    let at = Utc
        .with_ymd_and_hms(2027, 1, 15, 10, 30, 0)
        .single()
        .unwrap_or_default();
    let retract = retraction(
        key.id(),
        1,
        Digest::of(b"entry 1"),
        "known-answer vector",
        at,
    );
    let revoke = key_revocation(admin.id(), key.id(), "known-answer vector", at);
    let mut wrong_subject = retract.clone();
    wrong_subject.subject[0].name = "vouch-entry/2".into();
    vec![
        (
            "ok_retraction.json",
            true,
            sign_statement(&retract, &key).to_json().into_bytes(),
        ),
        (
            "ok_key_revocation.json",
            true,
            sign_statement(&revoke, &admin).to_json().into_bytes(),
        ),
        (
            "fail_retraction_signed_by_another_key.json",
            false,
            sign_statement(&retract, &admin).to_json().into_bytes(),
        ),
        (
            "fail_retraction_subject_mismatch.json",
            false,
            sign_statement(&wrong_subject, &key).to_json().into_bytes(),
        ),
    ]
}
