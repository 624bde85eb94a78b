//! One repository on one registry, spoken to with the stored credentials: a request answered
//! `401` gets its challenge answered (each challenge names the scope it needs, pull or push)
//! and is sent once more. Every request has the registry deadline; every body read is capped.

use anyhow::{anyhow, bail, Context, Result};
use oci_spec::distribution::Reference;
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode, Url};
use std::cell::RefCell;
use vouch_proto::Digest;
use zeroize::Zeroizing;

use super::credentials::{self, Credentials};
use super::{auth, client, deadline, describe, read_capped};

/// A registry's answer: status, headers and (capped) body.
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

/// A repository on a registry.
pub struct Session {
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    scheme: &'static str,
    /// `SCHEME://HOST/v2/REPOSITORY`.
    base: String,
    /// The registry host, for messages.
    pub registry: String,
    credentials: Option<Credentials>,
    authorization: RefCell<Option<Zeroizing<String>>>,
}

impl Session {
    /// A session with the repository `reference` names.
    pub fn open(reference: &Reference, insecure: &[String]) -> Result<Self> {
        let registry = reference.resolve_registry().to_string();
        let plain = insecure
            .iter()
            .any(|r| *r == registry || r == reference.registry());
        let scheme = if plain { "http" } else { "https" };
        let credentials = credentials::lookup(reference.registry()).with_context(|| {
            format!(
                "reading the stored credentials for {}",
                reference.registry()
            )
        })?;
        Ok(Session {
            client: client(!plain)?,
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?,
            scheme,
            base: format!("{scheme}://{registry}/v2/{}", reference.repository()),
            registry,
            credentials,
            authorization: RefCell::new(None),
        })
    }

    /// `METHOD BASE/PATH` (or an absolute URL on the same registry, as an upload location is),
    /// with `headers` and `body`, reading at most `limit` bytes of the answer.
    pub fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        limit: usize,
    ) -> Result<Answer> {
        let url = self.url(path)?;
        let limit_time = deadline();
        let exchange = async {
            let mut answer = self.once(&method, &url, headers, body, limit).await?;
            if answer.status == StatusCode::UNAUTHORIZED {
                let value = auth::answer(
                    &self.client,
                    &answer.headers,
                    self.scheme,
                    self.credentials.as_ref(),
                )
                .await?;
                *self.authorization.borrow_mut() = Some(value);
                answer = self.once(&method, &url, headers, body, limit).await?;
            }
            Ok::<_, anyhow::Error>(answer)
        };
        self.runtime
            .block_on(async { tokio::time::timeout(limit_time, exchange).await })
            .unwrap_or_else(|_| {
                Err(anyhow!(
                    "registry {} did not finish answering within {} s (VOUCH_REGISTRY_TIMEOUT)",
                    self.registry,
                    limit_time.as_secs()
                ))
            })
            .with_context(|| format!("{method} {url}"))
    }

    fn url(&self, path: &str) -> Result<Url> {
        let base = Url::parse(&format!("{}/", self.base))?;
        let url = base.join(path.trim_start_matches('/'))?;
        // An upload location may be absolute: it must stay on this registry.
        let same = url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default()
            && url.scheme() == base.scheme();
        if !same {
            bail!("the registry sent a location on another host: {url}");
        }
        Ok(url)
    }

    async fn once(
        &self,
        method: &Method,
        url: &Url,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        limit: usize,
    ) -> Result<Answer> {
        let mut request = self.client.request(method.clone(), url.clone());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(authorization) = self.authorization.borrow().as_ref() {
            request = request.header(AUTHORIZATION, authorization.as_str());
        }
        if let Some(body) = body {
            request = request.body(body.to_vec());
        }
        let response = request
            .send()
            .await
            .map_err(|e| anyhow!("{}", describe(&e)))?;
        let status = response.status();
        let headers = response.headers().clone();
        // A HEAD answer announces the length of a body it does not send.
        let body = match *method {
            Method::HEAD => Vec::new(),
            _ => read_capped(response, limit, "the answer").await?,
        };
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    /// Uploads a blob unless the registry has it (monolithic upload: POST, then PUT with the
    /// digest). Returns its digest.
    pub fn push_blob(&self, bytes: &[u8]) -> Result<Digest> {
        let digest = Digest::of(bytes);
        let head = self.send(Method::HEAD, &format!("blobs/{digest}"), &[], None, 0)?;
        if head.status.is_success() {
            return Ok(digest);
        }
        let start = self.send(Method::POST, "blobs/uploads/", &[], Some(&[]), 64 << 10)?;
        if start.status != StatusCode::ACCEPTED {
            bail!("the registry refused to start an upload: {}", start.status);
        }
        let location = start
            .headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .context("the registry started an upload without a Location")?;
        let mut url = self.url(location)?;
        url.query_pairs_mut()
            .append_pair("digest", &digest.to_string());
        let content_type = [(CONTENT_TYPE.as_str(), "application/octet-stream")];
        let put = self.send(
            Method::PUT,
            url.as_str(),
            &content_type,
            Some(bytes),
            64 << 10,
        )?;
        if put.status != StatusCode::CREATED {
            bail!("the registry refused the blob {digest}: {}", put.status);
        }
        Ok(digest)
    }

    /// Puts a manifest (or index) of `media_type` under `reference` (a digest or a tag).
    pub fn put_manifest(&self, reference: &str, media_type: &str, bytes: &[u8]) -> Result<()> {
        let headers = [(CONTENT_TYPE.as_str(), media_type)];
        let put = self.send(
            Method::PUT,
            &format!("manifests/{reference}"),
            &headers,
            Some(bytes),
            64 << 10,
        )?;
        if put.status != StatusCode::CREATED {
            let said = String::from_utf8_lossy(&put.body);
            bail!(
                "the registry refused the manifest {reference}: {} {said}",
                put.status
            );
        }
        Ok(())
    }

    /// Gets a blob by digest, at most `limit` bytes, checked against the digest.
    pub fn blob(&self, digest: &Digest, limit: usize) -> Result<Vec<u8>> {
        let answer = self.send(Method::GET, &format!("blobs/{digest}"), &[], None, limit)?;
        if !answer.status.is_success() {
            bail!(
                "the registry answered {} for the blob {digest}",
                answer.status
            );
        }
        if Digest::of(&answer.body) != *digest {
            bail!("the registry sent a blob that does not hash to {digest}");
        }
        Ok(answer.body)
    }

    /// The manifest (or index) at `target` (a tag or a digest), as received and hashed here.
    pub fn manifest(&self, target: &str) -> Result<super::Fetched> {
        let accept = [(ACCEPT.as_str(), super::MANIFEST_TYPES)];
        let path = format!("manifests/{target}");
        let answer = self.send(Method::GET, &path, &accept, None, super::MAX_MANIFEST)?;
        if !answer.status.is_success() {
            bail!("the registry answered {}", answer.status);
        }
        let claimed = answer
            .headers
            .get("docker-content-digest")
            .map(|v| v.to_str().unwrap_or_default().to_string());
        let content_type = answer
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        super::checked_manifest(answer.body, claimed, content_type, target)
    }
}
