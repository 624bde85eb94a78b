//! `vouch export` and what reads its output: `vouch verify` of an `.intoto.jsonl` bundle and of
//! a ledger export, and Python securesystemslib, line by line; tampered, truncated and
//! re-ordered copies are caught, naming the entry.

use std::path::{Path, PathBuf};

use crate::daemon::Setup;
use crate::peers::sslib_verify;
use crate::pull::{code, text};
use crate::support::{self, image};

/// A daemon with three reviews of two images and a retraction of the first.
pub(crate) fn populated() -> Setup {
    let setup = Setup::new(&[]);
    for (name, img, verdict) in [
        ("a.json", image("5a"), "trusted"),
        ("b.json", image("5b"), "trusted"),
        ("c.json", image("5a"), "rejected"),
    ] {
        let envelope = setup.attest(&img, verdict, name);
        setup.vouch().arg("submit").arg(envelope).assert().success();
    }
    let (key, _) = setup.home.key_files();
    setup
        .vouch()
        .args([
            "revoke",
            "--entry",
            "0",
            "--reason",
            "a second look",
            "--key",
        ])
        .arg(key)
        .assert()
        .success();
    setup
}

pub(crate) fn export(setup: &Setup, name: &str, args: &[&str]) -> PathBuf {
    let path = setup.home.path(name);
    let out = setup
        .vouch()
        .arg("export")
        .args(args)
        .arg("-o")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out));
    path
}

fn verify(setup: &Setup, args: &[&str]) -> std::process::Output {
    setup.vouch().arg("verify").args(args).output().unwrap()
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn an_intoto_bundle_holds_every_envelope_as_stored_and_verifies_elsewhere() {
    let setup = populated();
    let bundle = export(&setup, "all.intoto.jsonl", &[]);
    let envelopes = lines(&bundle);
    assert_eq!(envelopes.len(), 4, "three reviews and a retraction");
    // From the ledger file directly: the same bytes.
    let db = setup.daemon.db.display().to_string();
    let direct = export(&setup, "direct.intoto.jsonl", &["--db", &db]);
    assert_eq!(
        std::fs::read(&bundle).unwrap(),
        std::fs::read(&direct).unwrap()
    );
    // Each line exactly as stored (less the trailing line break the line ends with).
    for (index, line) in envelopes.iter().enumerate() {
        let (status, body) = setup
            .daemon
            .http("GET", &format!("/v1/entries/{index}"), b"");
        assert_eq!(status, 200);
        let entry: serde_json::Value = serde_json::from_slice(&body).unwrap();
        use base64::Engine as _;
        let stored = base64::engine::general_purpose::STANDARD
            .decode(entry["body"].as_str().unwrap())
            .unwrap();
        assert_eq!(line.as_bytes(), stored.trim_ascii_end(), "entry #{index}");
    }
    let public = setup.public.display().to_string();
    let out = verify(&setup, &["--key", &public, &bundle.display().to_string()]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        text(&out).contains("retraction of ledger entry #0"),
        "{}",
        text(&out)
    );
    // One line with a payload byte changed: vouch names the line, securesystemslib refuses it.
    let mut tampered = envelopes.clone();
    let mut envelope = vouch_proto::Envelope::from_json(tampered[1].as_bytes()).unwrap();
    let payload = String::from_utf8(envelope.payload.clone()).unwrap();
    envelope.payload = payload.replace("\"trusted\"", "\"rejected\"").into_bytes();
    tampered[1] = envelope.to_json();
    let bad = setup.home.path("bad.intoto.jsonl");
    std::fs::write(&bad, tampered.join("\n") + "\n").unwrap();
    let out = verify(&setup, &["--key", &public, &bad.display().to_string()]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(
        text(&out).contains("bad.intoto.jsonl:2: invalid"),
        "{}",
        text(&out)
    );

    let Some(python) = support::python_with_sslib() else {
        return;
    };
    for (n, line) in envelopes.iter().chain([&tampered[1]]).enumerate() {
        let one = setup.home.path(&format!("line-{n}.json"));
        std::fs::write(&one, line).unwrap();
        let (ok, said) = sslib_verify(&python, &setup.public, &one);
        assert_eq!(ok, n < envelopes.len(), "line {n}: {said}");
    }
}

#[test]
fn a_ledger_export_proves_every_entry_and_catches_changes_and_gaps() {
    let setup = populated();
    let db = setup.daemon.db.display().to_string();
    let log_key = format!("{db}.pub");
    let full = export(&setup, "full.ledger", &["--format", "ledger"]);
    let public = setup.public.display().to_string();
    let check = |path: &Path, keys: bool| {
        let mut args = vec![
            "--ledger-export",
            path.to_str().unwrap(),
            "--log-key",
            &log_key,
        ];
        if keys {
            args.extend(["--key", &public]);
        }
        verify(&setup, &args)
    };
    let out = check(&full, true);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        text(&out).contains("4 entries") && text(&out).contains("the whole log"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("4 signatures re-verified"),
        "{}",
        text(&out)
    );

    let rows = lines(&full);
    let write = |name: &str, rows: &[String]| {
        let path = setup.home.path(name);
        std::fs::write(&path, rows.join("\n") + "\n").unwrap();
        path
    };
    // One byte of an entry's body flipped (still base64): caught, naming the entry.
    let mut flipped = rows.clone();
    let mut entry: serde_json::Value = serde_json::from_str(&flipped[2]).unwrap();
    let body = entry["body"].as_str().unwrap().to_string();
    let swap = if body.as_bytes()[10] == b'A' {
        "B"
    } else {
        "A"
    };
    entry["body"] = format!("{}{swap}{}", &body[..10], &body[11..]).into();
    flipped[2] = entry.to_string();
    let out = check(&write("flipped.ledger", &flipped), false);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("entry #1"), "{}", text(&out));
    // One entry missing: caught, naming it.
    let mut gap = rows.clone();
    gap.remove(3);
    let out = check(&write("gap.ledger", &gap), false);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("entry #2 is missing"), "{}", text(&out));
    // The last line dropped: caught too.
    let out = check(&write("short.ledger", &rows[..rows.len() - 1]), false);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("entry #3 is missing"), "{}", text(&out));
    // Another log's key: the checkpoint does not verify (an error, exit 2).
    let other = support::data("vector.pub").display().to_string();
    let out = verify(
        &setup,
        &[
            "--ledger-export",
            full.to_str().unwrap(),
            "--log-key",
            &other,
        ],
    );
    assert_eq!(code(&out), 2, "{}", text(&out));

    // A selection: the entries about one image, proven against the same checkpoint.
    let digest = image("5a").rsplit('@').next().unwrap().to_string();
    let some = export(
        &setup,
        "some.ledger",
        &["--format", "ledger", "--digest", &digest],
    );
    assert_eq!(lines(&some).len(), 3, "header and entries #0 and #2");
    let out = check(&some, true);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("a selection"), "{}", text(&out));
    // An existing file is never overwritten.
    let out = setup
        .vouch()
        .args(["export", "-o"])
        .arg(&some)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert_eq!(lines(&some).len(), 3);
}

