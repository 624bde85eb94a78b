//! Loading another policy while serving (`SIGHUP`): a policy that does not load changes nothing;
//! one that does is recorded in the ledger, and if it names keys whose reviews the index never
//! admitted, the index is rebuilt by a full audit with the new keys (reviews submitted during
//! the rebuild are carried over), so answers still come only from verified bytes.

use std::sync::Arc;

use vouch_proto::{Policy, PublicKey};
use vouch_trust::TrustIndex;

use crate::state::{record_policy, Current, State};

/// What a reload did.
#[derive(Debug, PartialEq, Eq)]
pub enum Reloaded {
    /// The policy is the one in force: nothing changed.
    Unchanged,
    /// The new policy is in force, recorded in this ledger entry; whether the index was rebuilt.
    Loaded {
        /// The policy entry.
        entry: u64,
        /// Whether the index was rebuilt for new keys.
        rebuilt: bool,
    },
}

impl State {
    /// Puts `policy` (read from `source`) in force. Blocking: call from `spawn_blocking`. An
    /// error leaves the policy in force as it was.
    pub fn reload(&self, policy: Policy, source: &str) -> Result<Reloaded, String> {
        if let Some(reason) = self.failure() {
            return Err(format!(
                "the ledger is failing its checks, so no policy is loaded: {reason}"
            ));
        }
        let (old, old_entry) = self.policy();
        if *old == policy {
            return Ok(Reloaded::Unchanged);
        }
        let keys: Vec<PublicKey> = policy.keys();
        let rebuilt = self.rebuild_for(&keys)?;
        let latest = old_entry.map(|entry| (entry, (*old).clone()));
        let (entry, checkpoint) = self
            .with_writer(|writer| record_policy(writer, latest, &policy, source))
            .ok_or("vouchd is stopping or failing closed; the policy was not recorded")?
            .map_err(|e| format!("recording the policy in the ledger: {e:#}"))?;
        if let Some(checkpoint) = checkpoint {
            self.advance(checkpoint);
        }
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Current {
            policy: Arc::new(policy),
            entry: Some(entry),
            keys: Arc::new(keys),
        };
        Ok(Reloaded::Loaded { entry, rebuilt })
    }

    /// Rebuilds the index when `keys` include one it never admitted reviews of: a full audit
    /// with every key, then a swap that keeps what was submitted meanwhile.
    fn rebuild_for(&self, keys: &[PublicKey]) -> Result<bool, String> {
        let known = self
            .indexed_keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if keys.iter().all(|k| known.contains(&k.id())) {
            return Ok(false);
        }
        let mut all: Vec<PublicKey> = self.keys().to_vec();
        all.extend(keys.iter().cloned());
        self.rebuild(all)?;
        Ok(true)
    }

    /// Builds the index of a restored start in full (a full audit with the keys in force) and
    /// swaps it in, keeping what was submitted meanwhile; from then on no answer waits for a
    /// review to be read. Blocking: call from `spawn_blocking`. A ledger that fails the audit
    /// makes vouchd fail closed.
    pub fn warm(&self) {
        if self.index.is_warm() {
            return;
        }
        let started = std::time::Instant::now();
        match self.rebuild(self.keys().to_vec()) {
            Ok(()) => tracing::info!(
                millis = started.elapsed().as_millis() as u64,
                "the full audit passed and rebuilt the trust index"
            ),
            Err(e) => tracing::error!(error = %e, "rebuilding the trust index"),
        }
    }

    /// A full audit with `all` keys, then a swap that keeps what was submitted meanwhile.
    fn rebuild(&self, all: Vec<PublicKey>) -> Result<(), String> {
        let _one_at_a_time = self.rebuilding.lock().unwrap_or_else(|p| p.into_inner());
        *self.recent.lock().unwrap_or_else(|p| p.into_inner()) = Some(Vec::new());
        let audited = TrustIndex::from_audit(&self.db, self.log_key.clone(), all.clone());
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let carried = recent.take().unwrap_or_default();
        let fresh = match audited {
            Ok(audited) if audited.report.intact => audited.index,
            Ok(audited) => {
                let problem = audited
                    .report
                    .problem
                    .map(|p| p.to_string())
                    .unwrap_or_default();
                self.fail(format!("full audit: {problem}"));
                return Err(format!("the ledger failed the full audit: {problem}"));
            }
            Err(e) => return Err(format!("the full audit could not run: {e}")),
        };
        for (at, submission, retracts) in carried {
            crate::state::add_to(&fresh, at, &submission, retracts);
        }
        self.index.replace(fresh);
        drop(recent);
        let mut indexed = self.indexed_keys.lock().unwrap_or_else(|p| p.into_inner());
        indexed.extend(all.iter().map(PublicKey::id));
        Ok(())
    }
}
