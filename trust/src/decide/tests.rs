//! The decision, case by case: every rule of the policy, and the ordering of reviews.

use super::*;
use vouch_proto::policy::{PolicyReviewer, Root};
use vouch_proto::{PublicKey, SecretKey};

fn at(hour: u32) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + i64::from(hour) * 3600, 0).unwrap()
}

fn key(seed: u8) -> SecretKey {
    SecretKey::from_seed(&[seed; 32])
}

fn alice() -> SecretKey {
    key(1)
}

fn bob() -> SecretKey {
    key(2)
}

fn sec() -> SecretKey {
    key(4)
}

const ACME: &str = "ghcr.io/acme/app";

fn digest(name: &str) -> Digest {
    Digest::of(name.as_bytes())
}

fn review(index: u64, key: &SecretKey, verdict: Verdict, hour: u32) -> Summary {
    Summary {
        index,
        signed: crate::SignedKey(*Digest::of(&index.to_be_bytes()).as_bytes()),
        signer: key.id(),
        reviewer: None,
        subject: ACME.into(),
        verdict,
        reviewed_at: at(hour),
        expires_at: None,
        accepted_risks: Vec::new(),
        has_source: true,
        bases: Vec::new(),
    }
}

fn reviewer(key: &SecretKey, scopes: &[&str]) -> PolicyReviewer {
    let public: PublicKey = key.public().clone();
    PolicyReviewer {
        key_id: public.id(),
        public_key: public.to_pem(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
    }
}

/// Alice, Bob and Sec; `*` needs one; `rule` applies to ghcr.io/acme/*.
fn policy(rule: Option<Rule>) -> Policy {
    let mut policy = Policy::of_keys(&[]);
    policy
        .reviewers
        .insert("alice".into(), reviewer(&alice(), &[]));
    policy.reviewers.insert("bob".into(), reviewer(&bob(), &[]));
    policy
        .reviewers
        .insert("sec".into(), reviewer(&sec(), &["ghcr.io/acme/*"]));
    if let Some(rule) = rule {
        policy.rules.push(rule);
    }
    policy
}

fn acme_rule() -> Rule {
    Rule {
        scope: "ghcr.io/acme/*".into(),
        ..Policy::of_keys(&[]).rules[0].clone()
    }
}

fn ask(policy: &Policy, reviews: &[(Digest, Summary)], what: &str, repo: Option<&str>) -> Decision {
    let index = TrustIndex::default();
    for (d, r) in reviews {
        index.insert(&[*d], r.clone());
    }
    Evaluator::new(policy, &index, at(10)).decide(&Question {
        digest: digest(what),
        repository: repo.map(str::to_string),
    })
}

fn one(reviews: Vec<Summary>) -> Decision {
    let list: Vec<(Digest, Summary)> = reviews.into_iter().map(|r| (digest("app"), r)).collect();
    ask(&policy(None), &list, "app", Some(ACME))
}

#[test]
fn no_review_is_not_trusted() {
    let none = one(vec![]);
    assert!(!none.trusted && none.reasons[0].code == ReasonCode::NoReview);
}

#[test]
fn a_trusted_review_by_a_policy_reviewer_counts() {
    let good = one(vec![review(0, &alice(), Verdict::Trusted, 1)]);
    assert!(
        good.trusted
            && good.reasons[0].code == ReasonCode::TrustedBy
            && good.attestations[0].counted
    );
    assert_eq!(good.rule.as_deref(), Some("*"));
}

#[test]
fn a_review_by_another_key_is_ignored_and_says_why() {
    let mallory = key(9);
    let answer = one(vec![review(0, &mallory, Verdict::Trusted, 1)]);
    assert!(!answer.trusted);
    assert_eq!(
        answer.attestations[0].why.as_ref().unwrap().code,
        ReasonCode::UntrustedKey
    );
}

#[test]
fn expiry_and_max_age() {
    let mut expired = review(0, &alice(), Verdict::Trusted, 1);
    expired.expires_at = Some(at(5));
    let answer = one(vec![expired]);
    assert!(
        !answer.trusted && answer.attestations[0].why.as_ref().unwrap().code == ReasonCode::Expired
    );
    let rule = Rule {
        max_age_secs: Some(3 * 3600),
        ..acme_rule()
    };
    let old = ask(
        &policy(Some(rule.clone())),
        &[(digest("app"), review(0, &alice(), Verdict::Trusted, 1))],
        "app",
        Some(ACME),
    );
    assert!(!old.trusted && old.attestations[0].why.as_ref().unwrap().code == ReasonCode::TooOld);
    let fresh = ask(
        &policy(Some(rule)),
        &[(digest("app"), review(0, &alice(), Verdict::Trusted, 8))],
        "app",
        Some(ACME),
    );
    assert!(fresh.trusted);
}

#[test]
fn threshold_counts_distinct_keys_and_required_reviewers() {
    let rule = Rule {
        threshold: 2,
        required: vec!["sec".into()],
        ..acme_rule()
    };
    let p = policy(Some(rule));
    let twice = ask(
        &p,
        &[
            (digest("app"), review(0, &alice(), Verdict::Trusted, 1)),
            (digest("app"), review(1, &alice(), Verdict::Trusted, 2)),
        ],
        "app",
        Some(ACME),
    );
    assert!(!twice.trusted);
    assert!(twice.attestations.iter().any(|a| a
        .why
        .as_ref()
        .is_some_and(|w| w.code == ReasonCode::SameKey)));
    assert!(twice
        .reasons
        .iter()
        .any(|r| r.code == ReasonCode::BelowThreshold));
    let no_sec = ask(
        &p,
        &[
            (digest("app"), review(0, &alice(), Verdict::Trusted, 1)),
            (digest("app"), review(1, &bob(), Verdict::Trusted, 2)),
        ],
        "app",
        Some(ACME),
    );
    assert!(
        !no_sec.trusted
            && no_sec
                .reasons
                .iter()
                .any(|r| r.code == ReasonCode::RequiredMissing)
    );
    let met = ask(
        &p,
        &[
            (digest("app"), review(0, &alice(), Verdict::Trusted, 1)),
            (digest("app"), review(1, &sec(), Verdict::Trusted, 2)),
        ],
        "app",
        Some(ACME),
    );
    assert!(met.trusted, "{:?}", met.reasons);
    assert_eq!(met.rule.as_deref(), Some("ghcr.io/acme/*"));
}

#[test]
fn scopes_limit_what_a_key_vouches_for() {
    let mut r = review(0, &sec(), Verdict::Trusted, 1);
    r.subject = "docker.io/library/ubuntu".into();
    let answer = ask(
        &policy(None),
        &[(digest("u"), r)],
        "u",
        Some("docker.io/library/ubuntu"),
    );
    assert!(
        !answer.trusted
            && answer.attestations[0].why.as_ref().unwrap().code == ReasonCode::OutOfScope
    );
}

#[test]
fn a_rejection_blocks_until_its_reviewer_trusts_again() {
    let blocked = one(vec![
        review(0, &alice(), Verdict::Trusted, 1),
        review(1, &bob(), Verdict::Rejected, 2),
    ]);
    assert!(
        !blocked.trusted
            && blocked
                .reasons
                .iter()
                .any(|r| r.code == ReasonCode::Rejected)
    );
    let cleared = one(vec![
        review(0, &alice(), Verdict::Trusted, 1),
        review(1, &bob(), Verdict::Rejected, 2),
        review(2, &bob(), Verdict::Trusted, 3),
    ]);
    assert!(cleared.trusted, "{:?}", cleared.reasons);
    let own = one(vec![
        review(0, &alice(), Verdict::Trusted, 1),
        review(1, &alice(), Verdict::Rejected, 2),
    ]);
    assert!(!own.trusted);
    let older = one(vec![
        review(0, &alice(), Verdict::Rejected, 1),
        review(1, &alice(), Verdict::Trusted, 2),
    ]);
    assert!(older.trusted);
    for (first, second) in [
        (Verdict::Trusted, Verdict::Rejected),
        (Verdict::Rejected, Verdict::Trusted),
    ] {
        let tie = one(vec![
            review(0, &alice(), first, 1),
            review(1, &alice(), second, 1),
        ]);
        assert!(!tie.trusted, "{first} then {second} in the same second");
    }
}

#[test]
fn checklist_and_source_requirements() {
    let rule = Rule {
        require_reviewed: vec!["download".into()],
        require_source: true,
        ..acme_rule()
    };
    let p = policy(Some(rule));
    let mut risky = review(0, &alice(), Verdict::Trusted, 1);
    risky.accepted_risks = vec!["download".into()];
    let answer = ask(&p, &[(digest("app"), risky)], "app", Some(ACME));
    assert!(
        !answer.trusted
            && answer.attestations[0].why.as_ref().unwrap().code == ReasonCode::NotReviewed
    );
    let mut sourceless = review(0, &alice(), Verdict::Trusted, 1);
    sourceless.has_source = false;
    let answer = ask(&p, &[(digest("app"), sourceless)], "app", Some(ACME));
    assert!(
        !answer.trusted
            && answer.attestations[0].why.as_ref().unwrap().code == ReasonCode::NoSource
    );
}

fn based(index: u64, subject: &str, bases: &[(&str, &str)]) -> Summary {
    let mut r = review(index, &alice(), Verdict::Trusted, 1);
    r.subject = subject.into();
    r.bases = bases
        .iter()
        .map(|(repo, name)| (Arc::from(*repo), digest(name)))
        .collect();
    r
}

#[test]
fn base_images_must_be_trusted_to_any_depth() {
    let rule = Rule {
        scope: "*".into(),
        base_images: BaseImages::Trusted,
        ..acme_rule()
    };
    let mut p = policy(None);
    p.rules = vec![rule];
    let top = (digest("top"), based(0, "r/top", &[("r/mid", "mid")]));
    let mid = (digest("mid"), based(1, "r/mid", &[("r/low", "low")]));
    let low = (digest("low"), based(2, "r/low", &[]));
    let all = ask(
        &p,
        &[top.clone(), mid.clone(), low.clone()],
        "top",
        Some("r/top"),
    );
    assert!(all.trusted, "{:?}", all.reasons);
    // The bottom loses its review: the middle and the top follow, and the chain is shown.
    let broken = ask(&p, &[top.clone(), mid.clone()], "top", Some("r/top"));
    assert!(!broken.trusted);
    let why = broken.attestations[0].why.as_ref().unwrap();
    assert_eq!(why.code, ReasonCode::UntrustedBase);
    assert!(
        why.text.contains("r/mid@") && why.text.contains("r/low@"),
        "{}",
        why.text
    );
    // A root stands in for the bottom's review.
    p.roots.push(Root {
        image: format!("r/low@{}", digest("low")),
        note: Some("the bottom".into()),
    });
    assert!(ask(&p, &[top.clone(), mid.clone()], "top", Some("r/top")).trusted);
    // A cycle is reported, not followed forever.
    let a = (digest("a"), based(3, "r/a", &[("r/b", "b")]));
    let b = (digest("b"), based(4, "r/b", &[("r/a", "a")]));
    let cycle = ask(&p, &[a, b], "a", Some("r/a"));
    assert!(!cycle.trusted);
    assert!(
        cycle.reasons.iter().any(|r| r.text.contains("cycle")),
        "{:?}",
        cycle.reasons
    );
}

#[test]
fn warn_mode_and_no_rule() {
    let mut p = policy(Some(Rule {
        mode: Mode::Warn,
        ..acme_rule()
    }));
    let warned = ask(&p, &[], "app", Some(ACME));
    assert!(!warned.trusted && warned.mode == Mode::Warn);
    p.rules.retain(|r| r.scope != "*");
    let none = ask(&p, &[], "x", Some("docker.io/library/x"));
    assert!(!none.trusted && none.reasons[0].code == ReasonCode::NoRule);
}

#[test]
fn other_spellings_of_a_repository_get_its_rule() {
    for text in [
        "docker.io/ubuntu",
        "index.docker.io/library/ubuntu",
        "index.docker.io/ubuntu",
        "ubuntu:24.04",
        "docker.io/library/ubuntu",
    ] {
        assert_eq!(
            repository_of(text).as_deref(),
            Some("docker.io/library/ubuntu"),
            "{text}"
        );
    }
}
