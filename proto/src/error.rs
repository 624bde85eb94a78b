//! The errors of vouch-proto, one enum per concept, each variant saying what is wrong.

use thiserror::Error;

/// A digest that is not `sha256:<64 lowercase hex>`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DigestError {
    /// Not 64 characters long.
    #[error("digest has {0} hex characters; a sha256 digest has 64")]
    Length(usize),
    /// A character outside `0-9a-f`.
    #[error("digest has the character {0:?}; a sha256 digest is lowercase hex (0-9, a-f)")]
    NotHex(char),
    /// An algorithm other than sha256.
    #[error("digest algorithm {0:?} is not supported; use sha256")]
    Algorithm(String),
    /// No `algorithm:` prefix.
    #[error("digest has no algorithm; write it as sha256:<64 hex>")]
    NoAlgorithm,
}

/// An image reference that cannot name a reviewed image.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImageRefError {
    /// Not a valid reference at all.
    #[error("{reference:?} is not a valid image reference: {reason}")]
    Invalid {
        /// The reference as given.
        reference: String,
        /// What the parser said.
        reason: String,
    },
    /// A tag without a digest.
    #[error(
        "{0:?} has no digest; tags move, so reviews are of digests: give REPO@sha256:<hex> \
         (find it with `skopeo inspect docker://REPO:TAG` or `docker buildx imagetools inspect`)"
    )]
    NoDigest(String),
    /// The digest part is malformed.
    #[error("{reference:?}: {source}")]
    Digest {
        /// The reference as given.
        reference: String,
        /// What is wrong with the digest.
        source: DigestError,
    },
}

/// A key file or key text that cannot be used.
#[derive(Debug, Error)]
pub enum KeyError {
    /// The PEM label is not one Vouch reads.
    #[error("expected a PEM {expected} block, found {found}")]
    WrongKind {
        /// What was expected, e.g. `PUBLIC KEY`.
        expected: &'static str,
        /// What the text holds.
        found: String,
    },
    /// An unencrypted private key: refused, keys are encrypted at rest.
    #[error(
        "the private key is not encrypted; encrypt it first: openssl pkcs8 -topk8 -v2 aes-256-cbc \
         -v2prf hmacWithSHA256 -in KEY -out KEY.enc"
    )]
    Unencrypted,
    /// The key is encrypted and no passphrase was given.
    #[error("the private key is encrypted and no passphrase was given")]
    NeedsPassphrase,
    /// Decryption failed: almost always a wrong passphrase.
    #[error("cannot decrypt the private key: wrong passphrase, or the file is damaged")]
    Decrypt,
    /// The decrypted or decoded key is not an ed25519 key.
    #[error("not an ed25519 key: {0}")]
    NotEd25519(String),
    /// Not PEM, or malformed DER inside.
    #[error("malformed key: {0}")]
    Malformed(String),
    /// An encryption scheme or parameters Vouch does not read (refused before decrypting).
    #[error("unsupported key encryption: {0}")]
    Unsupported(String),
    /// Encrypting the key failed.
    #[error("cannot encrypt the private key: {0}")]
    Encrypt(String),
    /// The key id text is not 64 lowercase hex characters.
    #[error("a key id is 64 lowercase hex characters (sha256 of the public key)")]
    BadKeyId,
}

/// A DSSE envelope that cannot be read at all (unusable input, as opposed to a bad signature).
#[derive(Debug, Error)]
pub enum EnvelopeError {
    /// Not JSON, or JSON without the required fields.
    #[error("not a DSSE envelope: {0}")]
    Json(#[from] serde_json::Error),
    /// More signatures than any review needs.
    #[error("the envelope has {0} signatures; at most {max} are read", max = crate::dsse::MAX_SIGNATURES)]
    TooManySignatures(usize),
    /// A base64 field that does not decode.
    #[error("{field} is not valid base64 (standard or URL-safe)")]
    Base64 {
        /// The JSON path of the field, e.g. `signatures[0].sig`.
        field: String,
    },
}

/// Why a readable envelope does not prove what it claims: a negative answer, not an error.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerifyError {
    /// The envelope carries no signatures.
    #[error("the envelope has no signatures")]
    NoSignatures,
    /// The payload type is not the in-toto one.
    #[error("payloadType is {found:?}; a Vouch attestation has {expected:?}")]
    PayloadType {
        /// What the envelope says.
        found: String,
        /// What Vouch signs.
        expected: &'static str,
    },
    /// The signatures name other keys than the ones given.
    #[error("signed by key {signed_by}, not by the key given ({expected})")]
    WrongKey {
        /// The keyid hint(s) of the envelope's signatures.
        signed_by: String,
        /// The key id(s) tried.
        expected: String,
    },
    /// No signature verifies over the payload.
    #[error(
        "bad signature: no signature verifies with key {expected}; the payload or the signature \
         was changed after signing, or another key made it"
    )]
    BadSignature {
        /// The key id(s) tried.
        expected: String,
    },
    /// The payload is not an in-toto Statement v1.
    #[error("not an in-toto Statement v1: {0}")]
    NotAStatement(String),
    /// A subject digest is malformed.
    #[error("bad subject digest: {0}")]
    BadDigest(String),
    /// The predicate type is not a Vouch review.
    #[error("predicateType is {0:?}, not a Vouch review ({expected})", expected = crate::review::REVIEW_PREDICATE_TYPE)]
    PredicateType(String),
    /// The predicate does not follow the review v1 format.
    #[error("bad review predicate: {0}")]
    BadPredicate(String),
    /// `expiresAt` is not after `reviewedAt`: the review would never count.
    #[error("expiresAt {expires_at} is not after reviewedAt {reviewed_at}; a review must expire after it is made")]
    ExpiresBeforeReviewed {
        /// The expiry as signed.
        expires_at: String,
        /// The review time as signed.
        reviewed_at: String,
    },
    /// `reviewedAt` is later than the time it is checked at, plus the allowed clock skew.
    #[error("reviewedAt {reviewed_at} is in the future (later than {limit}); check the reviewer's clock and sign again")]
    ReviewedInFuture {
        /// The review time as signed.
        reviewed_at: String,
        /// The latest acceptable time.
        limit: String,
    },
}

/// A checkpoint that cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CheckpointError {
    /// Not a well-formed signed note or checkpoint.
    #[error("malformed checkpoint: {0}")]
    Malformed(String),
    /// The signature does not verify with the log key.
    #[error("checkpoint signature does not verify with the log key: {0}")]
    Signature(String),
    /// A checkpoint of another log.
    #[error("checkpoint is for log {found:?}, expected {expected:?}")]
    Origin {
        /// The origin in the checkpoint.
        found: String,
        /// The origin expected.
        expected: String,
    },
}

/// A Merkle proof that is malformed or does not verify.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProofError {
    /// The proof cannot be read.
    #[error("malformed proof: {0}")]
    Malformed(String),
    /// The proof does not prove what it claims.
    #[error("proof does not verify: {0}")]
    Invalid(String),
}
