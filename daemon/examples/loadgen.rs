//! The load tool for vouchd: fills a ledger, then measures trust queries (throughput and
//! latency percentiles over many keep-alive connections) and durable submissions per second,
//! over the Unix socket. `scripts/bench-daemon.sh` runs the whole measurement.
//!
//! ```text
//! loadgen populate DB N                      # N signed reviews (the test vectors' key)
//! loadgen populate-policy DIR N              # DIR/ledger.db of N entries for DIR/policy.toml:
//!                                            # two keys review each image, each image built on
//!                                            # one of 100 base images they reviewed too, which
//!                                            # sit on a root; threshold 2, bases trusted
//! loadgen trust SOCKET N CONNECTIONS SECONDS [REPO] # queries for the N digests (and 10%
//!                                            # unknown ones), as images of REPO if given
//! loadgen submit SOCKET COUNT CONNECTIONS    # COUNT new signed reviews
//! loadgen paths N COUNT                      # COUNT trust query paths for an outside load
//!                                            # tool, as `trust` asks them (10% unknown)
//! ```
//!
//! Requests are bounded in count and time and go only to the given Unix socket.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use rayon::prelude::*;
use vouch_ledger::{Ledger, NewEntry};
use vouch_proto::{sign_review, Digest, ImageRef, Review, ReviewStatement, SecretKey, Verdict};

type Error = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| -> Result<&str, Error> {
        args.get(i)
            .map(String::as_str)
            .ok_or_else(|| "missing argument; see the file's doc comment".into())
    };
    match arg(0)? {
        "populate" => populate(Path::new(arg(1)?), arg(2)?.parse()?),
        "populate-policy" => populate_policy(Path::new(arg(1)?), arg(2)?.parse()?),
        "trust" => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(trust(
                PathBuf::from(arg(1)?),
                arg(2)?.parse()?,
                arg(3)?.parse()?,
                arg(4)?.parse()?,
                args.get(5).cloned(),
            ))
        }
        "submit" => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(submit(
                PathBuf::from(arg(1)?),
                arg(2)?.parse()?,
                arg(3)?.parse()?,
            ))
        }
        "paths" => {
            paths(arg(1)?.parse()?, arg(2)?.parse()?);
            Ok(())
        }
        other => Err(format!("unknown mode {other:?}: populate, trust, submit or paths").into()),
    }
}

fn key() -> SecretKey {
    SecretKey::from_seed(&[0x11; 32])
}

fn digest_of(i: u64) -> Digest {
    Digest::of(format!("loadgen-{i}").as_bytes())
}

fn statement(key: &SecretKey, digest: Digest, note: String) -> Result<ReviewStatement, Error> {
    let reference = format!("registry.example.com/team/service:1.0@{digest}");
    let image = ImageRef::parse_pinned(&reference)?;
    let mut review = Review::new(key.id(), Verdict::Trusted, chrono::Utc::now(), &reference);
    review.reviewer.name = Some("Load Reviewer".into());
    review.notes = vec![note];
    Ok(ReviewStatement::new(&image, review))
}

fn envelope(key: &SecretKey, digest: Digest, note: String) -> Result<Vec<u8>, Error> {
    Ok(sign_review(&statement(key, digest, note)?, key)
        .to_json()
        .into_bytes())
}

