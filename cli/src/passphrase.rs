//! Passphrases for private keys: from a file (`--passphrase-file` / `VOUCH_PASSPHRASE_FILE`, as
//! secret stores mount them), from `VOUCH_PASSPHRASE`, else asked on the terminal. Never the
//! passphrase itself in a flag (flags end up in shell history and process lists), never logged.
//! One trailing line break is not part of the passphrase, wherever it comes from: the prompt
//! never includes the Enter key, and `$(cat file)` or a secret file may end in one.

use std::io::IsTerminal;

use anyhow::{bail, Context, Result};
use zeroize::Zeroizing;

/// The environment variable that carries the passphrase for scripts.
pub const PASSPHRASE_VAR: &str = "VOUCH_PASSPHRASE";

/// The largest passphrase file read.
const MAX_FILE: u64 = 4096;

static FILE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Reads passphrases from `path` from now on (`--passphrase-file`).
pub fn use_file(path: &std::path::Path) {
    let _ = FILE.set(path.to_path_buf());
}

/// Drops one trailing line break (LF or CR LF).
fn chomp(mut text: String) -> Zeroizing<String> {
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Zeroizing::new(text)
}

fn from_file(path: &std::path::Path) -> Result<Zeroizing<String>> {
    use std::io::Read;
    let mut bytes = Zeroizing::new(Vec::new());
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE + 1).read_to_end(&mut bytes))
        .with_context(|| format!("reading the passphrase file {}", path.display()))?;
    if bytes.len() as u64 > MAX_FILE {
        bail!(
            "the passphrase file {} is over {MAX_FILE} bytes; is it the right file?",
            path.display()
        );
    }
    let text = String::from_utf8(bytes.to_vec())
        .with_context(|| format!("the passphrase file {} is not UTF-8", path.display()))?;
    Ok(chomp(text))
}

/// The passphrase to unlock an existing key.
pub fn for_unlock(what: &str) -> Result<Zeroizing<String>> {
    if let Some(value) = from_env()? {
        return Ok(value);
    }
    prompt(&format!("passphrase for {what}: "))
}

/// A new passphrase, asked twice on a terminal. Empty passphrases are refused.
pub fn for_new_key(what: &str) -> Result<Zeroizing<String>> {
    let value = match from_env()? {
        Some(value) => value,
        None => {
            let first = prompt(&format!("new passphrase for {what}: "))?;
            let again = prompt("repeat the passphrase: ")?;
            if first != again {
                bail!("the passphrases differ; nothing was written");
            }
            first
        }
    };
    if value.is_empty() {
        bail!("an empty passphrase would leave the key unprotected; choose one");
    }
    Ok(value)
}

fn from_env() -> Result<Option<Zeroizing<String>>> {
    if let Some(path) = FILE.get() {
        if std::env::var_os(PASSPHRASE_VAR).is_some() {
            bail!("both {PASSPHRASE_VAR} and a passphrase file are given; use one");
        }
        return from_file(path).map(Some);
    }
    match std::env::var(PASSPHRASE_VAR) {
        Ok(value) => Ok(Some(chomp(value))),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => bail!("{PASSPHRASE_VAR} is not valid UTF-8"),
    }
}

fn prompt(text: &str) -> Result<Zeroizing<String>> {
    // Only prompt when a person is there: a script or test with piped input must not block on
    // the terminal it happens to run in.
    if !std::io::stdin().is_terminal() {
        bail!("no passphrase: set {PASSPHRASE_VAR} or run vouch on a terminal");
    }
    rpassword::prompt_password(text)
        .map(chomp)
        .with_context(|| format!("no passphrase: set {PASSPHRASE_VAR} or run vouch on a terminal"))
}

#[cfg(test)]
mod tests {
    use super::chomp;

    #[test]
    fn one_trailing_line_break_is_dropped() {
        assert_eq!(chomp("secret\n".into()).as_str(), "secret");
        assert_eq!(chomp("secret\r\n".into()).as_str(), "secret");
        assert_eq!(chomp("secret\n\n".into()).as_str(), "secret\n");
        assert_eq!(chomp(" secret ".into()).as_str(), " secret ");
    }
}
