//! Independent implementations agree with Vouch: Python securesystemslib (DSSE) and OpenSSL
//! (raw ed25519 over the PAE). These skip outside CI when the tool is missing, and fail in CI.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use vouch_proto::{pae, Envelope, PublicKey, SecretKey};

use crate::support::{self, data, image, Home};

/// A fresh review envelope signed by `vouch attest`, and a copy with one payload byte changed
/// (re-encoded, so only the signature can tell).
fn envelope_and_tampered_copy(home: &Home) -> (PathBuf, PathBuf) {
    home.generate_key();
    let good = home.path("good.json");
    let out = home
        .attest(&image("5f"), "rejected")
        .args(["-o"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut envelope = Envelope::from_json(&std::fs::read(&good).unwrap()).unwrap();
    let text = String::from_utf8(envelope.payload).unwrap();
    envelope.payload = text.replace("\"rejected\"", "\"trusted\"").into_bytes();
    let tampered = home.path("tampered.json");
    std::fs::write(&tampered, envelope.to_json()).unwrap();
    (good, tampered)
}

fn key_id(public: &Path) -> String {
    PublicKey::from_pem(&std::fs::read_to_string(public).unwrap())
        .unwrap()
        .id()
        .to_string()
}

pub(crate) fn sslib_verify(python: &Path, public: &Path, envelope: &Path) -> (bool, String) {
    let out = StdCommand::new(python)
        .arg(support::script("sslib_verify.py"))
        .arg(public)
        .arg(key_id(public))
        .arg(envelope)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "sslib_verify.py failed to run: {text}"
    );
    (out.status.success(), text)
}

#[test]
fn securesystemslib_verifies_vouch_envelopes_and_rejects_tampering() {
    let Some(python) = support::python_with_sslib() else {
        return;
    };
    let home = Home::new();
    let (good, tampered) = envelope_and_tampered_copy(&home);
    let (_, public) = home.key_files();
    let (ok, text) = sslib_verify(&python, &public, &good);
    assert!(ok, "securesystemslib rejected a vouch envelope: {text}");
    let (ok, text) = sslib_verify(&python, &public, &tampered);
    assert!(
        !ok && text.contains("VerificationError"),
        "securesystemslib accepted a tampered envelope: {text}"
    );
    // Vouch agrees on both.
    home.vouch()
        .args(["verify", "--key"])
        .arg(&public)
        .arg(&good)
        .assert()
        .success();
    home.vouch()
        .args(["verify", "--key"])
        .arg(&public)
        .arg(&tampered)
        .assert()
        .code(1);

    // The committed vectors: securesystemslib accepts the ok ones that carry a keyid and rejects
    // the signature failures.
    for (file, expect) in [
        ("ok_review.json", true),
        ("ok_rejected.json", true),
        ("ok_urlsafe_base64.json", true),
        ("fail_tampered_payload.json", false),
        ("fail_flipped_signature_bit.json", false),
        ("fail_wrong_key.json", false),
    ] {
        let (ok, text) = sslib_verify(&python, &data("vector.pub"), &data(file));
        assert_eq!(ok, expect, "{file}: {text}");
    }
}

#[test]
fn openssl_verifies_the_signature_over_the_pae() {
    let Some(openssl) = support::openssl() else {
        return;
    };
    let home = Home::new();
    let (good, tampered) = envelope_and_tampered_copy(&home);
    let (_, public) = home.key_files();
    for (file, expect) in [(&good, true), (&tampered, false)] {
        let envelope = Envelope::from_json(&std::fs::read(file).unwrap()).unwrap();
        let pae_path = home.path("pae.bin");
        let sig_path = home.path("sig.bin");
        std::fs::write(&pae_path, pae(&envelope.payload_type, &envelope.payload)).unwrap();
        std::fs::write(&sig_path, &envelope.signatures[0].sig).unwrap();
        let out = StdCommand::new(&openssl)
            .args(["pkeyutl", "-verify", "-pubin", "-rawin", "-inkey"])
            .arg(&public)
            .arg("-in")
            .arg(&pae_path)
            .arg("-sigfile")
            .arg(&sig_path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.success(),
            expect,
            "{}: {text}{}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(text.contains("Signature Verified Successfully"), expect);
    }
}

/// securesystemslib signs (with its own key and its own keyid) a review statement naming that
/// key as reviewer; `vouch verify` with the PEM public key accepts it.
#[test]
fn vouch_verifies_an_envelope_signed_by_securesystemslib() {
    let Some(python) = support::python_with_sslib() else {
        return;
    };
    let home = Home::new();
    let private = home.path("py.key");
    let public = home.path("py.pub");
    let run = |args: &[&std::ffi::OsStr]| {
        let out = StdCommand::new(&python)
            .arg(support::script("sslib_sign.py"))
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["keygen".as_ref(), private.as_os_str(), public.as_os_str()]);

    // A statement whose reviewer is the Python key (Vouch's key id for it).
    let python_key = PublicKey::from_pem(&std::fs::read_to_string(&public).unwrap()).unwrap();
    let mut statement = vouch_tests::vectors::full_review(&SecretKey::from_seed(&[0x33; 32]));
    statement.predicate.reviewer.key_id = python_key.id();
    let payload = home.path("payload.json");
    std::fs::write(&payload, statement.to_payload()).unwrap();
    let envelope = home.path("py-envelope.json");
    let sslib_keyid = run(&[
        "sign".as_ref(),
        private.as_os_str(),
        payload.as_os_str(),
        vouch_proto::IN_TOTO_PAYLOAD_TYPE.as_ref(),
        envelope.as_os_str(),
    ]);
    assert_ne!(
        sslib_keyid.trim(),
        python_key.id().to_string(),
        "securesystemslib uses its own key ids"
    );

    home.vouch()
        .args(["verify", "--key"])
        .arg(&public)
        .arg(&envelope)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "valid: trusted review of docker.io/library/ubuntu",
        ));
    // Another key does not verify it.
    home.vouch()
        .args(["verify", "--key"])
        .arg(data("vector.pub"))
        .arg(&envelope)
        .assert()
        .code(1);
}
