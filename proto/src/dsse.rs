//! DSSE envelopes: the pre-authentication encoding (PAE), signing, and reading envelopes as the
//! DSSE spec allows them (standard or URL-safe base64, padded or not; an unset keyid is empty;
//! unknown fields ignored).

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{EnvelopeError, VerifyError};
use crate::key::{PublicKey, SecretKey};

/// The payload type of in-toto Statements.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// The DSSE v1 pre-authentication encoding: the bytes that are actually signed.
///
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in ASCII decimal.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload_type.len() + payload.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// One signature of an envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The unauthenticated key hint; empty when unset. Never used for a security decision.
    pub keyid: String,
    /// The raw signature bytes.
    pub sig: Vec<u8>,
}

/// A DSSE envelope with its payload and signatures decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// The payload type; authenticated by the signature.
    pub payload_type: String,
    /// The serialized body; authenticated by the signature.
    pub payload: Vec<u8>,
    /// The signatures, in envelope order.
    pub signatures: Vec<Signature>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnvelopeWire {
    payload: String,
    payload_type: String,
    signatures: Vec<SignatureWire>,
}

#[derive(Serialize, Deserialize)]
struct SignatureWire {
    #[serde(default)]
    keyid: Option<String>,
    sig: String,
}

/// Standard or URL-safe alphabet, padding optional: every form the DSSE spec allows.
const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

fn decode_base64(text: &str, field: impl FnOnce() -> String) -> Result<Vec<u8>, EnvelopeError> {
    STANDARD_LENIENT
        .decode(text)
        .or_else(|_| URL_SAFE_LENIENT.decode(text))
        .map_err(|_| EnvelopeError::Base64 { field: field() })
}

impl Envelope {
    /// Signs `payload` of type `payload_type` with `key`; the keyid is the key's id.
    pub fn sign(payload_type: &str, payload: Vec<u8>, key: &SecretKey) -> Self {
        let sig = key.sign(&pae(payload_type, &payload)).to_vec();
        Envelope {
            payload_type: payload_type.to_string(),
            payload,
            signatures: vec![Signature {
                keyid: key.id().to_string(),
                sig,
            }],
        }
    }

