//! Unit and property tests of the ledger on temporary files.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use rusqlite::Connection;
use vouch_proto::{
    sign_review, Digest, ImageRef, Review, ReviewStatement, SecretKey, TreeHash, Verdict,
};

use crate::{audit, AuditOptions, Ledger, LedgerError, LedgerReader, NewEntry};

pub(crate) fn reviewer() -> SecretKey {
    SecretKey::from_seed(&[0x44; 32])
}

/// A signed review of a digest made from `i`, as a ledger entry.
pub(crate) fn entry(key: &SecretKey, i: u64) -> NewEntry {
    let digest = Digest::of(&i.to_le_bytes());
    let reference = format!("registry.example.com/app@{digest}");
    let image = ImageRef::parse_pinned(&reference).unwrap();
    let review = Review::new(
        key.id(),
        Verdict::Trusted,
        chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        &reference,
    );
    let statement = ReviewStatement::new(&image, review);
    let envelope = sign_review(&statement, key);
    NewEntry::attestation(
        envelope.to_json().into_bytes(),
        &envelope,
        key.id(),
        &statement,
    )
}

pub(crate) fn ledger_with(dir: &Path, n: u64) -> (Ledger, PathBuf) {
    let path = dir.join("ledger.db");
    let mut ledger = Ledger::open(&path, None).unwrap();
    let key = reviewer();
    let entries: Vec<NewEntry> = (0..n).map(|i| entry(&key, i)).collect();
    for batch in entries.chunks(7) {
        ledger.append_batch(batch).unwrap();
    }
    (ledger, path)
}

/// A raw connection with the append-only triggers dropped, as an attacker would have.
fn attacker(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for trigger in triggers {
        conn.execute(&format!("DROP TRIGGER {trigger}"), [])
            .unwrap();
    }
    conn
}

fn audit_of(path: &Path) -> vouch_proto::report::AuditReport {
    let options = AuditOptions {
        reviewer_keys: vec![reviewer().public().clone()],
        ..AuditOptions::default()
    };
    audit(path, &options).unwrap()
}

#[test]
fn a_new_ledger_has_a_key_0600_and_an_empty_signed_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/ledger.db");
    let ledger = Ledger::open(&path, None).unwrap();
    assert_eq!(ledger.size(), 0);
    assert_eq!(
        ledger.checkpoint().root_hash,
        TreeHash(tlog_tiles::EMPTY_HASH.0)
    );
    let key_mode = std::fs::metadata(crate::private_key_path(&path))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(key_mode & 0o777, 0o600);
    assert!(crate::public_key_path(&path).exists());
    drop(ledger);
    let report = audit_of(&path);
    assert!(report.intact, "{report:?}");
}

#[test]
fn appends_persist_and_duplicates_return_the_existing_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ledger, path) = ledger_with(dir.path(), 20);
    assert_eq!(ledger.size(), 20);
    let again = ledger
        .append_batch(&[
            entry(&reviewer(), 3),
            entry(&reviewer(), 3),
            entry(&reviewer(), 20),
        ])
        .unwrap();
    assert!(again[0].existing && again[0].index == 3);
    assert!(again[1].existing && again[1].index == 3);
    assert!(!again[2].existing && again[2].index == 20);
    assert_eq!(ledger.size(), 21);
    drop(ledger);

    let ledger = Ledger::open(&path, None).unwrap();
    assert_eq!(ledger.size(), 21);
    let stored = ledger.view().entry(3).unwrap().unwrap();
    assert_eq!(stored.body, entry(&reviewer(), 3).body);
    assert_eq!(stored.subjects, entry(&reviewer(), 3).subjects);
    assert_eq!(
        ledger
            .view()
            .indexes_for_subject(&Digest::of(&3u64.to_le_bytes()))
            .unwrap(),
        vec![3]
    );
    assert!(audit_of(&path).intact);
}

