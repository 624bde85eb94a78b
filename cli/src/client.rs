//! A small HTTP/1.1 client for vouchd's Unix socket (hyper over a tokio UnixStream, one
//! connection per request; the CLI makes a handful of calls per run).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Request;
use serde::de::DeserializeOwned;
use vouch_proto::api::ErrorBody;

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
            None => vouch_proto::api::default_socket_path().context(
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

    /// `GET path`.
    pub fn get(&self, path: &str) -> Result<Reply> {
        self.send("GET", path, Vec::new())
    }

    /// `POST path` with a JSON body.
    pub fn post(&self, path: &str, body: Vec<u8>) -> Result<Reply> {
        self.send("POST", path, body)
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
