//! `POST /v1/import`: entries of another ledger's export appended to this one, verified and
//! authorized as submissions are, all in one transaction.
//!
//! A request carries at most [`MAX_IMPORT_ENTRIES`] stored bodies (base64, exactly the bytes the
//! other ledger stored: a retraction names its review by their sha256). Any entry that is not a
//! well-formed, correctly signed attestation fails the whole request (400, nothing appended,
//! the detail names its position); an entry this daemon's policy does not accept (a key it does
//! not know, a retraction of a review it does not hold) is refused on its own and the rest
//! imported. With `dryRun` nothing is appended: the answer says what an import would do.

use serde::{Deserialize, Serialize};

use crate::checkpoint::Checkpoint;

/// The most entries one import request may hold.
pub const MAX_IMPORT_ENTRIES: usize = 1000;

/// The largest import request body, in bytes.
pub const MAX_IMPORT_BODY: usize = 16 << 20;

/// `POST /v1/import`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportRequest {
    /// The stored bodies, base64 (standard, padded), in ledger order: a retraction after the
    /// review it retracts.
    pub entries: Vec<String>,
    /// Check only: append nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// What became of one imported entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "outcome")]
pub enum ImportOutcome {
    /// Appended now (or, in a dry run, would be) at `index`.
    Imported {
        /// Its index in this ledger (`None` in a dry run).
        #[serde(skip_serializing_if = "Option::is_none", default)]
        index: Option<u64>,
    },
    /// The same signed statement is in this ledger already, at `index`.
    Duplicate {
        /// Its index in this ledger (`None` when an earlier entry of the same dry run holds it).
        #[serde(skip_serializing_if = "Option::is_none", default)]
        index: Option<u64>,
    },
    /// Not accepted by this daemon's policy; the rest of the request is unaffected.
    Refused {
        /// A stable code ([`super::ErrorCode`] on the wire).
        error: String,
        /// Why, for people.
        detail: String,
    },
}

/// The answer to `POST /v1/import` (200).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportResponse {
    /// One outcome per entry of the request, in its order.
    pub results: Vec<ImportOutcome>,
    /// The signed checkpoint covering what was appended (the latest one in a dry run).
    pub checkpoint: Checkpoint,
}
