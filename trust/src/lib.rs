//! vouch-trust: the trust decision. [`index`] holds every verified review by digest (built
//! only from entries the ledger audit verified, never from stored columns); [`decide`] answers
//! "is this digest trusted as an image of this repository?" under a [`vouch_proto::Policy`]:
//! the rule for the repository, distinct reviewer keys in scope, expiry and `max_age`,
//! rejections, required reviewers, checklist kinds and source, base images (recursively, to any
//! depth, cycles refused), roots and the rule's mode. vouchd answers with it and `vouch policy
//! test` replays it offline, so the two cannot disagree.

pub mod decide;
mod file;
pub mod index;
mod reviews;
pub mod saved;

pub use decide::{repository_of, Decision, Evaluator, Question};
pub use file::read_policy;
pub use index::{
    signed_key_of_stored, summary_of, At, Audited, Loader, Resolve, Revoked, SignedKey, Summary,
    TrustIndex,
};
pub use saved::SavedIndex;
