//! Asking a registry which digest a tag points at now (`vouch attest --resolve-base`), so that
//! the digest signed into a review is one this process computed from the manifest it received,
//! never one the registry merely claimed.
//!
//! Hand-written on reqwest (HTTP) and oci-spec (references, manifest types) because oci-client
//! does not fit a signing tool: it resolves digests with a HEAD (taking `Docker-Content-Digest`
//! on faith), reads bodies whole with no size limit, follows redirects to any host and has no
//! overall deadline. Here: always GET, at most 4 MiB, parsed as an OCI or Docker manifest or
//! index, hashed as received and compared with any digest header, redirects only within the
//! same host and never from https to http, connect and read timeouts and a total deadline. The
//! registry-protocol part is small: the manifests endpoint and the anonymous bearer-token
//! challenge (distribution spec, token auth). Registries named in `--insecure-registry` are
//! spoken to over plain HTTP (a local test registry, a mirror on localhost).

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use oci_spec::distribution::Reference;
use oci_spec::image::{ImageIndex, ImageManifest};
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, WWW_AUTHENTICATE};
use reqwest::redirect::Policy;
use reqwest::{Response, StatusCode, Url};
use vouch_proto::Digest;

/// The largest manifest or index read: far above any real one (they are a few KiB).
pub const MAX_MANIFEST: usize = 4 << 20;

/// The largest token answer read.
const MAX_TOKEN: usize = 64 << 10;

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

/// The digest `reference` (a tag, or a digest to check) resolves to now, computed from the
/// manifest the registry sends.
pub fn resolve_digest(reference: &str, insecure: &[String]) -> Result<Digest> {
    let parsed: Reference = reference
        .parse()
        .with_context(|| format!("{reference:?} is not an image reference"))?;
    let registry = parsed.resolve_registry().to_string();
    let client = client()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let limit = deadline();
    runtime
        .block_on(async {
            tokio::time::timeout(limit, manifest_digest(&client, &parsed, insecure)).await
        })
        .unwrap_or_else(|_| {
            Err(anyhow!(
                "registry {registry} did not finish answering within {} s (VOUCH_REGISTRY_TIMEOUT)",
                limit.as_secs()
            ))
        })
        .with_context(|| format!("asking {registry} for {reference}"))
}

/// An HTTP client that follows redirects only within the host it was sent to, never from https
/// to http, at most 5 times; with connect and read timeouts.
fn client() -> Result<reqwest::Client> {
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
    reqwest::Client::builder()
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

async fn manifest_digest(
    client: &reqwest::Client,
    reference: &Reference,
    insecure: &[String],
) -> Result<Digest> {
    let registry = reference.resolve_registry();
    let scheme = if insecure.iter().any(|r| r == registry) {
        "http"
    } else {
        "https"
    };
    let target = reference.digest().or(reference.tag()).unwrap_or("latest");
    let url = format!(
        "{scheme}://{registry}/v2/{}/manifests/{target}",
        reference.repository()
    );
    let mut response = get(client, &url, None).await?;
    if response.status() == StatusCode::UNAUTHORIZED {
        let token = anonymous_token(client, response.headers(), scheme).await?;
        response = get(client, &url, Some(&token)).await?;
    }
    if !response.status().is_success() {
        bail!("the registry answered {}", response.status());
    }
    let claimed = response
        .headers()
        .get("docker-content-digest")
        .map(|v| v.to_str().unwrap_or_default().to_string());
    let body = read_capped(response, MAX_MANIFEST, "the manifest").await?;
    check_manifest(&body)?;
    let digest = Digest::of(&body);
    if let Some(claimed) = claimed.filter(|c| *c != digest.to_string()) {
        bail!(
            "its Docker-Content-Digest header says {claimed}, but the manifest it sent hashes to {digest}; not signing a digest the registry merely claims"
        );
    }
    if let Some(pinned) = reference.digest().filter(|d| *d != digest.to_string()) {
        bail!("it sent a manifest hashing to {digest} for the digest {pinned}");
    }
    Ok(digest)
}

async fn get(client: &reqwest::Client, url: &str, token: Option<&str>) -> Result<Response> {
    let mut request = client.get(url).header(ACCEPT, MANIFEST_TYPES);
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    request
        .send()
        .await
        .map_err(|e| anyhow!("{}", describe(&e)))
}

/// reqwest's error with its causes (a refused redirect says which in its source).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// Reads at most `limit` bytes of a body, as it arrives.
async fn read_capped(mut response: Response, limit: usize, what: &str) -> Result<Vec<u8>> {
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

/// Refuses a body that is not an OCI or Docker image manifest or index (schema version 2).
fn check_manifest(body: &[u8]) -> Result<()> {
    let value: serde_json::Value = vouch_proto::strict_json::from_slice(body)
        .map_err(|e| anyhow!("the registry sent something that is not a manifest: {e}"))?;
    if value
        .get("schemaVersion")
        .and_then(serde_json::Value::as_u64)
        != Some(2)
    {
        bail!("the registry sent something that is not an OCI or Docker manifest (no schemaVersion 2)");
    }
    let parsed = if value.get("manifests").is_some() {
        serde_json::from_value::<ImageIndex>(value).map(drop)
    } else {
        serde_json::from_value::<ImageManifest>(value).map(drop)
    };
    parsed.map_err(|e| {
        anyhow!("the registry sent something that is not an OCI or Docker manifest or index: {e}")
    })
}

/// Answers a `Bearer` challenge anonymously: asks the token service the registry names for a
/// pull token. The token service must be https unless the registry itself is spoken to over
/// http (a local registry).
async fn anonymous_token(
    client: &reqwest::Client,
    headers: &HeaderMap,
    scheme: &str,
) -> Result<String> {
    let challenge = headers
        .get(WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .context("the registry asks for credentials without saying how (no WWW-Authenticate); vouch pulls anonymously")?;
    let params = challenge.strip_prefix("Bearer ").with_context(|| {
        format!(
            "the registry asks for {challenge:?}; \
                 vouch answers Bearer challenges anonymously, nothing else"
        )
    })?;
    let field = |name: &str| {
        params.split(',').find_map(|part| {
            let (key, value) = part.trim().split_once('=')?;
            (key == name).then(|| value.trim_matches('"').to_string())
        })
    };
    let realm = field("realm").context("the registry's Bearer challenge names no realm")?;
    let mut url = Url::parse(&realm).with_context(|| format!("the token realm {realm:?}"))?;
    if url.scheme() != "https" && scheme == "https" {
        bail!("the registry sends its token request to {realm}, which is not https");
    }
    for name in ["service", "scope"] {
        if let Some(value) = field(name) {
            url.query_pairs_mut().append_pair(name, &value);
        }
    }
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| anyhow!("asking {realm} for a token: {}", describe(&e)))?;
    if !response.status().is_success() {
        bail!(
            "{realm} refused an anonymous token ({}): \
             the image may need credentials, which vouch does not use yet",
            response.status()
        );
    }
    let body = read_capped(response, MAX_TOKEN, "the token").await?;
    let value: serde_json::Value =
        serde_json::from_slice(&body).context("the token answer is not JSON")?;
    value
        .get("token")
        .or_else(|| value.get("access_token"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
        .context("the token answer has no token")
}
