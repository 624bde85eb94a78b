//! Writing files that must appear whole or not at all: keys (reviewer and log keys).

use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Creates `path`, which must not exist, with `mode` and `bytes`: written whole to a new
/// temporary file in the same directory, synced, then linked into place (never replacing a
/// file that appeared meanwhile), and the directory synced. A failed write (full disk, file
/// size limit) leaves nothing at `path`, so a retry is not refused.
pub fn write_new(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".vouch-new-")
        .permissions(std::fs::Permissions::from_mode(mode))
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    std::fs::File::open(dir)?.sync_all()
}
