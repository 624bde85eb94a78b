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

/// A daemon under a policy with a root, a rule in warn mode for `ghcr.io/warned/*` and an
/// enforcing `*` rule; its socket.
fn policy_daemon(setup: &Setup, root: &Digest) -> (crate::support::Daemon, std::path::PathBuf) {
    let text = format!(
        "version = 1\n\n[reviewers.alice]\nkey = {:?}\n\n[[rules]]\nscope = \"ghcr.io/warned/*\"\nthreshold = 1\nmode = \"warn\"\n\n[[rules]]\nscope = \"*\"\nthreshold = 1\n\n[[roots]]\nimage = \"docker.io/library/debian@{root}\"\n",
        setup.public.display().to_string()
    );
    setup.policy_daemon("policy", &text, &["--audit-interval", "0"])
}

/// A proxy in front of `upstream` that rewrites every trust answer with `change`.
fn answer_rewriter(
    setup: &Setup,
    name: &str,
    upstream: &std::path::Path,
    change: impl Fn(&mut Value) + Send + Sync + 'static,
) -> Proxy {
    Proxy::start(
        &setup.home.path(name),
        Some(upstream),
        Box::new(move |_, path, status, body| {
            if path.starts_with("/v1/trust/") {
                return (status, rewrite_json(body, &change));
            }
            (status, body)
        }),
    )
}

fn check_on(setup: &Setup, socket: &std::path::Path, image: &str) -> assert_cmd::assert::Assert {
    setup
        .vouch()
        .env("VOUCH_SOCKET", socket)
        .args(["check", image])
        .assert()
}

#[test]
fn an_impostors_root_or_warn_is_not_believed_without_the_policy_entry_in_force() {
    let setup = Setup::new(&["--audit-interval", "0"]);
    let root = Digest::of(b"the root image");
    let (_daemon, socket) = policy_daemon(&setup, &root);
    let other = Digest::of(b"an image nobody reviewed");
    let plain = format!("ghcr.io/other/app@{other}");
    // The honest answers: a root is trusted, a warn-mode rule reports but does not block, the
    // enforcing rule blocks.
    check_on(&setup, &socket, &format!("debian@{root}"))
        .success()
        .stdout(contains("a root of vouchd's policy"));
    check_on(&setup, &socket, &format!("ghcr.io/warned/app@{other}"))
        .success()
        .stdout(contains("mode warn"));
    check_on(&setup, &socket, &plain).code(1);

    // "root" on an image the policy does not name.
    let claim_root = answer_rewriter(&setup, "root.sock", &socket, |v| {
        v["trusted"] = true.into();
        v["reasons"] = serde_json::json!([{"code": "root", "text": "a root, trust me"}]);
    });
    check_on(&setup, &claim_root.socket, &plain)
        .code(2)
        .stderr(contains("names no such root"))
        .stdout(contains("TRUSTED").not());
    // "warn" under a rule that enforces.
    let claim_warn = answer_rewriter(&setup, "warn.sock", &socket, |v| {
        v["mode"] = "warn".into();
    });
    check_on(&setup, &claim_warn.socket, &plain)
        .code(2)
        .stderr(contains("not believing it"));
    // The warn rule's name and mode, on a question another rule decides.
    let claim_rule = answer_rewriter(&setup, "rule.sock", &socket, |v| {
        v["mode"] = "warn".into();
        v["rule"] = "ghcr.io/warned/*".into();
    });
    check_on(&setup, &claim_rule.socket, &plain)
        .code(2)
        .stderr(contains("under rule \"*\""));
    // A review entry passed off as the policy entry.
    let envelope = setup.attest(
        &format!("ghcr.io/x/y@{}", Digest::of(b"y")),
        "trusted",
        "y.json",
    );
    setup
        .vouch()
        .env("VOUCH_SOCKET", &socket)
        .arg("submit")
        .arg(&envelope)
        .assert()
        .success();
    let swap_entry = answer_rewriter(&setup, "swap.sock", &socket, |v| {
        v["trusted"] = true.into();
        v["reasons"] = serde_json::json!([{"code": "root", "text": "a root"}]);
        v["policyEntry"] = 1.into();
    });
    check_on(&setup, &swap_entry.socket, &plain)
        .code(2)
        .stderr(contains("it is a attestation entry"));
    // No checkpoint, no policy entry: nothing to prove it with.
    let bare = answer_rewriter(&setup, "bare.sock", &socket, |v| {
        v["mode"] = "warn".into();
        v.as_object_mut().unwrap().remove("checkpoint");
    });
    check_on(&setup, &bare.socket, &plain)
        .code(2)
        .stderr(contains("gave no checkpoint"));
}

#[test]
fn a_root_claimed_by_a_daemon_without_a_policy_entry_is_not_believed() {
    // --trusted-key records no policy entry: it has no roots and no warn rules to prove.
    let setup = Setup::new(&["--audit-interval", "0"]);
    let digest = Digest::of(b"never reviewed");
    let claim = answer_rewriter(&setup, "root.sock", &setup.daemon.socket, |v| {
        v["trusted"] = true.into();
        v["reasons"] = serde_json::json!([{"code": "root", "text": "a root"}]);
    });
    check_through(&setup, &claim, &digest)
        .code(2)
        .stderr(contains("names no policy entry"))
        .stdout(contains("TRUSTED").not());
}
