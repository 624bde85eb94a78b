//! A lying daemon: what `vouch check`, `vouch submit` and `vouch log` believe when the process on
//! the socket is not an honest vouchd (a fake, or a proxy that rewrites the real one's answers).

use chrono::Utc;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use serde_json::Value;
use vouch_proto::{Digest, Verdict};

use crate::daemon::Setup;
use crate::support::{data, http_unix, review_envelope, vector_key, Proxy};

/// A setup with one trusted review of `digest` (by the vector key) and one of another image.
fn reviewed(digest: &Digest) -> Setup {
    let setup = Setup::new(&["--audit-interval", "0"]);
    let key = vector_key();
    for d in [*digest, Digest::of(b"another image")] {
        let envelope = review_envelope(&key, d, Verdict::Trusted, Utc::now(), None);
        let (status, _) = setup
            .daemon
            .http("POST", "/v1/entries", envelope.to_json().as_bytes());
        assert_eq!(status, 201);
    }
    setup
}

/// `vouch check` through a proxy in front of the setup's daemon.
fn check_through(setup: &Setup, proxy: &Proxy, digest: &Digest) -> assert_cmd::assert::Assert {
    setup
        .vouch()
        .env("VOUCH_SOCKET", &proxy.socket)
        .args(["check", &digest.to_string()])
        .assert()
}

fn rewrite_json(body: Vec<u8>, change: impl Fn(&mut Value)) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(&body).unwrap();
    change(&mut value);
    serde_json::to_vec(&value).unwrap()
}

#[test]
fn a_fake_trusted_answer_without_a_checkpoint_is_not_believed() {
    let setup = Setup::new(&["--audit-interval", "0"]);
    let digest = Digest::of(b"never reviewed");
    let fake = Proxy::start(
        &setup.home.path("fake.sock"),
        None,
        Box::new(move |_, path, _, _| {
            let answer = serde_json::json!({
                "digest": path.trim_start_matches("/v1/trust/"),
                "trusted": true,
                "reasons": [{"code": "trusted_by", "text": "trusted by everyone"}],
                "attestations": [],
            });
            (200, answer.to_string().into_bytes())
        }),
    );
    check_through(&setup, &fake, &digest)
        .code(2)
        .stderr(contains("gave no checkpoint"))
        .stdout(contains("TRUSTED").not());
}

#[test]
fn a_proxy_that_flips_the_answer_or_swaps_an_entry_is_caught() {
    let digest = Digest::of(b"reviewed image");
    let setup = reviewed(&digest);
    let unreviewed = Digest::of(b"unreviewed image");
    // Flipped: the real checkpoint, but no review counts.
    let flip = Proxy::start(
        &setup.home.path("flip.sock"),
        Some(&setup.daemon.socket),
        Box::new(|_, path, status, body| {
            if path.starts_with("/v1/trust/") {
                return (status, rewrite_json(body, |v| v["trusted"] = true.into()));
            }
            (status, body)
        }),
    );
    check_through(&setup, &flip, &unreviewed)
        .code(2)
        .stderr(contains("counted no trusted review"));
    // Swapped: the counted review is entry #1, a review of another image.
    let upstream = setup.daemon.socket.clone();
    let swap = Proxy::start(
        &setup.home.path("swap.sock"),
        Some(&setup.daemon.socket),
        Box::new(move |_, path, status, body| {
            if path.starts_with("/v1/entries/0") {
                let (_, other) = http_unix(&upstream, "GET", "/v1/entries/1", b"");
                return (200, rewrite_json(other, |v| v["index"] = 0.into()));
            }
            (status, body)
        }),
    );
    check_through(&setup, &swap, &digest)
        .code(2)
        .stderr(contains("checking entry #0"));
    // The honest daemon's answer passes.
    setup
        .vouch()
        .args(["check", &digest.to_string()])
        .assert()
        .success()
        .stdout(contains("verified here: entries [0]"));
}

