//! Checking one entry on its own (its bytes against its leaf hash, its derived columns against
//! its content) and what its signature check needs; the audit batches the signatures.

use sha2::{Digest as _, Sha256};
use vouch_proto::report::ProblemKind;
use vouch_proto::{
    leaf_hash, pae, signed_content_key, EntryKind, Envelope, KeyId, PolicyEntry, PublicKey,
    Statement,
};

use crate::snapshot::Row;

pub(super) enum Signature {
    /// To be checked in a batch: the PAE, the signature most likely the reviewer's, and the
    /// key's position among the reviewer keys.
    Pending {
        message: Vec<u8>,
        sig: Vec<u8>,
        key: usize,
    },
    /// The reviewer's key is not among the keys given.
    Unchecked,
}

/// One entry after its own checks: the recomputed leaf hash, what its signature needs, and the
/// parsed body.
pub(super) struct Checked {
    pub(super) leaf: [u8; 32],
    pub(super) signature: Signature,
    pub(super) content: Content,
}

/// What a checked entry holds.
// Nearly every entry is an attestation: boxing it would cost an allocation per entry to save
// space on the rare policy entry.
#[allow(clippy::large_enum_variant)]
pub(super) enum Content {
    /// An attestation: its envelope, Statement, the reviewer key it names and its
    /// signed-content key (what that reviewer signed, whatever the encoding).
    Attestation {
        envelope: Envelope,
        statement: Statement<vouch_proto::RawPredicate>,
        reviewer: KeyId,
        signed_key: [u8; 32],
    },
    /// A policy vouchd loaded.
    Policy(Box<PolicyEntry>),
}

/// What checking the reviewer's signature needs: the PAE, the signature most likely the
/// reviewer's (the one whose keyid hint names it, else the first; a failed batch re-checks
/// every signature), and the reviewer's key among `keys`, if it is there.
fn signature_to_check(envelope: &Envelope, reviewer: &KeyId, keys: &[PublicKey]) -> Signature {
    let Some(key) = keys.iter().position(|k| k.id() == *reviewer) else {
        return Signature::Unchecked;
    };
    Signature::Pending {
        message: pae(&envelope.payload_type, &envelope.payload),
        sig: envelope
            .signatures
            .iter()
            .find(|s| s.keyid == reviewer.to_string())
            .or_else(|| envelope.signatures.first())
            .map(|s| s.sig.clone())
            .unwrap_or_default(),
        key,
    }
}

/// Checks one entry on its own: its bytes against its leaf hash, its derived columns (subjects,
/// signer, signed-content key) against its signed content. Returns what its signature needs.
pub(super) fn check_entry(row: &Row, keys: &[PublicKey]) -> Result<Checked, (ProblemKind, String)> {
    use ProblemKind as K;
    let kind: EntryKind = row.kind.parse().map_err(|e| (K::UnknownEntryKind, e))?;
    if Sha256::digest(&row.body)[..] != row.body_sha[..] {
        return Err((
            K::EntryChanged,
            "the stored body_sha256 does not match the body: the entry was changed".into(),
        ));
    }
    let leaf = leaf_hash(kind, row.integrated_at, &row.body);
    if leaf[..] != row.leaf[..] {
        return Err((
            K::EntryChanged,
            "the entry's bytes do not hash to its stored leaf hash: the entry was changed".into(),
        ));
    }
    if kind == EntryKind::Policy {
        return check_policy(row, leaf);
    }
    let envelope = Envelope::from_json(&row.body).map_err(|e| {
        (
            K::NotAnEnvelope,
            format!("the body is not an envelope: {e}"),
        )
    })?;
    let statement = Statement::from_payload(&envelope.payload).map_err(|e| {
        (
            K::NotAStatement,
            format!("the body is not a Statement: {e}"),
        )
    })?;
    let digests: Vec<String> = statement
        .subject_digests()
        .iter()
        .map(ToString::to_string)
        .collect();
    if digests != row.subjects {
        return Err((
            K::SubjectsChanged,
            format!(
                "the indexed subjects {:?} are not the Statement's {digests:?}",
                row.subjects
            ),
        ));
    }
    // The signer is whoever the signed predicate names as reviewer; the stored column is a copy
    // that must agree, whatever keys this audit was given.
    let reviewer = statement.reviewer_key_id().ok_or((
        K::NotAStatement,
        "the review names no reviewer.keyId that is a key id".to_string(),
    ))?;
    if let Some(signer) = row.signer.as_ref().filter(|s| **s != reviewer.to_string()) {
        return Err((
            K::SignerChanged,
            format!("the stored signer {signer} is not the review's reviewer {reviewer}: the signer column was changed"),
        ));
    }
    let signed_key = signed_content_key(&envelope, &reviewer);
    if let Some(stored) = &row.signed_key {
        if stored[..] != signed_key[..] {
            return Err((
                K::SignedKeyChanged,
                "the stored signed-content key does not match the entry's signed content".into(),
            ));
        }
    }
    let signature = signature_to_check(&envelope, &reviewer, keys);
    Ok(Checked {
        leaf,
        signature,
        content: Content::Attestation {
            envelope,
            statement,
            reviewer,
            signed_key,
        },
    })
}

/// A policy entry: a policy vouchd could have loaded, with no signer, no subjects, and its
/// body's hash as its signed-content key.
fn check_policy(row: &Row, leaf: [u8; 32]) -> Result<Checked, (ProblemKind, String)> {
    use ProblemKind as K;
    let entry = PolicyEntry::from_bytes(&row.body)
        .map_err(|e| (K::NotAPolicy, format!("the body is not a policy: {e}")))?;
    if !row.subjects.is_empty() {
        return Err((
            K::SubjectsChanged,
            "a policy entry has subjects indexed".into(),
        ));
    }
    if row.signer.is_some() {
        return Err((
            K::SignerChanged,
            "a policy entry has a signer stored".into(),
        ));
    }
    if let Some(stored) = &row.signed_key {
        if stored[..] != Sha256::digest(&row.body)[..] {
            return Err((
                K::SignedKeyChanged,
                "the stored signed-content key is not the policy's".into(),
            ));
        }
    }
    Ok(Checked {
        leaf,
        signature: Signature::Unchecked,
        content: Content::Policy(Box::new(entry)),
    })
}
