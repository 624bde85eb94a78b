//! The trust policy end to end: `vouchd --policy` with several real keys, reviews submitted over
//! the socket, answers read with `vouch check` (which sends the repository, so its rule
//! applies), and `vouch policy test` replaying every question offline against the same ledger
//! file: it must agree with the daemon on every case.

use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use vouch_proto::api::{ReasonCode, TrustResponse};
use vouch_proto::review::{BaseImage, ChecklistItem, Dockerfile, ItemStatus, Source};
use vouch_proto::{
    sign_review, Digest, DigestSet, ImageRef, Review, ReviewStatement, SecretKey, Verdict,
};

use crate::support::{Daemon, Home};

/// The reviewers: alice and bob vouch for anything, sec only for ghcr.io/acme/*.
pub(crate) fn key(name: &str) -> SecretKey {
    let seed = match name {
        "alice" => 11,
        "bob" => 12,
        "sec" => 13,
        "dave" => 14,
        _ => 99,
    };
    SecretKey::from_seed(&[seed; 32])
}

pub(crate) const POLICY: &str = r#"version = 1

[reviewers.alice]
key = "keys/alice.pub"

[reviewers.bob]
key = "keys/bob.pub"

[reviewers.sec]
key = "keys/sec.pub"
scopes = ["ghcr.io/acme/*"]

# Two keys, one of them sec, reviewed downloads, the source recorded, trusted bases.
[[rules]]
scope = "ghcr.io/acme/*"
threshold = 2
required = ["sec"]
require_reviewed = ["download"]
require_source = true
base_images = "trusted"

[[rules]]
scope = "ghcr.io/fresh/*"
threshold = 1
max_age = "2h"

[[rules]]
scope = "ghcr.io/chain/*"
threshold = 1
base_images = "trusted"

[[rules]]
scope = "ghcr.io/soft/*"
threshold = 1
mode = "warn"

[[rules]]
scope = "*"
threshold = 1

[[roots]]
image = "ghcr.io/chain/os@sha256:7777777777777777777777777777777777777777777777777777777777777777"
note = "the bottom of the chain, trusted by its own signatures"
"#;

pub(crate) struct World {
    pub(crate) home: Home,
    pub(crate) daemon: Daemon,
    pub(crate) policy: PathBuf,
}

impl World {
    pub(crate) fn new() -> Self {
        let home = Home::new();
        std::fs::create_dir_all(home.path("policy/keys")).unwrap();
        for name in ["alice", "bob", "sec"] {
            std::fs::write(
                home.path(&format!("policy/keys/{name}.pub")),
                key(name).public().to_pem(),
            )
            .unwrap();
        }
        let policy = home.path("policy/policy.toml");
        std::fs::write(&policy, POLICY).unwrap();
        let daemon = Daemon::start(
            &home.path("data/ledger.db"),
            &home.path("run/vouchd.sock"),
            &[],
            &["--policy", policy.to_str().unwrap()],
        );
        World {
            home,
            daemon,
            policy,
        }
    }

    /// Stops vouchd and starts it again on the same ledger with the policy file as it is now.
    pub(crate) fn restart(&mut self) {
        self.daemon.stop();
        let (db, socket) = (self.daemon.db.clone(), self.daemon.socket.clone());
        self.daemon = Daemon::start(
            &db,
            &socket,
            &[],
            &["--policy", self.policy.to_str().unwrap()],
        );
    }

    pub(crate) fn submit(&self, envelope: &vouch_proto::Envelope) {
        let (status, body) = self.daemon.http(
            "POST",
            vouch_proto::api::paths::ENTRIES,
            envelope.to_json().as_bytes(),
        );
        assert!(
            status == 201 || status == 200,
            "{status}: {}",
            String::from_utf8_lossy(&body)
        );
    }

