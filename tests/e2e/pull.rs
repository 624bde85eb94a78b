//! `vouch pull` with real engines: a private dockerd (Debian docker.io) and podman, pulling from
//! Debian's docker-registry, trust asked of the real vouchd. What each engine ends up holding
//! is read back from the engine itself (`image inspect` RepoDigests, the image count).

use std::process::Output;

use crate::daemon::Setup;
use crate::registry_hostile::{Hostile, Mode};
use crate::support::{Dockerd, Podman, Registry};

/// A registry, a daemon trusting this home's key, and the reviews signed into it.
pub(crate) struct World {
    pub(crate) setup: Setup,
    pub(crate) registry: Registry,
}

impl World {
    pub(crate) fn new(registry: Registry) -> Self {
        World {
            setup: Setup::new(&[]),
            registry,
        }
    }

    /// A registry and a daemon, or `None` when the registry's peers are missing (a skip
    /// outside CI).
    pub(crate) fn start() -> Option<Self> {
        Registry::start().map(Self::new)
    }

    /// Pushes a small image as `REPO:TAG` (its Cmd `cmd`), reviews it `trusted`; its digest.
    pub(crate) fn reviewed(&self, repo: &str, tag: &str, cmd: &str) -> String {
        let digest = self
            .registry
            .push(&self.setup.home.path(""), repo, tag, cmd);
        self.review(repo, &digest, "trusted");
        digest
    }

    /// `ADDR/REPO`.
    pub(crate) fn repo(&self, repo: &str) -> String {
        format!("{}/{repo}", self.registry.addr)
    }

    /// Signs and submits a `verdict` review of `ADDR/REPO@DIGEST`.
    pub(crate) fn review(&self, repo: &str, digest: &str, verdict: &str) {
        let image = format!("{}@{digest}", self.repo(repo));
        let name = format!("review-{}-{verdict}.json", &digest[7..19]);
        let envelope = self.setup.attest(&image, verdict, &name);
        self.setup
            .vouch()
            .arg("submit")
            .arg(envelope)
            .assert()
            .success();
    }

    /// `vouch pull --insecure-registry ADDR ARGS...` with `env`.
    pub(crate) fn pull(&self, args: &[&str], env: &[(&str, String)]) -> Output {
        let mut cmd = self.setup.vouch();
        cmd.args(["pull", "--insecure-registry", &self.registry.addr])
            .args(args);
        for (name, value) in env {
            cmd.env(name, value);
        }
        cmd.output().unwrap()
    }
}

pub(crate) fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

pub(crate) fn text(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// An engine under test: how to point vouch at it and what it holds.
trait Engine {
    fn name(&self) -> &'static str;
    fn env(&self) -> Vec<(&'static str, String)>;
    fn repo_digests(&self, image: &str) -> Option<Vec<String>>;
    fn image_count(&self) -> usize;
}

impl Engine for Dockerd {
    fn name(&self) -> &'static str {
        "docker"
    }
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![("DOCKER_HOST", self.host.clone())]
    }
    fn repo_digests(&self, image: &str) -> Option<Vec<String>> {
        Dockerd::repo_digests(self, image)
    }
    fn image_count(&self) -> usize {
        Dockerd::image_count(self)
    }
}

impl Engine for Podman {
    fn name(&self) -> &'static str {
        "podman"
    }
    fn env(&self) -> Vec<(&'static str, String)> {
        Podman::env(self)
    }
    fn repo_digests(&self, image: &str) -> Option<Vec<String>> {
        Podman::repo_digests(self, image)
    }
    fn image_count(&self) -> usize {
        Podman::image_count(self)
    }
}

/// Every case the issue names, with one engine.
fn pull_cases(world: &World, engine: &dyn Engine) {
    let work = world.setup.home.path("");
    let env = engine.env();
    let with = |args: &[&str]| {
        let mut all = vec!["--engine", engine.name()];
        all.extend_from_slice(args);
        world.pull(&all, &env)
    };
    let app = world.repo("team/app");
    let reviewed = world
        .registry
        .push_layered(&work, "team/app", "1.0", "reviewed", 64 << 10);
    world.review("team/app", &reviewed, "trusted");

    // --dry-run: asks, says what it would do, pulls nothing.
    let out = with(&["--dry-run", &format!("{app}:1.0")]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains(&format!("Would pull (1 of 1): {app}:1.0@{reviewed}")));
    assert_eq!(engine.image_count(), 0, "a dry run pulled");

    // A trusted tag: pulled by digest, tagged, the engine's image is exactly the reviewed one.
    let out = with(&[&format!("{app}:1.0")]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains(&format!("Pull (1 of 1): {app}:1.0@{reviewed}")),
        "{said}"
    );
    assert!(
        said.contains(&format!("Tagging {app}@{reviewed} as {app}:1.0")),
        "{said}"
    );
    assert_eq!(
        engine.repo_digests(&format!("{app}:1.0")),
        Some(vec![format!("{app}@{reviewed}")])
    );
    let count = engine.image_count();

    // An untrusted tag (never reviewed; then rejected): refused, nothing new in the engine.
    let other = world
        .registry
        .push_layered(&work, "team/other", "2.0", "unreviewed", 64 << 10);
    let out = with(&[&format!("{}:2.0", world.repo("team/other"))]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("NOT TRUSTED") && text(&out).contains("nothing was pulled"));
    world.review("team/other", &other, "rejected");
    let out = with(&[&format!("{}:2.0", world.repo("team/other"))]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("rejected"), "{}", text(&out));
    assert_eq!(engine.image_count(), count, "an untrusted image was pulled");
    assert_eq!(
        engine.repo_digests(&format!("{}:2.0", world.repo("team/other"))),
        None
    );

    // The tag moves to a digest nobody reviewed: refused; the engine keeps the reviewed one.
    let moved = world
        .registry
        .push_layered(&work, "team/app", "1.0", "moved", 64 << 10);
    assert_ne!(moved, reviewed);
    let out = with(&[&format!("{app}:1.0")]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains(&moved), "{}", text(&out));
    assert_eq!(engine.image_count(), count);
    assert_eq!(
        engine.repo_digests(&format!("{app}:1.0")),
        Some(vec![format!("{app}@{reviewed}")])
    );

    index_cases(world, engine, &with);
}

