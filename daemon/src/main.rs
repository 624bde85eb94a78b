//! `vouchd`: parses flags, opens the ledger, binds the sockets and calls `vouch_daemon::run`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{CommandFactory, FromArgMatches, Parser};
use vouch_daemon::reload::Reloaded;
use vouch_daemon::{run, socket, systemd, Config, Limits, Serving, State};
use vouch_proto::PublicKey;

mod settings;

/// mimalloc instead of glibc's allocator, as in `vouch`. Measured alternately on one ledger of
/// a million entries (2026-12-05): durable submissions at 64 connections 4,710 to 5,125/s
/// against 4,242 to 4,686/s, and 530 MB resident against 650 MB; trust queries the same within
/// the runs' spread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The Vouch daemon: keeps every attestation in an append-only, tamper-evident ledger and
/// answers "is this digest trusted?" on a Unix socket.
#[derive(Debug, Parser)]
#[command(name = "vouchd", version, max_term_width = 100)]
struct Args {
    /// A config file (TOML) holding any of these settings by name: db, socket, socket_group,
    /// socket_mode, listen, policy, trusted_keys, audit_interval, max_connections,
    /// tcp_max_connections, tcp_threads, log_passphrase_file. A VOUCH_* variable or a flag overrides it
    /// [default: /etc/vouch/vouchd.toml when it exists; VOUCHD_CONFIG].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The ledger database [default: $XDG_DATA_HOME/vouch/ledger.db].
    #[arg(long, value_name = "PATH", env = "VOUCH_DB")]
    db: Option<PathBuf>,
    /// The Unix socket [default: $XDG_RUNTIME_DIR/vouch/vouchd.sock; /run/vouch/vouchd.sock as root].
    #[arg(long, value_name = "PATH", env = "VOUCH_SOCKET")]
    socket: Option<PathBuf>,
    /// The group the socket vouchd binds belongs to (a name or a number): its members may
    /// submit [default: vouchd's own group]. (A socket systemd passes keeps its own.)
    #[arg(long, value_name = "GROUP", env = "VOUCH_SOCKET_GROUP")]
    socket_group: Option<String>,
    /// The mode of the socket vouchd binds, in octal; none for others (whoever can connect can
    /// submit).
    #[arg(
        long,
        value_name = "MODE",
        env = "VOUCH_SOCKET_MODE",
        default_value = "0660"
    )]
    socket_mode: String,
    /// Read the log key's passphrase from this file (one trailing line break is ignored);
    /// otherwise VOUCH_LOG_PASSPHRASE; without either the log key is stored unencrypted.
    #[arg(long, value_name = "FILE", env = "VOUCH_LOG_PASSPHRASE_FILE")]
    log_passphrase_file: Option<PathBuf>,
    /// Also answer the read-only endpoints over TCP on this address (e.g. 127.0.0.1:8474).
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// A reviewer public key whose attestations are accepted and count. Repeatable. Shorthand
    /// for a policy of these keys, threshold 1, any repository.
    #[arg(
        long = "trusted-key",
        value_name = "FILE.pub",
        conflicts_with = "policy"
    )]
    trusted_keys: Vec<PathBuf>,
    /// The trust policy (TOML): reviewers and their scopes, rules (threshold, required
    /// reviewers, max_age, checklist and source requirements, base images, mode), roots.
    /// Check one with `vouch policy lint FILE`.
    #[arg(long, value_name = "FILE", env = "VOUCH_POLICY")]
    policy: Option<PathBuf>,
    /// Seconds between background audits of the whole ledger; 0 turns them off. (At start-up
    /// the ledger is always audited in full.)
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    audit_interval: u64,
    /// Connections open at once on the Unix socket; more are closed on arrival.
    #[arg(long, value_name = "N", default_value_t = Limits::UNIX.max_connections)]
    max_connections: usize,
    /// Connections open at once on the --listen TCP port, counted apart from the socket's.
    #[arg(long, value_name = "N", default_value_t = Limits::TCP.max_connections)]
    tcp_max_connections: usize,
    /// Threads answering the --listen TCP port, each keeping the connections it is given
    /// [default: half the cores, at least one: the rest is left to the clients and to
    /// submissions].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    tcp_threads: Option<u16>,
    /// Seconds a client may take to send request headers (or stay idle between requests).
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::UNIX.header_timeout.as_secs())]
    header_timeout: u64,
    /// Print this manual page (roff, section 8) and exit.
    #[arg(long, hide = true)]
    man: bool,
    /// Seconds in-flight requests may run after SIGTERM/SIGINT before they are cut off.
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::UNIX.shutdown_grace.as_secs())]
    shutdown_grace: u64,
}

