#!/usr/bin/env bash
# Runs the cargo-fuzz targets (Dockerfile analysis; envelope and statement reading) for a bounded
# time each: FUZZ_SECONDS, default 30; an input that takes over 10 s is a failure (a review or
# a read must end). Seeds: the test corpus and vectors in tests/data.
# Outside CI a missing cargo-fuzz is a printed skip; in CI it is an error.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-30}
if ! cargo fuzz --version >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then
    echo "fuzz.sh: cargo-fuzz is required in CI (cargo install cargo-fuzz --locked)" >&2
    exit 1
  fi
  echo "fuzz.sh: skipping the fuzz targets: cargo-fuzz is not installed (cargo install cargo-fuzz --locked)" >&2
  exit 0
fi
# cargo-fuzz passes -Z sanitizer flags, which the pinned stable toolchain accepts only with this.
export RUSTC_BOOTSTRAP=1
mkdir -p fuzz/corpus/dockerfile fuzz/corpus/envelope
cargo fuzz run dockerfile fuzz/corpus/dockerfile tests/data/dockerfiles -- -max_total_time="$seconds" -max_len=8192 -timeout=10
cargo fuzz run envelope fuzz/corpus/envelope tests/data -- -max_total_time="$seconds" -max_len=8192 -timeout=10
