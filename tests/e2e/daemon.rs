//! vouchd end to end: the real daemon on a temporary socket, driven by the real `vouch` binary
//! and by raw HTTP.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use vouch_proto::api::{ErrorBody, HealthResponse, ReasonCode, TrustResponse};

use crate::support::{self, data, http_unix, image, Daemon, Home};

/// A home with a reviewer key, and a daemon trusting it (and the test vectors' key).
pub(crate) struct Setup {
    pub(crate) home: Home,
    pub(crate) daemon: Daemon,
    pub(crate) public: PathBuf,
}

impl Setup {
    pub(crate) fn new(extra: &[&str]) -> Self {
        Self::new_with_keys(&[], extra)
    }

    /// A setup whose daemon also trusts `keys`.
    pub(crate) fn new_with_keys(keys: &[PathBuf], extra: &[&str]) -> Self {
        let home = Home::new();
        home.generate_key();
        let (_, public) = home.key_files();
        let mut trusted = vec![public.clone(), data("vector.pub")];
        trusted.extend_from_slice(keys);
        let daemon = Daemon::start(
            &home.path("data/ledger.db"),
            &home.path("run/vouchd.sock"),
            &trusted,
            extra,
        );
        Setup {
            home,
            daemon,
            public,
        }
    }

    /// Another daemon in this home on a ledger and socket of its own (`data/NAME.db`,
    /// `run/NAME.sock`), under the policy `text` (TOML, written to `NAME.toml`), with `extra`
    /// arguments; and its socket.
    pub(crate) fn policy_daemon(
        &self,
        name: &str,
        text: &str,
        extra: &[&str],
    ) -> (Daemon, PathBuf) {
        let policy = self.home.path(&format!("{name}.toml"));
        std::fs::write(&policy, text).unwrap();
        let socket = self.home.path(&format!("run/{name}.sock"));
        let policy = policy.display().to_string();
        let mut args = vec!["--policy", policy.as_str()];
        args.extend_from_slice(extra);
        let daemon = Daemon::start(
            &self.home.path(&format!("data/{name}.db")),
            &socket,
            &[],
            &args,
        );
        (daemon, socket)
    }

    /// Starts another daemon on the same ledger and socket, with the same keys (after the
    /// first was stopped and, say, its ledger tampered with).
    pub(crate) fn start_again(&mut self, extra: &[&str]) {
        self.daemon = Daemon::start(
            &self.daemon.db,
            &self.daemon.socket,
            &[self.public.clone(), data("vector.pub")],
            extra,
        );
    }

    pub(crate) fn vouch(&self) -> assert_cmd::Command {
        let mut cmd = self.home.vouch();
        cmd.env("VOUCH_SOCKET", &self.daemon.socket)
            .env("XDG_STATE_HOME", self.home.path("state"));
        cmd
    }

    /// Signs a review of `image` and returns the envelope path.
    pub(crate) fn attest(&self, image: &str, verdict: &str, name: &str) -> PathBuf {
        let path = self.home.path(name);
        self.home
            .attest(image, verdict)
            .args(["-o"])
            .arg(&path)
            .assert()
            .success();
        path
    }

    fn tree_size(&self) -> u64 {
        let (status, body) = self.daemon.http("GET", "/healthz", b"");
        assert_eq!(status, 200);
        serde_json::from_slice::<HealthResponse>(&body)
            .unwrap()
            .tree_size
            .unwrap()
    }
}

fn trust_json(setup: &Setup, image: &str) -> (i32, TrustResponse) {
    let out = setup
        .vouch()
        .args(["check", "--json", image])
        .output()
        .unwrap();
    let answer = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), answer)
}

