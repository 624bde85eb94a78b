//! `vouch shell-init`: shell functions named `docker` and `podman` that send `pull` through
//! `vouch pull` (with that engine) and run every other subcommand as the engine itself.

use anyhow::Result;

use crate::cli::{InitShell, ShellInitArgs};
use crate::cmd::{print_line, Outcome};

/// The functions for bash and zsh (the same POSIX function syntax).
fn posix(engine: &str) -> String {
    format!(
        "{engine}() {{\n  if [ \"$1\" = pull ]; then\n    shift\n    command vouch pull --engine {engine} \"$@\"\n  else\n    command {engine} \"$@\"\n  fi\n}}\n"
    )
}

/// The functions for fish.
fn fish(engine: &str) -> String {
    format!(
        "function {engine} --wraps {engine} --description '{engine}, with pull checked by vouch'\n    if test (count $argv) -ge 1; and test \"$argv[1]\" = pull\n        command vouch pull --engine {engine} $argv[2..-1]\n    else\n        command {engine} $argv\n    end\nend\n"
    )
}

/// Runs `vouch shell-init SHELL`.
pub fn run(args: &ShellInitArgs) -> Result<Outcome> {
    let header = "# vouch shell-init: `docker pull` and `podman pull` go through `vouch pull`; \
                  `command docker pull` bypasses it.";
    print_line(header)?;
    for engine in ["docker", "podman"] {
        let text = match args.shell {
            InitShell::Bash | InitShell::Zsh => posix(engine),
            InitShell::Fish => fish(engine),
        };
        print!("{text}");
    }
    Ok(Outcome::Yes)
}
