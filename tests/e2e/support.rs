//! Helpers: finding the binaries, a private home for each test, test data, and peer tools that
//! may skip outside CI but must be present when `CI=true`.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
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

/// Whether this run is CI, where every peer tool must be present.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Reports a missing peer: a failure in CI, a printed skip elsewhere.
fn missing_peer(what: &str, how: &str) {
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
