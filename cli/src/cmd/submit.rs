//! `vouch submit`: send envelopes to vouchd; check the inclusion proof and the checkpoint it
//! answers with.

use std::path::Path;

use anyhow::{bail, ensure, Context, Result};
use base64::Engine as _;
use serde::Serialize;
use vouch_proto::api::SubmitResponse;
use vouch_proto::{leaf_hash, signed_content_key, EntryKind, Envelope, Statement};

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
        let sent = read_input(path)?;
        if !send(&client, &path.display().to_string(), sent, args.json)? {
            outcome = Outcome::No;
        }
    }
    Ok(outcome)
}

/// Sends one envelope (`file` names it in what is printed) and checks what vouchd answers:
/// the inclusion proof must lead to a checkpoint that extends what this CLI saw before, and its
/// leaf must be what was sent. Returns whether it was accepted.
pub fn send(client: &Client, file: &str, sent: Vec<u8>, json: bool) -> Result<bool> {
    let file = file.to_string();
    let reply = client.submit(sent.clone())?;
    if reply.status >= 500 {
        bail!("{file}: {}", reply.error_text());
    }
    if !(200..300).contains(&reply.status) {
        let reason = reply.error_text();
        if json {
            print_line(&serde_json::to_string(&SubmitLine {
                file,
                accepted: false,
                entry: None,
                reason: Some(reason),
            })?)?;
        } else {
            print_line(&format!("{file}: refused: {reason}"))?;
        }
        return Ok(false);
    }
    let response: SubmitResponse = reply.json()?;
    let checkpoint = known::observe(client, &response.checkpoint)?;
    if response.inclusion_proof.index != response.index
        || response.inclusion_proof.tree_size != checkpoint.tree_size
    {
        bail!("{file}: vouchd's inclusion proof is for another entry or tree size");
    }
    let leaf = stored_leaf(client, &sent, &response).with_context(|| file.clone())?;
    if leaf != response.inclusion_proof.leaf_hash.0 || leaf != response.leaf_hash.0 {
        bail!(
            "{file}: vouchd's leaf hash is not the hash of the entry it stored for this envelope"
        );
    }
    response
        .inclusion_proof
        .verify(&checkpoint.root_hash)
        .map_err(|e| anyhow::anyhow!("{file}: vouchd's inclusion proof: {e}"))?;
    if json {
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
    Ok(true)
}

/// The leaf hash of the entry that holds what was `sent`, recomputed here. A new entry is the
/// sent bytes at the answer's integration time; an existing one may be another encoding of the
/// same signed statement, so its stored body is fetched and must carry the same signed content
/// by the same reviewer.
fn stored_leaf(client: &Client, sent: &[u8], response: &SubmitResponse) -> Result<[u8; 32]> {
    if !response.existing {
        return Ok(leaf_hash(
            EntryKind::Attestation,
            response.integrated_at,
            sent,
        ));
    }
    let entry = client.entry(response.index)?;
    ensure!(
        entry.index == response.index,
        "vouchd sent entry {} instead",
        entry.index
    );
    let stored = base64::engine::general_purpose::STANDARD
        .decode(&entry.body)
        .context("the stored entry's body is not base64")?;
    let ours = Envelope::from_json(sent)?;
    let theirs = Envelope::from_json(&stored).context("the stored entry")?;
    let signer_of = |envelope: &Envelope| -> Result<vouch_proto::KeyId> {
        Statement::from_payload(&envelope.payload)?
            .reviewer_key_id()
            .context("the statement names no signer key")
    };
    let reviewer = signer_of(&ours)?;
    let stored_reviewer = signer_of(&theirs).context("the stored entry")?;
    ensure!(
        reviewer == stored_reviewer
            && signed_content_key(&ours, &reviewer) == signed_content_key(&theirs, &reviewer),
        "vouchd says entry #{} holds this envelope, but it holds another statement",
        response.index
    );
    let kind: EntryKind = entry.kind.parse().map_err(anyhow::Error::msg)?;
    Ok(leaf_hash(kind, entry.integrated_at, &stored))
}
