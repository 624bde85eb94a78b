//! What the daemon holds: the ledger writer (group commit), a bounded pool of read connections, the
//! trust index, the trusted keys, and its health. When the ledger fails its checks the daemon
//! keeps serving, but fails closed: no appends, and every trust answer is "not trusted".

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};

use crate::metrics::Metrics;
use anyhow::{Context, Result};
use vouch_ledger::{Committer, Ledger, LedgerError, NewEntry, View};

use crate::readers::{Readers, MAX_READERS, READ_WAIT};
use vouch_proto::revocation::Submission;
use vouch_proto::{Checkpoint, KeyId, Policy, PublicKey};
use vouch_trust::{summary_of, At, Audited, SignedKey, TrustIndex};

/// How the daemon is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// The ledger database.
    pub db: PathBuf,
    /// The reviewer keys whose attestations are accepted and count (`--trusted-key`: a policy
    /// of these keys, threshold 1, any repository). Ignored when `policy` is given.
    pub trusted_keys: Vec<PublicKey>,
    /// The trust policy (`--policy`).
    pub policy: Option<Policy>,
    /// Where the policy came from (the file), recorded with it in the ledger.
    pub policy_source: String,
    /// The log key's passphrase, if it is encrypted.
    pub log_passphrase: Option<String>,
}

/// The daemon's shared state.
pub struct State {
    /// The database path.
    pub db: PathBuf,
    /// The policy in force.
    pub(crate) current: RwLock<Current>,
    /// Every key the index has admitted reviews of (a reload adding others rebuilds it).
    pub(crate) indexed_keys: Mutex<HashSet<KeyId>>,
    /// While a reload rebuilds the index: the reviews indexed meanwhile, to carry over.
    pub(crate) recent: Mutex<Option<Vec<Indexed>>>,
    /// The writer; `None` when failing closed or stopped.
    writer: Mutex<Option<Committer>>,
    /// Reviews by digest.
    pub(crate) index: TrustIndex,
    /// The log's public key.
    pub log_key: Option<PublicKey>,
    /// Request metrics.
    pub(crate) metrics: Metrics,
    /// Bounds the signature checks running at once (they run off the async workers).
    pub(crate) verifying: tokio::sync::Semaphore,
    readers: Readers,
    latest: RwLock<Option<Checkpoint>>,
    failure: RwLock<Option<String>>,
    /// Where a restored index's loader finds this state (set by [`State::bind`]).
    binding: Binding,
    /// Held by a full rebuild of the index (a reload's, the warm-up's): one at a time.
    pub(crate) rebuilding: Mutex<()>,
}

/// What was indexed while a reload rebuilt the index: the entry and its submission.
pub(crate) type Indexed = (At, Submission, Option<SignedKey>);

/// Adds a verified submission to an index; `retracts` is what a retraction retracts (the
/// signed-content key [`crate::authorize::authorize`] found).
pub(crate) fn add_to(
    index: &TrustIndex,
    at: At,
    submission: &Submission,
    retracts: Option<SignedKey>,
) {
    match submission {
        Submission::Review(statement) => {
            let (digests, summary) = summary_of(at, submission.signer(), statement);
            index.insert(&digests, summary);
        }
        Submission::Retraction(_) => {
            if let Some(target) = retracts {
                index.record_retraction(at.index, submission.signer(), target);
            }
        }
        Submission::KeyRevocation(s) => index.record_revocation(
            at.index,
            s.predicate.admin.key_id,
            s.predicate.revoked_key_id,
        ),
    }
}

/// The policy in force: the policy, the ledger entry recording it, and the keys submissions may
/// be signed with (its reviewers and admins), read once.
#[derive(Clone)]
pub(crate) struct Current {
    pub(crate) policy: Arc<Policy>,
    pub(crate) entry: Option<u64>,
    pub(crate) keys: Arc<Vec<PublicKey>>,
}

/// Submissions verified at once; more wait their turn, so a flood of costly envelopes cannot
/// take every blocking thread.
const VERIFIERS: usize = 4;

/// What the start-up audit found: the index of verified reviews, the latest policy entry, and
/// why the audit did not pass, if it did not (then the index is empty).
struct Verified {
    index: TrustIndex,
    latest_policy: Option<(u64, Policy)>,
    failure: Option<String>,
}