/// A two-platform index: reviewed as a whole, or only one platform's manifest.
fn index_cases(world: &World, engine: &dyn Engine, with: &dyn Fn(&[&str]) -> Output) {
    let work = world.setup.home.path("");
    let multi = world.repo("team/multi");
    let whole = world
        .registry
        .push_index(&work, "team/multi", "1.0", "whole");
    world.review("team/multi", &whole.digest, "trusted");
    let out = with(&[&format!("{multi}:1.0")]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        text(&out).contains("covers every platform"),
        "{}",
        text(&out)
    );
    // docker records the index's digest; podman also the platform manifest's it unpacked,
    // which the index lists.
    let digests = engine.repo_digests(&format!("{multi}:1.0")).unwrap();
    assert!(
        digests.contains(&format!("{multi}@{}", whole.digest)),
        "{digests:?}"
    );
    let listed: Vec<String> = whole
        .platforms
        .iter()
        .map(|(_, d)| format!("{multi}@{d}"))
        .collect();
    assert!(
        digests
            .iter()
            .all(|d| *d == format!("{multi}@{}", whole.digest) || listed.contains(d)),
        "{digests:?}"
    );

    // Only the amd64 manifest of another index was reviewed: that manifest is pulled; arm64
    // is refused.
    let part = world.registry.push_index(&work, "team/part", "1.0", "part");
    let (_, amd64) = part
        .platforms
        .iter()
        .find(|(p, _)| p == "linux/amd64")
        .unwrap();
    world.review("team/part", amd64, "trusted");
    let partial = world.repo("team/part");
    let out = with(&["--platform", "linux/arm64", &format!("{partial}:1.0")]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    let out = with(&["--platform", "linux/amd64", &format!("{partial}:1.0")]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        text(&out).contains("only the linux/amd64 manifest"),
        "{}",
        text(&out)
    );
    let digests = engine.repo_digests(&format!("{partial}:1.0")).unwrap();
    assert_eq!(
        digests,
        vec![format!("{partial}@{amd64}")],
        "{}",
        engine.name()
    );
}

/// Daemon down, registry down, registry lying: exit 2, nothing pulled.
fn fail_closed_cases(world: &World, engine: &dyn Engine, env: &[(&str, String)]) {
    let work = world.setup.home.path("");
    let app = world.repo("team/closed");
    let digest = world
        .registry
        .push_layered(&work, "team/closed", "1.0", "closed", 4096);
    world.review("team/closed", &digest, "trusted");
    let before = engine.image_count();
    let mut down = env.to_vec();
    down.push((
        "VOUCH_SOCKET",
        world.setup.home.path("nobody.sock").display().to_string(),
    ));
    let out = world.pull(&["--engine", engine.name(), &format!("{app}:1.0")], &down);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("cannot reach vouchd"), "{}", text(&out));
    let gone = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    let out = world.pull(
        &[
            "--engine",
            engine.name(),
            "--insecure-registry",
            &gone,
            &format!("{gone}/team/closed:1.0"),
        ],
        env,
    );
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("nothing was pulled"), "{}", text(&out));
    // A registry whose Docker-Content-Digest header names another digest than its manifest.
    let liar = Hostile::start(Mode::Answer {
        header: Some(format!("sha256:{}", "e".repeat(64))),
    });
    let out = world.pull(
        &[
            "--engine",
            engine.name(),
            "--insecure-registry",
            &liar.addr,
            &format!("{}/team/closed:1.0", liar.addr),
        ],
        env,
    );
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("hashes to"), "{}", text(&out));
    assert_eq!(engine.image_count(), before);
}

#[test]
fn docker_pulls_only_reviewed_digests() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let Some(dockerd) = Dockerd::start() else {
        return;
    };
    let world = World::new(registry);
    pull_cases(&world, &dockerd);
    fail_closed_cases(&world, &dockerd, &dockerd.env());
}

#[test]
fn podman_pulls_only_reviewed_digests() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let Some(podman) = Podman::new(&[&registry.addr]) else {
        return;
    };
    let world = World::new(registry);
    pull_cases(&world, &podman);
    fail_closed_cases(&world, &podman, &Engine::env(&podman));
}
