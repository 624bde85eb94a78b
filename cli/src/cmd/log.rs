//! `vouch log ...`: the offline audit of a ledger file, its checkpoints and proofs, and checking
//! a proof with nothing but the log's public key.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{bail, ensure, Context, Result};
use serde::Deserialize;
use vouch_ledger::{audit, AuditOptions, LedgerReader};
use vouch_proto::{verify_checkpoint, Checkpoint, ConsistencyProof, InclusionProof, PublicKey};

use crate::cli::{
    LedgerArgs, LogCheckpointArgs, LogConsistencyArgs, LogProveArgs, LogVerifyArgs, VerifyProofArgs,
};
use crate::client::Client;
use crate::cmd::key::{read_public_key, read_public_keys};
use crate::cmd::{print_line, progress_bar, read_input, Outcome};
use crate::known;

/// Where `vouch log` reads from: a database file, or vouchd.
enum Source {
    File(Box<LedgerReader>),
    Daemon(Client),
}

fn source(args: &LedgerArgs, socket: Option<&Path>) -> Result<Source> {
    if let Some(db) = &args.db {
        return Ok(Source::File(Box::new(LedgerReader::open(
            db,
            pinned_key(args)?,
        )?)));
    }
    if args.log_key.is_some() {
        bail!("--log-key pins the key of a ledger file; with vouchd the CLI pins the key on first contact");
    }
    Ok(Source::Daemon(Client::new(socket)?))
}

/// The latest checkpoint from the daemon, checked against what this CLI saw before.
fn daemon_checkpoint(client: &Client) -> Result<Checkpoint> {
    let response = client.checkpoint(None)?;
    known::observe(client, &response.checkpoint)
}

/// The daemon's checkpoint at exactly `size` entries, verified: signed by the log key this CLI
/// pinned, of the same log, and (through a consistency proof) a prefix of the latest one.
fn daemon_checkpoint_at(client: &Client, latest: &Checkpoint, size: u64) -> Result<Checkpoint> {
    if size == latest.tree_size {
        return Ok(latest.clone());
    }
    let response = client.checkpoint(Some(size))?;
    let key = PublicKey::from_pem(&response.log_key).context("the log key vouchd gave")?;
    // observe() already pinned this key; a different one cannot sign a checkpoint of this log.
    let old = verify_checkpoint(&response.checkpoint.note, &key, Some(&latest.origin))
        .context("vouchd's checkpoint at that size")?;
    verify_checkpoint(&latest.note, &key, Some(&latest.origin))
        .context("vouchd's log key is not the one that signed the pinned checkpoint")?;
    ensure!(
        old.tree_size == size,
        "vouchd sent a checkpoint for size {} instead of {size}",
        old.tree_size
    );
    let (from, to) = if size < latest.tree_size {
        (&old, latest)
    } else {
        (latest, &old)
    };
    let proof = client.consistency(from.tree_size, to.tree_size)?;
    proof
        .verify(&from.root_hash, &to.root_hash)
        .context("vouchd's checkpoints at the two sizes are not of one log")?;
    Ok(old)
}

/// The log key `--log-key` pins, if given.
pub fn pinned_key(args: &LedgerArgs) -> Result<Option<PublicKey>> {
    args.log_key.as_deref().map(read_public_key).transpose()
}

/// Runs `vouch log verify`.
pub fn verify(args: &LogVerifyArgs) -> Result<Outcome> {
    let Some(path) = args.ledger.db.clone() else {
        let default = vouch_ledger::paths::default_ledger_path()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "$XDG_DATA_HOME/vouch/ledger.db".into());
        bail!("vouch log verify audits a ledger file: give --db (vouchd's default is {default})");
    };
    let reviewer_keys = read_public_keys(&args.keys)?;
    let known_checkpoints = args
        .checkpoints
        .iter()
        .map(|p| {
            std::fs::read_to_string(p)
                .with_context(|| format!("reading checkpoint {}", p.display()))
        })
        .collect::<Result<Vec<_>>>()?;
    let bar = (!args.json && std::io::stderr().is_terminal()).then(|| progress_bar("auditing"));
    let progress = |done: u64, total: u64| {
        if let Some(bar) = &bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    };
    let options = AuditOptions {
        log_key: pinned_key(&args.ledger)?,
        reviewer_keys,
        known_checkpoints,
        progress: Some(&progress),
        ..AuditOptions::default()
    };
    let report = audit(&path, &options)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if args.json {
        print_line(&serde_json::to_string(&report)?)?;
    } else if let Some(problem) = &report.problem {
        let at = problem
            .index
            .map(|i| format!(" at entry {i}"))
            .unwrap_or_default();
        print_line(&format!("{}: TAMPERED{at}: {}", report.path, problem.what))?;
    } else {
        print_line(&format!(
            "{}: intact: {} entries, root {}, {} checkpoints checked, {} signatures re-verified, {} from unknown keys not checked",
            report.path,
            report.entries,
            report.root_hash.map(|r| r.to_string()).unwrap_or_default(),
            report.checkpoints,
            report.signatures_verified,
            report.signatures_unchecked,
        ))?;
    }
    Ok(if report.intact {
        Outcome::Yes
    } else {
        Outcome::No
    })
}

