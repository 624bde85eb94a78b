//! vouchd in process: its real `State` (ledger, committer, index) on a temporary directory and its
//! real router, called without a socket, so API tests run in milliseconds.

#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;
use vouch_daemon::{api, Config, State};
use vouch_proto::api::TrustResponse;
use vouch_proto::{Digest, SecretKey};

/// A daemon in process; the ledger lives as long as it does.
pub struct Daemon {
    _dir: tempfile::TempDir,
    pub config: Config,
    pub state: Arc<State>,
    runtime: tokio::runtime::Runtime,
}

impl Daemon {
    pub fn new(keys: &[SecretKey]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            db: dir.path().join("ledger.db"),
            trusted_keys: keys.iter().map(|k| k.public().clone()).collect(),
            policy: None,
            policy_source: "--trusted-key".into(),
            log_passphrase: None,
        };
        let state = State::open(&config).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Daemon {
            _dir: dir,
            config,
            state,
            runtime,
        }
    }

    pub fn restart(&mut self) {
        self.state.close();
        self.state = State::open(&self.config).unwrap();
    }

    pub fn call(&self, method: &str, path: &str, body: Vec<u8>) -> (u16, Vec<u8>) {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .body(Body::from(body))
            .unwrap();
        let router = api::router(Arc::clone(&self.state));
        self.runtime.block_on(async {
            let response = router.oneshot(request).await.unwrap();
            let status = response.status().as_u16();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            (status, bytes.to_vec())
        })
    }

    pub fn trusted(&self, digest: &Digest) -> bool {
        let (status, body) = self.call("GET", &format!("/v1/trust/{digest}"), Vec::new());
        assert_eq!(status, 200);
        serde_json::from_slice::<TrustResponse>(&body)
            .unwrap()
            .trusted
    }
}
