#!/usr/bin/env bash
# The whole test suite: formatting and lints, the fuzz targets for a bounded time, then every
# unit, property and end-to-end test, with the peer tools in place (Python securesystemslib in a
# venv and the SARIF schema with ajv under target/; OpenSSL, sqlite3 and git from the system).
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

npm_peers=target/npm-peers
if [ ! -f "$npm_peers/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json" ]; then
  echo "test.sh: installing the SARIF peer (ajv, Microsoft's SARIF schema) into $npm_peers" >&2
  mkdir -p "$npm_peers"
  if ! npm install --silent --no-audit --no-fund --prefix "$npm_peers" ajv@6.12.6 @microsoft/jest-sarif@1.0.0-beta.0 >&2; then
    echo "test.sh: could not install the SARIF peer; its test will skip (or fail in CI)" >&2
  fi
fi
if [ ! -f "$npm_peers/node_modules/@sigstore/verify/package.json" ]; then
  echo "test.sh: installing the Sigstore peer (@sigstore/verify) into $npm_peers" >&2
  mkdir -p "$npm_peers"
  if ! npm install --silent --no-audit --no-fund --prefix "$npm_peers" @sigstore/verify@3.1.1 @sigstore/bundle@4.0.0 @sigstore/protobuf-specs@0.5.2 >&2; then
    echo "test.sh: could not install the Sigstore peer; its test will skip (or fail in CI)" >&2
  fi
fi
export VOUCH_TEST_NODE_MODULES="$PWD/$npm_peers/node_modules"

# error_on_line_overflow: fail where rustfmt gave up on a statement (a line it cannot fit).
cargo fmt --all -- --check --config error_on_line_overflow=true
cargo clippy --quiet --workspace --all-targets -- -D warnings
cargo build --quiet --workspace --bins --examples
scripts/fuzz.sh
cargo nextest run --workspace --no-fail-fast
