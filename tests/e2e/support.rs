//! Helpers: finding the binaries, a private home for each test, test data, and peer tools that
//! may skip outside CI but must be present when `CI=true`.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;

mod engines;
mod proxy;
mod registry;
pub use engines::{Dockerd, Podman};
pub use proxy::Proxy;
pub use registry::{run, Registry};
use tempfile::TempDir;

/// The passphrase every test key uses.
pub const PASSPHRASE: &str = "correct horse battery staple";

/// The path of a workspace binary, next to the test binary's `deps/` folder.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: build the binaries first with `cargo build --workspace --bins --examples`",
        path.display()
    );
    path
}

/// A file under `tests/data/`.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name)
}

/// A temporary home: config, keys and outputs of one test, removed afterwards.
pub struct Home {
    dir: TempDir,
}

impl Home {
    /// A new empty home.
    pub fn new() -> Self {
        Home {
            dir: tempfile::tempdir().expect("a temp dir"),
        }
    }

    /// A path inside the home.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `vouch` with this home's XDG paths, the test passphrase and no inherited VOUCH_*.
    pub fn vouch(&self) -> Command {
        let mut cmd = Command::new(bin("vouch"));
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("VOUCH_") {
                cmd.env_remove(name);
            }
        }
        cmd.env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("VOUCH_PASSPHRASE", PASSPHRASE);
        cmd
    }

    /// `vouch attest --image IMAGE --verdict VERDICT`, signed with the default key; add the rest.
    pub fn attest(&self, image: &str, verdict: &str) -> Command {
        let mut cmd = self.vouch();
        cmd.args(["attest", "--image", image, "--verdict", verdict]);
        cmd
    }

    /// Generates the default reviewer key; returns its key id.
    pub fn generate_key(&self) -> String {
        let out = self
            .vouch()
            .args(["key", "generate"])
            .output()
            .expect("vouch runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .trim()
            .to_string()
    }

    /// The default reviewer key files.
    pub fn key_files(&self) -> (PathBuf, PathBuf) {
        let dir = self.path("config/vouch/keys");
        (dir.join("reviewer.key"), dir.join("reviewer.pub"))
    }
}

/// Whether `program` is on PATH.
pub fn on_path(program: &str) -> bool {
    StdCommand::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether this run is CI, where every peer tool must be present.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Reports a missing peer: a failure in CI, a printed skip elsewhere.
pub(crate) fn missing_peer(what: &str, how: &str) {
    assert!(!in_ci(), "{what} is required in CI but missing: {how}");
    eprintln!("skipping: {what} is not available ({how}); CI runs this test");
}

/// A Python interpreter that imports securesystemslib: `VOUCH_TEST_PYTHON`, else `python3`.
pub fn python_with_sslib() -> Option<PathBuf> {
    let python = std::env::var_os("VOUCH_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"));
    let ok = StdCommand::new(&python)
        .args([
            "-c",
            "import securesystemslib.dsse, securesystemslib.signer",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some(python)
    } else {
        missing_peer(
            "Python securesystemslib",
            "pip install 'securesystemslib[crypto]>=1,<2' and set VOUCH_TEST_PYTHON",
        );
        None
    }
}

/// OpenSSL 3 on the PATH.
pub fn openssl() -> Option<PathBuf> {
    let ok = StdCommand::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success() && o.stdout.starts_with(b"OpenSSL 3"));
    if ok {
        Some(PathBuf::from("openssl"))
    } else {
        missing_peer("OpenSSL 3", "apt-get install openssl");
        None
    }
}

/// The sqlite3 shell on the PATH, for tampering with ledgers as an attacker would.
pub fn sqlite3() -> Option<PathBuf> {
    let ok = StdCommand::new("sqlite3")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some(PathBuf::from("sqlite3"))
    } else {
        missing_peer("the sqlite3 shell", "apt-get install sqlite3");
        None
    }
}

/// A script under `tests/scripts/`.
pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

/// A fixed, valid image reference with a digest made of `byte`.
pub fn image(byte: &str) -> String {
    format!("ubuntu:24.04@sha256:{}", byte.repeat(64 / byte.len()))
}

/// A `vouchd` command that reads no config file from the machine (`/etc/vouch/vouchd.toml`,
/// which installing the package puts there, perhaps while the tests run): only its flags.
pub fn vouchd() -> StdCommand {
    let mut cmd = StdCommand::new(bin("vouchd"));
    cmd.env("VOUCHD_CONFIG", "/dev/null");
    cmd
}

/// A running `vouchd` on a socket in a temporary directory. Stopped with SIGTERM on drop.
pub struct Daemon {
    /// The process.
    pub child: std::process::Child,
    /// Its socket.
    pub socket: PathBuf,
    /// Its ledger.
    pub db: PathBuf,
}

impl Daemon {
    /// Starts `vouchd --db DB --socket SOCKET --trusted-key KEY... EXTRA...` and waits (with a
    /// deadline, no sleeps) until the socket answers.
    pub fn start(db: &Path, socket: &Path, keys: &[PathBuf], extra: &[&str]) -> Self {
        let mut cmd = vouchd();
        cmd.arg("--db").arg(db).arg("--socket").arg(socket);
        for key in keys {
            cmd.arg("--trusted-key").arg(key);
        }
        cmd.args(extra)
            .env_remove("VOUCH_SOCKET")
            .env("VOUCH_LOG", "warn");
        let child = cmd.spawn().expect("vouchd starts");
        let daemon = Daemon {
            child,
            socket: socket.to_path_buf(),
            db: db.to_path_buf(),
        };
        daemon.wait_ready();
        daemon
    }

