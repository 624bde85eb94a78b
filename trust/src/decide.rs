//! The trust decision under a policy. The rule is the one for the repository the question names
//! (the `*` rule for a bare digest). A review counts when its key is a policy reviewer allowed
//! to vouch for the repository, its verdict is `trusted`, it has not expired (`expiresAt`) nor
//! grown older than the rule's `max_age`, it meets the rule's checklist and source requirements,
//! and every base image it records is itself trusted (when the rule says so); one key counts
//! once. A `rejected` review by an in-scope reviewer blocks the image until that reviewer signs
//! a newer trusted review (a tie goes to the rejection: reviews are ordered by the signed
//! `reviewedAt`, which vouchd refuses from the future). The image is trusted when nothing
//! blocks, the distinct keys reach the threshold and the required reviewers are among them;
//! roots are trusted without a review. Every review not counted says why.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use vouch_proto::api::{AttestationSummary, Reason, ReasonCode};
use vouch_proto::policy::{BaseImages, Mode, Policy, Rule};
use vouch_proto::{timestamp, Digest, ImageRef, KeyId, Verdict};

use crate::index::{Summary, TrustIndex};

/// What is asked: a digest, as an image of a repository (normalised), if one is named.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Question {
    /// The image digest.
    pub digest: Digest,
    /// The repository, e.g. `docker.io/library/ubuntu`.
    pub repository: Option<String>,
}

/// A decision and its reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The answer.
    pub trusted: bool,
    /// The scope of the rule it was decided under (`None` when no rule applies).
    pub rule: Option<String>,
    /// The rule's mode.
    pub mode: Mode,
    /// Why.
    pub reasons: Vec<Reason>,
    /// Every review, with whether it counted and, if not, why.
    pub attestations: Vec<AttestationSummary>,
}

/// Base chains deeper than this are refused (a policy cannot need more).
const MAX_DEPTH: usize = 32;

/// Decides questions under one policy, one index and one clock; remembers what it decided
/// about base images, so a chain shared by many images is walked once per evaluator.
pub struct Evaluator<'a> {
    policy: &'a Policy,
    index: &'a TrustIndex,
    now: DateTime<Utc>,
    /// Base images decided already (a handful per answer: a list beats hashing).
    memo: Vec<(Question, Result<(), String>)>,
    /// The roots' digests, parsed once (`None` for a repository glob).
    root_digests: Vec<Option<Digest>>,
    path: Vec<Digest>,
    /// Deciding a base image: the attestation list is not needed.
    light: bool,
}

fn newer(a: &Summary, b: &Summary) -> bool {
    (a.reviewed_at, a.index) > (b.reviewed_at, b.index)
}

/// A review's reviewer as people read it: the policy's name for the key, else the name the
/// review gives, and the short key id. Written only when a sentence needs it.
struct Who<'a> {
    policy: &'a Policy,
    summary: &'a Summary,
}

impl std::fmt::Display for Who<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let short = self.summary.signer.short();
        let name = match self.policy.reviewer(&self.summary.signer) {
            Some((name, _)) => Some(name),
            None => self.summary.reviewer.as_deref(),
        };
        match name {
            Some(name) => write!(f, "{name} (key {short})"),
            None => write!(f, "key {short}"),
        }
    }
}

fn who<'a>(policy: &'a Policy, summary: &'a Summary) -> Who<'a> {
    Who { policy, summary }
}

impl<'a> Evaluator<'a> {
    /// An evaluator for `policy` over `index` at `now`.
    pub fn new(policy: &'a Policy, index: &'a TrustIndex, now: DateTime<Utc>) -> Self {
        Evaluator {
            policy,
            index,
            now,
            memo: Vec::new(),
            root_digests: policy
                .roots
                .iter()
                .map(vouch_proto::policy::Root::pinned_digest)
                .collect(),
            path: Vec::new(),
            light: false,
        }
    }

    /// The full answer to `question`.
    pub fn decide(&mut self, question: &Question) -> Decision {
        self.path.push(question.digest);
        let decision = self.evaluate(question);
        self.path.pop();
        decision
    }

