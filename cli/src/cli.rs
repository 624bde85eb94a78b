//! The command-line tree of `vouch`; the doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod consume;
pub use consume::{
    EngineChoice, ExportArgs, ExportFormat, FetchArgs, ImportArgs, InitShell, InstallCommand,
    InstallPluginArgs, PublishArgs, PullArgs, RegistryArgs, ShellInitArgs, TrustArgs,
};

/// Review container images, sign what you reviewed, and verify what others signed.
///
/// Exit codes: 0 success (or valid / trusted), 1 a negative answer (invalid signature, not
/// trusted), 2 an error (unusable input, missing file, bad flag).
///
/// Requests to vouchd time out after 30 s (VOUCH_TIMEOUT=SECONDS to change).
#[derive(Debug, Parser)]
#[command(
    name = "vouch",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// vouchd's socket [default: $XDG_RUNTIME_DIR/vouch/vouchd.sock; /run/vouch/vouchd.sock as root].
    #[arg(long, global = true, value_name = "PATH", env = "VOUCH_SOCKET")]
    pub socket: Option<PathBuf>,
    /// Read private key passphrases from this file (one trailing line break is ignored), as
    /// secret stores provide them; otherwise VOUCH_PASSPHRASE, else a terminal prompt.
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "VOUCH_PASSPHRASE_FILE"
    )]
    pub passphrase_file: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create and inspect reviewer keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// List what a reviewer must check in a Dockerfile: base images, package installs and their
    /// sources, downloads and whether they are verified, what ENTRYPOINT/CMD run, privilege
    /// changes, and credentials or proxies in ENV/ARG.
    ///
    /// Exit 0 with the checklist, 2 when the file cannot be read or parsed.
    Review(ReviewArgs),
    /// Sign a review of one image digest as an in-toto Statement in a DSSE envelope.
    Attest(Box<AttestArgs>),
    /// Check that envelopes are valid reviews signed by a given key (offline).
    Verify(VerifyArgs),
    /// Send signed reviews to vouchd, which verifies them and appends them to its ledger.
    ///
    /// Exit 0 all accepted (or already there), 1 any refused, 2 an error.
    Submit(SubmitArgs),
    /// Ask vouchd whether an image digest is trusted, and why.
    ///
    /// Exit 0 trusted, 1 not trusted, 2 an error.
    Check(CheckArgs),
    /// Audit a ledger and print its checkpoints and proofs.
    #[command(subcommand)]
    Log(LogCommand),
    /// Retract one of your reviews: sign a retraction of ledger entry INDEX with your key and
    /// submit it. The review stops counting; the ledger keeps both.
    ///
    /// Exit 0 accepted, 1 refused (e.g. the entry is not your review), 2 an error.
    Revoke(RevokeArgs),
    /// Revoke a reviewer key, as an admin of vouchd's policy: its reviews stop counting.
    ///
    /// Exit 0 accepted, 1 refused (e.g. the key is not an admin's), 2 an error.
    RevokeKey(RevokeKeyArgs),
    /// Check a trust policy file, and try one out against a ledger before vouchd loads it.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Pull an image with docker or podman only if vouchd trusts it, by the reviewed digest.
    ///
    /// The tag is resolved to a digest by hashing the manifest the registry sends; vouchd is
    /// asked about that digest for the image's repository, and the answer is checked here as
    /// `vouch check` checks it. Trusted: the engine pulls REPO@DIGEST (checking the bytes
    /// against it) and tags it REPO:TAG. Not trusted: nothing is pulled. For an image index, a
    /// review of the index covers all its platforms; otherwise the reviewed manifest of the
    /// wanted platform is pulled.
    ///
    /// Exit 0 pulled (or would pull, with --dry-run), 1 not trusted (nothing pulled), 2 an error
    /// (daemon or registry unreachable, a registry lying about a digest, the engine failing).
    Pull(Box<PullArgs>),
    /// Export entries in formats others verify without vouchd: `intoto-jsonl` (one DSSE
    /// envelope per line, the in-toto bundle) or `ledger` (each entry with its inclusion proof
    /// against one signed checkpoint; check it with `vouch verify --ledger-export`).
    ///
    /// From vouchd, or from a ledger file with --db. Exit 0 exported, 2 an error.
    Export(ExportArgs),
    /// Append the entries of an export (`vouch export`, any format) to vouchd's ledger: each
    /// verified again by vouchd and checked against its policy; entries already there are
    /// skipped; policy entries are not imported (a ledger keeps its own policy). A file that
    /// does not verify imports nothing: the whole file is checked (with vouchd, as a dry run)
    /// before the first entry is appended.
    ///
    /// Exit 0 every entry imported or already there, 1 the file does not verify (nothing
    /// imported) or vouchd refused some entries (the rest imported), 2 an error.
    Import(ImportArgs),
    /// Publish an image's reviews next to it in its registry: Sigstore bundles as OCI 1.1
    /// referrers (the layout cosign 3 writes), listed at the fallback tag `sha256-<hex>` where
    /// the registry has no referrers API. Publishing again adds nothing twice.
    ///
    /// Exit 0 published, 2 an error.
    Publish(PublishArgs),
    /// Read the reviews published next to an image, check each (about this digest; signed by a
    /// --key), save them (-o) or submit them to vouchd (--submit).
    ///
    /// Exit 0 all check out, 1 any does not, 2 an error.
    Fetch(FetchArgs),
    /// Install vouch into another tool: `vouch install docker-plugin` makes `docker vouch pull`
    /// work.
    #[command(subcommand)]
    Install(InstallCommand),
    /// Print shell functions that send `docker pull`, `docker image pull` and the same for
    /// podman through `vouch pull`, e.g. `eval "$(vouch shell-init bash)"` in ~/.bashrc.
    ///
    /// A line with options before the subcommand (`docker --context X pull`, `podman
    /// --log-level=info pull`) that holds `pull` is refused with what to run instead. Not
    /// covered: the implicit pull of `docker run` / `docker create` (and podman's) of an image
    /// not present, `command docker pull`, scripts and programs that call the engine without
    /// the shell, and the engine's API. These functions are a convenience for people at a
    /// shell, not enforcement: for that, the engine itself must ask vouchd. Everything else
    /// goes to the engine unchanged.
    ShellInit(ShellInitArgs),
    /// Show the settings in force and where each comes from: a flag, a VOUCH_* variable, the
    /// config file ($XDG_CONFIG_HOME/vouch/config.toml, or VOUCH_CONFIG), or the default.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script (e.g. `vouch completions bash > /etc/bash_completion.d/vouch`).
    Completions(CompletionsArgs),
    /// Print the man page (roff), e.g. `vouch man | man -l -`.
    Man,
}

