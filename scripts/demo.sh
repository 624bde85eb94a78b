#!/usr/bin/env bash
# The main job, for now: a reviewer generates a key, signs a review of an image digest, and
# anyone verifies it offline; a tampered copy is rejected. Runs in a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --workspace --bins
vouch=$PWD/target/debug/vouch
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME=$work/config
export VOUCH_PASSPHRASE=${VOUCH_PASSPHRASE:-demo passphrase, use your own}
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step vouch key generate
"$vouch" key generate

cat >"$work/Dockerfile" <<'DOCKERFILE'
FROM ubuntu:24.04@sha256:7a2a1c1e5e6f8c0b1f6b3c9f8e4a2d1c0b9a8f7e6d5c4b3a2918273645546372
RUN wget -O /usr/local/bin/dumb-init https://github.com/Yelp/dumb-init/releases/download/v1.2.5/dumb-init_1.2.5_x86_64
ENTRYPOINT ["/usr/local/bin/dumb-init", "--"]
DOCKERFILE
image="ghcr.io/example/build-env:1.0@sha256:3f5ad4e6b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5"
step vouch attest --image "$image" --verdict trusted --dockerfile Dockerfile --expires 90d ...
"$vouch" attest --image "$image" --verdict trusted \
  --dockerfile "$work/Dockerfile" \
  --source "https://github.com/example/build-env.git@0123456789abcdef0123456789abcdef01234567" \
  --base "ubuntu:24.04@sha256:7a2a1c1e5e6f8c0b1f6b3c9f8e4a2d1c0b9a8f7e6d5c4b3a2918273645546372" \
  --download "https://github.com/Yelp/dumb-init/releases/download/v1.2.5/dumb-init_1.2.5_x86_64=sha256:e874b55f3279ca41415d290c512a7ba9d08f98041b28ae7c2acb19a545f1c4df" \
  --note "entrypoint is dumb-init; the download's checksum matches the upstream release" \
  --expires 90d -o "$work/review.json"

step vouch verify --key reviewer.pub review.json
"$vouch" verify --key "$XDG_CONFIG_HOME/vouch/keys/reviewer.pub" "$work/review.json"

step "vouch verify --key reviewer.pub tampered.json   # verdict flipped after signing"
python3 - "$work/review.json" "$work/tampered.json" <<'PY'
import base64, json, sys
envelope = json.load(open(sys.argv[1]))
payload = base64.b64decode(envelope["payload"]).replace(b'"trusted"', b'"rejected"')
envelope["payload"] = base64.b64encode(payload).decode()
json.dump(envelope, open(sys.argv[2], "w"))
PY
set +e
"$vouch" verify --key "$XDG_CONFIG_HOME/vouch/keys/reviewer.pub" "$work/tampered.json"
code=$?
set -e
echo "exit code $code (1 = invalid)"
[ "$code" -eq 1 ]
