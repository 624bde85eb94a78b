//! Registry credentials where docker and podman keep them, so `vouch pull` reaches what
//! `docker pull` and `podman pull` reach: containers' `auth.json` (`$REGISTRY_AUTH_FILE`, then
//! `$XDG_RUNTIME_DIR/containers/auth.json`), Docker's `config.json` (`$DOCKER_CONFIG` or
//! `~/.docker`: `credHelpers` for the registry, its `auths` entry, then `credsStore`), and the
//! `docker-credential-HELPER get` protocol for helpers. Credentials are never logged; the
//! secret is wiped from memory when dropped.
//!
//! Hand-written: the files are a few JSON fields, and docker_credential (the one crate) reads
//! only Docker's file, runs helpers without a deadline and has no containers support.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use serde::Deserialize;
use zeroize::Zeroizing;

/// A user name and its password or token.
pub struct Credentials {
    /// The user name.
    pub username: String,
    /// The password or token; wiped on drop.
    pub secret: Zeroizing<String>,
    /// Where they came from, for messages (a file or a helper, never the secret).
    pub source: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Credentials({} from {}, secret redacted)",
            self.username, self.source
        )
    }
}

/// The largest credentials file or helper answer read.
const MAX_FILE: u64 = 1 << 20;

/// A helper that has not answered in this long is stopped.
const HELPER_DEADLINE: Duration = Duration::from_secs(20);

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ConfigFile {
    #[serde(default)]
    auths: std::collections::BTreeMap<String, AuthEntry>,
    #[serde(default)]
    cred_helpers: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    creds_store: Option<String>,
}

#[derive(Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// The credentials stored for `registry` (`host[:port]`; `docker.io` for Docker Hub), if any.
pub fn lookup(registry: &str) -> Result<Option<Credentials>> {
    let containers = std::env::var_os("REGISTRY_AUTH_FILE")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            std::env::var_os("XDG_RUNTIME_DIR")
                .map(|d| PathBuf::from(d).join("containers/auth.json")),
        );
    for path in containers {
        if let Some(found) = from_file(&path, registry, false)? {
            return Ok(Some(found));
        }
    }
    let docker = std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")))
        .map(|d| d.join("config.json"));
    match docker {
        Some(path) => from_file(&path, registry, true),
        None => Ok(None),
    }
}

/// The names a registry is stored under: Docker Hub has several.
fn names(registry: &str) -> Vec<&str> {
    match registry {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => vec![
            "https://index.docker.io/v1/",
            "index.docker.io",
            "docker.io",
            "registry-1.docker.io",
        ],
        other => vec![other],
    }
}

/// A stored key (`https://host/v1/`, `host`, `host/path`) reduced to its host.
fn host_of_key(key: &str) -> &str {
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    key.split('/').next().unwrap_or(key)
}

fn from_file(path: &Path, registry: &str, helpers: bool) -> Result<Option<Credentials>> {
    let Some(config) = read_config(path)? else {
        return Ok(None);
    };
    let wanted = names(registry);
    let matches = |key: &String| wanted.iter().any(|n| *n == key || *n == host_of_key(key));
    if helpers {
        if let Some((_, helper)) = config.cred_helpers.iter().find(|(k, _)| matches(k)) {
            return from_helper(helper, wanted[0]);
        }
    }
    if let Some((_, entry)) = config.auths.iter().find(|(k, _)| matches(k)) {
        if let Some(found) = from_entry(entry, path)? {
            return Ok(Some(found));
        }
    }
    match (&config.creds_store, helpers) {
        (Some(store), true) => from_helper(store, wanted[0]),
        _ => Ok(None),
    }
}

fn read_config(path: &Path) -> Result<Option<ConfigFile>> {
    let text = match std::fs::File::open(path) {
        Ok(file) => {
            let mut text = Zeroizing::new(String::new());
            std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX_FILE), &mut text)
                .with_context(|| format!("reading {}", path.display()))?;
            text
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    serde_json::from_str(&text).map(Some).with_context(|| {
        format!(
            "{} is not a credentials file docker or podman would read",
            path.display()
        )
    })
}

