//! vouchd's config file: `--config FILE`, else `VOUCHD_CONFIG`, else `/etc/vouch/vouchd.toml`
//! when it exists. Its values become the flags' defaults before the command line is read, so a
//! `VOUCH_*` variable or a flag still wins: built-in default < file < environment < flag.

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::Result;
use vouch_ledger::config_file::{self, ConfigFile, Kind};

/// The file read when neither `--config` nor `VOUCHD_CONFIG` names one.
pub const DEFAULT_PATH: &str = "/etc/vouch/vouchd.toml";

/// The keys, their kinds, and the flag each sets (the argument's id).
const KEYS: &[(&str, Kind, &str)] = &[
    ("db", Kind::Path, "db"),
    ("socket", Kind::Path, "socket"),
    ("socket_group", Kind::Text, "socket_group"),
    ("socket_mode", Kind::Text, "socket_mode"),
    ("listen", Kind::Text, "listen"),
    ("policy", Kind::Path, "policy"),
    ("trusted_keys", Kind::Paths, "trusted_keys"),
    ("audit_interval", Kind::Count, "audit_interval"),
    ("max_connections", Kind::Count, "max_connections"),
    ("tcp_max_connections", Kind::Count, "tcp_max_connections"),
    ("tcp_threads", Kind::Count, "tcp_threads"),
    ("log_passphrase_file", Kind::Path, "log_passphrase_file"),
];

/// The config file the command line names (`--config FILE` or `--config=FILE`), else
/// `VOUCHD_CONFIG`, else the default path; and whether it was named (a named file must exist).
fn named(args: &[OsString]) -> (PathBuf, bool) {
    let mut words = args.iter().skip(1);
    while let Some(word) = words.next() {
        let text = word.to_string_lossy();
        if text == "--" {
            break;
        }
        if text == "--config" {
            if let Some(path) = words.next() {
                return (PathBuf::from(path), true);
            }
        } else if let Some(path) = text.strip_prefix("--config=") {
            return (PathBuf::from(path), true);
        }
    }
    match std::env::var_os("VOUCHD_CONFIG").filter(|v| !v.is_empty()) {
        Some(path) => (PathBuf::from(path), true),
        None => (PathBuf::from(DEFAULT_PATH), false),
    }
}

/// `command` with the defaults the config file gives, and the file (if any was read).
pub fn with_config(
    mut command: clap::Command,
    args: &[OsString],
) -> Result<(clap::Command, Option<ConfigFile>)> {
    let (path, required) = named(args);
    let known: Vec<(&str, Kind)> = KEYS.iter().map(|(k, kind, _)| (*k, *kind)).collect();
    let Some(file) = config_file::read(&path, &known)? else {
        if required {
            anyhow::bail!(
                "{}: no such config file (named by --config or VOUCHD_CONFIG)",
                path.display()
            );
        }
        return Ok((command, None));
    };
    for (key, _, arg) in KEYS {
        if let Some(setting) = file.get(key) {
            // The command line lives as long as the process: these few strings too.
            let values: Vec<&'static str> = setting
                .values
                .iter()
                .map(|v| &*Box::leak(v.clone().into_boxed_str()))
                .collect();
            command = command.mut_arg(*arg, |a| a.default_values(values));
        }
    }
    Ok((command, Some(file)))
}