/// `vouch completions`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `vouch log ...`
#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Audit a ledger file offline (needs --db): re-hash every entry, rebuild the Merkle tree, check every
    /// signed checkpoint, and re-verify the attestation signatures of the keys given.
    ///
    /// Exit 0 intact, 1 tampered (naming the first bad index and what is wrong), 2 error.
    Verify(LogVerifyArgs),
    /// Print the latest signed checkpoint.
    Checkpoint(LogCheckpointArgs),
    /// Print the inclusion proof of entry INDEX in the tree of --size entries.
    Prove(LogProveArgs),
    /// Print the proof that the tree of OLD entries is a prefix of the tree of NEW entries.
    Consistency(LogConsistencyArgs),
    /// Check a proof against a signed checkpoint and the log's public key, without the ledger.
    VerifyProof(VerifyProofArgs),
}

/// `vouch revoke`
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The ledger index of the review to retract.
    #[arg(long, value_name = "INDEX")]
    pub entry: u64,
    /// Why (recorded in the ledger).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Your private key [default: the default reviewer key].
    #[arg(long, value_name = "FILE.key")]
    pub key: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `vouch revoke-key`
#[derive(Debug, Args)]
pub struct RevokeKeyArgs {
    /// The id of the reviewer key to revoke (`vouch key id`).
    #[arg(long = "key-id", value_name = "ID")]
    pub key_id: String,
    /// Why (recorded in the ledger).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// The admin's private key.
    #[arg(long, value_name = "ADMIN.key")]
    pub key: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `vouch policy ...`
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check a policy file offline: its syntax, its keys (paths relative to the file), and that
    /// every rule can be met (threshold, required reviewers, scopes).
    ///
    /// Exit 0 usable, 1 not usable (the line and the reason are printed), 2 unreadable.
    Lint(PolicyLintArgs),
    /// Decide images under a policy against a ledger file, offline, exactly as vouchd would
    /// (the ledger is audited first; only entries it verifies count).
    ///
    /// Exit 0 all trusted, 1 any not trusted, 2 an error.
    Test(PolicyTestArgs),
}

/// `vouch policy lint`
#[derive(Debug, Args)]
pub struct PolicyLintArgs {
    /// The policy file (TOML).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print the result as JSON: `{"ok": true, ...}` or `{"ok": false, "line": N, "error": "..."}`.
    #[arg(long)]
    pub json: bool,
}

