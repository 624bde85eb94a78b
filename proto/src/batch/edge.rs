//! The edge cases of ed25519, checked on every path: C2SP's CCTV vectors (every combination of
//! low-order, mixed-order and non-canonical `A` and `R`, `tests/data/ed25519/`), and signatures
//! whose `R` carries a small-order component made here with a real key. The one-by-one check,
//! a batch of one, and a batch among good signatures must give the same answer every run; where
//! Vouch's refusals (a small-order key or `R`) do not apply, ed25519-zebra's batch verifier (an
//! implementation independent of `verify_batch`'s arithmetic) must agree.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use proptest::prelude::*;
use sha2::{Digest as _, Sha512};

use super::verify_batch;
use crate::key::{PublicKey, SecretKey};

#[derive(serde::Deserialize)]
struct Vector {
    number: usize,
    key: String,
    sig: String,
    msg: String,
    flags: Option<Vec<String>>,
}

fn vectors() -> Vec<Vector> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/ed25519/cctv-ed25519vectors.json"
    );
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Good signatures by one key, to mix a vector into.
fn good(count: usize) -> (SecretKey, Vec<Vec<u8>>, Vec<[u8; 64]>) {
    let key = SecretKey::from_seed(&[42; 32]);
    let messages: Vec<Vec<u8>> = (0..count)
        .map(|i| format!("good {i}").into_bytes())
        .collect();
    let sigs = messages.iter().map(|m| key.sign(m)).collect();
    (key, messages, sigs)
}

/// ZIP-215 by ed25519-zebra's own batch verifier.
fn zebra_batch(items: &[(&[u8], [u8; 32], [u8; 64])]) -> bool {
    let mut batch = ed25519_zebra::batch::Verifier::new();
    for (message, key, sig) in items {
        batch.queue((
            ed25519_zebra::VerificationKeyBytes::from(*key),
            ed25519_zebra::Signature::from(*sig),
            message,
        ));
    }
    batch.verify(rand_core::OsRng).is_ok()
}

#[test]
fn every_cctv_vector_gets_one_answer_on_every_path_every_run() {
    let (good_key, messages, sigs) = good(31);
    let mut accepted = 0;
    for v in vectors() {
        let flags = v.flags.unwrap_or_default();
        let low_order = flags
            .iter()
            .any(|f| f == "low_order_A" || f == "low_order_R");
        let key_bytes: [u8; 32] = hex::decode(&v.key).unwrap().try_into().unwrap();
        let sig: [u8; 64] = hex::decode(&v.sig).unwrap().try_into().unwrap();
        let msg = v.msg.as_bytes();
        // ZIP-215 accepts every vector (the set's own claim) but some of those whose k was
        // computed from a re-encoded point: a validator hashes the bytes it was given.
        let zebra = zebra_batch(&[(msg, key_bytes, sig)]);
        let reencoded = flags.iter().any(|f| f == "reencoded_k");
        assert!(zebra || reencoded, "#{} {flags:?}", v.number);
        let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&key_bytes).map(PublicKey::new)
        else {
            // A key that does not even read is never used to verify.
            assert!(low_order, "#{} {flags:?}", v.number);
            continue;
        };
        // Where Vouch's refusals do not apply, its answer is ZIP-215's.
        let expected = !low_order && zebra;
        assert_eq!(key.verify(msg, &sig), expected, "#{} {flags:?}", v.number);
        for _ in 0..4 {
            assert_eq!(
                verify_batch(&[(msg, &sig[..], &key)]),
                expected,
                "#{}",
                v.number
            );
            let mut mixed: Vec<(&[u8], &[u8], &PublicKey)> = messages
                .iter()
                .zip(&sigs)
                .map(|(m, s)| (&m[..], &s[..], good_key.public()))
                .collect();
            mixed.insert(v.number % 32, (msg, &sig[..], &key));
            assert_eq!(verify_batch(&mixed), expected, "#{} in a batch", v.number);
        }
        accepted += usize::from(expected);
    }
    // Mixed-order keys and R, cofactored residues, canonical or not: 106 of the 914 pass.
    assert_eq!(accepted, 106);
}

/// A point of order 8 (one of the eight low-order points).
fn torsion() -> EdwardsPoint {
    let bytes =
        hex::decode("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a").unwrap();
    CompressedEdwardsY::from_slice(&bytes)
        .unwrap()
        .decompress()
        .unwrap()
}

