//! Bounded resources: a burst of ordinary reads cannot use up vouchd's file descriptors, and a
//! background audit that could not run (every descriptor taken) is tried again, never a reason
//! to fail closed for good.

use std::time::{Duration, Instant};

use chrono::Utc;
use vouch_proto::{Digest, Verdict};

use crate::daemon::Setup;
use crate::support::{http_unix, review_envelope, vector_key};

fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}

fn metric(setup: &Setup, name: &str) -> u64 {
    let (_, body) = setup.daemon.http("GET", "/metrics", b"");
    let text = String::from_utf8(body).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

#[test]
fn a_burst_of_reads_stays_within_the_descriptors_and_a_starved_audit_recovers() {
    if !crate::support::on_path("prlimit") {
        crate::support::missing_peer("prlimit", "apt-get install util-linux");
        return;
    }
    let setup = Setup::new(&["--audit-interval", "1"]);
    let envelope = review_envelope(
        &vector_key(),
        Digest::of(b"read me"),
        Verdict::Trusted,
        Utc::now(),
        None,
    );
    let (status, _) = setup
        .daemon
        .http("POST", "/v1/entries", envelope.to_json().as_bytes());
    assert_eq!(status, 201);
    let pid = setup.daemon.child.id();
    // Room for what vouchd holds now, its 16 pooled read connections (3 files each), 80 client
    // connections and a little more: a connection per read (the old pool) needs four times that.
    let limit = open_files(pid) + 16 * 3 + 80 + 12;
    let set = std::process::Command::new("prlimit")
        .args([
            "--pid",
            &pid.to_string(),
            &format!("--nofile={limit}:{limit}"),
        ])
        .status()
        .unwrap();
    assert!(set.success());
    let socket = setup.daemon.socket.clone();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..80)
            .map(|_| {
                let socket = &socket;
                scope.spawn(move || {
                    (0..15)
                        .map(|_| http_unix(socket, "GET", "/v1/entries/0", b"").0)
                        .collect::<Vec<u16>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let served = statuses.iter().filter(|s| **s == 200).count();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "{:?}",
        statuses.iter().filter(|s| **s != 200).collect::<Vec<_>>()
    );
    assert!(
        served > statuses.len() / 2,
        "{served} of {}",
        statuses.len()
    );
    assert!(open_files(pid) <= limit, "{} > {limit}", open_files(pid));
    let (_, health) = setup.daemon.http("GET", "/healthz", b"");
    assert!(String::from_utf8_lossy(&health).contains("\"ok\""));

    // Every descriptor taken by idle clients for a while: the audit cannot open the ledger.
    let passed_before = metric(&setup, "vouchd_audits_passed_total");
    let held: Vec<_> = (0..limit)
        .filter_map(|_| std::os::unix::net::UnixStream::connect(&socket).ok())
        .collect();
    std::thread::sleep(Duration::from_millis(2500));
    drop(held);
    // Released: the audit runs again and passes, and vouchd never failed closed.
    let deadline = Instant::now() + Duration::from_secs(20);
    while metric(&setup, "vouchd_audits_passed_total") <= passed_before + 1 {
        assert!(
            Instant::now() < deadline,
            "no audit passed after the clients left"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(metric(&setup, "vouchd_audit_errors_total") >= 1);
    let (_, health) = setup.daemon.http("GET", "/healthz", b"");
    assert!(
        String::from_utf8_lossy(&health).contains("\"ok\""),
        "{}",
        String::from_utf8_lossy(&health)
    );
    let (status, _) = setup.daemon.http("GET", "/v1/entries/0", b"");
    assert_eq!(status, 200);
}