#[test]
fn triggers_refuse_updates_deletes_and_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let (ledger, path) = ledger_with(dir.path(), 3);
    drop(ledger);
    let conn = Connection::open(&path).unwrap();
    for sql in [
        "UPDATE entries SET body = x'00' WHERE idx = 0",
        "DELETE FROM entries WHERE idx = 2",
        "INSERT OR REPLACE INTO entries SELECT * FROM entries WHERE idx = 1",
        "INSERT INTO entries (idx, kind, integrated_at, body, body_sha256, leaf_hash) VALUES (7, 'attestation', 0, x'00', x'01', x'02')",
        "UPDATE checkpoints SET note = '' WHERE tree_size = 3",
        "DELETE FROM checkpoints",
        "INSERT OR REPLACE INTO checkpoints SELECT * FROM checkpoints WHERE tree_size = 0",
        "DELETE FROM tree_hashes WHERE id = 0",
        "INSERT OR REPLACE INTO tree_hashes SELECT * FROM tree_hashes WHERE id = 0",
        "UPDATE log_meta SET value = 'x'",
        "INSERT OR REPLACE INTO log_meta VALUES ('origin', 'x')",
        "DELETE FROM entry_subjects",
    ] {
        let err = conn.execute(sql, []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    drop(conn);
    assert!(audit_of(&path).intact);
}

#[test]
fn the_writers_authorizer_refuses_dropping_the_guards() {
    let dir = tempfile::tempdir().unwrap();
    let (ledger, _) = ledger_with(dir.path(), 1);
    for sql in [
        "DROP TRIGGER entries_no_update",
        "DELETE FROM entries",
        "ALTER TABLE entries ADD COLUMN x",
        "CREATE TABLE t (x)",
    ] {
        let err = ledger.view().conn.execute(sql, []).unwrap_err();
        assert!(err.to_string().contains("not authorized"), "{sql}: {err}");
    }
}

#[test]
fn opening_fails_closed_when_the_tree_and_checkpoint_disagree() {
    let dir = tempfile::tempdir().unwrap();
    let (ledger, path) = ledger_with(dir.path(), 10);
    drop(ledger);
    // Roll the checkpoint back to an older one: the latest no longer covers the entries.
    attacker(&path)
        .execute("DELETE FROM checkpoints WHERE tree_size = 10", [])
        .unwrap();
    let err = Ledger::open(&path, None).err().expect("must not open");
    assert!(matches!(err, LedgerError::Integrity { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("covers 7 entries but the ledger holds 10"),
        "{err}"
    );
}

#[test]
fn opening_fails_closed_when_a_stored_hash_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (ledger, path) = ledger_with(dir.path(), 10);
    drop(ledger);
    attacker(&path)
        .execute(
            "UPDATE tree_hashes SET hash = zeroblob(32) WHERE id = 14",
            [],
        )
        .unwrap();
    let err = Ledger::open(&path, None).err().expect("must not open");
    assert!(
        err.to_string().contains("is not the latest checkpoint's"),
        "{err}"
    );
}

#[test]
fn opening_with_another_log_key_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (ledger, path) = ledger_with(dir.path(), 2);
    drop(ledger);
    std::fs::remove_file(crate::private_key_path(&path)).unwrap();
    let err = Ledger::open(&path, None).err().expect("must not open");
    assert!(err.to_string().contains("missing"), "{err}");
    std::fs::write(
        crate::private_key_path(&path),
        SecretKey::generate()
            .to_unencrypted_pem()
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    // A private key others can read is refused before it is used.
    let err = Ledger::open(&path, None).err().expect("must not open");
    assert!(err.to_string().contains("chmod 600"), "{err}");
    std::fs::set_permissions(
        crate::private_key_path(&path),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let err = Ledger::open(&path, None).err().expect("must not open");
    assert!(
        err.to_string()
            .contains("not the key this ledger was created with"),
        "{err}"
    );
}

#[test]
fn an_encrypted_log_key_needs_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.db");
    drop(Ledger::open(&path, Some(b"log secret")).unwrap());
    let text = std::fs::read_to_string(crate::private_key_path(&path)).unwrap();
    assert!(text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    // A missing passphrase and a wrong one are told apart.
    let missing = Ledger::open(&path, None)
        .err()
        .expect("must not open")
        .to_string();
    assert!(
        missing.contains("no passphrase was given") && missing.contains("VOUCH_LOG_PASSPHRASE"),
        "{missing}"
    );
    let wrong = Ledger::open(&path, Some(b"wrong"))
        .err()
        .expect("must not open")
        .to_string();
    assert!(wrong.contains("wrong passphrase"), "{wrong}");
    assert!(Ledger::open(&path, Some(b"log secret")).is_ok());
}

#[test]
fn proofs_out_of_range_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (ledger, _) = ledger_with(dir.path(), 5);
    assert!(matches!(
        ledger.view().inclusion_proof(5, 5),
        Err(LedgerError::OutOfRange(_))
    ));
    assert!(matches!(
        ledger.view().inclusion_proof(0, 6),
        Err(LedgerError::OutOfRange(_))
    ));
    assert!(matches!(
        ledger.view().consistency_proof(4, 3),
        Err(LedgerError::OutOfRange(_))
    ));
}

/// The ledger's proofs, checked by ct-merkle: an independent RFC 9162 implementation.
fn check_with_ct_merkle(
    root: &TreeHash,
    size: u64,
    index: u64,
    leaf_bytes: &[u8],
    hashes: &[TreeHash],
) -> bool {
    use sha2_011::Sha256;
    let root = ct_merkle::RootHash::<Sha256>::new(root.0.into(), size);
    let proof =
        ct_merkle::InclusionProof::<Sha256>::from_bytes(hashes.iter().flat_map(|h| h.0).collect());
    root.verify_inclusion(&leaf_bytes, index, &proof).is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn proofs_verify_for_random_sizes(
        n in 1u64..90,
        picks in proptest::collection::vec((0u64..1000, 0u64..1000), 8),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (ledger, path) = ledger_with(dir.path(), n);
        let reader = LedgerReader::open(&path, None).unwrap();
        let view = reader.view();
        for (a, b) in picks {
            let size = 1 + b % n;
            let index = a % size;
            let root = view.root_at(size).unwrap();
            let proof = view.inclusion_proof(index, size).unwrap();
            proptest::prop_assert!(proof.verify(&root).is_ok());
            let stored = view.entry(index).unwrap().unwrap();
            let leaf_bytes =
                vouch_proto::entry::leaf_bytes(stored.kind, stored.integrated_at, &stored.body);
            let agrees = check_with_ct_merkle(&root, size, index, &leaf_bytes, &proof.hashes);
            proptest::prop_assert!(agrees);
            // A proof for another leaf or root fails.
            let mut wrong = proof.clone();
            wrong.leaf_hash.0[0] ^= 1;
            proptest::prop_assert!(wrong.verify(&root).is_err());
            proptest::prop_assert!(!check_with_ct_merkle(&root, size, index, b"other", &proof.hashes));

            let old = 1 + a % size;
            let consistency = view.consistency_proof(old, size).unwrap();
            proptest::prop_assert!(consistency.verify(&view.root_at(old).unwrap(), &root).is_ok());
            if old < size {
                proptest::prop_assert!(consistency.verify(&root, &root).is_err());
            }
        }
        // Checkpoints: the latest is the writer's, and its root is the stored tree's.
        proptest::prop_assert_eq!(view.check_latest().unwrap(), ledger.checkpoint().clone());
    }

    #[test]
    fn every_single_byte_change_to_an_entry_is_detected(
        index in 0u64..6,
        position in 0usize..4000,
        delta in 1u8..=255,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (ledger, path) = ledger_with(dir.path(), 6);
        drop(ledger);
        let conn = attacker(&path);
        let body: Vec<u8> = conn.query_row("SELECT body FROM entries WHERE idx = ?1", [index as i64], |r| r.get(0)).unwrap();
        let mut changed = body.clone();
        let at = position % changed.len();
        changed[at] = changed[at].wrapping_add(delta);
        conn.execute("UPDATE entries SET body = ?1 WHERE idx = ?2", rusqlite::params![changed, index as i64]).unwrap();
        drop(conn);
        let report = audit_of(&path);
        proptest::prop_assert!(!report.intact);
        proptest::prop_assert_eq!(report.problem.unwrap().index, Some(index));
    }
}

#[test]
fn the_audit_finds_a_bad_signature_among_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ledger, path) = ledger_with(dir.path(), 100);
    // The ledger stores what its caller verified; a caller that skipped the check leaves an
    // entry whose signature does not verify, which the audit must name.
    let mut bad = entry(&reviewer(), 100);
    let mut envelope = vouch_proto::Envelope::from_json(&bad.body).unwrap();
    envelope.signatures[0].sig[5] ^= 1;
    bad.body = envelope.to_json().into_bytes();
    ledger.append_batch(&[bad]).unwrap();
    ledger
        .append_batch(
            &(101..130)
                .map(|i| entry(&reviewer(), i))
                .collect::<Vec<_>>(),
        )
        .unwrap();
    drop(ledger);
    let report = audit_of(&path);
    let problem = report.problem.unwrap();
    assert_eq!(problem.index, Some(100));
    assert!(
        problem.what.contains("no longer verifies"),
        "{}",
        problem.what
    );
    assert_eq!(report.signatures_verified, 100);
}

