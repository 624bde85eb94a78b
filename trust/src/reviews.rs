//! The reviews by digest, laid out for an answer at a million entries: what a trust query
//! touches is the table's bucket and the review's summary, and little else. Most digests have
//! one review, kept in the bucket itself (no list to follow); the names a summary holds (the
//! reviewer, the repositories, the checklist kinds) are shared, one copy of each, so a million
//! reviews by a few reviewers of a few repositories hold a few strings, which stay in cache.
//! Measured at 1,000,000 entries before this layout: four dependent cache misses in the lookup
//! alone (table, list, summary, then its own strings), a tenth of vouchd's time under load.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use vouch_proto::Digest;

use crate::index::Summary;

/// The reviews of one digest.
enum Slot {
    /// The usual case: one review.
    One(Arc<Summary>),
    /// Two or more, in the order they were added.
    Many(Vec<Arc<Summary>>),
}

impl Slot {
    fn as_slice(&self) -> &[Arc<Summary>] {
        match self {
            Slot::One(summary) => std::slice::from_ref(summary),
            Slot::Many(list) => list,
        }
    }
}

/// Summaries by digest, with their names shared.
#[derive(Default)]
pub(crate) struct ByDigest {
    slots: HashMap<Digest, Slot>,
    /// One copy of every name a summary holds.
    names: HashSet<Arc<str>>,
}

impl ByDigest {
    /// Adds a review about `digests` (once per digest: a second insert of the same entry
    /// changes nothing).
    pub(crate) fn insert(&mut self, digests: &[Digest], summary: Summary) {
        let summary = Arc::new(self.shared(summary));
        for digest in digests {
            let slot = match self.slots.entry(*digest) {
                Entry::Vacant(vacant) => {
                    vacant.insert(Slot::One(Arc::clone(&summary)));
                    continue;
                }
                Entry::Occupied(occupied) => occupied.into_mut(),
            };
            if slot.as_slice().iter().any(|s| s.index == summary.index) {
                continue;
            }
            match slot {
                Slot::One(first) => {
                    let first = Arc::clone(first);
                    *slot = Slot::Many(vec![first, Arc::clone(&summary)]);
                }
                Slot::Many(list) => list.push(Arc::clone(&summary)),
            }
        }
    }

    /// The reviews about `digest`.
    pub(crate) fn get(&self, digest: &Digest) -> Vec<Arc<Summary>> {
        self.slots
            .get(digest)
            .map(|slot| slot.as_slice().to_vec())
            .unwrap_or_default()
    }

    /// Every (digest, entry) held.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (Digest, u64)> + '_ {
        self.slots
            .iter()
            .flat_map(|(d, slot)| slot.as_slice().iter().map(move |s| (*d, s.index)))
    }

    /// `summary` with each of its names replaced by the shared copy.
    fn shared(&mut self, mut summary: Summary) -> Summary {
        summary.subject = self.name(&summary.subject);
        summary.reviewer = summary.reviewer.map(|r| self.name(&r));
        for kind in &mut summary.accepted_risks {
            *kind = self.name(kind);
        }
        for (repository, _) in &mut summary.bases {
            *repository = self.name(repository);
        }
        summary
    }

    fn name(&mut self, text: &Arc<str>) -> Arc<str> {
        match self.names.get(text) {
            Some(shared) => Arc::clone(shared),
            None => {
                self.names.insert(Arc::clone(text));
                Arc::clone(text)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use vouch_proto::{SecretKey, Verdict};

    fn summary(index: u64, subject: &str) -> Summary {
        Summary {
            index,
            signed: crate::SignedKey(*Digest::of(&index.to_be_bytes()).as_bytes()),
            signer: SecretKey::from_seed(&[7; 32]).id(),
            reviewer: Some("Ada".into()),
            subject: subject.into(),
            verdict: Verdict::Trusted,
            reviewed_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            expires_at: None,
            accepted_risks: vec!["download".into()],
            has_source: true,
            bases: vec![("docker.io/library/debian".into(), Digest::of(b"base"))],
        }
    }

    #[test]
    fn a_digest_keeps_every_review_once_in_order() {
        let mut table = ByDigest::default();
        let (a, b) = (Digest::of(b"a"), Digest::of(b"b"));
        table.insert(&[a], summary(1, "r/x"));
        table.insert(&[a, b], summary(2, "r/x"));
        table.insert(&[a], summary(2, "r/x"));
        table.insert(&[a], summary(3, "r/y"));
        let indexes = |d| table.get(&d).iter().map(|s| s.index).collect::<Vec<_>>();
        assert_eq!(indexes(a), [1, 2, 3]);
        assert_eq!(indexes(b), [2]);
        assert!(table.get(&Digest::of(b"c")).is_empty());
        let mut entries: Vec<_> = table.entries().collect();
        entries.sort_by_key(|(d, i)| (*i, *d));
        assert_eq!(entries.len(), 4);
    }

    #[test]
    fn names_are_held_once() {
        let mut table = ByDigest::default();
        for i in 0..100 {
            table.insert(&[Digest::of(&[i as u8])], summary(i, "r/x"));
        }
        let one = &table.get(&Digest::of(&[1]))[0];
        let other = &table.get(&Digest::of(&[2]))[0];
        assert!(Arc::ptr_eq(&one.subject, &other.subject));
        assert!(Arc::ptr_eq(
            one.reviewer.as_ref().unwrap(),
            other.reviewer.as_ref().unwrap()
        ));
        assert!(Arc::ptr_eq(&one.bases[0].0, &other.bases[0].0));
        assert!(Arc::ptr_eq(
            &one.accepted_risks[0],
            &other.accepted_risks[0]
        ));
        // "Ada", "r/x", "download" and the base's repository.
        assert_eq!(table.names.len(), 4);
    }
}
