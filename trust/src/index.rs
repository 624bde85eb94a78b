//! The trust index: every review in the ledger, summarised and grouped by subject digest, in
//! memory, so that a trust query never touches SQLite. Built (by vouchd at start-up, by `vouch
//! policy test` offline) from the entries the full ledger audit verified, and extended by vouchd
//! after every append of a verified submission.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use chrono::{DateTime, Utc};
use vouch_ledger::{audit, AuditOptions, AuditedEntry, LedgerError, LedgerReader, View};
use vouch_proto::report::AuditReport;
use vouch_proto::review::ItemStatus;
use vouch_proto::revocation::{
    submission_from, verify_submission, Submission, KEY_REVOCATION_PREDICATE_TYPE,
};
use vouch_proto::{Digest, ImageRef, KeyId, ReviewStatement, Verdict};
use vouch_proto::{Policy, PublicKey};

use crate::reviews::ByDigest;
use crate::saved::SavedIndex;

/// What a trust decision needs to know about one review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The ledger index.
    pub index: u64,
    /// What its reviewer signed, however it is encoded: a retraction applies to every
    /// stored copy of the signed review it names.
    pub signed: SignedKey,
    /// The reviewer key whose signature this process verified.
    pub signer: KeyId,
    /// The reviewer's name, if recorded.
    pub reviewer: Option<Arc<str>>,
    /// The repository named as subject.
    pub subject: Arc<str>,
    /// The verdict.
    pub verdict: Verdict,
    /// When it was reviewed.
    pub reviewed_at: DateTime<Utc>,
    /// When it stops counting.
    pub expires_at: Option<DateTime<Utc>>,
    /// The checklist kinds with an item accepted as a risk (not reviewed).
    pub accepted_risks: Vec<Arc<str>>,
    /// Whether the Dockerfile's repository and commit are recorded.
    pub has_source: bool,
    /// The base images recorded: normalised repository (or the reference as given when it
    /// does not parse) and digest.
    pub bases: Vec<(Arc<str>, Digest)>,
}

/// The summary of a review statement already read (and verified) by the caller; `at` is its
/// entry.
pub fn summary_of(at: At, signer: KeyId, statement: &ReviewStatement) -> (Vec<Digest>, Summary) {
    let digests = statement.subject_digests();
    let review = &statement.predicate;
    (
        digests,
        Summary {
            index: at.index,
            signed: at.signed,
            signer,
            reviewer: review.reviewer.name.as_deref().map(Arc::from),
            subject: statement
                .subject
                .first()
                .map_or_else(|| Arc::from(""), |s| Arc::from(s.name.as_str())),
            verdict: review.verdict,
            reviewed_at: review.reviewed_at,
            expires_at: review.expires_at,
            accepted_risks: review
                .checklist
                .iter()
                .filter(|item| item.status == ItemStatus::AcceptedRisk)
                .filter_map(|item| item.kind.as_deref().map(Arc::from))
                .collect(),
            has_source: review
                .dockerfile
                .as_ref()
                .is_some_and(|d| d.source.is_some()),
            bases: review
                .base_images
                .iter()
                .map(|b| {
                    let bare = b.reference.split('@').next().unwrap_or(&b.reference);
                    let repo = ImageRef::repository(bare).unwrap_or_else(|_| b.reference.clone());
                    (Arc::from(repo), b.digest.0)
                })
                .collect(),
        },
    )
}

/// The signed-content key, as signed by `signer`, of the entry stored with the bytes whose
/// sha256 is `body` (read back and hashed again here), if the ledger holds such bytes: how a
/// retraction, which names its review by those bytes, finds the signed review.
pub fn signed_key_of_stored(view: &View<'_>, body: &Digest, signer: &KeyId) -> Option<SignedKey> {
    let index = view.index_of_body(body).ok()??;
    let entry = view.entry(index).ok()??;
    if Digest::of(&entry.body) != *body {
        return None;
    }
    let envelope = vouch_proto::Envelope::from_json(&entry.body).ok()?;
    Some(SignedKey(vouch_proto::signed_content_key(
        &envelope, signer,
    )))
}

/// An index built by a full audit of a ledger file: the index of what the audit verified, the
/// audit's report, and the latest policy entry it read.
pub struct Audited {
    /// The index. Keep it only if the report says the ledger is intact.
    pub index: TrustIndex,
    /// The audit's report.
    pub report: AuditReport,
    /// The latest policy entry: its index and policy.
    pub latest_policy: Option<(u64, Policy)>,
}

