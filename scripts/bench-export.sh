#!/usr/bin/env bash
# Measures export and import at scale on this machine: a ledger of N signed reviews (default
# 100,000) exported from the file (`intoto-jsonl` and `ledger`), the ledger export verified
# offline, then imported into a fresh vouchd (every entry checked twice by vouchd: the dry run
# that makes a bad file import nothing, then the import) and imported again (all duplicates).
# Release builds; everything in a temporary directory.
#
# usage: scripts/bench-export.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-100000}

# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh
cargo build --quiet --release -p vouch-cli --bin vouch

target/release/examples/loadgen populate "$work/ledger.db" "$entries"
vouch=target/release/vouch
now() { date +%s.%N; }
timed() { # LABEL COMMAND...: runs it, prints the rate and its peak resident memory
  local label=$1 start end
  shift
  start=$(now)
  /usr/bin/time -f "%M" -o "$work/rss" "$@" >/dev/null
  end=$(now)
  awk -v n="$entries" -v s="$start" -v e="$end" -v l="$label" -v m="$(cat "$work/rss")" \
    'BEGIN { t = e - s; printf "%-34s %6.2f s  %7.0f entries/s  %6.0f MB peak RSS\n", l, t, n / t, m / 1024 }'
}

timed "export intoto-jsonl (--db)" $vouch export --db "$work/ledger.db" -o "$work/all.intoto.jsonl"
timed "export ledger (--db)" $vouch export --db "$work/ledger.db" --format ledger -o "$work/all.ledger"
timed "verify --ledger-export" $vouch verify --ledger-export "$work/all.ledger" \
  --log-key "$work/ledger.db.pub" --key tests/data/vector.pub

VOUCH_LOG=warn target/release/vouchd --db "$work/imported.db" --socket "$work/vouchd.sock" \
  --trusted-key tests/data/vector.pub --audit-interval 0 &
daemon=$!
for _ in $(seq 1 200); do [ -S "$work/vouchd.sock" ] && break; sleep 0.05; done
curl -sf --unix-socket "$work/vouchd.sock" http://vouchd/healthz >/dev/null
export VOUCH_SOCKET=$work/vouchd.sock XDG_STATE_HOME=$work/state
timed "import ledger export" $vouch import --log-key "$work/ledger.db.pub" "$work/all.ledger"
timed "import again (all duplicates)" $vouch import "$work/all.ledger"
echo "vouchd resident memory after the import: $(awk '/VmRSS/ {print $2, $3}' /proc/$daemon/status)"
