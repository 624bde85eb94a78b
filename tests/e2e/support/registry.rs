//! A real OCI registry (Debian's docker-registry) for the tests, and images built with umoci and
//! pushed to it with skopeo: small ones, ones with a layer of a given size, and a two-platform
//! image index.

use std::path::Path;
use std::process::Command as StdCommand;

use tempfile::TempDir;

use super::{missing_peer, on_path};

/// A real OCI registry (Debian's docker-registry, distribution 2.8) on a free loopback port,
/// storing in a temporary directory; stopped on drop.
pub struct Registry {
    child: std::process::Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// The user name and password it asks for, if any.
    login: Option<(String, String)>,
    _dir: TempDir,
}

/// What was pushed: the digest the tag names, and for an index each platform's manifest.
pub struct Pushed {
    /// The digest of the manifest (or index) the tag names.
    pub digest: String,
    /// For an index: `(os/arch, digest)` of each manifest it lists.
    pub platforms: Vec<(String, String)>,
}

/// Runs a peer tool; its stdout, or a failed test with its stderr.
pub fn run(program: &str, args: &[&str]) -> String {
    let out = StdCommand::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `size` bytes that do not compress, different for each `seed` (xorshift64).
fn noise(seed: &str, size: usize) -> Vec<u8> {
    let mut state = seed.bytes().fold(0x9e37_79b9_7f4a_7c15_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) | 1;
    let mut out = Vec::with_capacity(size + 8);
    while out.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(size);
    out
}

/// Builds `layout:tag` with umoci: one layer holding `size` bytes of noise seeded by `cmd`,
/// the config's Cmd `cmd`, for linux/`arch`.
fn build(layout: &Path, tag: &str, cmd: &str, arch: &str, size: usize) {
    if !layout.exists() {
        run(
            "umoci",
            &["init", "--layout", &layout.display().to_string()],
        );
    }
    let image = format!("{}:{tag}", layout.display());
    run("umoci", &["new", "--image", &image]);
    let bundle = layout.with_file_name(format!("bundle-{tag}-{cmd}"));
    run(
        "umoci",
        &[
            "unpack",
            "--rootless",
            "--image",
            &image,
            &bundle.display().to_string(),
        ],
    );
    std::fs::write(bundle.join("rootfs/payload"), noise(cmd, size)).unwrap();
    run(
        "umoci",
        &["repack", "--image", &image, &bundle.display().to_string()],
    );
    run(
        "umoci",
        &[
            "config",
            "--image",
            &image,
            "--config.cmd",
            cmd,
            "--os",
            "linux",
            "--architecture",
            arch,
        ],
    );
    std::fs::remove_dir_all(&bundle).unwrap();
}

impl Registry {
    /// Starts one, or reports the peer missing (a skip outside CI, a failure in CI).
    pub fn start() -> Option<Self> {
        Self::start_with(None)
    }

    /// Starts one that asks for `user` and `password` (htpasswd, Basic auth).
    pub fn start_with_password(user: &str, password: &str) -> Option<Self> {
        Self::start_with(Some((user, password)))
    }

    fn start_with(login: Option<(&str, &str)>) -> Option<Self> {
        let mut tools = vec!["docker-registry", "umoci", "skopeo"];
        if login.is_some() {
            tools.push("htpasswd");
        }
        if let Some(missing) = tools.iter().find(|t| !on_path(t)) {
            missing_peer(
                &format!("{missing} (the registry test's peers)"),
                "apt-get install docker-registry umoci skopeo apache2-utils",
            );
            return None;
        }
        let dir = tempfile::tempdir().expect("a temp dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let addr = format!("127.0.0.1:{port}");
        let config = dir.path().join("config.yml");
        let mut text = format!(
            "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n",
            dir.path().join("data").display()
        );
        if let Some((user, password)) = login {
            let out = StdCommand::new("htpasswd")
                .args(["-Bbn", user, password])
                .output()
                .unwrap();
            assert!(out.status.success(), "htpasswd failed");
            let file = dir.path().join("htpasswd");
            std::fs::write(&file, out.stdout).unwrap();
            text.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: vouch-test\n    path: {}\n",
                file.display()
            ));
        }
        std::fs::write(&config, text).unwrap();
        let child = StdCommand::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("docker-registry starts");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "docker-registry did not listen on {addr}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Some(Registry {
            child,
            addr,
            login: login.map(|(u, p)| (u.to_string(), p.to_string())),
            _dir: dir,
        })
    }

    /// Builds a small image with umoci (its config's Cmd set to `cmd`, so different `cmd`s give
    /// different digests), pushes it as `repo:tag` with skopeo, and returns its digest.
    pub fn push(&self, work: &Path, repo: &str, tag: &str, cmd: &str) -> String {
        let layout = work.join(format!("layout-{cmd}"));
        let image = format!("{}:{tag}", layout.display());
        run(
            "umoci",
            &["init", "--layout", &layout.display().to_string()],
        );
        run("umoci", &["new", "--image", &image]);
        run("umoci", &["config", "--image", &image, "--config.cmd", cmd]);
        self.copy(&format!("oci:{image}"), repo, tag, false)
    }

    /// Pushes an image of one layer of `size` bytes (linux/amd64, Cmd `cmd`) as `repo:tag`;
    /// returns its digest.
    pub fn push_layered(
        &self,
        work: &Path,
        repo: &str,
        tag: &str,
        cmd: &str,
        size: usize,
    ) -> String {
        let layout = work.join(format!("layout-{cmd}"));
        build(&layout, tag, cmd, "amd64", size);
        self.copy(&format!("oci:{}:{tag}", layout.display()), repo, tag, false)
    }

    /// Pushes a two-platform image index (linux/amd64 and linux/arm64, small layers) as
    /// `repo:tag`.
    pub fn push_index(&self, work: &Path, repo: &str, tag: &str, cmd: &str) -> Pushed {
        let layout = work.join(format!("index-{cmd}"));
        let arches = ["amd64", "arm64"];
        for arch in arches {
            build(&layout, arch, &format!("{cmd}-{arch}"), arch, 4096);
        }
        let index_path = layout.join("index.json");
        let mut index: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&index_path).unwrap()).unwrap();
        let named = |arch: &str| {
            index["manifests"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == arch)
                .unwrap()
                .clone()
        };
        let manifests: Vec<serde_json::Value> = arches
            .iter()
            .map(|arch| {
                let mut entry = named(arch);
                entry.as_object_mut().unwrap().remove("annotations");
                entry["platform"] = serde_json::json!({"architecture": arch, "os": "linux"});
                entry
            })
            .collect();
        let blob = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": manifests,
        }))
        .unwrap();
        let digest = vouch_proto::Digest::of(&blob);
        std::fs::write(layout.join("blobs/sha256").join(digest.hex()), &blob).unwrap();
        index["manifests"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "digest": digest.to_string(),
                "size": blob.len(),
                "annotations": {"org.opencontainers.image.ref.name": tag},
            }));
        std::fs::write(&index_path, serde_json::to_vec(&index).unwrap()).unwrap();
        let pushed = self.copy(&format!("oci:{}:{tag}", layout.display()), repo, tag, true);
        assert_eq!(pushed, digest.to_string(), "skopeo changed the index");
        let platforms = arches
            .iter()
            .zip(&manifests)
            .map(|(arch, m)| {
                (
                    format!("linux/{arch}"),
                    m["digest"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        Pushed {
            digest: pushed,
            platforms,
        }
    }

    /// `skopeo copy [--all] SOURCE docker://ADDR/REPO:TAG`; the digest of the manifest the
    /// registry then serves for the tag, hashed from its raw bytes.
    fn copy(&self, source: &str, repo: &str, tag: &str, all: bool) -> String {
        let dest = format!("docker://{}/{repo}:{tag}", self.addr);
        let mut args = vec!["copy", "--quiet", "--dest-tls-verify=false"];
        if all {
            args.push("--all");
        }
        let creds = self.login.as_ref().map(|(u, p)| format!("{u}:{p}"));
        if let Some(creds) = &creds {
            args.extend(["--dest-creds", creds]);
        }
        args.extend([source, &dest]);
        run("skopeo", &args);
        let mut inspect = vec!["inspect", "--raw", "--tls-verify=false"];
        if let Some(creds) = &creds {
            inspect.extend(["--creds", creds]);
        }
        inspect.push(&dest);
        let raw = run("skopeo", &inspect);
        vouch_proto::Digest::of(raw.as_bytes()).to_string()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