/// What a signer signed, as one hash ([`vouch_proto::signed_content_key`]): the same for
/// every encoding of one signed statement, unlike the sha256 of its stored bytes (which is what
/// a retraction names, and which differs from ledger to ledger when the encoding does).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SignedKey(pub [u8; 32]);

/// Where an entry is: its ledger index and its signed-content key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct At {
    /// The ledger index.
    pub index: u64,
    /// What its signer signed.
    pub signed: SignedKey,
}

/// Finds the signed-content key of the review stored with the bytes whose sha256 is given, as
/// signed by the key given: how a retraction (which names its review by the sha256 of its bytes)
/// is tied to the signed review, whatever encoding this ledger holds it in. `None` when this
/// ledger holds no such bytes.
pub type Resolve<'a> = dyn Fn(&Digest, &KeyId) -> Option<SignedKey> + 'a;

/// A retraction or a key revocation: who signed it, and its entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Revoked {
    /// The key that signed it (the reviewer retracting, the admin revoking).
    pub by: KeyId,
    /// Its ledger index.
    pub entry: u64,
}

/// Reads and verifies one entry (bytes, leaf, tree, signature) for the index: `None` when it
/// does not check out (the caller fails closed and says why).
pub type Loader = Box<dyn Fn(u64) -> Option<AuditedEntry> + Send + Sync>;

/// Summaries by digest, and the retractions and key revocations.
#[derive(Default)]
pub struct TrustIndex {
    by_digest: RwLock<ByDigest>,
    /// Reviews a saved index lists and this process has not verified yet, by digest: each is
    /// read and verified through `loader` the first time an answer needs it.
    pending: RwLock<HashMap<Digest, Vec<u64>>>,
    /// Whether `pending` may hold anything (so that a warm index skips its lock).
    has_pending: AtomicBool,
    loader: OnceLock<Loader>,
    /// Retractions by the signed-content key of the review they retract (its index and its
    /// encoding may differ from ledger to ledger; what its reviewer signed does not).
    retracted: RwLock<HashMap<SignedKey, Vec<Revoked>>>,
    /// Key revocations by the key revoked.
    revoked: RwLock<HashMap<KeyId, Vec<Revoked>>>,
}

impl TrustIndex {
    /// Audits the ledger at `path` in full (leaves, tree, checkpoints against `log_key` or the
    /// ledger's own key, the signatures of `keys`) and indexes every entry it verified. `Err`
    /// when the audit could not run.
    pub fn from_audit(
        path: &Path,
        log_key: Option<PublicKey>,
        keys: Vec<PublicKey>,
    ) -> Result<Audited, LedgerError> {
        let index = TrustIndex::default();
        let latest_policy: Mutex<Option<(u64, Policy)>> = Mutex::new(None);
        // A connection of its own to look up what a retraction names, opened at the first one.
        let reader: Mutex<Option<LedgerReader>> = Mutex::new(None);
        let resolve = |body: &Digest, signer: &KeyId| {
            let mut reader = reader.lock().unwrap_or_else(|p| p.into_inner());
            if reader.is_none() {
                *reader = LedgerReader::open(path, log_key.clone()).ok();
            }
            reader
                .as_ref()
                .and_then(|r| signed_key_of_stored(&r.view(), body, signer))
        };
        // Entries arrive in index order: the latest policy entry so far is the policy that was
        // in force when the next entry was appended.
        let admit = |entry: AuditedEntry| {
            let mut latest = latest_policy.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(policy) = &entry.policy {
                *latest = Some((entry.index, policy.policy.clone()));
            }
            index.admit(entry, latest.as_ref().map(|(_, p)| p), &resolve);
        };
        let options = AuditOptions {
            log_key: log_key.clone(),
            reviewer_keys: keys,
            on_entry: Some(&admit),
            ..AuditOptions::default()
        };
        let report = audit(path, &options)?;
        let latest_policy = latest_policy
            .into_inner()
            .unwrap_or_else(|p| p.into_inner());
        Ok(Audited {
            index,
            report,
            latest_policy,
        })
    }

