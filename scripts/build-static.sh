#!/bin/sh
# Builds the static (musl) leakhound binary for this machine's architecture and copies it into the
# directory $1. The Dockerfile's builder stage runs exactly this, and tests/docker.sh runs it where no
# Docker daemon is available, so the image's build and the tested one cannot drift apart.
# Needs rustup's musl target (added here when missing) and musl-gcc (Debian: musl-tools), which builds
# mimalloc's C code.
set -eu
out=${1:?usage: build-static.sh OUT_DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")/.."
target="$(uname -m)-unknown-linux-musl"
if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed | grep -qx "$target"; then
  rustup target add "$target"
fi
cargo build --release --locked --target "$target" -p leakhound
cp "${CARGO_TARGET_DIR:-target}/$target/release/leakhound" "$out/leakhound"
