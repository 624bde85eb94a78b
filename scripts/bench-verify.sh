#!/usr/bin/env bash
# Times `vouch verify` against Python securesystemslib on the same N envelopes (default 10,000),
# each tool in one process over all the files, on this machine. Prints both figures.
#
# usage: scripts/bench-verify.sh [N]
# Python: $VOUCH_TEST_PYTHON, else python3; it must import securesystemslib (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
python=${VOUCH_TEST_PYTHON:-python3}
"$python" -c 'import securesystemslib.dsse' || {
  echo "bench-verify: $python cannot import securesystemslib; pip install 'securesystemslib[crypto]>=1,<2'" >&2
  exit 2
}

cargo build --quiet --release -p vouch-cli --bin vouch
cargo build --quiet --release -p vouch-proto --example make_envelopes
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
target/release/examples/make_envelopes "$dir" "$count"
keyid=$(cat "$dir/signer.keyid")

now() { date +%s.%N; }
rate() { awk -v n="$count" -v s="$1" -v e="$2" 'BEGIN { t = e - s; printf "%.3f s, %.0f envelopes/s", t, n / t }'; }

# Warm the page cache so both tools read the files from memory.
cat "$dir"/env-*.json >/dev/null

start=$(now)
target/release/vouch verify --key "$dir/signer.pub" "$dir"/env-*.json >/dev/null
end=$(now)
echo "vouch verify:      $count envelopes in $(rate "$start" "$end") (one process, release build)"

start=$(now)
"$python" tests/scripts/sslib_verify.py "$dir/signer.pub" "$keyid" "$dir"/env-*.json >/dev/null
end=$(now)
echo "securesystemslib:  $count envelopes in $(rate "$start" "$end") (one process, $("$python" -c 'import securesystemslib; print("securesystemslib", securesystemslib.__version__)'))"
