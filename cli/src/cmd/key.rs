//! `vouch key generate` and `vouch key id`.

use std::fs::DirBuilder;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use vouch_proto::report::KeyReport;
use vouch_proto::{PublicKey, SecretKey, KDF_ROUNDS};

use crate::cli::{KeyGenerateArgs, KeyIdArgs};
use crate::cmd::{print_line, Outcome};
use crate::{passphrase, paths};

/// Runs `vouch key generate`.
pub fn generate(args: &KeyGenerateArgs) -> Result<Outcome> {
    check_name(&args.name)?;
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => paths::keys_dir()?,
    };
    let private_path = dir.join(format!("{}.key", args.name));
    let public_path = dir.join(format!("{}.pub", args.name));
    for path in [&private_path, &public_path] {
        if path.symlink_metadata().is_ok() {
            bail!(
                "{} already exists; vouch never overwrites a key: choose another --name or --dir",
                path.display()
            );
        }
    }
    let passphrase = passphrase::for_new_key(&private_path.display().to_string())?;
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .with_context(|| format!("creating key directory {}", dir.display()))?;
    warn_about_dir(&dir);

    let key = SecretKey::generate();
    let pem = key.to_encrypted_pem(passphrase.as_bytes(), KDF_ROUNDS)?;
    write_new(&private_path, pem.as_bytes(), 0o600)?;
    if let Err(err) = write_new(&public_path, key.public().to_pem().as_bytes(), 0o644) {
        // Leave no half pair behind: the private key was created by us a moment ago.
        let _ = std::fs::remove_file(&private_path);
        return Err(err);
    }
    tracing::info!(key_id = %key.id(), path = %private_path.display(), "generated key");
    eprintln!(
        "wrote {} (encrypted, 0600) and {}",
        private_path.display(),
        public_path.display()
    );
    print_report(
        &KeyReport {
            key_id: key.id(),
            public_key: public_path.display().to_string(),
            private_key: Some(private_path.display().to_string()),
        },
        args.json,
    )
}

/// Runs `vouch key id`.
pub fn id(args: &KeyIdArgs) -> Result<Outcome> {
    let key = read_public_key(&args.file)?;
    print_report(
        &KeyReport {
            key_id: key.id(),
            public_key: args.file.display().to_string(),
            private_key: None,
        },
        args.json,
    )
}

/// Reads every public key file in `paths` (e.g. repeated `--key` or `--trusted-key` flags).
pub fn read_public_keys(paths: &[std::path::PathBuf]) -> Result<Vec<PublicKey>> {
    paths.iter().map(|path| read_public_key(path)).collect()
}

/// Reads a PEM public key file, naming the file in any error.
pub fn read_public_key(path: &Path) -> Result<PublicKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading public key {}", path.display()))?;
    PublicKey::from_pem(&text).with_context(|| format!("public key {}", path.display()))
}

/// Reads and decrypts a private key file, asking for its passphrase.
pub fn read_secret_key(path: &Path) -> Result<SecretKey> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "reading private key {} (create one with `vouch key generate`)",
            path.display()
        )
    })?;
    let passphrase = passphrase::for_unlock(&path.display().to_string())?;
    SecretKey::from_encrypted_pem(&text, passphrase.as_bytes())
        .with_context(|| format!("private key {}", path.display()))
}

/// The default private key path.
pub fn default_key_path() -> Result<PathBuf> {
    Ok(paths::keys_dir()?.join("reviewer.key"))
}

fn print_report(report: &KeyReport, json: bool) -> Result<Outcome> {
    if json {
        print_line(&serde_json::to_string(report)?)?;
    } else {
        print_line(&report.key_id.to_string())?;
    }
    Ok(Outcome::Yes)
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        bail!("--name {name:?}: use letters, digits, '-', '_' and '.', not starting with '.'");
    }
    Ok(())
}

/// Creates `path` (which must not exist) with `mode` holding `bytes`, whole or not at all.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    vouch_ledger::files::write_new(path, bytes, mode)
        .with_context(|| format!("creating {}", path.display()))
}

/// Warns when the key directory is a symbolic link or others may write to it: whoever can
/// write there can swap the key files.
fn warn_about_dir(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.file_type().is_symlink() => {
            tracing::warn!(
                dir = %dir.display(),
                "the key directory is a symbolic link; keys are written where it points"
            );
        }
        Ok(meta) if meta.permissions().mode() & 0o022 != 0 => {
            tracing::warn!(dir = %dir.display(), mode = format!("{:o}", meta.permissions().mode() & 0o777), "others can write to the key directory and could replace the key files; chmod go-w it");
        }
        _ => {}
    }
}
