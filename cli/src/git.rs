//! `--source auto`: where a Dockerfile comes from, asked of git (the `git` command, as the
//! reviewer's own checkout sees it).
//!
//! The repository is the thing under review, so its own configuration is hostile input: a
//! `.git/config` can name commands for git to run (`core.fsmonitor`, hooks, clean/smudge
//! filters, a pager, an external diff). git runs here with each of those forced off, a clean
//! environment (no system config, no prompts, no optional index writes), and only commands that
//! read: nothing it does refreshes the index or filters file content.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};
use vouch_proto::review::Source;

/// Settings that would let the repository's config run a command, forced off.
const SAFE: &[&str] = &[
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.editor=false",
    "core.askPass=",
    "core.sshCommand=false",
    "diff.external=",
    "credential.helper=",
    "protocol.allow=never",
];

fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let mut command = Command::new("git");
    command.env_clear();
    for name in ["PATH", "HOME", "TMPDIR"] {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    command
        .env("LC_ALL", "C")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_ATTR_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_PAGER", "cat")
        .arg("--no-pager");
    for setting in SAFE {
        command.arg("-c").arg(setting);
    }
    let out = command
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .context("running git (is it installed?)")?;
    if !out.status.success() {
        bail!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The repository URL and commit holding `dockerfile`, and its path in that repository.
/// Refuses a file with uncommitted changes or that is not committed at all: the review must
/// name exactly what the repository holds.
pub fn source_of(dockerfile: &Path) -> Result<(Source, String)> {
    let dir = dockerfile
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dockerfile
        .file_name()
        .context("--dockerfile has no file name")?
        .to_string_lossy()
        .to_string();
    git(dir, &["rev-parse", "--show-toplevel"]).with_context(|| {
        format!(
            "--source auto: {} is not in a git repository",
            dockerfile.display()
        )
    })?;
    let path = git(dir, &["ls-files", "--full-name", "--", &name])?;
    if path.is_empty() {
        bail!(
            "--source auto: {} is not committed; \
             commit it so the review names what the repository holds",
            dockerfile.display()
        );
    }
    // The bytes on disk, hashed as git hashes a blob but with no filter (which the repository
    // could configure to run a command), against the blob HEAD holds: no `git status`, which
    // refreshes the index and may call fsmonitor and filters.
    let committed = git(
        dir,
        &["rev-parse", "--verify", "--quiet", &format!("HEAD:{path}")],
    )
    .ok()
    .filter(|id| !id.is_empty());
    let on_disk = git(dir, &["hash-object", "--no-filters", "--", &name])?;
    if committed.as_deref() != Some(on_disk.as_str()) {
        bail!(
            "--source auto: {} has uncommitted changes (or is not in HEAD); \
             commit them (or review the committed version)",
            dockerfile.display()
        );
    }
    let commit = git(dir, &["rev-parse", "--verify", "HEAD"])?;
    let remotes = git(dir, &["remote"])?;
    let remote = if remotes.lines().any(|r| r == "origin") {
        "origin"
    } else {
        remotes.lines().next().unwrap_or("")
    };
    if remote.is_empty() {
        bail!(
            "--source auto: the repository has no remote; \
             push it where reviewers can fetch it, or give --source URL@COMMIT"
        );
    }
    let repository = git(dir, &["remote", "get-url", remote])?;
    Ok((Source { repository, commit }, path))
}