    fn evaluate(&mut self, question: &Question) -> Decision {
        let Some(rule) = self.policy.rule_for(question.repository.as_deref()) else {
            let what = question.repository.as_deref().unwrap_or("a bare digest");
            return Decision {
                trusted: false,
                rule: None,
                mode: Mode::Enforce,
                reasons: vec![Reason::new(
                    ReasonCode::NoRule,
                    format!("no rule of the policy applies to {what}; add a rule (scope \"*\" is the default)"),
                )],
                attestations: Vec::new(),
            };
        };
        let mut reviews = self.index.get(&question.digest);
        reviews.sort_by_key(|r| r.index);
        let mut tally = Tally {
            light: self.light,
            ..Tally::default()
        };
        if let Some(root) = self.root(question) {
            tally.reasons.push(Reason::new(ReasonCode::Root, root));
            return tally.finish(true, rule, &reviews);
        }
        if reviews.is_empty() {
            tally.reasons.push(Reason::new(
                ReasonCode::NoReview,
                format!("no review in the ledger names {}", question.digest),
            ));
        }
        let mut by_key: BTreeMap<KeyId, Vec<&Summary>> = BTreeMap::new();
        for review in &reviews {
            match self.eligible(review, question) {
                Ok(()) => by_key.entry(review.signer).or_default().push(&**review),
                Err(why) => tally.not_counted(review.index, why),
            }
        }
        for list in by_key.values() {
            self.key_decides(list, rule, &mut tally);
        }
        let trusted = self.conclude(rule, &reviews, &mut tally);
        tally.finish(trusted, rule, &reviews)
    }

    /// Whether the question's image is a root: its digest named by a root, or its repository
    /// matched by a root's glob.
    fn root(&self, question: &Question) -> Option<String> {
        let roots = self.policy.roots.iter().zip(&self.root_digests);
        roots.into_iter().find_map(|(root, digest)| {
            let hit = root.covers(*digest, &question.digest, question.repository.as_deref());
            hit.then(|| {
                let note = root
                    .note
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default();
                format!("a root of the policy ({}){note}", root.image)
            })
        })
    }

    /// A review's key may take part at all: a policy reviewer allowed for the repository.
    fn eligible(&self, review: &Summary, question: &Question) -> Result<(), Reason> {
        let Some((name, reviewer)) = self.policy.reviewer(&review.signer) else {
            return Err(Reason::new(
                ReasonCode::UntrustedKey,
                format!(
                    "entry #{} ({}) by {} is ignored: its key is not a reviewer of the policy",
                    review.index,
                    review.verdict,
                    who(self.policy, review)
                ),
            ));
        };
        if let Some(retraction) = self.index.retraction(&review.signed, &review.signer) {
            return Err(Reason::new(
                ReasonCode::Withdrawn,
                format!(
                    "entry #{} by {name} was retracted by its reviewer in entry #{}",
                    review.index, retraction.entry
                ),
            ));
        }
        // Every revocation the index holds was signed by an admin of the policy in force when
        // it was appended; removing that admin later does not reinstate the key.
        let revocation = self.index.revocations(&review.signer).into_iter().next();
        if let Some(revocation) = revocation {
            return Err(Reason::new(
                ReasonCode::KeyRevoked,
                format!(
                    "entry #{} by {name} does not count: an admin revoked that key in entry #{}",
                    review.index, revocation.entry
                ),
            ));
        }
        let repository = question.repository.as_deref().unwrap_or(&*review.subject);
        if !reviewer.may_vouch_for(repository) {
            return Err(Reason::new(
                ReasonCode::OutOfScope,
                format!(
                    "entry #{} by {name} is ignored: {name} may vouch for {} only, not {repository}",
                    review.index,
                    reviewer.scopes.join(", ")
                ),
            ));
        }
        Ok(())
    }

    /// Whether a trusted review meets the rule: not expired, not too old, checklist, source and
    /// base images.
    fn meets(&mut self, review: &Summary, rule: &Rule) -> Result<(), Reason> {
        let who = who(self.policy, review);
        let index = review.index;
        if let Some(at) = review.expires_at.filter(|t| *t <= self.now) {
            return Err(Reason::new(
                ReasonCode::Expired,
                format!(
                    "entry #{index} by {who} expired at {}",
                    timestamp::format(&at)
                ),
            ));
        }
        if let Some(max) = rule.max_age_secs {
            let age = (self.now - review.reviewed_at).num_seconds();
            if age > i64::try_from(max).unwrap_or(i64::MAX) {
                return Err(Reason::new(
                    ReasonCode::TooOld,
                    format!(
                        "entry #{index} by {who} was reviewed at {}, longer ago than the rule's max_age ({max} s)",
                        timestamp::format(&review.reviewed_at)
                    ),
                ));
            }
        }
        if let Some(kind) = rule
            .require_reviewed
            .iter()
            .find(|k| review.accepted_risks.iter().any(|r| **r == ***k))
        {
            return Err(Reason::new(
                ReasonCode::NotReviewed,
                format!("entry #{index} by {who} accepted a {kind} item as a risk; the rule requires {kind} items reviewed"),
            ));
        }
        if rule.require_source && !review.has_source {
            return Err(Reason::new(
                ReasonCode::NoSource,
                format!("entry #{index} by {who} does not record the Dockerfile's repository and commit; the rule requires it"),
            ));
        }
        if rule.base_images == BaseImages::Trusted {
            for (repository, digest) in &review.bases {
                self.base(repository, digest).map_err(|chain| {
                    let code = if chain.contains("cycle") {
                        ReasonCode::Cycle
                    } else {
                        ReasonCode::UntrustedBase
                    };
                    Reason::new(code, format!("entry #{index} by {who}: {chain}"))
                })?;
            }
        }
        Ok(())
    }

