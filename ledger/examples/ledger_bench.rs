//! The ledger's benchmark: builds a ledger of N signed review entries, then measures durable
//! appends with group commit, proof generation, opening, and the full audit. Run it in release:
//!
//! cargo run --release -p vouch-ledger --example ledger_bench -- N [DIR]
//!
//! Prints one line per figure. DIR defaults to a temporary directory, removed afterwards.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use vouch_ledger::{audit, AuditOptions, Committer, Ledger, LedgerReader};

#[path = "common/entries.rs"]
mod entries;
use entries::{make_entry, vector_key};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().ok_or("usage: ledger_bench N [DIR]")?.parse()?;
    let tmp = tempfile::tempdir()?;
    let dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let db = dir.join(format!("bench-{n}.db"));
    let key = vector_key();

    // Build: sign in parallel, append in batches of 1,000 (one durable transaction each).
    let start = Instant::now();
    let mut ledger = Ledger::open(&db, None)?;
    let mut done = 0u64;
    while done < n {
        let count = 10_000.min(n - done);
        let batch: Vec<_> = (done..done + count)
            .into_par_iter()
            .map(|i| make_entry(&key, &format!("build-{i}")))
            .collect::<Result<_, _>>()?;
        for chunk in batch.chunks(1000) {
            ledger.append_batch(chunk)?;
        }
        done += count;
    }
    let build = start.elapsed();
    let bytes = std::fs::metadata(&db)?.len();
    println!(
        "build: {n} entries in {:.1} s (signing included), database {:.0} MiB",
        build.as_secs_f64(),
        bytes as f64 / 1_048_576.0
    );
    drop(ledger);

    // Open: the O(log n) check of the latest checkpoint against the stored tree.
    let start = Instant::now();
    let ledger = Ledger::open(&db, None)?;
    println!(
        "open: {:.1} ms at {n} entries",
        start.elapsed().as_secs_f64() * 1000.0
    );

    // Durable appends with group commit: 64 concurrent writers, 20,000 appends in all.
    let committer = Arc::new(Committer::start(ledger, 1024)?);
    let writers = 64u64;
    let per_writer = 20_000 / writers;
    let pending: Vec<Vec<_>> = (0..writers)
        .map(|w| {
            (0..per_writer)
                .map(|i| make_entry(&key, &format!("append-{w}-{i}")))
                .collect::<Result<_, _>>()
        })
        .collect::<Result<_, _>>()?;
    let start = Instant::now();
    std::thread::scope(|scope| {
        for entries in pending {
            let committer = Arc::clone(&committer);
            scope.spawn(move || {
                for entry in entries {
                    committer.append(entry).expect("append");
                }
            });
        }
    });
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "durable appends (group commit, {writers} writers): {} in {elapsed:.2} s = {:.0}/s",
        writers * per_writer,
        (writers * per_writer) as f64 / elapsed
    );
    let mut ledger = Arc::try_unwrap(committer)
        .map_err(|_| "committer still shared")?
        .shutdown()
        .ok_or("writer thread failed")?;

    // One entry per transaction, for comparison: every append pays its own fsync.
    let singles: Vec<_> = (0..200)
        .map(|i| make_entry(&key, &format!("single-{i}")))
        .collect::<Result<_, _>>()?;
    let start = Instant::now();
    for entry in &singles {
        ledger.append_batch(std::slice::from_ref(entry))?;
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "durable appends (one per transaction): {:.0}/s",
        singles.len() as f64 / elapsed
    );
    let size = ledger.size();
    drop(ledger);

    // Proofs.
    let reader = LedgerReader::open(&db, None)?;
    let view = reader.view();
    let count = 10_000u64;
    let start = Instant::now();
    for i in 0..count {
        let index = (i * 7_919_993) % size;
        view.inclusion_proof(index, size)?;
    }
    println!(
        "inclusion proof: {:.1} µs each (size {size})",
        start.elapsed().as_secs_f64() * 1e6 / count as f64
    );
    let start = Instant::now();
    for i in 0..1000u64 {
        let old = 1 + (i * 7_919_993) % (size - 1);
        view.consistency_proof(old, size)?;
    }
    println!(
        "consistency proof: {:.1} µs each",
        start.elapsed().as_secs_f64() * 1e6 / 1000.0
    );
    drop(reader);

    // The audit, with the reviewer key (every signature re-verified) and without.
    for (label, keys) in [
        ("with signatures", vec![key.public().clone()]),
        ("hashes only", vec![]),
    ] {
        let start = Instant::now();
        let report = audit(
            &db,
            &AuditOptions {
                reviewer_keys: keys,
                ..AuditOptions::default()
            },
        )?;
        assert!(report.intact, "{report:?}");
        println!(
            "audit ({label}): {} entries in {:.1} s ({} signatures verified)",
            report.entries,
            start.elapsed().as_secs_f64(),
            report.signatures_verified
        );
    }
    Ok(())
}
