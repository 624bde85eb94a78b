//! The container engine `vouch pull` hands a reviewed digest to: the `docker` or `podman`
//! command, run as the user would run it (same environment: `DOCKER_HOST`, contexts,
//! `CONTAINERS_*` files), with its own progress output on the terminal.

use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::cli::EngineChoice;

/// One engine's command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    /// `docker` or `podman`.
    pub name: &'static str,
}

impl Engine {
    /// The engine asked for; `auto` is docker when a `docker` command is on PATH, else podman.
    pub fn choose(choice: EngineChoice) -> Result<Self> {
        let name = match choice {
            EngineChoice::Docker => "docker",
            EngineChoice::Podman => "podman",
            EngineChoice::Auto if on_path("docker") => "docker",
            EngineChoice::Auto if on_path("podman") => "podman",
            EngineChoice::Auto => bail!(
                "neither docker nor podman is on PATH: install one, or give --engine with the one you have"
            ),
        };
        if !on_path(name) {
            bail!("--engine {name}: no `{name}` command on PATH");
        }
        Ok(Engine { name })
    }

    /// `ENGINE pull [--platform P] REFERENCE`. The engine checks what it downloads against the
    /// digest in `reference`. Its output goes to the terminal, or to stderr when `quiet_stdout`
    /// (stdout then carries only vouch's JSON).
    pub fn pull(&self, reference: &str, platform: Option<&str>, quiet_stdout: bool) -> Result<()> {
        let mut command = Command::new(self.name);
        command.arg("pull");
        if let Some(platform) = platform {
            command.args(["--platform", platform]);
        }
        command.arg(reference);
        self.run(command, quiet_stdout)
            .with_context(|| format!("{} pull {reference}", self.name))
    }

    /// `ENGINE tag SOURCE TARGET`.
    pub fn tag(&self, source: &str, target: &str, quiet_stdout: bool) -> Result<()> {
        let mut command = Command::new(self.name);
        command.args(["tag", source, target]);
        self.run(command, quiet_stdout)
            .with_context(|| format!("{} tag {source} {target}", self.name))
    }

    fn run(&self, mut command: Command, quiet_stdout: bool) -> Result<()> {
        if quiet_stdout {
            command.stdout(stderr_stdio()?);
        }
        let status = command
            .stdin(Stdio::null())
            .status()
            .with_context(|| format!("running {}", self.name))?;
        if !status.success() {
            bail!("{} failed ({status})", self.name);
        }
        Ok(())
    }
}

/// This process's stderr, for a child's stdout.
fn stderr_stdio() -> Result<Stdio> {
    use std::os::fd::AsFd;
    let fd = std::io::stderr().as_fd().try_clone_to_owned()?;
    Ok(Stdio::from(fd))
}

/// Whether `program` is an executable file in a PATH directory.
fn on_path(program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            std::fs::metadata(dir.join(program))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

/// The platform this machine runs, as engines name it (`linux/amd64`, `linux/arm64/v8`...).
pub fn local_platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "arm" => "arm",
        "powerpc64" => "ppc64le",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        other => other,
    };
    format!("{}/{arch}", std::env::consts::OS)
}

/// Whether `listed` (an index entry's `os/arch[/variant]`) is the platform `wanted`; a wanted
/// platform without a variant matches any variant.
pub fn platform_matches(listed: &str, wanted: &str) -> bool {
    listed == wanted
        || listed
            .strip_prefix(wanted)
            .is_some_and(|rest| rest.starts_with('/') && wanted.matches('/').count() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_match_with_or_without_a_variant() {
        assert!(platform_matches("linux/amd64", "linux/amd64"));
        assert!(platform_matches("linux/arm64/v8", "linux/arm64"));
        assert!(platform_matches("linux/arm64/v8", "linux/arm64/v8"));
        assert!(!platform_matches("linux/arm64/v7", "linux/arm64/v8"));
        assert!(!platform_matches("linux/amd64", "linux/arm64"));
        assert!(!platform_matches("linux/amd64x", "linux/amd64"));
        assert!(local_platform().starts_with("linux/"));
    }
}
