//! vouchd's answers, checked here before anything acts on them. A TRUSTED answer counts only
//! after this process has verified it: the checkpoint with the pinned log key (and consistency
//! with the one seen before), each counted review's bytes against its leaf hash and inclusion
//! proof, and the review itself (subject, verdict, expiry, date, and its signature when reviewer
//! keys are pinned). The parts of an answer that change what the CLI does without a review (a
//! root of the policy, a rule in warn mode) are proven from the policy entry the answer names,
//! read from the ledger and proven in the same checkpoint (`answer/policy.rs`). Anything that
//! does not verify is an error (exit 2), never an answer.

use anyhow::{bail, ensure, Context, Result};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Serialize;
use vouch_proto::api::{AttestationSummary, ReasonCode, TrustResponse};
use vouch_proto::{
    leaf_hash, parse_review, verify_review, Checkpoint, Digest, EntryKind, Envelope, PublicKey,
    ReviewStatement, Verdict,
};

use crate::client::Client;
use crate::cmd::print_line;
use crate::known;

mod policy;

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

/// vouchd's answer about one digest, and what this process verified of it.
pub struct Confirmed {
    /// The answer.
    pub answer: TrustResponse,
    /// Trusted as a root of the policy: proven from the policy entry in force, with no review
    /// to verify.
    pub root: bool,
    /// Not trusted, under a rule in warn mode: proven from the policy entry in force.
    pub warn: bool,
    /// For a trusted answer (not a root): what was verified here.
    pub verified: Option<Verified>,
}

impl Confirmed {
    /// Whether the policy rule that decided is in warn mode (report, do not block).
    pub fn warn_only(&self) -> bool {
        self.warn
    }
}

/// Asks vouchd about `digest` (as an image of `repository`) and checks what the answer would
/// make this CLI do: a trusted answer against the ledger's own proofs and the pinned `keys`,
/// a root or a warn-mode rule against the policy entry in force. Anything that does not verify
/// is an error, never an answer.
pub fn confirm(
    client: &Client,
    digest: Digest,
    repository: Option<&str>,
    keys: &[PublicKey],
) -> Result<Confirmed> {
    let question = Question { digest, repository };
    let mut answer = ask(client, &question)?;
    // An answer acted on must speak for a tree at least as new as one already seen: an older
    // view could miss a withdrawal or a newer policy. Another run may have seen a newer tree
    // since this one asked, so ask once more before calling it stale.
    let newest = known::newest_size(client)?.unwrap_or_default();
    let stale = |a: &TrustResponse| a.checkpoint.as_ref().is_some_and(|c| c.tree_size < newest);
    if (answer.trusted || claims_warn(&answer)) && stale(&answer) {
        answer = ask(client, &question)?;
    }
    let root = answer.trusted
        && answer.reasons.iter().any(|r| r.code == ReasonCode::Root)
        && !answer.attestations.iter().any(|a| a.counted);
    let warn = claims_warn(&answer);
    if root || warn {
        let proven = policy::proven(client, &answer, repository, newest)?;
        if root {
            proven.root(&digest, repository)?;
        }
        if warn {
            proven.warns()?;
        }
        return Ok(Confirmed {
            answer,
            root,
            warn,
            verified: None,
        });
    }
    let verified = if answer.trusted {
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
        warn,
        verified,
    })
}

/// Whether a not-trusted answer says its rule only warns (so the CLI would go ahead).
fn claims_warn(answer: &TrustResponse) -> bool {
    !answer.trusted && answer.mode.as_deref() == Some(vouch_proto::policy::Mode::Warn.as_str())
}

/// The answer's checkpoint, verified with the pinned log key (and consistent with the one seen
/// before) and no older than `newest`; `claim` says what the answer claimed, for the error.
fn proven_checkpoint(
    client: &Client,
    answer: &TrustResponse,
    newest: u64,
    claim: &str,
) -> Result<Checkpoint> {
    let checkpoint = answer.checkpoint.as_ref().with_context(|| {
        format!("vouchd {claim} but gave no checkpoint to prove it; not believing it (is the socket really vouchd's?)")
    })?;
    let checkpoint = known::observe(client, checkpoint)?;
    ensure!(
        checkpoint.tree_size >= newest,
        "vouchd answered from a tree of {} entries, older than the {newest} it showed before; not believing a stale answer",
        checkpoint.tree_size
    );
    Ok(checkpoint)
}

/// The entry at `index` with its bytes proven in `checkpoint`'s tree: fetched, its leaf hash
/// recomputed from its bytes, and its inclusion proof checked. Returns the entry's kind, body
/// and integration time.
fn proven_entry(
    client: &Client,
    index: u64,
    checkpoint: &Checkpoint,
) -> Result<(EntryKind, Vec<u8>, i64)> {
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
    Ok((kind, body, entry.integrated_at))
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
    let checkpoint = proven_checkpoint(client, answer, newest, "said trusted")?;
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
    let (kind, body, integrated_at) = proven_entry(client, index, checkpoint)?;
    ensure!(
        kind == EntryKind::Attestation,
        "entry #{index} is a {kind} entry, not a review"
    );
    let envelope = Envelope::from_json(&body)?;
    let statement = if keys.is_empty() {
        parse_review(&envelope)?
    } else {
        verify_review(&envelope, keys)
            .context("its signature does not verify with a pinned reviewer key")?
            .statement
    };
    let integrated_at = DateTime::from_timestamp(integrated_at, 0)
        .context("the entry's integration time is out of range")?;
    Ok((statement, integrated_at))
}
