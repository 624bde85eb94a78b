//! DSSE envelopes: the pre-authentication encoding (PAE), signing, and reading envelopes as the
//! DSSE spec allows them (standard or URL-safe base64, padded or not; an unset keyid is empty;
//! unknown fields ignored).

use std::borrow::Cow;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::batch::SignedBytes;
use crate::error::{EnvelopeError, VerifyError};
use crate::key::{KeyId, PublicKey, SecretKey};

/// The payload type of in-toto Statements.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// The most signatures an envelope may carry. A review has one signer, a co-signed one a few;
/// the cap bounds what a hostile envelope can make a verifier do.
pub const MAX_SIGNATURES: usize = 16;

/// The DSSE v1 pre-authentication encoding: the bytes that are actually signed.
///
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in ASCII decimal.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let parts = Pae::new(payload_type, payload);
    let mut out = Vec::with_capacity(parts.header.len() + payload.len());
    parts.parts(&mut |part| out.extend_from_slice(part));
    out
}

/// The PAE of an envelope as two parts, its header and the payload it borrows: the bytes
/// [`pae`] returns, for a batch check ([`crate::verify_batch`]) without copying the payload.
pub struct Pae<'a> {
    header: Vec<u8>,
    payload: &'a [u8],
}

impl<'a> Pae<'a> {
    /// The PAE of `payload` of type `payload_type`.
    pub fn new(payload_type: &str, payload: &'a [u8]) -> Self {
        let mut header = Vec::with_capacity(payload_type.len() + 32);
        header.extend_from_slice(b"DSSEv1 ");
        header.extend_from_slice(payload_type.len().to_string().as_bytes());
        header.push(b' ');
        header.extend_from_slice(payload_type.as_bytes());
        header.push(b' ');
        header.extend_from_slice(payload.len().to_string().as_bytes());
        header.push(b' ');
        Pae { header, payload }
    }
}

impl SignedBytes for Pae<'_> {
    fn parts(&self, part: &mut dyn FnMut(&[u8])) {
        part(&self.header);
        part(self.payload);
    }
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

/// The JSON form. Its strings borrow from the input where they hold no escapes (base64 never
/// does), so the payload's text is decoded from the input rather than copied out first.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnvelopeWire<'a> {
    #[serde(borrow)]
    payload: Cow<'a, str>,
    #[serde(borrow)]
    payload_type: Cow<'a, str>,
    #[serde(borrow)]
    signatures: Vec<SignatureWire<'a>>,
}

