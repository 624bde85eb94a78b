//! Reviewer and log keys: ed25519 key pairs, their key ids, and their files (PKCS#8 private keys
//! encrypted with a passphrase, SubjectPublicKeyInfo public keys, both PEM).

use std::fmt;
use std::str::FromStr;

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, KeypairBytes,
};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use pkcs8::der::Decode;
use pkcs8::pkcs5::pbes2;
use pkcs8::{EncryptedPrivateKeyInfo, PrivateKeyInfo, SecretDocument};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use crate::error::KeyError;

/// PBKDF2-HMAC-SHA256 rounds for new private key files (OWASP's 2023 figure for this PRF).
pub const KDF_ROUNDS: u32 = 600_000;

/// The most PBKDF2 rounds a key file may ask for (about 5 s here); more is refused unread.
pub const MAX_KDF_ROUNDS: u32 = 10_000_000;

/// Accepts only the encryption Vouch writes: PBES2, PBKDF2-HMAC-SHA256 with a bounded round
/// count, AES-256-CBC.
fn check_encryption(scheme: &pkcs8::pkcs5::EncryptionScheme<'_>) -> Result<(), KeyError> {
    use pkcs8::pkcs5::pbes2::{EncryptionScheme, Kdf, Pbkdf2Prf};
    let refuse = |what: String| {
        Err(KeyError::Unsupported(format!(
            "{what}; Vouch reads keys encrypted with PBES2, PBKDF2-HMAC-SHA256 (at most {MAX_KDF_ROUNDS} rounds) and AES-256-CBC, as `vouch key generate` and `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256` write them"
        )))
    };
    let pkcs8::pkcs5::EncryptionScheme::Pbes2(params) = scheme else {
        return refuse("the key file uses PBES1".into());
    };
    match &params.kdf {
        Kdf::Pbkdf2(kdf) if kdf.prf != Pbkdf2Prf::HmacWithSha256 => {
            return refuse(format!("the key file's PBKDF2 uses {:?}", kdf.prf))
        }
        Kdf::Pbkdf2(kdf) if kdf.iteration_count > MAX_KDF_ROUNDS => {
            return refuse(format!(
                "the key file asks for {} PBKDF2 rounds",
                kdf.iteration_count
            ))
        }
        Kdf::Pbkdf2(_) => {}
        Kdf::Scrypt(_) => return refuse("the key file uses scrypt".into()),
        _ => return refuse("the key file uses an unknown key derivation".into()),
    }
    if !matches!(params.encryption, EncryptionScheme::Aes256Cbc { .. }) {
        return refuse("the key file is not encrypted with AES-256-CBC".into());
    }
    Ok(())
}

/// A key's identity: the lowercase hex SHA-256 of its DER SubjectPublicKeyInfo.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId([u8; 32]);

impl KeyId {
    /// The key id of an ed25519 public key.
    pub fn of(key: &VerifyingKey) -> Self {
        KeyId(Sha256::digest(spki_der(key)).into())
    }

    /// A key id from its 32 bytes (as a file written by vouch stores it).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        KeyId(bytes)
    }

    /// Its 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Whether `text` is this key id in hex (as a DSSE signature's `keyid` hint names it),
    /// without allocating.
    pub fn is_hex(&self, text: &str) -> bool {
        crate::digest::Hex32::new(&self.0).as_str() == text
    }
}

impl KeyId {
    /// The first 16 hex characters, as shown to people beside a reviewer's name.
    pub fn short(&self) -> ShortKeyId {
        ShortKeyId(*self)
    }
}

/// A key id shown by its first 16 hex characters (see [`KeyId::short`]).
pub struct ShortKeyId(KeyId);

impl fmt::Display for ShortKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::digest::Hex32::new(&self.0 .0).as_str()[..16])
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::digest::Hex32::new(&self.0).as_str())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