/// Runs `vouch log checkpoint`.
pub fn checkpoint(args: &LogCheckpointArgs, socket: Option<&Path>) -> Result<Outcome> {
    let checkpoint = match source(&args.ledger, socket)? {
        Source::File(reader) => reader.view().latest_checkpoint()?,
        Source::Daemon(client) => daemon_checkpoint(&client)?,
    };
    if args.json {
        print_line(&serde_json::to_string(&checkpoint)?)?;
    } else {
        print_line(checkpoint.note.trim_end_matches('\n'))?;
    }
    Ok(Outcome::Yes)
}

/// Runs `vouch log prove`. From vouchd, the proof is checked against its checkpoint first.
pub fn prove(args: &LogProveArgs, socket: Option<&Path>) -> Result<Outcome> {
    let proof = match source(&args.ledger, socket)? {
        Source::File(reader) => {
            let view = reader.view();
            let size = match args.size {
                Some(size) => size,
                None => view.latest_checkpoint()?.tree_size,
            };
            view.inclusion_proof(args.index, size)?
        }
        Source::Daemon(client) => {
            let checkpoint = daemon_checkpoint(&client)?;
            let size = args.size.unwrap_or(checkpoint.tree_size);
            let proof = client.inclusion(args.index, size)?;
            let at = daemon_checkpoint_at(&client, &checkpoint, size)?;
            proof
                .verify(&at.root_hash)
                .context("vouchd's inclusion proof does not lead to its signed checkpoint")?;
            proof
        }
    };
    if args.json {
        print_line(&serde_json::to_string(&proof)?)?;
    } else {
        print_line(&format!(
            "inclusion proof of entry {} in the tree of size {}",
            proof.index, proof.tree_size
        ))?;
        print_line(&format!("leaf hash {}", proof.leaf_hash))?;
        for hash in &proof.hashes {
            print_line(&format!("  {hash}"))?;
        }
    }
    Ok(Outcome::Yes)
}

/// Runs `vouch log consistency`.
pub fn consistency(args: &LogConsistencyArgs, socket: Option<&Path>) -> Result<Outcome> {
    let proof = match source(&args.ledger, socket)? {
        Source::File(reader) => reader.view().consistency_proof(args.old, args.new)?,
        Source::Daemon(client) => {
            let proof = client.consistency(args.old, args.new)?;
            let latest = daemon_checkpoint(&client)?;
            let old = daemon_checkpoint_at(&client, &latest, args.old)?;
            let new = daemon_checkpoint_at(&client, &latest, args.new)?;
            proof
                .verify(&old.root_hash, &new.root_hash)
                .context("vouchd's consistency proof does not join its signed checkpoints")?;
            proof
        }
    };
    if args.json {
        print_line(&serde_json::to_string(&proof)?)?;
    } else {
        print_line(&format!(
            "consistency proof from size {} to size {}",
            proof.old_size, proof.new_size
        ))?;
        for hash in &proof.hashes {
            print_line(&format!("  {hash}"))?;
        }
    }
    Ok(Outcome::Yes)
}

/// Either proof, told apart by its fields.
#[derive(Deserialize)]
#[serde(untagged)]
enum AnyProof {
    Inclusion(InclusionProof),
    Consistency(ConsistencyProof),
}

fn read_checkpoint(path: &Path, key: &PublicKey, origin: &str) -> Result<Checkpoint> {
    let text = String::from_utf8(read_input(path)?)
        .with_context(|| format!("{} is not text", path.display()))?;
    let checkpoint = verify_checkpoint(&text, key, None)
        .with_context(|| format!("checkpoint {}", path.display()))?;
    if checkpoint.origin != origin {
        bail!(
            "checkpoint {} is for the log {:?}, not {origin:?} (the log of this key); give --origin if that log is meant",
            path.display(),
            checkpoint.origin
        );
    }
    Ok(checkpoint)
}

