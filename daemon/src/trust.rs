//! The trust decision until the policy issue lands: a digest is trusted when at least one
//! unexpired `trusted` review by a trusted key exists and that key has no `rejected` review of
//! it made at the same time or later. Reviews are ordered by the signed `reviewedAt` (which
//! vouchd refuses from the future), and a tie goes to the rejection, so neither a resubmission
//! nor a later ledger position can outrank a withdrawal. Every answer carries reasons that
//! name the entries that counted.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use vouch_proto::api::{AttestationSummary, Reason, ReasonCode};
use vouch_proto::{timestamp, Digest, KeyId, Verdict};

use crate::index::Summary;

/// A decision and its reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The answer.
    pub trusted: bool,
    /// Why.
    pub reasons: Vec<Reason>,
    /// Every review, with whether it counted.
    pub attestations: Vec<AttestationSummary>,
}

fn newer(a: &Summary, b: &Summary) -> bool {
    (a.reviewed_at, a.index) > (b.reviewed_at, b.index)
}

fn who(summary: &Summary) -> String {
    match &summary.reviewer {
        Some(name) => format!("{name} (key {})", short(&summary.signer)),
        None => format!("key {}", short(&summary.signer)),
    }
}

fn short(key: &KeyId) -> String {
    key.to_string()[..16].to_string()
}

/// Decides whether `digest` is trusted, given every review of it and the trusted keys.
pub fn decide(
    digest: &Digest,
    reviews: &[Summary],
    trusted_keys: &HashSet<KeyId>,
    now: DateTime<Utc>,
) -> Decision {
    let mut reasons = Vec::new();
    let mut counted: HashSet<u64> = HashSet::new();
    if reviews.is_empty() {
        reasons.push(Reason::new(
            ReasonCode::NoReview,
            format!("no review in the ledger names {digest}"),
        ));
    }
    let mut by_key: BTreeMap<KeyId, Vec<&Summary>> = BTreeMap::new();
    for review in reviews {
        by_key.entry(review.signer).or_default().push(review);
    }
    let mut trusted = false;
    for (key, list) in &by_key {
        if trusted_keys.contains(key) {
            trusted |= key_decides(list, now, &mut reasons, &mut counted);
        } else {
            for review in list {
                reasons.push(Reason::new(
                    ReasonCode::UntrustedKey,
                    format!(
                        "entry #{} ({}) by {} is ignored: its key is not a trusted reviewer key",
                        review.index,
                        review.verdict,
                        who(review)
                    ),
                ));
            }
        }
    }
    if !trusted && !reviews.is_empty() {
        reasons.push(Reason::new(
            ReasonCode::NotVouched,
            "no trusted reviewer key vouches for this digest with an unexpired, unwithdrawn review",
        ));
    }
    Decision {
        trusted,
        reasons,
        attestations: summaries(reviews, &counted),
    }
}

/// One trusted key's reviews of the digest: whether its latest word is an unexpired `trusted`
/// review with no rejection made at the same time or later. Adds the reasons and the entries
/// that counted.
fn key_decides(
    list: &[&Summary],
    now: DateTime<Utc>,
    reasons: &mut Vec<Reason>,
    counted: &mut HashSet<u64>,
) -> bool {
    let latest = |keep: &dyn Fn(&Summary) -> bool| {
        list.iter()
            .copied()
            .filter(|r| keep(r))
            .reduce(|a, b| if newer(b, a) { b } else { a })
    };
    let latest_trusted =
        latest(&|r| r.verdict == Verdict::Trusted && r.expires_at.is_none_or(|t| t > now));
    let latest_rejected = latest(&|r| r.verdict == Verdict::Rejected);
    for expired in list
        .iter()
        .filter(|r| r.verdict == Verdict::Trusted && r.expires_at.is_some_and(|t| t <= now))
    {
        let at = expired
            .expires_at
            .map(|t| timestamp::format(&t))
            .unwrap_or_default();
        reasons.push(Reason::new(
            ReasonCode::Expired,
            format!(
                "entry #{} by {} expired at {at}",
                expired.index,
                who(expired)
            ),
        ));
    }
    match (latest_trusted, latest_rejected) {
        (Some(good), Some(bad)) if bad.reviewed_at >= good.reviewed_at => {
            counted.insert(bad.index);
            reasons.push(Reason::new(
                ReasonCode::Rejected,
                format!(
                    "entry #{} by {} rejected this image at {}, after its trusted review in entry #{}",
                    bad.index,
                    who(bad),
                    timestamp::format(&bad.reviewed_at),
                    good.index
                ),
            ));
            false
        }
        (Some(good), _) => {
            counted.insert(good.index);
            let until = good
                .expires_at
                .map(|t| format!(", valid until {}", timestamp::format(&t)))
                .unwrap_or_default();
            reasons.push(Reason::new(
                ReasonCode::TrustedBy,
                format!(
                    "trusted by {}: entry #{} reviewed at {}{until}",
                    who(good),
                    good.index,
                    timestamp::format(&good.reviewed_at)
                ),
            ));
            true
        }
        (None, Some(bad)) => {
            counted.insert(bad.index);
            reasons.push(Reason::new(
                ReasonCode::Rejected,
                format!("entry #{} by {} rejected this image", bad.index, who(bad)),
            ));
            false
        }
        (None, None) => false,
    }
}

