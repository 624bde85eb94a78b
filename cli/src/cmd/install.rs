//! `vouch install docker-plugin`: the Docker CLI plugin `docker-vouch`, a symbolic link to this
//! vouch. Docker runs a plugin as `docker-vouch vouch ARGS...` and asks it
//! `docker-cli-plugin-metadata` first; `main` answers both when vouch is run by that name.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::cli::InstallPluginArgs;
use crate::cmd::{print_line, Outcome};

/// The file name docker looks for: `docker-` and the subcommand.
pub const PLUGIN_NAME: &str = "docker-vouch";

/// The plugin directory docker reads: `$DOCKER_CONFIG/cli-plugins`, else
/// `~/.docker/cli-plugins`.
fn default_dir() -> Result<PathBuf> {
    if let Some(config) = std::env::var_os("DOCKER_CONFIG") {
        return Ok(PathBuf::from(config).join("cli-plugins"));
    }
    let home = std::env::var_os("HOME").context("HOME is not set: give --dir")?;
    Ok(PathBuf::from(home).join(".docker/cli-plugins"))
}

/// Runs `vouch install docker-plugin`.
pub fn docker_plugin(args: &InstallPluginArgs) -> Result<Outcome> {
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => default_dir()?,
    };
    let exe = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .context("finding this vouch's own path")?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let link = dir.join(PLUGIN_NAME);
    match std::fs::symlink_metadata(&link) {
        Ok(_) if points_to(&link, &exe) => {
            print_line(&format!(
                "{} already links to {}",
                link.display(),
                exe.display()
            ))?;
            return Ok(Outcome::Yes);
        }
        Ok(_) if !args.force => bail!(
            "{} exists and is not a link to this vouch ({}); remove it or give --force",
            link.display(),
            exe.display()
        ),
        Ok(_) => std::fs::remove_file(&link)
            .with_context(|| format!("removing the old {}", link.display()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("looking at {}", link.display())),
    }
    std::os::unix::fs::symlink(&exe, &link)
        .with_context(|| format!("linking {} to {}", link.display(), exe.display()))?;
    print_line(&format!(
        "installed {} -> {}; try `docker vouch pull IMAGE`",
        link.display(),
        exe.display()
    ))?;
    Ok(Outcome::Yes)
}

fn points_to(link: &Path, exe: &Path) -> bool {
    std::fs::read_link(link)
        .ok()
        .and_then(|target| link.parent().map(|dir| dir.join(target)))
        .and_then(|target| target.canonicalize().ok())
        .is_some_and(|target| target == exe)
}
