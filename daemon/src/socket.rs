//! The Unix socket: its default path, replacing a socket left by a dead daemon (never a live
//! one), and who may connect (0660 by default: the owner and the group).

use std::os::unix::fs::{DirBuilderExt, FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// The default socket (see `vouch_ledger::paths::default_socket_path`).
pub fn default_path() -> Result<PathBuf> {
    vouch_ledger::paths::default_socket_path()
        .context("XDG_RUNTIME_DIR is not set: give the socket with --socket or VOUCH_SOCKET")
}

/// Who may connect to the socket vouchd binds: its mode and group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    /// The permission bits (never any for others).
    pub mode: u32,
    /// The group, if not vouchd's own.
    pub group: Option<u32>,
}

impl Access {
    /// From `--socket-mode` (octal) and `--socket-group` (a name in /etc/group, or a number).
    pub fn new(mode: &str, group: Option<&str>) -> Result<Self> {
        let mode = u32::from_str_radix(mode.trim_start_matches("0o"), 8)
            .ok()
            .filter(|m| *m <= 0o777)
            .with_context(|| format!("socket mode {mode:?} is not an octal mode such as 0660"))?;
        if mode & 0o007 != 0 {
            bail!("socket mode {mode:04o} lets every local user submit: use 0660 and --socket-group for the people who may");
        }
        let group = group.map(gid_of).transpose()?;
        Ok(Access { mode, group })
    }
}

/// The id of `group`: a number, or a name looked up in /etc/group. (Written here: std has no
/// group lookup, and a crate for one file's three fields is not worth its weight. Groups only
/// in a directory service must be given by number.)
fn gid_of(group: &str) -> Result<u32> {
    if let Ok(gid) = group.parse() {
        return Ok(gid);
    }
    let groups = std::fs::read_to_string("/etc/group").context("reading /etc/group")?;
    groups
        .lines()
        .filter_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            let gid = fields.nth(1)?.parse().ok()?;
            (name == group).then_some(gid)
        })
        .next()
        .with_context(|| format!("no group {group:?} in /etc/group; give its number instead"))
}

/// Binds the socket at `path`. A leftover socket file nobody listens on (connection refused)
/// is replaced; a socket a live daemon answers on is an error, and so is one this user cannot
/// probe (permission denied: it may be another user's live daemon).
///
/// The socket is bound inside a fresh 0700 directory beside `path`, given mode 0660 there, and
/// only then linked into place, so it is never reachable with the permissions the umask gives.
pub fn bind(path: &Path, access: &Access) -> Result<tokio::net::UnixListener> {
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
    if let Some(gid) = access.group {
        std::os::unix::fs::chown(&staged, None, Some(gid))
            .with_context(|| format!("giving {} to group {gid}", path.display()))?;
    }
    std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(access.mode))
        .with_context(|| format!("setting permissions on {}", path.display()))?;
    // A hard link never replaces a file that appeared meanwhile (unlike rename).
    std::fs::hard_link(&staged, path).with_context(|| format!("binding {}", path.display()))?;
    listener.set_nonblocking(true)?;
    Ok(tokio::net::UnixListener::from_std(listener)?)
}
