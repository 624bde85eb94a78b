//! The CLI's config file, `$XDG_CONFIG_HOME/vouch/config.toml` (`VOUCH_CONFIG` names another):
//! vouchd's socket, the default signing key, the reviewer keys `vouch check` and `vouch pull`
//! pin, the registries spoken to over plain HTTP, the default engine, the passphrase file. Its
//! values become the flags' defaults before the command line is read, so a `VOUCH_*` variable or
//! a flag still wins: built-in default < file < environment < flag.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, ValueEnum};
use vouch_ledger::config_file::{self, ConfigFile, Kind};

use crate::cli::{Cli, EngineChoice};

/// Each key: its kind, the environment variable that overrides it, and the flag it sets (the
/// argument's id, in each subcommand that has it; an empty path is the top level).
const KEYS: &[Key] = &[
    Key::new("socket", Kind::Path, Some("VOUCH_SOCKET"), &[&[]], "socket"),
    Key::new(
        "passphrase_file",
        Kind::Path,
        Some("VOUCH_PASSPHRASE_FILE"),
        &[&[]],
        "passphrase_file",
    ),
    Key::new("key", Kind::Path, None, &[&["attest"], &["revoke"]], "key"),
    Key::new(
        "trusted_keys",
        Kind::Paths,
        Some("VOUCH_TRUSTED_KEYS"),
        &[&["check"], &["pull"]],
        "trusted_keys",
    ),
    Key::new(
        "insecure_registries",
        Kind::Texts,
        Some("VOUCH_INSECURE_REGISTRIES"),
        &[&["attest"], &["check"], &["pull"], &["publish"], &["fetch"]],
        "insecure_registries",
    ),
    Key::new(
        "engine",
        Kind::Text,
        Some("VOUCH_ENGINE"),
        &[&["pull"]],
        "engine",
    ),
];

/// One key of the file.
struct Key {
    name: &'static str,
    kind: Kind,
    env: Option<&'static str>,
    commands: &'static [&'static [&'static str]],
    arg: &'static str,
}

impl Key {
    const fn new(
        name: &'static str,
        kind: Kind,
        env: Option<&'static str>,
        commands: &'static [&'static [&'static str]],
        arg: &'static str,
    ) -> Self {
        Key {
            name,
            kind,
            env,
            commands,
            arg,
        }
    }
}

/// Where the config file is: `VOUCH_CONFIG`, else `$XDG_CONFIG_HOME/vouch/config.toml`, else
/// `~/.config/vouch/config.toml`.
pub fn path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("VOUCH_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    crate::paths::config_dir()
        .ok()
        .map(|dir| dir.join("config.toml"))
}

/// The command line read with the config file's values as defaults; the file, if there is one.
pub fn parse(args: Vec<std::ffi::OsString>) -> Result<(Cli, ArgMatches, Option<ConfigFile>)> {
    let known: Vec<(&str, Kind)> = KEYS.iter().map(|k| (k.name, k.kind)).collect();
    let file = match path() {
        Some(path) => config_file::read(&path, &known)?,
        None => None,
    };
    let mut command = Cli::command();
    if let Some(file) = &file {
        check_values(file)?;
        command = with_defaults(command, file);
    }
    let matches = command.get_matches_from(args);
    let cli = Cli::from_arg_matches(&matches).context("reading the command line")?;
    Ok((cli, matches, file))
}

/// Values clap would only refuse later, without naming the file: checked here.
fn check_values(file: &ConfigFile) -> Result<()> {
    if let Some(engine) = file.get("engine") {
        let value = &engine.values[0];
        if EngineChoice::from_str(value, false).is_err() {
            anyhow::bail!(
                "{}:{}: `engine`: {value:?} is not an engine; use docker, podman or auto",
                file.path.display(),
                engine.line
            );
        }
    }
    Ok(())
}

/// `command` with the file's values as the defaults of the flags they set.
fn with_defaults(mut command: clap::Command, file: &ConfigFile) -> clap::Command {
    for key in KEYS {
        let Some(setting) = file.get(key.name) else {
            continue;
        };
        // The parsed command line lives as long as the process: these few strings too.
        let values: Vec<&'static str> = setting
            .values
            .iter()
            .map(|v| &*Box::leak(v.clone().into_boxed_str()))
            .collect();
        for path in key.commands {
            let set = |arg: clap::Arg| arg.default_values(values.clone());
            command = match path {
                [] => command.mut_arg(key.arg, set),
                [sub] => command.mut_subcommand(*sub, |c| c.mut_arg(key.arg, set)),
                _ => command,
            };
        }
    }
    command
}

/// Where one setting's value came from.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Effective {
    /// The key.
    pub setting: &'static str,
    /// The value(s) in force (none: unset).
    pub value: Vec<String>,
    /// `flag`, `env VOUCH_X`, `file PATH:LINE` or `default`.
    pub source: String,
}

/// Every setting's value and where it came from, as `vouch config show` prints them.
pub fn effective(matches: &ArgMatches, file: Option<&ConfigFile>) -> Vec<Effective> {
    KEYS.iter()
        .map(|key| {
            let top = key.commands.iter().any(|c| c.is_empty());
            let given = top
                .then(|| matches.value_source(key.arg))
                .flatten()
                .filter(|s| *s == ValueSource::CommandLine);
            let env = key.env.and_then(|name| {
                std::env::var(name)
                    .ok()
                    .filter(|v| !v.is_empty())
                    .map(|v| (name, v))
            });
            let setting = file.and_then(|f| f.get(key.name).map(|s| (f, s)));
            let (value, source) = match (given, env, setting) {
                (Some(_), _, _) => (flag_values(matches, key.arg), "flag".to_string()),
                (None, Some((name, v)), _) => (split_env(key, &v), format!("env {name}")),
                (None, None, Some((f, s))) => (
                    s.values.clone(),
                    format!("file {}:{}", f.path.display(), s.line),
                ),
                (None, None, None) => (default_of(key.name), "default".to_string()),
            };
            Effective {
                setting: key.name,
                value,
                source,
            }
        })
        .collect()
}

fn flag_values(matches: &ArgMatches, arg: &str) -> Vec<String> {
    matches
        .get_raw(arg)
        .map(|values| values.map(|v| v.to_string_lossy().to_string()).collect())
        .unwrap_or_default()
}

fn split_env(key: &Key, value: &str) -> Vec<String> {
    let separator = match key.kind {
        Kind::Paths => ':',
        Kind::Texts => ',',
        _ => return vec![value.to_string()],
    };
    value
        .split(separator)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// The built-in default of a setting, as the commands take it.
fn default_of(name: &str) -> Vec<String> {
    let shown = |p: Option<PathBuf>| p.map(|p| p.display().to_string()).into_iter().collect();
    match name {
        "socket" => shown(vouch_ledger::paths::default_socket_path()),
        "passphrase_file" => Vec::new(),
        "key" => shown(
            crate::paths::keys_dir()
                .ok()
                .map(|d| d.join("reviewer.key")),
        ),
        "engine" => vec!["auto".to_string()],
        _ => Vec::new(),
    }
}