    /// Reads the JSON envelope.
    pub fn from_json(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        let wire: EnvelopeWire = serde_json::from_slice(bytes)?;
        let payload = decode_base64(&wire.payload, || "payload".into())?;
        let signatures = wire
            .signatures
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                Ok(Signature {
                    keyid: s.keyid.unwrap_or_default(),
                    sig: decode_base64(&s.sig, || format!("signatures[{i}].sig"))?,
                })
            })
            .collect::<Result<_, EnvelopeError>>()?;
        Ok(Envelope {
            payload_type: wire.payload_type,
            payload,
            signatures,
        })
    }

    /// The JSON envelope, standard padded base64, keyid always present.
    pub fn to_json(&self) -> String {
        let wire = EnvelopeWire {
            payload: STANDARD.encode(&self.payload),
            payload_type: self.payload_type.clone(),
            signatures: self
                .signatures
                .iter()
                .map(|s| SignatureWire {
                    keyid: Some(s.keyid.clone()),
                    sig: STANDARD.encode(&s.sig),
                })
                .collect(),
        };
        // Serializing strings and vectors of strings cannot fail.
        serde_json::to_string(&wire).unwrap_or_default()
    }

    /// Checks that some signature verifies with one of `keys`, and returns that key.
    ///
    /// The keyid hints are used only to word the error (wrong key versus bad signature); every
    /// signature is tried against every key whatever its hint says.
    pub fn verify<'k>(&self, keys: &'k [PublicKey]) -> Result<&'k PublicKey, VerifyError> {
        if self.signatures.is_empty() {
            return Err(VerifyError::NoSignatures);
        }
        let message = pae(&self.payload_type, &self.payload);
        for key in keys {
            if self.signatures.iter().any(|s| key.verify(&message, &s.sig)) {
                return Ok(key);
            }
        }
        let expected = keys
            .iter()
            .map(|k| k.id().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let hints: Vec<&str> = self
            .signatures
            .iter()
            .map(|s| s.keyid.as_str())
            .filter(|h| !h.is_empty())
            .collect();
        let names_a_given_key = hints
            .iter()
            .any(|h| keys.iter().any(|k| k.id().to_string() == *h));
        if !hints.is_empty() && !names_a_given_key {
            return Err(VerifyError::WrongKey {
                signed_by: hints.join(", "),
                expected,
            });
        }
        Err(VerifyError::BadSignature { expected })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_spec_example() {
        // The worked example of the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }

    #[test]
    fn sign_then_verify_and_round_trip_json() {
        let key = SecretKey::from_seed(&[1; 32]);
        let env = Envelope::sign(IN_TOTO_PAYLOAD_TYPE, b"{}".to_vec(), &key);
        let back = Envelope::from_json(env.to_json().as_bytes()).unwrap();
        assert_eq!(back, env);
        assert_eq!(
            back.verify(std::slice::from_ref(key.public())).unwrap(),
            key.public()
        );
    }

    #[test]
    fn wrong_key_and_bad_signature_are_told_apart() {
        let key = SecretKey::from_seed(&[1; 32]);
        let other = SecretKey::from_seed(&[2; 32]);
        let mut env = Envelope::sign(IN_TOTO_PAYLOAD_TYPE, b"{}".to_vec(), &key);
        assert!(matches!(
            env.verify(std::slice::from_ref(other.public())),
            Err(VerifyError::WrongKey { .. })
        ));
        env.payload = b"{ }".to_vec();
        assert!(matches!(
            env.verify(std::slice::from_ref(key.public())),
            Err(VerifyError::BadSignature { .. })
        ));
        env.signatures.clear();
        assert_eq!(
            env.verify(std::slice::from_ref(key.public())),
            Err(VerifyError::NoSignatures)
        );
    }

    #[test]
    fn reads_url_safe_unpadded_and_missing_keyid() {
        let key = SecretKey::from_seed(&[3; 32]);
        let env = Envelope::sign(IN_TOTO_PAYLOAD_TYPE, vec![0xfb, 0xff, 0xfe], &key);
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let json = format!(
            r#"{{"payload":"{}","payloadType":"{}","signatures":[{{"sig":"{}"}}],"extra":1}}"#,
            url.encode(&env.payload),
            env.payload_type,
            url.encode(&env.signatures[0].sig)
        );
        let back = Envelope::from_json(json.as_bytes()).unwrap();
        assert_eq!(back.payload, env.payload);
        assert_eq!(back.signatures[0].keyid, "");
        back.verify(std::slice::from_ref(key.public())).unwrap();
    }

    #[test]
    fn names_the_field_that_is_not_base64() {
        let json = r#"{"payload":"e30=","payloadType":"x","signatures":[{"keyid":"","sig":"!!"}]}"#;
        let err = Envelope::from_json(json.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "signatures[0].sig is not valid base64 (standard or URL-safe)"
        );
    }

    proptest::proptest! {
        #[test]
        fn json_round_trips_and_every_bit_flip_fails(
            payload in proptest::collection::vec(proptest::num::u8::ANY, 0..512),
            payload_type in "[ -~]{0,40}",
            position in proptest::num::usize::ANY,
            bit in 0u8..8,
        ) {
            let key = SecretKey::from_seed(&[4; 32]);
            let keys = [key.public().clone()];
            let env = Envelope::sign(&payload_type, payload.clone(), &key);
            let back = Envelope::from_json(env.to_json().as_bytes()).unwrap();
            proptest::prop_assert_eq!(&back, &env);
            proptest::prop_assert!(back.verify(&keys).is_ok());

            let mut bad = env.clone();
            if payload.is_empty() {
                bad.signatures[0].sig[position % 64] ^= 1 << bit;
            } else {
                bad.payload[position % payload.len()] ^= 1 << bit;
            }
            proptest::prop_assert!(bad.verify(&keys).is_err());
            let mut bad_type = env;
            bad_type.payload_type.push('x');
            proptest::prop_assert!(bad_type.verify(&keys).is_err());
        }

        #[test]
        fn reading_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let _ = Envelope::from_json(&bytes);
            let _ = crate::Statement::from_payload(&bytes);
        }
    }
}
