//! The daemon attacked as issue 8 describes: each test reproduces one attack against the real
//! vouchd and shows the answer it gives now.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use predicates::str::contains;
use vouch_ledger::Ledger;
use vouch_proto::api::{ErrorBody, HealthResponse, SubmitResponse, TrustResponse};
use vouch_proto::{Digest, SecretKey, Verdict};

use crate::daemon::Setup;
use crate::support::{
    self, data, hex, review_envelope, signed_entry, tamper, vector_key, Daemon, Home,
};

fn at(text: &str) -> DateTime<Utc> {
    vouch_proto::timestamp::parse(text).unwrap()
}

fn post(daemon: &Daemon, body: &[u8]) -> (u16, Vec<u8>) {
    daemon.http("POST", "/v1/entries", body)
}

fn error_code(body: &[u8]) -> String {
    serde_json::from_slice::<ErrorBody>(body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body)))
        .error
}

fn health(daemon: &Daemon) -> HealthResponse {
    serde_json::from_slice(&daemon.http("GET", "/healthz", b"").1).unwrap()
}

fn trusted(daemon: &Daemon, digest: &Digest) -> bool {
    let (status, body) = daemon.http("GET", &format!("/v1/trust/{digest}"), b"");
    assert_eq!(status, 200);
    serde_json::from_slice::<TrustResponse>(&body)
        .unwrap()
        .trusted
}

