//! Real container engines for the pull tests: a private `dockerd` (Debian's docker.io) and
//! podman with its own storage, both under a temporary directory, both pulling from the test
//! registry on 127.0.0.1 (which docker treats as insecure by itself; podman is told).

use std::path::PathBuf;
use std::process::{Command as StdCommand, Output};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::{missing_peer, on_path};

fn is_root() -> bool {
    StdCommand::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// A `dockerd` of its own: data, exec root, pid file and socket in a temporary directory, vfs
/// storage, no iptables and no bridge. Stopped (SIGTERM, then waited for) on drop.
pub struct Dockerd {
    child: std::process::Child,
    /// `unix:///.../docker.sock`, for DOCKER_HOST.
    pub host: String,
    dir: TempDir,
}

impl Dockerd {
    /// Starts one and waits until `docker version` answers; `None` (a skip outside CI, a
    /// failure in CI) when docker or dockerd is missing or this is not root.
    pub fn start() -> Option<Self> {
        if !on_path("dockerd") || !on_path("docker") || !is_root() {
            missing_peer(
                "dockerd and docker, run as root (the pull tests' engine)",
                "apt-get install docker.io, and run the tests as root",
            );
            return None;
        }
        // A short path: dockerd's and containerd's sockets live under the exec root.
        let dir = tempfile::Builder::new()
            .prefix("vd")
            .tempdir_in("/tmp")
            .unwrap();
        let sock = dir.path().join("d.sock");
        let child = StdCommand::new("dockerd")
            .arg("--data-root")
            .arg(dir.path().join("data"))
            .arg("--exec-root")
            .arg(dir.path().join("x"))
            .arg("--pidfile")
            .arg(dir.path().join("d.pid"))
            .arg("--host")
            .arg(format!("unix://{}", sock.display()))
            .args([
                "--storage-driver",
                "vfs",
                "--iptables=false",
                "--bridge=none",
            ])
            .stdout(std::fs::File::create(dir.path().join("dockerd.log")).unwrap())
            .stderr(std::fs::File::create(dir.path().join("dockerd.err")).unwrap())
            .spawn()
            .expect("dockerd starts");
        let dockerd = Dockerd {
            child,
            host: format!("unix://{}", sock.display()),
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !dockerd.docker(&["version"]).status.success() {
            assert!(
                Instant::now() < deadline,
                "dockerd did not answer within 60 s: {}",
                std::fs::read_to_string(dockerd.dir.path().join("dockerd.err")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(dockerd)
    }

    /// `docker ARGS` against this daemon.
    pub fn docker(&self, args: &[&str]) -> Output {
        StdCommand::new("docker")
            .env("DOCKER_HOST", &self.host)
            .env("DOCKER_CONFIG", self.dir.path().join("cli"))
            .args(args)
            .output()
            .expect("docker runs")
    }

    /// The RepoDigests of `image`, or `None` when the engine does not have it.
    pub fn repo_digests(&self, image: &str) -> Option<Vec<String>> {
        repo_digests(&self.docker(&["image", "inspect", image]))
    }

    /// How many images the engine has.
    pub fn image_count(&self) -> usize {
        let out = self.docker(&["images", "-q", "--no-trunc"]);
        String::from_utf8_lossy(&out.stdout).lines().count()
    }
}

impl Drop for Dockerd {
    fn drop(&mut self) {
        let _ = StdCommand::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

fn repo_digests(out: &Output) -> Option<Vec<String>> {
    if !out.status.success() {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    let digests = value[0]["RepoDigests"].as_array()?;
    Some(
        digests
            .iter()
            .filter_map(|d| d.as_str().map(str::to_string))
            .collect(),
    )
}

/// podman with storage (vfs) and registries configuration files of its own, reaching the
/// registries given over plain HTTP.
pub struct Podman {
    dir: TempDir,
}

impl Podman {
    /// `None` (a skip outside CI, a failure in CI) when podman is missing or this is not root.
    pub fn new(insecure: &[&str]) -> Option<Self> {
        if !on_path("podman") || !is_root() {
            missing_peer(
                "podman, run as root (the pull tests' second engine)",
                "apt-get install podman, and run the tests as root",
            );
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("vp")
            .tempdir_in("/tmp")
            .unwrap();
        let storage = format!(
            "[storage]\ndriver = \"vfs\"\ngraphroot = \"{}\"\nrunroot = \"{}\"\n",
            dir.path().join("root").display(),
            dir.path().join("run").display()
        );
        std::fs::write(dir.path().join("storage.conf"), storage).unwrap();
        let registries: String = insecure
            .iter()
            .map(|r| format!("[[registry]]\nlocation = \"{r}\"\ninsecure = true\n"))
            .collect();
        std::fs::write(dir.path().join("registries.conf"), registries).unwrap();
        std::fs::write(
            dir.path().join("containers.conf"),
            "[engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n",
        )
        .unwrap();
        Some(Podman { dir })
    }

    /// The environment that points podman at this storage and configuration.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        [
            ("CONTAINERS_STORAGE_CONF", "storage.conf"),
            ("CONTAINERS_REGISTRIES_CONF", "registries.conf"),
            ("CONTAINERS_CONF", "containers.conf"),
        ]
        .map(|(name, file)| (name, self.path(file).display().to_string()))
        .into()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `podman ARGS` with this storage.
    pub fn podman(&self, args: &[&str]) -> Output {
        StdCommand::new("podman")
            .envs(self.env())
            .args(args)
            .output()
            .expect("podman runs")
    }

    /// The RepoDigests of `image`, or `None` when podman does not have it.
    pub fn repo_digests(&self, image: &str) -> Option<Vec<String>> {
        repo_digests(&self.podman(&["image", "inspect", image]))
    }

    /// How many images podman has.
    pub fn image_count(&self) -> usize {
        let out = self.podman(&["images", "-q", "--no-trunc"]);
        String::from_utf8_lossy(&out.stdout).lines().count()
    }
}
