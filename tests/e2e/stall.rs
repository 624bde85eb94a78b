//! Slow and idle clients cannot stall vouchd or the CLI: every case is bounded in count and
//! time and stops by itself.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use predicates::str::contains;

use crate::daemon::Setup;
use crate::support::{data, Daemon, Home};

/// Opens `n` connections that never send a byte.
fn idle_unix(socket: &std::path::Path, n: usize) -> Vec<UnixStream> {
    (0..n)
        .filter_map(|_| UnixStream::connect(socket).ok())
        .collect()
}

/// Asserts that the peer closed `stream` (end of file or reset) before its read timeout.
fn assert_closed(stream: &mut impl Read) {
    match stream.read(&mut [0u8; 16]) {
        Ok(0) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Ok(n) => panic!("an idle connection got {n} bytes"),
        Err(e) => panic!("an idle connection is still open: {e}"),
    }
}

/// `vouch check` of an unreviewed digest: answers NOT TRUSTED (exit 1) when vouchd answers.
fn check_answers(setup: &Setup, socket: &std::path::Path) -> Duration {
    let started = Instant::now();
    setup
        .vouch()
        .env("VOUCH_SOCKET", socket)
        .env("VOUCH_TIMEOUT", "5")
        .args(["check", &format!("sha256:{}", "ab".repeat(32))])
        .assert()
        .code(1)
        .stdout(contains("NOT TRUSTED"));
    started.elapsed()
}

#[test]
fn three_hundred_half_open_connections_do_not_block_a_trust_check() {
    let setup = Setup::new(&["--audit-interval", "0"]);
    let idle = idle_unix(&setup.daemon.socket, 300);
    assert_eq!(idle.len(), 300);
    check_answers(&setup, &setup.daemon.socket);
}

#[test]
fn idle_connections_are_closed_after_the_header_timeout_and_over_the_cap_at_once() {
    let setup = Setup::new(&[
        "--audit-interval",
        "0",
        "--max-connections",
        "32",
        "--header-timeout",
        "2",
    ]);
    let started = Instant::now();
    let mut idle = idle_unix(&setup.daemon.socket, 40);
    // Every one of them is closed by vouchd: past the cap at once, the rest after 2 s.
    for stream in &mut idle {
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        assert_closed(stream);
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(8),
        "idle connections lived {elapsed:?}"
    );
    check_answers(&setup, &setup.daemon.socket);
}

#[test]
fn a_saturated_tcp_listener_leaves_the_socket_answering() {
    let home = Home::new();
    let (daemon, addr) = tcp_daemon(&home, &["--tcp-max-connections", "16"]);
    let mut idle: Vec<_> = (0..200)
        .filter_map(|_| std::net::TcpStream::connect(&addr).ok())
        .collect();
    assert!(idle.len() >= 16, "{} TCP connections", idle.len());
    // One over the cap is closed on arrival.
    let last = idle.last_mut().unwrap();
    last.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    assert_closed(last);
    // The Unix socket answers all the while.
    let (status, _) = daemon.http("GET", &format!("/v1/trust/sha256:{}", "ab".repeat(32)), b"");
    assert_eq!(status, 200);
    drop(idle);
}