#[test]
fn an_import_keeps_the_exact_bytes_of_a_statement_stored_in_another_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ledger, path) = ledger_with(dir.path(), 5);
    let key = reviewer();
    let kept = NewEntry {
        keep_encoding: true,
        ..reencoded(&entry(&key, 3))
    };
    let first = ledger.append_batch(std::slice::from_ref(&kept)).unwrap();
    assert_eq!((first[0].index, first[0].existing), (5, false));
    // The same bytes again are the entry already stored; so is the original encoding.
    let again = ledger
        .append_batch(&[kept.clone(), entry(&key, 3)])
        .unwrap();
    assert_eq!((again[0].index, again[0].existing), (5, true));
    assert!(again[1].existing && [3, 5].contains(&again[1].index));
    assert_eq!(ledger.size(), 6);
    drop(ledger);
    assert!(audit_of(&path).intact);
}

/// A re-encoding of `entry`'s envelope (pretty JSON): other bytes, the same signed statement.
fn reencoded(entry: &NewEntry) -> NewEntry {
    let value: serde_json::Value = serde_json::from_slice(&entry.body).unwrap();
    NewEntry {
        body: serde_json::to_vec_pretty(&value).unwrap(),
        ..entry.clone()
    }
}

#[test]
fn a_re_encoded_statement_is_the_entry_already_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ledger, path) = ledger_with(dir.path(), 5);
    let key = reviewer();
    let again = ledger.append_batch(&[reencoded(&entry(&key, 3))]).unwrap();
    assert_eq!((again[0].index, again[0].existing), (3, true));
    // Twice in one batch, with a new one between: one new entry.
    let fresh = entry(&key, 9);
    let batch = ledger
        .append_batch(&[fresh.clone(), reencoded(&fresh), entry(&key, 1)])
        .unwrap();
    assert_eq!(
        batch
            .iter()
            .map(|a| (a.index, a.existing))
            .collect::<Vec<_>>(),
        [(5, false), (5, true), (1, true)]
    );
    assert_eq!(ledger.size(), 6);
    drop(ledger);
    assert!(audit_of(&path).intact);
}