/// The index vouchd starts with: the saved one when it can be used (see [`crate::saved`]),
/// else one built by a full audit, which is then saved for the next start.
fn start_index(ledger: &Ledger, keys: &[PublicKey], binding: &Binding) -> Verified {
    let started = std::time::Instant::now();
    match crate::saved::restore(ledger, keys, loader(Arc::clone(binding))) {
        Ok(restored) => {
            tracing::info!(
                entries = ledger.size(),
                verified_since_saved = restored.tail,
                millis = started.elapsed().as_millis() as u64,
                "restored the saved trust index; reviews are verified as answers need them while a full audit rebuilds it"
            );
            Verified {
                index: restored.index,
                latest_policy: restored.latest_policy,
                failure: None,
            }
        }
        Err(why) => {
            tracing::info!(why = %why, "not using a saved trust index; auditing the ledger in full");
            let verified = verified_index(ledger, keys);
            tracing::info!(
                entries = ledger.size(),
                millis = started.elapsed().as_millis() as u64,
                "audited the ledger and built the trust index"
            );
            if verified.failure.is_none() {
                let ids: Vec<_> = keys.iter().map(PublicKey::id).collect();
                let entry = verified.latest_policy.as_ref().map(|(i, _)| *i);
                if let Err(e) = crate::saved::save(ledger, &verified.index, &ids, entry) {
                    tracing::warn!(error = %e, "could not save the trust index");
                }
            }
            verified
        }
    }
}

/// Where the loader of a restored index finds the daemon, once it is shared.
pub(crate) type Binding = Arc<OnceLock<Weak<State>>>;

/// Reads and verifies one entry for a restored index (see [`audit_one`]); an entry the saved
/// index lists that does not check out makes vouchd fail closed.
fn loader(binding: Binding) -> vouch_trust::Loader {
    Box::new(move |index| {
        let state = binding.get()?.upgrade()?;
        let checkpoint = state.latest()?;
        let keys = state.keys();
        match state.read(|view| vouch_ledger::audit_one(view, index, &checkpoint, &keys)) {
            Ok(entry) => Some(entry),
            Err(e) => {
                state.fail(format!(
                    "entry {index}, which the saved trust index lists, does not check out: {e}"
                ));
                None
            }
        }
    })
}

/// Audits the ledger just opened (nothing else writes it: the caller holds its lock) and
/// builds the index from what the audit verified.
fn verified_index(ledger: &Ledger, keys: &[PublicKey]) -> Verified {
    let audited = TrustIndex::from_audit(
        &ledger.path(),
        Some(ledger.log_key().clone()),
        keys.to_vec(),
    );
    let failure = match &audited {
        Ok(a) if a.report.intact && a.report.root_hash == Some(ledger.checkpoint().root_hash) => {
            None
        }
        Ok(Audited { report, .. }) if report.intact => Some(format!(
            "start-up audit: the audited tree (size {}) is not the one the writer opened (size {})",
            report.tree_size,
            ledger.size()
        )),
        Ok(Audited { report, .. }) => Some(format!(
            "start-up audit: {}",
            report
                .problem
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default()
        )),
        Err(err) => Some(format!("start-up audit could not run: {err}")),
    };
    match (failure, audited) {
        (None, Ok(audited)) => Verified {
            index: audited.index,
            latest_policy: audited.latest_policy,
            failure: None,
        },
        (reason, _) => Verified {
            index: TrustIndex::default(),
            latest_policy: None,
            failure: reason,
        },
    }
}

/// The entry recording the policy a ledger that passed its audit is served under: a policy
/// file is recorded; the `--trusted-key` shorthand is not (its keys are in every answer's
/// counted reviews already).
fn policy_entry(
    writer: &Committer,
    config: &Config,
    latest: Option<(u64, Policy)>,
    policy: &Policy,
) -> Result<(Option<u64>, Option<Checkpoint>)> {
    match &config.policy {
        Some(_) => record_policy(writer, latest, policy, &config.policy_source)
            .map(|(entry, checkpoint)| (Some(entry), checkpoint)),
        None => Ok((None, None)),
    }
}

/// Records `policy` in the ledger unless the latest policy entry holds the same policy;
/// returns the entry that records it, and the checkpoint after the append when there was one
/// (the caller advances to it).
pub(crate) fn record_policy(
    writer: &Committer,
    latest: Option<(u64, Policy)>,
    policy: &Policy,
    source: &str,
) -> Result<(u64, Option<Checkpoint>)> {
    if let Some((index, _)) = latest.filter(|(_, p)| p == policy) {
        return Ok((index, None));
    }
    let entry = vouch_proto::PolicyEntry {
        loaded_at: chrono::Utc::now(),
        source: source.to_string(),
        policy: policy.clone(),
    };
    let (sender, receiver) = std::sync::mpsc::channel();
    writer.append_with(NewEntry::policy(entry.to_bytes()), move |result| {
        let _ = sender.send(result);
    });
    let (appended, checkpoint) = receiver
        .recv()
        .context("the ledger writer stopped before recording the policy")??;
    tracing::info!(
        index = appended.index,
        source,
        "recorded the policy in the ledger"
    );
    Ok((appended.index, Some(checkpoint)))
}

