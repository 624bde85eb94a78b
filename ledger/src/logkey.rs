//! The log's own ed25519 key, kept beside the database: `<db>.key` (PKCS#8, 0600; encrypted
//! when a passphrase is configured) and `<db>.pub` (SubjectPublicKeyInfo PEM, for verifiers).

use std::path::{Path, PathBuf};

use vouch_proto::{PublicKey, SecretKey, KDF_ROUNDS};

use crate::error::LedgerError;

/// `<db>.key`: the log's private key.
pub fn private_key_path(db: &Path) -> PathBuf {
    with_suffix(db, ".key")
}

/// `<db>.pub`: the log's public key, which verifiers pin.
pub fn public_key_path(db: &Path) -> PathBuf {
    with_suffix(db, ".pub")
}

pub(crate) fn with_suffix(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn key_error(path: &Path, message: impl ToString) -> LedgerError {
    LedgerError::LogKey {
        path: path.display().to_string(),
        message: message.to_string(),
    }
}

/// Reads the log key, or creates it when `create` is set and no key file exists.
pub fn load_or_create(
    db: &Path,
    passphrase: Option<&[u8]>,
    create: bool,
) -> Result<SecretKey, LedgerError> {
    let path = private_key_path(db);
    if passphrase.is_some_and(<[u8]>::is_empty) {
        return Err(key_error(
            &path,
            "the log key passphrase is empty: give a real one, or none for an unencrypted key",
        ));
    }
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            check_private_mode(&path)?;
            SecretKey::from_pem(&text, passphrase).map_err(|e| {
            let hint = if matches!(e, vouch_proto::KeyError::NeedsPassphrase) {
                ": set VOUCH_LOG_PASSPHRASE"
            } else {
                ""
            };
            key_error(&path, format!("{e}{hint}"))
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            let key = SecretKey::generate();
            let pem = match passphrase {
                Some(passphrase) => key.to_encrypted_pem(passphrase, KDF_ROUNDS),
                None => key.to_unencrypted_pem(),
            }
            .map_err(|e| key_error(&path, e))?;
            write_new(&path, pem.as_bytes(), 0o600)?;
            let public = public_key_path(db);
            if public.exists() {
                std::fs::remove_file(&public).map_err(|e| key_error(&public, e))?;
            }
            write_new(&public, key.public().to_pem().as_bytes(), 0o644)?;
            tracing::info!(key_id = %key.id(), path = %path.display(), encrypted = passphrase.is_some(), "created log key");
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(key_error(
            &path,
            "missing: the ledger exists but its key does not, so it cannot sign checkpoints; restore the key file",
        )),
        Err(e) => Err(key_error(&path, e)),
    }
}

/// Reads the log's public key (`<db>.pub`, or the file given).
pub fn load_public(path: &Path) -> Result<PublicKey, LedgerError> {
    let text = std::fs::read_to_string(path).map_err(|e| key_error(path, e))?;
    PublicKey::from_pem(&text).map_err(|e| key_error(path, e))
}

/// Refuses a private log key that others can read or write: whoever can read it can sign
/// checkpoints for this log.
fn check_private_mode(path: &Path) -> Result<(), LedgerError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| key_error(path, e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(key_error(
            path,
            format!("its mode is {:o}: others can read or change it; run chmod 600 on it, and rotate the key if others may have read it", mode & 0o777),
        ));
    }
    Ok(())
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), LedgerError> {
    crate::files::write_new(path, bytes, mode).map_err(|e| key_error(path, e))
}
