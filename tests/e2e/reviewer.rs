//! The reviewer's machine treats what it reads as hostile: the repository under review, the
//! paths it writes, the key files and passphrases it is handed, the proofs it checks.

use std::os::unix::fs::PermissionsExt;
use std::process::Command as StdCommand;
use std::time::{Duration, Instant};

use pkcs8::der::pem::LineEnding;
use pkcs8::der::EncodePem;
use pkcs8::pkcs5::{pbes2, scrypt};
use pkcs8::EncryptedPrivateKeyInfo;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use vouch_proto::{sign_checkpoint, SecretKey};

use crate::support::{bin, git, image, Home, PASSPHRASE};

#[test]
fn the_reviewed_repository_cannot_make_git_run_a_command() {
    let home = Home::new();
    home.generate_key();
    let repo = home.path("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["config", "user.email", "t@example.com"]);
    git(&repo, &["config", "user.name", "t"]);
    std::fs::write(
        repo.join("Dockerfile"),
        "FROM ubuntu@sha256:".to_string() + &"6a".repeat(32) + "\nUSER 1000\n",
    )
    .unwrap();
    std::fs::write(repo.join(".gitattributes"), "* filter=evil diff=evil\n").unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "init"]);
    git(
        &repo,
        &["remote", "add", "origin", "https://example.com/repo.git"],
    );
    // Now the attacker's configuration: every way a config can name a command to run.
    let marker = home.path("pwned");
    let touch = format!("touch {}", marker.display());
    let hooks = repo.join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    for hook in [
        "post-index-change",
        "post-checkout",
        "pre-commit",
        "reference-transaction",
        "fsmonitor-watchman",
    ] {
        let path = hooks.join(hook);
        std::fs::write(&path, format!("#!/bin/sh\n{touch}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for (key, value) in [
        ("core.fsmonitor", touch.as_str()),
        ("core.hooksPath", hooks.to_str().unwrap()),
        ("core.pager", touch.as_str()),
        ("pager.status", touch.as_str()),
        ("diff.external", touch.as_str()),
        ("diff.evil.textconv", touch.as_str()),
        ("filter.evil.clean", touch.as_str()),
        ("filter.evil.smudge", touch.as_str()),
        ("filter.evil.process", touch.as_str()),
        ("filter.evil.required", "true"),
        ("alias.status", &format!("!{touch}")),
    ] {
        git(&repo, &["config", key, value]);
    }
    // The file's mtime changes, as it does after a checkout: git status would refresh the index.
    std::fs::write(
        repo.join("Dockerfile"),
        std::fs::read(repo.join("Dockerfile")).unwrap(),
    )
    .unwrap();
    let out = home
        .attest(&image("5f"), "trusted")
        .args(["--accept-all", "--source", "auto", "--dockerfile"])
        .arg(repo.join("Dockerfile"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!marker.exists(), "the reviewed repository ran a command");
    // A real change is still noticed, without running anything.
    std::fs::write(repo.join("Dockerfile"), "FROM scratch\n").unwrap();
    home.attest(&image("5f"), "trusted")
        .args(["--accept-all", "--source", "auto", "--dockerfile"])
        .arg(repo.join("Dockerfile"))
        .assert()
        .code(2)
        .stderr(contains("uncommitted changes"));
    assert!(!marker.exists(), "the reviewed repository ran a command");
}

#[test]
fn the_envelope_is_never_written_through_a_symlink_nor_over_a_file_unasked() {
    let home = Home::new();
    home.generate_key();
    let victim = home.path("victim");
    std::fs::write(&victim, "precious").unwrap();
    let out = home.path("review.json");
    std::os::unix::fs::symlink(&victim, &out).unwrap();
    home.attest(&image("5f"), "trusted")
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("symbolic link"));
    home.attest(&image("5f"), "trusted")
        .arg("--force")
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    std::fs::remove_file(&out).unwrap();

    // Under umask 000 the file is still 0644.
    let status = StdCommand::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 000; exec '{}' attest --image '{}' --verdict trusted -o '{}'",
            bin("vouch").display(),
            image("5f"),
            out.display()
        ))
        .env("HOME", home.path(""))
        .env("XDG_CONFIG_HOME", home.path("config"))
        .env("VOUCH_PASSPHRASE", PASSPHRASE)
        .status()
        .unwrap();
    assert!(status.success());
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);
    // An existing file needs --force.
    let before = std::fs::read(&out).unwrap();
    home.attest(&image("6a"), "trusted")
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("--force"));
    assert_eq!(std::fs::read(&out).unwrap(), before);
    home.attest(&image("6a"), "trusted")
        .args(["--force", "-o"])
        .arg(&out)
        .assert()
        .success();
    assert_ne!(std::fs::read(&out).unwrap(), before);
}

