#!/usr/bin/env bash
# Measures trust queries under a realistic policy: two reviewers must agree (threshold 2),
# every image's base image must itself be trusted (recursively, down to a root), reviews older
# than 90 days do not count; a ledger of N entries (default 100,000). Release builds; all in a
# temporary directory; all traffic on the local socket.
#
# usage: scripts/bench-policy.sh [N] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-100000}
seconds=${2:-10}

# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh

target/release/examples/loadgen populate-policy "$work" "$entries"
start=$(date +%s.%N)
VOUCH_LOG=warn target/release/vouchd --db "$work/ledger.db" --socket "$work/vouchd.sock" \
  --policy "$work/policy.toml" --audit-interval 0 &
daemon=$!
for _ in $(seq 1 400); do [ -S "$work/vouchd.sock" ] && break; sleep 0.05; done
curl -sf --unix-socket "$work/vouchd.sock" http://vouchd/healthz >/dev/null
echo "vouchd ready after $(echo "$(date +%s.%N) - $start" | bc) s"
images=$(( (entries - 200) / 2 ))
# The answers must be the policy's: image 0 trusted (two keys, its base trusted down to the root).
first="sha256:$(printf 'loadgen-0' | sha256sum | cut -d' ' -f1)"
curl -sf --unix-socket "$work/vouchd.sock" \
  "http://vouchd/v1/trust/$first?image=registry.example.com/team/service" | grep -q '"trusted":true' \
  || { echo "bench-policy: image 0 is not trusted under the policy" >&2; exit 1; }
for c in 8 32; do
  target/release/examples/loadgen trust "$work/vouchd.sock" "$images" "$c" "$seconds" \
    registry.example.com/team/service
done
echo "vouchd resident memory: $(awk '/VmRSS/ {print $2, $3}' /proc/$daemon/status)"