#[test]
fn submit_then_trusted_and_not_trusted_answers() {
    let setup = Setup::new(&[]);
    let trusted = image("5f");
    let envelope = setup.attest(&trusted, "trusted", "review.json");
    setup
        .vouch()
        .arg("submit")
        .arg(&envelope)
        .assert()
        .success()
        .stdout(contains("appended as entry #0").and(contains("inclusion proven")));
    let (code, answer) = trust_json(&setup, &trusted);
    assert_eq!(code, 0);
    assert!(answer.trusted);
    assert!(
        answer.reasons[0].text.contains("entry #0"),
        "{:?}",
        answer.reasons
    );
    assert_eq!(answer.attestations.len(), 1);
    assert!(answer.attestations[0].counted);
    setup
        .vouch()
        .args(["check", &trusted])
        .assert()
        .success()
        .stdout(contains("TRUSTED").and(contains("trusted by key")));
    // A bare digest works too; an unknown digest is not trusted, and says why.
    setup
        .vouch()
        .args(["check", &format!("sha256:{}", "5f".repeat(32))])
        .assert()
        .success();
    let other = format!("sha256:{}", "6e".repeat(32));
    setup
        .vouch()
        .args(["check", &other])
        .assert()
        .code(1)
        .stdout(contains("NOT TRUSTED").and(contains("no review in the ledger names")));

    // The same envelope again: the existing entry, nothing new stored.
    setup
        .vouch()
        .arg("submit")
        .arg(&envelope)
        .assert()
        .success()
        .stdout(contains("already in the ledger as entry #0"));
    assert_eq!(setup.tree_size(), 1);

    // A newer rejection by the same reviewer withdraws the trust.
    let rejection = setup.attest(&trusted, "rejected", "reject.json");
    setup
        .vouch()
        .arg("submit")
        .arg(&rejection)
        .assert()
        .success();
    let (code, answer) = trust_json(&setup, &trusted);
    assert_eq!(code, 1);
    assert!(
        !answer.trusted
            && answer
                .reasons
                .iter()
                .any(|r| r.text.contains("entry #1") && r.code == ReasonCode::Rejected)
    );

    // Bad input to the CLI is an error, not an answer; a tag is resolved through its registry,
    // and a registry that cannot be reached (none can, here) is an error too.
    setup
        .vouch()
        .args(["check", "ubuntu:24.04"])
        .env("VOUCH_REGISTRY_TIMEOUT", "5")
        .assert()
        .code(2)
        .stderr(contains("resolving the tag ubuntu:24.04"));
    setup.vouch().args(["check", "sha256:abc"]).assert().code(2);
}

#[test]
fn every_error_status_has_a_json_body_and_stores_nothing() {
    let setup = Setup::new(&[]);
    let good = setup.attest(&image("5f"), "trusted", "good.json");
    let (status, _) = setup
        .daemon
        .http("POST", "/v1/entries", &std::fs::read(&good).unwrap());
    assert_eq!(status, 201);
    let big = vec![b' '; (1 << 20) + 10];
    let cases: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        (
            "POST",
            "/v1/entries",
            std::fs::read(data("fail_wrong_key.json")).unwrap(),
            403,
            "unknown_key",
        ),
        (
            "POST",
            "/v1/entries",
            std::fs::read(data("fail_tampered_payload.json")).unwrap(),
            400,
            "invalid_signature",
        ),
        (
            "POST",
            "/v1/entries",
            std::fs::read(data("fail_truncated.json")).unwrap(),
            400,
            "bad_envelope",
        ),
        (
            "POST",
            "/v1/entries",
            std::fs::read(data("fail_not_a_statement.json")).unwrap(),
            400,
            "invalid_statement",
        ),
        (
            "POST",
            "/v1/entries",
            std::fs::read(data("fail_no_signatures.json")).unwrap(),
            400,
            "invalid_signature",
        ),
        ("POST", "/v1/entries", big, 413, "too_large"),
        ("GET", "/v1/trust/sha256:abc", vec![], 400, "bad_digest"),
        ("GET", "/v1/entries/7", vec![], 404, "no_such_entry"),
        (
            "GET",
            "/v1/proof/inclusion?index=5",
            vec![],
            400,
            "out_of_range",
        ),
        (
            "GET",
            "/v1/proof/consistency?old=3&new=2",
            vec![],
            400,
            "out_of_range",
        ),
        ("GET", "/v2/anything", vec![], 404, "not_found"),
    ];
    for (method, path, body, status, code) in cases {
        let (got, reply) = setup.daemon.http(method, path, &body);
        assert_eq!(
            got,
            status,
            "{method} {path}: {}",
            String::from_utf8_lossy(&reply)
        );
        let error: ErrorBody = serde_json::from_slice(&reply)
            .unwrap_or_else(|e| panic!("{path}: {e}: {}", String::from_utf8_lossy(&reply)));
        assert_eq!(error.error, code, "{path}");
        assert!(!error.detail.is_empty());
        assert!(
            !error.detail.to_lowercase().contains("sqlite"),
            "{}",
            error.detail
        );
    }
    assert_eq!(
        setup.tree_size(),
        1,
        "nothing was stored by the failed requests"
    );
    // The CLI reports refusals with exit 1 and the daemon's reason.
    setup
        .vouch()
        .arg("submit")
        .arg(data("fail_wrong_key.json"))
        .assert()
        .code(1)
        .stdout(contains("refused").and(contains("403")));
}