/// Every review, in ledger order, with whether it counted.
fn summaries(reviews: &[Summary], counted: &HashSet<u64>) -> Vec<AttestationSummary> {
    let mut attestations: Vec<AttestationSummary> = reviews
        .iter()
        .map(|r| AttestationSummary {
            index: r.index,
            key_id: r.signer,
            reviewer: r.reviewer.clone(),
            subject: r.subject.clone(),
            verdict: r.verdict,
            reviewed_at: timestamp::format(&r.reviewed_at),
            expires_at: r.expires_at.as_ref().map(timestamp::format),
            counted: counted.contains(&r.index),
        })
        .collect();
    attestations.sort_by_key(|a| a.index);
    attestations
}

#[cfg(test)]
mod tests {
    use super::*;
    use vouch_proto::SecretKey;

    fn at(hour: u32) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + i64::from(hour) * 3600, 0).unwrap()
    }

    fn review(
        index: u64,
        key: &SecretKey,
        verdict: Verdict,
        hour: u32,
        expires: Option<u32>,
    ) -> Summary {
        Summary {
            index,
            signer: key.id(),
            reviewer: None,
            subject: "docker.io/library/ubuntu".into(),
            verdict,
            reviewed_at: at(hour),
            expires_at: expires.map(at),
        }
    }

    fn alice() -> SecretKey {
        SecretKey::from_seed(&[1; 32])
    }

    fn bob() -> SecretKey {
        SecretKey::from_seed(&[2; 32])
    }

    /// Decides for one image at hour 10, with Alice and Bob the trusted keys.
    fn case(reviews: Vec<Summary>) -> Decision {
        let keys: HashSet<KeyId> = [alice().id(), bob().id()].into();
        decide(&Digest::of(b"image"), &reviews, &keys, at(10))
    }

    #[test]
    fn no_review_is_not_trusted() {
        let none = case(vec![]);
        assert!(!none.trusted && none.reasons[0].code == ReasonCode::NoReview);
    }

    #[test]
    fn a_trusted_review_by_a_trusted_key_counts() {
        let good = case(vec![review(0, &alice(), Verdict::Trusted, 1, None)]);
        assert!(
            good.trusted
                && good.reasons[0].code == ReasonCode::TrustedBy
                && good.reasons[0].text.contains("entry #0")
                && good.attestations[0].counted
        );
    }

    #[test]
    fn a_review_by_another_key_is_ignored() {
        let mallory = SecretKey::from_seed(&[3; 32]);
        let answer = case(vec![review(0, &mallory, Verdict::Trusted, 1, None)]);
        assert!(!answer.trusted && answer.reasons[0].code == ReasonCode::UntrustedKey);
    }

    #[test]
    fn an_expired_review_does_not_count() {
        let expired = case(vec![review(0, &alice(), Verdict::Trusted, 1, Some(5))]);
        assert!(!expired.trusted && expired.reasons[0].code == ReasonCode::Expired);
    }

    #[test]
    fn a_later_rejection_by_the_same_key_withdraws_it() {
        let withdrawn = case(vec![
            review(0, &alice(), Verdict::Trusted, 1, None),
            review(1, &alice(), Verdict::Rejected, 2, None),
        ]);
        assert!(
            !withdrawn.trusted
                && withdrawn.reasons[0].code == ReasonCode::Rejected
                && withdrawn.reasons[0].text.contains("entry #1")
                && withdrawn.reasons[0]
                    .text
                    .contains("after its trusted review in entry #0")
        );
    }

    #[test]
    fn a_later_trusted_review_reaffirms_it() {
        let reaffirmed = case(vec![
            review(0, &alice(), Verdict::Trusted, 1, None),
            review(1, &alice(), Verdict::Rejected, 2, None),
            review(2, &alice(), Verdict::Trusted, 3, None),
        ]);
        assert!(reaffirmed.trusted);
    }

    #[test]
    fn another_keys_rejection_is_listed_but_does_not_withdraw() {
        // Until the policy issue: only the reviewer's own rejection withdraws its review.
        let answer = case(vec![
            review(0, &alice(), Verdict::Trusted, 1, None),
            review(1, &bob(), Verdict::Rejected, 2, None),
        ]);
        assert!(answer.trusted);
        assert!(answer
            .reasons
            .iter()
            .any(|r| r.code == ReasonCode::Rejected && r.text.contains("entry #1")));
    }

    #[test]
    fn an_older_rejection_does_not_outweigh_a_newer_trusted_review() {
        let answer = case(vec![
            review(0, &alice(), Verdict::Rejected, 1, None),
            review(1, &alice(), Verdict::Trusted, 2, None),
        ]);
        assert!(answer.trusted);
    }

    #[test]
    fn a_tie_goes_to_the_rejection_whichever_entry_came_later() {
        for (first, second) in [
            (Verdict::Trusted, Verdict::Rejected),
            (Verdict::Rejected, Verdict::Trusted),
        ] {
            let tie = case(vec![
                review(0, &alice(), first, 1, None),
                review(1, &alice(), second, 1, None),
            ]);
            assert!(!tie.trusted, "{first} then {second} in the same second");
        }
    }
}
