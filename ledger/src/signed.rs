//! The signed-content key of a stored body: what its reviewer signed, whatever the encoding.

use vouch_proto::{signed_content_key, Envelope, Statement};

/// The key of an attestation body: its envelope's PAE and the reviewer its Statement names.
/// `None` when the body is not a readable review envelope.
pub(crate) fn key_of_body(body: &[u8]) -> Option<[u8; 32]> {
    let envelope = Envelope::from_json(body).ok()?;
    let statement = Statement::from_payload(&envelope.payload).ok()?;
    let reviewer = statement.reviewer_key_id()?;
    Some(signed_content_key(&envelope, &reviewer))
}