#[test]
fn an_endless_input_is_refused_at_the_cap() {
    let home = Home::new();
    let started = Instant::now();
    home.vouch()
        .args(["verify", "--key"])
        .arg(crate::support::data("vector.pub"))
        .arg("/dev/zero")
        .assert()
        .code(2)
        .stderr(contains("is over 1048576 bytes"));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_failed_key_write_leaves_nothing_behind_and_a_retry_works() {
    let home = Home::new();
    let dir = home.path("keys");
    let status = StdCommand::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -f 0; exec '{}' key generate --dir '{}'",
            bin("vouch").display(),
            dir.display()
        ))
        .env("VOUCH_PASSPHRASE", PASSPHRASE)
        .status()
        .unwrap();
    assert!(!status.success());
    assert!(!dir.join("reviewer.key").exists());
    assert!(!dir.join("reviewer.pub").exists());
    home.vouch()
        .args(["key", "generate", "--dir"])
        .arg(&dir)
        .assert()
        .success();
    assert!(dir.join("reviewer.key").exists());
    // A directory others can write to is worth a warning.
    let open = home.path("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    home.vouch()
        .args(["key", "generate", "--dir"])
        .arg(&open)
        .assert()
        .success()
        .stderr(contains("others can write"));
}

/// An encrypted key file with these parameters and garbage ciphertext: deriving its key is
/// what a hostile file wants vouch to do.
fn hostile_key(params: pbes2::Parameters<'_>) -> String {
    let info = EncryptedPrivateKeyInfo {
        encryption_algorithm: pkcs8::pkcs5::EncryptionScheme::Pbes2(params),
        encrypted_data: &[7u8; 48],
    };
    info.to_pem(LineEnding::LF).unwrap()
}

