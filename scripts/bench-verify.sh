#!/usr/bin/env bash
# Times `vouch verify` against Python securesystemslib on the same N envelopes (default 10,000),
# each tool in one process, on this machine: first as N files, then as one `.intoto.jsonl` of
# the same envelopes. Wall time of the whole process for both (interpreter start included for
# Python, as the binary's start is for vouch). Prints each figure and the ratio.
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
mkdir "$dir/files"
mv "$dir"/env-*.json "$dir/files/"
for f in "$dir"/files/env-*.json; do cat "$f"; echo; done >"$dir/all.intoto.jsonl"

now() { date +%s.%N; }
timed() { # prints the seconds COMMAND... takes
  local start end
  start=$(now)
  "$@" >/dev/null
  end=$(now)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }'
}
report() { # LABEL VOUCH_SECONDS SSLIB_SECONDS
  awk -v n="$count" -v l="$1" -v v="$2" -v p="$3" 'BEGIN {
    printf "%-22s vouch verify %.3f s (%.0f/s), securesystemslib %.3f s (%.0f/s): %.1fx\n",
      l, v, n / v, p, n / p, p / v }'
}

# Warm the page cache so both tools read from memory.
cat "$dir"/files/env-*.json "$dir/all.intoto.jsonl" >/dev/null
version=$("$python" -c 'import securesystemslib; print(securesystemslib.__version__)')
echo "securesystemslib $version; vouch release build; $count envelopes, one process each"
sslib=tests/scripts/sslib_verify.py
vouch=target/release/vouch
# One untimed run of each tool first, as hyperfine's --warmup: on this machine the first run
# after the cores have idled is about 30 ms slower whatever runs (vouch verify over these files:
# 0.14 s after 35 s idle, 0.11 s right after), a third of vouch's time and 2% of
# securesystemslib's.
$vouch verify --key "$dir/signer.pub" "$dir"/files/env-*.json >/dev/null
"$python" $sslib "$dir/signer.pub" "$keyid" "$dir/all.intoto.jsonl" >/dev/null
for round in 1 2 3; do
  v=$(timed $vouch verify --key "$dir/signer.pub" "$dir"/files/env-*.json)
  p=$(timed "$python" $sslib "$dir/signer.pub" "$keyid" "$dir"/files/env-*.json)
  report "files (round $round)" "$v" "$p"
  v=$(timed $vouch verify --key "$dir/signer.pub" "$dir/all.intoto.jsonl")
  p=$(timed "$python" $sslib "$dir/signer.pub" "$keyid" "$dir/all.intoto.jsonl")
  report ".intoto.jsonl (round $round)" "$v" "$p"
done
