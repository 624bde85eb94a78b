//! Asking a registry which digest a tag points at now (`vouch attest --resolve-base`), with
//! oci-client. Anonymous pulls only for now; registries named in `--insecure-registry` are
//! spoken to over plain HTTP (a local test registry, a mirror on localhost).

use anyhow::{anyhow, Context, Result};
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use vouch_proto::Digest;

/// The digest `reference` (a tag) resolves to now.
pub fn resolve_digest(reference: &str, insecure: &[String]) -> Result<Digest> {
    let parsed: Reference = reference
        .parse()
        .with_context(|| format!("{reference:?} is not an image reference"))?;
    let config = ClientConfig {
        protocol: ClientProtocol::HttpsExcept(insecure.to_vec()),
        ..ClientConfig::default()
    };
    let client = Client::new(config);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let digest = runtime
        .block_on(client.fetch_manifest_digest(&parsed, &RegistryAuth::Anonymous))
        .map_err(|e| anyhow!("asking {} for {reference}: {e}", parsed.resolve_registry()))?;
    digest.parse().with_context(|| {
        format!("the registry answered {digest:?} for {reference}, which is not a sha256 digest")
    })
}