#[test]
fn entries_from_before_signed_keys_are_matched_by_their_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let (ledger, path) = ledger_with(dir.path(), 5);
    drop(ledger);
    // What a ledger of schema version 1 upgraded in place looks like: no keys for its entries.
    let conn = attacker(&path);
    conn.execute("UPDATE entries SET signed_key = NULL", [])
        .unwrap();
    conn.execute(
        "UPDATE log_meta SET value = '5' WHERE name = 'signed_keys_from'",
        [],
    )
    .unwrap();
    drop(conn);
    let mut ledger = Ledger::open(&path, None).unwrap();
    let key = reviewer();
    let again = ledger.append_batch(&[reencoded(&entry(&key, 2))]).unwrap();
    assert_eq!((again[0].index, again[0].existing), (2, true));
    let fresh = ledger.append_batch(&[entry(&key, 7)]).unwrap();
    assert_eq!((fresh[0].index, fresh[0].existing), (5, false));
    drop(ledger);
    assert!(audit_of(&path).intact, "{:?}", audit_of(&path).problem);
}

#[test]
fn sqlite_errors_keep_their_source() {
    let dir = tempfile::tempdir().unwrap();
    let (ledger, path) = ledger_with(dir.path(), 1);
    drop(ledger);
    // Another connection holds the write lock: the writer's error says busy, not damaged.
    let holder = Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut ledger = Ledger::open(&path, None).unwrap();
    ledger.conn_busy_timeout_for_tests(std::time::Duration::from_millis(50));
    let err = ledger.append_batch(&[entry(&reviewer(), 9)]).unwrap_err();
    assert!(err.is_busy(), "{err}");
    assert!(!err.is_disk_full());
    holder.execute_batch("ROLLBACK").unwrap();
    assert!(ledger.append_batch(&[entry(&reviewer(), 9)]).is_ok());
}
