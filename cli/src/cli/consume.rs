//! The arguments of the consumer's commands: `vouch pull`, `vouch export`, `vouch install`,
//! `vouch shell-init`, and how `vouch check` and `vouch pull` check an answer.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::LedgerArgs;

/// `vouch pull`
#[derive(Debug, Args)]
pub struct PullArgs {
    /// The image: REPO[:TAG] or REPO@sha256:<hex>, named as for docker (`ubuntu` is
    /// docker.io/library/ubuntu:latest).
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// The engine that pulls: docker, podman, or auto (docker when on PATH, else podman).
    #[arg(long, value_enum, default_value_t = EngineChoice::Auto, env = "VOUCH_ENGINE")]
    pub engine: EngineChoice,
    /// The platform wanted from a multi-platform image, OS/ARCH[/VARIANT] [default: this
    /// machine's].
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// Resolve and ask, print what would be pulled, pull nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// How the answer is checked and the tag resolved.
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Print the outcome as one JSON object on stdout (the engine's output goes to stderr).
    #[arg(long)]
    pub json: bool,
}

/// `vouch export`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Only the entries about this image (REPO@sha256:<hex>). Repeatable.
    #[arg(long = "image", value_name = "REPO@DIGEST")]
    pub images: Vec<String>,
    /// Only the entries about this digest (sha256:<hex>). Repeatable.
    #[arg(long = "digest", value_name = "DIGEST")]
    pub digests: Vec<vouch_proto::Digest>,
    /// Only entries from this index on.
    #[arg(long, value_name = "INDEX", default_value_t = 0)]
    pub since: u64,
    /// The format.
    #[arg(long, value_enum, default_value_t = ExportFormat::IntotoJsonl)]
    pub format: ExportFormat,
    /// The file to write (never overwritten) [default: standard output]; for
    /// sigstore-bundle, a directory to create.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The ledger.
    #[command(flatten)]
    pub ledger: LedgerArgs,
}

/// `vouch import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The export: a `--format ledger` file (every entry checked against its signed checkpoint
    /// before anything is sent), an `.intoto.jsonl` file, a Sigstore bundle or a directory of
    /// bundles.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The exporting log's public key, which a ledger export's checkpoint must verify with
    /// [default: the key in the file's header: that proves the file consistent, not whose log
    /// it is].
    #[arg(long = "log-key", value_name = "LOG.pub")]
    pub log_key: Option<PathBuf>,
    /// Check everything (the file, and with vouchd every entry), import nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// The formats `vouch export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One DSSE envelope per line (`.intoto.jsonl`, application/vnd.in-toto.bundle).
    IntotoJsonl,
    /// A header with the signed checkpoint, then every entry with its inclusion proof.
    Ledger,
    /// One Sigstore bundle (v0.3, public-key hint, no log entries) per signature, as files
    /// `entry-INDEX-N.sigstore.json` in a new directory (-o DIR).
    SigstoreBundle,
}

/// Which container engine pulls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineChoice {
    /// docker if on PATH, else podman.
    Auto,
    /// The docker command (its daemon as configured: DOCKER_HOST, contexts).
    Docker,
    /// The podman command (its storage and registries configuration).
    Podman,
}

/// `vouch install ...`
#[derive(Debug, Subcommand)]
pub enum InstallCommand {
    /// Install the Docker CLI plugin `docker-vouch` (a link to this vouch) into
    /// $DOCKER_CONFIG/cli-plugins or ~/.docker/cli-plugins, so `docker vouch pull IMAGE` works.
    DockerPlugin(InstallPluginArgs),
}

/// `vouch install docker-plugin`
#[derive(Debug, Args)]
pub struct InstallPluginArgs {
    /// The plugin directory [default: $DOCKER_CONFIG/cli-plugins, else ~/.docker/cli-plugins].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Replace a docker-vouch that is there already and is not a link to this vouch.
    #[arg(long)]
    pub force: bool,
}

/// `vouch shell-init`
#[derive(Debug, Args)]
pub struct ShellInitArgs {
    /// The shell: bash, zsh or fish.
    #[arg(value_enum)]
    pub shell: InitShell,
}

/// The shells `vouch shell-init` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitShell {
    /// GNU bash.
    Bash,
    /// zsh.
    Zsh,
    /// fish.
    Fish,
}

/// How `vouch check` and `vouch pull` check a trust answer and resolve a tag.
#[derive(Debug, Args)]
pub struct TrustArgs {
    /// A reviewer public key whose signature a counted review must carry. Repeatable; in
    /// VOUCH_TRUSTED_KEYS, paths separated by ':'. Without any, signatures are not re-checked
    /// here and the answer rests on the log key pinned at first contact (a warning says so).
    #[arg(
        long = "trusted-key",
        value_name = "FILE.pub",
        env = "VOUCH_TRUSTED_KEYS",
        value_delimiter = ':'
    )]
    pub trusted_keys: Vec<PathBuf>,
    /// Which registries are spoken to over plain HTTP.
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// `vouch publish`
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The image, pinned: REPO@sha256:<hex>. Its registry receives the bundles.
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// Which registries are spoken to over plain HTTP.
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// Print what was done as JSON.
    #[arg(long)]
    pub json: bool,
    /// The ledger the reviews come from.
    #[command(flatten)]
    pub ledger: LedgerArgs,
}

/// `vouch fetch`
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The image: REPO[:TAG] or REPO@sha256:<hex> (a tag is resolved to its digest first).
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// A reviewer public key: bundles are verified with these keys. Repeatable.
    #[arg(long = "key", value_name = "FILE.pub")]
    pub keys: Vec<PathBuf>,
    /// Save the bundles into this new directory.
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Submit every bundle that checks out to vouchd (which verifies it against its policy).
    #[arg(long)]
    pub submit: bool,
    /// Which registries are spoken to over plain HTTP.
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// One JSON object per bundle.
    #[arg(long)]
    pub json: bool,
}

/// Which registries are spoken to over plain HTTP: only those named, never another.
#[derive(Debug, Args)]
pub struct RegistryArgs {
    /// A registry spoken to over plain HTTP (HOST:PORT), e.g. a local one. Repeatable; also
    /// VOUCH_INSECURE_REGISTRIES, comma-separated.
    #[arg(long = "insecure-registry", value_name = "HOST:PORT")]
    pub insecure_registries: Vec<String>,
}

impl RegistryArgs {
    /// The registries named here and in `VOUCH_INSECURE_REGISTRIES`.
    pub fn insecure(&self) -> Vec<String> {
        let from_env = std::env::var("VOUCH_INSECURE_REGISTRIES").unwrap_or_default();
        let named = from_env.split(',').map(str::trim).filter(|s| !s.is_empty());
        self.insecure_registries
            .iter()
            .cloned()
            .chain(named.map(str::to_string))
            .collect()
    }
}