impl FromStr for KeyId {
    type Err = KeyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let digest = crate::Digest::from_hex(text).map_err(|_| KeyError::BadKeyId)?;
        Ok(KeyId(*digest.as_bytes()))
    }
}

impl Serialize for KeyId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KeyId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The DER SubjectPublicKeyInfo of an ed25519 key (RFC 8410): a fixed 12-byte prefix and the
/// 32 key bytes.
fn spki_der(key: &VerifyingKey) -> Vec<u8> {
    // Encoding a 32-byte key into a fixed-size structure cannot fail.
    key.to_public_key_der()
        .map(|doc| doc.as_bytes().to_vec())
        .unwrap_or_default()
}

/// An ed25519 public key with its key id.
#[derive(Clone)]
pub struct PublicKey {
    key: VerifyingKey,
    id: KeyId,
    /// The same key for ed25519-zebra's check, its point decompressed once here rather than
    /// at every signature (`None` for bytes it does not read, which then verify nothing).
    zip215: Option<ed25519_zebra::VerificationKey>,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for PublicKey {}

impl PublicKey {
    /// Wraps a verifying key.
    pub fn new(key: VerifyingKey) -> Self {
        PublicKey {
            id: KeyId::of(&key),
            zip215: ed25519_zebra::VerificationKey::try_from(key.to_bytes()).ok(),
            key,
        }
    }

    /// The key id.
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The ed25519 verifying key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Reads a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) block.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let label = pem_label(text)?;
        if label != "PUBLIC KEY" {
            return Err(KeyError::WrongKind {
                expected: "PUBLIC KEY",
                found: label,
            });
        }
        VerifyingKey::from_public_key_pem(text)
            .map(PublicKey::new)
            .map_err(|e| KeyError::NotEd25519(e.to_string()))
    }

    /// The PEM `PUBLIC KEY` text, LF line endings.
    pub fn to_pem(&self) -> String {
        // Encoding a 32-byte key as PEM cannot fail.
        self.key
            .to_public_key_pem(LineEnding::LF)
            .unwrap_or_default()
    }

    /// The DER SubjectPublicKeyInfo bytes.
    pub fn to_der(&self) -> Vec<u8> {
        spki_der(&self.key)
    }

    /// Checks an ed25519 signature under Vouch's one rule, the same in a batch
    /// ([`crate::verify_batch`]), in vouchd, `vouch verify` and the audit: refused unread when
    /// the signature is not 64 bytes, its `s` is not reduced, its `R` is not a point or has small
    /// order, or this key has small order (under which anyone could sign); otherwise the
    /// cofactored equation `[8]s·B = [8]R + [8]h·A` of ZIP-215, checked by ed25519-zebra. A
    /// cofactored check ignores a small-order component in `R` (which only the signer can add),
    /// so every path gives the same answer for every signature, every run; a cofactorless
    /// check (ed25519-dalek's `verify_strict`) refuses such a signature alone but a random
    /// linear combination of many may let it through, which made answers vary run to run.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
            return false;
        };
        if !crate::batch::acceptable(&bytes, self) {
            return false;
        }
        self.zip215.is_some_and(|key| {
            key.verify(&ed25519_zebra::Signature::from(bytes), message)
                .is_ok()
        })
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.id)
    }
}

/// An ed25519 signing key. Zeroed on drop; its Debug form never shows the secret.
pub struct SecretKey {
    key: SigningKey,
    public: PublicKey,
}

impl SecretKey {
    /// A new random key from the operating system's generator.
    pub fn generate() -> Self {
        Self::from_signing_key(SigningKey::generate(&mut OsRng))
    }

