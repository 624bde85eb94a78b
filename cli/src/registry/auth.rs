//! Answering a registry's `401`: the `WWW-Authenticate` challenge (distribution spec, token
//! authentication), with stored credentials when there are some, anonymously otherwise.
//! `Bearer`: a pull token from the token service the registry names (credentials go to it as
//! Basic auth). `Basic`: the credentials themselves. Credentials never go over plain HTTP to a
//! registry the user did not mark insecure, nor to a token service that is not https when the
//! registry is.

use anyhow::{anyhow, bail, Context, Result};
use base64::Engine as _;
use reqwest::header::{HeaderMap, WWW_AUTHENTICATE};
use reqwest::Url;
use zeroize::Zeroizing;

use super::credentials::Credentials;
use super::{describe, read_capped};

/// The largest token answer read.
const MAX_TOKEN: usize = 64 << 10;

/// The `Authorization` header value that answers the challenge in `headers`.
pub async fn answer(
    client: &reqwest::Client,
    headers: &HeaderMap,
    scheme: &str,
    credentials: Option<&Credentials>,
) -> Result<Zeroizing<String>> {
    let challenge = headers
        .get(WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .context("the registry asks for credentials without saying how (no WWW-Authenticate)")?;
    let (kind, params) = challenge.split_once(' ').unwrap_or((challenge, ""));
    let field = |name: &str| {
        params.split(',').find_map(|part| {
            let (key, value) = part.trim().split_once('=')?;
            (key.eq_ignore_ascii_case(name)).then(|| value.trim_matches('"').to_string())
        })
    };
    match kind.to_ascii_lowercase().as_str() {
        "bearer" => {
            let realm = field("realm").context("the registry's Bearer challenge names no realm")?;
            let token = token(client, &realm, scheme, field("service"), field("scope"), credentials).await?;
            Ok(Zeroizing::new(format!("Bearer {}", token.as_str())))
        }
        "basic" => {
            let credentials = credentials.context(
                "the registry asks for a user name and password and none is stored for it: log in with `docker login` or `podman login` first",
            )?;
            let pair = Zeroizing::new(format!("{}:{}", credentials.username, credentials.secret.as_str()));
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair.as_bytes());
            Ok(Zeroizing::new(format!("Basic {encoded}")))
        }
        _ => bail!("the registry asks for {kind:?} authentication; vouch answers Bearer and Basic challenges"),
    }
}

/// Asks the token service at `realm` for a pull token.
async fn token(
    client: &reqwest::Client,
    realm: &str,
    scheme: &str,
    service: Option<String>,
    scope: Option<String>,
    credentials: Option<&Credentials>,
) -> Result<Zeroizing<String>> {
    let mut url = Url::parse(realm).with_context(|| format!("the token realm {realm:?}"))?;
    if url.scheme() != "https" && scheme == "https" {
        bail!("the registry sends its token request to {realm}, which is not https");
    }
    let pairs = [("service", service), ("scope", scope)];
    for (name, value) in pairs.iter().filter_map(|(n, v)| v.as_ref().map(|v| (n, v))) {
        url.query_pairs_mut().append_pair(name, value);
    }
    // A plain-HTTP registry's client trusts no certificate authority; an https token service
    // needs one that does.
    let tls_client;
    let client = if url.scheme() == "https" && scheme == "http" {
        tls_client = super::client(true)?;
        &tls_client
    } else {
        client
    };
    let mut request = client.get(url);
    if let Some(credentials) = credentials {
        request = request.basic_auth(&credentials.username, Some(credentials.secret.as_str()));
    }
    let response = request
        .send()
        .await
        .map_err(|e| anyhow!("asking {realm} for a token: {}", describe(&e)))?;
    if !response.status().is_success() {
        let how = match credentials {
            Some(c) => format!("with the credentials from {}", c.source),
            None => "anonymously (no credentials are stored for this registry: `docker login` or `podman login`)".to_string(),
        };
        bail!("{realm} refused a token {how}: {}", response.status());
    }
    let body = Zeroizing::new(read_capped(response, MAX_TOKEN, "the token").await?);
    let value: serde_json::Value =
        serde_json::from_slice(&body).context("the token answer is not JSON")?;
    value
        .get("token")
        .or_else(|| value.get("access_token"))
        .and_then(serde_json::Value::as_str)
        .map(|t| Zeroizing::new(t.to_string()))
        .context("the token answer has no token")
}
