//! `--source auto`: where a Dockerfile comes from, asked of git (the `git` command, as the
//! reviewer's own checkout sees it).

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};
use vouch_proto::review::Source;

fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
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
        bail!("--source auto: {} is not committed; commit it so the review names what the repository holds", dockerfile.display());
    }
    let changes = git(dir, &["status", "--porcelain", "--", &name])?;
    if !changes.is_empty() {
        bail!("--source auto: {} has uncommitted changes; commit them (or review the committed version)", dockerfile.display());
    }
    let commit = git(dir, &["rev-parse", "HEAD"])?;
    let remotes = git(dir, &["remote"])?;
    let remote = if remotes.lines().any(|r| r == "origin") {
        "origin"
    } else {
        remotes.lines().next().unwrap_or("")
    };
    if remote.is_empty() {
        bail!("--source auto: the repository has no remote; push it where reviewers can fetch it, or give --source URL@COMMIT");
    }
    let repository = git(dir, &["remote", "get-url", remote])?;
    Ok((Source { repository, commit }, path))
}