/// The leaf hash of `envelope` integrated at `integrated_at`, which an inclusion proof must
/// cover for that envelope to be the entry.
fn envelope_leaf(envelope: &Path, integrated_at: i64) -> Result<[u8; 32]> {
    Ok(vouch_proto::leaf_hash(
        vouch_proto::EntryKind::Attestation,
        integrated_at,
        &read_input(envelope)?,
    ))
}

/// What a proof check found: the verification's result, and what it proves if it holds.
type Checked = (Result<(), vouch_proto::ProofError>, String);

fn check_inclusion(
    args: &VerifyProofArgs,
    proof: &InclusionProof,
    checkpoint: &Checkpoint,
) -> Result<Checked> {
    if let (Some(envelope), Some(at)) = (&args.envelope, args.integrated_at) {
        if envelope_leaf(envelope, at)? != proof.leaf_hash.0 {
            bail!(
                "{} integrated at {at} is not the entry this proof is about (leaf {}): another envelope, encoding or time",
                envelope.display(),
                proof.leaf_hash
            );
        }
    }
    if proof.tree_size != checkpoint.tree_size {
        bail!(
            "the proof is for a tree of size {}, the checkpoint for size {}",
            proof.tree_size,
            checkpoint.tree_size
        );
    }
    let envelope = args
        .envelope
        .as_ref()
        .map(|e| format!(", the envelope {}", e.display()))
        .unwrap_or_default();
    Ok((
        proof.verify(&checkpoint.root_hash),
        format!(
            "entry {} (leaf {}{envelope}) is in the log {} at size {}",
            proof.index, proof.leaf_hash, checkpoint.origin, checkpoint.tree_size
        ),
    ))
}

fn check_consistency(
    proof: &ConsistencyProof,
    old: &Checkpoint,
    checkpoint: &Checkpoint,
) -> Result<Checked> {
    if (proof.old_size, proof.new_size) != (old.tree_size, checkpoint.tree_size) {
        bail!(
            "the proof is from size {} to {}, the checkpoints are for sizes {} and {}",
            proof.old_size,
            proof.new_size,
            old.tree_size,
            checkpoint.tree_size
        );
    }
    Ok((
        proof.verify(&old.root_hash, &checkpoint.root_hash),
        format!(
            "the log {} at size {} extends size {}",
            checkpoint.origin, checkpoint.tree_size, old.tree_size
        ),
    ))
}

/// Runs `vouch log verify-proof`: 0 the proof holds, 1 it does not, 2 unusable input.
pub fn verify_proof(args: &VerifyProofArgs) -> Result<Outcome> {
    let key = read_public_key(&args.log_key)?;
    let proof: AnyProof = serde_json::from_slice(&read_input(&args.proof)?).with_context(|| {
        format!(
            "{}: not an inclusion or consistency proof",
            args.proof.display()
        )
    })?;
    let origin = args
        .origin
        .clone()
        .unwrap_or_else(|| vouch_proto::ledger_origin(&key.id()));
    let checkpoint = read_checkpoint(&args.checkpoint, &key, &origin)?;
    let (result, what) = match &proof {
        AnyProof::Inclusion(proof) => check_inclusion(args, proof, &checkpoint)?,
        AnyProof::Consistency(proof) => {
            let Some(old_path) = &args.old_checkpoint else {
                bail!("a consistency proof needs --old-checkpoint");
            };
            if args.envelope.is_some() {
                bail!("--envelope goes with an inclusion proof, not a consistency proof");
            }
            let old = read_checkpoint(old_path, &key, &origin)?;
            check_consistency(proof, &old, &checkpoint)?
        }
    };
    let reason = result.as_ref().err().map(ToString::to_string);
    if args.json {
        print_line(&serde_json::json!({ "valid": result.is_ok(), "reason": reason }).to_string())?;
    } else {
        match &reason {
            None => print_line(&format!("valid: {what}"))?,
            Some(reason) => print_line(&format!("invalid: {reason}"))?,
        }
    }
    Ok(if result.is_ok() {
        Outcome::Yes
    } else {
        Outcome::No
    })
}
