//! `vouch attest --resolve-base` against a registry that lies: a small HTTP server written for
//! these tests, on 127.0.0.1 only, each case bounded in time and bytes.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use predicates::str::contains;
use vouch_proto::Digest;

use crate::attest::statement_of;
use crate::support::{image, Home};

/// A valid OCI image manifest.
pub(crate) fn manifest() -> Vec<u8> {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{}","size":2}},"layers":[]}}"#,
        "44".repeat(32)
    )
    .into_bytes()
}

/// What the hostile registry does with a request for a manifest.
#[derive(Clone)]
pub(crate) enum Mode {
    /// 200 with a valid manifest, and `header` as Docker-Content-Digest.
    Answer { header: Option<String> },
    /// 200 with spaces until the client hangs up, no length given.
    Endless,
    /// 200 announcing 1.5 GB.
    Huge,
    /// One byte of body every half second.
    Trickle,
    /// Accepts and never answers.
    Silent,
    /// 307 to `location` for the tag `1.0`, a valid manifest for anything else.
    Redirect { location: String },
    /// 200 with JSON that is no manifest, and its true digest as header.
    NotAManifest,
}

pub(crate) struct Hostile {
    pub(crate) addr: String,
    stop: Arc<AtomicBool>,
}

impl Hostile {
    pub(crate) fn start(mode: Mode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (mode, flag) = (mode.clone(), Arc::clone(&flag));
                        std::thread::spawn(move || answer(stream, &mode, &flag));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Hostile { addr, stop }
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn answer(mut stream: TcpStream, mode: &Mode, stop: &AtomicBool) {
    stream.set_nonblocking(false).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
        head.push(byte[0]);
    }
    let send = |stream: &mut TcpStream, status: &str, headers: &str, body: &[u8]| {
        let _ = write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\n{headers}Connection: close\r\n\r\n"
        );
        let _ = stream.write_all(body);
    };
    let until_stopped = |stream: &mut TcpStream, chunk: &[u8], pause: Duration| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
            if stream.write_all(chunk).is_err() {
                return;
            }
            std::thread::sleep(pause);
        }
    };
    match mode {
        Mode::Answer { header } => {
            let body = manifest();
            let header = header
                .as_ref()
                .map(|h| format!("Docker-Content-Digest: {h}\r\n"))
                .unwrap_or_default();
            send(
                &mut stream,
                "200 OK",
                &format!("{header}Content-Length: {}\r\n", body.len()),
                &body,
            );
        }
        Mode::Endless => {
            send(&mut stream, "200 OK", "", b"");
            until_stopped(&mut stream, &[b' '; 65536], Duration::ZERO);
        }
        Mode::Huge => {
            send(&mut stream, "200 OK", "Content-Length: 1500000000\r\n", b"");
            until_stopped(&mut stream, &[b' '; 65536], Duration::ZERO);
        }
        Mode::Trickle => {
            send(&mut stream, "200 OK", "Content-Length: 100000\r\n", b"{");
            until_stopped(&mut stream, b" ", Duration::from_millis(500));
        }
        Mode::Silent => until_stopped(&mut stream, b"", Duration::from_millis(100)),
        Mode::Redirect { location } if head.windows(15).any(|w| w == b"/manifests/1.0 ") => {
            send(
                &mut stream,
                "307 Temporary Redirect",
                &format!("Location: {location}\r\nContent-Length: 0\r\n"),
                b"",
            );
        }
        Mode::Redirect { .. } => {
            let body = manifest();
            send(
                &mut stream,
                "200 OK",
                &format!("Content-Length: {}\r\n", body.len()),
                &body,
            );
        }
        Mode::NotAManifest => {
            let body = br#"{"hello":"world"}"#;
            let header = format!(
                "Docker-Content-Digest: {}\r\nContent-Length: {}\r\n",
                Digest::of(body),
                body.len()
            );
            send(&mut stream, "200 OK", &header, body);
        }
    }
}

/// `vouch attest --resolve-base` of a Dockerfile `FROM addr/lib/base:1.0`.
fn attest(home: &Home, addr: &str) -> assert_cmd::Command {
    let dockerfile = home.path("Dockerfile");
    std::fs::write(
        &dockerfile,
        format!("FROM {addr}/lib/base:1.0\nUSER 1000\n"),
    )
    .unwrap();
    let mut cmd = home.vouch();
    cmd.env("VOUCH_REGISTRY_TIMEOUT", "3")
        .args([
            "attest",
            "--image",
            &image("5f"),
            "--verdict",
            "trusted",
            "--accept-all",
            "--resolve-base",
        ])
        .args(["--insecure-registry", addr, "--dockerfile"])
        .arg(&dockerfile);
    cmd
}

fn refused(mode: Mode, reason: &str) {
    let home = Home::new();
    home.generate_key();
    let registry = Hostile::start(mode);
    let started = Instant::now();
    attest(&home, &registry.addr)
        .assert()
        .code(2)
        .stderr(contains(reason))
        .stderr(contains(registry.addr.as_str()));
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(15), "took {elapsed:?}");
}

#[test]
fn a_lying_digest_header_is_caught() {
    refused(
        Mode::Answer {
            header: Some(format!("sha256:{}", "e".repeat(64))),
        },
        "hashes to",
    );
}

#[test]
fn the_digest_signed_is_the_one_computed_from_the_manifest() {
    let home = Home::new();
    home.generate_key();
    for header in [None, Some(Digest::of(&manifest()).to_string())] {
        let registry = Hostile::start(Mode::Answer { header });
        let out = attest(&home, &registry.addr).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let review = statement_of(&out.stdout).predicate;
        assert_eq!(review.base_images[0].digest.0, Digest::of(&manifest()));
    }
}

#[test]
fn oversized_and_endless_bodies_are_cut_at_4_mib() {
    refused(Mode::Huge, "over the 4194304");
    refused(Mode::Endless, "over the 4194304");
}

#[test]
fn a_trickling_or_silent_registry_times_out() {
    refused(Mode::Trickle, "did not finish answering within 3 s");
    refused(Mode::Silent, "did not finish answering within 3 s");
}

#[test]
fn what_is_not_a_manifest_is_refused() {
    refused(Mode::NotAManifest, "not an OCI or Docker manifest");
}

#[test]
fn a_redirect_to_another_host_is_refused_and_one_within_the_host_followed() {
    let honest = Hostile::start(Mode::Answer { header: None });
    let port = honest.addr.rsplit(':').next().unwrap().to_string();
    refused(
        Mode::Redirect {
            location: format!("http://localhost:{port}/v2/lib/base/manifests/1.0"),
        },
        "another host",
    );
    // Another port is another host too.
    refused(
        Mode::Redirect {
            location: format!("http://{}/v2/lib/base/manifests/1.0", honest.addr),
        },
        "another host",
    );
    // A redirect within the same host is followed.
    let home = Home::new();
    home.generate_key();
    let registry = Hostile::start(Mode::Redirect {
        location: "/v2/lib/base/manifests/moved".into(),
    });
    let out = attest(&home, &registry.addr).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
