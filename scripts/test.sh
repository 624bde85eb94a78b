#!/usr/bin/env bash
# The whole test suite: formatting and lints, then every unit, property and end-to-end test,
# with the peer tools (Python securesystemslib in a venv under target/, OpenSSL) in place.
# Outside CI a missing peer makes its tests print a skip; with CI=true they fail instead.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/peer-venv
if ! "$venv/bin/python" -c 'import securesystemslib.dsse' 2>/dev/null; then
  echo "test.sh: installing the Python peers into $venv" >&2
  if ! { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet -r tests/requirements.txt; }; then
    echo "test.sh: could not install the Python peers; their tests will skip (or fail in CI)" >&2
  fi
fi
export VOUCH_TEST_PYTHON="$PWD/$venv/bin/python"

cargo fmt --all --check
cargo clippy --quiet --workspace --all-targets -- -D warnings
cargo build --quiet --workspace --bins --examples
cargo nextest run --workspace --no-fail-fast
