//! Random interleavings of submit, re-encoded resubmit, withdraw, audit and restart, driven
//! through vouchd's real router and ledger, checked after every step against a model of the
//! answers: a reviewer's latest review decides (a tie goes to the rejection), a re-encoded
//! envelope is the entry already stored, and neither an audit nor a restart changes an answer.

#![allow(clippy::unwrap_used, missing_docs)]

mod support;

use std::collections::HashMap;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use proptest::prelude::*;
use support::Daemon;
use vouch_proto::api::SubmitResponse;
use vouch_proto::{
    sign_review, Digest, Envelope, ImageRef, Review, ReviewStatement, SecretKey, Verdict,
};
use vouch_trust::{Evaluator, Question, TrustIndex};

#[derive(Clone, Debug)]
enum Op {
    /// A review: which key, which image, trusted or rejected, at which minute.
    Submit {
        key: usize,
        image: usize,
        trusted: bool,
        minute: u8,
    },
    /// An earlier submission again, re-encoded one of four ways.
    Resubmit { which: usize, encoding: u8 },
    /// A full audit, building an index of its own from what it verified.
    Audit,
    /// vouchd stops and starts again on the same ledger.
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..2usize, 0..2usize, any::<bool>(), 0..4u8)
            .prop_map(|(key, image, trusted, minute)| Op::Submit { key, image, trusted, minute }),
        2 => (any::<usize>(), 0..4u8)
            .prop_map(|(which, encoding)| Op::Resubmit { which, encoding }),
        1 => Just(Op::Audit),
        1 => Just(Op::Restart),
    ]
}

fn envelope(key: &SecretKey, digest: Digest, trusted: bool, at: DateTime<Utc>) -> Envelope {
    let reference = format!("registry.example/app@{digest}");
    let image = ImageRef::parse_pinned(&reference).unwrap();
    let verdict = if trusted {
        Verdict::Trusted
    } else {
        Verdict::Rejected
    };
    sign_review(
        &ReviewStatement::new(&image, Review::new(key.id(), verdict, at, &reference)),
        key,
    )
}

fn reencode(envelope: &Envelope, encoding: u8) -> Vec<u8> {
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let value: serde_json::Value = serde_json::from_str(&envelope.to_json()).unwrap();
    match encoding {
        0 => serde_json::to_vec_pretty(&value).unwrap(),
        1 => serde_json::json!({
            "payload": url.encode(&envelope.payload),
            "payloadType": envelope.payload_type,
            "signatures": [{"sig": url.encode(&envelope.signatures[0].sig)}],
        })
        .to_string()
        .into_bytes(),
        2 => {
            let mut value = value;
            value["note"] = "an unknown field".into();
            value.to_string().into_bytes()
        }
        _ => {
            let mut value = value;
            let junk = serde_json::json!({"keyid": "junk", "sig": url.encode([1u8; 64])});
            value["signatures"].as_array_mut().unwrap().insert(0, junk);
            value.to_string().into_bytes()
        }
    }
}

/// The model: what each reviewer signed, and what that makes of each image.
#[derive(Default)]
struct Model {
    /// (key, image, trusted, minute) of every distinct signed review, with its entry index.
    reviews: HashMap<(usize, usize, bool, u8), u64>,
}

impl Model {
    /// A key's word on an image: its latest review, a tie going to the rejection.
    fn word(&self, key: usize, image: usize) -> Option<bool> {
        let latest = |verdict: bool| {
            self.reviews
                .keys()
                .filter(|(k, i, t, _)| *k == key && *i == image && *t == verdict)
                .map(|(_, _, _, minute)| *minute)
                .max()
        };
        match (latest(true), latest(false)) {
            (Some(approved), Some(rejected)) => Some(approved > rejected),
            (Some(_), None) => Some(true),
            (None, Some(_)) => Some(false),
            (None, None) => None,
        }
    }

    /// Trusted under the `--trusted-key` policy (threshold 1): some key vouches, and no key's
    /// latest word is a rejection (a rejection blocks until its reviewer trusts again).
    fn trusted(&self, image: usize) -> bool {
        let words: Vec<Option<bool>> = (0..2).map(|key| self.word(key, image)).collect();
        words.contains(&Some(true)) && !words.contains(&Some(false))
    }
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let keys = [
        SecretKey::from_seed(&[1; 32]),
        SecretKey::from_seed(&[2; 32]),
    ];
    let images = [Digest::of(b"image 0"), Digest::of(b"image 1")];
    let base = Utc::now() - chrono::Duration::days(1);
    let mut daemon = Daemon::new(&keys);
    let mut model = Model::default();
    let mut sent: Vec<(Envelope, u64)> = Vec::new();
    for op in ops {
        match op {
            Op::Submit {
                key,
                image,
                trusted,
                minute,
            } => {
                let at = base + chrono::Duration::minutes(i64::from(minute));
                let envelope = envelope(&keys[key], images[image], trusted, at);
                let (status, body) =
                    daemon.call("POST", "/v1/entries", envelope.to_json().into_bytes());
                let answer: SubmitResponse = serde_json::from_slice(&body).unwrap();
                let known = model.reviews.get(&(key, image, trusted, minute)).copied();
                prop_assert_eq!(status, if known.is_some() { 200 } else { 201 });
                if let Some(index) = known {
                    prop_assert_eq!(answer.index, index);
                }
                model
                    .reviews
                    .insert((key, image, trusted, minute), answer.index);
                sent.push((envelope, answer.index));
            }
            Op::Resubmit { which, encoding } => {
                if sent.is_empty() {
                    continue;
                }
                let (envelope, index) = &sent[which % sent.len()];
                let size = daemon.state.latest().unwrap().tree_size;
                let (status, body) =
                    daemon.call("POST", "/v1/entries", reencode(envelope, encoding));
                prop_assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
                let answer: SubmitResponse = serde_json::from_slice(&body).unwrap();
                prop_assert!(answer.existing);
                prop_assert_eq!(answer.index, *index);
                prop_assert_eq!(daemon.state.latest().unwrap().tree_size, size);
            }
            Op::Audit => {
                let vouch_trust::Audited { index, report, .. } = TrustIndex::from_audit(
                    &daemon.config.db,
                    None,
                    daemon.config.trusted_keys.clone(),
                )
                .unwrap();
                prop_assert!(report.intact, "{:?}", report.problem);
                let policy = vouch_proto::Policy::of_keys(&daemon.config.trusted_keys);
                for (i, digest) in images.iter().enumerate() {
                    let question = Question {
                        digest: *digest,
                        repository: None,
                    };
                    let decision = Evaluator::new(&policy, &index, Utc::now()).decide(&question);
                    prop_assert_eq!(decision.trusted, model.trusted(i));
                }
            }
            Op::Restart => daemon.restart(),
        }
        for (i, digest) in images.iter().enumerate() {
            prop_assert_eq!(daemon.trusted(digest), model.trusted(i), "image {}", i);
        }
    }
    prop_assert_eq!(
        daemon.state.latest().unwrap().tree_size,
        model.reviews.len() as u64
    );
    daemon.state.close();
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn interleavings_agree_with_the_model(ops in proptest::collection::vec(op(), 1..30)) {
        run(ops)?;
    }
}
