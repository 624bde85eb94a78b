//! Criterion benchmarks of signing and verifying a review envelope, and of the pieces around
//! the signature (JSON parsing, Statement checks).

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use chrono::TimeZone;
use criterion::{criterion_group, criterion_main, Criterion};
use vouch_proto::review::{Download, Reviewer};
use vouch_proto::{
    sign_review, verify_review, Digest, Envelope, ImageRef, Review, ReviewStatement, SecretKey,
    Verdict,
};

fn statement(key: &SecretKey) -> ReviewStatement {
    let reference = format!("ghcr.io/example/app:1.2@sha256:{}", "ab".repeat(32));
    let image = ImageRef::parse_pinned(&reference).expect("a valid reference");
    let reviewed_at = chrono::Utc
        .with_ymd_and_hms(2026, 11, 27, 9, 0, 0)
        .single()
        .expect("a valid time");
    ReviewStatement::new(
        &image,
        Review {
            reviewer: Reviewer {
                key_id: key.id(),
                name: Some("Bench".into()),
                email: None,
            },
            downloads: vec![Download {
                url: "https://example.com/dumb-init".into(),
                sha256: Digest::of(b"dumb-init"),
                destination: Some("/usr/local/bin/dumb-init".into()),
            }],
            notes: vec!["benchmark".into()],
            ..Review::new(key.id(), Verdict::Trusted, reviewed_at, &reference)
        },
    )
}

fn benches(c: &mut Criterion) {
    let key = SecretKey::from_seed(&[5; 32]);
    let keys = [key.public().clone()];
    let statement = statement(&key);
    let envelope = sign_review(&statement, &key);
    let json = envelope.to_json();

    c.bench_function("sign review envelope", |b| {
        b.iter(|| sign_review(black_box(&statement), &key))
    });
    c.bench_function("verify review envelope (parsed)", |b| {
        b.iter(|| verify_review(black_box(&envelope), &keys).expect("valid"))
    });
    c.bench_function("parse + verify review envelope (JSON)", |b| {
        b.iter(|| {
            let envelope = Envelope::from_json(black_box(json.as_bytes())).expect("an envelope");
            verify_review(&envelope, &keys).expect("valid")
        })
    });
}

fn pieces(c: &mut Criterion) {
    let key = SecretKey::from_seed(&[5; 32]);
    let statement = statement(&key);
    let envelope = sign_review(&statement, &key);
    let json = envelope.to_json();
    let message = vouch_proto::pae(&envelope.payload_type, &envelope.payload);
    let sig = envelope.signatures[0].sig.clone();
    c.bench_function("ed25519 verify (ZIP-215) over the PAE", |b| {
        b.iter(|| key.public().verify(black_box(&message), &sig))
    });
    c.bench_function("envelope JSON parse", |b| {
        b.iter(|| Envelope::from_json(black_box(json.as_bytes())).expect("an envelope"))
    });
    c.bench_function("statement parse (untyped)", |b| {
        b.iter(|| {
            vouch_proto::Statement::from_payload(black_box(&envelope.payload)).expect("a statement")
        })
    });
    c.bench_function("image reference parse", |b| {
        b.iter(|| {
            ImageRef::parse_pinned(black_box(&statement.predicate.image.reference))
                .expect("a reference")
        })
    });
}

criterion_group!(dsse, benches, pieces);
criterion_main!(dsse);