fn from_entry(entry: &AuthEntry, path: &Path) -> Result<Option<Credentials>> {
    let source = path.display().to_string();
    if let (Some(username), Some(password)) = (&entry.username, &entry.password) {
        return Ok(Some(Credentials {
            username: username.clone(),
            secret: Zeroizing::new(password.clone()),
            source,
        }));
    }
    let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) else {
        return Ok(None);
    };
    let decoded = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .with_context(|| format!("an `auth` entry in {source} is not base64"))?,
    );
    let text = std::str::from_utf8(&decoded)
        .with_context(|| format!("an `auth` entry in {source} is not text"))?;
    let (username, secret) = text
        .split_once(':')
        .with_context(|| format!("an `auth` entry in {source} is not USER:PASSWORD"))?;
    Ok(Some(Credentials {
        username: username.to_string(),
        secret: Zeroizing::new(secret.to_string()),
        source,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperAnswer {
    username: String,
    secret: String,
}

/// Runs `docker-credential-HELPER get` with the server's name on standard input.
fn from_helper(helper: &str, server: &str) -> Result<Option<Credentials>> {
    if helper.is_empty()
        || !helper
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        bail!("credential helper name {helper:?} is not a plain name");
    }
    let program = format!("docker-credential-{helper}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("running the credential helper {program} (is it on PATH?)"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(server.as_bytes()).ok();
    }
    let started = Instant::now();
    while child.try_wait()?.is_none() {
        if started.elapsed() > HELPER_DEADLINE {
            child.kill().ok();
            bail!(
                "the credential helper {program} did not answer within {} s",
                HELPER_DEADLINE.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let output = child.wait_with_output()?;
    let stdout = Zeroizing::new(output.stdout);
    if !output.status.success() {
        // "credentials not found" is how helpers say they have none.
        let said = String::from_utf8_lossy(&stdout).to_lowercase();
        if said.contains("not found") {
            return Ok(None);
        }
        bail!("the credential helper {program} failed ({})", output.status);
    }
    if stdout.len() as u64 > MAX_FILE {
        bail!("the credential helper {program} answered more than {MAX_FILE} bytes");
    }
    let answer: HelperAnswer = serde_json::from_slice(&stdout).with_context(|| {
        format!("the credential helper {program} did not answer with Username and Secret")
    })?;
    if answer.username == "<token>" {
        bail!("the credential helper {program} holds an identity token for {server}; vouch uses user names and passwords (or access tokens) only");
    }
    Ok(Some(Credentials {
        username: answer.username,
        secret: Zeroizing::new(answer.secret),
        source: program,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn reads_auth_and_user_password_entries_by_host() {
        let dir = tempfile::tempdir().unwrap();
        let auth = base64::engine::general_purpose::STANDARD.encode("alice:s3:cret");
        let path = write(
            dir.path(),
            "config.json",
            &format!(
                r#"{{"auths": {{"https://127.0.0.1:5000/v1/": {{"auth": "{auth}"}}, "docker.io": {{"username": "bob", "password": "pw"}}}}}}"#
            ),
        );
        let found = from_file(&path, "127.0.0.1:5000", true).unwrap().unwrap();
        assert_eq!(found.username, "alice");
        assert_eq!(found.secret.as_str(), "s3:cret");
        assert!(!format!("{found:?}").contains("s3:cret"));
        let hub = from_file(&path, "index.docker.io", true).unwrap().unwrap();
        assert_eq!(hub.username, "bob");
        assert!(from_file(&path, "ghcr.io", true).unwrap().is_none());
    }

    #[test]
    fn malformed_files_and_entries_are_errors_and_missing_files_are_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(from_file(&dir.path().join("none.json"), "x.io", true)
            .unwrap()
            .is_none());
        let bad = write(dir.path(), "bad.json", "{not json");
        assert!(from_file(&bad, "x.io", true).is_err());
        let entry = write(
            dir.path(),
            "entry.json",
            r#"{"auths": {"x.io": {"auth": "%%%"}}}"#,
        );
        assert!(from_file(&entry, "x.io", true).is_err());
        let colon = base64::engine::general_purpose::STANDARD.encode("nocolon");
        let entry = write(
            dir.path(),
            "colon.json",
            &format!(r#"{{"auths": {{"x.io": {{"auth": "{colon}"}}}}}}"#),
        );
        assert!(from_file(&entry, "x.io", true).is_err());
    }

    #[test]
    fn helper_names_are_plain() {
        assert!(from_helper("../evil", "x.io").is_err());
        assert!(from_helper("", "x.io").is_err());
    }
}
