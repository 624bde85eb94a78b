//! `vouch import` into a second vouchd: the same trust answers as the exporting daemon (a
//! retraction still retracts its review at another index), importing twice changes nothing, a
//! tampered or truncated file imports nothing, reviews by keys the importing policy does not
//! know are refused while the rest is imported; and hostile `POST /v1/import` requests.

use std::path::PathBuf;

use base64::Engine as _;
use vouch_proto::api::{ReasonCode, TrustResponse};

use crate::daemon::Setup;
use crate::export::{export, populated};
use crate::pull::{code, text};
use crate::support::{data, image, review_envelope, vector_key, Daemon, Home};

/// A second daemon with its own ledger, trusting `keys` (the vector key among them), holding one review of its own first
/// (so imported entries land at other indexes than in the exporting ledger).
fn second(keys: &[PathBuf]) -> (Home, Daemon) {
    let (home, daemon) = empty(keys);
    let own = by_vector_key(b"the second ledger's own", 0);
    let (status, _) = daemon.http("POST", "/v1/entries", own.as_bytes());
    assert_eq!(status, 201);
    (home, daemon)
}

/// A daemon with an empty ledger of its own, trusting `keys`.
fn empty(keys: &[PathBuf]) -> (Home, Daemon) {
    let home = Home::new();
    let daemon = Daemon::start(
        &home.path("data/ledger.db"),
        &home.path("run/vouchd.sock"),
        keys,
        &[],
    );
    (home, daemon)
}

/// A trusted review by the vector key of the digest of `name`, dated `days` from now.
fn by_vector_key(name: &[u8], days: i64) -> String {
    review_envelope(
        &vector_key(),
        vouch_proto::Digest::of(name),
        vouch_proto::Verdict::Trusted,
        chrono::Utc::now() + chrono::Duration::days(days),
        None,
    )
    .to_json()
}

fn import(setup: &Setup, daemon: &Daemon, args: &[&str]) -> std::process::Output {
    setup
        .vouch()
        .env("VOUCH_SOCKET", &daemon.socket)
        .arg("import")
        .args(args)
        .output()
        .unwrap()
}

fn size(daemon: &Daemon) -> u64 {
    let (status, body) = daemon.http("GET", "/v1/checkpoint", b"");
    assert_eq!(status, 200);
    serde_json::from_slice::<serde_json::Value>(&body).unwrap()["checkpoint"]["treeSize"]
        .as_u64()
        .unwrap()
}

/// The answer's substance: trusted or not, and the reason codes.
fn answer(daemon: &Daemon, image: &str) -> (bool, Vec<ReasonCode>) {
    let digest = image.split_once('@').unwrap().1;
    let (status, body) = daemon.http("GET", &format!("/v1/trust/{digest}"), b"");
    assert_eq!(status, 200);
    let answer: TrustResponse = serde_json::from_slice(&body).unwrap();
    (
        answer.trusted,
        answer.reasons.iter().map(|r| r.code).collect(),
    )
}

fn log_key(setup: &Setup) -> String {
    vouch_ledger::public_key_path(&setup.daemon.db)
        .display()
        .to_string()
}

#[test]
fn a_second_daemon_importing_an_export_answers_as_the_first_and_twice_changes_nothing() {
    let setup = populated();
    let file = export(&setup, "all.ledger.jsonl", &["--format", "ledger"]);
    let file = file.display().to_string();
    let (_home, other) = second(&[setup.public.clone(), data("vector.pub")]);
    let images = [image("5a"), image("5b"), image("5c")];
    assert_ne!(
        answer(&setup.daemon, &images[1]),
        answer(&other, &images[1])
    );

    let out = import(&setup, &other, &["--log-key", &log_key(&setup), &file]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        text(&out).contains("imported 4 of 4 entries (0 already there, 0 refused)"),
        "{}",
        text(&out)
    );
    assert_eq!(size(&other), 5);
    for image in &images {
        assert_eq!(
            answer(&setup.daemon, image),
            answer(&other, image),
            "{image}"
        );
    }
    // The retraction (entry #3 there, naming entry #0) retracts the review now at #1 here.
    assert!(answer(&other, &images[0])
        .1
        .contains(&ReasonCode::Withdrawn));

    let out = import(&setup, &other, &["--json", &file]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["imported"], 0, "{summary}");
    assert_eq!(summary["duplicates"], 4, "{summary}");
    assert_eq!(size(&other), 5, "importing twice appends nothing");
}