fn main() -> ExitCode {
    vouch_ledger::logging::init("info", true);
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let parsed = settings::with_config(Args::command(), &args)
        .and_then(|(command, _)| Ok(Args::from_arg_matches(&command.get_matches_from(args))?));
    let args = match parsed {
        Ok(args) => args,
        Err(err) => {
            eprintln!("vouchd: error: {err:#}");
            return ExitCode::from(2);
        }
    };
    if args.man {
        let page = clap_mangen::Man::new(Args::command()).section("8");
        return match page.render(&mut std::io::stdout().lock()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("vouchd: error: {err}");
                ExitCode::from(2)
            }
        };
    }
    match serve(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("vouchd: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// The daemon's configuration from its flags: the ledger, the keys or policy (read and
/// checked here, before the ledger is touched), and the log key's passphrase.
fn config(args: &Args) -> Result<Config> {
    if args.policy.is_some() && !args.trusted_keys.is_empty() {
        // Either may come from a flag, VOUCH_POLICY or the config file; neither silently wins.
        anyhow::bail!(
            "both a policy and trusted keys are given (by flags, VOUCH_POLICY or the config file): give one; a policy names its reviewers itself"
        );
    }
    let db = match args.db.clone() {
        Some(db) => db,
        None => vouch_ledger::paths::default_ledger_path()
            .context("neither XDG_DATA_HOME nor HOME is set; give --db")?,
    };
    let trusted_keys = args
        .trusted_keys
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading trusted key {}", path.display()))?;
            PublicKey::from_pem(&text).with_context(|| format!("trusted key {}", path.display()))
        })
        .collect::<Result<Vec<_>>>()?;
    let policy = match args.policy.as_deref() {
        Some(path) => Some(vouch_trust::read_policy(path).map_err(anyhow::Error::msg)?),
        None => None,
    };
    if trusted_keys.is_empty() && policy.is_none() {
        tracing::warn!(
            "no --trusted-key given: every submission will be refused and nothing is trusted"
        );
    }
    let log_passphrase = match &args.log_passphrase_file {
        Some(path) => Some(read_passphrase(path)?),
        None => std::env::var("VOUCH_LOG_PASSPHRASE").ok(),
    };
    if log_passphrase.as_deref() == Some("") {
        anyhow::bail!(
            "VOUCH_LOG_PASSPHRASE is set but empty: \
             unset it for an unencrypted log key, or give the passphrase"
        );
    }
    let policy_source = match &args.policy {
        Some(path) => path.display().to_string(),
        None => "--trusted-key".to_string(),
    };
    Ok(Config {
        db,
        trusted_keys,
        policy,
        policy_source,
        log_passphrase,
    })
}

