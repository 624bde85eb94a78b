//! Logging for both binaries: `tracing` to standard error, filtered by `VOUCH_LOG` (e.g.
//! `VOUCH_LOG=debug`), colours only on a terminal, and neither colours nor timestamps of our own
//! when standard error is the systemd journal (which stamps every line itself). Here because
//! vouch and vouchd both depend on this crate (as for `paths` and `files`).

use std::os::unix::fs::MetadataExt;

/// Installs the subscriber: `default` is the filter when `VOUCH_LOG` is unset (`warn` for the
/// CLI, `info` for the daemon); `targets` shows the module of each line.
pub fn init(default: &str, targets: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("VOUCH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(targets);
    if stderr_is_journal() {
        builder.with_ansi(false).without_time().init();
    } else {
        builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init();
    }
}

/// Whether standard error is the journal's stream: systemd sets `JOURNAL_STREAM` to its
/// `DEVICE:INODE`, which a redirected stderr no longer matches.
pub fn stderr_is_journal() -> bool {
    let Some(stream) = std::env::var_os("JOURNAL_STREAM") else {
        return false;
    };
    let Some((device, inode)) = stream.to_str().and_then(|s| s.split_once(':')) else {
        return false;
    };
    let Ok(stderr) = std::fs::metadata("/proc/self/fd/2") else {
        return false;
    };
    device.parse() == Ok(stderr.dev()) && inode.parse() == Ok(stderr.ino())
}
