//! `vouch config show`: each setting in force and where it came from.

use anyhow::Result;
use vouch_ledger::config_file::ConfigFile;

use crate::cli::ConfigShowArgs;
use crate::cmd::{print_line, Outcome};
use crate::config::{effective, path};

/// Prints the settings: a table, or one JSON object with `--json`.
pub fn show(
    args: &ConfigShowArgs,
    matches: &clap::ArgMatches,
    file: Option<&ConfigFile>,
) -> Result<Outcome> {
    let settings = effective(matches, file);
    let file_path = path().map(|p| p.display().to_string());
    if args.json {
        let shown = serde_json::json!({
            "configFile": file_path,
            "configFileExists": file.is_some(),
            "settings": settings,
        });
        print_line(&serde_json::to_string(&shown)?)?;
        return Ok(Outcome::Yes);
    }
    let state = if file.is_some() { "" } else { " (none there)" };
    print_line(&format!(
        "config file: {}{state}",
        file_path
            .as_deref()
            .unwrap_or("(no XDG_CONFIG_HOME or HOME)")
    ))?;
    for setting in settings {
        let value = if setting.value.is_empty() {
            "(unset)".to_string()
        } else {
            setting.value.join(", ")
        };
        print_line(&format!(
            "{:<20} {value}  [{}]",
            setting.setting, setting.source
        ))?;
    }
    Ok(Outcome::Yes)
}
