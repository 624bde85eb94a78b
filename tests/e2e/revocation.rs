//! Revocation as entries, never edits: a reviewer retracts their own review (another key may
//! not), an admin of the policy revokes a reviewer key (a reviewer may not), and the answers
//! follow, through a restart and in `vouch policy test`; a revocation stays when the admin who
//! signed it leaves the policy.

use std::path::PathBuf;

use vouch_proto::api::ReasonCode;
use vouch_proto::{SecretKey, Verdict};

use crate::policy::{key, reference, review, World, POLICY};
use crate::support::PASSPHRASE;

/// Writes `who`'s private key (encrypted with the test passphrase, 0600) for the CLI.
fn key_file(world: &World, who: &str, secret: &SecretKey) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let path = world.home.path(&format!("{who}.key"));
    let pem = secret
        .to_encrypted_pem(PASSPHRASE.as_bytes(), 1000)
        .unwrap();
    std::fs::write(&path, pem.as_bytes()).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

fn vouch(world: &World, args: &[&str]) -> (i32, String) {
    let out = world
        .home
        .vouch()
        .env("VOUCH_SOCKET", &world.daemon.socket)
        .env("XDG_STATE_HOME", world.home.path("state"))
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap(), text)
}

fn why(world: &World, image: &str) -> Option<ReasonCode> {
    let (_, answer) = world.check(image);
    answer
        .attestations
        .first()
        .and_then(|a| a.why.as_ref())
        .map(|w| w.code)
}