/// How long the soak test submits and audits: 60 s (the figure), or
/// `VOUCH_TEST_SOAK_SECONDS`.
fn soak_seconds() -> u64 {
    std::env::var("VOUCH_TEST_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60)
}

fn metric(daemon: &Daemon, name: &str) -> u64 {
    let (_, body) = daemon.http("GET", "/metrics", b"");
    String::from_utf8(body)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no metric {name}"))
}

/// A ledger of `n` entries signed by the vector key, written directly.
fn populate(db: &Path, n: u64) {
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let mut ledger = Ledger::open(db, None).unwrap();
    let entries: Vec<_> = (0..n).map(signed_entry).collect();
    for chunk in entries.chunks(1000) {
        ledger.append_batch(chunk).unwrap();
    }
}

#[test]
fn audits_under_sustained_submissions_never_fail_and_still_catch_a_tamper() {
    let Some(sqlite3) = support::sqlite3() else {
        return;
    };
    let home = Home::new();
    let db = home.path("data/ledger.db");
    populate(&db, 5_000);
    let daemon = Daemon::start(
        &db,
        &home.path("run/vouchd.sock"),
        &[data("vector.pub")],
        &["--audit-interval", "1"],
    );
    let deadline = Instant::now() + Duration::from_secs(soak_seconds());
    let submitted = std::thread::scope(|scope| {
        let submitters: Vec<_> = (0..2u8)
            .map(|worker| {
                let daemon = &daemon;
                scope.spawn(move || {
                    let key = vector_key();
                    let mut n = 0u64;
                    while Instant::now() < deadline {
                        let digest = Digest::of(format!("soak {worker} {n}").as_bytes());
                        let envelope =
                            review_envelope(&key, digest, Verdict::Trusted, Utc::now(), None);
                        let (status, body) = post(daemon, envelope.to_json().as_bytes());
                        assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        while Instant::now() < deadline {
            let health = health(&daemon);
            assert_eq!(health.status, "ok", "an honest ledger failed: {health:?}");
            std::thread::sleep(Duration::from_millis(200));
        }
        submitters
            .into_iter()
            .map(|s| s.join().unwrap())
            .sum::<u64>()
    });
    let audits = metric(&daemon, "vouchd_audits_passed_total");
    eprintln!("soak: {submitted} submissions, {audits} background audits passed");
    assert!(submitted > 100, "only {submitted} submissions");
    // Each audit overlapped appends (two submitters ran throughout); how many ran depends on
    // the machine's load (the whole suite runs in parallel), so only a few are required.
    assert!(
        audits >= 5,
        "only {audits} audits ran in {} s",
        soak_seconds()
    );
    assert_eq!(health(&daemon).status, "ok");

    // A real tamper while the daemon runs is still caught, and trust is withdrawn.
    let victim = Digest::of(&7u64.to_le_bytes());
    assert!(trusted(&daemon, &victim));
    tamper(
        &sqlite3,
        &db,
        "UPDATE entries SET body = CAST(replace(CAST(body AS TEXT), 'eyJfdHlwZS', 'eyJfdHlwZT') AS BLOB) WHERE idx = 7;",
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while health(&daemon).status == "ok" {
        assert!(
            Instant::now() < deadline,
            "the background audit missed the tamper"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let health = health(&daemon);
    assert!(
        health
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("entry 7"),
        "{health:?}"
    );
    assert!(!trusted(&daemon, &victim));
}

/// Rewrites entry `index` consistently (body, its hash, its leaf hash, its subject), as an
/// attacker who can write the file but cannot sign checkpoints would.
fn forge_entry(sqlite3: &Path, db: &Path, index: u64, body: &[u8], subject: &Digest) {
    let integrated_at: i64 = vouch_ledger::LedgerReader::open(db, None)
        .unwrap()
        .view()
        .entry(index)
        .unwrap()
        .unwrap()
        .integrated_at;
    let leaf = vouch_proto::leaf_hash(vouch_proto::EntryKind::Attestation, integrated_at, body);
    tamper(
        sqlite3,
        db,
        &format!(
            "UPDATE entries SET body = X'{}', body_sha256 = X'{}', leaf_hash = X'{}' WHERE idx = {index}; \
             UPDATE entry_subjects SET digest = '{subject}' WHERE idx = {index};",
            hex(body),
            Digest::of(body).hex(),
            hex(&leaf)
        ),
    );
}

#[test]
fn a_forged_entry_is_never_trusted_after_a_restart() {
    let Some(sqlite3) = support::sqlite3() else {
        return;
    };
    let mut setup = Setup::new(&["--audit-interval", "0"]);
    let key = vector_key();
    let honest = Digest::of(b"honest image");
    let envelope = review_envelope(&key, honest, Verdict::Trusted, Utc::now(), None);
    assert_eq!(post(&setup.daemon, envelope.to_json().as_bytes()).0, 201);
    setup.daemon.stop();

    // A statement for another image, with a zero signature, in place of entry 0.
    let forged = Digest::of(b"forged image");
    let mut fake = review_envelope(&key, forged, Verdict::Trusted, Utc::now(), None);
    fake.signatures[0].sig = vec![0; 64];
    forge_entry(
        &sqlite3,
        &setup.daemon.db,
        0,
        fake.to_json().as_bytes(),
        &forged,
    );
    setup.start_again(&["--audit-interval", "0"]);
    let daemon = &setup.daemon;
    // The restart takes the saved index, which lists entry 0 under the honest digest: the
    // forged one is unknown, and the first answer that reads entry 0 (or the background audit,
    // whichever is first) finds it changed and fails closed.
    assert!(!trusted(daemon, &forged));
    assert!(!trusted(daemon, &honest));
    let health = health(daemon);
    assert_eq!(health.status, "failing", "{health:?}");
    assert!(!trusted(daemon, &forged));
    setup
        .vouch()
        .args(["check", &format!("ubuntu:24.04@{forged}")])
        .assert()
        .code(1)
        .stdout(contains("NOT TRUSTED"));
    // While failing, entries are not served as if they were fine.
    let (status, body) = daemon.http("GET", "/v1/entries/0", b"");
    assert_eq!(
        (status, error_code(&body).as_str()),
        (503, "ledger_failing")
    );
}

#[test]
fn a_changed_signer_column_is_caught_after_a_restart_and_never_trusted() {
    let Some(sqlite3) = support::sqlite3() else {
        return;
    };
    let mut setup = Setup::new(&["--audit-interval", "0"]);
    let key = vector_key();
    let digest = Digest::of(b"attributed image");
    let envelope = review_envelope(&key, digest, Verdict::Trusted, Utc::now(), None);
    assert_eq!(post(&setup.daemon, envelope.to_json().as_bytes()).0, 201);
    setup.daemon.stop();
    // Re-attribute the review to the home reviewer (also a trusted key).
    let home_key =
        vouch_proto::PublicKey::from_pem(&std::fs::read_to_string(&setup.public).unwrap())
            .unwrap()
            .id();
    tamper(
        &sqlite3,
        &setup.daemon.db,
        &format!("UPDATE entries SET signer = '{home_key}' WHERE idx = 0;"),
    );
    setup.start_again(&["--audit-interval", "0"]);
    let daemon = &setup.daemon;
    // The restart takes the saved index: the entry is read and checked when the answer needs
    // it (or by the full audit that rebuilds the index in the background), whichever is first.
    assert!(!trusted(daemon, &digest));
    let health = health(daemon);
    assert!(
        health
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("signer column was changed"),
        "{health:?}"
    );
}

#[test]
fn a_re_encoded_resubmission_is_the_same_entry_and_cannot_undo_a_withdrawal() {
    let setup = Setup::new(&["--audit-interval", "0"]);
    let key = vector_key();
    let digest = Digest::of(b"withdrawn image");
    let when = at("2026-11-01T10:00:00Z");
    let approve = review_envelope(&key, digest, Verdict::Trusted, when, None);
    let withdraw = review_envelope(&key, digest, Verdict::Rejected, when, None);
    let (status, body) = post(&setup.daemon, approve.to_json().as_bytes());
    assert_eq!(status, 201);
    let first: SubmitResponse = serde_json::from_slice(&body).unwrap();
    assert!(trusted(&setup.daemon, &digest));
    assert_eq!(post(&setup.daemon, withdraw.to_json().as_bytes()).0, 201);
    assert!(!trusted(&setup.daemon, &digest));

    // The approval again: re-encoded with whitespace, URL-safe base64, a junk signature and an
    // unknown field of 900 KB. Each is the entry already stored; nothing is appended.
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let variants = [
        format!(" {} \n", approve.to_json().replace(',', " ,\n ")),
        serde_json::json!({
            "payloadType": approve.payload_type,
            "payload": url.encode(&approve.payload),
            "signatures": [{"keyid": "junk", "sig": url.encode([7u8; 64])}, {"sig": url.encode(&approve.signatures[0].sig)}],
            "padding": "x".repeat(900_000),
        })
        .to_string(),
    ];
    for variant in variants {
        let (status, body) = post(&setup.daemon, variant.as_bytes());
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let again: SubmitResponse = serde_json::from_slice(&body).unwrap();
        assert!(again.existing);
        assert_eq!(
            (again.index, again.leaf_hash),
            (first.index, first.leaf_hash)
        );
        assert_eq!(again.checkpoint.tree_size, 2);
        assert!(
            !trusted(&setup.daemon, &digest),
            "a resubmission undid the withdrawal"
        );
    }
    // The CLI checks that the stored entry holds what it sent, in another encoding.
    let path = setup.home.path("approve-reencoded.json");
    std::fs::write(
        &path,
        format!("{}\n\n", approve.to_json().replace(':', ": ")),
    )
    .unwrap();
    setup
        .vouch()
        .arg("submit")
        .arg(&path)
        .assert()
        .success()
        .stdout(contains("already in the ledger as entry #0"));
}

#[test]
fn reviews_from_the_future_and_expiries_before_the_review_are_refused() {
    let setup = Setup::new(&["--audit-interval", "0"]);
    let key = vector_key();
    let digest = Digest::of(b"time travel");
    let future = review_envelope(
        &key,
        digest,
        Verdict::Trusted,
        at("2099-01-01T00:00:00Z"),
        None,
    );
    let (status, body) = post(&setup.daemon, future.to_json().as_bytes());
    assert_eq!((status, error_code(&body).as_str()), (400, "future_review"));
    let when = Utc::now() - chrono::Duration::hours(1);
    let backwards = review_envelope(
        &key,
        digest,
        Verdict::Trusted,
        when,
        Some(when - chrono::Duration::seconds(1)),
    );
    let (status, body) = post(&setup.daemon, backwards.to_json().as_bytes());
    assert_eq!((status, error_code(&body).as_str()), (400, "bad_expiry"));
    // Within the allowed clock skew is fine.
    let skewed = review_envelope(
        &key,
        digest,
        Verdict::Trusted,
        Utc::now() + chrono::Duration::seconds(60),
        None,
    );
    assert_eq!(post(&setup.daemon, skewed.to_json().as_bytes()).0, 201);
    assert_eq!(health(&setup.daemon).tree_size, Some(1));

    // vouch attest refuses an expiry that is not after the review.
    setup
        .home
        .attest(&support::image("5f"), "trusted")
        .args(["--expires", "2020-01-01T00:00:00Z", "-o", "-"])
        .assert()
        .code(2)
        .stderr(contains("is not in the future"));
    // vouch verify says so and, gated, exits 1.
    let file = setup.home.path("future.json");
    std::fs::write(&file, future.to_json()).unwrap();
    setup
        .vouch()
        .args(["verify", "--key"])
        .arg(data("vector.pub"))
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("DATED IN THE FUTURE"));
    setup
        .vouch()
        .args(["verify", "--require-trusted", "--key"])
        .arg(data("vector.pub"))
        .arg(&file)
        .assert()
        .code(1);
}

#[test]
fn repeated_json_keys_are_refused_by_the_daemon_verify_and_the_audit() {
    let setup = Setup::new(&["--audit-interval", "0"]);
    let vector = std::fs::read(data("fail_duplicate_key.json")).unwrap();
    let (status, body) = post(&setup.daemon, &vector);
    assert_eq!(
        (status, error_code(&body).as_str()),
        (400, "invalid_statement")
    );
    assert!(String::from_utf8_lossy(&body).contains("appears twice"));
    assert_eq!(health(&setup.daemon).tree_size, Some(0));

    // A ledger that holds one anyway (written around vouchd) fails its audit.
    let home = Home::new();
    let db = home.path("dup.db");
    let envelope = vouch_proto::Envelope::from_json(&vector).unwrap();
    let mut ledger = Ledger::open(&db, None).unwrap();
    ledger
        .append_batch(&[vouch_ledger::NewEntry {
            kind: vouch_proto::EntryKind::Attestation,
            body: vector.clone(),
            signer: Some(vector_key().id()),
            subjects: vec![vouch_tests::vectors::image_reference()
                .split('@')
                .nth(1)
                .unwrap()
                .parse()
                .unwrap()],
            signed_key: vouch_proto::signed_content_key(&envelope, &vector_key().id()),
            keep_encoding: false,
        }])
        .unwrap();
    drop(ledger);
    home.vouch()
        .args(["log", "verify", "--db"])
        .arg(&db)
        .assert()
        .code(1)
        .stdout(contains("appears twice"));
}

#[test]
fn a_second_daemon_on_the_same_ledger_refuses_to_start() {
    let setup = Setup::new(&["--audit-interval", "0"]);
    let started = Instant::now();
    let out = support::vouchd()
        .arg("--db")
        .arg(&setup.daemon.db)
        .arg("--socket")
        .arg(setup.home.path("run/second.sock"))
        .arg("--trusted-key")
        .arg(&setup.public)
        .env("VOUCH_LOG", "warn")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("open for writing by another process"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(!setup.home.path("run/second.sock").exists());
    assert_eq!(health(&setup.daemon).status, "ok");
}

#[test]
fn a_co_signed_review_counts_for_its_reviewer_whatever_the_key_order() {
    let home = Home::new();
    let alice = SecretKey::from_seed(&vouch_tests::vectors::OTHER_SEED);
    let bob = vector_key();
    // Alice's key first in vouchd's list, Bob is the reviewer; Alice signs first.
    let daemon = Daemon::start(
        &home.path("ledger.db"),
        &home.path("vouchd.sock"),
        &[data("other.pub"), data("vector.pub")],
        &["--audit-interval", "0"],
    );
    let digest = Digest::of(b"co-signed image");
    let mut envelope = review_envelope(&bob, digest, Verdict::Trusted, Utc::now(), None);
    let alice_signature =
        vouch_proto::Envelope::sign(&envelope.payload_type, envelope.payload.clone(), &alice)
            .signatures;
    envelope.signatures.splice(0..0, alice_signature);
    let (status, body) = post(&daemon, envelope.to_json().as_bytes());
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let (_, body) = daemon.http("GET", &format!("/v1/trust/{digest}"), b"");
    let answer: TrustResponse = serde_json::from_slice(&body).unwrap();
    assert!(answer.trusted);
    assert_eq!(answer.attestations[0].key_id, bob.id());
}

#[test]
fn an_envelope_with_thousands_of_signatures_is_refused_at_once() {
    let setup = Setup::new(&["--audit-interval", "0"]);
    let key = vector_key();
    let digest = Digest::of(b"many signatures");
    let mut envelope = review_envelope(&key, digest, Verdict::Trusted, Utc::now(), None);
    let junk = vouch_proto::Signature {
        keyid: String::new(),
        sig: vec![9; 64],
    };
    envelope.signatures = vec![junk.clone(); 7_000];
    let (status, body) = post(&setup.daemon, envelope.to_json().as_bytes());
    assert_eq!((status, error_code(&body).as_str()), (400, "bad_envelope"));
    assert!(String::from_utf8_lossy(&body).contains("at most 16"));
    // Sixteen junk signatures are read and tried (a bounded cost), then refused.
    envelope.signatures = vec![junk; 16];
    let (status, body) = post(&setup.daemon, envelope.to_json().as_bytes());
    assert_eq!((status, error_code(&body).as_str()), (403, "unknown_key"));
    assert_eq!(health(&setup.daemon).tree_size, Some(0));
}

#[test]
fn an_empty_log_passphrase_is_refused() {
    let home = Home::new();
    let out = support::vouchd()
        .arg("--db")
        .arg(home.path("ledger.db"))
        .arg("--socket")
        .arg(home.path("vouchd.sock"))
        .env("VOUCH_LOG_PASSPHRASE", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("VOUCH_LOG_PASSPHRASE is set but empty"));
    assert!(!home.path("ledger.db").exists());
}

#[test]
fn ties_between_a_reviewers_verdicts_go_to_the_rejection_whatever_the_order() {
    let setup = Setup::new(&["--audit-interval", "0"]);
    let key = vector_key();
    let when = Utc.with_ymd_and_hms(2026, 10, 1, 12, 0, 0).unwrap();
    let digest = Digest::of(b"tie");
    let reject = review_envelope(&key, digest, Verdict::Rejected, when, None);
    let approve = review_envelope(&key, digest, Verdict::Trusted, when, None);
    assert_eq!(post(&setup.daemon, reject.to_json().as_bytes()).0, 201);
    assert_eq!(post(&setup.daemon, approve.to_json().as_bytes()).0, 201);
    assert!(!trusted(&setup.daemon, &digest));
}
