//! The Unix socket: its default path, replacing a socket left by a dead daemon (never a live
//! one), and its permissions (0660: the owner and the group).

use std::os::unix::fs::{DirBuilderExt, FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// The default socket (see `vouch_proto::api::default_socket_path`).
pub fn default_path() -> Result<PathBuf> {
    vouch_proto::api::default_socket_path()
        .context("XDG_RUNTIME_DIR is not set: give the socket with --socket or VOUCH_SOCKET")
}

/// Binds the socket at `path`. A leftover socket file nobody answers on is replaced; a socket
/// a live daemon answers on is an error.
pub fn bind(path: &Path) -> Result<tokio::net::UnixListener> {
    if let Some(dir) = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.exists())
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o750)
            .create(dir)
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
            Err(_) => {
                tracing::warn!(socket = %path.display(), "replacing a socket left by a daemon that is gone");
                std::fs::remove_file(path)
                    .with_context(|| format!("removing stale socket {}", path.display()))?;
            }
        }
    }
    let listener = tokio::net::UnixListener::bind(path)
        .with_context(|| format!("binding {}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
        .with_context(|| format!("setting permissions on {}", path.display()))?;
    Ok(listener)
}
