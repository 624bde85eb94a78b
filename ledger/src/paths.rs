//! Where vouchd and vouch look by default: the socket and the ledger, from the environment
//! (`VOUCH_SOCKET`, XDG base directories, `HOME`). Here rather than in vouch-proto, which does
//! no I/O and reads no environment; both binaries depend on this crate.

use std::path::PathBuf;

/// The default socket of vouchd: `$VOUCH_SOCKET`, else `/run/vouch/vouchd.sock` for root, else
/// `$XDG_RUNTIME_DIR/vouch/vouchd.sock`. `None` when none of these can be determined.
pub fn default_socket_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("VOUCH_SOCKET").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(path));
    }
    // The owner of /proc/self is this process's effective user: no unsafe geteuid() needed.
    let root = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").ok()?) == 0;
    if root {
        return Some(PathBuf::from("/run/vouch/vouchd.sock"));
    }
    std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|d| !d.is_empty())
        .map(|dir| PathBuf::from(dir).join("vouch/vouchd.sock"))
}

/// vouchd's default ledger: `$XDG_DATA_HOME/vouch/ledger.db`, else
/// `~/.local/share/vouch/ledger.db`. `None` when neither variable is set.
pub fn default_ledger_path() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => {
            PathBuf::from(std::env::var_os("HOME").filter(|v| !v.is_empty())?).join(".local/share")
        }
    };
    Some(base.join("vouch/ledger.db"))
}
