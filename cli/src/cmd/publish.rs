//! `vouch publish` and `vouch fetch`: an image's reviews as Sigstore bundles next to the image in
//! its registry (OCI 1.1 referrers, the fallback tag where there is no referrers API), and read
//! back, verified, and optionally submitted to vouchd.

use std::path::Path;

use anyhow::{bail, Context, Result};
use vouch_proto::export::ExportedEntry;
use vouch_proto::{Digest, EntryKind, Envelope, ImageRef, PublicKey};

use crate::cli::{FetchArgs, PublishArgs};
use crate::client::Client;
use crate::cmd::export::Source;
use crate::cmd::key::read_public_keys;
use crate::cmd::{print_line, Outcome};
use crate::registry::referrers;
use crate::registry::session::Session;

/// Runs `vouch publish IMAGE@DIGEST`.
pub fn publish(args: &PublishArgs, socket: Option<&Path>) -> Result<Outcome> {
    let image = ImageRef::parse_pinned(&args.image)?;
    let digest = image.digest();
    let source = Source::from_ledger(&args.ledger, socket)?;
    let (checkpoint, _) = source.checkpoint()?;
    let mut bundles = Vec::new();
    for index in source.indexes_for(&digest)? {
        let raw = source.entry(index, checkpoint.tree_size)?;
        if raw.kind != EntryKind::Attestation {
            continue;
        }
        let entry = ExportedEntry::new(raw.kind, raw.integrated_at, &raw.body, raw.inclusion);
        entry.check(&checkpoint)?;
        let envelope = Envelope::from_json(&raw.body)
            .with_context(|| format!("entry #{index} is not a DSSE envelope"))?;
        let predicate_type = predicate_type(&envelope)?;
        for bundle in crate::sigstore::bundles_of(&envelope)? {
            bundles.push((bundle, predicate_type.clone()));
        }
    }
    if bundles.is_empty() {
        bail!("the ledger holds no review of {digest}: nothing to publish");
    }
    let insecure = args.registry.insecure();
    let reference = vouch_proto::image::reference(&format!("{}@{digest}", image.name()))?;
    let session = Session::open(&reference, &insecure)?;
    let subject = session
        .manifest(&digest.to_string())
        .with_context(|| format!("finding {digest} in {}", session.registry))?;
    let published = referrers::publish(&session, &subject, &bundles)?;
    if args.json {
        print_line(&serde_json::to_string(&published)?)?;
    } else {
        let place = match &published.fallback_tag {
            Some(tag) => {
                format!("listed at the fallback tag {tag} (the registry has no referrers API)")
            }
            None => "found through the registry's referrers API".to_string(),
        };
        print_line(&format!(
            "published {} review bundle(s) of {} ({} there already), {place}",
            published.pushed, image, published.already
        ))?;
    }
    Ok(Outcome::Yes)
}

fn predicate_type(envelope: &Envelope) -> Result<String> {
    let statement: serde_json::Value =
        serde_json::from_slice(&envelope.payload).context("the payload is not a statement")?;
    statement["predicateType"]
        .as_str()
        .map(str::to_string)
        .context("the statement has no predicateType")
}

/// One bundle `vouch fetch` found.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct FetchedBundle {
    key_id: String,
    predicate_type: String,
    verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    submitted: Option<bool>,
}

/// Runs `vouch fetch IMAGE`: every review bundle published about the image's digest, each
/// checked (its subject is this digest; with --key, its signature); exit 1 if any is not, or if
/// vouchd refuses one given with --submit.
pub fn fetch(args: &FetchArgs, socket: Option<&Path>) -> Result<Outcome> {
    let keys = read_public_keys(&args.keys)?;
    let insecure = args.registry.insecure();
    let reference = vouch_proto::image::reference(&args.image)?;
    let session = Session::open(&reference, &insecure)?;
    let target = reference.digest().or(reference.tag()).unwrap_or("latest");
    let digest = session.manifest(target)?.digest;
    let bundles = referrers::bundles(&session, &digest)?;
    if let Some(dir) = &args.output {
        std::fs::create_dir(dir)
            .with_context(|| format!("creating {} (a new directory)", dir.display()))?;
    }
    let client = args.submit.then(|| Client::new(socket)).transpose()?;
    let mut outcome = Outcome::Yes;
    for (n, bundle) in bundles.iter().enumerate() {
        let name = format!("{digest}#{}", n + 1);
        let envelope_bytes = crate::sigstore::read_bundle(bundle)?;
        let envelope = Envelope::from_json(&envelope_bytes)?;
        let found = check_fetched(&envelope, &digest, &keys);
        let line = match found {
            Ok(mut line) => {
                if let Some(client) = &client {
                    let accepted =
                        crate::cmd::submit::send(client, &name, envelope_bytes.clone(), false)?;
                    line.submitted = Some(accepted);
                    if !accepted {
                        // vouchd refused it (say, a key its policy does not know): not imported.
                        outcome = Outcome::No;
                    }
                }
                line
            }
            Err(err) => {
                eprintln!("vouch: {name}: not accepted: {err:#}");
                outcome = Outcome::No;
                continue;
            }
        };
        if let Some(dir) = &args.output {
            std::fs::write(
                dir.join(format!("{}-{}.sigstore.json", digest.hex(), n + 1)),
                bundle,
            )?;
        }
        if args.json {
            print_line(&serde_json::to_string(&line)?)?;
        } else {
            let checked = if line.verified {
                "signature verified"
            } else {
                "signature not checked (no --key)"
            };
            print_line(&format!(
                "{name}: {} by key {} ({checked})",
                line.predicate_type, line.key_id
            ))?;
        }
    }
    eprintln!(
        "vouch: {} bundle(s) published about {digest}",
        bundles.len()
    );
    Ok(outcome)
}

/// A fetched envelope must be about `digest`, and verify with `keys` when any are given.
fn check_fetched(
    envelope: &Envelope,
    digest: &Digest,
    keys: &[PublicKey],
) -> Result<FetchedBundle> {
    let submission = if keys.is_empty() {
        vouch_proto::revocation::parse_submission(envelope)?
    } else {
        vouch_proto::revocation::verify_submission(envelope, keys)?
    };
    let statement: serde_json::Value = serde_json::from_slice(&envelope.payload)?;
    let about = statement["subject"]
        .as_array()
        .is_some_and(|s| s.iter().any(|s| s["digest"]["sha256"] == digest.hex()));
    if !about {
        bail!("its statement is not about {digest}: a bundle published beside the wrong image");
    }
    Ok(FetchedBundle {
        key_id: submission.signer().to_string(),
        predicate_type: predicate_type(envelope)?,
        verified: !keys.is_empty(),
        submitted: None,
    })
}