    /// A key from 32 seed bytes; for test vectors and deterministic fixtures.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self::from_signing_key(SigningKey::from_bytes(seed))
    }

    fn from_signing_key(key: SigningKey) -> Self {
        let public = PublicKey::new(key.verifying_key());
        SecretKey { key, public }
    }

    /// The public half.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The key id of the public half.
    pub fn id(&self) -> KeyId {
        self.public.id
    }

    /// An ed25519 signature over `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }

    /// The encrypted PKCS#8 PEM (`ENCRYPTED PRIVATE KEY`) with PBES2: PBKDF2-HMAC-SHA256 with
    /// `rounds` rounds and a random salt, AES-256-CBC. OpenSSL 3, Python `cryptography` and
    /// cosign read this form; the PKCS#8 is v1 (no embedded public key) because OpenSSL 3.0
    /// rejects ed25519-dalek's v2 output.
    pub fn to_encrypted_pem(
        &self,
        passphrase: &[u8],
        rounds: u32,
    ) -> Result<Zeroizing<String>, KeyError> {
        let v1 = KeypairBytes {
            secret_key: self.key.to_bytes(),
            public_key: None,
        };
        let plain = v1
            .to_pkcs8_der()
            .map_err(|e| KeyError::Encrypt(e.to_string()))?;
        let info = PrivateKeyInfo::from_der(plain.as_bytes())
            .map_err(|e| KeyError::Encrypt(e.to_string()))?;
        let mut salt = [0u8; 16];
        let mut iv = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        OsRng.fill_bytes(&mut iv);
        let params = pbes2::Parameters::pbkdf2_sha256_aes256cbc(rounds, &salt, &iv)
            .map_err(|e| KeyError::Encrypt(e.to_string()))?;
        let encrypted = info
            .encrypt_with_params(params, passphrase)
            .map_err(|e| KeyError::Encrypt(e.to_string()))?;
        encrypted
            .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
            .map_err(|e| KeyError::Encrypt(e.to_string()))
    }

    /// The unencrypted PKCS#8 v1 PEM (`PRIVATE KEY`). Only for keys that must be used
    /// unattended (the ledger's own key when no passphrase is configured); reviewer keys are
    /// always encrypted.
    pub fn to_unencrypted_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        let v1 = KeypairBytes {
            secret_key: self.key.to_bytes(),
            public_key: None,
        };
        v1.to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| KeyError::Encrypt(e.to_string()))
    }

    /// Reads a private key that may be encrypted (`ENCRYPTED PRIVATE KEY`, needs `passphrase`)
    /// or not (`PRIVATE KEY`).
    pub fn from_pem(text: &str, passphrase: Option<&[u8]>) -> Result<Self, KeyError> {
        match (pem_label(text)?.as_str(), passphrase) {
            ("PRIVATE KEY", _) => {
                let pair = KeypairBytes::from_pkcs8_pem(text)
                    .map_err(|e| KeyError::NotEd25519(e.to_string()))?;
                Ok(Self::from_signing_key(SigningKey::from_bytes(
                    &pair.secret_key,
                )))
            }
            ("ENCRYPTED PRIVATE KEY", Some(passphrase)) => {
                Self::from_encrypted_pem(text, passphrase)
            }
            ("ENCRYPTED PRIVATE KEY", None) => Err(KeyError::NeedsPassphrase),
            (label, _) => Err(KeyError::WrongKind {
                expected: "PRIVATE KEY",
                found: label.to_string(),
            }),
        }
    }

    /// Reads an `ENCRYPTED PRIVATE KEY` PEM block: PBES2 with PBKDF2-HMAC-SHA256 (at most
    /// [`MAX_KDF_ROUNDS`] rounds) and AES-256-CBC, the form Vouch writes. Anything else is
    /// refused before any key derivation runs, so a crafted file cannot make it take gigabytes
    /// of memory (scrypt) or minutes of CPU (billions of rounds).
    pub fn from_encrypted_pem(text: &str, passphrase: &[u8]) -> Result<Self, KeyError> {
        let label = pem_label(text)?;
        match label.as_str() {
            "ENCRYPTED PRIVATE KEY" => {}
            "PRIVATE KEY" | "OPENSSH PRIVATE KEY" => return Err(KeyError::Unencrypted),
            _ => {
                return Err(KeyError::WrongKind {
                    expected: "ENCRYPTED PRIVATE KEY",
                    found: label,
                })
            }
        }
        let (_, der) =
            SecretDocument::from_pem(text).map_err(|e| KeyError::Malformed(e.to_string()))?;
        let info = EncryptedPrivateKeyInfo::from_der(der.as_bytes())
            .map_err(|e| KeyError::Malformed(e.to_string()))?;
        check_encryption(&info.encryption_algorithm)?;
        let plain = info.decrypt(passphrase).map_err(|_| KeyError::Decrypt)?;
        let pair = KeypairBytes::try_from(
            PrivateKeyInfo::from_der(plain.as_bytes())
                .map_err(|e| KeyError::Malformed(e.to_string()))?,
        )
        .map_err(|e| KeyError::NotEd25519(e.to_string()))?;
        let key = SigningKey::from_bytes(&pair.secret_key);
        if let Some(public) = pair.public_key {
            if public.to_bytes() != key.verifying_key().to_bytes() {
                return Err(KeyError::Malformed(
                    "the embedded public key does not match the private key".into(),
                ));
            }
        }
        Ok(Self::from_signing_key(key))
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({}, secret redacted)", self.public.id)
    }
}

