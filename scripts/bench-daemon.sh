#!/usr/bin/env bash
# Measures vouchd over its Unix socket on this machine: trust queries against a ledger of N
# entries (default 100,000) with many keep-alive connections, then durable submissions.
# Release builds; everything in a temporary directory; all traffic stays on the local socket.
#
# usage: scripts/bench-daemon.sh [N] [CONNECTIONS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-100000}
connections=${2:-32}
seconds=${3:-10}

# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh

target/release/examples/loadgen populate "$work/ledger.db" "$entries"
VOUCH_LOG=warn target/release/vouchd --db "$work/ledger.db" --socket "$work/vouchd.sock" \
  --trusted-key tests/data/vector.pub --audit-interval 0 &
daemon=$!
for _ in $(seq 1 200); do [ -S "$work/vouchd.sock" ] && break; sleep 0.05; done
# Wait until it answers (the trust index is built before the socket is bound).
curl -sf --unix-socket "$work/vouchd.sock" http://vouchd/healthz >/dev/null

for c in 8 "$connections"; do
  target/release/examples/loadgen trust "$work/vouchd.sock" "$entries" "$c" "$seconds"
done
for c in 64 256; do
  target/release/examples/loadgen submit "$work/vouchd.sock" 40000 "$c"
done
echo "vouchd resident memory: $(awk '/VmRSS/ {print $2, $3}' /proc/$daemon/status)"
