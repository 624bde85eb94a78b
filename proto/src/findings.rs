//! The Dockerfile checklist (`vouch review --json`): what a reviewer must look at, one finding
//! per thing, each with an id that stays the same across runs of the same file.

use serde::{Deserialize, Serialize};

/// What a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// An external image the build starts from (FROM, COPY --from).
    BaseImage,
    /// Software installed by a package manager, or a repository or signing key added.
    PackageInstall,
    /// Content fetched from the network (wget, curl, ADD of a URL, git clone).
    Download,
    /// What the container runs (ENTRYPOINT, CMD).
    Entrypoint,
    /// Users, groups, sudo, setuid, and the user the container runs as.
    Privilege,
    /// A credential or proxy in ENV or ARG.
    Secret,
    /// Code the review cannot read line by line: inline or generated code, what could not be
    /// parsed, values left to the build, triggers and shells.
    Code,
}

impl FindingKind {
    /// Every kind.
    pub const ALL: [FindingKind; 7] = [
        FindingKind::BaseImage,
        FindingKind::PackageInstall,
        FindingKind::Download,
        FindingKind::Entrypoint,
        FindingKind::Privilege,
        FindingKind::Secret,
        FindingKind::Code,
    ];

    /// The kebab-case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            FindingKind::BaseImage => "base-image",
            FindingKind::PackageInstall => "package-install",
            FindingKind::Download => "download",
            FindingKind::Entrypoint => "entrypoint",
            FindingKind::Privilege => "privilege",
            FindingKind::Secret => "secret",
            FindingKind::Code => "code",
        }
    }
}

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing wrong as written.
    Info,
    /// Needs a look.
    Low,
    /// Weakens traceability (a moving tag, an unpinned package).
    Medium,
    /// Breaks traceability or grants power (unverified downloads, curl | sh, sudo, secrets).
    High,
}

/// One thing the reviewer must resolve.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Stable across runs, rewordings and moved lines: the rule's code and a hash of what the
    /// finding is about, e.g. `VR301-3f2a9c0d1e`.
    pub id: String,
    /// The rule that found it, e.g. `VR301` (see `vouch_dockerfile::rule`).
    pub rule: String,
    /// The kind.
    pub kind: FindingKind,
    /// The 1-based line of the instruction.
    pub line: usize,
    /// The instruction, continuation lines joined.
    pub instruction: String,
    /// What was found.
    pub summary: String,
    /// How much it matters.
    pub severity: Severity,
    /// What the reviewer must check.
    pub check: String,
}

/// The Dockerfile a report is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DockerfileRef {
    /// The path as given (`-` for standard input).
    pub path: String,
    /// The sha256 of its bytes, hex.
    pub sha256: String,
}

/// `vouch review --json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewReport {
    /// The file analysed.
    pub dockerfile: DockerfileRef,
    /// Everything to check, in file order.
    pub findings: Vec<Finding>,
}
