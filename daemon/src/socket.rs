//! The Unix socket: its default path, replacing a socket left by a dead daemon (never a live
//! one), and its permissions (0660: the owner and the group).

use std::os::unix::fs::{DirBuilderExt, FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// The default socket (see `vouch_ledger::paths::default_socket_path`).
pub fn default_path() -> Result<PathBuf> {
    vouch_ledger::paths::default_socket_path()
        .context("XDG_RUNTIME_DIR is not set: give the socket with --socket or VOUCH_SOCKET")
}

/// Binds the socket at `path`. A leftover socket file nobody listens on (connection refused)
/// is replaced; a socket a live daemon answers on is an error, and so is one this user cannot
/// probe (permission denied: it may be another user's live daemon).
///
/// The socket is bound inside a fresh 0700 directory beside `path`, given mode 0660 there, and
/// only then linked into place, so it is never reachable with the permissions the umask gives.
pub fn bind(path: &Path) -> Result<tokio::net::UnixListener> {
    let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => dir.to_path_buf(),
        None => PathBuf::from("."),
    };
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o750)
            .create(&dir)
            .with_context(|| format!("creating {}", dir.display()))?;
    }
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            bail!(
                "{} exists and is not a socket; move it away or choose another --socket",
                path.display()
            );
        }
        match std::os::unix::net::UnixStream::connect(path) {
            Ok(_) => bail!(
                "another vouchd is serving {}; stop it first or choose another --socket",
                path.display()
            ),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                tracing::warn!(
                    socket = %path.display(),
                    "replacing a socket left by a daemon that is gone"
                );
                std::fs::remove_file(path)
                    .with_context(|| format!("removing stale socket {}", path.display()))?;
            }
            Err(e) => bail!(
                "{} exists and cannot be probed ({e}); it may be another user's live vouchd: choose another --socket, or remove it if you know it is stale",
                path.display()
            ),
        }
    }
    let private = tempfile::Builder::new()
        .prefix(".vouchd-bind-")
        .tempdir_in(&dir)
        .with_context(|| format!("creating a private directory in {}", dir.display()))?;
    let staged = private.path().join("socket");
    let listener = std::os::unix::net::UnixListener::bind(&staged)
        .with_context(|| format!("binding {}", path.display()))?;
    std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o660))
        .with_context(|| format!("setting permissions on {}", path.display()))?;
    // A hard link never replaces a file that appeared meanwhile (unlike rename).
    std::fs::hard_link(&staged, path).with_context(|| format!("binding {}", path.display()))?;
    listener.set_nonblocking(true)?;
    Ok(tokio::net::UnixListener::from_std(listener)?)
}
