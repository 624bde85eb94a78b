//! Reading the many files `vouch verify` is given, each opened relative to its directory.
//!
//! Written on `openat(2)` (through rustix, as std has no call for it) for speed only: opening
//! `/a/b/c/env.json` makes the kernel walk four path components, opening `env.json` in a
//! directory already open walks one. Over 10,000 files named by absolute paths that was about
//! 3% of the run. What is read is the same: the directory is opened by its path and the file by
//! its name in it, so symlinks are followed as `open(2)` follows them.

use std::fs::File;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rustix::fs::{Mode, OFlags};

use crate::cmd::read_capped;

/// Opens files, keeping the directory of the last one open.
#[derive(Default)]
pub(crate) struct Opener {
    dir: Option<(PathBuf, OwnedFd)>,
}

impl Opener {
    /// Reads the file `path`, refusing more than [`crate::cmd::MAX_INPUT`] bytes, with the
    /// errors of [`crate::cmd::read_input`].
    pub(crate) fn read(&mut self, path: &Path) -> Result<Vec<u8>> {
        let name = || path.display().to_string();
        let file = self
            .open(path)
            .with_context(|| format!("reading {}", name()))?;
        read_capped(file, &name)
    }

    fn open(&mut self, path: &Path) -> std::io::Result<File> {
        // A path ending in `/` must name a directory, which a name looked up alone would not
        // enforce; `..` and `.` have no name to look up. Those, and names in the working
        // directory, are opened as they are.
        let ends_in_slash = path.as_os_str().as_encoded_bytes().last() == Some(&b'/');
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return File::open(path);
        };
        if ends_in_slash || parent.as_os_str().is_empty() {
            return File::open(path);
        }
        let Some(dir) = self.dir_of(parent) else {
            return File::open(path);
        };
        let flags = OFlags::RDONLY | OFlags::CLOEXEC;
        Ok(File::from(rustix::fs::openat(
            dir,
            name,
            flags,
            Mode::empty(),
        )?))
    }

    /// The open directory `parent`, opened now if it is not the last one; `None` if it cannot
    /// be (the file is then opened by its whole path, which gives the error a user expects).
    fn dir_of(&mut self, parent: &Path) -> Option<&OwnedFd> {
        if self.dir.as_ref().is_none_or(|(open, _)| open != parent) {
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
            let fd = rustix::fs::open(parent, flags, Mode::empty()).ok()?;
            self.dir = Some((parent.to_path_buf(), fd));
        }
        self.dir.as_ref().map(|(_, fd)| fd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_read_input_reads_and_fails_the_same_way() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("a.json"), b"first").unwrap();
        std::fs::write(sub.join("b.json"), b"second").unwrap();
        std::fs::write(dir.path().join("c.json"), b"third").unwrap();
        let mut opener = Opener::default();
        for path in [
            sub.join("a.json"),
            sub.join("b.json"),
            dir.path().join("c.json"),
            sub.join("../c.json"),
            sub.join("missing.json"),
            sub.join("a.json/"),
            dir.path().join("missing/a.json"),
        ] {
            let ours = opener.read(&path).map_err(|e| format!("{e:#}"));
            let std = crate::cmd::read_input(&path).map_err(|e| format!("{e:#}"));
            assert_eq!(ours, std, "{}", path.display());
        }
        assert_eq!(opener.read(&sub.join("b.json")).unwrap(), b"second");
    }

    #[test]
    fn a_directory_reads_as_one() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let err = Opener::default().read(&sub).unwrap_err();
        let kinds: Vec<_> = err
            .chain()
            .filter_map(|e| e.downcast_ref::<std::io::Error>())
            .map(std::io::Error::kind)
            .collect();
        assert_eq!(kinds, [std::io::ErrorKind::IsADirectory], "{err:#}");
    }
}