    /// Adds an entry the ledger audit checked; `in_force` is the policy of the latest policy
    /// entry before it (the policy in force when it was appended). A review or a retraction
    /// counts only when the audit verified its signer's signature with a trusted key
    /// (`entry.signer`) and it meets today's admission rules, judged at the time the ledger
    /// integrated it: a readable statement naming its subject, not dated later than its
    /// integration plus the allowed clock skew. A key revocation counts when it is signed by
    /// an admin of `in_force`: an admin removed later does not reinstate the keys it revoked.
    /// Returns whether it was added.
    pub fn admit(
        &self,
        entry: AuditedEntry,
        in_force: Option<&Policy>,
        resolve: &Resolve<'_>,
    ) -> bool {
        let (Some(envelope), Some(statement)) = (entry.envelope, entry.statement) else {
            // A policy entry: no review to index.
            return false;
        };
        let integrated = DateTime::from_timestamp(entry.integrated_at, 0).unwrap_or_default();
        if statement.predicate_type == KEY_REVOCATION_PREDICATE_TYPE {
            return self.admit_revocation(entry.index, &envelope, integrated, in_force);
        }
        let Some(signer) = entry.signer else {
            tracing::debug!(
                index = entry.index,
                "not indexed: its reviewer is not a trusted key"
            );
            return false;
        };
        let Some(signed) = entry.signed_key.map(SignedKey) else {
            return false;
        };
        let at = At {
            index: entry.index,
            signed,
        };
        // The audit read the Statement (strictly) already: it is not read again here.
        let statement = match submission_from(&envelope, statement).and_then(|submission| {
            submission.check_not_future(integrated)?;
            Ok(submission)
        }) {
            Ok(submission) if submission.signer() != signer => return false,
            Ok(Submission::Review(statement)) => statement,
            Ok(Submission::Retraction(retraction)) => {
                let named = retraction.subject[0].sha256();
                let Some(target) = resolve(&named, &signer) else {
                    tracing::warn!(
                        index = entry.index,
                        "not indexed: the retraction names bytes this ledger does not hold"
                    );
                    return false;
                };
                self.record_retraction(entry.index, signer, target);
                return true;
            }
            Ok(Submission::KeyRevocation(_)) => return false,
            Err(err) => {
                tracing::warn!(
                    index = entry.index,
                    error = %err,
                    "not indexed: the review does not meet the admission rules"
                );
                return false;
            }
        };
        let (digests, summary) = summary_of(at, signer, &statement);
        self.insert(&digests, summary);
        true
    }

    /// Admits the key revocation at `index` when an admin of `in_force` signed it (verified
    /// here with that policy's admin keys: the audit checks signatures with today's keys, and
    /// today's policy may no longer name the admin who revoked).
    fn admit_revocation(
        &self,
        index: u64,
        envelope: &vouch_proto::Envelope,
        integrated: DateTime<Utc>,
        in_force: Option<&Policy>,
    ) -> bool {
        let admins: Vec<PublicKey> = in_force
            .map(|policy| {
                policy
                    .admins
                    .values()
                    .filter_map(|admin| PublicKey::from_pem(&admin.public_key).ok())
                    .collect()
            })
            .unwrap_or_default();
        let verified = verify_submission(envelope, &admins).and_then(|submission| {
            submission.check_not_future(integrated)?;
            Ok(submission)
        });
        match verified {
            Ok(Submission::KeyRevocation(revocation)) => {
                self.record_revocation(
                    index,
                    revocation.predicate.admin.key_id,
                    revocation.predicate.revoked_key_id,
                );
                true
            }
            Ok(_) => false,
            Err(err) => {
                tracing::warn!(
                    index,
                    error = %err,
                    "not indexed: the key revocation is not signed by an admin of the policy in force when it was appended"
                );
                false
            }
        }
    }

    /// Records a verified retraction by `by` (entry `index`) of the review whose signed
    /// content is `target`.
    pub fn record_retraction(&self, index: u64, by: KeyId, target: SignedKey) {
        let mut map = self.retracted.write().unwrap_or_else(|p| p.into_inner());
        map.entry(target)
            .or_default()
            .push(Revoked { by, entry: index });
    }

    /// Records a verified key revocation by the admin `by` (entry `index`) of `revoked`.
    pub fn record_revocation(&self, index: u64, by: KeyId, revoked: KeyId) {
        let mut map = self.revoked.write().unwrap_or_else(|p| p.into_inner());
        map.entry(revoked)
            .or_default()
            .push(Revoked { by, entry: index });
    }

    /// The retraction of the review whose signed content is `signed`, by `signer` (the
    /// review's own key), if there is one.
    pub fn retraction(&self, signed: &SignedKey, signer: &KeyId) -> Option<Revoked> {
        let map = self.retracted.read().unwrap_or_else(|p| p.into_inner());
        map.get(signed)?.iter().copied().find(|r| r.by == *signer)
    }

    /// The revocations of `key`.
    pub fn revocations(&self, key: &KeyId) -> Vec<Revoked> {
        let map = self.revoked.read().unwrap_or_else(|p| p.into_inner());
        map.get(key).cloned().unwrap_or_default()
    }

    /// Adds a review about `digests`.
    pub fn insert(&self, digests: &[Digest], summary: Summary) {
        self.by_digest
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(digests, summary);
    }