/// `vouch policy test`
#[derive(Debug, Args)]
pub struct PolicyTestArgs {
    /// The policy file (TOML).
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// The ledger.
    #[command(flatten)]
    pub ledger: LedgerArgs,
    /// The images: REPO@sha256:<hex> (the rule for REPO applies) or a bare sha256:<hex> (the
    /// `*` rule).
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
    /// Print one JSON answer per image, in vouchd's format.
    #[arg(long)]
    pub json: bool,
}

/// `vouch review`
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The Dockerfile; `-` reads standard input.
    #[arg(value_name = "PATH", default_value = "Dockerfile")]
    pub path: PathBuf,
    /// A build argument, as `docker build --build-arg` gives it. Repeatable.
    #[arg(long = "build-arg", value_name = "KEY=VALUE")]
    pub build_args: Vec<String>,
    /// Print the checklist as JSON (schema/json/review-report-v2.schema.json).
    #[arg(long, conflicts_with = "sarif")]
    pub json: bool,
    /// Print the checklist as SARIF 2.1.0, for code-scanning tools.
    #[arg(long, conflicts_with = "diff")]
    pub sarif: bool,
    /// Compare with the checklist of an earlier review (an envelope from `vouch attest
    /// --dockerfile`): list only the findings that are new or changed since, and those gone.
    #[arg(long, value_name = "ENVELOPE")]
    pub diff: Option<PathBuf>,
}

/// `vouch submit`
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// Envelope files (from `vouch attest`), at most 1 MiB each; `-` reads one from standard input.
    #[arg(value_name = "ENVELOPE", required = true)]
    pub envelopes: Vec<PathBuf>,
    /// Print one JSON object per envelope (JSON Lines).
    #[arg(long)]
    pub json: bool,
}

/// `vouch check`: before it says TRUSTED, vouch checks vouchd's answer itself: the checkpoint
/// with the log key it pinned, each counted review's inclusion proof and leaf hash, and the
/// review (subject, verdict, expiry, date; its signature too when reviewer keys are pinned).
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The image: REPO@sha256:<hex> or a bare sha256:<hex> (that digest alone is judged), or
    /// REPO[:TAG], resolved by asking the registry (the manifest is hashed here; the digest is
    /// printed) and judged as `vouch pull` judges it: an image index trusted or rejected as a
    /// whole, else this machine's platform manifest.
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// How the answer is checked and a tag resolved.
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Print vouchd's answer, and what this CLI verified of it, as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Which ledger, and which log key to trust for it.
#[derive(Debug, Args)]
pub struct LedgerArgs {
    /// A ledger database file to read directly [default: ask vouchd over its socket].
    #[arg(long, value_name = "PATH", env = "VOUCH_DB")]
    pub db: Option<PathBuf>,
    /// The log's public key to pin [default: the ledger's own PATH.pub].
    #[arg(long = "log-key", value_name = "FILE.pub")]
    pub log_key: Option<PathBuf>,
}

/// `vouch config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print each setting, its value and its source (flag, env, file:line, default).
    Show(ConfigShowArgs),
}

/// `vouch config show`
#[derive(Debug, Args)]
pub struct ConfigShowArgs {
    /// Print one JSON object: the config file and the settings.
    #[arg(long)]
    pub json: bool,
}

