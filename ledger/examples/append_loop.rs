//! Appends signed review entries to a ledger from several threads until killed, printing
//! `ack INDEX BODY_SHA256` for every append the group committer has made durable. The kill -9
//! test in tests/e2e/ledger.rs runs it, kills it, and checks that every ack survived.
//!
//! usage: append_loop DB [THREADS]

use std::io::Write;
use std::sync::Arc;

use sha2::{Digest as _, Sha256};
use vouch_ledger::{Committer, Ledger};

#[path = "common/entries.rs"]
mod entries;
use entries::make_entry;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let db = args.next().ok_or("usage: append_loop DB [THREADS]")?;
    let threads: u64 = args.next().map(|t| t.parse()).transpose()?.unwrap_or(4);
    let ledger = Ledger::open(std::path::Path::new(&db), None)?;
    let committer = Arc::new(Committer::start(ledger, 512)?);
    let key = Arc::new(entries::vector_key());
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
