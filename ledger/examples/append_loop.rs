//! Appends signed review entries to a ledger from several threads until killed, printing
//! `ack INDEX BODY_SHA256` for every append the group committer has made durable. The kill -9
//! test in tests/e2e/ledger.rs runs it, kills it, and checks that every ack survived.
//!
//! usage: append_loop DB [THREADS]

use std::io::Write;
use std::sync::Arc;

use sha2::{Digest as _, Sha256};
use vouch_ledger::{Committer, Ledger, NewEntry};
use vouch_proto::review::{Image, Reviewer};
use vouch_proto::{
    sign_review, Digest, EntryKind, ImageRef, Review, ReviewStatement, SecretKey, Verdict,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let db = args.next().ok_or("usage: append_loop DB [THREADS]")?;
    let threads: u64 = args.next().map(|t| t.parse()).transpose()?.unwrap_or(4);
    let ledger = Ledger::open(std::path::Path::new(&db), None)?;
    let committer = Arc::new(Committer::start(ledger, 512)?);
    // The test vectors' key (tests/data/vector.pub), so the audit can re-verify the signatures.
    let key = Arc::new(SecretKey::from_seed(&[0x11; 32]));
    let run = std::process::id();
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let committer = Arc::clone(&committer);
            let key = Arc::clone(&key);
            std::thread::spawn(move || -> Result<(), String> {
                for n in 0u64.. {
                    let entry = make_entry(&key, &format!("{run}-{t}-{n}"))?;
                    let sha = hex(&Sha256::digest(&entry.body));
                    let (appended, _) = committer.append(entry).map_err(|e| e.to_string())?;
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "ack {} {sha}", appended.index).map_err(|e| e.to_string())?;
                    out.flush().map_err(|e| e.to_string())?;
                }
                Ok(())
            })
        })
        .collect();
    for worker in workers {
        worker.join().map_err(|_| "a worker panicked")??;
    }
    Ok(())
}

fn make_entry(key: &SecretKey, nonce: &str) -> Result<NewEntry, String> {
    let digest = Digest::of(nonce.as_bytes());
    let reference = format!("registry.example.com/loop@{digest}");
    let image = ImageRef::parse_pinned(&reference).map_err(|e| e.to_string())?;
    let review = Review {
        reviewer: Reviewer {
            key_id: key.id(),
            name: None,
            email: None,
        },
        verdict: Verdict::Trusted,
        reviewed_at: chrono::Utc::now(),
        expires_at: None,
        image: Image { reference },
        dockerfile: None,
        base_images: vec![],
        downloads: vec![],
        build: None,
        checklist: vec![],
        notes: vec![format!("append_loop {nonce}")],
    };
    let statement = ReviewStatement::new(&image, review);
    Ok(NewEntry {
        kind: EntryKind::Attestation,
        body: sign_review(&statement, key).to_json().into_bytes(),
        signer: Some(key.id()),
        subjects: vec![digest],
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
