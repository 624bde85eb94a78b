//! Rollback and split-view protection: the CLI remembers, per daemon socket, the log key and the
//! last checkpoint it verified (under `$XDG_STATE_HOME/vouch/logs/`), and accepts a new
//! checkpoint only with a valid signature by that key and a consistency proof from the old one.

use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use vouch_proto::{verify_checkpoint, Checkpoint, PublicKey};

use crate::client::Client;
use crate::paths;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Known {
    socket: String,
    log_key: String,
    checkpoint: String,
}

fn file_for(client: &Client) -> Result<PathBuf> {
    let socket =
        std::fs::canonicalize(client.socket()).unwrap_or_else(|_| client.socket().to_path_buf());
    let id = hex::encode(&Sha256::digest(socket.as_os_str().as_encoded_bytes())[..12]);
    Ok(paths::state_dir()?.join("logs").join(format!("{id}.json")))
}

/// Checks `checkpoint` (just received from `client`) against what this CLI saw before from the
/// same daemon, and remembers it. The first contact pins the log key (trust on first use).
/// Concurrent runs take turns (a lock beside the file), so none of them loses another's
/// newer checkpoint.
pub fn observe(client: &Client, checkpoint: &Checkpoint) -> Result<Checkpoint> {
    let file = file_for(client)?;
    let _lock = lock(&file)?;
    let known = read_known(&file)?;
    let log_key_pem = match &known {
        Some(known) => known.log_key.clone(),
        None => client.checkpoint(None)?.log_key,
    };
    let log_key = PublicKey::from_pem(&log_key_pem).context("the log key vouchd gave")?;
    let new = verify_checkpoint(&checkpoint.note, &log_key, None).with_context(|| {
        format!(
            "the checkpoint from {} is not signed by the log key pinned in {}: the daemon's log key changed",
            client.socket().display(),
            file.display()
        )
    })?;
    if let Some(known) = &known {
        let old = verify_checkpoint(&known.checkpoint, &log_key, None)
            .with_context(|| format!("{} is damaged", file.display()))?;
        if !is_newer(client, &file, &old, &new)? {
            return Ok(new);
        }
    }
    save(
        &file,
        &Known {
            socket: client.socket().display().to_string(),
            log_key: log_key_pem,
            checkpoint: new.note.clone(),
        },
    )?;
    Ok(new)
}

/// Checks `new` against the remembered `old` checkpoint of the same daemon. True when `new`
/// is newer (and proven to extend `old`), so it should be remembered instead; false when it is
/// the same tree, or an older one proven to be a prefix of `old` (runs overlap). Anything else
/// is a rollback or a fork.
fn is_newer(client: &Client, file: &Path, old: &Checkpoint, new: &Checkpoint) -> Result<bool> {
    let socket = client.socket().display();
    let saved = file.display();
    if old.origin != new.origin {
        bail!(
            "vouchd at {socket} now serves another log ({}, before {}): if that is intended, remove {saved}",
            new.origin,
            old.origin
        );
    }
    if new.tree_size == old.tree_size {
        if new.root_hash != old.root_hash {
            bail!(
                "the ledger forked: the same size {} has two different roots \
                 (the other one is saved in {saved})",
                new.tree_size
            );
        }
        return Ok(false);
    }
    if new.tree_size < old.tree_size {
        // A daemon that was rolled back does not have the remembered tree and cannot prove it.
        prove_prefix(client, new, old).with_context(|| {
            format!(
                "the ledger was rolled back: vouchd at {socket} shows {} entries, but it showed {} before (saved in {saved})",
                new.tree_size, old.tree_size
            )
        })?;
        return Ok(false);
    }
    prove_prefix(client, old, new).with_context(|| {
        format!(
            "the ledger was rolled back or forked: its tree of {} entries does not extend the one this CLI saw ({} entries, saved in {saved})",
            new.tree_size, old.tree_size
        )
    })?;
    Ok(true)
}

fn read_known(file: &Path) -> Result<Option<Known>> {
    match std::fs::read(file) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .with_context(|| format!("reading {}", file.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", file.display())),
    }
}

/// The size of the newest checkpoint remembered for `client`'s daemon, if any.
pub fn newest_size(client: &Client) -> Result<Option<u64>> {
    let file = file_for(client)?;
    let Some(known) = read_known(&file)? else {
        return Ok(None);
    };
    let key = PublicKey::from_pem(&known.log_key)
        .with_context(|| format!("{} is damaged", file.display()))?;
    let checkpoint = verify_checkpoint(&known.checkpoint, &key, None)
        .with_context(|| format!("{} is damaged", file.display()))?;
    Ok(Some(checkpoint.tree_size))
}

/// Asks the daemon to prove that the tree of `old` is a prefix of the tree of `new`.
fn prove_prefix(client: &Client, old: &Checkpoint, new: &Checkpoint) -> Result<()> {
    let proof = client.consistency(old.tree_size, new.tree_size)?;
    proof.verify(&old.root_hash, &new.root_hash)?;
    Ok(())
}

/// An exclusive lock on `FILE.lock`, held until dropped.
fn lock(file: &Path) -> Result<std::fs::File> {
    let dir = file.parent().context("state path has no parent")?;
    create_private_dir(dir)?;
    let mut name = file.as_os_str().to_owned();
    name.push(".lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&name)
        .with_context(|| format!("opening {}", Path::new(&name).display()))?;
    lock.lock()
        .with_context(|| format!("locking {}", Path::new(&name).display()))?;
    Ok(lock)
}

fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

/// Writes `known` to `file` atomically: a new, uniquely named temporary file in the same
/// directory (created exclusively, so a planted symlink is never followed), synced, renamed
/// over `file`, and the directory synced.
fn save(file: &Path, known: &Known) -> Result<()> {
    let dir = file.parent().context("state path has no parent")?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".known-")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(&serde_json::to_vec_pretty(known)?)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("writing {}", tmp.path().display()))?;
    tmp.persist(file)
        .map_err(|e| e.error)
        .with_context(|| format!("writing {}", file.display()))?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("syncing {}", dir.display()))
}