#[test]
fn the_cli_detects_a_rolled_back_ledger() {
    let mut setup = Setup::new(&[]);
    let first = setup.attest(&image("11"), "trusted", "a.json");
    setup.vouch().arg("submit").arg(&first).assert().success();
    // Keep a copy of the ledger at size 1.
    setup.daemon.stop();
    let db = setup.daemon.db.clone();
    let old = setup.home.path("old.db");
    std::fs::copy(&db, &old).unwrap();
    setup.daemon = Daemon::start(
        &db,
        &setup.daemon.socket.clone(),
        &[setup.public.clone()],
        &[],
    );
    let second = setup.attest(&image("22"), "trusted", "b.json");
    setup.vouch().arg("submit").arg(&second).assert().success();
    setup
        .vouch()
        .args(["check", &image("22")])
        .assert()
        .success();
    setup
        .vouch()
        .args(["log", "checkpoint"])
        .assert()
        .success()
        .stdout(contains("\n2\n"));

    // Put the older copy back under the daemon.
    setup.daemon.stop();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    std::fs::copy(&old, &db).unwrap();
    setup.daemon = Daemon::start(
        &db,
        &setup.daemon.socket.clone(),
        &[setup.public.clone()],
        &[],
    );
    setup
        .vouch()
        .args(["check", &image("11")])
        .assert()
        .code(2)
        .stderr(contains("rolled back").and(contains("shows 1 entries, but it showed 2")));
    setup
        .vouch()
        .args(["log", "checkpoint"])
        .assert()
        .code(2)
        .stderr(contains("rolled back"));
}

fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(value) = f() {
            return value;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn tampering_under_a_running_daemon_makes_it_fail_closed() {
    let Some(sqlite3) = support::sqlite3() else {
        return;
    };
    let setup = Setup::new(&["--audit-interval", "1"]);
    let trusted = image("5f");
    for (i, name) in ["a.json", "b.json"].iter().enumerate() {
        let envelope = setup.attest(&image(&format!("{}{}", i + 1, i + 1)), "trusted", name);
        setup
            .vouch()
            .arg("submit")
            .arg(&envelope)
            .assert()
            .success();
    }
    let envelope = setup.attest(&trusted, "trusted", "c.json");
    setup
        .vouch()
        .arg("submit")
        .arg(&envelope)
        .assert()
        .success();
    setup.vouch().args(["check", &trusted]).assert().success();

    // Change one entry's bytes behind the daemon's back.
    let drop_triggers = std::process::Command::new(&sqlite3)
        .arg(&setup.daemon.db)
        .arg("SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_schema WHERE type = 'trigger'")
        .output()
        .unwrap();
    let sql = format!(
        "{} UPDATE entries SET body = CAST(replace(CAST(body AS TEXT), 'eyJfdHlwZS', 'eyJfdHlwZT') AS BLOB) WHERE idx = 1;",
        String::from_utf8(drop_triggers.stdout).unwrap().replace('\n', " ")
    );
    let out = std::process::Command::new(&sqlite3)
        .arg(&setup.daemon.db)
        .arg(sql)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let health = wait_for("the background audit to fail the daemon", || {
        let (status, body) = setup.daemon.http("GET", "/healthz", b"");
        (status == 503).then(|| serde_json::from_slice::<HealthResponse>(&body).unwrap())
    });
    assert_eq!(health.status, "failing");
    assert!(health.reason.unwrap().contains("entry 1"));
    setup
        .vouch()
        .args(["check", &trusted])
        .assert()
        .code(1)
        .stdout(contains("NOT TRUSTED").and(contains("failed its integrity check")));
    let another = setup.attest(&image("77"), "trusted", "d.json");
    let (status, body) =
        setup
            .daemon
            .http("POST", "/v1/entries", &std::fs::read(&another).unwrap());
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
}

#[test]
fn a_ledger_that_fails_its_start_up_check_is_served_failing_closed() {
    let Some(sqlite3) = support::sqlite3() else {
        return;
    };
    let mut setup = Setup::new(&[]);
    let envelope = setup.attest(&image("5f"), "trusted", "a.json");
    setup
        .vouch()
        .arg("submit")
        .arg(&envelope)
        .assert()
        .success();
    setup.daemon.stop();
    let db = setup.daemon.db.clone();
    let out = std::process::Command::new(&sqlite3)
        .arg(&db)
        .arg("DROP TRIGGER checkpoints_no_delete; DELETE FROM checkpoints WHERE tree_size = 1;")
        .output()
        .unwrap();
    assert!(out.status.success());
    setup.daemon = Daemon::start(
        &db,
        &setup.daemon.socket.clone(),
        &[setup.public.clone()],
        &[],
    );
    let (status, body) = setup.daemon.http("GET", "/healthz", b"");
    assert_eq!(status, 503);
    assert!(String::from_utf8_lossy(&body).contains("covers 0 entries but the ledger holds 1"));
    let (status, body) =
        setup
            .daemon
            .http("GET", &format!("/v1/trust/sha256:{}", "5f".repeat(32)), b"");
    assert_eq!(status, 200);
    let answer: TrustResponse = serde_json::from_slice(&body).unwrap();
    assert!(!answer.trusted && answer.reasons[0].code == ReasonCode::LedgerFailing);
}

#[test]
fn graceful_shutdown_stale_sockets_and_live_ones() {
    let home = Home::new();
    let socket = home.path("run/vouchd.sock");
    std::fs::create_dir_all(socket.parent().unwrap()).unwrap();
    // A socket file left by a dead process is replaced.
    drop(std::os::unix::net::UnixListener::bind(&socket).unwrap());
    assert!(socket.exists());
    let mut daemon = Daemon::start(&home.path("ledger.db"), &socket, &[data("vector.pub")], &[]);
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&socket).unwrap().permissions())
            & 0o777;
    assert_eq!(mode, 0o660);
    // A live one is not stolen.
    let second = support::vouchd()
        .arg("--db")
        .arg(home.path("other.db"))
        .arg("--socket")
        .arg(&socket)
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&second.stderr).contains("another vouchd is serving"));
    assert_eq!(
        daemon.http("GET", "/healthz", b"").0,
        200,
        "the first daemon still serves"
    );
    // SIGTERM: exit 0, socket removed.
    assert_eq!(daemon.stop(), Some(0));
    assert!(!socket.exists(), "the socket file is removed on shutdown");
}

#[test]
fn the_tcp_listener_is_read_only() {
    let home = Home::new();
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let addr = format!("127.0.0.1:{port}");
    let _daemon = Daemon::start(
        &home.path("ledger.db"),
        &home.path("s.sock"),
        &[data("vector.pub")],
        &["--listen", &addr],
    );
    let request = |method: &str, path: &str, body: &[u8]| {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        write!(stream, "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n", body.len()).unwrap();
        stream.write_all(body).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    };
    assert!(request("GET", "/healthz", b"").starts_with("HTTP/1.1 200"));
    let refused = request(
        "POST",
        "/v1/entries",
        &std::fs::read(data("ok_review.json")).unwrap(),
    );
    assert!(
        refused.starts_with("HTTP/1.1 405") && refused.contains("read_only"),
        "{refused}"
    );
    // Nothing was stored.
    let (_, body) = http_unix(&home.path("s.sock"), "GET", "/healthz", b"");
    assert_eq!(
        serde_json::from_slice::<HealthResponse>(&body)
            .unwrap()
            .tree_size,
        Some(0)
    );
}