#[test]
fn sigstore_bundles_verify_with_vouch_and_with_sigstore_js() {
    let setup = populated();
    let dir = setup.home.path("bundles");
    let out = setup
        .vouch()
        .args(["export", "--format", "sigstore-bundle", "-o"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out));
    let mut bundles: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    bundles.sort();
    assert_eq!(
        bundles.len(),
        4,
        "one bundle per signature of each envelope"
    );
    let public = setup.public.display().to_string();
    for bundle in &bundles {
        let value: serde_json::Value =
            serde_json::from_slice(&std::fs::read(bundle).unwrap()).unwrap();
        assert_eq!(
            value["mediaType"],
            "application/vnd.dev.sigstore.bundle.v0.3+json"
        );
        let hint = &value["verificationMaterial"]["publicKey"]["hint"];
        assert_eq!(hint, &value["dsseEnvelope"]["signatures"][0]["keyid"]);
        let out = verify(&setup, &["--key", &public, bundle.to_str().unwrap()]);
        assert_eq!(code(&out), 0, "{}", text(&out));
    }
    // Tampered: the payload changed, or the hint naming another key.
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&bundles[1]).unwrap()).unwrap();
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::STANDARD;
    let payload = engine
        .decode(value["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let changed = String::from_utf8(payload)
        .unwrap()
        .replace("\"trusted\"", "\"rejected\"");
    value["dsseEnvelope"]["payload"] = engine.encode(changed).into();
    let tampered = setup.home.path("tampered.sigstore.json");
    std::fs::write(&tampered, value.to_string()).unwrap();
    let out = verify(&setup, &["--key", &public, tampered.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&bundles[0]).unwrap()).unwrap();
    value["verificationMaterial"]["publicKey"]["hint"] = "00".repeat(32).into();
    let rehinted = setup.home.path("rehinted.sigstore.json");
    std::fs::write(&rehinted, value.to_string()).unwrap();
    let out = verify(&setup, &["--key", &public, rehinted.to_str().unwrap()]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    // An existing directory is not written into.
    let again = setup
        .vouch()
        .args(["export", "--format", "sigstore-bundle", "-o"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(code(&again), 2, "{}", text(&again));

    let Some(modules) = support::sigstore_verifier() else {
        return;
    };
    let js = |bundle: &Path| {
        std::process::Command::new("node")
            .arg(support::script("sigstore_verify.js"))
            .arg(&setup.public)
            .arg(bundle)
            .env("NODE_PATH", &modules)
            .output()
            .unwrap()
    };
    for bundle in &bundles {
        let out = js(bundle);
        assert_eq!(code(&out), 0, "{}: {}", bundle.display(), text(&out));
    }
    let out = js(&tampered);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("refused"), "{}", text(&out));
}