    /// Takes `other`'s reviews in place of these (a rebuilt index swapped in at once).
    pub fn replace(&self, other: TrustIndex) {
        fn take<T>(lock: RwLock<T>) -> T {
            lock.into_inner()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }
        fn put<T>(lock: &RwLock<T>, value: T) {
            *lock
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = value;
        }
        let mut pending = self.pending.write().unwrap_or_else(|p| p.into_inner());
        put(&self.by_digest, take(other.by_digest));
        put(&self.retracted, take(other.retracted));
        put(&self.revoked, take(other.revoked));
        *pending = take(other.pending);
        self.has_pending
            .store(!pending.is_empty(), Ordering::Release);
    }

    /// An index restored from a saved one: its retractions and revocations in force at once,
    /// its reviews read and verified through `loader` as answers need them.
    pub fn restore(saved: SavedIndex, loader: Loader) -> Self {
        let index = TrustIndex::default();
        let mut pending: HashMap<Digest, Vec<u64>> = HashMap::with_capacity(saved.reviews.len());
        for (digest, entry) in saved.reviews {
            pending.entry(digest).or_default().push(entry);
        }
        let mut retracted: HashMap<SignedKey, Vec<Revoked>> = HashMap::new();
        for (body, r) in saved.retractions {
            retracted.entry(body).or_default().push(r);
        }
        let mut revoked: HashMap<KeyId, Vec<Revoked>> = HashMap::new();
        for (key, r) in saved.revocations {
            revoked.entry(key).or_default().push(r);
        }
        index
            .has_pending
            .store(!pending.is_empty(), Ordering::Release);
        *index.pending.write().unwrap_or_else(|p| p.into_inner()) = pending;
        *index.retracted.write().unwrap_or_else(|p| p.into_inner()) = retracted;
        *index.revoked.write().unwrap_or_else(|p| p.into_inner()) = revoked;
        let _ = index.loader.set(loader);
        index
    }

    /// What to save: every review's digests and entry (verified or still pending), the
    /// retractions and the revocations. The caller fills in the tree, keys and policy entry.
    pub fn saved(&self) -> SavedIndex {
        let pending = self.pending.read().unwrap_or_else(|p| p.into_inner());
        let by_digest = self.by_digest.read().unwrap_or_else(|p| p.into_inner());
        let mut reviews: Vec<(Digest, u64)> = by_digest
            .entries()
            .chain(
                pending
                    .iter()
                    .flat_map(|(d, list)| list.iter().map(move |i| (*d, *i))),
            )
            .collect();
        reviews.sort_unstable_by_key(|(d, i)| (*i, *d));
        let retracted = self.retracted.read().unwrap_or_else(|p| p.into_inner());
        let revoked = self.revoked.read().unwrap_or_else(|p| p.into_inner());
        let mut retractions: Vec<(SignedKey, Revoked)> = retracted
            .iter()
            .flat_map(|(b, list)| list.iter().map(move |r| (*b, *r)))
            .collect();
        retractions.sort_unstable_by_key(|(b, r)| (r.entry, *b));
        let mut revocations: Vec<(KeyId, Revoked)> = revoked
            .iter()
            .flat_map(|(k, list)| list.iter().map(move |r| (*k, *r)))
            .collect();
        revocations.sort_unstable_by_key(|(k, r)| (r.entry, *k));
        SavedIndex {
            reviews,
            retractions,
            revocations,
            ..SavedIndex::default()
        }
    }

    /// Whether every review listed is verified (none pending).
    pub fn is_warm(&self) -> bool {
        !self.has_pending.load(Ordering::Acquire)
    }

    /// Verifies the pending reviews of `digest`, holding the pending lock throughout so that
    /// no answer about it is given from part of its reviews.
    fn load_pending(&self, digest: &Digest) {
        let mut pending = self.pending.write().unwrap_or_else(|p| p.into_inner());
        let Some(entries) = pending.remove(digest) else {
            return;
        };
        if let Some(loader) = self.loader.get() {
            for entry in entries {
                if let Some(audited) = loader(entry) {
                    // Pending entries are reviews: no policy decides whether they count
                    // here, and they retract nothing.
                    self.admit(audited, None, &|_, _| None);
                }
            }
        }
        // Cleared only once the last reviews are in: a reader that skips the lock must find
        // them all.
        if pending.is_empty() {
            self.has_pending.store(false, Ordering::Release);
        }
    }

    /// The reviews about `digest`.
    pub fn get(&self, digest: &Digest) -> Vec<Arc<Summary>> {
        if self.has_pending.load(Ordering::Acquire) {
            self.load_pending(digest);
        }
        self.by_digest
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(digest)
    }
}