    /// `vouch check --json IMAGE`: exit code and answer.
    pub(crate) fn check(&self, image: &str) -> (i32, TrustResponse) {
        let out = self
            .home
            .vouch()
            .env("VOUCH_SOCKET", &self.daemon.socket)
            .env("XDG_STATE_HOME", self.home.path("state"))
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

    /// `vouch policy test --json` over the daemon's ledger file, one answer per image.
    pub(crate) fn replay(&self, images: &[String]) -> Vec<TrustResponse> {
        let out = self
            .home
            .vouch()
            .args(["policy", "test", "--json", "--policy"])
            .arg(&self.policy)
            .arg("--db")
            .arg(&self.daemon.db)
            .args(images)
            .output()
            .unwrap();
        assert!(
            out.status.code() != Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }
}

fn digest(name: &str) -> Digest {
    Digest::of(name.as_bytes())
}

pub(crate) fn reference(repo: &str, name: &str) -> String {
    format!("{repo}@{}", digest(name))
}

/// A review of `repo@digest(name)` by `who`, `hours` ago, adjusted by `tweak`.
pub(crate) fn review(
    who: &str,
    repo: &str,
    name: &str,
    verdict: Verdict,
    hours: i64,
    tweak: impl FnOnce(&mut Review),
) -> vouch_proto::Envelope {
    let signer = key(who);
    let text = reference(repo, name);
    let image = ImageRef::parse_pinned(&text).unwrap();
    let at: DateTime<Utc> = Utc::now() - Duration::hours(hours);
    let mut review = Review::new(signer.id(), verdict, at, &text);
    review.reviewer.name = Some(who.to_string());
    tweak(&mut review);
    sign_review(&ReviewStatement::new(&image, review), &signer)
}

fn with_source(review: &mut Review) {
    review.dockerfile = Some(Dockerfile {
        path: "Dockerfile".into(),
        sha256: digest("dockerfile"),
        source: Some(Source {
            repository: "https://git.example/acme/app".into(),
            commit: "a".repeat(40),
        }),
    });
}

fn based_on(repo: &str, name: &str) -> impl FnOnce(&mut Review) {
    let base = BaseImage {
        reference: reference(repo, name),
        digest: DigestSet(digest(name)),
    };
    move |review: &mut Review| review.base_images.push(base)
}

fn codes(answer: &TrustResponse) -> Vec<ReasonCode> {
    let mut codes: Vec<ReasonCode> = answer.reasons.iter().map(|r| r.code).collect();
    codes.extend(
        answer
            .attestations
            .iter()
            .filter_map(|a| a.why.as_ref().map(|w| w.code)),
    );
    codes
}

/// Asks the daemon about every case and replays them all offline: same answers.
fn assert_cases(world: &World, cases: &[(String, bool, Option<ReasonCode>)]) {
    let images: Vec<String> = cases.iter().map(|(image, _, _)| image.clone()).collect();
    let replayed = world.replay(&images);
    assert_eq!(replayed.len(), cases.len());
    for ((image, trusted, code), offline) in cases.iter().zip(&replayed) {
        let (exit, online) = world.check(image);
        assert_eq!(online.trusted, *trusted, "{image}: {:?}", online.reasons);
        if let Some(code) = code {
            assert!(
                codes(&online).contains(code),
                "{image}: no {code:?} in {:?}",
                online.reasons
            );
        }
        let warn = online.mode.as_deref() == Some("warn");
        let expected_exit = if online.trusted || warn { 0 } else { 1 };
        assert_eq!(exit, expected_exit, "{image}");
        assert_eq!(
            offline.trusted, online.trusted,
            "{image}: policy test disagrees"
        );
        assert_eq!(offline.rule, online.rule, "{image}");
        assert_eq!(
            codes(offline),
            codes(&online),
            "{image}: policy test gives other reasons"
        );
    }
}

#[test]
fn the_policy_decides_and_policy_test_agrees_on_every_case() {
    let world = World::new();
    let acme = "ghcr.io/acme/app";
    let full = |r: &mut Review| with_source(r);
    // Threshold 2 with sec required: one key twice is not enough, alice + bob lacks sec, alice
    // + sec is enough.
    world.submit(&review("alice", acme, "twice", Verdict::Trusted, 3, full));
    world.submit(&review("alice", acme, "twice", Verdict::Trusted, 2, full));
    world.submit(&review("alice", acme, "nosec", Verdict::Trusted, 2, full));
    world.submit(&review("bob", acme, "nosec", Verdict::Trusted, 2, full));
    world.submit(&review("alice", acme, "met", Verdict::Trusted, 2, full));
    world.submit(&review("sec", acme, "met", Verdict::Trusted, 2, full));
    // Required checklist kinds and the source.
    let risky = |r: &mut Review| {
        with_source(r);
        r.checklist.push(ChecklistItem {
            id: "VR301-0000000000".into(),
            kind: Some("download".into()),
            summary: None,
            status: ItemStatus::AcceptedRisk,
            note: Some("we trust the vendor".into()),
            resolved_by: None,
        });
    };
    world.submit(&review("alice", acme, "risky", Verdict::Trusted, 2, full));
    world.submit(&review("sec", acme, "risky", Verdict::Trusted, 2, risky));
    world.submit(&review(
        "alice",
        acme,
        "sourceless",
        Verdict::Trusted,
        2,
        full,
    ));
    world.submit(&review(
        "sec",
        acme,
        "sourceless",
        Verdict::Trusted,
        2,
        |_| {},
    ));
    // Scope: sec may not vouch for docker.io.
    world.submit(&review(
        "sec",
        "docker.io/library/nginx",
        "scoped",
        Verdict::Trusted,
        1,
        |_| {},
    ));
    // max_age (2h) and expiresAt.
    world.submit(&review(
        "bob",
        "ghcr.io/fresh/x",
        "old",
        Verdict::Trusted,
        5,
        |_| {},
    ));
    world.submit(&review(
        "bob",
        "ghcr.io/fresh/x",
        "new",
        Verdict::Trusted,
        1,
        |_| {},
    ));
    world.submit(&review(
        "bob",
        "docker.io/library/a",
        "expired",
        Verdict::Trusted,
        5,
        |r| {
            r.expires_at = Some(Utc::now() - Duration::hours(1));
        },
    ));
    // Rejected by another in-scope reviewer, then trusted again by them.
    world.submit(&review(
        "alice",
        "docker.io/library/b",
        "rejected",
        Verdict::Trusted,
        5,
        |_| {},
    ));
    world.submit(&review(
        "bob",
        "docker.io/library/b",
        "rejected",
        Verdict::Rejected,
        4,
        |_| {},
    ));
    world.submit(&review(
        "alice",
        "docker.io/library/c",
        "retrusted",
        Verdict::Trusted,
        5,
        |_| {},
    ));
    world.submit(&review(
        "bob",
        "docker.io/library/c",
        "retrusted",
        Verdict::Rejected,
        4,
        |_| {},
    ));
    world.submit(&review(
        "bob",
        "docker.io/library/c",
        "retrusted",
        Verdict::Trusted,
        3,
        |_| {},
    ));
    // A three-level chain on a root: top -> mid -> os (root). A second chain whose middle is
    // rejected: the top follows. A cycle.
    let chain = "ghcr.io/chain";
    world.submit(&review(
        "alice",
        &format!("{chain}/top"),
        "top",
        Verdict::Trusted,
        2,
        based_on(&format!("{chain}/mid"), "mid"),
    ));
    let os_digest = "7".repeat(64);
    let os = BaseImage {
        reference: format!("{chain}/os@sha256:{os_digest}"),
        digest: DigestSet(format!("sha256:{os_digest}").parse().unwrap()),
    };
    world.submit(&review(
        "alice",
        &format!("{chain}/mid"),
        "mid",
        Verdict::Trusted,
        2,
        move |r| r.base_images.push(os),
    ));
    world.submit(&review(
        "alice",
        &format!("{chain}/top2"),
        "top2",
        Verdict::Trusted,
        2,
        based_on(&format!("{chain}/mid2"), "mid2"),
    ));
    world.submit(&review(
        "alice",
        &format!("{chain}/mid2"),
        "mid2",
        Verdict::Trusted,
        3,
        |_| {},
    ));
    world.submit(&review(
        "bob",
        &format!("{chain}/mid2"),
        "mid2",
        Verdict::Rejected,
        2,
        |_| {},
    ));
    world.submit(&review(
        "alice",
        &format!("{chain}/a"),
        "cyc-a",
        Verdict::Trusted,
        2,
        based_on(&format!("{chain}/b"), "cyc-b"),
    ));
    world.submit(&review(
        "alice",
        &format!("{chain}/b"),
        "cyc-b",
        Verdict::Trusted,
        2,
        based_on(&format!("{chain}/a"), "cyc-a"),
    ));
    // Warn mode: not trusted, reported, exit 0.
    let cases = vec![
        (reference(acme, "twice"), false, Some(ReasonCode::SameKey)),
        (
            reference(acme, "nosec"),
            false,
            Some(ReasonCode::RequiredMissing),
        ),
        (reference(acme, "met"), true, None),
        (
            reference(acme, "risky"),
            false,
            Some(ReasonCode::NotReviewed),
        ),
        (
            reference(acme, "sourceless"),
            false,
            Some(ReasonCode::NoSource),
        ),
        (
            reference("docker.io/library/nginx", "scoped"),
            false,
            Some(ReasonCode::OutOfScope),
        ),
        (
            reference("ghcr.io/fresh/x", "old"),
            false,
            Some(ReasonCode::TooOld),
        ),
        (reference("ghcr.io/fresh/x", "new"), true, None),
        (
            reference("docker.io/library/a", "expired"),
            false,
            Some(ReasonCode::Expired),
        ),
        (
            reference("docker.io/library/b", "rejected"),
            false,
            Some(ReasonCode::Rejected),
        ),
        (reference("docker.io/library/c", "retrusted"), true, None),
        (reference(&format!("{chain}/top"), "top"), true, None),
        (
            format!("{chain}/os@sha256:{os_digest}"),
            true,
            Some(ReasonCode::Root),
        ),
        (
            reference(&format!("{chain}/top2"), "top2"),
            false,
            Some(ReasonCode::UntrustedBase),
        ),
        (
            reference(&format!("{chain}/a"), "cyc-a"),
            false,
            Some(ReasonCode::Cycle),
        ),
        (
            reference("ghcr.io/soft/app", "unreviewed"),
            false,
            Some(ReasonCode::NoReview),
        ),
    ];
    assert_cases(&world, &cases);
    // The same digest asked about as another repository is decided under that repository's
    // rule: "met" as docker.io/library/x falls under `*`, threshold 1.
    let (_, other) = world.check(&reference("docker.io/library/x", "met"));
    assert_eq!(other.rule.as_deref(), Some("*"));
    assert!(other.trusted);
    // The chain is shown: the top names its middle's rejection.
    let (_, top2) = world.check(&reference(&format!("{chain}/top2"), "top2"));
    let why = top2.attestations[0].why.as_ref().unwrap();
    assert!(why.text.contains("ghcr.io/chain/mid2@"), "{}", why.text);
    // The three-level chain top -> mid -> os (a root): the middle loses trust (Bob rejects it)
    // and the top follows, at once, with the chain in the reason; the offline replay agrees.
    let top = reference(&format!("{chain}/top"), "top");
    assert!(world.check(&top).1.trusted);
    world.submit(&review(
        "bob",
        &format!("{chain}/mid"),
        "mid",
        Verdict::Rejected,
        1,
        |_| {},
    ));
    let (exit, fallen) = world.check(&top);
    assert!(!fallen.trusted && exit == 1);
    let why = fallen.attestations[0].why.as_ref().unwrap();
    assert_eq!(why.code, ReasonCode::UntrustedBase);
    assert!(
        why.text.contains("ghcr.io/chain/mid@") && why.text.contains("rejected"),
        "{}",
        why.text
    );
    assert!(!world.replay(&[top])[0].trusted);
}
