//! `vouch key generate` and `vouch key id`.

use std::os::unix::fs::PermissionsExt;
use std::process::Command as StdCommand;

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use vouch_proto::report::KeyReport;

use crate::support::{self, Home, PASSPHRASE};

#[test]
fn generate_writes_an_encrypted_0600_key_and_prints_its_id() {
    let home = Home::new();
    let out = home
        .vouch()
        .args(["key", "generate", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: KeyReport = serde_json::from_slice(&out.stdout).unwrap();
    let (private, public) = home.key_files();
    assert_eq!(report.private_key.as_deref(), private.to_str());
    assert_eq!(report.public_key, public.to_str().unwrap());

    let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "private key mode");
    let dir_mode = std::fs::metadata(private.parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700, "key directory mode");
    let text = std::fs::read_to_string(&private).unwrap();
    assert!(
        text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        "{text}"
    );
    assert!(!text.contains(PASSPHRASE));

    // `key id` agrees, and is the sha256 of the public key's DER.
    home.vouch()
        .args(["key", "id"])
        .arg(&public)
        .assert()
        .success()
        .stdout(format!("{}\n", report.key_id));
    let pem = std::fs::read_to_string(&public).unwrap();
    let key = vouch_proto::PublicKey::from_pem(&pem).unwrap();
    assert_eq!(key.id(), report.key_id);
}

#[test]
fn generate_never_overwrites_either_file() {
    let home = Home::new();
    home.generate_key();
    let (private, public) = home.key_files();
    let before = (
        std::fs::read(&private).unwrap(),
        std::fs::read(&public).unwrap(),
    );
    home.vouch()
        .args(["key", "generate"])
        .assert()
        .code(2)
        .stderr(contains("already exists; vouch never overwrites a key"));
    // A lone .pub with the same name blocks too.
    std::fs::remove_file(&private).unwrap();
    home.vouch().args(["key", "generate"]).assert().code(2);
    assert!(!private.exists(), "no half pair is written");
    assert_eq!(std::fs::read(&public).unwrap(), before.1);
}

#[test]
fn generate_honours_dir_and_name_and_refuses_bad_names() {
    let home = Home::new();
    let dir = home.path("elsewhere");
    home.vouch()
        .args(["key", "generate", "--name", "alice"])
        .arg("--dir")
        .arg(&dir)
        .assert()
        .success();
    assert!(dir.join("alice.key").exists() && dir.join("alice.pub").exists());
    for bad in ["../evil", ".hidden", "a/b", ""] {
        home.vouch()
            .args(["key", "generate", "--name", bad])
            .assert()
            .code(2)
            .stderr(contains("--name"));
    }
}

#[test]
fn generate_needs_a_passphrase_and_refuses_an_empty_one() {
    let home = Home::new();
    home.vouch()
        .env_remove("VOUCH_PASSPHRASE")
        .args(["key", "generate"])
        .assert()
        .code(2)
        .stderr(contains("set VOUCH_PASSPHRASE"));
    home.vouch()
        .env("VOUCH_PASSPHRASE", "")
        .args(["key", "generate"])
        .assert()
        .code(2)
        .stderr(contains("empty passphrase"));
    assert!(!home.key_files().0.exists(), "nothing is written on error");
}

#[test]
fn key_id_names_the_file_when_it_is_not_a_public_key() {
    let home = Home::new();
    home.generate_key();
    let (private, _) = home.key_files();
    home.vouch()
        .args(["key", "id"])
        .arg(&private)
        .assert()
        .code(2)
        .stderr(
            contains(private.display().to_string())
                .and(contains("expected a PEM PUBLIC KEY block")),
        );
    let junk = home.path("junk.pub");
    std::fs::write(&junk, "hello").unwrap();
    home.vouch()
        .args(["key", "id"])
        .arg(&junk)
        .assert()
        .code(2)
        .stderr(contains("junk.pub").and(contains("no PEM block")));
    home.vouch()
        .args(["key", "id", "/nonexistent.pub"])
        .assert()
        .code(2)
        .stderr(contains("/nonexistent.pub"));
}

/// Peer: OpenSSL decrypts the private key with the passphrase, derives the same public key,
/// and refuses a wrong passphrase.
#[test]
fn openssl_decrypts_the_private_key() {
    let Some(openssl) = support::openssl() else {
        return;
    };
    let home = Home::new();
    home.generate_key();
    let (private, public) = home.key_files();
    let out = StdCommand::new(&openssl)
        .args(["pkey", "-pubout", "-passin", "env:PASS", "-in"])
        .arg(&private)
        .env("PASS", PASSPHRASE)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, std::fs::read(&public).unwrap());
    let wrong = StdCommand::new(&openssl)
        .args(["pkey", "-noout", "-passin", "pass:wrong", "-in"])
        .arg(&private)
        .output()
        .unwrap();
    assert!(!wrong.status.success());
}
