//! `vouch revoke` and `vouch revoke-key`: revocation as new entries, never edits. A retraction
//! names the entry and the sha256 of its stored bytes (fetched from vouchd and hashed here); a
//! key revocation names the key. Both are signed and sent like reviews.

use std::path::Path;

use anyhow::{Context, Result};
use base64::Engine as _;
use vouch_proto::revocation::{key_revocation, retraction, sign_statement};
use vouch_proto::{Digest, KeyId, SecretKey, Statement};

use crate::cli::{RevokeArgs, RevokeKeyArgs};
use crate::client::Client;
use crate::cmd::key::{default_key_path, read_secret_key};
use crate::cmd::submit::send;
use crate::cmd::Outcome;

/// Runs `vouch revoke`.
pub fn retract(args: &RevokeArgs, socket: Option<&Path>) -> Result<Outcome> {
    let path = match &args.key {
        Some(path) => path.clone(),
        None => default_key_path()?,
    };
    let key = read_secret_key(&path)?;
    let client = Client::new(socket)?;
    let entry = client
        .entry(args.entry)
        .with_context(|| format!("fetching entry #{} to retract", args.entry))?;
    let body = base64::engine::general_purpose::STANDARD
        .decode(&entry.body)
        .context("the entry's body is not base64")?;
    let statement = retraction(
        key.id(),
        args.entry,
        Digest::of(&body),
        &args.reason,
        chrono::Utc::now(),
    );
    let label = format!("retraction of entry #{}", args.entry);
    sign_and_send(&client, &statement, &key, &label, args.json)
}

/// Runs `vouch revoke-key`.
pub fn revoke_key(args: &RevokeKeyArgs, socket: Option<&Path>) -> Result<Outcome> {
    let revoked: KeyId = args
        .key_id
        .parse()
        .map_err(|e| anyhow::anyhow!("--key-id {:?}: {e}", args.key_id))?;
    let admin = read_secret_key(&args.key)?;
    let client = Client::new(socket)?;
    let statement = key_revocation(admin.id(), revoked, &args.reason, chrono::Utc::now());
    let label = format!("revocation of key {revoked}");
    sign_and_send(&client, &statement, &admin, &label, args.json)
}

/// Signs `statement` with `key` and sends it to vouchd like `vouch submit` does.
fn sign_and_send<P: serde::Serialize>(
    client: &Client,
    statement: &Statement<P>,
    key: &SecretKey,
    label: &str,
    json: bool,
) -> Result<Outcome> {
    let envelope = sign_statement(statement, key);
    let accepted = send(client, label, envelope.to_json().into_bytes(), json)?;
    Ok(if accepted { Outcome::Yes } else { Outcome::No })
}
