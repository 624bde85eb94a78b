//! `vouch check`: is this digest trusted, and why. The answer is checked here before it is
//! printed or acted on ([`crate::answer`]); a tag is judged as `vouch pull` judges it
//! ([`crate::choice`]).

use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;
use vouch_proto::api::TrustResponse;
use vouch_proto::{Digest, ImageRef, PublicKey};

use crate::answer::{confirm, print_answer, Confirmed, Verified};
use crate::cli::CheckArgs;
use crate::client::Client;
use crate::cmd::key::read_public_keys;
use crate::cmd::{print_line, Outcome};

/// `vouch check --json`: vouchd's answer, plus what was verified here.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckLine<'a> {
    #[serde(flatten)]
    answer: &'a TrustResponse,
    #[serde(skip_serializing_if = "Option::is_none")]
    verified: Option<&'a Verified>,
    /// The tag the digest was resolved from, when a tag was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved_from: Option<&'a str>,
}

/// Runs `vouch check`.
pub fn run(args: &CheckArgs, socket: Option<&Path>) -> Result<Outcome> {
    let keys = read_public_keys(&args.trust.trusted_keys)?;
    let client = Client::new(socket)?;
    let decided = decide(args, &client, &keys)?;
    let confirmed = &decided.confirmed;
    if args.json {
        let line = CheckLine {
            answer: &confirmed.answer,
            verified: confirmed.verified.as_ref(),
            resolved_from: decided.resolved_from.as_deref(),
        };
        print_line(&serde_json::to_string(&line)?)?;
    } else {
        let shown = match &decided.resolved_from {
            Some(tag) => format!("{tag} ({})", decided.digest),
            None => args.image.clone(),
        };
        print_answer(&shown, confirmed)?;
        if !confirmed.answer.trusted {
            for (shown, also) in &decided.also {
                print_answer(shown, also)?;
            }
        }
    }
    if !confirmed.answer.trusted && confirmed.warn_only() {
        tracing::warn!("not trusted, but the policy rule is in warn mode: reported, not blocking");
        return Ok(Outcome::Yes);
    }
    Ok(if confirmed.answer.trusted {
        Outcome::Yes
    } else {
        Outcome::No
    })
}

/// What `vouch check` decided: the digest judged (for a tag, what `vouch pull` would pull),
/// its confirmed answer, the tag it was resolved from, and other answers asked on the way.
struct Decided {
    digest: Digest,
    confirmed: Confirmed,
    resolved_from: Option<String>,
    also: Vec<(String, Confirmed)>,
}

/// A digest is judged alone (as an image of the repository a `REPO@DIGEST` names); a tag is
/// resolved at the registry and judged as `vouch pull` judges it, index and platform alike.
fn decide(args: &CheckArgs, client: &Client, keys: &[PublicKey]) -> Result<Decided> {
    let exact = |digest: Digest, repository: Option<&str>| -> Result<Decided> {
        Ok(Decided {
            digest,
            confirmed: confirm(client, digest, repository, keys)?,
            resolved_from: None,
            also: Vec::new(),
        })
    };
    if args.image.starts_with("sha256:") {
        let digest = args
            .image
            .parse()
            .with_context(|| format!("{:?}", args.image))?;
        return exact(digest, None);
    }
    if args.image.contains('@') {
        let image = ImageRef::parse_pinned(&args.image)?;
        return exact(image.digest(), Some(image.name()));
    }
    decide_tag(args, client, keys)
}

#[cfg(feature = "registry")]
fn decide_tag(args: &CheckArgs, client: &Client, keys: &[PublicKey]) -> Result<Decided> {
    let repository = ImageRef::repository(&args.image)?;
    let fetched = crate::registry::fetch(&args.image, &args.trust.registry.insecure())
        .with_context(|| {
            format!(
                "resolving the tag {} to a digest (or check REPO@sha256:<hex> directly)",
                args.image
            )
        })?;
    let choice = crate::choice::choose(client, &repository, &fetched, None, keys)?;
    Ok(Decided {
        digest: choice.digest,
        confirmed: choice.confirmed,
        resolved_from: Some(args.image.clone()),
        also: choice.also,
    })
}

#[cfg(not(feature = "registry"))]
fn decide_tag(args: &CheckArgs, _client: &Client, _keys: &[PublicKey]) -> Result<Decided> {
    anyhow::bail!("{} is a tag, and this vouch was built without the registry feature that resolves tags; check REPO@sha256:<hex>", args.image)
}
