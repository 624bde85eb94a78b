#!/usr/bin/env bash
# The main job: vouchd on its embedded SQLite ledger (the default path), and a short demo of a
# review and trust queries: a reviewer generates a key, signs a review of an image digest,
# submits it; vouch check says the digest is trusted and why, and that another digest is not.
# Everything lives in a temporary XDG home, so nothing of yours is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --workspace --bins
bin=$PWD/target/debug
work=$(mktemp -d)
daemon=
cleanup() {
  if [ -n "$daemon" ]; then kill -TERM "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data XDG_STATE_HOME=$work/state XDG_RUNTIME_DIR=$work/run
export VOUCH_PASSPHRASE=${VOUCH_PASSPHRASE:-demo passphrase, use your own}
# Its own socket, so a vouchd already running here (at /run/vouch as root) is left alone.
export VOUCH_SOCKET=$XDG_RUNTIME_DIR/vouchd.sock
# Nor does it read the machine's /etc/vouch/vouchd.toml (the package's): only the flags below.
export VOUCHD_CONFIG=/dev/null
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step vouch key generate
"$bin/vouch" key generate
pub=$XDG_CONFIG_HOME/vouch/keys/reviewer.pub

step "vouchd --trusted-key reviewer.pub &     # ledger at \$XDG_DATA_HOME/vouch/ledger.db"
VOUCH_LOG=warn "$bin/vouchd" --trusted-key "$pub" &
daemon=$!
for _ in $(seq 1 200); do [ -S "$VOUCH_SOCKET" ] && break; sleep 0.05; done
[ -S "$VOUCH_SOCKET" ] || { echo "vouchd did not start" >&2; exit 1; }

cat >"$work/Dockerfile" <<'DOCKERFILE'
FROM ubuntu:24.04@sha256:7a2a1c1e5e6f8c0b1f6b3c9f8e4a2d1c0b9a8f7e6d5c4b3a2918273645546372
RUN wget -O /usr/local/bin/dumb-init https://github.com/Yelp/dumb-init/releases/download/v1.2.5/dumb-init_1.2.5_x86_64
ENTRYPOINT ["/usr/local/bin/dumb-init", "--"]
DOCKERFILE
image="ghcr.io/example/build-env:1.0@sha256:3f5ad4e6b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5"
step vouch review Dockerfile
"$bin/vouch" review "$work/Dockerfile"

step vouch attest --image "$image" --verdict trusted --dockerfile Dockerfile --accept-all ... -o review.json
"$bin/vouch" attest --image "$image" --verdict trusted \
  --dockerfile "$work/Dockerfile" --accept-all \
  --source "https://github.com/example/build-env.git@0123456789abcdef0123456789abcdef01234567" \
  --base "ubuntu:24.04@sha256:7a2a1c1e5e6f8c0b1f6b3c9f8e4a2d1c0b9a8f7e6d5c4b3a2918273645546372" \
  --download "https://github.com/Yelp/dumb-init/releases/download/v1.2.5/dumb-init_1.2.5_x86_64=sha256:e874b55f3279ca41415d290c512a7ba9d08f98041b28ae7c2acb19a545f1c4df" \
  --note "entrypoint is dumb-init; the download's checksum matches the upstream release" \
  --expires 90d -o "$work/review.json"

step vouch verify --key reviewer.pub review.json
"$bin/vouch" verify --key "$pub" "$work/review.json"

step vouch submit review.json
"$bin/vouch" submit "$work/review.json"

step vouch check --trusted-key reviewer.pub "$image"   # vouch re-checks the answer: proofs, and the signature
"$bin/vouch" check --trusted-key "$pub" "$image"

other="ghcr.io/example/build-env:1.1@sha256:0000000000000000000000000000000000000000000000000000000000000001"
step vouch check "$other"
set +e
"$bin/vouch" check "$other"
code=$?
set -e
echo "exit code $code (1 = not trusted)"
[ "$code" -eq 1 ]

step vouch log checkpoint
"$bin/vouch" log checkpoint

kill -TERM "$daemon"; wait "$daemon" || true; daemon=
step "vouch log verify --db \$XDG_DATA_HOME/vouch/ledger.db --key reviewer.pub   # offline audit, daemon stopped"
"$bin/vouch" log verify --db "$XDG_DATA_HOME/vouch/ledger.db" --key "$pub"
