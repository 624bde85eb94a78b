//! `vouch verify` against the known-answer vectors in `tests/data/`.

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use vouch_proto::report::VerifyReport;
use vouch_tests::vectors;

use crate::support::{data, Home};

/// The committed vectors are exactly what the current code produces: the signed format has not
/// changed. `VOUCH_WRITE_VECTORS=1` rewrites them instead (a deliberate format change).
#[test]
fn written_vectors_match() {
    let write = std::env::var_os("VOUCH_WRITE_VECTORS").is_some();
    let files = vectors::all()
        .into_iter()
        .map(|v| (v.file, v.bytes))
        .chain(vectors::keys().map(|(file, pem)| (file, pem.into_bytes())));
    for (file, bytes) in files {
        let path = data(file);
        if write {
            std::fs::write(&path, &bytes).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; regenerate with VOUCH_WRITE_VECTORS=1",
                path.display()
            )
        });
        assert!(
            committed == bytes,
            "{file} differs from what the code now produces"
        );
    }
}

#[test]
fn every_vector_gets_its_expected_answer() {
    let home = Home::new();
    for vector in vectors::all() {
        let path = data(vector.file);
        let out = home
            .vouch()
            .args(["verify", "--key"])
            .arg(data("vector.pub"))
            .arg(&path)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(vector.exit),
            "{}: {stdout}{stderr}",
            vector.file
        );
        let shown = if vector.exit == 2 { &stderr } else { &stdout };
        assert!(
            shown.contains(vector.reason),
            "{}: {shown:?} lacks {:?}",
            vector.file,
            vector.reason
        );
        assert!(
            shown.contains(vector.file),
            "{}: the file is named: {shown:?}",
            vector.file
        );
        if vector.exit == 2 {
            assert_eq!(
                stderr.lines().count(),
                1,
                "{}: one-line error: {stderr:?}",
                vector.file
            );
        }
        assert!(!stderr.contains("panicked"), "{}: {stderr}", vector.file);

        let out = home
            .vouch()
            .args(["verify", "--json", "--key"])
            .arg(data("vector.pub"))
            .arg(&path)
            .output()
            .unwrap();
        let report: VerifyReport = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report.valid, vector.exit == 0, "{}", vector.file);
        assert_eq!(out.status.code(), Some(vector.exit));
        if vector.exit != 0 {
            assert!(report.reason.unwrap().contains(vector.reason));
        }
    }
}

#[test]
fn several_envelopes_exit_with_the_worst_result() {
    let home = Home::new();
    let key = data("vector.pub");
    let run = |files: &[&str]| {
        let mut cmd = home.vouch();
        cmd.args(["verify", "--key"]).arg(&key);
        for f in files {
            cmd.arg(data(f));
        }
        cmd.output().unwrap().status.code()
    };
    assert_eq!(run(&["ok_review.json", "ok_rejected.json"]), Some(0));
    assert_eq!(run(&["ok_review.json", "fail_wrong_key.json"]), Some(1));
    assert_eq!(
        run(&[
            "fail_truncated.json",
            "fail_wrong_key.json",
            "ok_review.json"
        ]),
        Some(2)
    );
}