    /// Whether a base image is trusted under the rule for its own repository: `Err` with the
    /// chain when not.
    fn base(&mut self, repository: &str, digest: &Digest) -> Result<(), String> {
        let shown = format!("{repository}@{digest}");
        if self.path.contains(digest) {
            return Err(format!(
                "base image {shown} is a cycle: it leads back to itself"
            ));
        }
        if self.path.len() >= MAX_DEPTH {
            return Err(format!(
                "base image {shown} is more than {MAX_DEPTH} levels deep"
            ));
        }
        let question = Question {
            digest: *digest,
            repository: Some(repository.to_string()),
        };
        if let Some((_, known)) = self.memo.iter().find(|(q, _)| *q == question) {
            return known.clone();
        }
        let outer = std::mem::replace(&mut self.light, true);
        let decision = self.decide(&question);
        self.light = outer;
        let result = if decision.trusted {
            Ok(())
        } else {
            // The deepest link of the chain says most: a base's own untrusted base, else the
            // last reason it was given.
            let why = decision
                .reasons
                .iter()
                .find(|r| matches!(r.code, ReasonCode::UntrustedBase | ReasonCode::Cycle))
                .or_else(|| {
                    decision
                        .reasons
                        .iter()
                        .rev()
                        .find(|r| r.code != ReasonCode::TrustedBy)
                })
                .map(|r| r.text.clone())
                .unwrap_or_default();
            Err(format!("base image {shown} is not trusted ({why})"))
        };
        self.memo.push((question, result.clone()));
        result
    }

    /// One eligible key's reviews: its latest trusted review that meets the rule counts, unless
    /// its latest rejection is as new or newer, which blocks the image.
    fn key_decides(&mut self, list: &[&Summary], rule: &Rule, tally: &mut Tally) {
        let mut good: Option<&Summary> = None;
        for review in list
            .iter()
            .copied()
            .filter(|r| r.verdict == Verdict::Trusted)
        {
            match self.meets(review, rule) {
                Ok(()) => {
                    if let Some(previous) = good.filter(|g| newer(review, g)) {
                        tally.not_counted(previous.index, same_key(self.policy, previous));
                        good = Some(review);
                    } else if good.is_some() {
                        tally.not_counted(review.index, same_key(self.policy, review));
                    } else {
                        good = Some(review);
                    }
                }
                Err(why) => tally.not_counted(review.index, why),
            }
        }
        let rejection = list
            .iter()
            .copied()
            .filter(|r| r.verdict == Verdict::Rejected)
            .reduce(|a, b| if newer(b, a) { b } else { a });
        match (good, rejection) {
            (Some(g), Some(bad)) if bad.reviewed_at >= g.reviewed_at => {
                tally.not_counted(
                    g.index,
                    Reason::new(
                        ReasonCode::Rejected,
                        format!(
                            "entry #{} by {} is outweighed by its own rejection in entry #{}",
                            g.index,
                            who(self.policy, g),
                            bad.index
                        ),
                    ),
                );
                tally.block(bad, self.policy);
            }
            (None, Some(bad)) => tally.block(bad, self.policy),
            (Some(g), _) => tally.count(g, self.policy),
            (None, None) => {}
        }
        for review in list
            .iter()
            .copied()
            .filter(|r| r.verdict == Verdict::Rejected)
        {
            if !tally.counted.contains(&review.index) {
                let why = format!(
                    "entry #{} by {} rejected this image; a newer review by the same key supersedes it",
                    review.index,
                    who(self.policy, review)
                );
                tally.not_counted(review.index, Reason::new(ReasonCode::Rejected, why));
            }
        }
    }

