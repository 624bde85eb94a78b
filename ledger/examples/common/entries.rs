//! Signed review entries for the ledger's examples (append_loop, ledger_bench).

use vouch_ledger::NewEntry;
use vouch_proto::{sign_review, Digest, ImageRef, Review, ReviewStatement, SecretKey, Verdict};

/// The test vectors' key (tests/data/vector.pub), so audits can re-verify the signatures.
pub fn vector_key() -> SecretKey {
    SecretKey::from_seed(&[0x11; 32])
}

/// A signed review of the image digest made from `nonce`: about 1 KiB, like a real review.
pub fn make_entry(key: &SecretKey, nonce: &str) -> Result<NewEntry, String> {
    let digest = Digest::of(nonce.as_bytes());
    let reference = format!("registry.example.com/team/service:1.0@{digest}");
    let image = ImageRef::parse_pinned(&reference).map_err(|e| e.to_string())?;
    let mut review = Review::new(key.id(), Verdict::Trusted, chrono::Utc::now(), &reference);
    review.reviewer.name = Some("Load Reviewer".into());
    review.notes = vec![format!("generated entry {nonce}")];
    let statement = ReviewStatement::new(&image, review);
    let envelope = sign_review(&statement, key);
    Ok(NewEntry::attestation(
        envelope.to_json().into_bytes(),
        &envelope,
        key.id(),
        &statement,
    ))
}