#[test]
fn any_of_several_keys_may_verify_and_bad_keys_are_errors() {
    let home = Home::new();
    home.vouch()
        .args(["verify", "--key"])
        .arg(data("other.pub"))
        .arg("--key")
        .arg(data("vector.pub"))
        .arg(data("ok_review.json"))
        .assert()
        .success();
    let bad = home.path("bad.pub");
    std::fs::write(
        &bad,
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    home.vouch()
        .args(["verify", "--key"])
        .arg(&bad)
        .arg(data("ok_review.json"))
        .assert()
        .code(2)
        .stderr(contains("bad.pub").and(contains("not an ed25519 key")));
    home.vouch()
        .args(["verify"])
        .arg(data("ok_review.json"))
        .assert()
        .code(2)
        .stderr(contains("--key"));
}

/// Any single flipped bit in the payload or signature of a valid envelope is caught.
#[test]
fn every_flipped_payload_byte_is_rejected() {
    let key =
        vouch_proto::PublicKey::from_pem(&std::fs::read_to_string(data("vector.pub")).unwrap())
            .unwrap();
    let good =
        vouch_proto::Envelope::from_json(&std::fs::read(data("ok_review.json")).unwrap()).unwrap();
    vouch_proto::verify_review(&good, std::slice::from_ref(&key)).unwrap();
    for i in 0..good.payload.len() {
        let mut bad = good.clone();
        bad.payload[i] ^= 0x20;
        assert!(
            vouch_proto::verify_review(&bad, std::slice::from_ref(&key)).is_err(),
            "byte {i}"
        );
    }
    for i in 0..64 {
        let mut bad = good.clone();
        bad.signatures[0].sig[i] ^= 0x01;
        assert!(
            vouch_proto::verify_review(&bad, std::slice::from_ref(&key)).is_err(),
            "sig byte {i}"
        );
    }
}

/// Many envelopes go through the batch path (signatures checked 256 at a time across the
/// cores): each is still reported in order, under its own name, with the answer the strict
/// one-by-one check gives; one bad signature among hundreds of good ones is named.
#[test]
fn many_envelopes_are_batch_checked_with_the_strict_answers_in_order() {
    let home = Home::new();
    let key = crate::support::vector_key();
    let now = chrono::Utc::now();
    let mut lines: Vec<String> = (0..1300u32)
        .map(|i| {
            let digest = vouch_proto::Digest::of(&i.to_le_bytes());
            crate::support::review_envelope(&key, digest, vouch_proto::Verdict::Trusted, now, None)
                .to_json()
        })
        .collect();
    // Line 701 carries line 702's signature: the right length and key id, the wrong message.
    let mut bad = vouch_proto::Envelope::from_json(lines[700].as_bytes()).unwrap();
    let other = vouch_proto::Envelope::from_json(lines[701].as_bytes()).unwrap();
    bad.signatures[0].sig = other.signatures[0].sig.clone();
    lines[700] = bad.to_json();
    let file = home.path("many.intoto.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let run = |extra: &[&str]| {
        let out = home
            .vouch()
            .args(["verify", "--json", "--key"])
            .arg(data("vector.pub"))
            .args(extra)
            .arg(&file)
            .output()
            .unwrap();
        (out.status.code(), reports(&out.stdout))
    };
    let (code, batched) = run(&[]);
    assert_eq!(code, Some(1));
    assert_eq!(batched.len(), 1300);
    for (n, report) in batched.iter().enumerate() {
        assert!(
            report.file.ends_with(&format!(":{}", n + 1)),
            "{}",
            report.file
        );
        assert_eq!(
            report.valid,
            n != 700,
            "{}: {:?}",
            report.file,
            report.reason
        );
    }
    let (strict_code, strict) = run(&["--strict"]);
    assert_eq!(strict_code, code);
    let valid = |r: &[VerifyReport]| {
        r.iter()
            .map(|r| (r.file.clone(), r.valid))
            .collect::<Vec<_>>()
    };
    assert_eq!(valid(&batched), valid(&strict));

    // Every known-answer vector in one directory: each gets its own answer.
    let dir = home.path("vectors");
    std::fs::create_dir_all(&dir).unwrap();
    for vector in vectors::all() {
        std::fs::copy(data(vector.file), dir.join(vector.file)).unwrap();
    }
    let out = home
        .vouch()
        .args(["verify", "--json", "--key"])
        .arg(data("vector.pub"))
        .arg(&dir)
        .output()
        .unwrap();
    let reports = reports(&out.stdout);
    for vector in vectors::all() {
        let report = reports.iter().find(|r| r.file.ends_with(vector.file));
        match report {
            Some(report) => assert_eq!(report.valid, vector.exit == 0, "{}", vector.file),
            // Unusable documents (exit 2) are reported on stderr.
            None => assert_eq!(vector.exit, 2, "{} not reported", vector.file),
        }
    }
    assert_eq!(out.status.code(), Some(2));
}

/// A directory named among files is checked where it is named, its files in chunks (more
/// than one here), and a file inside it that is no envelope is an error of its own.
#[test]
fn a_directory_is_checked_in_place_between_files() {
    let home = Home::new();
    let good = vectors::all()
        .into_iter()
        .find(|v| v.exit == 0)
        .expect("a valid vector");
    let dir = home.path("many");
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    // Over one chunk (4,096) of copies, a file that is not an envelope, and a subdirectory
    // (not descended into).
    for n in 0..4_200 {
        std::fs::write(dir.join(format!("copy-{n:04}.json")), &good.bytes).unwrap();
    }
    std::fs::write(dir.join("notes.txt"), "not an envelope").unwrap();
    let (first, last) = (home.path("first.json"), home.path("last.json"));
    std::fs::write(&first, &good.bytes).unwrap();
    std::fs::write(&last, &good.bytes).unwrap();
    let out = home
        .vouch()
        .args(["verify", "--json", "--key"])
        .arg(data("vector.pub"))
        .args([&first, &dir, &last])
        .output()
        .unwrap();
    let reports = reports(&out.stdout);
    assert_eq!(reports.len(), 4_203);
    assert_eq!(reports[0].file, first.display().to_string());
    assert_eq!(reports[4_202].file, last.display().to_string());
    let inside = &reports[1..4_202];
    let copies = inside.iter().filter(|r| r.file.contains("/many/copy-"));
    assert!(copies.clone().all(|r| r.valid));
    assert_eq!(copies.count(), 4_200);
    let notes = inside.iter().find(|r| r.file.ends_with("/many/notes.txt"));
    let reason = notes.and_then(|r| r.reason.clone()).unwrap_or_default();
    assert!(reason.contains("not a DSSE envelope"), "{reason}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("nested"));
    assert_eq!(out.status.code(), Some(2));
}

/// The JSON Lines reports of `vouch verify --json`.
fn reports(stdout: &[u8]) -> Vec<VerifyReport> {
    stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect()
}
