//! `vouch check`: is this digest trusted, and why. A TRUSTED answer is printed only after this
//! process has verified it: the checkpoint with the pinned log key (and consistency with the one
//! seen before), each counted review's bytes against its leaf hash and inclusion proof, and the
//! review itself (subject, verdict, expiry, date, and its signature when reviewer keys are
//! pinned). Anything that does not verify is an error (exit 2), never an answer.

use std::path::Path;

use anyhow::{bail, ensure, Context, Result};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Serialize;
use vouch_proto::api::{AttestationSummary, ReasonCode, TrustResponse};
use vouch_proto::{
    leaf_hash, parse_review, verify_review, Checkpoint, Digest, EntryKind, Envelope, ImageRef,
    PublicKey, ReviewStatement, Verdict,
};

use crate::cli::CheckArgs;
use crate::client::Client;
use crate::cmd::key::read_public_keys;
use crate::cmd::{print_line, Outcome};
use crate::known;

/// What this CLI verified of a trusted answer.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verified {
    /// The checkpoint the proofs lead to (its size).
    tree_size: u64,
    /// The counted entries whose inclusion and content were checked.
    entries: Vec<u64>,
    /// Whether each review's signature was checked against pinned reviewer keys.
    signatures_checked: bool,
}

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

/// vouchd's answer about one digest, and what this process verified of it.
pub struct Confirmed {
    /// The answer.
    pub answer: TrustResponse,
    /// Trusted as a root of the policy: nothing in the ledger to verify.
    pub root: bool,
    /// For a trusted answer (not a root): what was verified here.
    pub verified: Option<Verified>,
}

impl Confirmed {
    /// Whether the policy rule that decided is in warn mode (report, do not block).
    pub fn warn_only(&self) -> bool {
        self.answer.mode.as_deref() == Some("warn")
    }
}

