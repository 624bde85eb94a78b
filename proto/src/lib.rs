//! vouch-proto: the types everyone in Vouch shares (digests, image references, keys, DSSE
//! envelopes, in-toto Statements, the review predicate and the CLI's JSON reports), with signing
//! and verification. No I/O beyond what the caller hands in.

pub mod digest;
pub mod dsse;
pub mod error;
pub mod image;
pub mod key;
pub mod report;
pub mod review;
pub mod statement;
pub mod timestamp;
pub mod verify;

pub use digest::{Digest, DigestSet};
pub use dsse::{pae, Envelope, Signature, IN_TOTO_PAYLOAD_TYPE};
pub use error::{DigestError, EnvelopeError, ImageRefError, KeyError, VerifyError};
pub use image::ImageRef;
pub use key::{KeyId, PublicKey, SecretKey, KDF_ROUNDS};
pub use review::{Review, ReviewStatement, Verdict, REVIEW_PREDICATE_TYPE};
pub use statement::{Statement, Subject, STATEMENT_TYPE};
pub use verify::{sign_review, verify_review, VerifiedReview};
