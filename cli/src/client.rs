//! A small HTTP/1.1 client for vouchd's Unix socket (hyper over a tokio UnixStream, one
//! connection per request; the CLI makes a handful of calls per run).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Request;
use serde::de::DeserializeOwned;
use vouch_proto::api::{
    paths, CheckpointResponse, EntryResponse, ErrorBody, ImportRequest, TrustResponse,
};
use vouch_proto::{ConsistencyProof, Digest, InclusionProof};

/// How long one request may take, connecting included: 30 s, or `VOUCH_TIMEOUT` seconds.
fn request_timeout() -> std::time::Duration {
    let seconds = std::env::var("VOUCH_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(30);
    std::time::Duration::from_secs(seconds)
}

/// The largest answer read: an entry is at most 1 MiB of body, base64-encoded in JSON.
const MAX_RESPONSE: usize = 4 << 20;

/// A response: status and body.
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// Decodes a 2xx JSON body, or turns an error body into an error that says what vouchd said.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        if !(200..300).contains(&self.status) {
            bail!("{}", self.error_text());
        }
        serde_json::from_slice(&self.body).context("vouchd sent a response this vouch cannot read")
    }

    /// "vouchd refused (STATUS code): detail".
    pub fn error_text(&self) -> String {
        match serde_json::from_slice::<ErrorBody>(&self.body) {
            Ok(body) => format!(
                "vouchd answered {} ({}): {}",
                self.status, body.error, body.detail
            ),
            Err(_) => format!(
                "vouchd answered {}: {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            ),
        }
    }
}

/// A client of one vouchd.
pub struct Client {
    socket: PathBuf,
    runtime: tokio::runtime::Runtime,
}

impl Client {
    /// A client of the daemon at `socket`, or the default socket.
    pub fn new(socket: Option<&Path>) -> Result<Self> {
        let socket = match socket {
            Some(path) => path.to_path_buf(),
            None => vouch_ledger::paths::default_socket_path().context(
                "no vouchd socket: give --socket or set VOUCH_SOCKET (or XDG_RUNTIME_DIR)",
            )?,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(Client { socket, runtime })
    }

    /// The socket path.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// `POST /v1/entries`: the reply as is (the caller tells refusals from errors).
    pub fn submit(&self, envelope: Vec<u8>) -> Result<Reply> {
        self.send("POST", paths::ENTRIES, envelope)
    }

    /// `POST /v1/import`: the reply as is (the caller tells refusals from errors).
    pub fn import(&self, request: &ImportRequest) -> Result<Reply> {
        self.send("POST", paths::IMPORT, serde_json::to_vec(request)?)
    }

    /// `GET /v1/trust/{digest}`.
    pub fn trust(&self, digest: &Digest, repository: Option<&str>) -> Result<TrustResponse> {
        self.get(&paths::trust_for(digest, repository))?.json()
    }

    /// `GET /v1/entries/{index}`.
    pub fn entry(&self, index: u64) -> Result<EntryResponse> {
        self.get(&paths::entry(index))?.json()
    }

    /// `GET /v1/checkpoint`, the latest or the one at exactly `size` entries.
    pub fn checkpoint(&self, size: Option<u64>) -> Result<CheckpointResponse> {
        self.get(&paths::checkpoint(size))?.json()
    }

    /// `GET /v1/proof/inclusion` of entry `index` in the tree of `size` entries; a proof about
    /// another entry or size is an error. Not yet verified: the caller has the root.
    pub fn inclusion(&self, index: u64, size: u64) -> Result<InclusionProof> {
        let proof: InclusionProof = self.get(&paths::inclusion(index, size))?.json()?;
        if (proof.index, proof.tree_size) != (index, size) {
            bail!("vouchd sent a proof for another entry or tree size than asked");
        }
        Ok(proof)
    }

    /// `GET /v1/proof/consistency` from `old` to `new` entries; a proof for other sizes is an
    /// error. Not yet verified: the caller has the roots.
    pub fn consistency(&self, old: u64, new: u64) -> Result<ConsistencyProof> {
        let proof: ConsistencyProof = self.get(&paths::consistency(old, new))?.json()?;
        if (proof.old_size, proof.new_size) != (old, new) {
            bail!("vouchd sent a consistency proof for other sizes than asked");
        }
        Ok(proof)
    }

    fn get(&self, path: &str) -> Result<Reply> {
        self.send("GET", path, Vec::new())
    }

    fn send(&self, method: &str, path: &str, body: Vec<u8>) -> Result<Reply> {
        let exchange = self.exchange(method, path, body);
        let timeout = request_timeout();
        self.runtime.block_on(async {
            tokio::time::timeout(timeout, exchange)
                .await
                .unwrap_or_else(|_| {
                    Err(anyhow!(
                        "vouchd at {} did not answer {method} {path} within {} s (VOUCH_TIMEOUT); is it overloaded or stuck?",
                        self.socket.display(),
                        timeout.as_secs()
                    ))
                })
        })
    }

    async fn exchange(&self, method: &str, path: &str, body: Vec<u8>) -> Result<Reply> {
        let stream = tokio::net::UnixStream::connect(&self.socket).await.with_context(|| {
            format!(
                "cannot reach vouchd at {}: is it running? (start it with `vouchd`, or point --socket / VOUCH_SOCKET at it)",
                self.socket.display()
            )
        })?;
        let io = hyper_util::rt::TokioIo::new(stream);
        let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "vouchd")
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| anyhow!("talking to vouchd: {e}"))?;
        let status = response.status().as_u16();
        let body = http_body_util::Limited::new(response.into_body(), MAX_RESPONSE)
            .collect()
            .await
            .map_err(|e| anyhow!("reading vouchd's answer (at most {MAX_RESPONSE} bytes): {e}"))?
            .to_bytes()
            .to_vec();
        Ok(Reply { status, body })
    }
}
