//! `vouch shell-init`: shell functions named `docker` and `podman` that send `pull` and
//! `image pull` through `vouch pull` (with that engine), refuse a line with options before the
//! subcommand that holds `pull` (which options take a value is the engine's to know, so such a
//! line cannot be routed safely), and run every other subcommand as the engine itself. What they
//! cannot cover: the pull that `run` and `create` make of an image not present (the engine pulls
//! it itself), and anything that calls the engine without the shell (scripts with `command`,
//! other programs, the engine's API): enforcement in the engine is the answer there.

use anyhow::Result;

use crate::cli::{InitShell, ShellInitArgs};
use crate::cmd::{print_line, Outcome};

/// What the functions say when options come before the subcommand and the line holds `pull`:
/// which options take a value differs by engine and version, so they are not parsed here; the
/// line is refused rather than passed through unchecked.
fn refusal(engine: &str) -> String {
    format!(
        "vouch: {engine} with options before the subcommand is not checked by vouch; run: vouch pull --engine {engine} IMAGE (or: command {engine} ... to bypass vouch)"
    )
}

/// The functions for bash and zsh (the same POSIX function syntax).
fn posix(engine: &str) -> String {
    let refusal = refusal(engine);
    format!(
        "{engine}() {{
  case \"$1\" in
    pull) shift; command vouch pull --engine {engine} \"$@\" ;;
    image)
      if [ \"$2\" = pull ]; then shift 2; command vouch pull --engine {engine} \"$@\"
      else command {engine} \"$@\"; fi ;;
    -*)
      for vouch_word in \"$@\"; do
        if [ \"$vouch_word\" = pull ]; then echo '{refusal}' >&2; return 2; fi
      done
      command {engine} \"$@\" ;;
    *) command {engine} \"$@\" ;;
  esac
}}
"
    )
}

/// The functions for fish.
fn fish(engine: &str) -> String {
    let refusal = refusal(engine);
    format!(
        "function {engine} --wraps {engine} --description '{engine}, with pull checked by vouch'
    if test (count $argv) -ge 1; and test \"$argv[1]\" = pull
        command vouch pull --engine {engine} $argv[2..-1]
    else if test (count $argv) -ge 2; and test \"$argv[1]\" = image; and test \"$argv[2]\" = pull
        command vouch pull --engine {engine} $argv[3..-1]
    else if test (count $argv) -ge 1; and string match -q -- '-*' $argv[1]; and contains -- pull $argv
        echo '{refusal}' >&2
        return 2
    else
        command {engine} $argv
    end
end
"
    )
}

/// Runs `vouch shell-init SHELL`.
pub fn run(args: &ShellInitArgs) -> Result<Outcome> {
    let header =
        "# vouch shell-init: `docker pull`, `docker image pull` and the same for podman go \
                  through `vouch pull`; options before the subcommand with a `pull` are refused; \
                  the implicit pull of `run` and `create` is not checked; `command docker pull` \
                  bypasses it.";
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