fn populate(db: &Path, n: u64) -> Result<(), Error> {
    let key = key();
    let mut ledger = Ledger::open(db, None)?;
    let start = Instant::now();
    let mut done = ledger.size();
    while done < n {
        let count = 10_000.min(n - done);
        let entries: Vec<NewEntry> = (done..done + count)
            .into_par_iter()
            .map(|i| {
                let statement = statement(&key, digest_of(i), format!("populate {i}"))?;
                let signed = sign_review(&statement, &key);
                Ok(NewEntry::attestation(
                    signed.to_json().into_bytes(),
                    &signed,
                    key.id(),
                    &statement,
                ))
            })
            .collect::<Result<_, Error>>()?;
        for chunk in entries.chunks(1000) {
            ledger.append_batch(chunk)?;
        }
        done += count;
    }
    println!(
        "populated {} entries in {:.1} s",
        ledger.size(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The second reviewer of the policy benchmark.
fn second_key() -> SecretKey {
    SecretKey::from_seed(&[0x33; 32])
}

/// The digest every base image of the policy benchmark is built on (a root of its policy).
fn root_digest() -> Digest {
    Digest::of(b"loadgen-root")
}

/// One review for the policy benchmark: `key` vouches for `repo@digest`, built on `base`.
fn based_review(
    key: &SecretKey,
    repo: &str,
    digest: Digest,
    base: (&str, Digest),
) -> Result<NewEntry, Error> {
    let reference = format!("{repo}@{digest}");
    let image = ImageRef::parse_pinned(&reference)?;
    let mut review = Review::new(key.id(), Verdict::Trusted, chrono::Utc::now(), &reference);
    review.base_images.push(vouch_proto::review::BaseImage {
        reference: format!("{}@{}", base.0, base.1),
        digest: vouch_proto::DigestSet(base.1),
    });
    let statement = ReviewStatement::new(&image, review);
    let signed = sign_review(&statement, key);
    Ok(NewEntry::attestation(
        signed.to_json().into_bytes(),
        &signed,
        key.id(),
        &statement,
    ))
}

/// A ledger of `n` entries and the policy it is judged under, in `dir`.
fn populate_policy(dir: &Path, n: u64) -> Result<(), Error> {
    let (a, b) = (key(), second_key());
    std::fs::write(dir.join("a.pub"), a.public().to_pem())?;
    std::fs::write(dir.join("b.pub"), b.public().to_pem())?;
    std::fs::write(
        dir.join("policy.toml"),
        format!(
            "version = 1\n[reviewers.a]\nkey = \"a.pub\"\n[reviewers.b]\nkey = \"b.pub\"\n\n[[rules]]\nscope = \"*\"\nthreshold = 2\nmax_age = \"90d\"\nbase_images = \"trusted\"\n\n[[roots]]\nimage = \"registry.example.com/os@{}\"\n",
            root_digest()
        ),
    )?;
    let mut ledger = Ledger::open(&dir.join("ledger.db"), None)?;
    let bases: Vec<Digest> = (0..100)
        .map(|j| Digest::of(format!("loadgen-base-{j}").as_bytes()))
        .collect();
    let mut entries = Vec::new();
    for base in &bases {
        for key in [&a, &b] {
            entries.push(based_review(
                key,
                "registry.example.com/base",
                *base,
                ("registry.example.com/os", root_digest()),
            )?);
        }
    }
    let images = (n.saturating_sub(200)) / 2;
    let built: Vec<NewEntry> = (0..images)
        .into_par_iter()
        .flat_map_iter(|i| {
            let base = ("registry.example.com/base", bases[(i % 100) as usize]);
            [&a, &b].map(|key| {
                based_review(key, "registry.example.com/team/service", digest_of(i), base)
            })
        })
        .collect::<Result<_, Error>>()?;
    entries.extend(built);
    for chunk in entries.chunks(1000) {
        ledger.append_batch(chunk)?;
    }
    println!(
        "populated {} entries ({images} images, two reviews each, 100 base images)",
        ledger.size()
    );
    Ok(())
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(socket: &Path) -> Result<Sender, Error> {
    let stream = tokio::net::UnixStream::connect(socket).await?;
    let (sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

async fn request(
    sender: &mut Sender,
    method: &str,
    path: &str,
    body: Vec<u8>,
) -> Result<u16, Error> {
    sender.ready().await?;
    let request = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "vouchd")
        .body(Full::new(Bytes::from(body)))?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    response.into_body().collect().await?;
    Ok(status)
}

type Task = tokio::task::JoinHandle<Result<(Vec<u32>, u64), Error>>;

/// Waits for every connection's task and reports their latencies and errors together.
async fn finish(what: &str, tasks: Vec<Task>, start: Instant) -> Result<(), Error> {
    let mut all = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (latencies, e) = task.await??;
        all.extend(latencies);
        errors += e;
    }
    report(what, all, errors, start.elapsed());
    Ok(())
}

fn report(what: &str, mut latencies: Vec<u32>, errors: u64, elapsed: Duration) {
    latencies.sort_unstable();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0)
    };
    println!(
        "{what}: {} requests in {:.2} s = {:.0}/s; latency p50 {} us, p99 {} us, p99.9 {} us, max {} us; {errors} errors",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pick(0.5),
        pick(0.99),
        pick(0.999),
        latencies.last().copied().unwrap_or(0)
    );
}

async fn trust(
    socket: PathBuf,
    n: u64,
    connections: u64,
    seconds: u64,
    repo: Option<String>,
) -> Result<(), Error> {
    let socket = Arc::new(socket);
    let query = Arc::new(repo.map(|r| format!("?image={r}")).unwrap_or_default());
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let tasks: Vec<Task> = (0..connections)
        .map(|c| {
            let socket = Arc::clone(&socket);
            let query = Arc::clone(&query);
            tokio::spawn(async move {
                let mut sender = connect(&socket).await?;
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                let mut i = c.wrapping_mul(7_919);
                while Instant::now() < deadline {
                    i = i
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    // One query in ten asks about a digest the ledger has never seen.
                    let digest = if i % 10 == 0 {
                        digest_of(u64::MAX - i % 1000)
                    } else {
                        digest_of((i >> 8) % n)
                    };
                    let sent = Instant::now();
                    match request(
                        &mut sender,
                        "GET",
                        &format!("/v1/trust/{digest}{query}"),
                        Vec::new(),
                    )
                    .await
                    {
                        Ok(200) => latencies
                            .push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX)),
                        _ => errors += 1,
                    }
                }
                Ok::<_, Error>((latencies, errors))
            })
        })
        .collect();
    finish(
        &format!("trust queries ({connections} connections)"),
        tasks,
        start,
    )
    .await
}

