//! Loading, recording and reloading the policy: a file that cannot be met is refused with its line
//! (by vouchd and by `vouch policy lint`); each policy vouchd loads is a ledger entry that answers
//! name, also across restarts. On SIGHUP a good file is put in force and recorded in the ledger, a
//! bad one changes nothing, and a reload naming a key whose reviews the index never admitted
//! rebuilds the index from a fresh audit.

use std::time::{Duration, Instant};

use vouch_proto::api::TrustResponse;
use vouch_proto::Verdict;

use crate::policy::{key, reference, review, World, POLICY};
use crate::support::Home;

pub(crate) fn hangup(world: &World) {
    let status = std::process::Command::new("kill")
        .arg("-HUP")
        .arg(world.daemon.child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

/// Polls `vouch check IMAGE` until `done` holds (15 s at most).
pub(crate) fn until(
    world: &World,
    image: &str,
    done: impl Fn(&TrustResponse) -> bool,
) -> TrustResponse {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (_, answer) = world.check(image);
        if done(&answer) {
            return answer;
        }
        assert!(
            Instant::now() < deadline,
            "no change within 15 s: {answer:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The policy recorded in ledger entry `index`.
fn recorded(world: &World, index: u64) -> vouch_proto::Policy {
    let (status, body) = world
        .daemon
        .http("GET", &vouch_proto::api::paths::entry(index), b"");
    assert_eq!(status, 200);
    let entry: vouch_proto::api::EntryResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(entry.kind, "policy");
    let bytes =
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &entry.body).unwrap();
    vouch_proto::PolicyEntry::from_bytes(&bytes).unwrap().policy
}

/// `vouch log verify` passes on the daemon's ledger.
fn assert_audit_passes(world: &World) {
    let audit = world
        .home
        .vouch()
        .args(["log", "verify", "--db"])
        .arg(&world.daemon.db)
        .output()
        .unwrap();
    assert_eq!(
        audit.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&audit.stdout)
    );
}

fn tree_size(world: &World) -> u64 {
    let (_, body) = world.daemon.http("GET", "/healthz", b"");
    let health: vouch_proto::api::HealthResponse = serde_json::from_slice(&body).unwrap();
    health.tree_size.unwrap()
}

fn with_dave() -> String {
    POLICY.replace(
        "[reviewers.sec]",
        "[reviewers.dave]\nkey = \"keys/dave.pub\"\n\n[reviewers.sec]",
    )
}

#[test]
fn sighup_reloads_a_good_policy_keeps_the_old_one_on_a_bad_file_and_rebuilds_for_new_keys() {
    let mut world = World::new();
    let dir = world.policy.parent().unwrap().to_path_buf();
    std::fs::write(dir.join("keys/dave.pub"), key("dave").public().to_pem()).unwrap();
    let alices = reference("docker.io/library/one", "one");
    let daves = reference("docker.io/library/two", "two");
    world.submit(&review(
        "alice",
        "docker.io/library/one",
        "one",
        Verdict::Trusted,
        1,
        |_| {},
    ));
    let (_, first) = world.check(&alices);
    assert!(first.trusted && first.policy_entry == Some(0));

    // A policy adding dave: recorded, in force; dave's review is accepted and counts.
    std::fs::write(&world.policy, with_dave()).unwrap();
    hangup(&world);
    let second = until(&world, &alices, |a| a.policy_entry != Some(0));
    assert_eq!(second.policy_entry, Some(2));
    world.submit(&review(
        "dave",
        "docker.io/library/two",
        "two",
        Verdict::Trusted,
        1,
        |_| {},
    ));
    assert!(world.check(&daves).1.trusted);

    // Restarted without dave, the start-up audit does not admit his review; a reload with him
    // rebuilds the index and it counts again.
    std::fs::write(&world.policy, POLICY).unwrap();
    world.restart();
    let (_, without) = world.check(&daves);
    assert!(!without.trusted, "{:?}", without.reasons);
    let before = without.policy_entry.unwrap();
    std::fs::write(&world.policy, with_dave()).unwrap();
    hangup(&world);
    let rebuilt = until(&world, &daves, |a| a.trusted);
    // The entry holds this policy (a new one, or entry 2 when the same bytes were recorded
    // within the same second: the ledger stores identical bytes once).
    let entry = rebuilt.policy_entry.unwrap();
    assert_ne!(entry, before);
    assert!(recorded(&world, entry).reviewers.contains_key("dave"));

    // A bad file: nothing changes, nothing is recorded.
    std::fs::write(
        &world.policy,
        "version = 1\n[[rules]]\nscope = \"*\"\nthreshold = 5\n",
    )
    .unwrap();
    let size = tree_size(&world);
    hangup(&world);
    std::thread::sleep(Duration::from_millis(1500));
    let (_, kept) = world.check(&daves);
    assert!(kept.trusted && kept.policy_entry == rebuilt.policy_entry);
    assert_eq!(tree_size(&world), size, "the bad file recorded nothing");

    // A stricter good file: the next entry, and answers follow it.
    std::fs::write(
        &world.policy,
        with_dave().replace("threshold = 1\n\n[[roots]]", "threshold = 2\n\n[[roots]]"),
    )
    .unwrap();
    hangup(&world);
    let strict = until(&world, &daves, |a| a.policy_entry != rebuilt.policy_entry);
    assert_eq!(
        strict.policy_entry,
        Some(size),
        "the next entry holds the new policy"
    );
    assert!(!strict.trusted);
    // The answer's checkpoint covers the entry the reload appended.
    assert!(strict.checkpoint.as_ref().unwrap().tree_size > size);
    assert_audit_passes(&world);
}

#[test]
fn the_policy_is_recorded_in_the_ledger_once_and_answers_name_it() {
    let mut world = World::new();
    world.submit(&review(
        "alice",
        "docker.io/library/z",
        "z",
        Verdict::Trusted,
        1,
        |_| {},
    ));
    let (_, first) = world.check(&reference("docker.io/library/z", "z"));
    assert_eq!(first.policy_entry, Some(0), "the policy is the first entry");
    // The entry holds the policy, keys included, and the audit accepts it.
    assert_eq!(recorded(&world, 0).reviewers["sec"].key_id, key("sec").id());
    // Restarted with the same policy: no new entry. With another: a new one, and answers name it.
    world.restart();
    let (_, again) = world.check(&reference("docker.io/library/z", "z"));
    assert_eq!(again.policy_entry, Some(0));
    std::fs::write(
        &world.policy,
        POLICY.replace("threshold = 1\n\n[[roots]]", "threshold = 2\n\n[[roots]]"),
    )
    .unwrap();
    world.restart();
    let (exit, changed) = world.check(&reference("docker.io/library/z", "z"));
    assert_eq!(changed.policy_entry, Some(2));
    // The answer's checkpoint covers the entry that records its policy.
    assert!(changed.checkpoint.as_ref().unwrap().tree_size > 2);
    assert!(
        !changed.trusted && exit == 1,
        "the new `*` rule needs two keys"
    );
    assert_audit_passes(&world);
}

#[test]
fn a_bad_policy_is_refused_with_its_line_by_vouchd_and_by_lint() {
    let home = Home::new();
    let dir = home.path("policy");
    std::fs::create_dir_all(dir.join("keys")).unwrap();
    std::fs::write(dir.join("keys/alice.pub"), key("alice").public().to_pem()).unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "version = 1\n[reviewers.alice]\nkey = \"keys/alice.pub\"\n\n[[rules]]\nscope = \"*\"\nthreshold = 2\n").unwrap();
    let lint = home
        .vouch()
        .args(["policy", "lint"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(lint.status.code(), Some(1));
    let said = String::from_utf8_lossy(&lint.stdout);
    assert!(
        said.contains("line 5") && said.contains("threshold 2"),
        "{said}"
    );
    let vouchd = crate::support::vouchd()
        .args(["--db"])
        .arg(home.path("ledger.db"))
        .arg("--socket")
        .arg(home.path("vouchd.sock"))
        .arg("--policy")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(vouchd.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&vouchd.stderr).contains("line 5"));
    assert!(
        !home.path("ledger.db").exists(),
        "a refused policy must not create a ledger"
    );
    let good = dir.join("good.toml");
    std::fs::write(
        &good,
        POLICY
            .replace("keys/bob.pub", "keys/alice.pub")
            .replace("keys/sec.pub", "keys/alice.pub"),
    )
    .unwrap();
    let ok = home
        .vouch()
        .args(["policy", "lint", "--json"])
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let missing = home
        .vouch()
        .args(["policy", "lint"])
        .arg(dir.join("none.toml"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}
