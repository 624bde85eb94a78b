//! Asking a registry which digest a tag points at now (`vouch attest --resolve-base`, `vouch
//! check` and `vouch pull` with a tag), so that the digest signed into a review or asked about is
//! one this process computed from the manifest it received, never one the registry merely
//! claimed. For an image index, the platform manifests it lists.
//!
//! Hand-written on reqwest (HTTP) and oci-spec (references, manifest types) because oci-client
//! does not fit a signing tool: it resolves digests with a HEAD (taking `Docker-Content-Digest`
//! on faith), reads bodies whole with no size limit, follows redirects to any host and has no
//! overall deadline. Here: always GET, at most 4 MiB, parsed as an OCI or Docker manifest or
//! index, hashed as received and compared with any digest header, redirects only within the
//! same host and never from https to http, connect and read timeouts and a total deadline. The
//! registry-protocol part is small: the manifests endpoint and the challenge ([`auth`]) with
//! the credentials docker and podman stored ([`credentials`]). Registries named in
//! `--insecure-registry` or `VOUCH_INSECURE_REGISTRIES` are spoken to over plain HTTP (a local
//! test registry, a mirror on localhost); no other registry is, ever.

mod auth;
pub mod credentials;
pub mod referrers;
pub mod session;

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use oci_spec::distribution::Reference;
use oci_spec::image::{ImageIndex, ImageManifest};
use reqwest::redirect::Policy;
use reqwest::{Response, Url};
use vouch_proto::Digest;

/// The largest manifest or index read: far above any real one (they are a few KiB).
pub const MAX_MANIFEST: usize = 4 << 20;

/// The manifest types asked for: OCI and Docker, single-platform and multi-platform.
const MANIFEST_TYPES: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// The whole exchange with one registry may take this long: 60 s, or `VOUCH_REGISTRY_TIMEOUT`
/// seconds.
fn deadline() -> Duration {
    let seconds = std::env::var("VOUCH_REGISTRY_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(60);
    Duration::from_secs(seconds)
}

/// A manifest as received from the registry, hashed here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The digest of the bytes received (checked against any digest the reference pinned and
    /// any the registry claimed in a header).
    pub digest: Digest,
    /// For an image index: the manifests it lists; `None` for a single image manifest.
    pub platforms: Option<Vec<PlatformManifest>>,
    /// Its media type (the body's `mediaType`, else the answer's Content-Type).
    pub media_type: String,
    /// Its size in bytes.
    pub size: u64,
}

/// One manifest an image index lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformManifest {
    /// Its digest.
    pub digest: Digest,
    /// `os/architecture[/variant]`, when the index says.
    pub platform: Option<String>,
}

/// The digest `reference` (a tag, or a digest to check) resolves to now, computed from the
/// manifest the registry sends.
pub fn resolve_digest(reference: &str, insecure: &[String]) -> Result<Digest> {
    fetch(reference, insecure).map(|f| f.digest)
}

/// The manifest `reference` (a tag, or a digest to check) names now, as received and hashed.
pub fn fetch(reference: &str, insecure: &[String]) -> Result<Fetched> {
    let parsed: Reference = vouch_proto::image::reference(reference)?;
    let session = session::Session::open(&parsed, insecure)?;
    let target = parsed.digest().or(parsed.tag()).unwrap_or("latest");
    session
        .manifest(target)
        .with_context(|| format!("asking {} for {reference}", session.registry))
}