/// A signature by the key of `seed` over `message` whose `R` is moved by `t` times a point of
/// order 8: what only the key's holder can make, valid under the cofactored equation, invalid
/// under the cofactorless one (unless `t` is 0).
pub(super) fn with_torsion(seed: [u8; 32], message: &[u8], nonce: u64, t: u8) -> [u8; 64] {
    let expanded = Sha512::digest(seed);
    let mut scalar: [u8; 32] = expanded[..32].try_into().unwrap();
    scalar[0] &= 248;
    scalar[31] &= 127;
    scalar[31] |= 64;
    let a = Scalar::from_bytes_mod_order(scalar);
    let public = (ED25519_BASEPOINT_POINT * a).compress();
    let r = Scalar::from(nonce) + Scalar::from(7_777_777u64);
    let big_r = (ED25519_BASEPOINT_POINT * r + torsion() * Scalar::from(t)).compress();
    let h = Scalar::from_bytes_mod_order_wide(
        &Sha512::new()
            .chain_update(big_r.as_bytes())
            .chain_update(public.as_bytes())
            .chain_update(message)
            .finalize()
            .into(),
    );
    let s = r + h * a;
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(big_r.as_bytes());
    sig[32..].copy_from_slice(&s.to_bytes());
    sig
}

#[test]
fn a_torsioned_r_is_accepted_by_every_path_and_refused_by_the_cofactorless_check() {
    let seed = [5u8; 32];
    let key = SecretKey::from_seed(&seed);
    let (good_key, messages, sigs) = good(63);
    for t in 1..8u8 {
        let message = format!("torsion {t}").into_bytes();
        let sig = with_torsion(seed, &message, u64::from(t), t);
        assert!(key.public().verify(&message, &sig), "t = {t}");
        assert!(
            key.public()
                .verifying_key()
                .verify_strict(&message, &ed25519_dalek::Signature::from_bytes(&sig))
                .is_err(),
            "the cofactorless check refuses it (t = {t})"
        );
        for _ in 0..16 {
            let mut items: Vec<(&[u8], &[u8], &PublicKey)> = messages
                .iter()
                .zip(&sigs)
                .map(|(m, s)| (&m[..], &s[..], good_key.public()))
                .collect();
            items.push((&message, &sig, key.public()));
            assert!(verify_batch(&items), "t = {t}");
        }
        // Torsion in R does not excuse a wrong s.
        let mut wrong = sig;
        wrong[40] ^= 1;
        assert!(!key.public().verify(&message, &wrong));
        assert!(!verify_batch(&[(&message[..], &wrong[..], key.public())]));
    }
}

/// A batch as both implementations take it.
type Case = (u8, u8, u8, u64);

fn both(cases: &[Case]) -> (bool, bool, Vec<(bool, bool)>) {
    let seeds: Vec<[u8; 32]> = (0..3u8).map(|i| [i + 100; 32]).collect();
    let keys: Vec<SecretKey> = seeds.iter().map(SecretKey::from_seed).collect();
    let messages: Vec<Vec<u8>> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| format!("m{i} {}", c.3).into_bytes())
        .collect();
    let sigs: Vec<[u8; 64]> = cases
        .iter()
        .zip(&messages)
        .map(|((signer, t, broken, nonce), m)| {
            let mut sig = with_torsion(seeds[usize::from(*signer)], m, *nonce, *t);
            if *broken == 0 {
                sig[40] ^= 0x10;
            }
            sig
        })
        .collect();
    let ours: Vec<(&[u8], &[u8], &PublicKey)> = cases
        .iter()
        .zip(&messages)
        .zip(&sigs)
        .map(|((c, m), s)| (&m[..], &s[..], keys[usize::from(c.0)].public()))
        .collect();
    let theirs: Vec<(&[u8], [u8; 32], [u8; 64])> = cases
        .iter()
        .zip(&messages)
        .zip(&sigs)
        .map(|((c, m), s)| {
            let key = keys[usize::from(c.0)].public().verifying_key().to_bytes();
            (&m[..], key, *s)
        })
        .collect();
    let singles = ours
        .iter()
        .zip(&theirs)
        .map(|(item, t)| {
            (
                item.2.verify(item.0, item.1),
                zebra_batch(std::slice::from_ref(t)),
            )
        })
        .collect();
    (verify_batch(&ours), zebra_batch(&theirs), singles)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The batch arithmetic written here agrees with ed25519-zebra's batch verifier, and the
    /// one-by-one check with it, on batches of good, torsioned and broken signatures by a few
    /// keys.
    #[test]
    fn verify_batch_agrees_with_ed25519_zebra(
        cases in proptest::collection::vec((0u8..3, 0u8..8, 0u8..4, any::<u64>()), 1..24),
    ) {
        let (ours, theirs, singles) = both(&cases);
        prop_assert_eq!(ours, theirs);
        for (mine, zebra) in singles {
            prop_assert_eq!(mine, zebra);
        }
    }
}
