//! Writes N signed review envelopes (one file each) and the signer's public key into a
//! directory, for the verification benchmark in `scripts/bench-verify.sh`.
//!
//! usage: cargo run --release -p vouch-proto --example make_envelopes -- DIR N

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use vouch_proto::{sign_review, Digest, ImageRef, Review, ReviewStatement, SecretKey, Verdict};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(count)) = (args.next(), args.next()) else {
        return Err("usage: make_envelopes DIR N".into());
    };
    let dir = PathBuf::from(dir);
    let count: usize = count.parse()?;
    std::fs::create_dir_all(&dir)?;
    let key = SecretKey::generate();
    std::fs::write(dir.join("signer.pub"), key.public().to_pem())?;
    std::fs::write(dir.join("signer.keyid"), key.id().to_string())?;
    let reviewed_at = Utc
        .with_ymd_and_hms(2026, 11, 27, 9, 0, 0)
        .single()
        .ok_or("time")?;
    for i in 0..count {
        let digest = Digest::of(&i.to_le_bytes());
        let reference = format!("registry.example.com/app/service-{}:v{i}@{digest}", i % 100);
        let image = ImageRef::parse_pinned(&reference)?;
        let verdict = if i % 10 == 0 {
            Verdict::Rejected
        } else {
            Verdict::Trusted
        };
        let mut review = Review::new(key.id(), verdict, reviewed_at, &reference);
        review.notes = vec![format!("benchmark envelope {i}")];
        let envelope = sign_review(&ReviewStatement::new(&image, review), &key);
        std::fs::write(dir.join(format!("env-{i:05}.json")), envelope.to_json())?;
    }
    eprintln!(
        "wrote {count} envelopes signed by {} to {}",
        key.id(),
        dir.display()
    );
    Ok(())
}