    /// The answer from the tally: nothing blocks, the threshold is met, the required
    /// reviewers vouched.
    fn conclude(&self, rule: &Rule, reviews: &[Arc<Summary>], tally: &mut Tally) -> bool {
        let count = tally.keys.len();
        let named: HashSet<&str> = tally.keys.values().map(String::as_str).collect();
        let missing: Vec<&String> = rule
            .required
            .iter()
            .filter(|n| !named.contains(n.as_str()))
            .collect();
        for name in &missing {
            tally.reasons.push(Reason::new(
                ReasonCode::RequiredMissing,
                format!(
                    "the rule for {} requires {name}, who does not vouch for this image",
                    rule.scope
                ),
            ));
        }
        let met = count >= rule.threshold as usize;
        if !met && count > 0 {
            tally.reasons.push(Reason::new(
                ReasonCode::BelowThreshold,
                format!(
                    "{count} distinct reviewer key(s) vouch; the rule for {} needs {}",
                    rule.scope, rule.threshold
                ),
            ));
        }
        let trusted = !tally.blocked && met && missing.is_empty();
        if !trusted && count == 0 && !reviews.is_empty() && !tally.blocked {
            tally.reasons.push(Reason::new(
                ReasonCode::NotVouched,
                "no reviewer of the policy vouches for this digest with a review that counts",
            ));
        }
        trusted
    }
}

fn same_key(policy: &Policy, review: &Summary) -> Reason {
    Reason::new(
        ReasonCode::SameKey,
        format!(
            "entry #{} by {}: the same key counts once (its newest review counts)",
            review.index,
            who(policy, review)
        ),
    )
}

/// What a decision has found so far.
#[derive(Default)]
struct Tally {
    reasons: Vec<Reason>,
    why: Vec<(u64, Reason)>,
    counted: Vec<u64>,
    /// Counted keys and their reviewer names.
    keys: BTreeMap<KeyId, String>,
    blocked: bool,
    /// A base image's decision: no attestation list (only the answer and its reasons).
    light: bool,
}

impl Tally {
    fn not_counted(&mut self, index: u64, why: Reason) {
        self.reasons.push(why.clone());
        self.why.push((index, why));
    }

    fn count(&mut self, review: &Summary, policy: &Policy) {
        self.counted.push(review.index);
        let name = policy
            .reviewer(&review.signer)
            .map(|(n, _)| n.to_string())
            .unwrap_or_default();
        self.keys.insert(review.signer, name);
        if self.light {
            // A base image that turns out trusted needs no sentence; one that does not is
            // explained by the reasons it fails with.
            return;
        }
        let until = review
            .expires_at
            .map(|t| format!(", valid until {}", timestamp::format(&t)))
            .unwrap_or_default();
        self.reasons.push(Reason::new(
            ReasonCode::TrustedBy,
            format!(
                "trusted by {}: entry #{} reviewed at {}{until}",
                who(policy, review),
                review.index,
                timestamp::format(&review.reviewed_at)
            ),
        ));
    }

    fn block(&mut self, rejection: &Summary, policy: &Policy) {
        self.blocked = true;
        self.counted.push(rejection.index);
        self.reasons.push(Reason::new(
            ReasonCode::Rejected,
            format!(
                "entry #{} by {} rejected this image at {}; it stays blocked until that reviewer signs a newer trusted review",
                rejection.index,
                who(policy, rejection),
                timestamp::format(&rejection.reviewed_at)
            ),
        ));
    }

    fn finish(self, trusted: bool, rule: &Rule, reviews: &[Arc<Summary>]) -> Decision {
        let shown = if self.light { &reviews[..0] } else { reviews };
        let attestations = shown
            .iter()
            .map(|r| AttestationSummary {
                index: r.index,
                key_id: r.signer,
                reviewer: r.reviewer.as_deref().map(str::to_string),
                subject: r.subject.to_string(),
                verdict: r.verdict,
                reviewed_at: timestamp::format(&r.reviewed_at),
                expires_at: r.expires_at.as_ref().map(timestamp::format),
                counted: self.counted.contains(&r.index),
                why: self
                    .why
                    .iter()
                    .rev()
                    .find(|(i, _)| *i == r.index)
                    .map(|(_, w)| w.clone()),
            })
            .collect();
        Decision {
            trusted,
            rule: Some(rule.scope.clone()),
            mode: rule.mode,
            reasons: self.reasons,
            attestations,
        }
    }
}

/// The repository of an image reference, normalised ([`ImageRef::repository`], the one
/// normalisation), for a question (`None` when `text` is not a reference).
pub fn repository_of(text: &str) -> Option<String> {
    let bare = text.split('@').next().unwrap_or(text);
    ImageRef::repository(bare).ok()
}

#[cfg(test)]
mod tests;
