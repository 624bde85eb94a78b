//! in-toto Statement v1: the signed claim "this predicate holds for these subjects".

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::digest::{Digest, DigestSet};
use crate::error::VerifyError;

/// The `_type` of an in-toto Statement v1.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";

/// An in-toto Statement v1 with a predicate of type `P`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Statement<P> {
    /// Always [`STATEMENT_TYPE`].
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// What the statement is about.
    pub subject: Vec<Subject>,
    /// The URI naming the predicate's format and meaning.
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// The claim itself.
    pub predicate: P,
}

/// A software artifact the statement is about: for Vouch, an image by repository and digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// The normalised repository, e.g. `docker.io/library/ubuntu`.
    pub name: String,
    /// The image digest.
    pub digest: DigestSet,
}

impl Subject {
    /// The subject's sha256 digest.
    pub fn sha256(&self) -> Digest {
        self.digest.0
    }
}

/// A predicate not read into its type yet: its JSON text, checked for repeated keys.
pub type RawPredicate = Box<RawValue>;

/// The top of a Statement as read before its checks: loose, so each check can say what is
/// wrong; the predicate is kept as text.
#[derive(Deserialize)]
struct Loose<'a> {
    #[serde(rename = "_type")]
    statement_type: Option<Value>,
    subject: Option<Value>,
    #[serde(rename = "predicateType")]
    predicate_type: Option<Value>,
    #[serde(borrow)]
    predicate: Option<&'a RawValue>,
}

impl Statement<RawPredicate> {
    /// Reads a payload as a Statement v1 with any predicate, checking the statement layer: the
    /// `_type`, at least one subject, and that every subject digest is a well-formed sha256.
    /// No key may repeat, at any depth; the predicate is kept as its text (no `Value` is built
    /// of it), for [`Statement::into_typed`] to read.
    pub fn from_payload(payload: &[u8]) -> Result<Self, VerifyError> {
        let not_json =
            |e: serde_json::Error| VerifyError::NotAStatement(format!("payload is not JSON: {e}"));
        if !crate::strict_json::check(payload).map_err(not_json)? {
            return Err(VerifyError::NotAStatement("no _type field".into()));
        }
        let loose: Loose<'_> = serde_json::from_slice(payload).map_err(not_json)?;
        match loose.statement_type.as_ref().and_then(Value::as_str) {
            Some(STATEMENT_TYPE) => {}
            Some(other) => {
                return Err(VerifyError::NotAStatement(format!(
                    "_type is {other:?}, expected {STATEMENT_TYPE:?}"
                )))
            }
            None => return Err(VerifyError::NotAStatement("no _type field".into())),
        }
        let subjects = loose
            .subject
            .as_ref()
            .and_then(Value::as_array)
            .ok_or_else(|| VerifyError::NotAStatement("no subject list".into()))?;
        if subjects.is_empty() {
            return Err(VerifyError::NotAStatement(
                "the subject list is empty".into(),
            ));
        }
        for (i, subject) in subjects.iter().enumerate() {
            let sha256 = subject
                .get("digest")
                .and_then(|d| d.get("sha256"))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    VerifyError::BadDigest(format!("subject[{i}] has no sha256 digest"))
                })?;
            Digest::from_hex(sha256)
                .map_err(|e| VerifyError::BadDigest(format!("subject[{i}]: {e}")))?;
        }
        let bad = |e: serde_json::Error| VerifyError::NotAStatement(e.to_string());
        let missing = |field: &str| VerifyError::NotAStatement(format!("missing field `{field}`"));
        let predicate_type = loose
            .predicate_type
            .ok_or_else(|| missing("predicateType"))?;
        Ok(Statement {
            statement_type: STATEMENT_TYPE.to_string(),
            subject: serde_json::from_value(loose.subject.unwrap_or_default()).map_err(bad)?,
            predicate_type: serde_json::from_value(predicate_type).map_err(bad)?,
            predicate: loose
                .predicate
                .ok_or_else(|| missing("predicate"))?
                .to_owned(),
        })
    }

    /// Reads the predicate into its type.
    pub fn into_typed<P: serde::de::DeserializeOwned>(
        self,
    ) -> Result<Statement<P>, serde_json::Error> {
        Ok(Statement {
            statement_type: self.statement_type,
            subject: self.subject,
            predicate_type: self.predicate_type,
            predicate: serde_json::from_str(self.predicate.get())?,
        })
    }

    /// The reviewer a review's predicate names (`reviewer.keyId`), read from an untyped
    /// Statement: the signer the ledger records and the audit checks. `None` when there is
    /// none or it is not a key id.
    pub fn reviewer_key_id(&self) -> Option<crate::key::KeyId> {
        /// The two places a predicate names its signer; the rest is skipped unread.
        #[derive(Deserialize)]
        struct Named {
            reviewer: Option<Value>,
            admin: Option<Value>,
        }
        let named: Named = serde_json::from_str(self.predicate.get()).ok()?;
        // A review or a retraction names its `reviewer`; a key revocation its `admin`.
        fn key_of(holder: &Option<Value>) -> Option<&Value> {
            holder.as_ref()?.get("keyId")
        }
        key_of(&named.reviewer)
            .or_else(|| key_of(&named.admin))?
            .as_str()?
            .parse()
            .ok()
    }
}

