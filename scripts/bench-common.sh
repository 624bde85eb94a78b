# Sourced by the daemon benchmarks: builds vouchd and the load tool (release), makes a
# temporary directory ($work) and stops vouchd ($daemon, once started) and removes it on exit.
cargo build --quiet --release -p vouch-daemon --bin vouchd --example loadgen
# vouchd takes only the flags the benchmark gives, not the machine's /etc/vouch/vouchd.toml.
export VOUCHD_CONFIG=/dev/null
work=$(mktemp -d)
daemon=
cleanup() {
  [ -n "$daemon" ] && kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
