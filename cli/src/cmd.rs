//! One module per subcommand, plus the file helpers they share.

pub mod attest;
pub mod check;
pub mod config;
pub mod docs;
pub mod export;
pub mod import;
pub mod install;
pub mod key;
pub mod log;
pub mod policy;
#[cfg(feature = "registry")]
pub mod publish;
#[cfg(feature = "registry")]
pub mod pull;
pub mod review;
pub mod revoke;
pub mod shell_init;
pub mod submit;
pub mod verify;

use std::io::{Read, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};

/// What a command concluded: the exit code is derived from it in `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Success, valid, trusted: exit 0.
    Yes,
    /// A negative answer (invalid, not trusted): exit 1.
    No,
    /// An error the command has already reported on stderr: exit 2.
    Failed,
}

/// The most bytes read from any one input (an envelope, a Dockerfile, a proof, a checkpoint):
/// 1 MiB, vouchd's own limit for an envelope.
pub const MAX_INPUT: u64 = 1 << 20;

/// Reads a file, or standard input for `-`, refusing more than [`MAX_INPUT`] bytes (so
/// `/dev/zero` or a wrong file is an error, not an exhausted memory).
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    let name = || {
        if path.as_os_str() == "-" {
            "standard input".to_string()
        } else {
            path.display().to_string()
        }
    };
    let reader: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).with_context(|| format!("reading {}", name()))?)
    };
    read_capped(reader, &name)
}

/// Reads `reader` to its end, refusing more than [`MAX_INPUT`] bytes; `name` names it in an
/// error.
pub fn read_capped(reader: impl Read, name: &dyn Fn() -> String) -> Result<Vec<u8>> {
    // Room for a typical envelope in the first read; larger inputs grow as they are read. (Sizing
    // it from the file's length cost a statx per file: 6% of `vouch verify` over many files.)
    let mut buf = Vec::with_capacity(INITIAL_READ);
    reader
        .take(MAX_INPUT + 1)
        .read_to_end(&mut buf)
        .with_context(|| format!("reading {}", name()))?;
    if buf.len() as u64 > MAX_INPUT {
        bail!(
            "{} is over {} bytes, more than any envelope, Dockerfile or proof; is it the right file?",
            name(),
            MAX_INPUT
        );
    }
    Ok(buf)
}

/// The first read's buffer size in [`read_capped`].
const INITIAL_READ: usize = 8192;

/// Writes `bytes` to standard output (`-`) or to the file `path`: through a new temporary file
/// in the same directory (mode 0644 whatever the umask), synced, then linked into place. An
/// existing file is replaced only with `force`; a symlink at `path` never is, so nothing is
/// ever written through one.
pub fn write_output(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)?;
        return out.flush().map_err(Into::into);
    }
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => bail!(
            "{} is a symbolic link; vouch does not write through one: remove it or choose another path",
            path.display()
        ),
        Ok(_) if !force => bail!(
            "{} already exists; give --force to replace it",
            path.display()
        ),
        _ => {}
    }
    let dir = parent_dir(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(".vouch-")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o644))
        .and_then(|()| tmp.write_all(bytes))
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    if force {
        tmp.persist(path).map_err(|e| e.error)
    } else {
        tmp.persist_noclobber(path).map_err(|e| e.error)
    }
    .with_context(|| format!("writing {}", path.display()))?;
    sync_dir(dir)
}

/// The directory `path` is in (`.` for a bare name).
pub fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Makes the directory's entries (a file just linked or renamed into it) durable.
pub fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("syncing {}", dir.display()))
}

/// `--build-arg KEY=VALUE` flags as the map the Dockerfile analysis takes.
pub fn build_args(flags: &[String]) -> Result<std::collections::BTreeMap<String, String>> {
    flags
        .iter()
        .map(|flag| match flag.split_once('=') {
            Some((k, v)) => Ok((k.to_string(), v.to_string())),
            None => bail!("--build-arg {flag:?}: write it as KEY=VALUE"),
        })
        .collect()
}

/// Prints one line of results on standard output; an error (such as a closed pipe) is returned,
/// not a panic as with `println!`.
pub fn print_line(line: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    Ok(())
}

/// A progress bar on stderr for long runs over entries: `{msg} [bar] done/total (rate, eta)`.
/// The caller shows it only on a terminal.
pub fn progress_bar(message: &'static str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} {bar:40} {pos}/{len} entries ({per_sec}, {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(message);
    bar
}