/// The label of the first PEM block in `text`, e.g. `PUBLIC KEY`.
fn pem_label(text: &str) -> Result<String, KeyError> {
    let start = text
        .find("-----BEGIN ")
        .ok_or_else(|| KeyError::Malformed("no PEM block (-----BEGIN ...-----) found".into()))?;
    let rest = &text[start + "-----BEGIN ".len()..];
    let end = rest
        .find("-----")
        .ok_or_else(|| KeyError::Malformed("unterminated PEM header".into()))?;
    Ok(rest[..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Few rounds: these tests check the format, not the cost.
    const TEST_ROUNDS: u32 = 1_000;

    #[test]
    fn key_id_is_sha256_of_the_spki_der() {
        let key = SecretKey::from_seed(&[7; 32]);
        let der = key.public().to_der();
        assert_eq!(der.len(), 44, "RFC 8410 ed25519 SPKI is 44 bytes");
        assert_eq!(key.id().to_string(), hex::encode(Sha256::digest(&der)));
        assert_eq!(key.id().short().to_string(), key.id().to_string()[..16]);
    }

    #[test]
    fn encrypted_pem_round_trips_and_refuses_a_wrong_passphrase() {
        let key = SecretKey::generate();
        let pem = key.to_encrypted_pem(b"correct horse", TEST_ROUNDS).unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
        let back = SecretKey::from_encrypted_pem(&pem, b"correct horse").unwrap();
        assert_eq!(back.id(), key.id());
        assert!(matches!(
            SecretKey::from_encrypted_pem(&pem, b"wrong"),
            Err(KeyError::Decrypt)
        ));
    }

    #[test]
    fn public_pem_round_trips_and_kinds_are_checked() {
        let key = SecretKey::generate();
        let pem = key.public().to_pem();
        assert_eq!(PublicKey::from_pem(&pem).unwrap(), *key.public());
        let private = key.to_encrypted_pem(b"x", TEST_ROUNDS).unwrap();
        assert!(matches!(
            PublicKey::from_pem(&private),
            Err(KeyError::WrongKind { .. })
        ));
        assert!(matches!(
            SecretKey::from_encrypted_pem(&pem, b"x"),
            Err(KeyError::WrongKind { .. })
        ));
        assert!(matches!(
            PublicKey::from_pem("not a key"),
            Err(KeyError::Malformed(_))
        ));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = SecretKey::from_seed(&[0x42; 32]);
        let shown = format!("{key:?}");
        assert!(shown.contains("redacted"));
        assert!(!shown.contains("42, 42") && !shown.contains("4242"));
    }
}