fn serve(args: Args) -> Result<()> {
    // First, while no other thread runs: it clears LISTEN_FDS and LISTEN_PID.
    let passed = systemd::passed_sockets()?;
    let config = config(&args)?;
    let access = socket::Access::new(&args.socket_mode, args.socket_group.as_deref())?;
    let socket_path = match args.socket.clone() {
        Some(path) => path,
        None => socket::default_path()?,
    };
    let limits = |max_connections: usize| Limits {
        max_connections: max_connections.max(1),
        header_timeout: Duration::from_secs(args.header_timeout.max(1)),
        shutdown_grace: Duration::from_secs(args.shutdown_grace),
        ..Limits::UNIX
    };
    let serving = Serving {
        audit_every: (args.audit_interval > 0).then(|| Duration::from_secs(args.audit_interval)),
        unix: limits(args.max_connections),
        tcp: limits(args.tcp_max_connections),
        tcp_threads: args
            .tcp_threads
            .map_or_else(vouch_daemon::default_tcp_threads, usize::from),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let state = tokio::task::spawn_blocking(move || State::open(&config)).await??;
        let shutdown = shutdown_signal()?;
        let (unix, activated) = match passed.unix {
            Some(listener) => (tokio::net::UnixListener::from_std(listener)?, true),
            None => (socket::bind(&socket_path, &access)?, false),
        };
        let tcp = match (&args.listen, passed.tcp) {
            (Some(_), Some(_)) => anyhow::bail!(
                "systemd passed a TCP socket and --listen names another: give one of them"
            ),
            (_, Some(listener)) => Some(tokio::net::TcpListener::from_std(listener)?),
            (Some(addr), None) => {
                let bound = tokio::net::TcpListener::bind(addr).await;
                Some(bound.with_context(|| format!("binding {addr}"))?)
            }
            (None, None) => None,
        };
        tracing::info!(
            socket = %socket_path.display(),
            socket_activated = activated,
            listen = ?args.listen,
            db = %state.db.display(),
            "vouchd serving"
        );
        systemd::ready(state.latest().map_or(0, |c| c.tree_size));
        tokio::spawn(reload_on_hangup(Arc::clone(&state), args.policy.clone()));
        let result = run(unix, tcp, Arc::clone(&state), serving, shutdown).await;
        // A socket systemd made is systemd's to remove.
        if !activated {
            let _ = std::fs::remove_file(&socket_path);
        }
        let closing = Arc::clone(&state);
        tokio::task::spawn_blocking(move || closing.close()).await?;
        tracing::info!("vouchd stopped");
        result.context("serving")
    })
}

/// A passphrase from a file: its text less one trailing line break, not empty.
fn read_passphrase(path: &std::path::Path) -> Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the log key passphrase file {}", path.display()))?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.is_empty() {
        anyhow::bail!(
            "{} is empty: give the log key's passphrase in it",
            path.display()
        );
    }
    Ok(text.to_string())
}

/// On every SIGHUP, reads the policy file again and puts it in force; a file that does not load
/// leaves the policy in force as it was, and the log says why.
async fn reload_on_hangup(state: Arc<State>, path: Option<PathBuf>) {
    let Ok(mut hangup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
    else {
        return;
    };
    while hangup.recv().await.is_some() {
        let Some(path) = path.clone() else {
            tracing::warn!("SIGHUP: no --policy file to reload (the --trusted-key keys stay)");
            continue;
        };
        systemd::reloading();
        let reloading = Arc::clone(&state);
        let result = tokio::task::spawn_blocking(move || {
            let policy = vouch_trust::read_policy(&path)?;
            reloading.reload(policy, &path.display().to_string())
        })
        .await;
        match result {
            Ok(Ok(Reloaded::Unchanged)) => tracing::info!("SIGHUP: the policy is unchanged"),
            Ok(Ok(Reloaded::Loaded { entry, rebuilt })) => {
                tracing::info!(entry, rebuilt, "SIGHUP: the new policy is in force")
            }
            Ok(Err(error)) => tracing::error!(
                error = %error,
                "SIGHUP: the policy did not load; the policy in force stays"
            ),
            Err(error) => tracing::error!(error = %error, "SIGHUP: the reload failed"),
        }
        systemd::reloaded();
    }
}

/// Completes on the first SIGTERM or SIGINT. The handlers are installed here, when it is
/// called, not when the future is first polled: called before the socket is bound, a signal
/// that arrives as soon as a client can connect still gets the orderly shutdown (requests
/// finished, index saved, ledger closed) rather than the default, immediate exit.
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate()).context("handling SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("handling SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
        systemd::stopping();
        tracing::info!("shutting down");
    })
}
