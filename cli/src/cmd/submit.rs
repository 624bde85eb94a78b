//! `vouch submit`: send envelopes to vouchd; check the inclusion proof and the checkpoint it
//! answers with.

use std::path::Path;

use anyhow::{bail, Result};
use serde::Serialize;
use vouch_proto::api::SubmitResponse;

use crate::cli::SubmitArgs;
use crate::client::Client;
use crate::cmd::{print_line, read_input, Outcome};
use crate::known;

/// One line of `vouch submit --json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubmitLine<'a> {
    file: String,
    accepted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    entry: Option<&'a SubmitResponse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// Runs `vouch submit`.
pub fn run(args: &SubmitArgs, socket: Option<&Path>) -> Result<Outcome> {
    let client = Client::new(socket)?;
    let mut outcome = Outcome::Yes;
    for path in &args.envelopes {
        let file = path.display().to_string();
        let reply = client.post("/v1/entries", read_input(path)?)?;
        if reply.status >= 500 {
            bail!("{file}: {}", reply.error_text());
        }
        if !(200..300).contains(&reply.status) {
            outcome = Outcome::No;
            let reason = reply.error_text();
            if args.json {
                print_line(&serde_json::to_string(&SubmitLine {
                    file,
                    accepted: false,
                    entry: None,
                    reason: Some(reason),
                })?)?;
            } else {
                print_line(&format!("{file}: refused: {reason}"))?;
            }
            continue;
        }
        let response: SubmitResponse = reply.json()?;
        // Do not take vouchd's word for it: the proof must lead to a checkpoint that extends
        // what this CLI saw before.
        let checkpoint = known::observe(&client, &response.checkpoint)?;
        if response.inclusion_proof.index != response.index
            || response.inclusion_proof.tree_size != checkpoint.tree_size
        {
            bail!("{file}: vouchd's inclusion proof is for another entry or tree size");
        }
        response
            .inclusion_proof
            .verify(&checkpoint.root_hash)
            .map_err(|e| anyhow::anyhow!("{file}: vouchd's inclusion proof: {e}"))?;
        if args.json {
            print_line(&serde_json::to_string(&SubmitLine {
                file,
                accepted: true,
                entry: Some(&response),
                reason: None,
            })?)?;
        } else {
            let how = if response.existing {
                "already in the ledger as"
            } else {
                "appended as"
            };
            print_line(&format!(
                "{file}: {how} entry #{} (inclusion proven in the checkpoint of size {})",
                response.index, checkpoint.tree_size
            ))?;
        }
    }
    Ok(outcome)
}
