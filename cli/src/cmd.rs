//! One module per subcommand, plus the file helpers they share.

pub mod attest;
pub mod check;
pub mod docs;
pub mod key;
pub mod log;
pub mod review;
pub mod submit;
pub mod verify;

use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, Result};

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

/// Reads a file, or standard input for `-`.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("reading standard input")?;
        return Ok(buf);
    }
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// Writes a file, or standard output for `-`.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<()> {
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)?;
        return out.flush().map_err(Into::into);
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// Prints one line of results on standard output; an error (such as a closed pipe) is returned,
/// not a panic as with `println!`.
pub fn print_line(line: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    Ok(())
}