impl<P> Statement<P> {
    /// The subjects' sha256 digests, sorted and without repeats: what the ledger indexes an
    /// entry under (one definition for vouchd, the ledger and its audit).
    pub fn subject_digests(&self) -> Vec<Digest> {
        let mut digests: Vec<Digest> = self.subject.iter().map(Subject::sha256).collect();
        digests.sort();
        digests.dedup();
        digests
    }
}

impl<P: Serialize> Statement<P> {
    /// The serialized payload: compact JSON, the bytes that get signed.
    pub fn to_payload(&self) -> Vec<u8> {
        // Every predicate type Vouch defines serializes to JSON without error (no maps with
        // non-string keys, no failing custom serializers).
        serde_json::to_vec(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn payload(predicate: &str) -> String {
        format!(
            r#"{{"_type":"{STATEMENT_TYPE}","subject":[{{"name":"r/x","digest":{{"sha256":"{DIGEST}"}}}}],"predicateType":"t","predicate":{predicate}}}"#
        )
    }

    fn refused(text: &str) -> String {
        Statement::from_payload(text.as_bytes())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn the_predicate_is_kept_as_text_and_read_into_its_type() {
        let statement = Statement::from_payload(payload(r#"{"n": [1, 2]}"#).as_bytes()).unwrap();
        assert_eq!(statement.subject[0].name, "r/x");
        assert_eq!(statement.predicate.get(), r#"{"n": [1, 2]}"#);
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        struct P {
            n: Vec<u8>,
        }
        let typed: Statement<P> = statement.into_typed().unwrap();
        assert_eq!(typed.predicate, P { n: vec![1, 2] });
        let round = Statement::from_payload(&typed.to_payload()).unwrap();
        assert_eq!(round.into_typed::<P>().unwrap(), typed);
    }

    #[test]
    fn each_broken_layer_is_named() {
        for (text, expected) in [
            ("[1]".to_string(), "no _type field"),
            ("{".to_string(), "payload is not JSON"),
            (payload(r#"{"a":1,"a":2}"#), "appears twice"),
            (payload("1").replace("_type", "type"), "no _type field"),
            (payload("1").replace(STATEMENT_TYPE, "x"), "_type is \"x\""),
            (
                payload("1").replace(r#""subject""#, r#""subjects""#),
                "no subject list",
            ),
            (payload("1").replace(DIGEST, "00"), "subject[0]"),
            (
                payload("1").replace("predicateType", "kind"),
                "missing field `predicateType`",
            ),
            (
                payload("1").replace(r#""predicate":"#, r#""other":"#),
                "missing field `predicate`",
            ),
            (
                payload("1").replace(r#""name":"r/x","#, r#""name":"r/x","extra":1,"#),
                "unknown field",
            ),
        ] {
            let error = refused(&text);
            assert!(error.contains(expected), "{text}: {error}");
        }
        let empty = format!(
            r#"{{"_type":"{STATEMENT_TYPE}","subject":[],"predicateType":"t","predicate":1}}"#
        );
        assert!(refused(&empty).contains("the subject list is empty"));
    }

    #[test]
    fn the_signer_is_the_reviewer_else_the_admin() {
        let id = |predicate: &str| {
            Statement::from_payload(payload(predicate).as_bytes())
                .unwrap()
                .reviewer_key_id()
                .map(|k| k.to_string())
        };
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        assert_eq!(
            id(&format!(
                r#"{{"reviewer":{{"keyId":"{a}"}},"admin":{{"keyId":"{b}"}}}}"#
            )),
            Some(a.clone())
        );
        assert_eq!(
            id(&format!(
                r#"{{"reviewer":{{"name":"x"}},"admin":{{"keyId":"{b}"}}}}"#
            )),
            Some(b.clone())
        );
        assert_eq!(id(&format!(r#"{{"admin":{{"keyId":"{b}"}}}}"#)), Some(b));
        assert_eq!(id(r#"{"reviewer":{"keyId":7}}"#), None);
        assert_eq!(id(r#"{"reviewer":{"keyId":"not a key id"}}"#), None);
        assert_eq!(id("[1,2]"), None);
    }
}
