//! Default locations, following the XDG base directory spec so that every path can be moved
//! (and tests can run in a temporary directory).

use std::path::PathBuf;

use anyhow::{bail, Result};

/// `$XDG_CONFIG_HOME/vouch`, else `~/.config/vouch`.
pub fn config_dir() -> Result<PathBuf> {
    base_dir("XDG_CONFIG_HOME", ".config").map(|d| d.join("vouch"))
}

/// The default directory for reviewer keys.
pub fn keys_dir() -> Result<PathBuf> {
    config_dir().map(|d| d.join("keys"))
}

/// `$XDG_STATE_HOME/vouch`, else `~/.local/state/vouch`.
pub fn state_dir() -> Result<PathBuf> {
    base_dir("XDG_STATE_HOME", ".local/state").map(|d| d.join("vouch"))
}

fn base_dir(variable: &str, fallback: &str) -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(variable).filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        if dir.is_absolute() {
            return Ok(dir);
        }
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(fallback)),
        None => bail!("neither {variable} nor HOME is set; give the path explicitly"),
    }
}
