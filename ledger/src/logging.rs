//! Logging for both binaries: `tracing` to standard error, filtered by `VOUCH_LOG` (e.g.
//! `VOUCH_LOG=debug`), colours only on a terminal. Here because vouch and vouchd both depend on
//! this crate (as for `paths` and `files`).

/// Installs the subscriber: `default` is the filter when `VOUCH_LOG` is unset (`warn` for the
/// CLI, `info` for the daemon); `targets` shows the module of each line.
pub fn init(default: &str, targets: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("VOUCH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(targets)
        .init();
}