#[derive(Serialize, Deserialize)]
struct SignatureWire<'a> {
    #[serde(default, borrow)]
    keyid: Option<Cow<'a, str>>,
    #[serde(borrow)]
    sig: Cow<'a, str>,
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
        if wire.signatures.len() > MAX_SIGNATURES {
            return Err(EnvelopeError::TooManySignatures(wire.signatures.len()));
        }
        let payload = decode_base64(&wire.payload, || "payload".into())?;
        let signatures = wire
            .signatures
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                Ok(Signature {
                    keyid: s.keyid.map(Cow::into_owned).unwrap_or_default(),
                    sig: decode_base64(&s.sig, || format!("signatures[{i}].sig"))?,
                })
            })
            .collect::<Result<_, EnvelopeError>>()?;
        Ok(Envelope {
            payload_type: wire.payload_type.into_owned(),
            payload,
            signatures,
        })
    }

    /// The JSON envelope, standard padded base64, keyid always present.
    pub fn to_json(&self) -> String {
        let wire = EnvelopeWire {
            payload: STANDARD.encode(&self.payload).into(),
            payload_type: Cow::Borrowed(&self.payload_type),
            signatures: self
                .signatures
                .iter()
                .map(|s| SignatureWire {
                    keyid: Some(Cow::Borrowed(&s.keyid)),
                    sig: STANDARD.encode(&s.sig).into(),
                })
                .collect(),
        };
        // Serializing strings and vectors of strings cannot fail.
        serde_json::to_string(&wire).unwrap_or_default()
    }

    /// Every key of `keys` that has a valid signature on this envelope, in the order of `keys`.
    ///
    /// A signature is tried first against the key its keyid hint names (the hint is only an
    /// optimisation: it decides nothing), then against the keys not yet proven, so a hostile
    /// envelope costs at most [`MAX_SIGNATURES`] times `keys.len()` checks. Errs when no
    /// signature verifies with any key.
    pub fn verified_keys<'k>(
        &self,
        keys: &'k [PublicKey],
    ) -> Result<Vec<&'k PublicKey>, VerifyError> {
        self.verified_keys_with(keys, &[])
    }

    /// [`Envelope::verified_keys`], taking as valid without checking them again the signatures
    /// in `proven`: (position in `signatures`, key) pairs a batch check
    /// ([`crate::verify_batch`]) over this envelope's PAE has passed. A batch accepts exactly
    /// what the one-by-one check accepts (both cofactored, [`PublicKey::verify`]).
    pub fn verified_keys_with<'k>(
        &self,
        keys: &'k [PublicKey],
        proven: &[(usize, KeyId)],
    ) -> Result<Vec<&'k PublicKey>, VerifyError> {
        if self.signatures.is_empty() {
            return Err(VerifyError::NoSignatures);
        }
        // Built only when a signature is checked here (not when a batch proved them all).
        let message = std::cell::OnceCell::new();
        let batched = |position: usize, i: usize| proven.contains(&(position, keys[i].id()));
        let mut valid = vec![false; keys.len()];
        for (position, signature) in self.signatures.iter().take(MAX_SIGNATURES).enumerate() {
            let check = |i: usize| {
                batched(position, i)
                    || keys[i].verify(
                        message.get_or_init(|| pae(&self.payload_type, &self.payload)),
                        &signature.sig,
                    )
            };
            let hinted = keys.iter().position(|k| k.id().is_hex(&signature.keyid));
            if let Some(i) = hinted.filter(|&i| !valid[i]) {
                if check(i) {
                    valid[i] = true;
                    continue;
                }
            }
            if let Some(i) = (0..keys.len()).find(|&i| !valid[i] && Some(i) != hinted && check(i)) {
                valid[i] = true;
            }
        }
        let verified: Vec<&PublicKey> = keys
            .iter()
            .zip(&valid)
            .filter_map(|(key, ok)| ok.then_some(key))
            .collect();
        if verified.is_empty() {
            let ids: Vec<String> = keys.iter().map(|k| k.id().to_string()).collect();
            return Err(self.no_valid_signature(&ids));
        }
        Ok(verified)
    }

    /// Why no signature verified: the hints name other keys (wrong key), or not (bad signature).
    fn no_valid_signature(&self, ids: &[String]) -> VerifyError {
        let expected = ids.join(", ");
        let hints: Vec<&str> = self
            .signatures
            .iter()
            .map(|s| s.keyid.as_str())
            .filter(|h| !h.is_empty())
            .collect();
        let names_a_given_key = hints.iter().any(|h| ids.iter().any(|id| id == h));
        if !hints.is_empty() && !names_a_given_key {
            return VerifyError::WrongKey {
                signed_by: hints.join(", "),
                expected,
            };
        }
        VerifyError::BadSignature { expected }
    }
}

