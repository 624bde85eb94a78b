#!/usr/bin/env bash
# Builds the Debian package `vouch` (vouch, vouchd, their man pages and completions, the systemd
# units, an example config and policy under /etc/vouch, the `vouch` user made at install) with
# cargo-deb, into target/packages/.
#
# usage: scripts/package-deb.sh [PROFILE]     # release (default); dev for a quick test build
#        VOUCH_DEB_VERSION=0.1.0-2 scripts/package-deb.sh ...   # another Debian revision
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-release}
command -v cargo-deb >/dev/null || cargo install --locked cargo-deb
cargo build --quiet --profile "$profile" -p vouch-cli -p vouch-daemon --bins
case $profile in dev) dir=target/debug ;; *) dir=target/$profile ;; esac
assets=target/deb-assets
rm -rf "$assets"
mkdir -p "$assets"
"$dir/vouch" man | gzip -9n >"$assets/vouch.1.gz"
"$dir/vouchd" --man | gzip -9n >"$assets/vouchd.8.gz"
"$dir/vouch" completions bash >"$assets/vouch.bash"
"$dir/vouch" completions zsh >"$assets/_vouch"
"$dir/vouch" completions fish >"$assets/vouch.fish"
version=()
[ -n "${VOUCH_DEB_VERSION:-}" ] && version=(--deb-version "$VOUCH_DEB_VERSION")
# Built apart, then moved: cargo-deb clears the .deb files already in its output directory.
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cargo deb --quiet -p vouch-daemon --no-build --profile "$profile" "${version[@]}" --output "$out/" >/dev/null
mkdir -p target/packages
for deb in "$out"/*.deb; do
  mv "$deb" target/packages/
  echo "target/packages/$(basename "$deb")"
done