    fn wait_ready(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::time::Instant::now() < deadline {
            if std::os::unix::net::UnixStream::connect(&self.socket).is_ok() {
                return;
            }
            std::thread::yield_now();
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!(
            "vouchd did not answer on {} within 20 s",
            self.socket.display()
        );
    }

    /// Sends SIGTERM and waits; returns the exit code.
    pub fn stop(&mut self) -> Option<i32> {
        let _ = StdCommand::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        self.child.wait().ok().and_then(|s| s.code())
    }

    /// A raw HTTP/1.1 request over the socket: (status, body).
    pub fn http(&self, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
        http_unix(&self.socket, method, path, body)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.stop();
        }
    }
}

/// One HTTP/1.1 request with `Connection: close`, written and read by hand so the tests check
/// the bytes vouchd really sends.
pub fn http_unix(socket: &Path, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    use std::io::{Read, Write};
    let mut stream = std::os::unix::net::UnixStream::connect(socket).expect("connect to vouchd");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: vouchd\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // A body over the limit may be refused before it is all read; that is fine.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    let status: u16 = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text:?}"));
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers")
        + 4;
    let headers = text[..split].to_ascii_lowercase();
    let mut payload = response[split..].to_vec();
    if headers.contains("transfer-encoding: chunked") {
        payload = dechunk(&payload);
    }
    (status, payload)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
}

/// Node and npm @sigstore/verify (with @sigstore/bundle and @sigstore/protobuf-specs), from
/// `VOUCH_TEST_NODE_MODULES` (scripts/test.sh installs them under target/).
pub fn sigstore_verifier() -> Option<PathBuf> {
    let modules = std::env::var_os("VOUCH_TEST_NODE_MODULES").map(PathBuf::from);
    match modules {
        Some(dir) if on_path("node") && dir.join("@sigstore/verify/package.json").exists() => {
            Some(dir)
        }
        _ => {
            missing_peer(
                "node with @sigstore/verify",
                "npm install --prefix target/npm-peers @sigstore/verify@3.1.1 @sigstore/bundle@4.0.0 @sigstore/protobuf-specs@0.5.2 and set VOUCH_TEST_NODE_MODULES",
            );
            None
        }
    }
}

/// Node and the npm packages of the SARIF peer (ajv and Microsoft's SARIF 2.1.0 schema), from
/// `VOUCH_TEST_NODE_MODULES` (scripts/test.sh installs them under target/).
pub fn sarif_validator() -> Option<PathBuf> {
    let modules = std::env::var_os("VOUCH_TEST_NODE_MODULES").map(PathBuf::from);
    let node_ok = StdCommand::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    match modules {
        Some(dir)
            if node_ok
                && dir
                    .join("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json")
                    .exists()
                && dir.join("ajv").exists() =>
        {
            Some(dir)
        }
        _ => {
            missing_peer(
                "node with ajv and @microsoft/jest-sarif (the SARIF 2.1.0 schema)",
                "npm install --prefix target/npm-peers ajv@6.12.6 @microsoft/jest-sarif@1.0.0-beta.0 and set VOUCH_TEST_NODE_MODULES",
            );
            None
        }
    }
}

/// The key that signs the test vectors (`data/vector.pub`); every test daemon trusts it.
pub fn vector_key() -> vouch_proto::SecretKey {
    vouch_proto::SecretKey::from_seed(&vouch_tests::vectors::SIGNER_SEED)
}

/// A review by `key` of the image with `digest`, signed.
pub fn review_envelope(
    key: &vouch_proto::SecretKey,
    digest: vouch_proto::Digest,
    verdict: vouch_proto::Verdict,
    reviewed_at: chrono::DateTime<chrono::Utc>,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
) -> vouch_proto::Envelope {
    let reference = format!("ubuntu:24.04@{digest}");
    let image = vouch_proto::ImageRef::parse_pinned(&reference).expect("a valid reference");
    let mut review = vouch_proto::Review::new(key.id(), verdict, reviewed_at, &reference);
    review.expires_at = expires_at;
    vouch_proto::sign_review(&vouch_proto::ReviewStatement::new(&image, review), key)
}

/// An entry signed by the vector key, about a digest made from `i`.
pub fn signed_entry(i: u64) -> vouch_ledger::NewEntry {
    let key = vector_key();
    let mut statement = vouch_tests::vectors::full_review(&key);
    let digest = vouch_proto::Digest::of(&i.to_le_bytes());
    statement.subject[0].digest = vouch_proto::DigestSet(digest);
    statement.predicate.image.reference = format!("ubuntu:24.04@{digest}");
    let envelope = vouch_proto::sign_review(&statement, &key);
    vouch_ledger::NewEntry::attestation(
        envelope.to_json().into_bytes(),
        &envelope,
        key.id(),
        &statement,
    )
}

/// Runs SQL against a ledger file as an attacker with the file would: triggers dropped first,
/// waiting for a running daemon's write lock.
pub fn tamper(sqlite3: &Path, db: &Path, sql: &str) {
    let triggers = StdCommand::new(sqlite3)
        .args(["-cmd", ".timeout 10000"])
        .arg(db)
        .arg("SELECT name FROM sqlite_schema WHERE type = 'trigger'")
        .output()
        .unwrap();
    let drops: String = String::from_utf8(triggers.stdout)
        .unwrap()
        .lines()
        .map(|t| format!("DROP TRIGGER {t};"))
        .collect();
    let out = StdCommand::new(sqlite3)
        .args(["-cmd", ".timeout 10000"])
        .arg(db)
        .arg(format!("{drops}{sql}"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sqlite3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The hex of `bytes`, for SQL blob literals.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs git in `dir` with a fixed author; panics with its error output when it fails.
pub fn git(dir: &Path, args: &[&str]) {
    let out = StdCommand::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