/// What an envelope's signer signed, as one hash: `SHA-256("vouch-signed/v1" LF key id LF PAE)`.
/// Two envelopes with the same key are the same signed statement however they are encoded
/// (whitespace, base64 alphabet, extra fields or signatures), so the ledger stores it once.
pub fn signed_content_key(envelope: &Envelope, signer: &crate::key::KeyId) -> [u8; 32] {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    hasher.update(b"vouch-signed/v1\n");
    hasher.update(signer.to_string().as_bytes());
    hasher.update(b"\n");
    hasher.update(pae(&envelope.payload_type, &envelope.payload));
    hasher.finalize().into()
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
    fn pae_in_parts_is_the_header_then_the_borrowed_payload() {
        // pae() joins these parts; the spec example above pins the bytes.
        let payload = b"hello world";
        let mut parts = Vec::new();
        Pae::new("http://example.com/HelloWorld", payload)
            .parts(&mut |part| parts.push(part.to_vec()));
        assert_eq!(
            parts,
            [
                b"DSSEv1 29 http://example.com/HelloWorld 11 ".to_vec(),
                payload.to_vec()
            ]
        );
    }

    #[test]
    fn sign_then_verify_and_round_trip_json() {
        let key = SecretKey::from_seed(&[1; 32]);
        let env = Envelope::sign(IN_TOTO_PAYLOAD_TYPE, b"{}".to_vec(), &key);
        let back = Envelope::from_json(env.to_json().as_bytes()).unwrap();
        assert_eq!(back, env);
        assert_eq!(
            back.verified_keys(std::slice::from_ref(key.public()))
                .unwrap(),
            [key.public()]
        );
    }

    #[test]
    fn wrong_key_and_bad_signature_are_told_apart() {
        let key = SecretKey::from_seed(&[1; 32]);
        let other = SecretKey::from_seed(&[2; 32]);
        let mut env = Envelope::sign(IN_TOTO_PAYLOAD_TYPE, b"{}".to_vec(), &key);
        assert!(matches!(
            env.verified_keys(std::slice::from_ref(other.public())),
            Err(VerifyError::WrongKey { .. })
        ));
        env.payload = b"{ }".to_vec();
        assert!(matches!(
            env.verified_keys(std::slice::from_ref(key.public())),
            Err(VerifyError::BadSignature { .. })
        ));
        env.signatures.clear();
        assert_eq!(
            env.verified_keys(std::slice::from_ref(key.public())),
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
        back.verified_keys(std::slice::from_ref(key.public()))
            .unwrap();
    }

    #[test]
    fn reads_fields_written_with_json_escapes() {
        // Strings are borrowed from the input only when they hold no escape; an escaped one
        // (legal JSON, if odd for base64) is read the same.
        let key = SecretKey::from_seed(&[4; 32]);
        let env = Envelope::sign("text/plain", b"{}".to_vec(), &key);
        // Each field's first character written as a \u escape.
        let escape = |text: &str| {
            let first = text.chars().next().unwrap();
            format!("\\u{:04x}{}", first as u32, &text[first.len_utf8()..])
        };
        let json = format!(
            r#"{{"payload":"{}","payloadType":"{}","signatures":[{{"keyid":"{}","sig":"{}"}}]}}"#,
            escape("e30="),
            escape(&env.payload_type),
            escape(&env.signatures[0].keyid),
            escape(&STANDARD.encode(&env.signatures[0].sig)),
        );
        assert!(json.contains(r#""payload":"\u0065"#), "{json}");
        let back = Envelope::from_json(json.as_bytes()).unwrap();
        assert_eq!(back, env);
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

    #[test]
    fn at_most_max_signatures_are_read() {
        let key = SecretKey::from_seed(&[5; 32]);
        let env = Envelope::sign(IN_TOTO_PAYLOAD_TYPE, b"{}".to_vec(), &key);
        let mut many = env.clone();
        many.signatures = vec![env.signatures[0].clone(); MAX_SIGNATURES + 1];
        let err = Envelope::from_json(many.to_json().as_bytes()).unwrap_err();
        assert!(matches!(err, EnvelopeError::TooManySignatures(17)), "{err}");
        many.signatures.truncate(MAX_SIGNATURES);
        let back = Envelope::from_json(many.to_json().as_bytes()).unwrap();
        assert_eq!(
            back.verified_keys(std::slice::from_ref(key.public()))
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn the_signed_content_key_ignores_the_encoding() {
        let key = SecretKey::from_seed(&[6; 32]);
        let env = Envelope::sign(IN_TOTO_PAYLOAD_TYPE, b"{\"a\":1}".to_vec(), &key);
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let reencoded = format!(
            "{{ \"signatures\": [{{\"sig\":\"{}\"}}, {{\"keyid\":\"x\",\"sig\":\"AAAA\"}}], \"payloadType\":\"{}\", \"payload\":\"{}\", \"junk\": [1,2,3] }}",
            url.encode(&env.signatures[0].sig),
            env.payload_type,
            url.encode(&env.payload)
        );
        let back = Envelope::from_json(reencoded.as_bytes()).unwrap();
        assert_eq!(
            signed_content_key(&back, &key.id()),
            signed_content_key(&env, &key.id())
        );
        let other = SecretKey::from_seed(&[7; 32]);
        assert_ne!(
            signed_content_key(&env, &other.id()),
            signed_content_key(&env, &key.id())
        );
        let mut changed = env.clone();
        changed.payload_type.push('x');
        assert_ne!(
            signed_content_key(&changed, &key.id()),
            signed_content_key(&env, &key.id())
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
            proptest::prop_assert!(back.verified_keys(&keys).is_ok());

            let mut bad = env.clone();
            if payload.is_empty() {
                bad.signatures[0].sig[position % 64] ^= 1 << bit;
            } else {
                bad.payload[position % payload.len()] ^= 1 << bit;
            }
            proptest::prop_assert!(bad.verified_keys(&keys).is_err());
            let mut bad_type = env;
            bad_type.payload_type.push('x');
            proptest::prop_assert!(bad_type.verified_keys(&keys).is_err());
        }

        #[test]
        fn reading_arbitrary_bytes_never_panics(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..256),
        ) {
            let _ = Envelope::from_json(&bytes);
            let _ = crate::Statement::from_payload(&bytes);
        }
    }
}
