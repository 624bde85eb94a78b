//! Content digests: the `sha256:<hex>` identity of an image, a Dockerfile or a download.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};

use crate::error::DigestError;

/// A SHA-256 digest, the only algorithm Vouch accepts for the things it vouches for.
///
/// Parsed from `sha256:<64 lowercase hex>`; shown the same way. In in-toto digest sets it is the
/// value of the `sha256` key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest([u8; 32]);

impl Digest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Digest(Sha256::digest(bytes).into())
    }

    /// Wraps 32 raw digest bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Digest(bytes)
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 64 lowercase hex characters, without the `sha256:` prefix.
    pub fn hex(&self) -> String {
        Hex32::new(&self.0).as_str().to_string()
    }

    /// Parses the bare 64-character lowercase hex form (as used in in-toto digest sets).
    pub fn from_hex(text: &str) -> Result<Self, DigestError> {
        if text.len() != 64 {
            return Err(DigestError::Length(text.chars().count()));
        }
        let mut out = [0u8; 32];
        let mut bad = 0u8;
        for (byte, pair) in out.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
            let (high, low) = (NIBBLE[usize::from(pair[0])], NIBBLE[usize::from(pair[1])]);
            bad |= high | low;
            *byte = (high << 4) | (low & 0x0f);
        }
        if bad & NOT_HEX != 0 {
            let bad = text.chars().find(|c| !matches!(c, '0'..='9' | 'a'..='f'));
            return Err(DigestError::NotHex(bad.unwrap_or('?')));
        }
        Ok(Digest(out))
    }
}

/// The value of each lowercase hex digit, [`NOT_HEX`] for every other byte: a table, because
/// digests are read in every envelope checked and the `hex` crate's per-byte match cost 3% of a
/// `vouch verify` of many envelopes.
const NIBBLE: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// Marks a byte that is not a lowercase hex digit in [`NIBBLE`].
const NOT_HEX: u8 = 0x10;

impl FromStr for Digest {
    type Err = DigestError;

    /// Parses `sha256:<64 lowercase hex>`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.split_once(':') {
            Some(("sha256", hex)) => Digest::from_hex(hex),
            Some((algorithm, _)) => Err(DigestError::Algorithm(algorithm.to_string())),
            None => Err(DigestError::NoAlgorithm),
        }
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sha256:")?;
        f.write_str(Hex32::new(&self.0).as_str())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

/// 32 bytes as 64 lowercase hex characters on the stack: digests, key ids and tree hashes are
/// shown in every answer, and `hex::encode` builds a `String` one `char` at a time.
pub(crate) struct Hex32([u8; 64]);

impl Hex32 {
    /// The hex form of `bytes`.
    pub(crate) fn new(bytes: &[u8; 32]) -> Self {
        let mut out = [0u8; 64];
        // Infallible: the output is exactly twice the input's length.
        let _ = hex::encode_to_slice(bytes, &mut out);
        Hex32(out)
    }

    /// The characters.
    pub(crate) fn as_str(&self) -> &str {
        // Infallible: hex digits are ASCII.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// An in-toto digest set holding just a SHA-256: `{"sha256": "<hex>"}`.
///
/// Other algorithms are rejected on input: Vouch identifies images by their registry digest,
/// which is SHA-256, and a set without it names nothing Vouch can check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DigestSet(pub Digest);

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DigestSetWire {
    sha256: String,
}

impl Serialize for DigestSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        DigestSetWire {
            sha256: self.0.hex(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for DigestSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = DigestSetWire::deserialize(deserializer)?;
        Digest::from_hex(&wire.sha256)
            .map(DigestSet)
            .map_err(serde::de::Error::custom)
    }
}

/// Serde for a [`Digest`] written as `sha256:<hex>`.
impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_the_prefixed_form() {
        let text = format!("sha256:{}", "ab".repeat(32));
        let digest: Digest = text.parse().unwrap();
        assert_eq!(digest.to_string(), text);
        assert_eq!(digest.hex(), "ab".repeat(32));
    }

    #[test]
    fn rejects_wrong_length_non_hex_uppercase_and_other_algorithms() {
        assert_eq!(
            Digest::from_hex(&"a".repeat(63)),
            Err(DigestError::Length(63))
        );
        assert_eq!(
            Digest::from_hex(&format!("{}g", "a".repeat(63))),
            Err(DigestError::NotHex('g'))
        );
        assert_eq!(
            Digest::from_hex(&"A".repeat(64)),
            Err(DigestError::NotHex('A'))
        );
        assert_eq!(
            format!("sha512:{}", "a".repeat(64)).parse::<Digest>(),
            Err(DigestError::Algorithm("sha512".into()))
        );
        assert_eq!("abc".parse::<Digest>(), Err(DigestError::NoAlgorithm));
    }

    #[test]
    fn every_byte_value_is_written_as_two_lowercase_hex_digits() {
        for start in [0u8, 32, 64, 96, 128, 160, 192, 224] {
            let bytes: [u8; 32] = std::array::from_fn(|i| start + i as u8);
            let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(Digest::from_bytes(bytes).hex(), expected);
            assert_eq!(Digest::from_hex(&expected), Ok(Digest::from_bytes(bytes)));
        }
    }

    #[test]
    fn of_matches_a_known_answer() {
        // SHA-256 of the empty string (FIPS 180-2 test vector).
        assert_eq!(
            Digest::of(b"").hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