/// `vouch log verify`
#[derive(Debug, Args)]
pub struct LogVerifyArgs {
    /// The ledger.
    #[command(flatten)]
    pub ledger: LedgerArgs,
    /// A reviewer public key whose attestations are re-verified. Repeatable.
    #[arg(long = "key", value_name = "FILE.pub")]
    pub keys: Vec<PathBuf>,
    /// A signed checkpoint seen before (a file holding the note); it must match the ledger,
    /// which catches a rollback or fork. Repeatable.
    #[arg(long = "checkpoint", value_name = "FILE")]
    pub checkpoints: Vec<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `vouch log checkpoint`
#[derive(Debug, Args)]
pub struct LogCheckpointArgs {
    /// The ledger.
    #[command(flatten)]
    pub ledger: LedgerArgs,
    /// Print JSON (origin, treeSize, rootHash, note) instead of the note.
    #[arg(long)]
    pub json: bool,
}

/// `vouch log prove`
#[derive(Debug, Args)]
pub struct LogProveArgs {
    /// The entry's index.
    pub index: u64,
    /// The tree size to prove against [default: the latest checkpoint's].
    #[arg(long, value_name = "N")]
    pub size: Option<u64>,
    /// The ledger.
    #[command(flatten)]
    pub ledger: LedgerArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `vouch log consistency`
#[derive(Debug, Args)]
pub struct LogConsistencyArgs {
    /// The older tree size.
    pub old: u64,
    /// The newer tree size.
    pub new: u64,
    /// The ledger.
    #[command(flatten)]
    pub ledger: LedgerArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `vouch log verify-proof`
#[derive(Debug, Args)]
pub struct VerifyProofArgs {
    /// The proof: the JSON printed by `vouch log prove --json` or `vouch log consistency --json`.
    #[arg(value_name = "PROOF.json")]
    pub proof: PathBuf,
    /// The log's public key (PEM).
    #[arg(long = "log-key", value_name = "FILE.pub")]
    pub log_key: PathBuf,
    /// The signed checkpoint the proof leads to (the note text).
    #[arg(long, value_name = "FILE")]
    pub checkpoint: PathBuf,
    /// For a consistency proof: the older signed checkpoint.
    #[arg(long = "old-checkpoint", value_name = "FILE")]
    pub old_checkpoint: Option<PathBuf>,
    /// The log the checkpoints must name [default: the Vouch ledger of --log-key,
    /// vouch.local/ledger/<first 16 hex of its key id>].
    #[arg(long, value_name = "ORIGIN")]
    pub origin: Option<String>,
    /// For an inclusion proof: prove that this envelope (the exact bytes submitted) is the
    /// entry; needs --integrated-at.
    #[arg(long, value_name = "FILE", requires = "integrated_at")]
    pub envelope: Option<PathBuf>,
    /// When the ledger integrated the entry (unix seconds, from `vouch submit --json` or
    /// GET /v1/entries/N).
    #[arg(long = "integrated-at", value_name = "SECONDS", requires = "envelope")]
    pub integrated_at: Option<i64>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `vouch key ...`
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate an ed25519 key pair: NAME.key (encrypted PKCS#8, mode 0600) and NAME.pub.
    ///
    /// The passphrase comes from VOUCH_PASSPHRASE, or is asked for on the terminal. Existing
    /// files are never overwritten. Prints the key id (sha256 of the public key's DER).
    Generate(KeyGenerateArgs),
    /// Print the key id of a public key file (lowercase hex sha256 of its DER SubjectPublicKeyInfo).
    Id(KeyIdArgs),
}

/// `vouch key generate`
#[derive(Debug, Args)]
pub struct KeyGenerateArgs {
    /// Directory for the key files [default: $XDG_CONFIG_HOME/vouch/keys].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Base name of the key files.
    #[arg(long, default_value = "reviewer", value_name = "NAME")]
    pub name: String,
    /// Print a JSON object instead of the bare key id.
    #[arg(long)]
    pub json: bool,
}

/// `vouch key id`
#[derive(Debug, Args)]
pub struct KeyIdArgs {
    /// The public key file (PEM SubjectPublicKeyInfo).
    #[arg(value_name = "FILE.pub")]
    pub file: PathBuf,
    /// Print a JSON object instead of the bare key id.
    #[arg(long)]
    pub json: bool,
}

/// The verdicts a reviewer can sign.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum VerdictArg {
    /// The reviewer vouches for the image.
    Trusted,
    /// The reviewer found reasons not to run it.
    Rejected,
}

/// `vouch attest`
#[derive(Debug, Args)]
pub struct AttestArgs {
    /// The private key to sign with [default: $XDG_CONFIG_HOME/vouch/keys/reviewer.key].
    #[arg(long, value_name = "KEY")]
    pub key: Option<PathBuf>,
    /// The image reviewed, pinned by digest: REPO[:TAG]@sha256:<hex>. Tags alone are refused.
    #[arg(long, value_name = "REF@sha256:HEX")]
    pub image: String,
    /// The conclusion of the review.
    #[arg(long, value_enum)]
    pub verdict: VerdictArg,
    /// The Dockerfile reviewed; its sha256 is recorded.
    #[arg(long, value_name = "PATH")]
    pub dockerfile: Option<PathBuf>,
    /// Where the Dockerfile came from: REPOSITORY_URL@COMMIT (full commit id), or `auto` to ask
    /// git (refused when the file has uncommitted changes). Needs --dockerfile.
    #[arg(long, value_name = "REPO@COMMIT|auto", requires = "dockerfile")]
    pub source: Option<String>,
    /// Resolve a checklist item of the Dockerfile (ids from `vouch review`): ID=reviewed,
    /// ID=accepted-risk:NOTE or ID=not-applicable[:NOTE]. Repeatable.
    #[arg(
        long = "resolve",
        value_name = "ID=STATUS[:NOTE]",
        requires = "dockerfile"
    )]
    pub resolves: Vec<String>,
    /// A file of resolutions, TOML (`[items.ID]` with status and note) or the same shape in JSON.
    #[arg(long, value_name = "FILE", requires = "dockerfile")]
    pub answers: Option<PathBuf>,
    /// Resolve every open item as reviewed without asking; recorded as accept-all.
    #[arg(long, requires = "dockerfile")]
    pub accept_all: bool,
    /// Ask the registry for the digest of every base image the Dockerfile names by tag only,
    /// and record it.
    #[arg(long, requires = "dockerfile")]
    pub resolve_base: bool,
    /// Which registries are spoken to over plain HTTP when resolving.
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// A build argument for the Dockerfile analysis, as given to docker build. Repeatable.
    #[arg(long = "build-arg", value_name = "KEY=VALUE", requires = "dockerfile")]
    pub build_args: Vec<String>,
    /// A base image of the Dockerfile, pinned by digest. Repeat for each FROM.
    #[arg(long = "base", value_name = "REF@sha256:HEX")]
    pub bases: Vec<String>,
    /// A download the build makes and the sha256 of the content reviewed. Repeatable.
    #[arg(long = "download", value_name = "URL=sha256:HEX")]
    pub downloads: Vec<String>,
    /// A download the build makes, hashed from the local copy you inspected. Repeatable.
    #[arg(long = "download-file", value_name = "URL=FILE")]
    pub download_files: Vec<String>,
    /// A link to the automated build that produced the digest.
    #[arg(long, value_name = "URL")]
    pub build: Option<String>,
    /// A free note. Repeatable.
    #[arg(long = "note", value_name = "TEXT")]
    pub notes: Vec<String>,
    /// When the review stops counting: a duration (90d, 12w, 36h) or an RFC 3339 time.
    #[arg(long, value_name = "WHEN")]
    pub expires: Option<String>,
    /// The reviewer's name, recorded beside the key id (not proven by the signature).
    #[arg(long = "reviewer-name", value_name = "NAME")]
    pub reviewer_name: Option<String>,
    /// The reviewer's email, recorded beside the key id (not proven by the signature).
    #[arg(long = "reviewer-email", value_name = "EMAIL")]
    pub reviewer_email: Option<String>,
    /// Where to write the envelope; `-` is standard output. A file is written whole or not at
    /// all (0644), never through a symbolic link.
    #[arg(short, long, value_name = "FILE", default_value = "-")]
    pub output: PathBuf,
    /// Replace an existing --output file.
    #[arg(long)]
    pub force: bool,
}

/// `vouch verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The reviewer's public key (PEM). Repeat to accept any of several keys. With
    /// --ledger-export, optional: the attestations signed by these keys are re-verified.
    #[arg(
        long = "key",
        value_name = "FILE.pub",
        required_unless_present = "ledger_export"
    )]
    pub keys: Vec<PathBuf>,
    /// Envelope files (or Sigstore bundles), at most 1 MiB each; a directory: every file in
    /// it, in directory order; a `.jsonl` file (e.g. `vouch export`'s `.intoto.jsonl`) holds
    /// one envelope per line; `-` reads envelopes from standard input as they arrive, one JSON
    /// document after another (JSON Lines), each at most 1 MiB. Read as a stream, so any
    /// number of envelopes is checked in bounded memory.
    #[arg(value_name = "ENVELOPE", required_unless_present = "ledger_export")]
    pub envelopes: Vec<PathBuf>,
    /// A `vouch export --format ledger` file: check the checkpoint with --log-key, every
    /// entry's bytes and inclusion proof, and that no selected entry is missing.
    #[arg(
        long,
        value_name = "FILE",
        requires = "log_key",
        conflicts_with = "envelopes"
    )]
    pub ledger_export: Option<PathBuf>,
    /// The log's public key, pinned, for --ledger-export.
    #[arg(long = "log-key", value_name = "FILE.pub", requires = "ledger_export")]
    pub log_key: Option<PathBuf>,
    /// Exit 1 unless every envelope is a valid, unexpired `trusted` review that is not dated
    /// in the future (a gate for scripts); without it only the signature and format decide.
    #[arg(long)]
    pub require_trusted: bool,
    /// Check every signature on its own instead of in batches across the cores. The answer is
    /// the same either way (one cofactored rule, as vouchd and the audit apply it); this is
    /// slower and names each bad envelope without a batch first.
    #[arg(long)]
    pub strict: bool,
    /// Print one JSON object per envelope (JSON Lines) instead of text.
    #[arg(long)]
    pub json: bool,
}