#[test]
fn a_body_that_trickles_is_cut_off_with_a_json_408() {
    let setup = Setup::new(&["--audit-interval", "0"]);
    let mut stream = UnixStream::connect(&setup.daemon.socket).unwrap();
    stream
        .write_all(b"POST /v1/entries HTTP/1.1\r\nHost: vouchd\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"pay")
        .unwrap();
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains(r#""error":"timeout""#), "{text}");
    assert!(started.elapsed() < Duration::from_secs(15));
    check_answers(&setup, &setup.daemon.socket);
}

#[test]
fn sigterm_stops_vouchd_within_its_grace_even_with_a_slow_client() {
    let mut setup = Setup::new(&["--audit-interval", "0", "--shutdown-grace", "1"]);
    let mut slow = UnixStream::connect(&setup.daemon.socket).unwrap();
    slow.write_all(b"POST /v1/entries HTTP/1.1\r\nHost: vouchd\r\nContent-Length: 500\r\n\r\n{")
        .unwrap();
    let _idle = idle_unix(&setup.daemon.socket, 20);
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let code = setup.daemon.stop();
    let elapsed = started.elapsed();
    assert_eq!(code, Some(0));
    assert!(
        elapsed < Duration::from_secs(8),
        "vouchd took {elapsed:?} to stop"
    );
    assert!(!setup.daemon.socket.exists());
}

#[test]
fn the_cli_gives_up_on_a_daemon_that_never_answers() {
    let home = Home::new();
    let socket = home.path("silent.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let started = Instant::now();
    home.vouch()
        .env("VOUCH_SOCKET", &socket)
        .env("VOUCH_TIMEOUT", "2")
        .args(["check", &format!("sha256:{}", "ab".repeat(32))])
        .assert()
        .code(2)
        .stderr(contains("did not answer"));
    assert!(started.elapsed() < Duration::from_secs(10));
    drop(listener);
}

/// A vouchd answering TCP too, with `extra` flags; its address.
fn tcp_daemon(home: &Home, extra: &[&str]) -> (Daemon, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut args = vec!["--audit-interval", "0", "--listen", &addr];
    args.extend(extra);
    let daemon = Daemon::start(
        &home.path("ledger.db"),
        &home.path("vouchd.sock"),
        &[data("vector.pub")],
        &args,
    );
    (daemon, addr)
}

/// Asks a trust question on an open keep-alive connection; the status line.
fn ask(stream: &mut std::net::TcpStream) -> String {
    let digest = "cd".repeat(32);
    write!(
        stream,
        "GET /v1/trust/sha256:{digest} HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    .unwrap();
    let mut answer = vec![0u8; 64 * 1024];
    let n = stream.read(&mut answer).unwrap();
    let text = String::from_utf8_lossy(&answer[..n]);
    text.lines().next().unwrap_or_default().to_string()
}

#[test]
fn a_client_trickling_its_headers_does_not_hold_up_others_on_its_thread() {
    let home = Home::new();
    let (_daemon, addr) = tcp_daemon(&home, &["--tcp-threads", "1"]);
    // One thread: every connection below shares it with the trickling one.
    let mut slow = std::net::TcpStream::connect(&addr).unwrap();
    slow.write_all(b"GET /v1/trust/sha256:").unwrap();
    let idle: Vec<_> = (0..50)
        .filter_map(|_| std::net::TcpStream::connect(&addr).ok())
        .collect();
    assert_eq!(idle.len(), 50);
    for _ in 0..5 {
        slow.write_all(b"a").unwrap();
        let mut fresh = std::net::TcpStream::connect(&addr).unwrap();
        fresh
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        let started = Instant::now();
        assert_eq!(ask(&mut fresh), "HTTP/1.1 200 OK");
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}

#[test]
fn tcp_threads_are_started_as_asked_and_each_answers() {
    let home = Home::new();
    let (daemon, addr) = tcp_daemon(&home, &["--tcp-threads", "3"]);
    let mut streams: Vec<_> = (0..6)
        .map(|_| std::net::TcpStream::connect(&addr).unwrap())
        .collect();
    // Connections go to the threads in turn; each, asked twice on one connection, answers.
    for _ in 0..2 {
        for stream in &mut streams {
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            assert_eq!(ask(stream), "HTTP/1.1 200 OK");
        }
    }
    let tasks = std::fs::read_dir(format!("/proc/{}/task", daemon.child.id())).unwrap();
    let mut loops: Vec<String> = tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .map(|name| name.trim().to_string())
        .filter(|name| name.starts_with("vouchd-loop"))
        .collect();
    loops.sort();
    assert_eq!(loops, ["vouchd-loop-0", "vouchd-loop-1", "vouchd-loop-2"]);
}
