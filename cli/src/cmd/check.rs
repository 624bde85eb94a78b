//! `vouch check`: is this digest trusted, and why.

use std::path::Path;

use anyhow::{Context, Result};
use vouch_proto::api::TrustResponse;
use vouch_proto::{Digest, ImageRef};

use crate::cli::CheckArgs;
use crate::client::Client;
use crate::cmd::{print_line, Outcome};
use crate::known;

/// Runs `vouch check`.
pub fn run(args: &CheckArgs, socket: Option<&Path>) -> Result<Outcome> {
    let digest: Digest = if args.image.starts_with("sha256:") {
        args.image
            .parse()
            .with_context(|| format!("{:?}", args.image))?
    } else {
        ImageRef::parse_pinned(&args.image)?.digest()
    };
    let client = Client::new(socket)?;
    let answer: TrustResponse = client.get(&format!("/v1/trust/{digest}"))?.json()?;
    if answer.digest != digest.to_string() {
        anyhow::bail!(
            "vouchd answered about {} instead of {digest}",
            answer.digest
        );
    }
    if let Some(checkpoint) = &answer.checkpoint {
        known::observe(&client, checkpoint)?;
    }
    if args.json {
        print_line(&serde_json::to_string(&answer)?)?;
    } else {
        let verdict = if answer.trusted {
            "TRUSTED"
        } else {
            "NOT TRUSTED"
        };
        print_line(&format!("{verdict}: {}", args.image))?;
        for reason in &answer.reasons {
            print_line(&format!("  - {reason}"))?;
        }
        if let Some(checkpoint) = &answer.checkpoint {
            print_line(&format!(
                "  (ledger {} at size {})",
                checkpoint.origin, checkpoint.tree_size
            ))?;
        }
    }
    Ok(if answer.trusted {
        Outcome::Yes
    } else {
        Outcome::No
    })
}