#[test]
fn retraction_by_its_reviewer_and_key_revocation_by_an_admin_stop_reviews_counting() {
    let admin = SecretKey::from_seed(&[21; 32]);
    let mut world = World::new();
    let dir = world.policy.parent().unwrap().to_path_buf();
    std::fs::write(dir.join("keys/admin.pub"), admin.public().to_pem()).unwrap();
    std::fs::write(
        &world.policy,
        format!("{POLICY}\n[admins.root]\nkey = \"keys/admin.pub\"\n"),
    )
    .unwrap();
    world.restart();
    let first = reference("docker.io/library/first", "first");
    let second = reference("docker.io/library/second", "second");
    world.submit(&review(
        "alice",
        "docker.io/library/first",
        "first",
        Verdict::Trusted,
        1,
        |_| {},
    ));
    world.submit(&review(
        "bob",
        "docker.io/library/second",
        "second",
        Verdict::Trusted,
        1,
        |_| {},
    ));
    let alice_entry = world.check(&first).1.attestations[0].index;
    assert!(world.check(&first).1.trusted && world.check(&second).1.trusted);
    let (alice, bob) = (
        key_file(&world, "alice", &key("alice")),
        key_file(&world, "bob", &key("bob")),
    );
    let root = key_file(&world, "root", &admin);
    let entry = alice_entry.to_string();

    // Bob may not retract Alice's review: refused with the reason, nothing changes.
    let (code, said) = vouch(
        &world,
        &[
            "revoke",
            "--entry",
            &entry,
            "--reason",
            "not mine",
            "--key",
            bob.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{said}");
    assert!(
        said.contains("not_allowed") || said.contains("only its reviewer may retract it"),
        "{said}"
    );
    assert!(world.check(&first).1.trusted);
    // Alice may: her review stops counting, and says why.
    let (code, said) = vouch(
        &world,
        &[
            "revoke",
            "--entry",
            &entry,
            "--reason",
            "found a backdoor",
            "--key",
            alice.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{said}");
    assert!(!world.check(&first).1.trusted);
    assert_eq!(why(&world, &first), Some(ReasonCode::Withdrawn));

    // A reviewer is not an admin: refused. The admin revokes Bob's key: his reviews stop counting.
    let bob_id = key("bob").id().to_string();
    let (code, said) = vouch(
        &world,
        &[
            "revoke-key",
            "--key-id",
            &bob_id,
            "--reason",
            "x",
            "--key",
            alice.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{said}");
    assert!(world.check(&second).1.trusted);
    let (code, said) = vouch(
        &world,
        &[
            "revoke-key",
            "--key-id",
            &bob_id,
            "--reason",
            "left the team",
            "--key",
            root.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{said}");
    assert!(!world.check(&second).1.trusted);
    assert_eq!(why(&world, &second), Some(ReasonCode::KeyRevoked));

    // Rebuilt from the verified ledger after a restart, the answers stay; the offline replay
    // agrees; the audit passes.
    world.restart();
    assert_eq!(why(&world, &first), Some(ReasonCode::Withdrawn));
    assert_eq!(why(&world, &second), Some(ReasonCode::KeyRevoked));
    let out = world
        .home
        .vouch()
        .args(["policy", "test", "--json", "--policy"])
        .arg(&world.policy)
        .arg("--db")
        .arg(&world.daemon.db)
        .args([&first, &second])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let answer: vouch_proto::api::TrustResponse = serde_json::from_str(line).unwrap();
        assert!(!answer.trusted);
    }
    let (code, said) = vouch(
        &world,
        &["log", "verify", "--db", world.daemon.db.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{said}");
}

/// The retraction and key-revocation vectors: written by the code as it is (regenerate with
/// VOUCH_WRITE_VECTORS=1), accepted or refused by Vouch as they say, their payloads valid
/// against the schemas, and their signatures verified by Python securesystemslib.
#[test]
fn revocation_vectors_verify_here_validate_and_verify_in_securesystemslib() {
    use vouch_proto::revocation::verify_submission;
    let write = std::env::var_os("VOUCH_WRITE_VECTORS").is_some();
    let dir = crate::support::data("revocation");
    let keys = [
        key_of(vouch_tests::vectors::SIGNER_SEED),
        key_of(vouch_tests::vectors::OTHER_SEED),
    ];
    let schemas = [
        (
            "https://vouch.dev/attestation/retraction/v1",
            "retraction-statement-v1.schema.json",
        ),
        (
            "https://vouch.dev/attestation/key-revocation/v1",
            "key-revocation-statement-v1.schema.json",
        ),
    ];
    for (file, ok, bytes) in vouch_tests::vectors::revocations() {
        let path = dir.join(file);
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "{file} differs; VOUCH_WRITE_VECTORS=1"
        );
        let envelope = vouch_proto::Envelope::from_json(&bytes).unwrap();
        assert_eq!(verify_submission(&envelope, &keys).is_ok(), ok, "{file}");
        let payload: serde_json::Value = serde_json::from_slice(&envelope.payload).unwrap();
        let kind = payload["predicateType"].as_str().unwrap();
        let (_, schema_file) = schemas.iter().find(|(t, _)| *t == kind).unwrap();
        let schema_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../schema/json")
            .join(schema_file);
        let schema: serde_json::Value =
            serde_json::from_slice(&std::fs::read(schema_path).unwrap()).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let valid = validator.is_valid(&payload);
        assert!(
            valid || file.contains("subject_mismatch"),
            "{file} does not follow {schema_file}"
        );
    }
    let Some(python) = crate::support::python_with_sslib() else {
        return;
    };
    for (file, public) in [
        ("ok_retraction.json", "vector.pub"),
        ("ok_key_revocation.json", "other.pub"),
    ] {
        let public = crate::support::data(public);
        let id = vouch_proto::PublicKey::from_pem(&std::fs::read_to_string(&public).unwrap())
            .unwrap()
            .id()
            .to_string();
        let out = std::process::Command::new(&python)
            .arg(crate::support::script("sslib_verify.py"))
            .arg(&public)
            .arg(id)
            .arg(dir.join(file))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "securesystemslib rejected {file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn key_of(seed: [u8; 32]) -> vouch_proto::PublicKey {
    SecretKey::from_seed(&seed).public().clone()
}

/// Retractions sent the hostile way over raw HTTP: of an entry that does not exist and bytes no
/// entry has (404), naming bytes that are not the entry's (400), dated in the future (400), replayed (the entry already
/// there, 200), and signed by a key vouchd does not know (403). Nothing is stored by a refusal.
#[test]
fn hostile_retractions_get_clear_refusals_and_store_nothing() {
    use vouch_proto::revocation::{retraction, sign_statement};
    let world = World::new();
    world.submit(&review(
        "alice",
        "docker.io/library/h",
        "h",
        Verdict::Trusted,
        1,
        |_| {},
    ));
    let image = reference("docker.io/library/h", "h");
    let index = world.check(&image).1.attestations[0].index;
    let (_, body) = world
        .daemon
        .http("GET", &vouch_proto::api::paths::entry(index), b"");
    let stored: vouch_proto::api::EntryResponse = serde_json::from_slice(&body).unwrap();
    let bytes =
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &stored.body).unwrap();
    let digest = vouch_proto::Digest::of(&bytes);
    let alice = key("alice");
    let now = chrono::Utc::now();
    let post = |statement: &vouch_proto::Statement<vouch_proto::revocation::Retraction>,
                signer: &SecretKey| {
        let envelope = sign_statement(statement, signer);
        let (status, body) = world.daemon.http(
            "POST",
            vouch_proto::api::paths::ENTRIES,
            envelope.to_json().as_bytes(),
        );
        (status, String::from_utf8_lossy(&body).to_string())
    };
    let size = |world: &World| {
        let (_, body) = world.daemon.http("GET", "/healthz", b"");
        serde_json::from_slice::<vouch_proto::api::HealthResponse>(&body)
            .unwrap()
            .tree_size
            .unwrap()
    };
    let before = size(&world);
    let nowhere = vouch_proto::Digest::of(b"bytes no entry has");
    let (status, said) = post(&retraction(alice.id(), 999, nowhere, "x", now), &alice);
    assert!(
        status == 404 && said.contains("no_such_entry"),
        "{status} {said}"
    );
    let (status, said) = post(
        &retraction(
            alice.id(),
            index,
            vouch_proto::Digest::of(b"other"),
            "x",
            now,
        ),
        &alice,
    );
    assert!(
        status == 400 && said.contains("not the sha256 of its stored bytes"),
        "{status} {said}"
    );
    let later = now + chrono::Duration::hours(1);
    let (status, said) = post(&retraction(alice.id(), index, digest, "x", later), &alice);
    assert!(
        status == 400 && said.contains("future_review"),
        "{status} {said}"
    );
    let stranger = SecretKey::from_seed(&[77; 32]);
    let (status, said) = post(
        &retraction(stranger.id(), index, digest, "x", now),
        &stranger,
    );
    assert!(
        status == 403 && said.contains("unknown_key"),
        "{status} {said}"
    );
    assert_eq!(size(&world), before, "refusals store nothing");
    assert!(world.check(&image).1.trusted);
    // The real one, then the same again: one entry.
    let genuine = retraction(alice.id(), index, digest, "x", now);
    let (status, _) = post(&genuine, &alice);
    assert_eq!(status, 201);
    let (status, said) = post(&genuine, &alice);
    assert!(
        status == 200 && said.contains("\"existing\":true"),
        "{status} {said}"
    );
    assert_eq!(size(&world), before + 1);
    assert!(!world.check(&image).1.trusted);
    // A retraction finds its review by the bytes it names (an imported review sits at another
    // index than the one its retraction was written against): another index, the same bytes.
    let (status, said) = post(&retraction(alice.id(), 999, digest, "x", now), &alice);
    assert_eq!(status, 201, "{said}");
}

#[test]
fn a_key_revocation_outlives_the_admin_who_signed_it() {
    let (old_admin, new_admin) = (
        SecretKey::from_seed(&[21; 32]),
        SecretKey::from_seed(&[22; 32]),
    );
    let mut world = World::new();
    let dir = world.policy.parent().unwrap().to_path_buf();
    std::fs::write(dir.join("keys/old.pub"), old_admin.public().to_pem()).unwrap();
    std::fs::write(dir.join("keys/new.pub"), new_admin.public().to_pem()).unwrap();
    let with_admin = |name: &str| format!("{POLICY}\n[admins.{name}]\nkey = \"keys/{name}.pub\"\n");
    std::fs::write(&world.policy, with_admin("old")).unwrap();
    world.restart();
    let image = reference("docker.io/library/second", "second");
    world.submit(&review(
        "bob",
        "docker.io/library/second",
        "second",
        Verdict::Trusted,
        1,
        |_| {},
    ));
    assert!(world.check(&image).1.trusted);
    let old = key_file(&world, "old", &old_admin);
    let bob_id = key("bob").id().to_string();
    let revoke = |by: &PathBuf| {
        vouch(
            &world,
            &[
                "revoke-key",
                "--key-id",
                &bob_id,
                "--reason",
                "left",
                "--key",
                by.to_str().unwrap(),
            ],
        )
    };
    let (code, said) = revoke(&old);
    assert_eq!(code, 0, "{said}");
    assert_eq!(why(&world, &image), Some(ReasonCode::KeyRevoked));

    // The admin key is rotated: the old admin leaves the policy. Bob stays revoked after the
    // reload, after a restart from the saved index, and after a full audit with no saved index.
    std::fs::write(&world.policy, with_admin("new")).unwrap();
    let before = world.check(&image).1.policy_entry;
    crate::policy_reload::hangup(&world);
    let answer = crate::policy_reload::until(&world, &image, |a| a.policy_entry != before);
    assert!(!answer.trusted, "{answer:?}");
    assert_eq!(why(&world, &image), Some(ReasonCode::KeyRevoked));
    world.restart();
    assert_eq!(why(&world, &image), Some(ReasonCode::KeyRevoked));
    world.daemon.stop();
    let saved = world.daemon.db.with_extension("db.index");
    assert!(saved.exists(), "{}", saved.display());
    std::fs::remove_file(&saved).unwrap();
    world.restart();
    assert_eq!(why(&world, &image), Some(ReasonCode::KeyRevoked));
    let replayed = world.replay(std::slice::from_ref(&image));
    assert!(!replayed[0].trusted, "{replayed:?}");
    assert!(replayed[0].attestations.iter().all(|a| a
        .why
        .as_ref()
        .is_some_and(|w| w.code == ReasonCode::KeyRevoked)));
    // The old admin may revoke nothing any more.
    let (code, said) = vouch(
        &world,
        &[
            "revoke-key",
            "--key-id",
            &key("alice").id().to_string(),
            "--reason",
            "x",
            "--key",
            old.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("refused"), "{said}");
}
