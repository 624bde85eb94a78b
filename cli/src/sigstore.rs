//! Sigstore bundles (v0.3, `application/vnd.dev.sigstore.bundle.v0.3+json`) holding a Vouch
//! DSSE envelope: one bundle per signature (a bundle carries exactly one), verification material
//! a `publicKey` whose hint is the signature's `keyid`, no transparency-log entries (the Vouch
//! ledger's proofs are the log). Written and read through sigstore-rust's `Bundle` type. The
//! signature is checked by vouch's own DSSE verifier: sigstore-verify 0.15 refuses any bundle
//! without a log entry or an RFC 3161 timestamp, even under its public-key policy with the log
//! check skipped (see the README); npm @sigstore/verify accepts these bundles (a test runs it).

use anyhow::{bail, Context, Result};
use sigstore_types::Bundle;
use vouch_proto::Envelope;

/// The bundle media type.
pub const BUNDLE_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// One bundle per signature of `envelope`, as JSON.
pub fn bundles_of(envelope: &Envelope) -> Result<Vec<Vec<u8>>> {
    let json: serde_json::Value = serde_json::from_str(&envelope.to_json())?;
    let signatures = json["signatures"].as_array().cloned().unwrap_or_default();
    signatures
        .into_iter()
        .map(|signature| {
            let hint = signature["keyid"].as_str().unwrap_or_default().to_string();
            if hint.is_empty() {
                bail!("a signature without a keyid cannot name its key in a Sigstore bundle");
            }
            let mut dsse = json.clone();
            dsse["signatures"] = serde_json::Value::Array(vec![signature]);
            let value = serde_json::json!({
                "mediaType": BUNDLE_MEDIA_TYPE,
                "verificationMaterial": {"publicKey": {"hint": hint}, "tlogEntries": []},
                "dsseEnvelope": dsse,
            });
            // Through sigstore-rust's own type, so its reader accepts what is written.
            let bundle: Bundle = serde_json::from_value(value)
                .context("sigstore-rust does not accept the bundle built")?;
            Ok(serde_json::to_vec(&bundle)?)
        })
        .collect()
}

/// Reads a bundle: a v0.3 bundle (as sigstore-rust reads it) with a DSSE envelope of exactly one
/// signature and a public-key hint equal to that signature's keyid. Returns the envelope, as
/// JSON, for vouch's own checks.
pub fn read_bundle(bytes: &[u8]) -> Result<Vec<u8>> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).context("not JSON, so not a Sigstore bundle")?;
    if value["mediaType"] != BUNDLE_MEDIA_TYPE {
        bail!(
            "not a Sigstore v0.3 bundle (mediaType {})",
            value["mediaType"]
        );
    }
    let hint = value["verificationMaterial"]["publicKey"]["hint"]
        .as_str()
        .context("the bundle names no public key (verificationMaterial.publicKey.hint); vouch writes and reads public-key bundles")?
        .to_string();
    let dsse = value
        .get("dsseEnvelope")
        .context("the bundle holds no DSSE envelope")?;
    let keyids: Vec<&str> = dsse["signatures"]
        .as_array()
        .map(|s| s.iter().filter_map(|s| s["keyid"].as_str()).collect())
        .unwrap_or_default();
    if keyids != [hint.as_str()] {
        bail!("a bundle holds exactly one signature, whose keyid is the public key hint ({hint}); this one has {keyids:?}");
    }
    let envelope = serde_json::to_vec(dsse)?;
    let _: Bundle =
        serde_json::from_value(value).context("sigstore-rust does not read this bundle")?;
    Ok(envelope)
}

/// Whether `bytes` claim to be a Sigstore bundle (a JSON object with a bundle `mediaType`).
pub fn looks_like_bundle(bytes: &[u8]) -> bool {
    // Most documents are plain envelopes: no need to read them as JSON to see that.
    if memchr::memmem::find(bytes, b"\"mediaType\"").is_none() {
        return false;
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        media_type: Option<String>,
    }
    serde_json::from_slice::<Probe>(bytes)
        .ok()
        .and_then(|p| p.media_type)
        .is_some_and(|m| m.starts_with("application/vnd.dev.sigstore.bundle"))
}
