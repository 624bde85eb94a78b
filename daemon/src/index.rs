//! The trust index: every review in the ledger, summarised and grouped by subject digest, in
//! memory, so that a trust query never touches SQLite. Built from the ledger at start-up (in
//! parallel) and extended after every append.

use std::collections::HashMap;
use std::sync::RwLock;

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use vouch_ledger::{LedgerError, View};
use vouch_proto::{
    verify_review, Digest, EntryKind, Envelope, KeyId, PublicKey, ReviewStatement, Statement,
    Verdict,
};

/// What a trust decision needs to know about one review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The ledger index.
    pub index: u64,
    /// The key that signed it (verified when it was appended).
    pub signer: KeyId,
    /// The reviewer's name, if recorded.
    pub reviewer: Option<String>,
    /// The repository named as subject.
    pub subject: String,
    /// The verdict.
    pub verdict: Verdict,
    /// When it was reviewed.
    pub reviewed_at: DateTime<Utc>,
    /// When it stops counting.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Reads the review in an attestation body, for the digests it names.
pub fn summarize(index: u64, signer: KeyId, body: &[u8]) -> Option<(Vec<Digest>, Summary)> {
    let envelope = Envelope::from_json(body).ok()?;
    let statement: ReviewStatement = Statement::from_payload(&envelope.payload)
        .ok()?
        .into_typed()
        .ok()?;
    Some(summary_of(index, signer, &statement))
}

/// The summary of a review statement already read (and verified) by the caller.
pub fn summary_of(
    index: u64,
    signer: KeyId,
    statement: &ReviewStatement,
) -> (Vec<Digest>, Summary) {
    let digests = statement.subject.iter().map(|s| s.sha256()).collect();
    let review = &statement.predicate;
    (
        digests,
        Summary {
            index,
            signer,
            reviewer: review.reviewer.name.clone(),
            subject: statement
                .subject
                .first()
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            verdict: review.verdict,
            reviewed_at: review.reviewed_at,
            expires_at: review.expires_at,
        },
    )
}

/// Summaries by digest.
#[derive(Default)]
pub struct TrustIndex {
    by_digest: RwLock<HashMap<Digest, Vec<Summary>>>,
}

impl TrustIndex {
    /// Reads every attestation of the ledger. Entries appended with a verified signer are
    /// trusted to be what they say (the audit re-checks them); entries without one are verified
    /// here against `keys`, and skipped if they do not verify.
    pub fn build(view: &View<'_>, keys: &[PublicKey]) -> Result<Self, LedgerError> {
        let index = TrustIndex::default();
        let mut from = 0;
        loop {
            let rows = view.bodies(from, 8192)?;
            let Some(last) = rows.last().map(|r| r.0) else {
                break;
            };
            let parsed: Vec<(Vec<Digest>, Summary)> = rows
                .par_iter()
                .filter(|(_, kind, _, _)| *kind == EntryKind::Attestation)
                .filter_map(|(i, _, signer, body)| {
                    let signer = match signer {
                        Some(signer) => *signer,
                        None => {
                            let envelope = Envelope::from_json(body).ok()?;
                            verify_review(&envelope, keys).ok()?.signer
                        }
                    };
                    summarize(*i, signer, body)
                })
                .collect();
            for (digests, summary) in parsed {
                index.insert(&digests, summary);
            }
            from = last + 1;
        }
        Ok(index)
    }

    /// Adds a review about `digests`.
    pub fn insert(&self, digests: &[Digest], summary: Summary) {
        let mut map = self
            .by_digest
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for digest in digests {
            let list = map.entry(*digest).or_default();
            if !list.iter().any(|s| s.index == summary.index) {
                list.push(summary.clone());
            }
        }
    }

    /// The reviews about `digest`.
    pub fn get(&self, digest: &Digest) -> Vec<Summary> {
        let map = self
            .by_digest
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.get(digest).cloned().unwrap_or_default()
    }
}
