#!/usr/bin/env bash
# Vouch at scale on this machine, side by side in one run, on a ledger of N signed reviews
# (default 1,000,000, built once and cached under target/bench-scale/):
#   - vouchd start-up: time to its first trust answer, with no saved index (a full audit) and
#     then from the saved index; how long the background audit takes to rebuild the index;
#   - trust queries/s and latency with wrk (Debian's, an outside tool) over the read-only TCP
#     listener, 8 and 32 connections;
#   - durable submissions/s and latency over the socket (the repo's loadgen, bodies signed
#     before the clock starts), 4 and 64 connections;
#   - the offline audit (`vouch log verify`, every signature re-verified): time and memory;
#   - `vouch verify` against securesystemslib on 10,000 envelopes (scripts/bench-verify.sh);
#   - vouchd's resident memory.
#
# usage: scripts/bench-scale.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-1000000}
command -v wrk >/dev/null || { echo "bench-scale: needs wrk (apt-get install wrk)" >&2; exit 2; }

# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh
cargo build --quiet --release -p vouch-cli --bin vouch
cache=target/bench-scale
mkdir -p "$cache"
if [ ! -f "$cache/ledger-$entries.db.done" ]; then
  rm -f "$cache/ledger-$entries.db"*
  target/release/examples/loadgen populate "$cache/ledger-$entries.db" "$entries"
  touch "$cache/ledger-$entries.db.done"
fi
for suffix in "" .pub .key; do cp "$cache/ledger-$entries.db$suffix" "$work/ledger.db$suffix"; done
echo "ledger: $entries entries, $(du -h "$work/ledger.db" | cut -f1)"

now() { date +%s.%N; }
port=$((20000 + RANDOM % 20000))
first=$(printf 'loadgen-0' | sha256sum | cut -d' ' -f1)
start_daemon() { # LABEL: starts vouchd, prints the time to its first trust answer
  local label=$1 began code
  began=$(now)
  VOUCH_LOG=info target/release/vouchd --db "$work/ledger.db" --socket "$work/vouchd.sock" \
    --listen "127.0.0.1:$port" --trusted-key tests/data/vector.pub --audit-interval 0 \
    2>>"$work/vouchd.log" &
  daemon=$!
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$work/vouchd.sock" \
      "http://vouchd/v1/trust/sha256:$first" || true)
    [ "$code" = 200 ] && break
    kill -0 "$daemon" 2>/dev/null || { echo "vouchd exited; see its log:" >&2; cat "$work/vouchd.log" >&2; exit 2; }
    sleep 0.005
  done
  awk -v s="$began" -v e="$(now)" -v l="$label" 'BEGIN { printf "%-44s %.3f s\n", l, e - s }'
}
stop_daemon() {
  kill -TERM "$daemon" && wait "$daemon" || true
  daemon=
}

start_daemon "start-up, no saved index (full audit):"
stop_daemon
start_daemon "start-up from the saved index:"
until grep -q "the full audit passed and rebuilt" "$work/vouchd.log"; do sleep 0.1; done
echo "background audit rebuilding the index:        $(grep -o 'millis=[0-9]*' "$work/vouchd.log" | tail -1 | cut -d= -f2) ms"
echo "vouchd memory once warm: $(awk '/VmRSS/ {print $2/1024 " MB resident"} /VmHWM/ {print $2/1024 " MB peak"}' /proc/$daemon/status | paste -sd', ')"

target/release/examples/loadgen paths "$entries" 200000 >"$work/paths"
for c in 8 32; do
  WRK_PATHS="$work/paths" wrk -t2 -c"$c" -d10s --latency -s scripts/wrk-trust.lua \
    "http://127.0.0.1:$port" >"$work/wrk.txt"
  rate=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  errors=$(grep -c "Non-2xx\|Socket errors" "$work/wrk.txt" || true)
  echo "trust queries (wrk, $c connections, TCP):      $rate/s, p50 $p50, p99 $p99 ($errors error lines)"
done
for c in 4 64; do
  target/release/examples/loadgen submit "$work/vouchd.sock" 20000 "$c"
done
echo "vouchd memory after the load: $(awk '/VmRSS/ {print $2/1024 " MB resident"} /VmHWM/ {print $2/1024 " MB peak"}' /proc/$daemon/status | paste -sd', ')"
stop_daemon

/usr/bin/time -f "%e s, %M KB peak resident, %P CPU" -o "$work/audit.time" \
  target/release/vouch log verify --db "$work/ledger.db" --key tests/data/vector.pub >/dev/null
echo "offline audit (vouch log verify, all signatures): $(cat "$work/audit.time")"

scripts/bench-verify.sh 10000 | tail -n 7
