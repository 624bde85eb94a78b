//! The review predicate (`https://vouch.dev/attestation/review/v1`): what a reviewer looked at
//! for one image and what they concluded. These bytes are signed, so the format is frozen: a
//! change is a new predicate type with a new schema file.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::digest::{Digest, DigestSet};
use crate::image::ImageRef;
use crate::key::KeyId;
use crate::statement::{Statement, Subject, STATEMENT_TYPE};
use crate::timestamp;

/// The predicate type of a Vouch review, version 1.
pub const REVIEW_PREDICATE_TYPE: &str = "https://vouch.dev/attestation/review/v1";

/// How far past the checking clock a `reviewedAt` may lie (clock skew between a reviewer's
/// machine and vouchd): five minutes.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// A review Statement.
pub type ReviewStatement = Statement<Review>;

/// What one reviewer concluded about one image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Review {
    /// Who signed the review.
    pub reviewer: Reviewer,
    /// The conclusion.
    pub verdict: Verdict,
    /// When the review was signed.
    #[serde(with = "timestamp::required")]
    pub reviewed_at: DateTime<Utc>,
    /// After this the review no longer counts.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "timestamp::optional"
    )]
    pub expires_at: Option<DateTime<Utc>>,
    /// The image as the reviewer named it.
    pub image: Image,
    /// The Dockerfile the image was built from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<Dockerfile>,
    /// The images the Dockerfile builds on (its external FROM lines), pinned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub base_images: Vec<BaseImage>,
    /// What the build downloads, each pinned by content hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub downloads: Vec<Download>,
    /// The automated build that produced the digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<Build>,
    /// The items the reviewer resolved, one each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checklist: Vec<ChecklistItem>,
    /// Free notes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The reviewer: a key, and optionally who holds it. Only the key is proven by the signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reviewer {
    /// The key id of the signing key.
    pub key_id: KeyId,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A contact address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// A reviewer's conclusion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The reviewer vouches for the image.
    Trusted,
    /// The reviewer found reasons not to run the image.
    Rejected,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::Trusted => "trusted",
            Verdict::Rejected => "rejected",
        })
    }
}

/// The image as the reviewer referred to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Image {
    /// The reference as given, e.g. `ubuntu:24.04@sha256:...`.
    pub reference: String,
}

/// The Dockerfile behind the image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dockerfile {
    /// Its path as the reviewer gave it (relative to the source repository when there is one).
    pub path: String,
    /// The sha256 of the file the reviewer read.
    #[serde(with = "bare_hex")]
    pub sha256: Digest,
    /// Where it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// A git repository and commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Source {
    /// The repository URL.
    pub repository: String,
    /// The full commit id (40 hex for SHA-1 repositories, 64 for SHA-256 ones).
    pub commit: String,
}

/// A base image, pinned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BaseImage {
    /// The reference as given.
    pub reference: String,
    /// Its digest.
    pub digest: DigestSet,
}

/// A download the build makes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Download {
    /// Where it is fetched from.
    pub url: String,
    /// The sha256 of the content the reviewer inspected.
    #[serde(with = "bare_hex")]
    pub sha256: Digest,
    /// Where it lands in the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
}

/// The build that produced the image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Build {
    /// A link to the build's record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The build system's id for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// One item the reviewer had to look at, and how they resolved it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChecklistItem {
    /// A stable id (a finding id from `vouch review`, or the reviewer's own).
    pub id: String,
    /// The finding kind, e.g. `download`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// What the item is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// How it was resolved.
    pub status: ItemStatus,
    /// Why; expected for accepted risks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How the reviewer resolved it (recorded so that a blanket `--accept-all` is visible).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_by: Option<Resolution>,
}

/// How a checklist item was resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resolution {
    /// Answered at the terminal prompt, item by item.
    Prompt,
    /// Given with `--resolve ID=STATUS`.
    Flag,
    /// Read from an `--answers` file.
    AnswersFile,
    /// Accepted wholesale with `--accept-all`.
    AcceptAll,
}

/// How a checklist item was resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemStatus {
    /// Looked at and found fine.
    Reviewed,
    /// A known risk the reviewer accepts, with a note.
    AcceptedRisk,
    /// Does not apply to this image.
    NotApplicable,
}

impl ReviewStatement {
    /// The statement for `review` of `image`: one subject, the normalised name and digest.
    pub fn new(image: &ImageRef, review: Review) -> Self {
        Statement {
            statement_type: STATEMENT_TYPE.to_string(),
            subject: vec![Subject {
                name: image.name().to_string(),
                digest: DigestSet(image.digest()),
            }],
            predicate_type: REVIEW_PREDICATE_TYPE.to_string(),
            predicate: review,
        }
    }
}

impl Review {
    /// A review with only the required fields: who, what verdict, when, and the image reference
    /// as given. The optional fields start empty.
    pub fn new(
        key_id: KeyId,
        verdict: Verdict,
        reviewed_at: DateTime<Utc>,
        reference: &str,
    ) -> Self {
        Review {
            reviewer: Reviewer {
                key_id,
                name: None,
                email: None,
            },
            verdict,
            reviewed_at,
            expires_at: None,
            image: Image {
                reference: reference.to_string(),
            },
            dockerfile: None,
            base_images: Vec::new(),
            downloads: Vec::new(),
            build: None,
            checklist: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Refuses a review dated later than `now` plus [`MAX_CLOCK_SKEW_SECS`]: a review from the
    /// future would outrank every later withdrawal by the same reviewer.
    pub fn check_not_future(&self, now: DateTime<Utc>) -> Result<(), crate::error::VerifyError> {
        let limit = now + chrono::Duration::seconds(MAX_CLOCK_SKEW_SECS);
        if self.reviewed_at > limit {
            return Err(crate::error::VerifyError::ReviewedInFuture {
                reviewed_at: timestamp::format(&self.reviewed_at),
                limit: timestamp::format(&limit),
            });
        }
        Ok(())
    }

    /// Whether the review has expired at `now`.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|t| t <= now)
    }
}

/// Serde for a [`Digest`] written as bare 64 hex characters.
mod bare_hex {
    use super::Digest;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(digest: &Digest, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&digest.hex())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Digest, D::Error> {
        Digest::from_hex(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}