#[test]
fn a_tampered_or_truncated_ledger_export_imports_nothing_and_names_the_entry() {
    let setup = populated();
    let file = export(&setup, "all.ledger.jsonl", &["--format", "ledger"]);
    let (_home, other) = second(&[setup.public.clone(), data("vector.pub")]);
    let lines: Vec<String> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    // Entry #2's body with one byte changed, re-encoded: its leaf no longer matches.
    let mut entry: serde_json::Value = serde_json::from_str(&lines[3]).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut body = b64.decode(entry["body"].as_str().unwrap()).unwrap();
    body[40] ^= 1;
    entry["body"] = b64.encode(&body).into();
    let mut flipped = lines.clone();
    flipped[3] = entry.to_string();
    let mut missing = lines.clone();
    missing.remove(2);
    for (name, content, says) in [
        ("flipped", flipped, "entry #2"),
        ("missing", missing, "entry #1 is missing"),
    ] {
        let path = setup.home.path(name);
        std::fs::write(&path, content.join("\n") + "\n").unwrap();
        let out = import(&setup, &other, &[&path.display().to_string()]);
        assert_eq!(code(&out), 1, "{name}: {}", text(&out));
        assert!(
            text(&out).contains("INVALID, nothing imported") && text(&out).contains(says),
            "{name}: {}",
            text(&out)
        );
        assert_eq!(size(&other), 1, "{name}: nothing appended");
    }
    // The checkpoint pinned to another log's key: refused before anything is sent.
    let out = import(
        &setup,
        &other,
        &[
            "--log-key",
            &data("vector.pub").display().to_string(),
            &file.display().to_string(),
        ],
    );
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("does not verify with the log key"));
    assert_eq!(size(&other), 1);
}

#[test]
fn reviews_by_unknown_keys_are_refused_the_rest_imported_and_a_bad_line_imports_nothing() {
    let setup = populated();
    let stranger = by_vector_key(b"by the vector key", 0);
    let (status, _) = setup
        .daemon
        .http("POST", "/v1/entries", stranger.as_bytes());
    assert_eq!(status, 201);
    let file = export(&setup, "all.intoto.jsonl", &[]);
    // The second daemon does not trust the vector key.
    let (_home, other) = second(&[setup.public.clone(), data("vector.pub")]);
    let (_home2, strict) = empty(std::slice::from_ref(&setup.public));

    let out = import(&setup, &strict, &["--json", &file.display().to_string()]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["imported"], 4, "{summary}");
    assert_eq!(summary["refused"][0]["entry"], "line 5", "{summary}");
    assert_eq!(summary["refused"][0]["error"], "unknown_key", "{summary}");
    assert_eq!(size(&strict), 4);

    // A line whose payload was changed (its keyid still names the reviewer): nothing imported.
    let mut lines: Vec<String> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let mut envelope = vouch_proto::Envelope::from_json(lines[1].as_bytes()).unwrap();
    let payload = String::from_utf8(envelope.payload.clone()).unwrap();
    envelope.payload = payload.replace("\"trusted\"", "\"rejected\"").into_bytes();
    lines[1] = envelope.to_json();
    let bad = setup.home.path("bad.intoto.jsonl");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let out = import(&setup, &other, &[&bad.display().to_string()]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(
        text(&out).contains("INVALID, nothing imported") && text(&out).contains("line 2"),
        "{}",
        text(&out)
    );
    assert_eq!(size(&other), 1);
    // A directory of Sigstore bundles imports too (one signature each).
    let bundles = setup.home.path("bundles");
    let out = setup
        .vouch()
        .args(["export", "--format", "sigstore-bundle", "-o"])
        .arg(&bundles)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out));
    let out = import(&setup, &other, &[&bundles.display().to_string()]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(answer(&other, &image("5b")).0);
}