/// Runs `vouch check`.
pub fn run(args: &CheckArgs, socket: Option<&Path>) -> Result<Outcome> {
    let target = Target::of(args)?;
    let keys = read_public_keys(&args.trust.trusted_keys)?;
    let client = Client::new(socket)?;
    let confirmed = confirm(&client, target.digest, target.repository.as_deref(), &keys)?;
    let shown = match &target.resolved_from {
        Some(tag) => format!("{tag} ({})", target.digest),
        None => args.image.clone(),
    };
    if args.json {
        let line = CheckLine {
            answer: &confirmed.answer,
            verified: confirmed.verified.as_ref(),
            resolved_from: target.resolved_from.as_deref(),
        };
        print_line(&serde_json::to_string(&line)?)?;
    } else {
        print_answer(&shown, &confirmed)?;
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

/// What `vouch check` asks about: a digest, as an image of a repository when one is named,
/// and the tag it was resolved from when a tag was given.
struct Target {
    digest: Digest,
    repository: Option<String>,
    resolved_from: Option<String>,
}

impl Target {
    fn of(args: &CheckArgs) -> Result<Self> {
        if args.image.starts_with("sha256:") {
            let digest = args
                .image
                .parse()
                .with_context(|| format!("{:?}", args.image))?;
            return Ok(Target {
                digest,
                repository: None,
                resolved_from: None,
            });
        }
        if args.image.contains('@') {
            let image = ImageRef::parse_pinned(&args.image)?;
            return Ok(Target {
                digest: image.digest(),
                repository: Some(image.name().to_string()),
                resolved_from: None,
            });
        }
        let repository = ImageRef::repository(&args.image)?;
        let digest = resolve_tag(&args.image, &args.trust.registry.insecure())?;
        Ok(Target {
            digest,
            repository: Some(repository),
            resolved_from: Some(args.image.clone()),
        })
    }
}

#[cfg(feature = "registry")]
fn resolve_tag(image: &str, insecure: &[String]) -> Result<Digest> {
    crate::registry::resolve_digest(image, insecure).with_context(|| {
        format!("resolving the tag {image} to a digest (or check REPO@sha256:<hex> directly)")
    })
}

#[cfg(not(feature = "registry"))]
fn resolve_tag(image: &str, _insecure: &[String]) -> Result<Digest> {
    bail!("{image} is a tag, and this vouch was built without the registry feature that resolves tags; check REPO@sha256:<hex>")
}

/// Asks vouchd about `digest` (as an image of `repository`) and, when it says trusted, checks
/// the answer against the ledger's own proofs and the pinned `keys`: a trusted answer that does
/// not verify is an error, never an answer.
pub fn confirm(
    client: &Client,
    digest: Digest,
    repository: Option<&str>,
    keys: &[PublicKey],
) -> Result<Confirmed> {
    let question = Question { digest, repository };
    let mut answer = ask(client, &question)?;
    // A trusted answer must speak for a tree at least as new as one already seen: an older
    // view could miss a withdrawal. Another run may have seen a newer tree since this one
    // asked, so ask once more before calling it stale.
    let newest = known::newest_size(client)?.unwrap_or_default();
    if answer.trusted
        && answer
            .checkpoint
            .as_ref()
            .is_some_and(|c| c.tree_size < newest)
    {
        answer = ask(client, &question)?;
    }
    let root = answer.trusted
        && answer.reasons.iter().any(|r| r.code == ReasonCode::Root)
        && !answer.attestations.iter().any(|a| a.counted);
    let verified = if answer.trusted && !root {
        if keys.is_empty() {
            tracing::warn!("no --trusted-key or VOUCH_TRUSTED_KEYS: reviewer signatures are not re-checked here; the answer rests on the log key pinned at first contact");
        }
        Some(verify_trusted(client, &digest, &answer, keys, newest)?)
    } else {
        if let Some(checkpoint) = &answer.checkpoint {
            known::observe(client, checkpoint)?;
        }
        None
    };
    Ok(Confirmed {
        answer,
        root,
        verified,
    })
}

/// Prints an answer for people: the verdict about `shown`, the reasons, the rule and what was
/// verified here.
pub fn print_answer(shown: &str, confirmed: &Confirmed) -> Result<()> {
    let answer = &confirmed.answer;
    let verdict = if answer.trusted {
        "TRUSTED"
    } else {
        "NOT TRUSTED"
    };
    print_line(&format!("{verdict}: {shown}"))?;
    for reason in &answer.reasons {
        print_line(&format!("  - {}", reason.text))?;
    }
    if let Some(rule) = &answer.rule {
        let mode = answer.mode.as_deref().unwrap_or("enforce");
        print_line(&format!("  (policy rule {rule}, mode {mode})"))?;
    }
    if confirmed.root {
        print_line("  (a root of vouchd's policy: trusted without a review, so there is nothing in the ledger to verify here)")?;
    }
    if let Some(checkpoint) = &answer.checkpoint {
        print_line(&format!(
            "  (ledger {} at size {})",
            checkpoint.origin, checkpoint.tree_size
        ))?;
    }
    if let Some(verified) = &confirmed.verified {
        let signatures = if verified.signatures_checked {
            "signatures checked with pinned reviewer keys"
        } else {
            "signatures not checked: no reviewer keys pinned"
        };
        print_line(&format!(
            "  (verified here: entries {:?} are in the checkpoint's tree; {signatures})",
            verified.entries
        ))?;
    }
    Ok(())
}

/// What is asked: a digest, as an image of a repository when one is named.
struct Question<'a> {
    digest: Digest,
    repository: Option<&'a str>,
}

fn ask(client: &Client, question: &Question<'_>) -> Result<TrustResponse> {
    let digest = &question.digest;
    let answer = client.trust(digest, question.repository)?;
    if answer.digest != digest.to_string() {
        bail!(
            "vouchd answered about {} instead of {digest}",
            answer.digest
        );
    }
    if answer.image.as_deref() != question.repository {
        bail!(
            "vouchd answered about the image {:?} instead of {:?}",
            answer.image,
            question.repository
        );
    }
    Ok(answer)
}

/// Checks a trusted answer against the ledger's own proofs; errs at the first thing that does
/// not hold.
fn verify_trusted(
    client: &Client,
    digest: &Digest,
    answer: &TrustResponse,
    keys: &[PublicKey],
    newest: u64,
) -> Result<Verified> {
    let checkpoint = answer.checkpoint.as_ref().context(
        "vouchd said trusted but gave no checkpoint to prove it; not believing it (is the socket really vouchd's?)",
    )?;
    let checkpoint = known::observe(client, checkpoint)?;
    ensure!(
        checkpoint.tree_size >= newest,
        "vouchd answered from a tree of {} entries, older than the {newest} it showed before; not believing a stale trusted answer",
        checkpoint.tree_size
    );
    let counted: Vec<&AttestationSummary> = answer
        .attestations
        .iter()
        .filter(|a| a.counted && a.verdict == Verdict::Trusted)
        .collect();
    ensure!(
        !counted.is_empty(),
        "vouchd said trusted but counted no trusted review; not believing it"
    );
    let now = Utc::now();
    let mut entries = Vec::with_capacity(counted.len());
    for summary in counted {
        let (statement, integrated_at) = proven_review(client, summary.index, &checkpoint, keys)
            .with_context(|| format!("checking entry #{} that vouchd counted", summary.index))?;
        let review = &statement.predicate;
        ensure!(
            statement.subject.iter().any(|s| s.sha256() == *digest),
            "entry #{} is not a review of {digest}",
            summary.index
        );
        ensure!(
            review.reviewer.key_id == summary.key_id,
            "entry #{} was signed by {}, not by {} as vouchd said",
            summary.index,
            review.reviewer.key_id,
            summary.key_id
        );
        ensure!(
            review.verdict == Verdict::Trusted,
            "entry #{} is a {} review, not a trusted one",
            summary.index,
            review.verdict
        );
        ensure!(
            !review.is_expired(now),
            "entry #{} expired; vouchd should not have counted it",
            summary.index
        );
        review
            .check_not_future(integrated_at)
            .with_context(|| format!("entry #{}", summary.index))?;
        entries.push(summary.index);
    }
    Ok(Verified {
        tree_size: checkpoint.tree_size,
        entries,
        signatures_checked: !keys.is_empty(),
    })
}

/// Fetches entry `index` and its inclusion proof in `checkpoint`'s tree, recomputes its leaf
/// hash from its bytes, checks the proof, and reads its review (verifying the signature with
/// `keys` when there are any). Returns the review and when the ledger integrated it.
fn proven_review(
    client: &Client,
    index: u64,
    checkpoint: &Checkpoint,
    keys: &[PublicKey],
) -> Result<(ReviewStatement, DateTime<Utc>)> {
    let entry = client.entry(index)?;
    ensure!(
        entry.index == index,
        "vouchd sent entry {} instead",
        entry.index
    );
    let body = base64::engine::general_purpose::STANDARD
        .decode(&entry.body)
        .context("the entry's body is not base64")?;
    let kind: EntryKind = entry.kind.parse().map_err(anyhow::Error::msg)?;
    let leaf = leaf_hash(kind, entry.integrated_at, &body);
    let proof = client.inclusion(index, checkpoint.tree_size)?;
    ensure!(
        proof.leaf_hash.0 == leaf,
        "the entry's bytes do not hash to the leaf its proof covers"
    );
    proof
        .verify(&checkpoint.root_hash)
        .context("its inclusion proof does not lead to the checkpoint")?;
    let envelope = Envelope::from_json(&body)?;
    let statement = if keys.is_empty() {
        parse_review(&envelope)?
    } else {
        verify_review(&envelope, keys)
            .context("its signature does not verify with a pinned reviewer key")?
            .statement
    };
    let integrated_at = DateTime::from_timestamp(entry.integrated_at, 0)
        .context("the entry's integration time is out of range")?;
    Ok((statement, integrated_at))
}
