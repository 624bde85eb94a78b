//! `vouch attest`: what it signs, and what it refuses before signing anything.

use std::process::Output;

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use vouch_proto::report::VerifyReport;
use vouch_proto::review::ItemStatus;
use vouch_proto::{Digest, Envelope, ReviewStatement, Statement, Verdict};

use crate::support::{image, Home};

/// Decodes the statement inside an envelope without verifying it.
pub fn statement_of(envelope_json: &[u8]) -> ReviewStatement {
    let envelope = Envelope::from_json(envelope_json).unwrap();
    Statement::from_payload(&envelope.payload)
        .unwrap()
        .into_typed()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn attest_records_every_flag_and_verifies() {
    let home = Home::new();
    let key_id = home.generate_key();
    let dockerfile = home.path("Dockerfile");
    std::fs::write(
        &dockerfile,
        "FROM ubuntu:24.04\nRUN wget -O /usr/local/bin/x https://e.com/x\n",
    )
    .unwrap();
    let commit = "a".repeat(40);
    let base = image("6a");
    let download = format!("https://e.com/x?v=1=sha256:{}", "7b".repeat(32));
    let envelope_path = home.path("review.json");
    let out = home
        .attest(&image("5f"), "trusted")
        .arg("--dockerfile")
        .arg(&dockerfile)
        .args([
            "--source",
            &format!("https://github.com/example/app.git@{commit}"),
        ])
        .args(["--base", &base, "--download", &download, "--accept-all"])
        .args([
            "--download",
            &format!("https://e.com/x=sha256:{}", "7c".repeat(32)),
        ])
        .args([
            "--build",
            "https://ci.example.com/b/1",
            "--note",
            "first",
            "--note",
            "second",
        ])
        .args([
            "--expires",
            "90d",
            "--reviewer-name",
            "Ada",
            "--reviewer-email",
            "ada@example.com",
        ])
        .arg("-o")
        .arg(&envelope_path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "the envelope went to the file");

    let statement = statement_of(&std::fs::read(&envelope_path).unwrap());
    assert_eq!(statement.subject[0].name, "docker.io/library/ubuntu");
    assert_eq!(statement.subject[0].sha256().hex(), "5f".repeat(32));
    let review = &statement.predicate;
    assert_eq!(review.reviewer.key_id.to_string(), key_id);
    assert_eq!(review.reviewer.name.as_deref(), Some("Ada"));
    assert_eq!(review.verdict, Verdict::Trusted);
    assert_eq!(review.image.reference, image("5f"));
    let recorded = review.dockerfile.as_ref().unwrap();
    assert_eq!(
        recorded.sha256,
        Digest::of(&std::fs::read(&dockerfile).unwrap())
    );
    assert_eq!(recorded.source.as_ref().unwrap().commit, commit);
    assert_eq!(review.base_images[0].reference, base);
    // The Dockerfile's own download first (with where it lands), then the extra one.
    assert_eq!(review.downloads[0].url, "https://e.com/x");
    assert_eq!(
        review.downloads[0].destination.as_deref(),
        Some("/usr/local/bin/x")
    );
    assert_eq!(review.downloads[1].url, "https://e.com/x?v=1");
    assert_eq!(review.downloads[1].sha256.hex(), "7b".repeat(32));
    assert_eq!(review.checklist.len(), 3, "{:?}", review.checklist);
    assert_eq!(
        review.build.as_ref().unwrap().url.as_deref(),
        Some("https://ci.example.com/b/1")
    );
    assert_eq!(review.notes, ["first", "second"]);
    let lifetime = review.expires_at.unwrap() - review.reviewed_at;
    assert_eq!(lifetime.num_days(), 90);
    assert!(review
        .checklist
        .iter()
        .all(|i| i.status != ItemStatus::AcceptedRisk));

    let (_, public) = home.key_files();
    let out = home
        .vouch()
        .args(["verify", "--json", "--key"])
        .arg(&public)
        .arg(&envelope_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: VerifyReport = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report.valid && !report.expired);
    assert_eq!(report.verdict, Some(Verdict::Trusted));
    assert_eq!(report.key_id.unwrap().to_string(), key_id);
    assert_eq!(
        report.subject.as_deref(),
        Some(format!("docker.io/library/ubuntu@sha256:{}", "5f".repeat(32)).as_str())
    );
}

#[test]
fn attest_writes_to_stdout_by_default_and_rejected_verdicts_verify() {
    let home = Home::new();
    home.generate_key();
    let out = home.attest(&image("ab"), "rejected").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        statement_of(&out.stdout).predicate.verdict,
        Verdict::Rejected
    );
    let (_, public) = home.key_files();
    home.vouch()
        .args(["verify", "--key"])
        .arg(&public)
        .arg("-")
        .write_stdin(out.stdout)
        .assert()
        .success()
        .stdout(contains(
            "-: valid: rejected review of docker.io/library/ubuntu@sha256:abab",
        ));
}