impl State {
    /// Opens the ledger, audits it in full (every leaf re-hashed against the signed tree, every
    /// trusted reviewer's signature re-verified) and builds the trust index from the entries the
    /// audit verified, never from stored columns. A ledger that fails is not an error here: the
    /// daemon starts failing closed and says why. Another process writing the same ledger is
    /// an error.
    pub fn open(config: &Config) -> Result<Arc<Self>> {
        let policy = config
            .policy
            .clone()
            .unwrap_or_else(|| Policy::of_keys(&config.trusted_keys));
        let keys = policy.keys();
        let passphrase = config.log_passphrase.as_deref().map(str::as_bytes);
        let base = |writer, index, log_key, latest, failure| {
            State::assemble(
                &config.db, &policy, &keys, writer, index, log_key, latest, failure,
            )
        };
        match Ledger::open(&config.db, passphrase) {
            Ok(ledger) => {
                let binding = Arc::new(OnceLock::new());
                let Verified {
                    index,
                    latest_policy,
                    failure,
                } = start_index(&ledger, &keys, &binding);
                let log_key = ledger.log_key().clone();
                let latest = ledger.checkpoint().clone();
                // The writer starts even when failing closed: it holds the ledger's lock, so no
                // second daemon can take the file; `append` refuses while failing.
                let writer = Committer::start(ledger, 1024)?;
                let mut recorded_at = None;
                let policy_entry = match &failure {
                    None => {
                        let (entry, checkpoint) =
                            policy_entry(&writer, config, latest_policy, &policy)?;
                        recorded_at = checkpoint;
                        entry
                    }
                    Some(reason) => {
                        tracing::error!(
                            reason = %reason,
                            "the ledger failed its start-up audit; failing closed"
                        );
                        None
                    }
                };
                let mut state = base(Some(writer), index, Some(log_key), Some(latest), failure);
                state.binding = binding;
                state
                    .current
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .entry = policy_entry;
                if let Some(checkpoint) = recorded_at {
                    state.advance(checkpoint);
                }
                let state = Arc::new(state);
                state.bind();
                Ok(state)
            }
            Err(err @ LedgerError::Integrity { .. }) => {
                tracing::error!(
                    error = %err,
                    "the ledger failed its start-up check; failing closed"
                );
                let log_key = vouch_ledger::public_key_path(&config.db);
                let log_key = std::fs::read_to_string(log_key)
                    .ok()
                    .and_then(|pem| PublicKey::from_pem(&pem).ok());
                Ok(Arc::new(base(
                    None,
                    TrustIndex::default(),
                    log_key,
                    None,
                    Some(err.to_string()),
                )))
            }
            Err(err) => {
                Err(err).with_context(|| format!("opening the ledger {}", config.db.display()))
            }
        }
    }

    /// A state from its parts.
    #[allow(clippy::too_many_arguments)]
    fn assemble(
        db: &std::path::Path,
        policy: &Policy,
        keys: &[PublicKey],
        writer: Option<Committer>,
        index: TrustIndex,
        log_key: Option<PublicKey>,
        latest: Option<Checkpoint>,
        failure: Option<String>,
    ) -> State {
        let readers = Readers::new(db.to_path_buf(), log_key.clone(), MAX_READERS, READ_WAIT);
        State {
            db: db.to_path_buf(),
            current: RwLock::new(Current {
                policy: Arc::new(policy.clone()),
                entry: None,
                keys: Arc::new(keys.to_vec()),
            }),
            indexed_keys: Mutex::new(keys.iter().map(PublicKey::id).collect()),
            recent: Mutex::new(None),
            writer: Mutex::new(writer),
            index,
            log_key,
            metrics: Metrics::default(),
            verifying: tokio::sync::Semaphore::new(VERIFIERS),
            readers,
            latest: RwLock::new(latest),
            failure: RwLock::new(failure),
            binding: Arc::new(OnceLock::new()),
            rebuilding: Mutex::new(()),
        }
    }

