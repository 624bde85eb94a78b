#!/usr/bin/env bash
# Measures `vouch pull REPO:TAG` against the engine's own `pull REPO@DIGEST` of the same 50 MB
# image from the same local registry, in one run, alternating which goes first, with fresh
# storage before every pull: docker (a private dockerd, vfs) and podman (vfs). vouch pull does
# everything it does for real: resolves the tag from the registry, asks vouchd (release build,
# SQLite ledger) and verifies the answer's proofs, then runs the engine.
#
# usage: scripts/bench-pull.sh [ROUNDS] [MEGABYTES]      (as root; needs docker.io, podman,
#        docker-registry, umoci, skopeo)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
megabytes=${2:-50}
for tool in dockerd docker podman docker-registry umoci skopeo; do
  command -v "$tool" >/dev/null || { echo "bench-pull: $tool is missing (apt-get install docker.io podman docker-registry umoci skopeo)" >&2; exit 2; }
done
cargo build --quiet --release -p vouch-daemon --bin vouchd -p vouch-cli --bin vouch
root=$PWD
work=$(mktemp -d /tmp/bench-pull.XXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
addr=127.0.0.1:$port
printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s/registry\nhttp:\n  addr: %s\n' "$work" "$addr" > registry.yml
docker-registry serve registry.yml >/dev/null 2>&1 & pids+=($!)
dockerd --data-root "$work/docker" --exec-root "$work/x" --pidfile "$work/d.pid" --host "unix://$work/d.sock" \
  --storage-driver vfs --iptables=false --bridge=none >/dev/null 2>&1 & pids+=($!)
export DOCKER_HOST=unix://$work/d.sock
for _ in $(seq 1 300); do docker version >/dev/null 2>&1 && break; sleep 0.1; done

umoci init --layout layout
umoci new --image layout:1.0
umoci unpack --rootless --image layout:1.0 bundle >/dev/null
head -c "$((megabytes << 20))" /dev/urandom > bundle/rootfs/payload
umoci repack --image layout:1.0 bundle
umoci config --image layout:1.0 --config.cmd /payload --os linux --architecture amd64
skopeo copy --quiet --dest-tls-verify=false oci:layout:1.0 "docker://$addr/bench/app:1.0"
digest=sha256:$(skopeo inspect --raw --tls-verify=false "docker://$addr/bench/app:1.0" | sha256sum | cut -d' ' -f1)

export HOME=$work/home VOUCH_PASSPHRASE=bench XDG_STATE_HOME=$work/state VOUCH_SOCKET=$work/v.sock
mkdir -p "$HOME"
"$root/target/release/vouch" key generate --dir keys --name reviewer >/dev/null
VOUCHD_CONFIG=/dev/null VOUCH_LOG=warn "$root/target/release/vouchd" --db "$work/ledger.db" --socket "$VOUCH_SOCKET" --trusted-key keys/reviewer.pub & pids+=($!)
for _ in $(seq 1 200); do [ -S "$VOUCH_SOCKET" ] && break; sleep 0.05; done
"$root/target/release/vouch" attest --image "$addr/bench/app:1.0@$digest" --verdict trusted --key keys/reviewer.key > review.json
"$root/target/release/vouch" submit review.json >/dev/null

printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$addr" > registries.conf
printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/podman"\nrunroot = "%s/podman-run"\n' "$work" "$work" > storage.conf
printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' > containers.conf
export CONTAINERS_REGISTRIES_CONF=$work/registries.conf CONTAINERS_STORAGE_CONF=$work/storage.conf CONTAINERS_CONF=$work/containers.conf

fresh() {
  case $1 in
    docker) docker rmi -f "$addr/bench/app:1.0" "$addr/bench/app@$digest" >/dev/null 2>&1 || true ;;
    podman) podman system reset --force >/dev/null 2>&1 || rm -rf "$work/podman" "$work/podman-run" ;;
  esac
}
# Milliseconds one command takes, its output discarded; a failure stops the run.
timed() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "bench-pull: failed: $*" >&2; exit 1; }
  end=$(date +%s%N)
  echo $(( (end - start) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

for engine in docker podman; do
  plain=() vouched=()
  for round in $(seq 1 "$rounds"); do
    for which in $( [ $((round % 2)) -eq 1 ] && echo "plain vouch" || echo "vouch plain"); do
      fresh "$engine"
      if [ "$which" = plain ]; then
        plain+=("$(timed "$engine" pull "$addr/bench/app@$digest")")
      else
        vouched+=("$(timed "$root/target/release/vouch" pull --engine "$engine" --insecure-registry "$addr" "$addr/bench/app:1.0")")
      fi
    done
  done
  p=$(printf '%s\n' "${plain[@]}" | median)
  v=$(printf '%s\n' "${vouched[@]}" | median)
  echo "$engine: ${megabytes} MB image, $rounds rounds, fresh storage each pull: plain pull by digest median ${p} ms (${plain[*]}); vouch pull of the tag median ${v} ms (${vouched[*]}); ratio $(echo "scale=3; $v / $p" | bc)"
done
