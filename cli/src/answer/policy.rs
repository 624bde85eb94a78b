//! The policy an answer was decided under, proven here: a root ("trusted without a review") and
//! a rule in warn mode ("not trusted, but go ahead") change what the CLI does without any review
//! to verify, so they are believed only when the policy entry the answer names is in the ledger
//! (its bytes proven in a checkpoint signed by the pinned log key) and that policy says so for
//! this question. What stays the daemon's word: that this policy entry is the latest one (a
//! newer entry that replaced it cannot be shown absent without reading the whole ledger), as
//! for withdrawals.

use anyhow::{bail, ensure, Context, Result};
use vouch_proto::api::TrustResponse;
use vouch_proto::policy::{Mode, Rule};
use vouch_proto::{Digest, EntryKind, PolicyEntry};

use crate::client::Client;

/// A policy entry proven in the answer's checkpoint, and the rule it gives for the question.
pub(super) struct Proven {
    index: u64,
    entry: PolicyEntry,
    rule: Rule,
}

/// Proves the policy entry `answer` names, in `answer`'s checkpoint (which must verify with the
/// pinned log key and be no older than `newest`), and that its rule for `repository` is the
/// rule and mode the answer gives.
pub(super) fn proven(
    client: &Client,
    answer: &TrustResponse,
    repository: Option<&str>,
    newest: u64,
) -> Result<Proven> {
    let checkpoint = super::proven_checkpoint(client, answer, newest, "answered under its policy")?;
    let index = answer.policy_entry.context(
        "vouchd's answer rests on its policy but names no policy entry; not believing it (is the socket really vouchd's?)",
    )?;
    let (kind, body, _) = super::proven_entry(client, index, &checkpoint)
        .with_context(|| format!("checking policy entry #{index} that vouchd named"))?;
    ensure!(
        kind == EntryKind::Policy,
        "vouchd named entry #{index} as its policy, but it is a {kind} entry; not believing the answer"
    );
    let entry = PolicyEntry::from_bytes(&body)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("reading policy entry #{index}"))?;
    let what = repository.unwrap_or("a bare digest");
    let Some(rule) = entry.policy.rule_for(repository).cloned() else {
        bail!("policy entry #{index} has no rule for {what}, yet vouchd answered under one; not believing it");
    };
    ensure!(
        answer.rule.as_deref() == Some(rule.scope.as_str()),
        "vouchd answered under rule {:?}, but policy entry #{index} decides {what} under rule {:?}; not believing it",
        answer.rule.as_deref().unwrap_or("(none)"),
        rule.scope
    );
    ensure!(
        answer.mode.as_deref() == Some(rule.mode.as_str()),
        "vouchd answered in mode {:?}, but rule {:?} of policy entry #{index} is in mode {}; not believing it",
        answer.mode.as_deref().unwrap_or("(none)"),
        rule.scope,
        rule.mode.as_str()
    );
    Ok(Proven { index, entry, rule })
}

impl Proven {
    /// The proven policy makes `digest` (as an image of `repository`) a root.
    pub(super) fn root(&self, digest: &Digest, repository: Option<&str>) -> Result<()> {
        ensure!(
            self.entry.policy.root_for(digest, repository).is_some(),
            "vouchd said {digest} is a root of its policy, but policy entry #{} names no such root; not believing it",
            self.index
        );
        Ok(())
    }

    /// The proven rule is in warn mode.
    pub(super) fn warns(&self) -> Result<()> {
        ensure!(
            self.rule.mode == Mode::Warn,
            "vouchd said rule {:?} only warns, but policy entry #{} enforces it; not believing it",
            self.rule.scope,
            self.index
        );
        Ok(())
    }
}
