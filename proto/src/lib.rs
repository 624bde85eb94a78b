//! vouch-proto: the types everyone in Vouch shares (digests, image references, keys, DSSE
//! envelopes, in-toto Statements, the review predicate, ledger entries, checkpoints and proofs,
//! and the CLI's JSON reports), with signing and verification. No I/O beyond what the caller hands in.

pub mod api;
pub mod batch;
pub mod checkpoint;
pub mod digest;
pub mod dsse;
pub mod entry;
pub mod error;
pub mod export;
pub mod findings;
pub mod image;
pub mod key;
pub mod policy;
pub mod proof;
pub mod report;
pub mod review;
pub mod revocation;
pub mod statement;
pub mod strict_json;
pub mod timestamp;
pub mod verify;

pub use batch::verify_batch;
pub use checkpoint::{ledger_origin, sign_checkpoint, verify_checkpoint, Checkpoint};
pub use digest::{Digest, DigestSet};
pub use dsse::{
    pae, signed_content_key, Envelope, Signature, IN_TOTO_PAYLOAD_TYPE, MAX_SIGNATURES,
};
pub use entry::{leaf_hash, EntryKind};
pub use error::{
    CheckpointError, DigestError, EnvelopeError, ImageRefError, KeyError, ProofError, VerifyError,
};
pub use image::ImageRef;
pub use key::{KeyId, PublicKey, SecretKey, KDF_ROUNDS, MAX_KDF_ROUNDS};
pub use policy::{Policy, PolicyEntry, PolicyError};
pub use proof::{ConsistencyProof, InclusionProof, TreeHash};
pub use review::{Review, ReviewStatement, Verdict, MAX_CLOCK_SKEW_SECS, REVIEW_PREDICATE_TYPE};
pub use statement::{RawPredicate, Statement, Subject, STATEMENT_TYPE};
pub use verify::{
    parse_review, review_from, sign_review, verify_read_review, verify_review, verify_review_with,
    VerifiedReview,
};