/// Prints `count` trust query paths over the `n` populated digests, one in ten unknown.
fn paths(n: u64, count: u64) {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut i: u64 = 1;
    for _ in 0..count {
        i = i
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let digest = if i.is_multiple_of(10) {
            digest_of(u64::MAX - i % 1000)
        } else {
            digest_of((i >> 8) % n)
        };
        let _ = writeln!(out, "/v1/trust/{digest}");
    }
}

async fn submit(socket: PathBuf, count: u64, connections: u64) -> Result<(), Error> {
    let key = key();
    let run = std::process::id();
    let bodies: Vec<Vec<u8>> = (0..count)
        .into_par_iter()
        .map(|i| {
            envelope(
                &key,
                Digest::of(format!("submit-{run}-{i}").as_bytes()),
                format!("submit {run} {i}"),
            )
        })
        .collect::<Result<_, Error>>()?;
    let per = bodies.len().div_ceil(connections as usize).max(1);
    let socket = Arc::new(socket);
    let start = Instant::now();
    let tasks: Vec<Task> = bodies
        .chunks(per)
        .map(|chunk| {
            let chunk = chunk.to_vec();
            let socket = Arc::clone(&socket);
            tokio::spawn(async move {
                let mut sender = connect(&socket).await?;
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                for body in chunk {
                    let sent = Instant::now();
                    match request(&mut sender, "POST", "/v1/entries", body).await {
                        Ok(201) => latencies
                            .push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX)),
                        _ => errors += 1,
                    }
                }
                Ok::<_, Error>((latencies, errors))
            })
        })
        .collect();
    finish(
        &format!("durable submissions ({connections} connections)"),
        tasks,
        start,
    )
    .await
}
