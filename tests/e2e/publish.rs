//! `vouch publish` and `vouch fetch` against Debian's docker-registry (distribution 2.8, no
//! referrers API, so the fallback tag `sha256-<hex>` is what clients read), read back with
//! skopeo as well as with vouch; a second vouchd takes the fetched reviews and answers alike.

use std::process::Command as StdCommand;

use crate::daemon::Setup;
use crate::pull::{code, text, World};
use crate::support::run;

fn skopeo_raw(reference: &str) -> serde_json::Value {
    let image = format!("docker://{reference}");
    let raw = run(
        "skopeo",
        &["inspect", "--raw", "--tls-verify=false", &image],
    );
    serde_json::from_str(&raw).unwrap()
}

#[test]
fn published_reviews_sit_at_the_fallback_tag_and_fetch_back_into_another_ledger() {
    let Some(world) = World::start() else {
        return;
    };
    let home = &world.setup.home;
    let digest = world.reviewed("team/app", "1.0", "published");
    let image = format!("{}@{digest}", world.repo("team/app"));
    let addr = world.registry.addr.clone();
    let publish = || {
        let out = world
            .setup
            .vouch()
            .args(["publish", "--insecure-registry", &addr, &image])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", text(&out));
        text(&out)
    };
    assert!(publish().contains("published 1 review bundle(s)"));
    // Where the OCI 1.1 spec says a client without the referrers API looks: an index at the
    // fallback tag, listing a manifest in cosign 3's layout about this image.
    let tag = format!("{}:sha256-{}", world.repo("team/app"), &digest[7..]);
    let index = skopeo_raw(&tag);
    assert_eq!(
        index["mediaType"],
        "application/vnd.oci.image.index.v1+json"
    );
    let listed = index["manifests"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0]["artifactType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    let referrer = skopeo_raw(&format!(
        "{}@{}",
        world.repo("team/app"),
        listed[0]["digest"].as_str().unwrap()
    ));
    assert_eq!(referrer["subject"]["digest"], digest.as_str());
    assert_eq!(
        referrer["config"]["mediaType"],
        "application/vnd.oci.empty.v1+json"
    );
    assert_eq!(referrer["config"]["size"], 2);
    assert_eq!(
        referrer["layers"][0]["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert_eq!(
        referrer["annotations"]["dev.sigstore.bundle.content"],
        "dsse-envelope"
    );
    assert_eq!(
        referrer["annotations"]["dev.sigstore.bundle.predicateType"],
        "https://vouch.dev/attestation/review/v1"
    );
    // Publishing again duplicates nothing.
    assert!(publish().contains("published 0 review bundle(s)"));
    assert_eq!(skopeo_raw(&tag)["manifests"].as_array().unwrap().len(), 1);

    // Fetched and verified; saved; submitted to a second vouchd with its own ledger, which
    // then answers as the first does.
    let public = world.setup.public.display().to_string();
    let fetch = |setup: &Setup, extra: &[&str]| {
        let mut cmd = setup.vouch();
        cmd.args(["fetch", "--insecure-registry", &addr, "--key", &public])
            .args(extra)
            .arg(&image);
        cmd.output().unwrap()
    };
    let out = fetch(
        &world.setup,
        &["-o", home.path("fetched").to_str().unwrap()],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("signature verified"), "{}", text(&out));
    assert_eq!(std::fs::read_dir(home.path("fetched")).unwrap().count(), 1);
    let trusted = |setup: &Setup| {
        let out = setup.vouch().args(["check", &image]).output().unwrap();
        code(&out)
    };
    // A vouchd that does not know this reviewer's key refuses the fetched review: exit 1.
    let stranger = Setup::new(&[]);
    let out = fetch(&stranger, &["--submit"]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert_eq!(trusted(&stranger), 1);
    // A second vouchd that trusts this reviewer's key, with an empty ledger of its own.
    let second = Setup::new_with_keys(std::slice::from_ref(&world.setup.public), &[]);
    assert_eq!(trusted(&second), 1, "not yet");
    let out = fetch(&second, &["--submit"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(
        trusted(&second),
        0,
        "the fetched review counts in the second ledger"
    );
    assert_eq!(trusted(&world.setup), 0);

    // A fallback index pointing at another image's referrers: refused, nothing submitted.
    let elsewhere = world
        .registry
        .push(&home.path(""), "team/app", "2.0", "elsewhere");
    let moved = format!("{}:sha256-{}", world.repo("team/app"), &elsewhere[7..]);
    let copied = StdCommand::new("skopeo")
        .args([
            "copy",
            "--quiet",
            "--all",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
        ])
        .arg(format!("docker://{tag}"))
        .arg(format!("docker://{moved}"))
        .output()
        .unwrap();
    assert!(
        copied.status.success(),
        "{}",
        String::from_utf8_lossy(&copied.stderr)
    );
    let out = world
        .setup
        .vouch()
        .args([
            "fetch",
            "--insecure-registry",
            &addr,
            &format!("{}@{elsewhere}", world.repo("team/app")),
        ])
        .output()
        .unwrap();
    assert_ne!(code(&out), 0, "{}", text(&out));
    assert!(
        text(&out).contains("not ") && text(&out).contains(&elsewhere),
        "{}",
        text(&out)
    );
}

/// PUTs `body` as the manifest `reference` of `repo` on the plain-HTTP registry at `addr`.
fn put_manifest(addr: &str, repo: &str, reference: &str, media_type: &str, body: &[u8]) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let head = format!(
        "PUT /v2/{repo}/manifests/{reference} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {media_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
}

#[test]
fn a_referrers_list_that_repeats_one_referrer_is_read_once() {
    let Some(world) = World::start() else {
        return;
    };
    let digest = world.reviewed("team/app", "1.0", "repeated");
    let image = format!("{}@{digest}", world.repo("team/app"));
    let addr = world.registry.addr.clone();
    let out = world
        .setup
        .vouch()
        .args(["publish", "--insecure-registry", &addr, &image])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out));
    // The fallback index, rewritten to list its one referrer 300 times.
    let tag = format!("sha256-{}", &digest[7..]);
    let mut index = skopeo_raw(&format!("{}:{tag}", world.repo("team/app")));
    let one = index["manifests"][0].clone();
    index["manifests"] = serde_json::Value::Array(vec![one; 300]);
    put_manifest(
        &addr,
        "team/app",
        &tag,
        "application/vnd.oci.image.index.v1+json",
        &serde_json::to_vec(&index).unwrap(),
    );
    assert_eq!(
        skopeo_raw(&format!("{}:{tag}", world.repo("team/app")))["manifests"]
            .as_array()
            .unwrap()
            .len(),
        300
    );
    let second = Setup::new_with_keys(std::slice::from_ref(&world.setup.public), &[]);
    let started = std::time::Instant::now();
    let out = second
        .vouch()
        .args([
            "fetch",
            "--json",
            "--submit",
            "--insecure-registry",
            &addr,
            &image,
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with('{'))
            .count(),
        1,
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("1 bundle(s)"), "{}", text(&out));
    // One submission reached the second ledger: one entry.
    let (_, body) = second.daemon.http("GET", "/healthz", b"");
    let health: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(health["treeSize"], 1, "{health}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}
