//! `vouch log ...` against real ledger files: the audit, checkpoints and proofs, tampering done
//! with the sqlite3 shell after dropping the triggers, and kill -9 during appends.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use vouch_ledger::{Ledger, LedgerReader};
use vouch_proto::report::{AuditReport, ProblemKind};
use vouch_proto::{sign_checkpoint, Digest, EntryKind, SecretKey};

use crate::support::{self, bin, data, hex, signed_entry as entry, tamper, Home};

/// A ledger of 50 entries appended as 10 + 40, with the checkpoints at 10 and 50 saved as
/// files `cp10` and `cp50`.
pub(crate) fn ledger(home: &Home) -> PathBuf {
    let path = home.path("ledger.db");
    let mut ledger = Ledger::open(&path, None).unwrap();
    ledger
        .append_batch(&(0..10).map(entry).collect::<Vec<_>>())
        .unwrap();
    std::fs::write(home.path("cp10"), &ledger.checkpoint().note).unwrap();
    ledger
        .append_batch(&(10..50).map(entry).collect::<Vec<_>>())
        .unwrap();
    std::fs::write(home.path("cp50"), &ledger.checkpoint().note).unwrap();
    path
}

fn log_verify(home: &Home, db: &Path, extra: &[&str]) -> (i32, AuditReport) {
    let out = home
        .vouch()
        .args(["log", "verify", "--json", "--key"])
        .arg(data("vector.pub"))
        .arg("--db")
        .arg(db)
        .args(extra)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), report)
}

#[test]
fn an_intact_ledger_verifies_with_its_signatures() {
    let home = Home::new();
    let db = ledger(&home);
    let (code, report) = log_verify(&home, &db, &[]);
    assert_eq!(code, 0, "{report:?}");
    assert!(report.intact && report.problem.is_none());
    assert_eq!(
        (report.entries, report.tree_size, report.checkpoints),
        (50, 50, 3)
    );
    assert_eq!(
        (report.signatures_verified, report.signatures_unchecked),
        (50, 0)
    );
    let reader = LedgerReader::open(&db, None).unwrap();
    assert_eq!(
        report.root_hash,
        Some(reader.view().latest_checkpoint().unwrap().root_hash)
    );
    // Without reviewer keys nothing is re-verified, and the text output says so.
    home.vouch()
        .args(["log", "verify", "--db"])
        .arg(&db)
        .assert()
        .success()
        .stdout(
            contains("intact: 50 entries")
                .and(contains("0 signatures re-verified, 50 from unknown keys")),
        );
}

