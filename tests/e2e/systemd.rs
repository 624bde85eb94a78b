//! vouchd under systemd's protocols, with systemd's own tools: started by
//! `systemd-socket-activate` on a socket it never bound itself, reporting `READY=1` after the
//! ledger check and `STOPPING=1` at shutdown on `NOTIFY_SOCKET`; and the unit files in
//! `daemon/systemd/` pass `systemd-analyze verify` with an exposure score of 2.0 or lower.

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use vouch_proto::{Digest, Verdict};

use crate::support::{self, bin, data, http_unix, review_envelope, vector_key, Home};

/// The tool, or `None` (a printed skip outside CI, a failure in CI).
fn tool(name: &str) -> Option<&str> {
    if support::on_path(name) {
        Some(name)
    } else {
        support::missing_peer(name, "apt-get install systemd");
        None
    }
}

/// The next notice on `socket`, within 20 s.
fn notice(socket: &UnixDatagram) -> String {
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut buf = [0u8; 4096];
    let n = socket.recv(&mut buf).expect("a notice within 20 s");
    String::from_utf8_lossy(&buf[..n]).to_string()
}

#[test]
fn socket_activation_serves_on_the_passed_socket_and_notifies_ready_and_stopping() {
    let Some(activate) = tool("systemd-socket-activate") else {
        return;
    };
    let home = Home::new();
    let passed = home.path("run/vouchd.sock");
    let own = home.path("run/own.sock");
    std::fs::create_dir_all(home.path("run")).unwrap();
    let notify_path = home.path("run/notify");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    let mut child = Command::new(activate)
        .arg("-l")
        .arg(&passed)
        .arg(format!("--setenv=NOTIFY_SOCKET={}", notify_path.display()))
        .arg("--setenv=VOUCH_LOG=warn")
        .arg("--setenv=VOUCHD_CONFIG=/dev/null")
        .arg(bin("vouchd"))
        .arg("--db")
        .arg(home.path("data/ledger.db"))
        .arg("--socket")
        .arg(&own)
        .arg("--trusted-key")
        .arg(data("vector.pub"))
        .spawn()
        .unwrap();
    wait_for(&passed);
    // The first connection starts vouchd, which answers on the socket it was given.
    let digest = Digest::of(b"socket activated");
    let review = review_envelope(
        &vector_key(),
        digest,
        Verdict::Trusted,
        chrono::Utc::now(),
        None,
    );
    let (status, body) = http_unix(&passed, "POST", "/v1/entries", review.to_json().as_bytes());
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let (status, body) = http_unix(&passed, "GET", &format!("/v1/trust/{digest}"), b"");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("\"trusted\":true"));
    assert!(notice(&notify).lines().any(|l| l == "READY=1"));
    assert!(!own.exists(), "vouchd bound no socket of its own");

    // systemd-socket-activate runs vouchd in its own process (exec): SIGTERM reaches vouchd.
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    assert!(notice(&notify).lines().any(|l| l == "STOPPING=1"));
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(
        passed.exists(),
        "the socket is systemd's to remove, not vouchd's"
    );
}

fn wait_for(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The unit files, with ExecStart pointing at the binary under test (verify checks that the
/// command exists).
fn units(dir: &Path) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../daemon/systemd");
    for name in ["vouchd.service", "vouchd.socket"] {
        let text = std::fs::read_to_string(source.join(name)).unwrap();
        let text = text.replace("/usr/bin/vouchd", &bin("vouchd").display().to_string());
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir.join("vouchd.service")
}

#[test]
fn the_unit_files_verify_and_score_ok_in_systemd_analyze_security() {
    let Some(analyze) = tool("systemd-analyze") else {
        return;
    };
    let home = Home::new();
    let dir = home.path("units");
    std::fs::create_dir_all(&dir).unwrap();
    let service = units(&dir);
    let out = Command::new(analyze)
        .current_dir(&dir)
        .args(["verify", "--man=no", "vouchd.socket", "vouchd.service"])
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(analyze)
        .args(["security", "--offline=true"])
        .arg(&service)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let score: f64 = text
        .split("Overall exposure level for vouchd.service: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level in: {text}"));
    assert!(score <= 2.0, "exposure {score} > 2.0:\n{text}");
}

/// With stderr the journal's stream (`JOURNAL_STREAM` names its device and inode), vouchd's log
/// lines carry no timestamp or colour of their own; with stderr elsewhere they do.
#[test]
fn log_lines_have_no_timestamps_of_their_own_when_stderr_is_the_journal() {
    use std::os::unix::fs::MetadataExt;
    let home = Home::new();
    std::fs::create_dir_all(home.path("run")).unwrap();
    let run = |journal: bool, name: &str| -> String {
        let log = home.path(name);
        let file = std::fs::File::create(&log).unwrap();
        let meta = file.metadata().unwrap();
        let stream = if journal {
            format!("{}:{}", meta.dev(), meta.ino())
        } else {
            format!("{}:{}", meta.dev(), meta.ino() + 1)
        };
        let out = support::vouchd()
            .args(["--db"])
            .arg(home.path("data/ledger.db"))
            .arg("--socket")
            .arg(home.path("run/log.sock"))
            .arg("--trusted-key")
            .arg(data("vector.pub"))
            .arg("--listen")
            .arg("not an address")
            .env("JOURNAL_STREAM", stream)
            .env("VOUCH_LOG", "info")
            .stderr(file)
            .status()
            .unwrap();
        assert_eq!(out.code(), Some(2), "a bad --listen ends it");
        std::fs::read_to_string(&log).unwrap()
    };
    let journal = run(true, "journal.log");
    let elsewhere = run(false, "file.log");
    let first = |text: &str| text.lines().next().unwrap_or_default().to_string();
    assert!(
        first(&journal).starts_with(" INFO") || first(&journal).starts_with("INFO"),
        "{journal}"
    );
    assert!(!journal.contains('\u{1b}'), "{journal}");
    assert!(
        first(&elsewhere).starts_with("20"),
        "a timestamp first: {elsewhere}"
    );
}
