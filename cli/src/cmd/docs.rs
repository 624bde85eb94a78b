//! `vouch completions` and `vouch man`: generated from the clap tree, so they never drift from
//! the real flags.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::cmd::Outcome;

/// Runs `vouch completions SHELL`.
pub fn completions(args: &CompletionsArgs) -> Result<Outcome> {
    let mut command = Cli::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "vouch",
        &mut std::io::stdout().lock(),
    );
    Ok(Outcome::Yes)
}

/// Runs `vouch man`.
pub fn man() -> Result<Outcome> {
    clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout().lock())?;
    Ok(Outcome::Yes)
}