#[test]
fn pinned_reviewer_keys_decide_whose_signature_counts() {
    let digest = Digest::of(b"reviewed image");
    let setup = reviewed(&digest);
    setup
        .vouch()
        .args(["check", &digest.to_string(), "--trusted-key"])
        .arg(&setup.public)
        .assert()
        .code(2)
        .stderr(contains("does not verify with a pinned reviewer key"));
    setup
        .vouch()
        .env("VOUCH_TRUSTED_KEYS", data("vector.pub"))
        .args(["check", "--json", &digest.to_string()])
        .assert()
        .success()
        .stdout(contains(r#""signaturesChecked":true"#));
    setup
        .vouch()
        .args(["check", &digest.to_string()])
        .assert()
        .success()
        .stderr(contains("signatures are not re-checked"));
}

#[test]
fn submit_recomputes_the_leaf_hash_of_what_it_sent() {
    let setup = Setup::new(&["--audit-interval", "0"]);
    let envelope = setup.attest(&crate::support::image("5f"), "trusted", "r.json");
    let liar = Proxy::start(
        &setup.home.path("liar.sock"),
        Some(&setup.daemon.socket),
        Box::new(|method, _, status, body| {
            if method == "POST" {
                let changed = rewrite_json(body, |v| {
                    let at = v["integratedAt"].as_i64().unwrap();
                    v["integratedAt"] = (at + 1).into();
                });
                return (status, changed);
            }
            (status, body)
        }),
    );
    setup
        .vouch()
        .env("VOUCH_SOCKET", &liar.socket)
        .arg("submit")
        .arg(&envelope)
        .assert()
        .code(2)
        .stderr(contains("leaf hash"));
}

#[test]
fn log_proofs_from_the_daemon_are_verified_before_they_are_printed() {
    let digest = Digest::of(b"reviewed image");
    let setup = reviewed(&digest);
    let key = vector_key();
    let envelope = review_envelope(
        &key,
        Digest::of(b"third"),
        Verdict::Trusted,
        Utc::now(),
        None,
    );
    setup
        .daemon
        .http("POST", "/v1/entries", envelope.to_json().as_bytes());
    for args in [
        vec!["log", "prove", "0", "--size", "1"],
        vec!["log", "prove", "1"],
        vec!["log", "consistency", "1", "3"],
        vec!["log", "consistency", "0", "2"],
    ] {
        setup.vouch().args(&args).assert().success();
    }
    let liar = Proxy::start(
        &setup.home.path("liar.sock"),
        Some(&setup.daemon.socket),
        Box::new(|_, path, status, body| {
            if path.starts_with("/v1/proof/") {
                return (
                    status,
                    rewrite_json(body, |v| {
                        v["hashes"][0] = "00".repeat(32).into();
                    }),
                );
            }
            (status, body)
        }),
    );
    for args in [
        vec!["log", "prove", "0", "--size", "2"],
        vec!["log", "consistency", "1", "3"],
    ] {
        setup
            .vouch()
            .env("VOUCH_SOCKET", &liar.socket)
            .args(&args)
            .assert()
            .code(2)
            .stdout(contains("proof").not());
    }
}

#[test]
fn the_pinned_checkpoint_file_is_written_atomically_and_never_through_a_symlink() {
    let digest = Digest::of(b"reviewed image");
    let setup = reviewed(&digest);
    setup
        .vouch()
        .args(["check", &digest.to_string()])
        .assert()
        .success();
    let logs = setup.home.path("state/vouch/logs");
    let state: Vec<_> = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(state.len(), 1);
    let file = &state[0];
    // The old predictable temporary name, planted as a symlink to a file the attacker wants
    // overwritten: nothing writes through it.
    let victim = setup.home.path("victim");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, file.with_extension("json.tmp")).unwrap();
    let key = vector_key();
    std::thread::scope(|scope| {
        for i in 0..8u8 {
            let setup = &setup;
            let key = &key;
            scope.spawn(move || {
                let envelope =
                    review_envelope(key, Digest::of(&[i]), Verdict::Trusted, Utc::now(), None);
                setup
                    .daemon
                    .http("POST", "/v1/entries", envelope.to_json().as_bytes());
                setup
                    .vouch()
                    .args(["check", &digest.to_string()])
                    .assert()
                    .success();
            });
        }
    });
    setup
        .vouch()
        .args(["check", &digest.to_string()])
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let meta = std::fs::symlink_metadata(file).unwrap();
    assert!(meta.file_type().is_file());
    let known: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    assert!(
        known["checkpoint"].as_str().unwrap().contains("\n10\n"),
        "{known}"
    );
}