#[test]
fn hostile_import_requests_get_clear_errors_and_store_nothing() {
    let (_home, daemon) = second(&[data("vector.pub")]);
    let review = |n: u8| by_vector_key(&[n], 0);
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let future = by_vector_key(b"future", 2);
    let too_many: Vec<String> = (0..1001).map(|_| b64(&review(1))).collect();
    let cases: Vec<(&str, String, u16, &str)> = vec![
        ("not json", "{".into(), 400, "bad_body"),
        (
            "unknown field",
            r#"{"entries":[],"x":1}"#.into(),
            400,
            "bad_body",
        ),
        (
            "not base64",
            serde_json::json!({"entries": [b64(&review(1)), "%%%"]}).to_string(),
            400,
            "entry 1 of the request: not base64",
        ),
        (
            "not an envelope",
            serde_json::json!({"entries": [b64("{}")]}).to_string(),
            400,
            "bad_envelope",
        ),
        (
            "dated in the future",
            serde_json::json!({"entries": [b64(&review(2)), b64(&future)]}).to_string(),
            400,
            "future_review",
        ),
        (
            "over 1000 entries",
            serde_json::json!({ "entries": too_many }).to_string(),
            413,
            "too_large",
        ),
    ];
    for (name, body, status, says) in cases {
        let (got, answer) = daemon.http("POST", "/v1/import", body.as_bytes());
        let answer = String::from_utf8_lossy(&answer);
        assert_eq!(got, status, "{name}: {answer}");
        assert!(answer.contains(says), "{name}: {answer}");
        assert_eq!(size(&daemon), 1, "{name}: nothing appended");
    }
    // The same entry twice in one request, and replayed: one entry, then duplicates.
    let twice = serde_json::json!({"entries": [b64(&review(3)), b64(&review(3))]}).to_string();
    let (status, answer) = daemon.http("POST", "/v1/import", twice.as_bytes());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    let answer: serde_json::Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(answer["results"][0]["outcome"], "imported");
    assert_eq!(answer["results"][1]["outcome"], "duplicate");
    let (_, again) = daemon.http("POST", "/v1/import", twice.as_bytes());
    let again: serde_json::Value = serde_json::from_slice(&again).unwrap();
    assert_eq!(again["results"][0]["outcome"], "duplicate", "{again}");
    assert_eq!(size(&daemon), 2);
    // A dry run appends nothing.
    let dry = serde_json::json!({"entries": [b64(&review(4))], "dryRun": true}).to_string();
    let (status, answer) = daemon.http("POST", "/v1/import", dry.as_bytes());
    assert_eq!(status, 200);
    let answer: serde_json::Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(answer["results"][0]["outcome"], "imported");
    assert_eq!(size(&daemon), 2);
}

#[test]
fn an_imported_retraction_applies_to_a_copy_of_its_review_stored_in_another_encoding() {
    let setup = Setup::new(&[]);
    let img = image("5e");
    let review = setup.attest(&img, "trusted", "r.json");
    setup.vouch().arg("submit").arg(&review).assert().success();
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
    assert!(answer(&setup.daemon, &img)
        .1
        .contains(&ReasonCode::Withdrawn));
    let file = export(&setup, "all.ledger.jsonl", &["--format", "ledger"]);

    // The second ledger got the same signed review first, in another encoding (pretty JSON).
    let keys = [setup.public.clone()];
    let (home, mut other) = empty(&keys);
    let value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&review).unwrap()).unwrap();
    let pretty = serde_json::to_vec_pretty(&value).unwrap();
    let (status, _) = other.http("POST", "/v1/entries", &pretty);
    assert_eq!(status, 201);
    assert!(answer(&other, &img).0);

    let out = import(
        &setup,
        &other,
        &["--log-key", &log_key(&setup), &file.display().to_string()],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let (trusted, codes) = answer(&other, &img);
    assert!(
        !trusted,
        "the retraction applies to the copy stored first: {codes:?}"
    );
    // After a restart from the saved index, and after a full audit without it.
    let restart = |other: &mut Daemon| {
        other.stop();
        *other = Daemon::start(
            &home.path("data/ledger.db"),
            &home.path("run/vouchd.sock"),
            &keys,
            &[],
        );
    };
    restart(&mut other);
    assert!(!answer(&other, &img).0);
    other.stop();
    std::fs::remove_file(home.path("data/ledger.db.index")).unwrap();
    restart(&mut other);
    assert!(!answer(&other, &img).0);
    let (status, body) = other.http(
        "GET",
        &format!("/v1/trust/{}", img.split_once('@').unwrap().1),
        b"",
    );
    assert_eq!(status, 200);
    let full: TrustResponse = serde_json::from_slice(&body).unwrap();
    assert!(
        full.attestations.iter().all(|a| a
            .why
            .as_ref()
            .is_some_and(|w| w.code == ReasonCode::Withdrawn)),
        "{full:?}"
    );
    setup
        .vouch()
        .args(["log", "verify", "--db"])
        .arg(home.path("data/ledger.db"))
        .assert()
        .success();
}