#[test]
fn key_files_with_hostile_kdf_parameters_are_refused_before_deriving() {
    let home = Home::new();
    let (salt, iv) = ([1u8; 16], [2u8; 16]);
    let cases = [
        (
            "uses scrypt",
            hostile_key(
                pbes2::Parameters::scrypt_aes256cbc(
                    scrypt::Params::new(24, 8, 1, 32).unwrap(),
                    &salt,
                    &iv,
                )
                .unwrap(),
            ),
        ),
        (
            // pkcs5 itself stops at 100,000,000 rounds (a minute here); Vouch at 10,000,000.
            "asks for 99999999 PBKDF2 rounds",
            hostile_key(
                pbes2::Parameters::pbkdf2_sha256_aes256cbc(99_999_999, &salt, &iv).unwrap(),
            ),
        ),
        (
            "is not encrypted with AES-256-CBC",
            hostile_key(pbes2::Parameters::pbkdf2_sha256_aes128cbc(1000, &salt, &iv).unwrap()),
        ),
    ];
    for (what, pem) in cases {
        let path = home.path("hostile.key");
        std::fs::write(&path, pem).unwrap();
        let started = Instant::now();
        home.attest(&image("5f"), "trusted")
            .arg("--key")
            .arg(&path)
            .assert()
            .code(2)
            .stderr(contains("unsupported key encryption").and(contains(what)));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{what}: {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn a_trailing_newline_is_not_part_of_the_passphrase_and_files_work() {
    let home = Home::new();
    home.generate_key();
    home.attest(&image("5f"), "trusted")
        .env("VOUCH_PASSPHRASE", format!("{PASSPHRASE}\n"))
        .assert()
        .success();
    let file = home.path("passphrase");
    std::fs::write(&file, format!("{PASSPHRASE}\r\n")).unwrap();
    home.attest(&image("5f"), "trusted")
        .env_remove("VOUCH_PASSPHRASE")
        .env("VOUCH_PASSPHRASE_FILE", &file)
        .assert()
        .success();
    home.attest(&image("5f"), "trusted")
        .env_remove("VOUCH_PASSPHRASE")
        .arg("--passphrase-file")
        .arg(&file)
        .assert()
        .success();
    home.attest(&image("5f"), "trusted")
        .arg("--passphrase-file")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(contains("use one"));
    std::fs::write(&file, "wrong\n").unwrap();
    home.attest(&image("5f"), "trusted")
        .env_remove("VOUCH_PASSPHRASE")
        .arg("--passphrase-file")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(contains("wrong passphrase"));
}

#[test]
fn verify_proof_pins_the_origin_and_proves_an_envelope() {
    let home = Home::new();
    let db = crate::ledger::ledger(&home);
    let log_pub = format!("{}.pub", db.display());
    let log_key = SecretKey::from_pem(
        &std::fs::read_to_string(format!("{}.key", db.display())).unwrap(),
        None,
    )
    .unwrap();
    let entry = vouch_ledger::LedgerReader::open(&db, None)
        .unwrap()
        .view()
        .entry(17)
        .unwrap()
        .unwrap();
    let prove = home
        .vouch()
        .args(["log", "prove", "17", "--json", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(prove.status.success());
    std::fs::write(home.path("proof.json"), &prove.stdout).unwrap();
    std::fs::write(home.path("envelope.json"), &entry.body).unwrap();
    let checkpoint = vouch_ledger::LedgerReader::open(&db, None)
        .unwrap()
        .view()
        .latest_checkpoint()
        .unwrap();
    let evil = sign_checkpoint(
        "evil.example/otherlog",
        checkpoint.tree_size,
        checkpoint.root_hash,
        &log_key,
    )
    .unwrap();
    std::fs::write(home.path("evil.cp"), &evil.note).unwrap();
    let verify = |checkpoint: &str, extra: &[&str]| {
        let mut cmd = home.vouch();
        cmd.args(["log", "verify-proof", "--log-key", &log_pub, "--checkpoint"])
            .arg(home.path(checkpoint))
            .args(extra)
            .arg(home.path("proof.json"));
        cmd.assert()
    };
    verify("evil.cp", &[])
        .code(2)
        .stderr(contains("evil.example/otherlog"));
    verify("evil.cp", &["--origin", "evil.example/otherlog"]).success();
    let at = entry.integrated_at.to_string();
    let envelope = home.path("envelope.json");
    let envelope = envelope.to_str().unwrap();
    verify("cp50", &["--envelope", envelope, "--integrated-at", &at])
        .success()
        .stdout(contains("the envelope").and(contains("vouch.local/ledger/")));
    std::fs::write(
        home.path("other.json"),
        vouch_ledger::LedgerReader::open(&db, None)
            .unwrap()
            .view()
            .entry(18)
            .unwrap()
            .unwrap()
            .body,
    )
    .unwrap();
    let other = home.path("other.json");
    verify(
        "cp50",
        &[
            "--envelope",
            other.to_str().unwrap(),
            "--integrated-at",
            &at,
        ],
    )
    .code(2)
    .stderr(contains("is not the entry this proof is about"));
}

#[test]
fn verify_streams_envelopes_from_standard_input_each_capped() {
    let home = Home::new();
    let good = std::fs::read_to_string(crate::support::data("ok_review.json")).unwrap();
    let rejected = std::fs::read_to_string(crate::support::data("ok_rejected.json")).unwrap();
    let input = format!("{good}\n{rejected}\n{good}");
    let out = home
        .vouch()
        .args(["verify", "--json", "--key"])
        .arg(crate::support::data("vector.pub"))
        .arg("-")
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let reports: Vec<vouch_proto::report::VerifyReport> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), 3);
    assert_eq!(reports[1].file, "-");
    assert_eq!(reports[1].verdict, Some(vouch_proto::Verdict::Rejected));
    assert!(reports.iter().all(|r| r.valid));
    assert!(!reports[1].counts_as_trusted);
    // Gated: the rejected review fails the gate.
    home.vouch()
        .args(["verify", "--require-trusted", "--key"])
        .arg(crate::support::data("vector.pub"))
        .arg("-")
        .write_stdin(input)
        .assert()
        .code(1)
        .stdout(contains("REJECTED"));
    // One endless document is cut at 1 MiB.
    let endless = format!("{good}\n{{\"payload\":\"{}", "A".repeat(2 << 20));
    home.vouch()
        .args(["verify", "--key"])
        .arg(crate::support::data("vector.pub"))
        .arg("-")
        .write_stdin(endless)
        .assert()
        .code(2)
        .stdout(contains("-: valid"))
        .stderr(contains("over 1048576 bytes"));
}