#[test]
fn checkpoints_and_proofs_verify_without_the_ledger() {
    let home = Home::new();
    let db = ledger(&home);
    let log_pub = vouch_ledger::public_key_path(&db);
    let run = |args: &[&str]| {
        let out = home
            .vouch()
            .args(args)
            .arg("--db")
            .arg(&db)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let checkpoint = run(&["log", "checkpoint"]);
    assert_eq!(checkpoint, std::fs::read(home.path("cp50")).unwrap());
    std::fs::write(
        home.path("inclusion.json"),
        run(&["log", "prove", "17", "--json"]),
    )
    .unwrap();
    std::fs::write(
        home.path("inclusion10.json"),
        run(&["log", "prove", "3", "--size", "10", "--json"]),
    )
    .unwrap();
    std::fs::write(
        home.path("consistency.json"),
        run(&["log", "consistency", "10", "50", "--json"]),
    )
    .unwrap();

    let verify_proof = |proof: &str, checkpoint: &str, old: Option<&str>| {
        let mut cmd = home.vouch();
        cmd.args(["log", "verify-proof", "--log-key"])
            .arg(&log_pub)
            .arg(home.path(proof));
        cmd.arg("--checkpoint").arg(home.path(checkpoint));
        if let Some(old) = old {
            cmd.arg("--old-checkpoint").arg(home.path(old));
        }
        cmd.output().unwrap()
    };
    assert_eq!(
        verify_proof("inclusion.json", "cp50", None).status.code(),
        Some(0)
    );
    assert_eq!(
        verify_proof("inclusion10.json", "cp10", None).status.code(),
        Some(0)
    );
    assert_eq!(
        verify_proof("consistency.json", "cp50", Some("cp10"))
            .status
            .code(),
        Some(0)
    );
    // The wrong checkpoint for the proof's size is an error; a changed hash is invalid.
    assert_eq!(
        verify_proof("inclusion10.json", "cp50", None).status.code(),
        Some(2)
    );
    let mut proof: vouch_proto::InclusionProof =
        serde_json::from_slice(&std::fs::read(home.path("inclusion.json")).unwrap()).unwrap();
    proof.hashes[0].0[0] ^= 1;
    std::fs::write(home.path("bad.json"), serde_json::to_vec(&proof).unwrap()).unwrap();
    let out = verify_proof("bad.json", "cp50", None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("invalid: proof does not verify"));
    // A checkpoint checked with another key is refused.
    let out = home
        .vouch()
        .args(["log", "verify-proof", "--log-key"])
        .arg(data("vector.pub"))
        .arg(home.path("inclusion.json"))
        .arg("--checkpoint")
        .arg(home.path("cp50"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("signature does not verify"));
    // Out-of-range requests are errors that say what the ledger holds.
    home.vouch()
        .args(["log", "prove", "50", "--db"])
        .arg(&db)
        .assert()
        .code(2)
        .stderr(contains("the ledger has 50 entries"));
}

#[test]
fn every_kind_of_tampering_is_detected() {
    let Some(sqlite3) = support::sqlite3() else {
        return;
    };
    let home = Home::new();
    let original = ledger(&home);
    let copy = |name: &str| {
        let path = home.path(name);
        std::fs::copy(&original, &path).unwrap();
        for suffix in [".key", ".pub"] {
            std::fs::copy(
                format!("{}{suffix}", original.display()),
                format!("{}{suffix}", path.display()),
            )
            .unwrap();
        }
        path
    };

    // A consistent rewrite of entry 17: new body with matching body_sha256 and leaf hash.
    let forged = entry(1017);
    let integrated_at: i64 = LedgerReader::open(&original, None)
        .unwrap()
        .view()
        .entry(17)
        .unwrap()
        .unwrap()
        .integrated_at;
    let leaf = vouch_proto::leaf_hash(EntryKind::Attestation, integrated_at, &forged.body);
    let body_sha = Digest::of(&forged.body);

    let cases: Vec<(&str, String, Option<u64>, &str, ProblemKind)> = vec![
        (
            "one byte of an entry",
            "UPDATE entries SET body = CAST(replace(CAST(body AS TEXT), 'eyJfdHlwZS', 'eyJfdHlwZT') AS BLOB) WHERE idx = 17;".into(),
            Some(17),
            "the entry was changed", ProblemKind::EntryChanged,
        ),
        (
            "a consistent rewrite of an entry",
            format!(
                "UPDATE entries SET body = X'{}', body_sha256 = X'{}', leaf_hash = X'{}' WHERE idx = 17;",
                hex(&forged.body),
                body_sha.hex(),
                hex(&leaf)
            ),
            Some(17),
            "indexed subjects", ProblemKind::SubjectsChanged,
        ),
        ("a deleted row", "DELETE FROM entry_subjects WHERE idx = 23; DELETE FROM entries WHERE idx = 23;".into(), Some(23), "entry 23 is missing", ProblemKind::EntryMissing),
        (
            "two rows swapped",
            "UPDATE entries SET idx = 1000 WHERE idx = 5; UPDATE entries SET idx = 5 WHERE idx = 6; UPDATE entries SET idx = 6 WHERE idx = 1000; \
             UPDATE entry_subjects SET idx = 1000 WHERE idx = 5; UPDATE entry_subjects SET idx = 5 WHERE idx = 6; UPDATE entry_subjects SET idx = 6 WHERE idx = 1000;"
                .into(),
            Some(5),
            "does not match the entries", ProblemKind::TreeHashMismatch,
        ),
        (
            "the signer column pointed at another key",
            format!("UPDATE entries SET signer = '{}' WHERE idx = 12;", "ab".repeat(32)),
            Some(12),
            "the signer column was changed", ProblemKind::SignerChanged,
        ),
        (
            "a signed-content key copied from another entry",
            "UPDATE entries SET signed_key = (SELECT signed_key FROM entries WHERE idx = 8) WHERE idx = 9;".into(),
            Some(9),
            "signed-content key does not match", ProblemKind::SignedKeyChanged,
        ),
        ("a truncated ledger", "DELETE FROM entry_subjects WHERE idx >= 40; DELETE FROM entries WHERE idx >= 40;".into(), Some(40), "truncated", ProblemKind::Truncated),
        ("the latest checkpoint deleted", "DELETE FROM checkpoints WHERE tree_size = 50;".into(), Some(10), "not covered by any signed checkpoint", ProblemKind::Uncovered),
        (
            "the latest checkpoint replaced by an older one",
            "UPDATE checkpoints SET note = (SELECT note FROM checkpoints WHERE tree_size = 10) WHERE tree_size = 50;".into(),
            None,
            "checkpoints were replaced", ProblemKind::CheckpointReplaced,
        ),
        ("a stored tree hash", "UPDATE tree_hashes SET hash = zeroblob(32) WHERE id = 30;".into(), None, "stored tree hash 30 does not match", ProblemKind::TreeHashMismatch),
    ];
    for (what, sql, index, reason, kind) in cases {
        let db = copy("t.db");
        tamper(&sqlite3, &db, &sql);
        let (code, report) = log_verify(&home, &db, &[]);
        assert_eq!(code, 1, "{what}: {report:?}");
        let problem = report
            .problem
            .unwrap_or_else(|| panic!("{what}: no problem reported"));
        assert!(problem.what.contains(reason), "{what}: {}", problem.what);
        assert_eq!(problem.kind, kind, "{what}: {}", problem.what);
        if index.is_some() {
            assert_eq!(problem.index, index, "{what}: {}", problem.what);
        }
        // Opening for writing fails closed too where the tree or its checkpoints changed. The
        // O(log n) open check reads the tree's edge, not every entry or row: changed or
        // missing entries in the middle are the audit's job.
        let changes_the_edge = ["truncated", "checkpoint"].iter().any(|w| what.contains(w));
        if changes_the_edge {
            assert!(
                Ledger::open(&db, None).is_err(),
                "{what}: the writer opened a tampered ledger"
            );
        }
        for file in [
            db.clone(),
            PathBuf::from(format!("{}-wal", db.display())),
            PathBuf::from(format!("{}-shm", db.display())),
        ] {
            let _ = std::fs::remove_file(file);
        }
    }
}

#[test]
fn rollbacks_and_key_swaps_need_a_pinned_checkpoint_or_key() {
    let Some(sqlite3) = support::sqlite3() else {
        return;
    };
    let home = Home::new();
    let db = ledger(&home);
    let original_pub = home.path("original.pub");
    std::fs::copy(vouch_ledger::public_key_path(&db), &original_pub).unwrap();

    // A consistent rollback to size 10: entries, tree hashes and checkpoints beyond it removed.
    let rolled = home.path("rolled.db");
    std::fs::copy(&db, &rolled).unwrap();
    std::fs::copy(
        vouch_ledger::public_key_path(&db),
        vouch_ledger::public_key_path(&rolled),
    )
    .unwrap();
    tamper(
        &sqlite3,
        &rolled,
        "DELETE FROM entry_subjects WHERE idx >= 10; DELETE FROM entries WHERE idx >= 10; \
         DELETE FROM tree_hashes WHERE id >= 18; DELETE FROM checkpoints WHERE tree_size > 10;",
    );
    let (code, report) = log_verify(&home, &rolled, &[]);
    assert_eq!(
        code, 0,
        "a consistent rollback looks like an older ledger: {report:?}"
    );
    let cp50 = home.path("cp50");
    let (code, report) = log_verify(&home, &rolled, &["--checkpoint", cp50.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(report.problem.unwrap().what.contains("rolled back"));

    // The log key swapped: a new key pair beside the database.
    let roots = [0u64, 10, 50].map(|size| (size, tlog_tiles_root(&db, size)));
    let new_key = SecretKey::generate();
    std::fs::write(
        vouch_ledger::public_key_path(&db),
        new_key.public().to_pem(),
    )
    .unwrap();
    let (code, report) = log_verify(&home, &db, &[]);
    assert_eq!(code, 1);
    assert!(report.problem.unwrap().what.contains("log key swapped"));

    // ... and the ledger re-signed with it: only the pinned original key tells.
    let reader = LedgerReader::open(&db, Some(SecretKey::generate().public().clone()));
    assert!(reader.is_err(), "a reader with another key is refused");
    let origin = LedgerReader::open(
        &db,
        Some(
            vouch_proto::PublicKey::from_pem(&std::fs::read_to_string(&original_pub).unwrap())
                .unwrap(),
        ),
    )
    .unwrap()
    .view()
    .latest_checkpoint()
    .unwrap()
    .origin;
    let mut sql = format!(
        "UPDATE log_meta SET value = '{}' WHERE name = 'log_key_id';",
        new_key.id()
    );
    for (size, root) in roots {
        let note = sign_checkpoint(&origin, size, root, &new_key).unwrap().note;
        sql.push_str(&format!(
            "UPDATE checkpoints SET note = '{note}' WHERE tree_size = {size};"
        ));
    }
    tamper(&sqlite3, &db, &sql);
    let (code, report) = log_verify(&home, &db, &[]);
    assert_eq!(
        code, 0,
        "re-signed with the swapped key, the ledger is self-consistent: {report:?}"
    );
    let (code, report) = log_verify(&home, &db, &["--log-key", original_pub.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(report.problem.unwrap().what.contains("log key swapped"));
}

/// The stored root of the first `size` entries, read with the ledger's own key.
fn tlog_tiles_root(db: &Path, size: u64) -> vouch_proto::TreeHash {
    LedgerReader::open(db, None)
        .unwrap()
        .view()
        .root_at(size)
        .unwrap()
}

/// kill -9 during appends: every acknowledged entry survives, and the audit passes.
#[test]
fn acknowledged_appends_survive_kill_9() {
    let home = Home::new();
    let db = home.path("crash.db");
    let append_loop = bin("examples/append_loop");
    let mut acked: Vec<(u64, String)> = Vec::new();
    for round in 0..20u64 {
        let mut child = StdCommand::new(&append_loop)
            .arg(&db)
            .arg("4")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Kill after a varying number of acks, mid-stream.
        let kill_after = 5 + (round * 37) % 150;
        let mut seen = 0;
        while seen < kill_after {
            let line = lines.next().expect("append_loop stopped early").unwrap();
            acked.push(parse_ack(&line));
            seen += 1;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        // Acks printed before the kill count as acknowledged too.
        for line in lines {
            let Ok(line) = line else { break };
            if line.starts_with("ack ") && line.len() > 70 {
                acked.push(parse_ack(&line));
            }
        }
    }
    let reader = LedgerReader::open(&db, None).unwrap();
    let view = reader.view();
    for (index, sha) in &acked {
        let entry = view
            .entry(*index)
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged entry {index} is lost"));
        assert_eq!(&Digest::of(&entry.body).hex(), sha, "entry {index} changed");
    }
    assert!(acked.len() >= 20 * 5);
    let (code, report) = log_verify(&home, &db, &[]);
    assert_eq!(code, 0, "{report:?}");
    assert!(report.entries >= acked.len() as u64);
    assert_eq!(report.signatures_verified, report.entries);
}

fn parse_ack(line: &str) -> (u64, String) {
    let mut parts = line.split(' ');
    assert_eq!(parts.next(), Some("ack"), "{line}");
    let index = parts.next().unwrap().parse().unwrap();
    let sha = parts.next().unwrap().to_string();
    (index, sha)
}
