//! One rule for ed25519 everywhere: `vouch verify` (batched, and `--strict`), vouchd on
//! submission and the ledger audit give the same answer for every edge-case signature, every
//! run. A signature whose `R` carries a small-order component (which only its signer can make)
//! is valid under the cofactored rule on every path; one whose `R` has small order, or whose `s`
//! is not reduced, is refused on every path. (Before, the batch accepted the first kind in some
//! runs and not in others, while vouchd refused it.)

use chrono::Utc;
use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::scalar::Scalar;
use predicates::str::contains;
use sha2::{Digest as _, Sha512};
use vouch_proto::{Digest, Envelope, Verdict};

use crate::daemon::Setup;
use crate::support::{data, review_envelope, vector_key};

/// `envelope` signed again by the vector key, with `t` times a point of order 8 added to R.
fn torsioned(envelope: &Envelope, t: u8) -> Envelope {
    let seed = vouch_tests::vectors::SIGNER_SEED;
    let expanded = Sha512::digest(seed);
    let mut scalar: [u8; 32] = expanded[..32].try_into().unwrap();
    scalar[0] &= 248;
    scalar[31] &= 127;
    scalar[31] |= 64;
    let a = Scalar::from_bytes_mod_order(scalar);
    let public = (ED25519_BASEPOINT_POINT * a).compress();
    assert_eq!(
        public.to_bytes(),
        vector_key().public().verifying_key().to_bytes()
    );
    let order8 =
        hex::decode("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a").unwrap();
    let torsion = CompressedEdwardsY::from_slice(&order8)
        .unwrap()
        .decompress()
        .unwrap();
    let message = vouch_proto::pae(&envelope.payload_type, &envelope.payload);
    let r = Scalar::from_bytes_mod_order_wide(&Sha512::digest(&message).into());
    let big_r = (ED25519_BASEPOINT_POINT * r + torsion * Scalar::from(t)).compress();
    let h = Scalar::from_bytes_mod_order_wide(
        &Sha512::new()
            .chain_update(big_r.as_bytes())
            .chain_update(public.as_bytes())
            .chain_update(&message)
            .finalize()
            .into(),
    );
    let s = r + h * a;
    let mut changed = envelope.clone();
    changed.signatures[0].sig = [big_r.to_bytes(), s.to_bytes()].concat();
    changed
}

/// `envelope` with its signature's R replaced by the identity (a point of small order).
fn small_order_r(envelope: &Envelope) -> Envelope {
    let mut changed = envelope.clone();
    let mut identity = [0u8; 32];
    identity[0] = 1;
    changed.signatures[0].sig[..32].copy_from_slice(&identity);
    changed
}

fn review(n: u32) -> Envelope {
    review_envelope(
        &vector_key(),
        Digest::of(&n.to_le_bytes()),
        Verdict::Trusted,
        Utc::now(),
        None,
    )
}

#[test]
fn every_path_gives_one_answer_for_edge_case_signatures_every_run() {
    let setup = Setup::new(&["--audit-interval", "0"]);
    let torsion: Vec<Envelope> = (1..8u8)
        .map(|t| torsioned(&review(1000 + u32::from(t)), t))
        .collect();
    // A stream of 300 ordinary envelopes with the seven torsioned ones among them: checked in
    // batches by vouch verify.
    let mut lines: Vec<String> = (0..300).map(|n| review(n).to_json()).collect();
    for (i, e) in torsion.iter().enumerate() {
        lines.insert(i * 40, e.to_json());
    }
    let stream = setup.home.path("all.intoto.jsonl");
    std::fs::write(&stream, lines.join("\n") + "\n").unwrap();
    for run in 0..12 {
        setup
            .vouch()
            .args(["verify", "--key"])
            .arg(data("vector.pub"))
            .arg(&stream)
            .assert()
            .success()
            .stdout(contains("INVALID").count(0));
        if run % 4 == 0 {
            setup
                .vouch()
                .args(["verify", "--strict", "--key"])
                .arg(data("vector.pub"))
                .arg(&stream)
                .assert()
                .success();
        }
    }
    // vouchd takes them on submission, and its answers count them.
    for e in &torsion {
        let (status, body) = setup
            .daemon
            .http("POST", "/v1/entries", e.to_json().as_bytes());
        assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    }
    // The audit re-verifies them, with the key and without.
    setup
        .vouch()
        .args(["log", "verify", "--key"])
        .arg(data("vector.pub"))
        .arg("--db")
        .arg(&setup.daemon.db)
        .assert()
        .success();

    // R of small order: refused by vouch verify (every run, batched or strict) and by vouchd.
    let bad = small_order_r(&review(5000));
    let file = setup.home.path("bad.json");
    std::fs::write(&file, bad.to_json()).unwrap();
    for strict in [false, true, false] {
        let mut cmd = setup.vouch();
        cmd.arg("verify");
        if strict {
            cmd.arg("--strict");
        }
        cmd.arg("--key")
            .arg(data("vector.pub"))
            .arg(&file)
            .assert()
            .code(1);
    }
    let (status, _) = setup
        .daemon
        .http("POST", "/v1/entries", bad.to_json().as_bytes());
    assert_eq!(status, 400);
}
