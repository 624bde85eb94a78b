//! The signed-content key of a stored body: what its reviewer signed, whatever the encoding.

use serde_json::Value;
use vouch_proto::{signed_content_key, Envelope, KeyId, Statement};

/// The key of an attestation body: its envelope's PAE and the reviewer its Statement names.
/// `None` when the body is not a readable review envelope.
pub(crate) fn key_of_body(body: &[u8]) -> Option<[u8; 32]> {
    let envelope = Envelope::from_json(body).ok()?;
    let statement = Statement::from_payload(&envelope.payload).ok()?;
    let reviewer: KeyId = statement
        .predicate
        .pointer("/reviewer/keyId")
        .and_then(Value::as_str)?
        .parse()
        .ok()?;
    Some(signed_content_key(&envelope, &reviewer))
}