/// An HTTP client that follows redirects only within the host it was sent to, never from https
/// to http, at most 5 times; with connect and read timeouts. Without `tls`, it trusts no
/// certificate authority, so it speaks plain HTTP only: loading and parsing the system's roots
/// costs about 30 ms, most of a `vouch pull --dry-run` from a local registry.
pub(crate) fn client(tls: bool) -> Result<reqwest::Client> {
    let policy = Policy::custom(|attempt| {
        let first = attempt.previous().first().cloned();
        let next = attempt.url().clone();
        match first {
            _ if attempt.previous().len() > 5 => attempt.error("more than 5 redirects"),
            Some(first) if !same_host(&first, &next) => {
                let error = format!(
                    "a redirect from {} to another host ({next})",
                    host_of(&first)
                );
                attempt.error(error)
            }
            Some(first) if first.scheme() == "https" && next.scheme() != "https" => {
                attempt.error(format!("a redirect from https to {}", next.scheme()))
            }
            _ => attempt.follow(),
        }
    });
    let builder = match tls {
        true => reqwest::Client::builder(),
        false => reqwest::Client::builder().tls_certs_only([]),
    };
    builder
        .redirect(policy)
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(20))
        .user_agent(concat!("vouch/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("setting up the registry client")
}

fn same_host(a: &Url, b: &Url) -> bool {
    a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
}

fn host_of(url: &Url) -> String {
    match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    }
}

/// Checks a manifest as received for `target`: an OCI or Docker manifest or index, hashing to
/// any digest the registry claimed and to `target` when that is a digest.
fn checked_manifest(
    body: Vec<u8>,
    claimed: Option<String>,
    content_type: Option<String>,
    target: &str,
) -> Result<Fetched> {
    let platforms = parse_manifest(&body)?;
    let digest = Digest::of(&body);
    if let Some(claimed) = claimed.filter(|c| *c != digest.to_string()) {
        bail!(
            "its Docker-Content-Digest header says {claimed}, but the manifest it sent hashes to {digest}; not trusting a digest the registry merely claims"
        );
    }
    if target.starts_with("sha256:") && target != digest.to_string() {
        bail!("it sent a manifest hashing to {digest} for the digest {target}");
    }
    let declared = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["mediaType"].as_str().map(str::to_string));
    let media_type = declared
        .or(content_type)
        .unwrap_or_else(|| "application/vnd.oci.image.manifest.v1+json".into());
    Ok(Fetched {
        digest,
        platforms,
        media_type,
        size: body.len() as u64,
    })
}

/// reqwest's error with its causes (a refused redirect says which in its source).
pub(crate) fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// Reads at most `limit` bytes of a body, as it arrives.
pub(crate) async fn read_capped(
    mut response: Response,
    limit: usize,
    what: &str,
) -> Result<Vec<u8>> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        bail!(
            "{what} is {} bytes, over the {limit} read",
            response.content_length().unwrap_or_default()
        );
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| anyhow!("reading {what}: {}", describe(&e)))?
    {
        if body.len() + chunk.len() > limit {
            bail!("{what} is over the {limit} bytes read");
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads an OCI or Docker image manifest or index (schema version 2): the platform manifests of
/// an index, `None` for an image manifest; anything else is refused.
fn parse_manifest(body: &[u8]) -> Result<Option<Vec<PlatformManifest>>> {
    let value: serde_json::Value = vouch_proto::strict_json::from_slice(body)
        .map_err(|e| anyhow!("the registry sent something that is not a manifest: {e}"))?;
    if value
        .get("schemaVersion")
        .and_then(serde_json::Value::as_u64)
        != Some(2)
    {
        bail!("the registry sent something that is not an OCI or Docker manifest (no schemaVersion 2)");
    }
    let not_one = |e: serde_json::Error| {
        anyhow!("the registry sent something that is not an OCI or Docker manifest or index: {e}")
    };
    if value.get("manifests").is_none() {
        serde_json::from_value::<ImageManifest>(value).map_err(not_one)?;
        return Ok(None);
    }
    let index = serde_json::from_value::<ImageIndex>(value).map_err(not_one)?;
    index
        .manifests()
        .iter()
        .map(|m| {
            let digest: Digest = m.digest().to_string().parse().map_err(|e| {
                anyhow!("the index lists a manifest by a digest vouch does not accept: {e}")
            })?;
            let platform = m.platform().as_ref().map(|p| {
                let mut text = format!("{}/{}", p.os(), p.architecture());
                if let Some(variant) = p.variant() {
                    text.push('/');
                    text.push_str(variant);
                }
                text
            });
            Ok(PlatformManifest { digest, platform })
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}
