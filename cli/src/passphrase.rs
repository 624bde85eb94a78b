//! Passphrases for private keys: from `VOUCH_PASSPHRASE`, else asked on the terminal. Never from
//! a flag (flags end up in shell history and process lists), never logged.

use std::io::IsTerminal;

use anyhow::{bail, Context, Result};
use zeroize::Zeroizing;

/// The environment variable that carries the passphrase for scripts.
pub const PASSPHRASE_VAR: &str = "VOUCH_PASSPHRASE";

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
    match std::env::var(PASSPHRASE_VAR) {
        Ok(value) => Ok(Some(Zeroizing::new(value))),
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
        .map(Zeroizing::new)
        .with_context(|| format!("no passphrase: set {PASSPHRASE_VAR} or run vouch on a terminal"))
}