/// Every bad flag is refused with exit 2 before the passphrase is needed (VOUCH_PASSPHRASE is
/// unset here, so reaching the key would fail with a different message) and writes nothing.
#[test]
fn bad_flags_are_refused_before_the_key_is_touched() {
    let home = Home::new();
    home.generate_key();
    let out_file = home.path("out.json");
    let hex = "5f".repeat(32);
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["--image".into(), "ubuntu:24.04".into()], "tags move"),
        (vec!["--image".into(), "ubuntu".into()], "has no digest"),
        (
            vec!["--image".into(), format!("ubuntu@sha256:{}", &hex[1..])],
            "63 hex characters",
        ),
        (
            vec!["--image".into(), format!("ubuntu@sha512:{hex}")],
            "sha512",
        ),
        (
            vec!["--image".into(), format!("bad ref@sha256:{hex}")],
            "not a valid image reference",
        ),
        (
            vec![
                "--image".into(),
                image("5f"),
                "--base".into(),
                "debian:12".into(),
            ],
            "--base",
        ),
        (
            vec![
                "--image".into(),
                image("5f"),
                "--download".into(),
                "https://x".into(),
            ],
            "URL=sha256:HEX",
        ),
        (
            vec![
                "--image".into(),
                image("5f"),
                "--download".into(),
                "https://x=sha256:12".into(),
            ],
            "2 hex characters",
        ),
        (
            vec![
                "--image".into(),
                image("5f"),
                "--expires".into(),
                "2001-01-01T00:00:00Z".into(),
            ],
            "not in the future",
        ),
        (
            vec![
                "--image".into(),
                image("5f"),
                "--expires".into(),
                "10y".into(),
            ],
            "unit must be h, d or w",
        ),
        (
            vec![
                "--image".into(),
                image("5f"),
                "--dockerfile".into(),
                "/nonexistent/Dockerfile".into(),
            ],
            "reading Dockerfile /nonexistent/Dockerfile",
        ),
    ];
    for (args, expected) in cases {
        home.vouch()
            .env_remove("VOUCH_PASSPHRASE")
            .args(["attest", "--verdict", "trusted", "-o"])
            .arg(&out_file)
            .args(&args)
            .assert()
            .code(2)
            .stderr(contains(expected).and(contains("VOUCH_PASSPHRASE").not()));
        assert!(!out_file.exists(), "nothing written for {args:?}");
    }
    // --source without --dockerfile, and a short commit.
    home.attest(&image("5f"), "trusted")
        .args(["--source", "https://x@abc"])
        .assert()
        .code(2)
        .stderr(contains("--dockerfile"));
    let dockerfile = home.path("Dockerfile");
    std::fs::write(&dockerfile, "FROM scratch\n").unwrap();
    home.attest(&image("5f"), "trusted")
        .args(["--source", "https://x@main", "--dockerfile"])
        .arg(&dockerfile)
        .assert()
        .code(2)
        .stderr(contains("full lowercase hex id"));
}

#[test]
fn attest_refuses_wrong_passphrases_missing_and_unencrypted_keys() {
    let home = Home::new();
    home.generate_key();
    home.vouch()
        .env("VOUCH_PASSPHRASE", "wrong")
        .args(["attest", "--verdict", "trusted", "--image", &image("5f")])
        .assert()
        .code(2)
        .stderr(contains("wrong passphrase"));
    home.attest(&image("5f"), "trusted")
        .args(["--key", "/nonexistent.key"])
        .assert()
        .code(2)
        .stderr(contains("/nonexistent.key").and(contains("vouch key generate")));
    let plain = home.path("plain.key");
    std::fs::write(
        &plain,
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBERERERERERERERERERERERERERERERERERERERERERER\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    home.attest(&image("5f"), "trusted")
        .args(["--key"])
        .arg(&plain)
        .assert()
        .code(2)
        .stderr(contains("not encrypted").and(contains("openssl pkcs8 -topk8")));
}