    /// Hands `entry` to the group committer; `reply` gets the result once durable. False when
    /// there is no writer (failing closed, or stopped).
    pub fn append(
        &self,
        entry: vouch_ledger::NewEntry,
        reply: impl FnOnce(vouch_ledger::AppendResult) + Send + 'static,
    ) -> bool {
        if self.failure().is_some() {
            return false;
        }
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        match writer.as_ref() {
            Some(writer) => {
                writer.append_with(entry, reply);
                true
            }
            None => false,
        }
    }

    /// Queues `entries` to be appended in one transaction (all or none); `reply` gets the results
    /// once durable. `false` when vouchd is failing closed or stopping (nothing queued).
    pub(crate) fn append_all(
        &self,
        entries: Vec<vouch_ledger::NewEntry>,
        reply: impl FnOnce(vouch_ledger::AppendAllResult) + Send + 'static,
    ) -> bool {
        if self.failure().is_some() {
            return false;
        }
        self.with_writer(|writer| writer.append_all_with(entries, reply))
            .is_some()
    }

    /// Runs `f` with the writer, if there is one.
    pub(crate) fn with_writer<T>(&self, f: impl FnOnce(&Committer) -> T) -> Option<T> {
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        writer.as_ref().map(f)
    }

    /// Finishes queued appends, closes the writer and every read connection, so that SQLite
    /// folds its write-ahead log back into the database file.
    pub fn close(&self) {
        // Readers first: only the last connection to close folds the log back, and a
        // read-only connection cannot.
        self.readers.close();
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(ledger) = writer.and_then(Committer::shutdown) {
            self.save_index(&ledger);
        }
        tracing::info!("ledger closed");
    }

    /// The policy answers are decided under now, and the ledger entry that records it.
    pub fn policy(&self) -> (Arc<Policy>, Option<u64>) {
        let current = self.current.read().unwrap_or_else(|p| p.into_inner());
        (Arc::clone(&current.policy), current.entry)
    }

    /// The keys submissions may be signed with now.
    pub fn keys(&self) -> Arc<Vec<PublicKey>> {
        Arc::clone(&self.current.read().unwrap_or_else(|p| p.into_inner()).keys)
    }

    /// Indexes a verified submission appended at `at` (and keeps it for a reload rebuilding the
    /// index meanwhile).
    pub(crate) fn index_submission(
        &self,
        at: At,
        submission: &Submission,
        retracts: Option<SignedKey>,
    ) {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        add_to(&self.index, at, submission, retracts);
        if let Some(list) = recent.as_mut() {
            list.push((at, submission.clone(), retracts));
        }
    }

    /// Saves the index for the next start (see [`crate::saved`]), unless vouchd is failing
    /// closed: then the next start audits in full.
    fn save_index(&self, ledger: &Ledger) {
        if self.failure().is_some() {
            return;
        }
        let keys: Vec<KeyId> = self
            .indexed_keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .copied()
            .collect();
        let (_, entry) = self.policy();
        if let Err(e) = crate::saved::save(ledger, &self.index, &keys, entry) {
            tracing::warn!(error = %e, "could not save the trust index; the next start audits in full");
        }
    }

    /// Lets a restored index read and verify reviews through this shared state.
    fn bind(self: &Arc<Self>) {
        let _ = self.binding.set(Arc::downgrade(self));
    }

    /// Why the daemon is failing closed, if it is.
    pub fn failure(&self) -> Option<String> {
        self.failure
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Starts failing closed. Never undone while the daemon runs: a restart re-checks.
    pub fn fail(&self, reason: String) {
        tracing::error!(reason = %reason, "failing closed");
        *self.failure.write().unwrap_or_else(|p| p.into_inner()) = Some(reason);
    }

    /// The latest checkpoint, unless failing.
    pub fn latest(&self) -> Option<Checkpoint> {
        if self.failure().is_some() {
            return None;
        }
        self.latest
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Records a newer checkpoint.
    pub fn advance(&self, checkpoint: Checkpoint) {
        let mut latest = self.latest.write().unwrap_or_else(|p| p.into_inner());
        if latest
            .as_ref()
            .is_none_or(|c| c.tree_size < checkpoint.tree_size)
        {
            *latest = Some(checkpoint);
        }
    }

    /// Runs `f` on a pooled read-only connection. Blocking: call from `spawn_blocking`.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&View<'_>) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        self.readers.with(|reader| f(&reader.view()))
    }
}
